/**
 * computeRetention(graph): the dominator tree of the object graph from its super-root, each node's
 * retained size (the bytes and objects freed if it were), and each object's holder: the nearest root
 * that dominates it. An object reached through several roots and no single one has the super-root
 * as its dominator: its holder is 0, "shared", and its bytes count for no root.
 */
import type { ObjectGraph } from "../../model/object-graph.js";
import { computeDominators, type DominatorTree } from "./dominators.js";

export interface Retention {
  dominators: DominatorTree;
  /** Bytes each node retains (its own size plus everything it dominates). */
  retainedBytes: Float64Array;
  /** Heap objects each node retains, itself included. */
  retainedObjects: Uint32Array;
  /** The nearest root node dominating each node (a root's own node for a root); 0 = shared; -1 = unreachable. */
  holder: Int32Array;
}

export function computeRetention(graph: ObjectGraph): Retention {
  const dominators = computeDominators(graph, 0);
  const { idom, preorder } = dominators;
  const retainedBytes = new Float64Array(graph.nodeCount);
  const retainedObjects = new Uint32Array(graph.nodeCount);
  for (let i = 0; i < preorder.length; i++) {
    const v = preorder[i]!;
    retainedBytes[v] = graph.nodeSize[v]!;
    retainedObjects[v] = v >= graph.firstObjectNode ? 1 : 0;
  }
  // Children come after their dominator in preorder: accumulate from the end.
  for (let i = preorder.length - 1; i >= 1; i--) {
    const v = preorder[i]!;
    const d = idom[v]!;
    retainedBytes[d]! += retainedBytes[v]!;
    retainedObjects[d]! += retainedObjects[v]!;
  }
  const holder = new Int32Array(graph.nodeCount).fill(-1);
  holder[0] = 0;
  for (let i = 1; i < preorder.length; i++) {
    const v = preorder[i]!;
    holder[v] = v < graph.firstObjectNode ? v : holder[idom[v]!]!;
  }
  return { dominators, retainedBytes, retainedObjects, holder };
}
