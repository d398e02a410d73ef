/**
 * The object graph of a heap dump, with its roots as nodes, in CSR form.
 *
 * Nodes, in this order:
 *   0                         the super-root, with an edge to every top-level root
 *   1 .. rootCount            roots (RootDescription); a goroutine root has edges to its frame and
 *                             closure roots, which in turn point at objects
 *   firstObjectNode + r       the heap object of rank r in address order (r < objectCount): nodes
 *                             follow addresses, so objects allocated together are numbered together
 *                             (use objectNode / nodeObject in analysis/retention to go to and from
 *                             the dump's object indices)
 * Edges of node v are edgeTarget[edgeStart[v] .. edgeStart[v + 1]); edgeFieldOffset gives the byte
 * offset of the pointer inside its holder (the object, the frame, the global), 0 for structural edges.
 */

export type RootKind = "global" | "stack" | "closure" | "finalizer" | "runtime";

export interface RootDescription {
  kind: RootKind;
  /** What a person reads: `main.cache`, `bss+0x1a0`, `main.worker (goroutine 18, created by main.main)`. */
  label: string;
  /** Graph node of this root. */
  node: number;
  /** The enclosing root's node (a frame's goroutine), or 0 for a top-level root. */
  parentNode: number;
  /** Goroutine id, for goroutine, frame and goroutine-closure roots. */
  goroutineId?: number;
  /** The frame's function, the global's symbol, the finalizer's or closure's function when known. */
  functionName?: string;
  /** The function whose `go` statement created the goroutine, when known. */
  creator?: string;
  /** The global's or finalized object's address; the frame's sp. */
  address?: number;
}

export interface ObjectGraph {
  nodeCount: number;
  rootCount: number;
  /** = rootCount + 1 */
  firstObjectNode: number;
  objectCount: number;
  /** Heap bytes of each node (0 for the super-root and the roots). */
  nodeSize: Float64Array;
  edgeStart: Uint32Array;
  edgeTarget: Uint32Array;
  edgeFieldOffset: Uint32Array;
  /** roots[r] is node r + 1. */
  roots: RootDescription[];
  /** Objects in address order: the order of the object nodes, and the index that locates addresses. */
  addressIndex: AddressIndex;
  /** Non-nil pointers (in objects and roots) that point at no heap object: outside the heap or free slots. */
  pointersOutsideHeap: number;
}

/** Objects in ascending address order, with a page table to narrow the search for an address. */
export interface AddressIndex {
  /** Dump object index of each rank (position in address order). */
  order: Uint32Array;
  /** Rank of each dump object index. */
  rank: Uint32Array;
  /** [start, end) of the object of each rank, interleaved: bounds[2r], bounds[2r + 1]. */
  bounds: Float64Array;
  /** First rank at or after each page's start, or undefined when the heap is too sparse for a table. */
  pageFirst: Uint32Array | undefined;
  pageBase: number;
}
