/**
 * sliceHolders(...): the backing arrays of analyzeSliceRetention grouped by what holds their slice
 * headers: the root, and the typed path from it to the header (`main.metrics → .series → value →
 * .points`, element indices folded: every element of one slice or map counts for one holder). Each
 * group says how much it keeps beyond len and how much it pins, and how many slices do.
 *
 * A stack frame's variable is named after its function (`main.worker.batch`); the frames of all
 * goroutines in that function make one group, as they make one holder in Retention I.
 */
import type { ObjectGraph, RootDescription } from "../../model/object-graph.js";
import { nodeObject } from "./object-graph.js";
import { retainingPath, type ShortestPaths } from "./retaining-path.js";
import type { BackingArrayRetention, SliceHeaderRef, SliceRetentionAnalysis } from "./slice-findings.js";
import type { TypedHeap } from "./typed-heap.js";
import { describeSlot, frameVariableAt, type TypedStep, typedPath } from "./typed-paths.js";

export interface SliceHolder {
  /** The root of the group's slice that keeps the most. */
  root: RootDescription;
  /** Every root in the group (several goroutines' frames of one function; else just `root`). */
  rootNodes: number[];
  /** For a frame's variable: the function and the variable (whose statements to show). */
  local: { function: string; variable: string } | null;
  /** A better name for an unnamed static root (`*main.metrics`), when known. */
  rootAlias: string | null;
  /** From the root to the slice header, the last step being the header itself (map steps included, flagged). */
  path: TypedStep[];
  /** `main.metrics → .series → value → .points`: root and the non-internal fields, indices folded to []. */
  holder: string;
  /** The slice type (`[]*main.point`). */
  sliceType: string;
  elemBytes: number;
  /** The slice with the most retained bytes in the group (the one a reader looks at first). */
  len: number;
  cap: number;
  /** Sums over the group's backing arrays. */
  arrayBytes: number;
  bytesBeyondLen: number;
  objectsBeyondLen: number;
  pinnedBytes: number;
  /** Slices whose array is pinned. */
  pinnedSlices: number;
  /** Slices in the group. */
  slices: number;
}

export interface SliceHolderOptions {
  /** A group is reported when it keeps at least this many bytes beyond len or pinned (default 64 KiB). */
  minBytes?: number;
}

export const DEFAULT_MIN_SLICE_BYTES = 64 << 10;

export function sliceHolders(
  graph: ObjectGraph,
  typed: TypedHeap,
  analysis: SliceRetentionAnalysis,
  paths: ShortestPaths,
  options: SliceHolderOptions = {},
): SliceHolder[] {
  const minBytes = options.minBytes ?? DEFAULT_MIN_SLICE_BYTES;
  const groups = new Map<string, SliceHolder & { best: number }>();
  for (const array of analysis.arrays) {
    const slice = mainSlice(array);
    const place = holderPlace(graph, typed, paths, slice);
    if (!place || place.root.kind === "runtime") continue;
    const key = place.local ? `frame\u0000${place.holder}` : `${place.root.node}\u0000${place.holder}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        ...place,
        rootNodes: [],
        sliceType: place.path[place.path.length - 1]?.type ?? `[]${typed.registry.name(array.elemType)}`,
        elemBytes: array.elemBytes,
        len: slice.len,
        cap: slice.cap,
        arrayBytes: 0,
        bytesBeyondLen: 0,
        objectsBeyondLen: 0,
        pinnedBytes: 0,
        pinnedSlices: 0,
        slices: 0,
        best: -1,
      };
      groups.set(key, group);
    }
    const retained = array.bytesBeyondLen + array.pinnedBytes;
    if (!group.rootNodes.includes(place.root.node)) group.rootNodes.push(place.root.node);
    if (retained > group.best) {
      group.best = retained;
      group.len = slice.len;
      group.cap = slice.cap;
      group.root = place.root;
    }
    group.arrayBytes += array.arrayBytes;
    group.bytesBeyondLen += array.bytesBeyondLen;
    group.objectsBeyondLen += array.objectsBeyondLen;
    group.pinnedBytes += array.pinnedBytes;
    group.slices += array.slices.length;
    if (array.pinnedBytes > 0) group.pinnedSlices += array.slices.length;
  }
  return [...groups.values()]
    .filter((g) => g.bytesBeyondLen >= minBytes || g.pinnedBytes >= minBytes)
    .map(({ best: _, ...g }) => g)
    .sort((a, b) => b.bytesBeyondLen + b.pinnedBytes - (a.bytesBeyondLen + a.pinnedBytes));
}

/** The slice that reaches furthest (its holder names the array's group). */
function mainSlice(array: BackingArrayRetention): SliceHeaderRef {
  return array.slices.reduce((best, s) =>
    s.cap > best.cap || (s.cap === best.cap && s.len > best.len) ? s : best,
  );
}

function holderPlace(
  graph: ObjectGraph,
  typed: TypedHeap,
  paths: ShortestPaths,
  slice: SliceHeaderRef,
): Pick<SliceHolder, "root" | "rootAlias" | "path" | "holder" | "local"> | null {
  const slot = describeSlot(typed, graph, slice.holderNode, slice.holderOffset);
  if (!slot) return null;
  let root: RootDescription;
  let steps: TypedStep[] = [];
  if (slice.holderNode < graph.firstObjectNode) {
    root = graph.roots[slice.holderNode - 1]!;
  } else {
    const path = retainingPath(graph, paths, nodeObject(graph, slice.holderNode));
    if (!path) return null;
    root = path.root;
    steps = typedPath(typed, graph, path).steps;
  }
  const sliceStep: TypedStep = {
    field: slot.field,
    type: typed.registry.name(slot.slotType),
    mapInternal: false,
  };
  const path = [...steps, sliceStep];
  const rootAlias = typed.rootAliases.get(root.node) ?? null;
  const frame = typed.frames.get(root.node);
  if (frame) {
    // The first step leaves the frame through one of its variables: `main.worker.batch`.
    const offset = steps.length === 0 ? slot.slotOffset : firstOffset(graph, paths, slice.holderNode);
    const variable = frameVariableAt(typed, root.node, offset);
    if (!variable) return null;
    // A variable of an inlined function is named after that function (`main.worker.batch`).
    const fn = variable.function;
    return {
      root,
      rootAlias,
      path,
      holder: holderName(fn, path, "."),
      local: { function: fn, variable: variable.name },
    };
  }
  return { root, rootAlias, path, holder: holderName(rootAlias ?? root.label, path), local: null };
}

/** The offset in its root of the first pointer on the retaining path to `node`. */
function firstOffset(graph: ObjectGraph, paths: ShortestPaths, node: number): number {
  return retainingPath(graph, paths, nodeObject(graph, node))?.steps[0]?.fieldOffset ?? -1;
}

/**
 * `main.metrics → .series → value → .points` (map-internal steps left out, indices folded). A
 * frame's first field, its variable, joins its function with `firstJoin` (`main.worker.batch`).
 */
export function holderName(rootLabel: string, path: TypedStep[], firstJoin = " → "): string {
  const fields = path
    .filter((s) => !s.mapInternal && s.field !== null && s.field !== "")
    .map((s) => s.field!.replace(/\[\d+\]/g, "[]"));
  if (fields.length === 0) return rootLabel;
  return [`${rootLabel}${firstJoin}${fields[0]}`, ...fields.slice(1)].join(" → ");
}
