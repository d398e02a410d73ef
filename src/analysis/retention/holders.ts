/**
 * holdersByRoot(graph, retention): what each root holds alone, largest first.
 *
 * A root's retained bytes are those of everything it dominates: what would be freed if it let go.
 * A goroutine's root contains its frames' and closures' roots, so its figure includes theirs plus
 * what its frames hold only together. An object that two roots reach, and no single root alone, is
 * "shared": it counts for no root, and the objects directly under the super-root are listed with
 * their retained sizes so a report can show the largest shared structures (rootsReaching names the
 * roots behind one). Runtime roots come in their own list: they are never the program's holder.
 */
import type { ObjectGraph, RootDescription } from "../../model/object-graph.js";
import { reverseEdges } from "./dominators.js";
import { nodeAddress, nodeObject, objectNode } from "./object-graph.js";
import type { Retention } from "./retained-size.js";

export interface RootHolder {
  root: RootDescription;
  retainedBytes: number;
  retainedObjects: number;
}

export interface SharedObject {
  /** Object index in the dump. */
  object: number;
  address: number;
  size: number;
  retainedBytes: number;
  retainedObjects: number;
}

export interface HoldersReport {
  /** The program's roots (kinds global, stack, closure, finalizer) that retain something. */
  holders: RootHolder[];
  /** Runtime roots that retain something. */
  runtimeHolders: RootHolder[];
  /** What several roots hold together and no single one does. */
  shared: { bytes: number; objects: number; largest: SharedObject[] };
  reachableBytes: number;
  reachableObjects: number;
}

export function holdersByRoot(
  graph: ObjectGraph,
  retention: Retention,
  options: { largestShared?: number } = {},
): HoldersReport {
  const holders: RootHolder[] = [];
  const runtimeHolders: RootHolder[] = [];
  for (const root of graph.roots) {
    const retainedObjects = retention.retainedObjects[root.node]!;
    if (retainedObjects === 0) continue;
    const holder = { root, retainedBytes: retention.retainedBytes[root.node]!, retainedObjects };
    (root.kind === "runtime" ? runtimeHolders : holders).push(holder);
  }
  const byBytes = (a: RootHolder, b: RootHolder) =>
    b.retainedBytes - a.retainedBytes || a.root.node - b.root.node;
  holders.sort(byBytes);
  runtimeHolders.sort(byBytes);

  const limit = options.largestShared ?? 20;
  const largest: SharedObject[] = [];
  let sharedBytes = 0;
  let sharedObjects = 0;
  const { idom } = retention.dominators;
  for (let v = graph.firstObjectNode; v < graph.nodeCount; v++) {
    if (idom[v] !== 0) continue;
    const retainedBytes = retention.retainedBytes[v]!;
    sharedBytes += retainedBytes;
    sharedObjects += retention.retainedObjects[v]!;
    // Keep only the `limit` largest (no object per shared heap object).
    if (largest.length === limit && (limit === 0 || retainedBytes <= largest[limit - 1]!.retainedBytes))
      continue;
    const entry = {
      object: nodeObject(graph, v),
      address: nodeAddress(graph, v),
      size: graph.nodeSize[v]!,
      retainedBytes,
      retainedObjects: retention.retainedObjects[v]!,
    };
    let at = largest.length < limit ? largest.length : limit - 1;
    while (at > 0 && largest[at - 1]!.retainedBytes < retainedBytes) at--;
    largest.splice(at, 0, entry);
    if (largest.length > limit) largest.pop();
  }
  return {
    holders,
    runtimeHolders,
    shared: { bytes: sharedBytes, objects: sharedObjects, largest },
    reachableBytes: retention.retainedBytes[0]!,
    reachableObjects: retention.retainedObjects[0]!,
  };
}

/**
 * The roots from which each given object is reachable (object indices in the dump), innermost roots
 * (frames rather than their goroutine) only. One backward search per object over the whole graph:
 * meant for the handful of largest shared objects, not for every object.
 */
export function rootsReaching(graph: ObjectGraph, objects: number[]): RootDescription[][] {
  const reverse = reverseEdges(graph);
  const seen = new Uint32Array(graph.nodeCount);
  const stack = new Uint32Array(graph.nodeCount);
  return objects.map((object, i) => {
    const mark = i + 1;
    const found: RootDescription[] = [];
    let top = 0;
    const node = objectNode(graph, object);
    stack[top++] = node;
    seen[node] = mark;
    while (top > 0) {
      const v = stack[--top]!;
      for (let k = reverse.start[v]!; k < reverse.start[v + 1]!; k++) {
        const u = reverse.source[k]!;
        if (seen[u] === mark) continue;
        seen[u] = mark;
        if (u === 0) continue;
        if (u < graph.firstObjectNode) found.push(graph.roots[u - 1]!);
        else stack[top++] = u;
      }
    }
    return found.sort((a, b) => a.node - b.node);
  });
}
