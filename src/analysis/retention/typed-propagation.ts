/**
 * propagateTypes(dump, graph, types): gives heap objects the Go types that can be proven, starting
 * from typed roots and following typed pointers.
 *
 *   roots      globals (DWARF's variables at their addresses in the dump's data and BSS), the
 *              funcvals of goroutine closures, deferred calls and finalizers (typed by the closure's
 *              function), finalized objects (the finalizer record names their type)
 *   pointers   *T types T; a slice types its backing array as E elements; a map types its header and
 *              storage (buckets or Swiss groups, through the directory and tables); a chan its hchan
 *              and buffer; a func value its closure; an interface whatever its type word (eface) or
 *              itab (iface, through the dump's itab records) names
 *   never      unsafe.Pointer targets, interfaces whose dynamic type is unknown, string bytes, objects
 *              reached only from stack frames: these stay untyped
 *
 * Every typing is checked against the dump's own pointer bitmap: each non-nil pointer word inside
 * the typed region must be a pointer word of the type, and each pointer word of the type must be nil
 * or listed. A disagreement (a wrong guess, a reused slot) rejects the typing: the object stays
 * untyped and nothing is claimed through it.
 *
 * Objects of more than 512 bytes that hold pointers carry an 8-byte allocation header from Go 1.22:
 * a backing array then starts 8 bytes into its slot, which is where its slices point.
 */

import type { GoGlobal, GoTypeTable } from "../../model/go-types.js";
import type { HeapDump } from "../../model/heap-dump.js";
import type { ObjectGraph } from "../../model/object-graph.js";
import { findRank } from "./address-index.js";
import { RegionRole, type TypedHeap, type TypedStats } from "./typed-heap.js";
import { SlotKind, type SlotPlan, TypeRegistry, typeContainsAt } from "./typed-layout.js";
import { contentsOf, type DumpContents } from "./typed-memory.js";
import { nameGlobalRoots, seedTypedRoots } from "./typed-roots.js";

export interface PropagateOptions {
  /** Run-time minus link-time addresses (PIE); 0 by default. */
  loadBias?: number;
  contents?: DumpContents;
}

export function propagateTypes(
  dump: HeapDump,
  graph: ObjectGraph,
  table: GoTypeTable,
  options: PropagateOptions = {},
): TypedHeap {
  const propagator = new TypePropagator(dump, graph, table, options);
  seedTypedRoots(propagator);
  propagator.run();
  nameGlobalRoots(propagator);
  return propagator.result();
}

/** Largest object that can carry an allocation header (larger ones keep their type in the span). */
const MAX_HEADER_OBJECT = 32768;
const MIN_HEADER_OBJECT = 512;

export class TypePropagator {
  readonly registry: TypeRegistry;
  readonly contents: DumpContents;
  readonly loadBias: number;
  readonly ptr: number;
  readonly regionType: Int32Array;
  readonly regionStart: Uint32Array;
  readonly regionCount: Uint32Array;
  readonly regionRole: Uint8Array;
  readonly rootGlobals = new Map<number, GoGlobal>();
  readonly rootAliases = new Map<number, string>();
  readonly mapOfInternal = new Map<number, number>();
  readonly chanOfHeader = new Map<number, number>();
  readonly stats: TypedStats = {
    typedObjects: 0,
    typedBytes: 0,
    rejected: 0,
    conflicts: 0,
    unresolvedInterfaces: 0,
    unknownClosures: 0,
  };
  private readonly rejected: Uint8Array;
  /** Byte range of each region already scanned (so an extended region scans only its new part). */
  private readonly scannedLo: Uint32Array;
  private readonly scannedHi: Uint32Array;
  private readonly queued: Uint8Array;
  private queue: Uint32Array;
  private queueLength = 0;
  private readonly itabType = new Map<number, number>();
  private readonly headerSince122: boolean;
  private readonly pointerTo = new Map<number, number>();
  private readonly staticSeen = new Set<string>();
  /** Typed values in the data and BSS segments that no DWARF global describes (see scanStatic). */
  readonly staticValues: { address: number; type: number; count: number; via: string | undefined }[] = [];
  /** The global whose words are being read (so a static value it points at can be named after it). */
  seedingGlobal: string | undefined;

  constructor(
    readonly dump: HeapDump,
    readonly graph: ObjectGraph,
    table: GoTypeTable,
    options: PropagateOptions,
  ) {
    this.registry = new TypeRegistry(table);
    this.contents = options.contents ?? contentsOf(dump);
    this.loadBias = options.loadBias ?? 0;
    this.ptr = dump.params.pointerSize;
    const n = graph.objectCount;
    this.regionType = new Int32Array(n).fill(-1);
    this.regionStart = new Uint32Array(n);
    this.regionCount = new Uint32Array(n);
    this.regionRole = new Uint8Array(n);
    this.rejected = new Uint8Array(n);
    this.scannedLo = new Uint32Array(n);
    this.scannedHi = new Uint32Array(n);
    this.queued = new Uint8Array(n);
    this.queue = new Uint32Array(Math.min(n, 1 << 16) + 1);
    for (const itab of dump.itabs) this.itabType.set(itab.address, itab.typeAddress);
    this.headerSince122 = goMinorVersion(dump.params.goVersion) >= 22;
    for (const t of table.types) {
      if (t.kind === "pointer" && t.elem >= 0 && !this.pointerTo.has(t.elem))
        this.pointerTo.set(t.elem, t.id);
      if (t.kind === "map" && t.mapLayout) {
        const layout = t.mapLayout;
        const internal =
          layout.kind === "buckets"
            ? [layout.header, layout.bucket]
            : [layout.header, layout.table, layout.group];
        for (const id of internal) if (!this.mapOfInternal.has(id)) this.mapOfInternal.set(id, t.id);
      }
      if (t.kind === "chan" && t.chanHeader !== undefined && !this.chanOfHeader.has(t.chanHeader))
        this.chanOfHeader.set(t.chanHeader, t.id);
    }
  }

  result(): TypedHeap {
    const { graph } = this;
    for (let r = 0; r < graph.objectCount; r++) {
      if (this.regionType[r]! < 0) continue;
      this.stats.typedObjects++;
      this.stats.typedBytes += graph.nodeSize[graph.firstObjectNode + r]!;
    }
    return {
      registry: this.registry,
      loadBias: this.loadBias,
      regionType: this.regionType,
      regionStart: this.regionStart,
      regionCount: this.regionCount,
      regionRole: this.regionRole,
      rootGlobals: this.rootGlobals,
      rootAliases: this.rootAliases,
      mapOfInternal: this.mapOfInternal,
      chanOfHeader: this.chanOfHeader,
      staticValues: this.staticValues,
      stats: this.stats,
    };
  }

  run(): void {
    while (this.queueLength > 0) {
      const rank = this.queue[--this.queueLength]!;
      this.queued[rank] = 0;
      this.scanObject(rank);
    }
  }

  // ---- claims ------------------------------------------------------------------------------------

  /** A value of type `type` at `address` (one value; its role follows from the type). */
  claimValue(address: number, type: number): void {
    const rank = findRank(this.graph.addressIndex, address);
    if (this.registry.size(type) <= 0) return;
    if (rank < 0) {
      this.scanStatic(address, type, 1);
      return;
    }
    const offset = address - this.graph.addressIndex.bounds[2 * rank]!;
    this.assign(rank, type, offset, 1, this.roleOf(type));
  }

  /** An array of `elem` that `address` points into: the whole object from its first element on. */
  claimArray(address: number, elem: number, role: number, staticCount = 0): void {
    const rank = findRank(this.graph.addressIndex, address);
    const elemSize = this.registry.size(elem);
    if (elemSize <= 0) return;
    if (rank < 0) {
      if (staticCount > 0) this.scanStatic(address, elem, staticCount);
      return;
    }
    const bounds = this.graph.addressIndex.bounds;
    const objectSize = bounds[2 * rank + 1]! - bounds[2 * rank]!;
    const offset = address - bounds[2 * rank]!;
    const base = this.headerBytes(objectSize, elem);
    const start = offset >= base && (offset - base) % elemSize === 0 ? base : offset;
    const count = Math.floor((objectSize - start) / elemSize);
    if (count > 0) this.assign(rank, elem, start, count, role);
  }

  /** A funcval at `address`: typed by its function's captured variables when DWARF states them. */
  claimClosure(address: number): void {
    const rank = findRank(this.graph.addressIndex, address);
    if (rank < 0) return;
    const bounds = this.graph.addressIndex.bounds;
    const i = this.graph.addressIndex.order[rank]!;
    const offset = address - bounds[2 * rank]!;
    const pc = this.contents.word(this.dump.objects.contentOffset[i]! + offset) - this.loadBias;
    const fn = functionAt(this.registry.table, pc);
    if (!fn) {
      this.stats.unknownClosures++;
      return;
    }
    this.assign(rank, this.registry.closureType(fn.name, fn.closureVariables), offset, 1, RegionRole.Closure);
  }

  /**
   * A value the linker placed in the data or BSS segment (`var g = &T{...}` points at a static T,
   * `[]*T{...}` at a static array): its words are in the dump, its pointers lead into the heap.
   * Recorded so a path through its root can name fields; each one is scanned once.
   */
  private scanStatic(address: number, type: number, count: number): void {
    const size = this.registry.size(type);
    const segment = [this.dump.data, this.dump.bss].find(
      (s) => s && address >= s.start && address + count * size <= s.start + s.size,
    );
    if (!segment) return;
    const key = `${address}:${type}`;
    if (this.staticSeen.has(key)) return;
    this.staticSeen.add(key);
    this.staticValues.push({ address, type, count, via: this.seedingGlobal });
    const plan = this.registry.plan(type);
    const fileBase = segment.contentOffset + (address - segment.start);
    for (let e = 0; e < count; e++) {
      for (let s = 0; s < plan.count; s++) {
        this.scanSlot(plan.kinds[s]!, plan.types[s]!, fileBase + e * size + plan.offsets[s]!);
      }
    }
  }

  private roleOf(type: number): number {
    if (this.mapOfInternal.has(type)) {
      const layout = this.registry.type(this.mapOfInternal.get(type)!)!.mapLayout!;
      if (layout.header === type) return RegionRole.MapHeader;
      return layout.kind === "swiss" && layout.table === type ? RegionRole.MapTable : RegionRole.MapStorage;
    }
    if (this.chanOfHeader.has(type)) return RegionRole.ChanHeader;
    return RegionRole.Value;
  }

  private headerBytes(objectSize: number, elem: number): number {
    return this.headerSince122 &&
      objectSize > MIN_HEADER_OBJECT &&
      objectSize <= MAX_HEADER_OBJECT &&
      this.registry.hasPointers(elem)
      ? 8
      : 0;
  }

  private assign(rank: number, type: number, start: number, count: number, role: number): void {
    if (this.rejected[rank] === 1) return;
    const current = this.regionType[rank]!;
    if (current < 0) {
      this.setRegion(rank, type, start, count, role);
      return;
    }
    const size = this.registry.size(type);
    const curStart = this.regionStart[rank]!;
    const curEnd = curStart + this.regionCount[rank]! * this.registry.size(current);
    if (current === type && Math.abs(start - curStart) % size === 0) {
      const lo = Math.min(start, curStart);
      const hi = Math.max(start + count * size, curEnd);
      if (role === RegionRole.SliceArray && this.regionRole[rank] === RegionRole.Value)
        this.regionRole[rank] = role;
      if (lo < curStart || hi > curEnd) {
        this.regionStart[rank] = lo;
        this.regionCount[rank] = (hi - lo) / size;
        this.enqueue(rank);
      }
      return;
    }
    // A field of the current typing (or an element of it): consistent, nothing new.
    const curSize = this.registry.size(current);
    if (start >= curStart && start + size <= curEnd) {
      if (typeContainsAt(this.registry, current, (start - curStart) % curSize, type)) return;
    }
    // The new typing encloses the current one (an earlier claim was a field's address): take it.
    if (curStart >= start && curEnd <= start + count * size && count === 1) {
      if (typeContainsAt(this.registry, type, curStart - start, current)) {
        this.setRegion(rank, type, start, count, role);
        return;
      }
    }
    this.stats.conflicts++;
  }

  private setRegion(rank: number, type: number, start: number, count: number, role: number): void {
    this.regionType[rank] = type;
    this.regionStart[rank] = start;
    this.regionCount[rank] = count;
    this.regionRole[rank] = role;
    this.scannedLo[rank] = start;
    this.scannedHi[rank] = start; // nothing scanned yet
    this.enqueue(rank);
  }

  private enqueue(rank: number): void {
    if (this.queued[rank] === 1) return;
    this.queued[rank] = 1;
    if (this.queueLength === this.queue.length) {
      const grown = new Uint32Array(Math.min(this.graph.objectCount + 1, this.queue.length * 2));
      grown.set(this.queue);
      this.queue = grown;
    }
    this.queue[this.queueLength++] = rank;
  }

  // ---- scanning ----------------------------------------------------------------------------------

  private scanObject(rank: number): void {
    const type = this.regionType[rank]!;
    if (type < 0) return;
    const size = this.registry.size(type);
    const start = this.regionStart[rank]!;
    const end = start + this.regionCount[rank]! * size;
    const lo = this.scannedLo[rank]!;
    const hi = this.scannedHi[rank]!;
    const plan = this.registry.plan(type);
    const i = this.graph.addressIndex.order[rank]!;
    const fileBase = this.dump.objects.contentOffset[i]!;
    // New parts: [start, lo) and [hi, end) (the first scan has lo = hi = start).
    const parts =
      lo === hi
        ? [[start, end]]
        : [
            [start, lo],
            [hi, end],
          ];
    for (const [from, to] of parts) {
      if (from! >= to!) continue;
      if (!this.verify(i, fileBase, plan, size, from!, to!)) {
        this.reject(rank);
        return;
      }
    }
    this.scannedLo[rank] = start;
    this.scannedHi[rank] = end;
    for (const [from, to] of parts) {
      if (from! >= to!) continue;
      this.scanRegion(rank, type, plan, size, fileBase, from!, to!);
    }
  }

  private reject(rank: number): void {
    this.regionType[rank] = -1;
    this.regionRole[rank] = RegionRole.None;
    this.rejected[rank] = 1;
    this.stats.rejected++;
  }

  /**
   * The dump's pointer words in [from, to) of object i must be exactly the type's non-nil pointer
   * words there (elements of `size` bytes from `from`).
   */
  private verify(
    i: number,
    fileBase: number,
    plan: SlotPlan,
    size: number,
    from: number,
    to: number,
  ): boolean {
    const pointers = this.dump.objects.pointers;
    const offsets = pointers.fieldOffset;
    let k = pointers.start[i]!;
    const end = pointers.start[i + 1]!;
    while (k < end && offsets[k]! < from) k++;
    if (plan.count === 0) return k >= end || offsets[k]! >= to;
    const ptr = this.ptr;
    const index = this.graph.addressIndex;
    for (let base = from; base + size <= to; base += size) {
      for (let s = 0; s < plan.count; s++) {
        // An interface's first word (type or itab) is never a pointer to the collector: its data word is.
        const kind = plan.kinds[s]!;
        const at = base + plan.offsets[s]! + (kind === SlotKind.Eface || kind === SlotKind.Iface ? ptr : 0);
        if (k < end && offsets[k]! < at) return false; // a pointer where the type has none
        if (k < end && offsets[k] === at) {
          k++;
          continue;
        }
        // Not a pointer to the collector: nil, or memory outside the heap (pointers to the runtime's
        // not-in-heap types are not marked); a heap address here means the type is wrong.
        const word = this.contents.word(fileBase + at);
        if (word !== 0 && findRank(index, word) >= 0) return false;
      }
      if (plan.truncated) return true;
    }
    return k >= end || offsets[k]! >= to;
  }

  private scanRegion(
    rank: number,
    type: number,
    plan: SlotPlan,
    size: number,
    fileBase: number,
    from: number,
    to: number,
  ): void {
    const role = this.regionRole[rank]!;
    if (role === RegionRole.MapHeader || role === RegionRole.MapTable) {
      this.scanMapInternal(type, role, fileBase + from);
      return;
    }
    if (role === RegionRole.ChanHeader) this.scanChanHeader(type, fileBase + from);
    if (plan.count === 0) return;
    for (let base = from; base + size <= to; base += size) {
      for (let s = 0; s < plan.count; s++) {
        this.scanSlot(plan.kinds[s]!, plan.types[s]!, fileBase + base + plan.offsets[s]!);
      }
    }
  }

  /** One slot of kind `kind` and type `slotType` whose first word is at file offset `at`. */
  scanSlot(kind: number, slotType: number, at: number): void {
    if (kind === SlotKind.String || kind === SlotKind.Unsafe) return;
    const word = this.contents.word(at);
    if (word === 0) return;
    if (kind === SlotKind.Eface || kind === SlotKind.Iface) {
      this.scanInterface(kind, word, this.contents.word(at + this.ptr));
      return;
    }
    if (kind === SlotKind.Slice) {
      const cap = this.contents.word(at + 2 * this.ptr);
      const elem = this.registry.type(slotType)!.elem;
      if (cap > 0 && elem >= 0) this.claimArray(word, elem, RegionRole.SliceArray, cap);
      return;
    }
    this.scanPointerValue(kind, slotType, word);
  }

  /** A one-word pointer-shaped value (pointer, map, chan, func) of type `slotType`. */
  private scanPointerValue(kind: number, slotType: number, value: number): void {
    const t = this.registry.type(slotType)!;
    if (kind === SlotKind.Pointer) {
      if (t.elem >= 0) this.claimValue(value, t.elem);
    } else if (kind === SlotKind.Map) {
      if (t.mapLayout) this.claimValue(value, t.mapLayout.header);
    } else if (kind === SlotKind.Chan) {
      if (t.chanHeader !== undefined) this.claimValue(value, t.chanHeader);
    } else if (kind === SlotKind.Func) {
      this.claimClosure(value);
    }
  }

  private scanInterface(kind: number, typeWord: number, data: number): void {
    if (data === 0) return;
    const runtimeType = kind === SlotKind.Eface ? typeWord : (this.itabType.get(typeWord) ?? 0);
    const dynamic =
      runtimeType === 0 ? undefined : this.registry.table.byRuntimeType.get(runtimeType - this.loadBias);
    if (dynamic === undefined) {
      this.stats.unresolvedInterfaces++;
      return;
    }
    if (!this.registry.isDirectInterface(dynamic)) {
      this.claimValue(data, dynamic);
      return;
    }
    // The data word is the value itself: its single pointer-shaped slot.
    const plan = this.registry.plan(dynamic);
    if (plan.count === 1 && plan.offsets[0] === 0)
      this.scanPointerValue(plan.kinds[0]!, plan.types[0]!, data);
  }

  private scanMapInternal(type: number, role: number, at: number): void {
    const map = this.registry.type(this.mapOfInternal.get(type)!)!;
    const layout = map.mapLayout!;
    if (layout.kind === "buckets") {
      const buckets = this.contents.word(at + layout.bucketsOffset);
      if (buckets !== 0) this.claimArray(buckets, layout.bucket, RegionRole.MapStorage);
      if (layout.oldBucketsOffset >= 0) {
        const old = this.contents.word(at + layout.oldBucketsOffset);
        if (old !== 0) this.claimArray(old, layout.bucket, RegionRole.MapStorage);
      }
      return;
    }
    if (role === RegionRole.MapHeader) {
      const dirPtr = this.contents.word(at + layout.dirPtrOffset);
      if (dirPtr === 0) return;
      if (this.contents.word(at + layout.dirLenOffset) === 0) {
        this.claimArray(dirPtr, layout.group, RegionRole.MapStorage); // a small map: one group
      } else {
        const tablePointer = this.pointerTo.get(layout.table);
        if (tablePointer !== undefined) this.claimArray(dirPtr, tablePointer, RegionRole.MapDirectory);
      }
      return;
    }
    const groups = this.contents.word(at + layout.groupsDataOffset);
    if (groups !== 0) this.claimArray(groups, layout.group, RegionRole.MapStorage);
  }

  private scanChanHeader(type: number, at: number): void {
    const chan = this.registry.type(this.chanOfHeader.get(type)!)!;
    const header = this.registry.type(type)!;
    const buf = header.fields.find((f) => f.name === "buf");
    const size = header.fields.find((f) => f.name === "dataqsiz");
    if (!buf || !size || chan.elem < 0 || !this.registry.hasPointers(chan.elem)) return;
    const address = this.contents.word(at + buf.offset);
    if (address !== 0 && this.contents.word(at + size.offset) > 0)
      this.claimArray(address, chan.elem, RegionRole.ChanBuffer);
  }
}

/** The function whose entry is `pc` (a funcval's code pointer is its function's entry). */
function functionAt(table: GoTypeTable, pc: number) {
  const fns = table.functions;
  let lo = 0;
  let hi = fns.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (fns[mid]!.entry < pc) lo = mid + 1;
    else hi = mid;
  }
  const fn = fns[lo];
  return fn && fn.entry === pc ? fn : undefined;
}

/** "go1.26.8" → 26; unknown → 0. */
export function goMinorVersion(version: string): number {
  const match = /^go1\.(\d+)/.exec(version);
  return match ? Number(match[1]) : 0;
}
