/**
 * propagateTypes(dump, graph, types): gives heap objects the Go types that can be proven, starting
 * from typed roots and following typed pointers.
 *
 *   roots      globals (DWARF's variables at their addresses in the dump's data and BSS), stack
 *              frames' variables (where DWARF places them at the frame's pc, live pointer words
 *              only), the funcvals of goroutine closures, deferred calls and finalizers (typed by
 *              the closure's function), finalized objects (the finalizer record names their type)
 *   pointers   *T types T; a slice types its backing array as E elements; a map types its header and
 *              storage (buckets or Swiss groups, through the directory and tables); a chan its hchan
 *              and buffer; a func value its closure; an interface whatever its type word (eface) or
 *              itab (iface, through the dump's itab records) names
 *   never      unsafe.Pointer targets, interfaces whose dynamic type is unknown, string bytes, objects
 *              reached only from frame words DWARF does not place (registers, optimised away,
 *              inlined functions' variables): these stay untyped
 *
 * Every typing is checked against the dump's own pointer bitmap: each non-nil pointer word inside
 * the typed region must be a pointer word of the type, and each pointer word of the type must be nil,
 * listed, or an address outside the heap. A disagreement (a wrong guess, a reused slot, a runtime
 * object allocated without pointers) rejects the typing: the object stays untyped and nothing is
 * claimed through it.
 *
 * Objects of more than 512 bytes that hold pointers carry an 8-byte allocation header from Go 1.22:
 * a backing array then starts 8 bytes into its slot, which is where its slices point.
 */

import type { GoGlobal, GoTypeTable } from "../../model/go-types.js";
import type { HeapDump } from "../../model/heap-dump.js";
import type { ObjectGraph } from "../../model/object-graph.js";
import { findRank } from "./address-index.js";
import { RegionFlag, RegionRole, type TypedHeap, type TypedStats } from "./typed-heap.js";
import { SlotKind, TypeRegistry, typeContainsAt } from "./typed-layout.js";
import { contentsOf, type DumpContents } from "./typed-memory.js";
import { scanObjectRegion, verifyObjectRegion } from "./typed-object-scan.js";
import { nameGlobalRoots, seedTypedRoots } from "./typed-roots.js";
import { functionWithEntry, seedFrameRoots, type TypedFrame } from "./typed-stack-roots.js";

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
  // Frames last: a frame's variable often points at a prefix of what the runtime allocated (a
  // *time.Timer at the runtime's timer), which the globals' propagation types whole.
  seedFrameRoots(propagator);
  propagator.run();
  nameGlobalRoots(propagator);
  return propagator.result();
}

const { RoleMask: ROLE_MASK, Queued: QUEUED, Rejected: REJECTED, HasPointers: HAS_POINTERS } = RegionFlag;

/** Largest object that can carry an allocation header (larger ones keep their type in the span). */
const MAX_HEADER_OBJECT = 32768;
const MIN_HEADER_OBJECT = 512;

export class TypePropagator {
  readonly registry: TypeRegistry;
  readonly contents: DumpContents;
  readonly loadBias: number;
  readonly ptr: number;
  /**
   * Per object rank, interleaved so one claim touches one cache line: [type (−1 none), the region's
   * start address, count, flags (role | QUEUED | REJECTED | HAS_POINTERS)]. A repeated claim (an
   * object many pointers lead to) is then settled by this line alone. The TypedHeap's `regions`.
   */
  readonly state: Float64Array;
  readonly rootGlobals = new Map<number, GoGlobal>();
  readonly rootAliases = new Map<number, string>();
  /** The typed variables of each stack frame root (by root node). */
  readonly frameRoots = new Map<number, TypedFrame>();
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
  private queue: Uint32Array<ArrayBufferLike>;
  private queueLength = 0;
  private readonly itabType = new Map<number, number>();
  private readonly headerSince122: boolean;
  private readonly pointerTo = new Map<number, number>();
  private readonly staticSeen = new Set<string>();
  /** Per type id, filled on first use (−2: not yet): size, role of a value of it, element. */
  private sizes = new Float64Array(0);
  private roles = new Int32Array(0);
  private elems = new Int32Array(0);
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
    this.state = new Float64Array(4 * n);
    const { order } = graph.addressIndex;
    const pointerStart = dump.objects.pointers.start;
    for (let r = 0; r < n; r++) {
      this.state[4 * r] = -1;
      const i = order[r]!;
      if (pointerStart[i + 1]! > pointerStart[i]!) this.state[4 * r + 3] = HAS_POINTERS;
    }
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
    const { graph, state } = this;
    for (let r = 0; r < graph.objectCount; r++) {
      if (state[4 * r]! < 0) continue;
      this.stats.typedObjects++;
      this.stats.typedBytes += graph.nodeSize[graph.firstObjectNode + r]!;
    }
    return {
      registry: this.registry,
      loadBias: this.loadBias,
      regions: state,
      bounds: graph.addressIndex.bounds,
      rootGlobals: this.rootGlobals,
      rootAliases: this.rootAliases,
      frames: this.frameRoots,
      mapOfInternal: this.mapOfInternal,
      chanOfHeader: this.chanOfHeader,
      staticValues: this.staticValues,
      stats: this.stats,
    };
  }

  /**
   * Scans queued objects level by level, each level in address order: the per-object columns are
   * then read nearly in sequence rather than at random (a million map values found at once are
   * scanned in one sweep), which is most of the cost on a large heap.
   */
  run(): void {
    let spare: Uint32Array = new Uint32Array(this.queue.length);
    while (this.queueLength > 0) {
      const level = this.queue;
      const length = this.queueLength;
      this.queue = spare.length >= level.length ? spare : new Uint32Array(level.length);
      this.queueLength = 0;
      level.subarray(0, length).sort();
      for (let q = 0; q < length; q++) {
        const rank = level[q]!;
        this.state[4 * rank + 3] = this.state[4 * rank + 3]! & ~QUEUED;
        this.scanObject(rank);
      }
      spare = level;
    }
  }

  // ---- claims ------------------------------------------------------------------------------------

  /** A value of type `type` at `address` (one value; its role follows from the type). */
  claimValue(address: number, type: number): void {
    this.claimValueAt(findRank(this.graph.addressIndex, address), address, type);
  }

  /** claimValue when the containing object's rank is known (−1: not in the heap). */
  claimValueAt(rank: number, address: number, type: number): void {
    if (rank < 0) {
      if (this.sizeOf(type) > 0) this.scanStatic(address, type, 1);
      return;
    }
    const at = 4 * rank;
    // The same claim again (another pointer to the same typed value): nothing new.
    if (this.state[at] === type && this.state[at + 1] === address && this.state[at + 2] === 1) return;
    if (this.sizeOf(type) <= 0) return;
    const offset = address - this.graph.addressIndex.bounds[2 * rank]!;
    this.assign(rank, type, offset, 1, this.roleOf(type));
  }

  /** An array of `elem` that `address` points into: the whole object from its first element on. */
  claimArray(address: number, elem: number, role: number, staticCount = 0): void {
    this.claimArrayAt(findRank(this.graph.addressIndex, address), address, elem, role, staticCount);
  }

  claimArrayAt(rank: number, address: number, elem: number, role: number, staticCount = 0): void {
    const elemSize = this.sizeOf(elem);
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
    this.claimClosureAt(findRank(this.graph.addressIndex, address), address);
  }

  claimClosureAt(rank: number, address: number): void {
    if (rank < 0) return;
    const bounds = this.graph.addressIndex.bounds;
    const i = this.graph.addressIndex.order[rank]!;
    const offset = address - bounds[2 * rank]!;
    const pc = this.contents.word(this.dump.objects.contentOffset[i]! + offset) - this.loadBias;
    const fn = functionWithEntry(this.registry.table, pc); // a funcval's code pointer is its entry
    if (!fn) {
      this.stats.unknownClosures++;
      return;
    }
    this.assign(rank, this.registry.closureType(fn.name, fn.closureVariables), offset, 1, RegionRole.Closure);
  }

  /** A type's size, cached in an array (the registry's records are a pointer chase away). */
  sizeOf(type: number): number {
    if (type >= this.sizes.length) this.growTypeCaches();
    let size = this.sizes[type]!;
    if (size === -2) {
      size = this.registry.size(type);
      this.sizes[type] = size;
    }
    return size;
  }

  /** Room for every type id, including closure types made up since. */
  private growTypeCaches(): void {
    const n = this.registry.types.length + 256;
    const grow = <T extends Float64Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const next = make(n).fill(-2) as T;
      next.set(old);
      return next;
    };
    this.sizes = grow(this.sizes, (k) => new Float64Array(k));
    this.roles = grow(this.roles, (k) => new Int32Array(k));
    this.elems = grow(this.elems, (k) => new Int32Array(k));
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
    if (type >= this.roles.length) this.growTypeCaches();
    let role = this.roles[type]!;
    if (role === -2) {
      role = this.computeRole(type);
      this.roles[type] = role;
    }
    return role;
  }

  private computeRole(type: number): number {
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

  assign(rank: number, type: number, start: number, count: number, role: number): void {
    const state = this.state;
    const at = 4 * rank;
    const current = state[at]!;
    if (current < 0) {
      if ((state[at + 3]! & REJECTED) === 0) this.setRegion(rank, type, start, count, role);
      return;
    }
    const objectStart = this.graph.addressIndex.bounds[2 * rank]!;
    const size = this.sizeOf(type);
    const curStart = state[at + 1]! - objectStart;
    const curEnd = curStart + state[at + 2]! * this.sizeOf(current);
    if (current === type && Math.abs(start - curStart) % size === 0) {
      const hi = Math.max(start + count * size, curEnd);
      const lo = Math.min(start, curStart);
      const flags = state[at + 3]!;
      if (role === RegionRole.SliceArray && (flags & ROLE_MASK) === RegionRole.Value)
        state[at + 3] = (flags & ~ROLE_MASK) | role;
      if (lo < curStart || hi > curEnd) {
        // Grown (another slice reaches further): scan it again whole; claims are idempotent.
        state[at + 1] = objectStart + lo;
        state[at + 2] = (hi - lo) / size;
        this.enqueue(rank);
      }
      return;
    }
    this.reconcile(rank, type, start, count, role, current, curStart, curEnd);
  }

  /** A claim of another type on a typed object: consistent, enclosing (taken) or a conflict. */
  private reconcile(
    rank: number,
    type: number,
    start: number,
    count: number,
    role: number,
    current: number,
    curStart: number,
    curEnd: number,
  ): void {
    const size = this.sizeOf(type);
    const curSize = this.sizeOf(current);
    // A field of the current typing (or an element of it): consistent, nothing new.
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
    const at = 4 * rank;
    const flags = this.state[at + 3]!;
    this.state[at] = type;
    this.state[at + 1] = this.graph.addressIndex.bounds[2 * rank]! + start;
    this.state[at + 2] = count;
    this.state[at + 3] = (flags & (QUEUED | HAS_POINTERS)) | role;
    // A type without pointers on an object without pointers: nothing to check, nothing to follow.
    if ((flags & HAS_POINTERS) === 0 && !this.registry.hasPointers(type)) return;
    this.enqueue(rank);
  }

  private enqueue(rank: number): void {
    const at = 4 * rank + 3;
    const flags = this.state[at]!;
    if ((flags & QUEUED) !== 0) return;
    this.state[at] = flags | QUEUED;
    if (this.queueLength === this.queue.length) {
      const grown = new Uint32Array(Math.min(this.graph.objectCount + 1, this.queue.length * 2));
      grown.set(this.queue);
      this.queue = grown;
    }
    this.queue[this.queueLength++] = rank;
  }

  // ---- scanning ----------------------------------------------------------------------------------

  private scanObject(rank: number): void {
    const at = 4 * rank;
    const type = this.state[at]!;
    if (type < 0) return;
    const start = this.state[at + 1]! - this.graph.addressIndex.bounds[2 * rank]!;
    const end = start + this.state[at + 2]! * this.sizeOf(type);
    if (!verifyObjectRegion(this, rank, type, start, end)) {
      this.reject(rank);
      return;
    }
    const role = this.state[at + 3]! & ROLE_MASK;
    if (role === RegionRole.MapHeader || role === RegionRole.MapTable || role === RegionRole.ChanHeader) {
      const fileBase = this.dump.objects.contentOffset[this.graph.addressIndex.order[rank]!]! + start;
      if (role === RegionRole.ChanHeader) this.scanChanHeader(type, fileBase);
      else this.scanMapInternal(type, role, fileBase);
      return;
    }
    scanObjectRegion(this, rank, type, start, end);
  }

  private reject(rank: number): void {
    this.state[4 * rank] = -1;
    this.state[4 * rank + 3] = REJECTED | (this.state[4 * rank + 3]! & HAS_POINTERS);
    this.stats.rejected++;
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
      const elem = this.elemOf(slotType);
      if (cap > 0 && elem >= 0) this.claimArray(word, elem, RegionRole.SliceArray, cap);
      return;
    }
    this.scanPointerValue(kind, slotType, word);
  }

  /**
   * A one-word pointer-shaped value (pointer, map, chan, func) of type `slotType`; `rank` is the
   * object holding `value` when known (−2: look it up).
   */
  scanPointerValue(kind: number, slotType: number, value: number, rank = -2): void {
    const at = rank === -2 ? findRank(this.graph.addressIndex, value) : rank;
    if (kind === SlotKind.Pointer) {
      const elem = this.elemOf(slotType);
      if (elem >= 0) this.claimValueAt(at, value, elem);
      return;
    }
    const t = this.registry.type(slotType)!;
    if (kind === SlotKind.Map) {
      if (t.mapLayout) this.claimValueAt(at, value, t.mapLayout.header);
    } else if (kind === SlotKind.Chan) {
      if (t.chanHeader !== undefined) this.claimValueAt(at, value, t.chanHeader);
    } else if (kind === SlotKind.Func) {
      this.claimClosureAt(at, value);
    }
  }

  /** An interface's value: its type word (eface) or itab (iface), and its data word (held by `rank`). */
  scanInterface(kind: number, typeWord: number, data: number, rank = -2): void {
    if (data === 0) return;
    const runtimeType = kind === SlotKind.Eface ? typeWord : (this.itabType.get(typeWord) ?? 0);
    const dynamic =
      runtimeType === 0 ? undefined : this.registry.table.byRuntimeType.get(runtimeType - this.loadBias);
    if (dynamic === undefined) {
      this.stats.unresolvedInterfaces++;
      return;
    }
    const at = rank === -2 ? findRank(this.graph.addressIndex, data) : rank;
    if (!this.registry.isDirectInterface(dynamic)) {
      this.claimValueAt(at, data, dynamic);
      return;
    }
    // The data word is the value itself: its single pointer-shaped slot.
    const plan = this.registry.plan(dynamic);
    if (plan.count === 1 && plan.offsets[0] === 0)
      this.scanPointerValue(plan.kinds[0]!, plan.types[0]!, data, at);
  }

  /** A pointer or slice type's element (cached). */
  elemOf(type: number): number {
    if (type >= this.elems.length) this.growTypeCaches();
    let elem = this.elems[type]!;
    if (elem === -2) {
      elem = this.registry.type(type)?.elem ?? -1;
      this.elems[type] = elem;
    }
    return elem;
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

/** "go1.26.8" → 26; unknown → 0. */
export function goMinorVersion(version: string): number {
  const match = /^go1\.(\d+)/.exec(version);
  return match ? Number(match[1]) : 0;
}
