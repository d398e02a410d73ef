/**
 * buildObjectGraph(dump, resolver?): the heap dump's object graph with its roots as nodes (see
 * model/object-graph.ts for the layout; objectNode / nodeObject convert between nodes and the
 * dump's object indices). Every pointer word, in objects and roots, is mapped to
 * the object containing it, so interior pointers count; pointers to nothing in the heap are counted
 * in `pointersOutsideHeap`. A pointer from an object to itself is dropped (it retains nothing).
 */
import { HeapDumpError } from "../../errors.js";
import type { HeapDump } from "../../model/heap-dump.js";
import type { ObjectGraph } from "../../model/object-graph.js";
import type { SymbolResolver } from "../../model/symbols.js";
import { buildAddressIndex, findObject, findRank } from "./address-index.js";
import { collectRoots } from "./roots.js";

export function buildObjectGraph(dump: HeapDump, resolver?: SymbolResolver): ObjectGraph {
  const index = buildAddressIndex(dump.objects);
  const collected = collectRoots(dump, index, resolver);
  const roots = collected.roots;
  const rootCount = roots.length;
  const firstObjectNode = rootCount + 1;
  const objectCount = dump.objects.count;
  const nodeCount = firstObjectNode + objectCount;
  const pointers = dump.objects.pointers;
  const maxEdges = rootCount + collected.edgeRank.length + pointers.value.length;
  if (maxEdges > 0xffffffff) throw new HeapDumpError(`heap dump has ${maxEdges} pointers, more than 2^32`);

  const edgeStart = new Uint32Array(nodeCount + 1);
  const edgeTarget = new Uint32Array(maxEdges);
  const edgeFieldOffset = new Uint32Array(maxEdges);
  let e = 0;

  // The super-root and the roots: child roots first, then the objects they point at.
  const children = childRoots(
    roots.map((r) => r.parentNode),
    firstObjectNode,
  );
  for (let node = 0; node < firstObjectNode; node++) {
    edgeStart[node] = e;
    for (let k = children.start[node]!; k < children.start[node + 1]!; k++)
      edgeTarget[e++] = children.list[k]!;
    if (node === 0) continue;
    const r = node - 1;
    for (let k = collected.edgeStart[r]!; k < collected.edgeStart[r + 1]!; k++) {
      edgeTarget[e] = firstObjectNode + collected.edgeRank[k]!;
      edgeFieldOffset[e++] = collected.edgeFieldOffset[k]!;
    }
  }

  let outside = collected.pointersOutsideHeap;
  const { start, value, fieldOffset } = pointers;
  const order = index.order;
  const nodeSize = new Float64Array(nodeCount);
  for (let r = 0; r < objectCount; r++) {
    const i = order[r]!;
    nodeSize[firstObjectNode + r] = dump.objects.size[i]!;
    edgeStart[firstObjectNode + r] = e;
    for (let k = start[i]!; k < start[i + 1]!; k++) {
      const target = findRank(index, value[k]!);
      if (target < 0) outside++;
      else if (target !== r) {
        edgeTarget[e] = firstObjectNode + target;
        edgeFieldOffset[e++] = fieldOffset[k]!;
      }
    }
  }
  edgeStart[nodeCount] = e;

  return {
    nodeCount,
    rootCount,
    firstObjectNode,
    objectCount,
    nodeSize,
    edgeStart,
    edgeTarget: edgeTarget.subarray(0, e),
    edgeFieldOffset: edgeFieldOffset.subarray(0, e),
    roots,
    addressIndex: index,
    pointersOutsideHeap: outside,
  };
}

/** The child roots of each node below firstObjectNode (CSR), from each root's parent. */
function childRoots(
  parentNode: number[],
  firstObjectNode: number,
): { start: Uint32Array; list: Uint32Array } {
  const start = new Uint32Array(firstObjectNode + 1);
  for (const parent of parentNode) start[parent + 1]!++;
  for (let n = 0; n < firstObjectNode; n++) start[n + 1]! += start[n]!;
  const fill = start.slice(0, firstObjectNode);
  const list = new Uint32Array(parentNode.length);
  parentNode.forEach((parent, r) => {
    list[fill[parent]!++] = r + 1;
  });
  return { start, list };
}

/** The dump index of the object containing `address`, or -1. */
export function objectAt(graph: ObjectGraph, address: number): number {
  return findObject(graph.addressIndex, address);
}

/** The graph node of the object containing `address`, or -1. */
export function nodeAt(graph: ObjectGraph, address: number): number {
  const rank = findRank(graph.addressIndex, address);
  return rank < 0 ? -1 : graph.firstObjectNode + rank;
}

/** The node of dump object `object`. */
export function objectNode(graph: ObjectGraph, object: number): number {
  return graph.firstObjectNode + graph.addressIndex.rank[object]!;
}

/** The dump object of object node `node` (node ≥ firstObjectNode). */
export function nodeObject(graph: ObjectGraph, node: number): number {
  return graph.addressIndex.order[node - graph.firstObjectNode]!;
}

/** The address of object node `node`. */
export function nodeAddress(graph: ObjectGraph, node: number): number {
  return graph.addressIndex.bounds[2 * (node - graph.firstObjectNode)]!;
}
