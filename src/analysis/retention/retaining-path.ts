/**
 * Shortest retaining paths: one breadth-first search from the roots gives every object its
 * shortest chain of pointers back to a root; retainingPath(...) then reads one object's chain, root
 * first, each step with the object's size, the byte offset of the pointer that holds it, and its
 * allocation site when the object was sampled.
 *
 * Paths prefer the program's roots: the search first runs from every root except runtime ones
 * (runtime.* globals, system goroutines, runtime frames), then from those for what is left, so a
 * runtime structure is shown as the holder only when nothing of the program's holds the object.
 */
import type { HeapDump, MemProfileBucket } from "../../model/heap-dump.js";
import type { ObjectGraph, RootDescription } from "../../model/object-graph.js";
import { findObject } from "./address-index.js";
import { nodeAddress, nodeObject, objectNode } from "./object-graph.js";

export interface ShortestPaths {
  /** The node each node was first reached from; -1 for the super-root and unreached nodes. */
  parent: Int32Array;
  /** The edge (index into edgeTarget / edgeFieldOffset) from the parent. */
  parentEdge: Uint32Array;
}

export interface PathStep {
  /** Object index in the dump. */
  object: number;
  address: number;
  size: number;
  /** Byte offset, inside the previous step's object (or the root), of the pointer to this object. */
  fieldOffset: number;
  /** The allocation stack, when the object carries an alloc sample. */
  allocation?: MemProfileBucket;
}

export interface RetainingPath {
  /** The root whose memory holds the first step; `roots` is its chain from the top-level root. */
  root: RootDescription;
  roots: RootDescription[];
  steps: PathStep[];
}

export function computeShortestPaths(graph: ObjectGraph): ShortestPaths {
  const parent = new Int32Array(graph.nodeCount).fill(-1);
  const parentEdge = new Uint32Array(graph.nodeCount);
  const visited = new Uint8Array(graph.nodeCount);
  const queue = new Uint32Array(graph.nodeCount);
  const isRuntime = new Uint8Array(graph.firstObjectNode);
  for (const root of graph.roots) if (root.kind === "runtime") isRuntime[root.node] = 1;

  visited[0] = 1;
  queue[0] = 0;
  search(graph, queue, 1, visited, parent, parentEdge, isRuntime);
  // Then from every root, now letting runtime roots in: only what the program's roots missed is new.
  let tail = 0;
  queue[tail++] = 0;
  for (let node = 1; node < graph.firstObjectNode; node++) if (visited[node] === 1) queue[tail++] = node;
  search(graph, queue, tail, visited, parent, parentEdge, undefined);
  return { parent, parentEdge };
}

function search(
  graph: ObjectGraph,
  queue: Uint32Array,
  tail: number,
  visited: Uint8Array,
  parent: Int32Array,
  parentEdge: Uint32Array,
  blocked: Uint8Array | undefined,
): void {
  const { edgeStart, edgeTarget } = graph;
  let head = 0;
  while (head < tail) {
    const v = queue[head++]!;
    for (let k = edgeStart[v]!; k < edgeStart[v + 1]!; k++) {
      const w = edgeTarget[k]!;
      if (visited[w] === 1 || (blocked !== undefined && blocked[w] === 1)) continue;
      visited[w] = 1;
      parent[w] = v;
      parentEdge[w] = k;
      queue[tail++] = w;
    }
  }
}

/** Each object's alloc-sample bucket (index into dump.buckets), or -1; samples matched by containment. */
export function allocationBuckets(dump: HeapDump, graph: ObjectGraph): Int32Array {
  const bucketIndex = new Map(dump.buckets.map((b, i) => [b.id, i]));
  const result = new Int32Array(graph.objectCount).fill(-1);
  const samples = dump.allocSamples;
  for (let s = 0; s < samples.count; s++) {
    const object = findObject(graph.addressIndex, samples.address[s]!);
    const bucket = bucketIndex.get(samples.bucket[s]!);
    if (object >= 0 && bucket !== undefined) result[object] = bucket;
  }
  return result;
}

/** The shortest retaining path of heap object `object` (dump index), or null if no root reaches it. */
export function retainingPath(
  graph: ObjectGraph,
  paths: ShortestPaths,
  object: number,
  allocations?: { buckets: MemProfileBucket[]; bucketOfObject: Int32Array },
): RetainingPath | null {
  let node = objectNode(graph, object);
  if (paths.parent[node]! < 0) return null;
  const steps: PathStep[] = [];
  while (node >= graph.firstObjectNode) {
    const i = nodeObject(graph, node);
    const step: PathStep = {
      object: i,
      address: nodeAddress(graph, node),
      size: graph.nodeSize[node]!,
      fieldOffset: graph.edgeFieldOffset[paths.parentEdge[node]!]!,
    };
    const bucket = allocations?.bucketOfObject[i] ?? -1;
    if (bucket >= 0) step.allocation = allocations!.buckets[bucket]!;
    steps.push(step);
    node = paths.parent[node]!;
  }
  steps.reverse();
  const roots: RootDescription[] = [];
  for (let r = node; r > 0; r = graph.roots[r - 1]!.parentNode) roots.push(graph.roots[r - 1]!);
  roots.reverse();
  return { root: roots[roots.length - 1]!, roots, steps };
}
