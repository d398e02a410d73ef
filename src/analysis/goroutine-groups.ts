/**
 * Goroutine groups: grouping with a chosen identity, filtering, and the comparison of two dumps
 * (which groups grew, and by how much). Works across dump forms: a debug=1 dump can be compared with
 * a debug=2 dump or a proto profile; the comparison then uses only what both forms show.
 */
import {
  goroutineSnapshotFromProfile,
  parseGoroutineDump,
  parseGoroutineDumpStream,
} from "../formats/goroutine-dump.js";
import type { Goroutine, GoroutineGroup, GoroutineSnapshot, GroupingOptions } from "../model/goroutine.js";
import type { Profile } from "../profile/model.js";
import { GoroutineGroupAccumulator, mergeGroupInto, stackIdentity } from "./goroutine-grouping.js";

export interface ReadGoroutinesOptions extends GroupingOptions {
  /** Keep every parsed goroutine in `snapshot.goroutines` (default true; false for bounded memory). */
  keepGoroutines?: boolean;
}

function readOptions(options: ReadGoroutinesOptions) {
  return {
    newSink: () => new GoroutineGroupAccumulator(options),
    ...(options.keepGoroutines !== undefined ? { keepGoroutines: options.keepGoroutines } : {}),
  };
}

/** A goroutine dump held in memory (any text form), grouped. */
export function readGoroutineDump(text: string, options: ReadGoroutinesOptions = {}): GoroutineSnapshot {
  return parseGoroutineDump(text, readOptions(options));
}

/**
 * A dump arriving as lines (a file stream, stdin, an HTTP body), grouped as it goes; goroutines are
 * not kept unless asked, so memory stays bounded by the number of distinct stacks.
 */
export function readGoroutineDumpStream(
  lines: AsyncIterable<string> | Iterable<string>,
  options: ReadGoroutinesOptions = {},
): Promise<GoroutineSnapshot> {
  return parseGoroutineDumpStream(lines, readOptions({ keepGoroutines: false, ...options }));
}

/** A decoded `/debug/pprof/goroutine` (or goroutineleak) profile, grouped. */
export function readGoroutineProfile(profile: Profile, options: GroupingOptions = {}): GoroutineSnapshot {
  return goroutineSnapshotFromProfile(profile, new GoroutineGroupAccumulator(options));
}

/** Groups goroutines that share state, creator and stack (arguments ignored unless asked). */
export function groupGoroutines(
  goroutines: Iterable<Goroutine>,
  options: GroupingOptions = {},
): GoroutineGroup[] {
  const accumulator = new GoroutineGroupAccumulator(options);
  for (const goroutine of goroutines) accumulator.addGoroutine(goroutine);
  return accumulator.result();
}

/** The snapshot's groups under other grouping options (needs the individual goroutines to split). */
export function regroupSnapshot(snapshot: GoroutineSnapshot, options: GroupingOptions): GoroutineSnapshot {
  if (!snapshot.goroutines) return snapshot;
  return { ...snapshot, groups: groupGoroutines(snapshot.goroutines, options) };
}

export interface GoroutineGroupFilter {
  /** Keep groups whose state is one of these (case-insensitive; `chan receive` also matches `chan receive (nil chan)`). */
  states?: string[];
  /** Keep groups with a frame or creator function matching this. */
  match?: RegExp;
}

export function filterGoroutineGroups(
  groups: GoroutineGroup[],
  filter: GoroutineGroupFilter,
): GoroutineGroup[] {
  const states = filter.states?.map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
  return groups.filter((group) => {
    if (states && states.length > 0) {
      const state = group.state?.toLowerCase();
      if (state === undefined || !states.some((s) => state === s || state.startsWith(`${s} (`))) return false;
    }
    if (filter.match) {
      const re = filter.match;
      const hit =
        group.frames.some((f) => re.test(f.func)) ||
        (group.createdBy !== null && re.test(group.createdBy.func));
      if (!hit) return false;
    }
    return true;
  });
}

/** True when any group of the snapshot has a state (tracebacks and debug=2, not debug=1 or proto). */
export function snapshotHasStates(snapshot: GoroutineSnapshot): boolean {
  return snapshot.groups.some((g) => g.state !== null);
}

export interface GoroutineGroupChange {
  /** The group as seen in the current dump (or in the base dump when it vanished). */
  group: GoroutineGroup;
  baseCount: number;
  currentCount: number;
  delta: number;
}

export interface GoroutineGroupDiff {
  baseTotal: number;
  currentTotal: number;
  delta: number;
  /** Groups with more goroutines now than in the base dump, largest growth first (includes new groups). */
  grown: GoroutineGroupChange[];
  /** Groups with fewer goroutines now (includes vanished groups), largest drop first. */
  shrunk: GoroutineGroupChange[];
  unchanged: number;
  /** What the identity of a group included in this comparison. */
  comparedBy: ("stack" | "state" | "createdBy" | "labels")[];
}

/**
 * Compares two dumps group by group. Groups are matched on their stack (function and line of each
 * non-runtime frame), plus state, creator and labels only when both dumps show them.
 */
export function diffGoroutineGroups(
  base: GoroutineSnapshot | GoroutineGroup[],
  current: GoroutineSnapshot | GoroutineGroup[],
  options: GroupingOptions = {},
): GoroutineGroupDiff {
  const baseGroups = Array.isArray(base) ? base : base.groups;
  const currentGroups = Array.isArray(current) ? current : current.groups;
  const both = (has: (g: GoroutineGroup) => boolean): boolean =>
    baseGroups.some(has) && currentGroups.some(has);
  const useState = both((g) => g.state !== null);
  const useCreator = both((g) => g.createdBy !== null);
  const useLabels = both((g) => g.labels !== undefined);
  const comparedBy: GoroutineGroupDiff["comparedBy"] = ["stack"];
  if (useState) comparedBy.push("state");
  if (useCreator) comparedBy.push("createdBy");
  if (useLabels) comparedBy.push("labels");

  const keyOf = (g: GoroutineGroup): string =>
    [
      useState ? (g.state ?? "") : "",
      useCreator && g.createdBy ? `${g.createdBy.func}:${g.createdBy.line ?? "?"}` : "",
      useLabels && g.labels
        ? Object.keys(g.labels)
            .sort()
            .map((k) => `${k}=${g.labels![k]}`)
            .join(",")
        : "",
      stackIdentity(g.frames, options),
    ].join("\u0000");
  const collapse = (groups: GoroutineGroup[]): Map<string, GoroutineGroup> => {
    const out = new Map<string, GoroutineGroup>();
    for (const g of groups) {
      const key = keyOf(g);
      const existing = out.get(key);
      if (existing) mergeGroupInto(existing, g);
      else
        out.set(key, {
          ...g,
          goroutineIds: [...g.goroutineIds],
          waitMinutes: g.waitMinutes && { ...g.waitMinutes },
        });
    }
    return out;
  };
  const before = collapse(baseGroups);
  const after = collapse(currentGroups);
  const grown: GoroutineGroupChange[] = [];
  const shrunk: GoroutineGroupChange[] = [];
  let unchanged = 0;
  for (const [key, group] of after) {
    const baseCount = before.get(key)?.count ?? 0;
    const change = { group, baseCount, currentCount: group.count, delta: group.count - baseCount };
    if (change.delta > 0) grown.push(change);
    else if (change.delta < 0) shrunk.push(change);
    else unchanged++;
  }
  for (const [key, group] of before) {
    if (!after.has(key)) shrunk.push({ group, baseCount: group.count, currentCount: 0, delta: -group.count });
  }
  const byDelta = (a: GoroutineGroupChange, b: GoroutineGroupChange): number =>
    Math.abs(b.delta) - Math.abs(a.delta) ||
    b.currentCount - a.currentCount ||
    (a.group.key < b.group.key ? -1 : 1);
  grown.sort(byDelta);
  shrunk.sort(byDelta);
  const baseTotal = Array.isArray(base) ? sum(baseGroups) : base.total;
  const currentTotal = Array.isArray(current) ? sum(currentGroups) : current.total;
  return { baseTotal, currentTotal, delta: currentTotal - baseTotal, grown, shrunk, unchanged, comparedBy };
}

function sum(groups: GoroutineGroup[]): number {
  return groups.reduce((total, g) => total + g.count, 0);
}
