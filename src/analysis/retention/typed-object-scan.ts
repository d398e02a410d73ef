/**
 * Checking and scanning one typed region of a heap object, the inner loop of type propagation.
 * Both walk the type's slot plan alongside the object's own pointer list (dump order: ascending
 * offsets) and, when scanning, alongside its graph edges (the same pointers, less those outside the
 * heap and to itself), so a pointer's target object comes from the graph, not from another address
 * lookup, and its value from the pointer columns, not from the file's bytes.
 */
import { findRank } from "./address-index.js";
import { RegionRole } from "./typed-heap.js";
import { SlotKind } from "./typed-layout.js";
import type { TypePropagator } from "./typed-propagation.js";

/**
 * Whether the dump's pointer words in [from, to) of object `rank` are exactly the non-nil pointer
 * words of `type`'s values laid from `from`: a pointer where the type has none, or a heap address
 * in a slot the collector does not see as a pointer, means the type is wrong for this object.
 * (Pointers to the runtime's not-in-heap memory are not marked, so an address outside the heap in a
 * pointer slot is accepted.)
 */
export function verifyObjectRegion(
  p: TypePropagator,
  rank: number,
  type: number,
  from: number,
  to: number,
): boolean {
  if (from >= to) return true;
  const i = p.graph.addressIndex.order[rank]!;
  const pointers = p.dump.objects.pointers;
  const offsets = pointers.fieldOffset;
  let k = pointers.start[i]!;
  const end = pointers.start[i + 1]!;
  while (k < end && offsets[k]! < from) k++;
  const plan = p.registry.plan(type);
  if (plan.count === 0) return k >= end || offsets[k]! >= to;
  const size = p.sizeOf(type);
  const fileBase = p.dump.objects.contentOffset[i]!;
  const ptr = p.ptr;
  const { kinds, offsets: slotOffsets } = plan;
  for (let base = from; base + size <= to; base += size) {
    for (let s = 0; s < plan.count; s++) {
      // An interface's first word (type or itab) is never a pointer to the collector: its data word is.
      const kind = kinds[s]!;
      const at = base + slotOffsets[s]! + (kind === SlotKind.Eface || kind === SlotKind.Iface ? ptr : 0);
      if (k < end && offsets[k]! < at) return false;
      if (k < end && offsets[k] === at) {
        k++;
        continue;
      }
      const word = p.contents.word(fileBase + at);
      if (word !== 0 && findRank(p.graph.addressIndex, word) >= 0) return false;
    }
    if (plan.truncated) return true;
  }
  return k >= end || offsets[k]! >= to;
}

/** Claims what each pointer slot of the region [from, to) points at (the region verified first). */
export function scanObjectRegion(
  p: TypePropagator,
  rank: number,
  type: number,
  from: number,
  to: number,
): void {
  if (from >= to) return;
  const plan = p.registry.plan(type);
  if (plan.count === 0) return;
  const { graph, dump } = p;
  const i = graph.addressIndex.order[rank]!;
  const pointers = dump.objects.pointers;
  const offsets = pointers.fieldOffset;
  const values = pointers.value;
  let k = pointers.start[i]!;
  const end = pointers.start[i + 1]!;
  const node = graph.firstObjectNode + rank;
  let e = graph.edgeStart[node]!;
  const edgeEnd = graph.edgeStart[node + 1]!;
  const { edgeFieldOffset, edgeTarget, firstObjectNode } = graph;
  const fileBase = dump.objects.contentOffset[i]!;
  const size = p.sizeOf(type);
  const ptr = p.ptr;
  const { kinds, offsets: slotOffsets, types } = plan;
  for (let base = from; base + size <= to; base += size) {
    for (let s = 0; s < plan.count; s++) {
      const kind = kinds[s]!;
      if (kind === SlotKind.String || kind === SlotKind.Unsafe) continue;
      const at = base + slotOffsets[s]!;
      const pointerAt = kind === SlotKind.Eface || kind === SlotKind.Iface ? at + ptr : at;
      while (k < end && offsets[k]! < pointerAt) k++;
      if (k >= end) return;
      if (offsets[k] !== pointerAt) continue; // nil
      const value = values[k]!;
      while (e < edgeEnd && edgeFieldOffset[e]! < pointerAt) e++;
      // No edge: the target is outside the heap (a static value, perhaps) or the object itself.
      const target = e < edgeEnd && edgeFieldOffset[e] === pointerAt ? edgeTarget[e]! - firstObjectNode : -2;
      if (kind === SlotKind.Pointer) {
        const elem = p.elemOf(types[s]!);
        if (elem >= 0)
          p.claimValueAt(target === -2 ? findRank(graph.addressIndex, value) : target, value, elem);
      } else if (kind === SlotKind.Slice) {
        const cap = p.contents.word(fileBase + at + 2 * ptr);
        const elem = p.elemOf(types[s]!);
        if (cap > 0 && elem >= 0) {
          const rankOf = target === -2 ? findRank(graph.addressIndex, value) : target;
          p.claimArrayAt(rankOf, value, elem, RegionRole.SliceArray, cap);
        }
      } else if (kind === SlotKind.Eface || kind === SlotKind.Iface) {
        p.scanInterface(kind, p.contents.word(fileBase + at), value, target);
      } else {
        p.scanPointerValue(kind, types[s]!, value, target);
      }
    }
    if (plan.truncated) return;
  }
}
