/**
 * The object graph of a heap dump, with its roots as nodes, in CSR form.
 *
 * Nodes, in this order:
 *   0                         the super-root, with an edge to every top-level root
 *   1 .. rootCount            roots (RootDescription); a goroutine root has edges to its frame and
 *                             closure roots, which in turn point at objects
 *   firstObjectNode + i       heap object i of the dump (dump order), i < objectCount
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
  /** Address of heap object i (dump order; the dump's own column). */
  objectAddress: Float64Array;
  /** Heap bytes of each node (0 for the super-root and the roots). */
  nodeSize: Float64Array;
  edgeStart: Uint32Array;
  edgeTarget: Uint32Array;
  edgeFieldOffset: Uint32Array;
  /** roots[r] is node r + 1. */
  roots: RootDescription[];
  /** Object addresses sorted, for locating the object that contains an address. */
  addressIndex: AddressIndex;
  /** Non-nil pointers (in objects and roots) that point at no heap object: outside the heap or free slots. */
  pointersOutsideHeap: number;
}

/** Object addresses in ascending order, with a page table to narrow the search. */
export interface AddressIndex {
  /** Object indices (dump order) sorted by address. */
  order: Uint32Array;
  sortedAddress: Float64Array;
  /** End (address + size) of sortedAddress[k]'s object. */
  sortedEnd: Float64Array;
  /** First sorted position at or after each page's start, or undefined when the heap is too sparse. */
  pageFirst: Uint32Array | undefined;
  pageBase: number;
  pageShift: number;
}
