/**
 * A heap dump's objects with the Go types DWARF lets heapscope prove: the result of
 * propagateTypes (typed-propagation.ts). One entry per object rank (address order, as the object
 * graph numbers its object nodes: node = firstObjectNode + rank) in a typed array, never one JS
 * object per heap object; read it with regionType / regionStart / regionCount / regionRole.
 *
 * Each typed object holds one typed region: `count` values of `type` starting `start` bytes into the
 * object (count > 1 for a slice's backing array, a map's buckets or groups, a channel's buffer).
 */
import type { GoGlobal } from "../../model/go-types.js";
import type { TypeRegistry } from "./typed-layout.js";
import type { TypedFrame } from "./typed-stack-roots.js";

/** What a typed region is, which decides how it is scanned and how a path names a step into it. */
export const RegionRole = {
  None: 0,
  /** A value a typed pointer points at (new(T), &T{}, a field's address). */
  Value: 1,
  /** A slice's backing array. */
  SliceArray: 2,
  /** A map's header (hash<K,V> before Go 1.24, map<K,V> after). */
  MapHeader: 3,
  /** A map's buckets (old layout) or groups (Swiss tables). */
  MapStorage: 4,
  /** A Swiss map's directory: an array of *table<K,V>. */
  MapDirectory: 5,
  /** A Swiss map's table<K,V>. */
  MapTable: 6,
  /** A closure: the code pointer, then the captured variables DWARF states. */
  Closure: 7,
  ChanHeader: 8,
  ChanBuffer: 9,
} as const;

/** Bits of a region's flags word: its RegionRole in the low four, then the propagation's marks. */
export const RegionFlag = {
  RoleMask: 0xf,
  /** Waiting to be scanned. */
  Queued: 0x10,
  /** A typing was refused: its pointer words disagreed with the dump's. */
  Rejected: 0x20,
  /** The dump lists pointer words in the object. */
  HasPointers: 0x40,
} as const;

export interface TypedStats {
  /** Objects given a type, and their bytes (whole slots). */
  typedObjects: number;
  typedBytes: number;
  /** Typings refused because the dump's pointer bitmap disagrees with the type's pointer words. */
  rejected: number;
  /** Claims that disagreed with an earlier typing of the same object (the first is kept). */
  conflicts: number;
  /** Interface values whose dynamic type is not in DWARF or the dump's itab records. */
  unresolvedInterfaces: number;
  /** Closure objects whose function DWARF does not list. */
  unknownClosures: number;
}

export interface TypedHeap {
  registry: TypeRegistry;
  /** Run-time minus link-time address (non-zero for PIE binaries). */
  loadBias: number;
  /**
   * Four numbers per object rank: the region's type (−1: untyped, no typed claim is made about it),
   * its start address, its count, and flags whose low four bits are its RegionRole.
   */
  regions: Float64Array;
  /** The object graph's address bounds (start, end per rank), to turn start addresses into offsets. */
  bounds: Float64Array;
  /**
   * The typed memory behind each global root node: its DWARF global (link-time address), or a static
   * value a typed pointer led to (name "": the root's own label names it).
   */
  rootGlobals: Map<number, GoGlobal>;
  /**
   * A better name for roots the symbol table leaves unnamed: a static value (`bss+0x220`) that a
   * global points at is `*main.metrics` (the value of `var metrics = &registry{...}`).
   */
  rootAliases: Map<number, string>;
  /**
   * The typed variables of stack frame roots, by root node: which words of the frame (offsets from
   * its sp) hold which variable, so a frame's pointer is named `batch` and typed `[]*main.job`.
   */
  frames: Map<number, TypedFrame>;
  /** Map type for each map-internal type id (header, buckets, table, group), for naming paths. */
  mapOfInternal: Map<number, number>;
  /** Chan type for each hchan<T> type id. */
  chanOfHeader: Map<number, number>;
  /**
   * Values the linker placed in the data or BSS segment that a typed pointer leads to (a global
   * initialised with `&T{...}` points at one): `count` values of `type` at `address` (run time).
   */
  staticValues: { address: number; type: number; count: number; via: string | undefined }[];
  stats: TypedStats;
}

/** The type of object `rank`'s region, or −1 when it is untyped. */
export function regionType(typed: TypedHeap, rank: number): number {
  return typed.regions[4 * rank]!;
}

/** Byte offset of the region's first value inside the object. */
export function regionStart(typed: TypedHeap, rank: number): number {
  return typed.regions[4 * rank + 1]! - typed.bounds[2 * rank]!;
}

/** How many values of its type the region holds. */
export function regionCount(typed: TypedHeap, rank: number): number {
  return typed.regions[4 * rank + 2]!;
}

export function regionRole(typed: TypedHeap, rank: number): number {
  return typed.regions[4 * rank]! < 0 ? RegionRole.None : typed.regions[4 * rank + 3]! & RegionFlag.RoleMask;
}

/** Whether a typing of object `rank` was refused (its pointer words disagreed with the type's). */
export function regionRejected(typed: TypedHeap, rank: number): boolean {
  return (typed.regions[4 * rank + 3]! & RegionFlag.Rejected) !== 0;
}
