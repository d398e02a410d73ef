/**
 * The two ways a Go slice keeps memory the program can no longer use, found on a typed heap:
 *
 *   beyond len   objects reachable only through slots of a backing array that no slice referencing
 *                it can reach: at or past its len (`s = s[:0]`, deletion that does not clear the
 *                tail) or before its start (`s = s[1:]` queues). The program cannot read them; the
 *                collector still keeps them.
 *   pinned       a backing array that its slices use a small part of: len × element size at most a
 *                quarter of the array (a 16-byte header kept from a 1 MiB buffer).
 *
 * A claim is made only about arrays whose every incoming pointer is understood: a typed slice
 * header (its len and cap read from the dump) or a typed pointer to an element. A pointer from an
 * untyped object, an interface or a frame word no typed variable holds keeps the array out of both
 * findings, and so does a frame's slice whose len DWARF gives no place at the frame's pc (the
 * compiler keeps no len it knows as a constant, such as the 0 of `s = s[:0]` just before a wait).
 *
 * "Only through" is exact: the graph is searched again with the unusable slots' pointers removed,
 * and what no longer comes out reachable is what those slots hold.
 */
import type { HeapDump } from "../../model/heap-dump.js";
import type { ObjectGraph } from "../../model/object-graph.js";
import {
  RegionRole,
  regionCount,
  regionRole,
  regionStart,
  regionType,
  type TypedHeap,
} from "./typed-heap.js";
import { contentsOf, type DumpContents } from "./typed-memory.js";
import { describeSlot } from "./typed-paths.js";

/** One slice header pointing into a backing array. */
export interface SliceHeaderRef {
  /** Graph node holding the header (a global root or an object) and the header's offset in it. */
  holderNode: number;
  holderOffset: number;
  len: number;
  cap: number;
  /** Element index of the slice's first element in the array. */
  startIndex: number;
}

/** A backing array whose slices leave some of it unusable. */
export interface BackingArrayRetention {
  /** Object rank (node − firstObjectNode). */
  rank: number;
  elemType: number;
  elemBytes: number;
  /** The array's heap slot. */
  arrayBytes: number;
  slices: SliceHeaderRef[];
  /** Elements some slice can reach. */
  liveElements: number;
  /** Non-nil pointer slots no slice can reach. */
  slotsBeyondLen: number;
  bytesBeyondLen: number;
  objectsBeyondLen: number;
  /** arrayBytes − live bytes, when the slices use at most PINNED_MAX_USED_FRACTION of the array; else 0. */
  pinnedBytes: number;
}

export interface SliceRetentionAnalysis {
  arrays: BackingArrayRetention[];
  /** Backing arrays left out because something untyped points into them. */
  unexplainedArrays: number;
}

/** A slice pins its array when it uses at most this share of it. */
export const PINNED_MAX_USED_FRACTION = 0.25;

export function analyzeSliceRetention(
  dump: HeapDump,
  graph: ObjectGraph,
  typed: TypedHeap,
  options: { reachable?: Uint8Array; contents?: DumpContents } = {},
): SliceRetentionAnalysis {
  const contents = options.contents ?? contentsOf(dump);
  const candidates = backingArrays(graph, typed);
  const incoming = incomingEdges(graph, candidates.index, candidates.ranks.length);
  const arrays: BackingArrayRetention[] = [];
  const deadEdge = new Uint8Array(graph.edgeTarget.length);
  let unexplainedArrays = 0;
  candidates.ranks.forEach((rank, c) => {
    const slices = explainIncoming(dump, graph, typed, contents, rank, incoming, c);
    if (!slices) {
      unexplainedArrays++;
      return;
    }
    const array = liveAndDead(graph, typed, rank, slices, deadEdge);
    if (array.slotsBeyondLen > 0 || array.pinnedBytes > 0) arrays.push(array);
  });
  attributeBeyondLen(graph, arrays, deadEdge, options.reachable);
  return { arrays, unexplainedArrays };
}

/** Objects typed as slices' backing arrays, and each object rank's candidate index (−1 if none). */
function backingArrays(graph: ObjectGraph, typed: TypedHeap): { ranks: number[]; index: Int32Array } {
  const index = new Int32Array(graph.objectCount).fill(-1);
  const ranks: number[] = [];
  for (let r = 0; r < graph.objectCount; r++) {
    if (regionRole(typed, r) !== RegionRole.SliceArray || regionType(typed, r) < 0) continue;
    index[r] = ranks.length;
    ranks.push(r);
  }
  return { ranks, index };
}

interface Incoming {
  start: Uint32Array;
  source: Uint32Array;
  offset: Uint32Array;
}

/**
 * The edges into each candidate (CSR by candidate): source node and the pointer's offset there.
 * One pass over all edges, testing a byte per object (a small table, mostly in cache) before
 * looking the candidate up.
 */
function incomingEdges(graph: ObjectGraph, candidateOf: Int32Array, count: number): Incoming {
  const { edgeStart, edgeTarget, edgeFieldOffset, firstObjectNode, nodeCount } = graph;
  const isCandidate = new Uint8Array(nodeCount);
  for (let r = 0; r < candidateOf.length; r++) if (candidateOf[r]! >= 0) isCandidate[firstObjectNode + r] = 1;
  let hits = new Uint32Array(1024);
  let n = 0;
  for (let v = 0; v < nodeCount; v++) {
    const last = edgeStart[v + 1]!;
    for (let k = edgeStart[v]!; k < last; k++) {
      if (isCandidate[edgeTarget[k]!] === 0) continue;
      if (2 * n + 2 > hits.length) {
        const grown = new Uint32Array(hits.length * 2);
        grown.set(hits);
        hits = grown;
      }
      hits[2 * n] = v;
      hits[2 * n + 1] = k;
      n++;
    }
  }
  const start = new Uint32Array(count + 1);
  for (let h = 0; h < n; h++) start[candidateOf[edgeTarget[hits[2 * h + 1]!]! - firstObjectNode]! + 1]!++;
  for (let c = 0; c < count; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, count);
  const source = new Uint32Array(n);
  const offset = new Uint32Array(n);
  for (let h = 0; h < n; h++) {
    const k = hits[2 * h + 1]!;
    const c = candidateOf[edgeTarget[k]! - firstObjectNode]!;
    source[fill[c]!] = hits[2 * h]!;
    offset[fill[c]!++] = edgeFieldOffset[k]!;
  }
  return { start, source, offset };
}

/**
 * The slice headers (and element pointers, as one-element slices) behind every pointer into the
 * array, or null when one of them is not understood.
 */
function explainIncoming(
  dump: HeapDump,
  graph: ObjectGraph,
  typed: TypedHeap,
  contents: DumpContents,
  rank: number,
  incoming: Incoming,
  c: number,
): SliceHeaderRef[] | null {
  const elem = regionType(typed, rank);
  const elemBytes = typed.registry.size(elem);
  const arrayBase = graph.addressIndex.bounds[2 * rank]! + regionStart(typed, rank);
  const ptr = dump.params.pointerSize;
  const refs: SliceHeaderRef[] = [];
  for (let k = incoming.start[c]!; k < incoming.start[c + 1]!; k++) {
    const holderNode = incoming.source[k]!;
    const offset = incoming.offset[k]!;
    const slot = describeSlot(typed, graph, holderNode, offset);
    if (!slot || slot.slotOffset !== offset) return null;
    const slotType = typed.registry.type(slot.slotType);
    const at = slotFileOffset(dump, graph, holderNode, offset, typed);
    if (!slotType || at < 0) return null;
    const address = contents.word(at);
    const index = (address - arrayBase) / elemBytes;
    if (!Number.isInteger(index) || index < 0) return null;
    if (slotType.kind === "slice" && slotType.elem === elem) {
      let lenAt = at + ptr;
      let capAt = at + 2 * ptr;
      if (slot.words) {
        // A frame slot's len and cap words may lie apart from its pointer, or nowhere in the frame.
        lenAt = slotFileOffset(dump, graph, holderNode, slot.words[1] ?? -1, typed);
        capAt = slotFileOffset(dump, graph, holderNode, slot.words[2] ?? -1, typed);
        if (lenAt < 0 || capAt < 0) return null;
      }
      const len = contents.word(lenAt);
      const cap = contents.word(capAt);
      if (len > cap) return null;
      refs.push({ holderNode, holderOffset: offset, len, cap, startIndex: index });
    } else if (slotType.kind === "pointer" && slotType.elem === elem) {
      refs.push({ holderNode, holderOffset: offset, len: 1, cap: 1, startIndex: index });
    } else {
      return null;
    }
  }
  return refs.length > 0 ? refs : null;
}

/**
 * File offset of the word at `offset` in a holder: an object, a global root's memory, or a typed
 * stack frame's contents; −1 otherwise.
 */
export function slotFileOffset(
  dump: HeapDump,
  graph: ObjectGraph,
  node: number,
  offset: number,
  typed?: TypedHeap,
): number {
  if (offset < 0) return -1;
  if (node >= graph.firstObjectNode) {
    const i = graph.addressIndex.order[node - graph.firstObjectNode]!;
    return dump.objects.contentOffset[i]! + offset;
  }
  const frame = typed?.frames.get(node);
  if (frame) {
    const size = dump.frames.size[frame.frame]!;
    return offset + dump.params.pointerSize <= size ? dump.frames.contentOffset[frame.frame]! + offset : -1;
  }
  const root = graph.roots[node - 1];
  if (!root || root.address === undefined || (root.kind !== "global" && root.kind !== "runtime")) return -1;
  const address = root.address + offset;
  for (const segment of [dump.data, dump.bss]) {
    if (segment && address >= segment.start && address < segment.start + segment.size)
      return segment.contentOffset + (address - segment.start);
  }
  return -1;
}

/** Live elements (the union of the slices' [start, start+len)), and the dead slots' edges marked. */
function liveAndDead(
  graph: ObjectGraph,
  typed: TypedHeap,
  rank: number,
  slices: SliceHeaderRef[],
  deadEdge: Uint8Array,
): BackingArrayRetention {
  const elemType = regionType(typed, rank);
  const elemBytes = typed.registry.size(elemType);
  const firstElement = regionStart(typed, rank);
  const count = regionCount(typed, rank);
  const ranges = slices
    .map((s) => [s.startIndex, Math.min(count, s.startIndex + s.len)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of ranges) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  const liveElements = merged.reduce((n, [a, b]) => n + b - a, 0);
  const node = graph.firstObjectNode + rank;
  let slotsBeyondLen = 0;
  for (let k = graph.edgeStart[node]!; k < graph.edgeStart[node + 1]!; k++) {
    const fieldOffset = graph.edgeFieldOffset[k]!;
    if (fieldOffset < firstElement) continue;
    const index = Math.floor((fieldOffset - firstElement) / elemBytes);
    if (index >= count || merged.some(([a, b]) => index >= a && index < b)) continue;
    deadEdge[k] = 1;
    slotsBeyondLen++;
  }
  const arrayBytes = graph.nodeSize[node]!;
  const liveBytes = liveElements * elemBytes;
  const pinned = liveBytes > 0 && liveBytes <= PINNED_MAX_USED_FRACTION * arrayBytes;
  return {
    rank,
    elemType,
    elemBytes,
    arrayBytes,
    slices,
    liveElements,
    slotsBeyondLen,
    bytesBeyondLen: 0,
    objectsBeyondLen: 0,
    pinnedBytes: pinned ? arrayBytes - liveBytes : 0,
  };
}

/**
 * What the dead slots alone keep: reachable in the whole graph, unreachable once the dead slots'
 * edges are removed. Each such object is counted for the first array whose dead slots lead to it.
 */
function attributeBeyondLen(
  graph: ObjectGraph,
  arrays: BackingArrayRetention[],
  deadEdge: Uint8Array,
  reachableAll: Uint8Array | undefined,
): void {
  if (!arrays.some((a) => a.slotsBeyondLen > 0)) return;
  const all = reachableAll ?? search(graph, undefined);
  const withoutDead = search(graph, deadEdge);
  const owned = new Uint8Array(graph.nodeCount);
  const stack = new Uint32Array(graph.nodeCount);
  for (const array of arrays) {
    if (array.slotsBeyondLen === 0) continue;
    const node = graph.firstObjectNode + array.rank;
    let top = 0;
    for (let k = graph.edgeStart[node]!; k < graph.edgeStart[node + 1]!; k++) {
      const w = graph.edgeTarget[k]!;
      if (deadEdge[k] === 1 && all[w] === 1 && withoutDead[w] === 0 && owned[w] === 0) {
        owned[w] = 1;
        stack[top++] = w;
      }
    }
    while (top > 0) {
      const v = stack[--top]!;
      array.objectsBeyondLen++;
      array.bytesBeyondLen += graph.nodeSize[v]!;
      for (let k = graph.edgeStart[v]!; k < graph.edgeStart[v + 1]!; k++) {
        const w = graph.edgeTarget[k]!;
        if (withoutDead[w] === 0 && owned[w] === 0 && all[w] === 1) {
          owned[w] = 1;
          stack[top++] = w;
        }
      }
    }
  }
}

/** Nodes reachable from the super-root, skipping edges marked in `skip`. */
function search(graph: ObjectGraph, skip: Uint8Array | undefined): Uint8Array {
  const seen = new Uint8Array(graph.nodeCount);
  const queue = new Uint32Array(graph.nodeCount);
  let head = 0;
  let tail = 0;
  seen[0] = 1;
  queue[tail++] = 0;
  while (head < tail) {
    const v = queue[head++]!;
    for (let k = graph.edgeStart[v]!; k < graph.edgeStart[v + 1]!; k++) {
      if (skip !== undefined && skip[k] === 1) continue;
      const w = graph.edgeTarget[k]!;
      if (seen[w] === 0) {
        seen[w] = 1;
        queue[tail++] = w;
      }
    }
  }
  return seen;
}
