/**
 * Locating the heap object that contains an address (pointers may be interior: sub-slices, fields,
 * allocation headers). Objects come in span order, so they are sorted once; a page table over the
 * heap's range then narrows each lookup to the few objects starting near the address.
 *
 *   buildAddressIndex(objects)     sort once
 *   findRank(index, address)       the containing object's rank in address order, or -1
 *   findObject(index, address)     the containing object's dump index, or -1
 */
import type { HeapObjects } from "../../model/heap-dump.js";
import type { AddressIndex } from "../../model/object-graph.js";

/** 512-byte pages: a few objects each (scanned linearly), and a table of 8 bytes per KiB of heap. */
const PAGE_BYTES = 512;

export function buildAddressIndex(objects: HeapObjects): AddressIndex {
  const count = objects.count;
  const order = sortByAddress(objects.address, objects.size, count);
  const rank = new Uint32Array(count);
  const bounds = new Float64Array(2 * count);
  for (let r = 0; r < count; r++) {
    const i = order[r]!;
    rank[i] = r;
    bounds[2 * r] = objects.address[i]!;
    bounds[2 * r + 1] = objects.address[i]! + objects.size[i]!;
  }
  const pageBase = count > 0 ? Math.floor(bounds[0]! / PAGE_BYTES) * PAGE_BYTES : 0;
  return { order, rank, bounds, pageFirst: buildPageTable(bounds, pageBase), pageBase };
}

/**
 * Object indices in address order. The dump lists each span's objects in address order, so the list
 * is a series of contiguous stretches (consecutive slots, no gap): sorting the stretches by their
 * start and laying them end to end sorts the objects, checked afterwards. A damaged dump whose
 * objects overlap fails the check and gets a full sort.
 */
function sortByAddress(address: Float64Array, size: Float64Array, count: number): Uint32Array {
  const runStart: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i === 0 || address[i]! !== address[i - 1]! + size[i - 1]!) runStart.push(i);
  }
  const runOrder = sortIndices(
    Float64Array.from(runStart, (i) => address[i]!),
    runStart.length,
  );
  const order = new Uint32Array(count);
  let r = 0;
  for (let k = 0; k < runOrder.length; k++) {
    const run = runOrder[k]!;
    const end = run + 1 < runStart.length ? runStart[run + 1]! : count;
    for (let i = runStart[run]!; i < end; i++) order[r++] = i;
  }
  for (let k = 1; k < count; k++) {
    if (address[order[k]!]! < address[order[k - 1]!]! + size[order[k - 1]!]!) {
      return sortIndices(address, count);
    }
  }
  return order;
}

/**
 * Indices of `keys` in ascending key order. Keys are 8-byte aligned addresses in a small range, so
 * (offset / 8, index) packs into one exactly representable double and a native numeric sort does
 * the work; otherwise a comparison sort.
 */
function sortIndices(keys: Float64Array, count: number): Uint32Array {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  let aligned = true;
  for (let i = 0; i < count; i++) {
    const a = keys[i]!;
    if (a < min) min = a;
    if (a > max) max = a;
    if (a % 8 !== 0) aligned = false;
  }
  const indexSpan = 2 ** Math.max(1, Math.ceil(Math.log2(count + 1)));
  if (count > 0 && aligned && ((max - min) / 8 + 1) * indexSpan <= Number.MAX_SAFE_INTEGER) {
    const packed = new Float64Array(count);
    for (let i = 0; i < count; i++) packed[i] = ((keys[i]! - min) / 8) * indexSpan + i;
    packed.sort();
    const order = new Uint32Array(count);
    for (let r = 0; r < count; r++) order[r] = packed[r]! % indexSpan;
    return order;
  }
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((x, y) => keys[x]! - keys[y]! || x - y);
  return order;
}

/** pageFirst[p] = first rank whose address ≥ pageBase + p pages; undefined if too sparse. */
function buildPageTable(bounds: Float64Array, pageBase: number): Uint32Array | undefined {
  const count = bounds.length / 2;
  if (count === 0) return undefined;
  let end = 0;
  for (let r = 0; r < count; r++) if (bounds[2 * r + 1]! > end) end = bounds[2 * r + 1]!;
  const pages = Math.ceil((end - pageBase) / PAGE_BYTES) + 1;
  // A table much larger than the object list (heap arenas far apart) is not worth its memory.
  if (pages > 32 * count + 65536) return undefined;
  const pageFirst = new Uint32Array(pages + 1);
  let r = 0;
  for (let p = 0; p <= pages; p++) {
    const pageStart = pageBase + p * PAGE_BYTES;
    while (r < count && bounds[2 * r]! < pageStart) r++;
    pageFirst[p] = r;
  }
  return pageFirst;
}

/** The rank (position in address order) of the object containing `address`, or -1. */
export function findRank(index: AddressIndex, address: number): number {
  const bounds = index.bounds;
  const table = index.pageFirst;
  let r: number;
  if (table !== undefined) {
    const page = Math.floor((address - index.pageBase) / PAGE_BYTES);
    if (page < 0 || page >= table.length - 1) return -1;
    // The containing object starts in this page or is the last one starting before it; a page holds
    // few objects, so a forward scan beats a binary search.
    const first = table[page]!;
    const end = table[page + 1]!;
    r = first > 0 ? first - 1 : 0;
    if (end - r <= 64) {
      while (r + 1 < end && bounds[2 * (r + 1)]! <= address) r++;
    } else {
      // Only a damaged dump crowds a page (objects are at least 8 bytes): stay logarithmic.
      r = lastStartingAtOrBefore(bounds, address, r, end);
    }
  } else {
    r = lastStartingAtOrBefore(bounds, address, 0, bounds.length / 2);
  }
  if (r < 0 || bounds[2 * r]! > address || address >= bounds[2 * r + 1]!) return -1;
  return r;
}

/** The last rank in [lo, hi) whose start ≤ `address`, or lo - 1. */
function lastStartingAtOrBefore(bounds: Float64Array, address: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bounds[2 * mid]! <= address) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The dump index of the object containing `address`, or -1. */
export function findObject(index: AddressIndex, address: number): number {
  const r = findRank(index, address);
  return r < 0 ? -1 : index.order[r]!;
}
