/**
 * Locating the heap object that contains an address (pointers may be interior: sub-slices, fields,
 * allocation headers). Objects come in span order, so they are sorted once; a page table over the
 * heap's range then narrows each lookup to the objects starting near the address.
 *
 *   buildAddressIndex(objects)     sort once
 *   findObject(index, address)     the containing object's index (dump order), or -1
 */
import type { HeapObjects } from "../../model/heap-dump.js";
import type { AddressIndex } from "../../model/object-graph.js";

const PAGE_SHIFT = 13;
const PAGE_BYTES = 2 ** PAGE_SHIFT;

export function buildAddressIndex(objects: HeapObjects): AddressIndex {
  const order = sortByAddress(objects.address, objects.count);
  const count = objects.count;
  const sortedAddress = new Float64Array(count);
  const sortedEnd = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const i = order[k]!;
    sortedAddress[k] = objects.address[i]!;
    sortedEnd[k] = objects.address[i]! + objects.size[i]!;
  }
  const pageBase = count > 0 ? Math.floor(sortedAddress[0]! / PAGE_BYTES) * PAGE_BYTES : 0;
  const pageFirst = buildPageTable(sortedAddress, sortedEnd, pageBase);
  return { order, sortedAddress, sortedEnd, pageFirst, pageBase, pageShift: PAGE_SHIFT };
}

/**
 * Object indices in address order. Addresses are 8-byte aligned and the heap's range is usually
 * small, so (offset / 8, index) packs into one exactly representable double and a native numeric
 * sort does the work; otherwise a comparison sort.
 */
function sortByAddress(address: Float64Array, count: number): Uint32Array {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  let aligned = true;
  for (let i = 0; i < count; i++) {
    const a = address[i]!;
    if (a < min) min = a;
    if (a > max) max = a;
    if (a % 8 !== 0) aligned = false;
  }
  const indexSpan = 2 ** Math.max(1, Math.ceil(Math.log2(count + 1)));
  if (count > 0 && aligned && ((max - min) / 8 + 1) * indexSpan <= Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(count);
    for (let i = 0; i < count; i++) keys[i] = ((address[i]! - min) / 8) * indexSpan + i;
    keys.sort();
    const order = new Uint32Array(count);
    for (let k = 0; k < count; k++) order[k] = keys[k]! % indexSpan;
    return order;
  }
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((x, y) => address[x]! - address[y]! || x - y);
  return order;
}

/** pageFirst[p] = first sorted position whose address ≥ pageBase + p pages; undefined if too sparse. */
function buildPageTable(
  sortedAddress: Float64Array,
  sortedEnd: Float64Array,
  pageBase: number,
): Uint32Array | undefined {
  const count = sortedAddress.length;
  if (count === 0) return undefined;
  let end = 0;
  for (let k = 0; k < count; k++) if (sortedEnd[k]! > end) end = sortedEnd[k]!;
  const pages = Math.ceil((end - pageBase) / PAGE_BYTES) + 1;
  // A table much larger than the object list (heap arenas far apart) is not worth its memory.
  if (pages > 4 * count + 65536) return undefined;
  const pageFirst = new Uint32Array(pages + 1);
  let k = 0;
  for (let p = 0; p <= pages; p++) {
    const pageStart = pageBase + p * PAGE_BYTES;
    while (k < count && sortedAddress[k]! < pageStart) k++;
    pageFirst[p] = k;
  }
  return pageFirst;
}

/** The index (dump order) of the object containing `address`, or -1. */
export function findObject(index: AddressIndex, address: number): number {
  const sorted = index.sortedAddress;
  let lo = 0;
  let hi = sorted.length;
  const table = index.pageFirst;
  if (table !== undefined) {
    const page = Math.floor((address - index.pageBase) / PAGE_BYTES);
    if (page < 0 || page >= table.length - 1) return -1;
    // The containing object starts in this page or is the last one starting before it.
    lo = table[page]! > 0 ? table[page]! - 1 : 0;
    hi = table[page + 1]!;
  }
  // The last position in [lo, hi) whose address ≤ `address`.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= address) lo = mid + 1;
    else hi = mid;
  }
  const k = lo - 1;
  if (k < 0 || address >= index.sortedEnd[k]! || sorted[k]! > address) return -1;
  return index.order[k]!;
}
