/**
 * Closures the runtime keeps for the program: a `time.AfterFunc` callback lives in a timer in the
 * runtime's timer heap, a callback handed to the runtime in one of its queues. In the dominator tree
 * such a closure hangs under a runtime root (runtime.allp, a system goroutine), and so would
 * everything it captured — which is the program's memory, kept by the program's function value.
 *
 * The timer is usually reachable from several runtime roots at once (runtime.allp, runtime.allm
 * through the P), so no single root dominates it. attributeRuntimeClosures walks every object a
 * runtime root or several roots together hold, top of the dominator tree first, and names as holder
 * the first closure object on the way down: an object whose first word is the
 * entry pc of a function outside the runtime (a funcval's code pointer). The closure and what it
 * dominates then count for that closure, not for the runtime root above it.
 */
import type { HeapDump } from "../../model/heap-dump.js";
import type { ObjectGraph, RootDescription } from "../../model/object-graph.js";
import type { SymbolResolver } from "../../model/symbols.js";
import { nodeAddress, nodeObject } from "./object-graph.js";
import type { Retention } from "./retained-size.js";
import { isRuntimeSymbol } from "./roots.js";

export interface RuntimeClosures {
  /**
   * Each node's holder with closures taken into account: a root node, or the node of a closure
   * object the runtime or several roots keep (≥ graph.firstObjectNode); 0 = shared, -1 = unreachable.
   */
  holder: Int32Array;
  /** The closures found, by their object node; `node` is the closure object's node, `parentNode` the runtime root above it (0 when several roots keep it). */
  closures: Map<number, RootDescription>;
}

export function attributeRuntimeClosures(
  dump: HeapDump,
  graph: ObjectGraph,
  retention: Retention,
  resolver: SymbolResolver | undefined,
): RuntimeClosures {
  const holder = retention.holder.slice();
  const closures = new Map<number, RootDescription>();
  if (resolver === undefined || dump.bytes === undefined) return { holder, closures };
  const isRuntimeRoot = new Uint8Array(graph.firstObjectNode);
  for (const root of graph.roots) if (root.kind === "runtime") isRuntimeRoot[root.node] = 1;
  const { idom, preorder } = retention.dominators;
  for (let i = 0; i < preorder.length; i++) {
    const v = preorder[i]!;
    if (v < graph.firstObjectNode) continue;
    const h = retention.holder[v]!;
    if (h < 0 || (h > 0 && isRuntimeRoot[h] !== 1)) continue;
    // Dominators come first in preorder: inherit the closure found above, if any.
    const above = holder[idom[v]!]!;
    if (above >= graph.firstObjectNode) {
      holder[v] = above;
      continue;
    }
    const fn = closureFunctionAt(dump, graph, v, resolver);
    if (fn === undefined) continue;
    holder[v] = v;
    const keeper = h === 0 ? "several roots together" : graph.roots[h - 1]!.label;
    closures.set(v, {
      kind: "closure",
      label: `closure ${fn} (kept by ${keeper})`,
      node: v,
      parentNode: h,
      functionName: fn,
      address: nodeAddress(graph, v),
    });
  }
  return { holder, closures };
}

/** The function of object node `v` when its first word is a function's entry pc outside the runtime. */
function closureFunctionAt(
  dump: HeapDump,
  graph: ObjectGraph,
  v: number,
  resolver: SymbolResolver,
): string | undefined {
  const size = dump.params.pointerSize;
  if (graph.nodeSize[v]! < size) return undefined;
  const at = dump.objects.contentOffset[nodeObject(graph, v)]!;
  const bytes = dump.bytes!;
  if (at + size > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, size);
  const little = !dump.params.bigEndian;
  const pc = size === 8 ? Number(view.getBigUint64(0, little)) : view.getUint32(0, little);
  if (pc === 0) return undefined;
  const name = resolver.funcNameAt(pc);
  if (name === null || isRuntimeSymbol(name)) return undefined;
  // A code pointer in a funcval is the function's entry: the byte before it belongs to another function.
  const entry = resolver.funcAt?.(pc);
  if (entry !== undefined) return entry !== null && entry.entry === pc ? name : undefined;
  return resolver.funcNameAt(pc - 1) !== name ? name : undefined;
}
