/**
 * Names for retaining paths on a typed heap: each step gains the field through which its holder
 * points at it (`.series`, `[3]`, `value`, `key`) and its own type (`main.series`,
 * `[287]*main.point` for a backing array, `map[string]*main.series` for a map's header). Steps
 * inside a map's storage (buckets, Swiss directory, tables and groups) are marked `mapInternal`, so
 * a report can show `main.metrics → .series (map[string]*main.series) → value → .points` whichever
 * map layout the program's Go version uses. Where nothing is typed, field and type are null: no
 * claim is made.
 */
import type { ObjectGraph } from "../../model/object-graph.js";
import type { RetainingPath } from "./retaining-path.js";
import {
  RegionRole,
  regionCount,
  regionRole,
  regionStart,
  regionType,
  type TypedHeap,
} from "./typed-heap.js";
import { formatSegments, type OffsetSegment, segmentsAt } from "./typed-layout.js";
import type { FrameVariable, TypedFrame } from "./typed-stack-roots.js";

export interface TypedStep {
  /** How the holder (the previous step, or the root) refers to this object; null when unknown. */
  field: string | null;
  /** This object's type; null when untyped. */
  type: string | null;
  /** A step inside a map's storage, which a report shows collapsed. */
  mapInternal: boolean;
}

export interface TypedPath {
  /** The root's type (a global's declared type), when known. */
  rootType: string | null;
  steps: TypedStep[];
}

/** A slot's place: its holder (root or object node) and byte offset, resolved to a type. */
export interface SlotDescription {
  field: string;
  /** Type id of the slot (pointer, slice, map, ...). */
  slotType: number;
  /** The slot's first byte, as an offset in its holder (a root's offsets are from the root's address). */
  slotOffset: number;
  /** A slot of a map's storage: `field` is "key" or "value" (plus the path inside it). */
  inMapStorage: boolean;
  /**
   * A stack frame's slot: the holder offset of each of its words (−1 where a word is not in the
   * frame), as a variable's words may lie apart. Absent for slots whose words are contiguous.
   */
  words?: number[];
}

export function typedPath(typed: TypedHeap, graph: ObjectGraph, path: RetainingPath): TypedPath {
  let holder = path.root.node;
  const steps: TypedStep[] = [];
  for (const step of path.steps) {
    const slot = describeSlot(typed, graph, holder, step.fieldOffset);
    const node = graph.firstObjectNode + graph.addressIndex.rank[step.object]!;
    const rank = node - graph.firstObjectNode;
    const role = regionRole(typed, rank);
    steps.push({
      field: slot?.field ?? null,
      type: objectTypeName(typed, rank),
      mapInternal:
        role === RegionRole.MapStorage || role === RegionRole.MapDirectory || role === RegionRole.MapTable,
    });
    holder = node;
  }
  const global = typed.rootGlobals.get(path.root.node);
  const rootType = global
    ? global.name
      ? typed.registry.name(global.type)
      : null
    : rootTypeName(typed, path.root.node, path.steps[0]?.fieldOffset);
  return { rootType, steps };
}

/** What an object is, as a path shows it; null when untyped. */
export function objectTypeName(typed: TypedHeap, rank: number): string | null {
  const type = regionType(typed, rank);
  if (type < 0) return null;
  const name = typed.registry.name(type);
  switch (regionRole(typed, rank)) {
    case RegionRole.SliceArray:
    case RegionRole.ChanBuffer:
    case RegionRole.MapDirectory:
      return `[${regionCount(typed, rank)}]${name}`;
    case RegionRole.MapStorage:
      return regionCount(typed, rank) > 1 ? `[${regionCount(typed, rank)}]${name}` : name;
    case RegionRole.MapHeader:
      return typed.registry.name(typed.mapOfInternal.get(type) ?? type);
    case RegionRole.ChanHeader:
      return typed.registry.name(typed.chanOfHeader.get(type) ?? type);
    default:
      return regionCount(typed, rank) > 1 ? `[${regionCount(typed, rank)}]${name}` : name;
  }
}

/**
 * The slot at byte `offset` of `holder` (a root node or an object node): its field name and type.
 * A stack frame's slot is named by its variable (`batch`, `req.body`). Null when the holder is
 * untyped (an untyped object, a frame word no typed variable holds) or the offset lies outside its
 * typed region.
 */
export function describeSlot(
  typed: TypedHeap,
  graph: ObjectGraph,
  holder: number,
  offset: number,
): SlotDescription | null {
  if (holder < graph.firstObjectNode) return describeRootSlot(typed, graph, holder, offset);
  const rank = holder - graph.firstObjectNode;
  const type = regionType(typed, rank);
  if (type < 0) return null;
  const size = typed.registry.size(type);
  const start = regionStart(typed, rank);
  const count = regionCount(typed, rank);
  if (offset < start || offset >= start + count * size || size <= 0) return null;
  const index = Math.floor((offset - start) / size);
  const inner = offset - start - index * size;
  const segments = segmentsAt(typed.registry, type, inner);
  const slotOffset = start + index * size + segmentOffset(typed, type, segments);
  const slotType = segments.length > 0 ? segments[segments.length - 1]!.type : type;
  const role = regionRole(typed, rank);
  if (role === RegionRole.MapStorage) {
    const named = mapSlotName(segments);
    if (named) return { field: named, slotType, slotOffset, inMapStorage: true };
  }
  const indexed =
    role === RegionRole.SliceArray ||
    role === RegionRole.ChanBuffer ||
    role === RegionRole.MapDirectory ||
    role === RegionRole.MapStorage ||
    count > 1;
  const field = (indexed ? `[${index}]` : "") + formatSegments(segments);
  return { field, slotType, slotOffset, inMapStorage: false };
}

function describeRootSlot(
  typed: TypedHeap,
  graph: ObjectGraph,
  node: number,
  offset: number,
): SlotDescription | null {
  const frame = typed.frames.get(node);
  if (frame) return describeFrameSlot(typed, frame, offset);
  const global = typed.rootGlobals.get(node);
  const root = graph.roots[node - 1];
  if (!global || !root || root.address === undefined) return null;
  const inGlobal = root.address - typed.loadBias + offset - global.address;
  const segments = segmentsAt(typed.registry, global.type, inGlobal);
  const slotType = segments.length > 0 ? segments[segments.length - 1]!.type : global.type;
  const slotOffset = offset - (inGlobal - segmentOffset(typed, global.type, segments));
  return { field: formatSegments(segments), slotType, slotOffset, inMapStorage: false };
}

/** The slot of a frame's variable whose word is at `offset` from the frame's sp. */
function describeFrameSlot(typed: TypedHeap, frame: TypedFrame, offset: number): SlotDescription | null {
  const ptr = typed.registry.pointerSize;
  for (const v of frame.variables) {
    const w = v.words.indexOf(offset);
    if (w < 0) continue;
    const segments = segmentsAt(typed.registry, v.type, w * ptr);
    const slotType = segments.length > 0 ? segments[segments.length - 1]!.type : v.type;
    const first = Math.floor(segmentOffset(typed, v.type, segments) / ptr);
    const words = v.words.slice(first, first + Math.max(1, Math.ceil(typed.registry.size(slotType) / ptr)));
    return {
      field: v.name + formatSegments(segments),
      slotType,
      slotOffset: words[0]!,
      inMapStorage: false,
      words,
    };
  }
  return null;
}

/** The frame variable holding the word at `offset` of frame root `rootNode`, if typed. */
export function frameVariableAt(typed: TypedHeap, rootNode: number, offset: number): FrameVariable | null {
  return typed.frames.get(rootNode)?.variables.find((v) => v.words.includes(offset)) ?? null;
}

/** Byte offset of the value the segments lead to, inside a value of type `type`. */
function segmentOffset(typed: TypedHeap, type: number, segments: OffsetSegment[]): number {
  let at = 0;
  let t = type;
  for (const s of segments) {
    if ("field" in s)
      at += typed.registry.type(t)?.fields.find((f) => f.name === s.field && f.type === s.type)?.offset ?? 0;
    else at += s.index * typed.registry.size(s.type);
    t = s.type;
  }
  return at;
}

/**
 * Inside a bucket or group: `keys[i]` / `values[i]` (buckets), `slots[i].key` / `slots[i].elem`
 * (Swiss groups), `keys[i]` / `elems[i]` (split groups) become "key" / "value", followed by the
 * path inside the key or value. Other fields (tophash, ctrl, overflow) are the map's own.
 */
function mapSlotName(segments: OffsetSegment[]): string | null {
  const names = segments.map((s) => ("field" in s ? s.field : null));
  let role: "key" | "value" | null = null;
  let rest = -1;
  if (
    (names[0] === "keys" || names[0] === "values" || names[0] === "elems") &&
    segments[1] &&
    "index" in segments[1]
  ) {
    role = names[0] === "keys" ? "key" : "value";
    rest = 2;
  } else if (
    names[0] === "slots" &&
    segments[1] &&
    "index" in segments[1] &&
    (names[2] === "key" || names[2] === "elem")
  ) {
    role = names[2] === "key" ? "key" : "value";
    rest = 3;
  }
  if (!role) return null;
  return role + formatSegments(segments.slice(rest));
}

/**
 * The declared type of a global root (or of the static value behind it), or of the frame variable
 * holding the word at `offset` of a stack frame root; null when unknown.
 */
export function rootTypeName(typed: TypedHeap, rootNode: number, offset?: number): string | null {
  const global = typed.rootGlobals.get(rootNode);
  if (global) return typed.registry.name(global.type);
  const variable = offset === undefined ? null : frameVariableAt(typed, rootNode, offset);
  return variable ? typed.registry.name(variable.type) : null;
}
