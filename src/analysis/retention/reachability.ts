/**
 * computeReachability(graph): which heap objects the roots reach (breadth-first from the
 * super-root), and how their bytes compare with the runtime's own account. A dump written without a
 * GC still lists garbage; after runtime.GC() the reachable bytes should approach MemStats.HeapAlloc
 * (the runtime also keeps a few things the dump does not show: AddCleanup functions, weak handles,
 * pointers held only by stack objects the frame maps omit).
 */
import type { DumpMemStats } from "../../model/heap-dump.js";
import type { ObjectGraph } from "../../model/object-graph.js";

export interface Reachability {
  /** 1 for each node (roots and objects) the super-root reaches. */
  reachable: Uint8Array;
  reachableObjects: number;
  reachableBytes: number;
  unreachableObjects: number;
  unreachableBytes: number;
  /** Every object in the dump, reachable or not. */
  totalBytes: number;
  /** MemStats.HeapAlloc as of the dump, when the dump has MemStats. */
  heapAlloc: number | undefined;
}

export function computeReachability(graph: ObjectGraph, memStats?: DumpMemStats): Reachability {
  const { nodeCount, edgeStart, edgeTarget, nodeSize, firstObjectNode } = graph;
  const reachable = new Uint8Array(nodeCount);
  const queue = new Uint32Array(nodeCount);
  let head = 0;
  let tail = 0;
  reachable[0] = 1;
  queue[tail++] = 0;
  while (head < tail) {
    const v = queue[head++]!;
    for (let k = edgeStart[v]!; k < edgeStart[v + 1]!; k++) {
      const w = edgeTarget[k]!;
      if (reachable[w] === 0) {
        reachable[w] = 1;
        queue[tail++] = w;
      }
    }
  }
  let reachableObjects = 0;
  let reachableBytes = 0;
  let totalBytes = 0;
  for (let v = firstObjectNode; v < nodeCount; v++) {
    totalBytes += nodeSize[v]!;
    if (reachable[v] === 1) {
      reachableObjects++;
      reachableBytes += nodeSize[v]!;
    }
  }
  return {
    reachable,
    reachableObjects,
    reachableBytes,
    unreachableObjects: graph.objectCount - reachableObjects,
    unreachableBytes: totalBytes - reachableBytes,
    totalBytes,
    heapAlloc: memStats?.heapAlloc,
  };
}
