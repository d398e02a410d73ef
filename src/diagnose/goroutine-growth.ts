/**
 * Which goroutine stack groups grow across snapshots. Groups are matched across snapshot forms (the
 * proto goroutine profile taken at every sample, debug=2 dumps taken now and then, a recording's
 * summaries) by the function names of their non-runtime frames. State, wait time and creator come from the
 * latest dump that shows the group, since only tracebacks carry them.
 */
import { growthTest, POLICIES, theilSenSlope } from "../analysis/trend.js";
import { type GoroutineFrame, type GoroutineGroup, isRuntimeInternalFrame } from "../model/goroutine.js";
import type { GoroutineSnapshotInput } from "./input.js";
import { attributionFrameIndex, frameOrigin, type ModuleContext } from "./module-path.js";
import { downsample, type SeriesPoint } from "./signal-trend.js";

/** At most this many snapshots are compared (evenly spread); group series stay small. */
const MAX_GOROUTINE_SNAPSHOTS = 240;
const MAX_STACK_FRAMES = 32;

export interface GoroutineGroupGrowth {
  key: string;
  /** The frame the group is named by (first own-module frame, else the creator, else the leaf). */
  function: string;
  file: string;
  line: number;
  /** Leaf first. */
  stack: GoroutineFrame[];
  createdBy: { func: string; file?: string; line?: number } | null;
  /** Most common state in the latest dump that shows the group (`chan send`, `IO wait`), if any. */
  state: string | null;
  /** Longest `N minutes` blocked in that dump. */
  waitMinutesMax: number | null;
  count: number;
  startCount: number;
  growthPerSecond: number;
  pValue: number;
  /** Share of the total goroutine growth (0..1). */
  shareOfGrowth: number;
  series: SeriesPoint[];
}

export interface GoroutineAnalysis {
  /** Total goroutines per snapshot. */
  totals: SeriesPoint[];
  growing: GoroutineGroupGrowth[];
  /** Largest groups of the last snapshot, for the evidence section. */
  largestGroups: { function: string; count: number; state: string | null }[];
  hasStates: boolean;
}

function pick<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const out: T[] = [];
  const step = (items.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(items[Math.round(i * step)]);
  return out;
}

export function analyzeGoroutines(
  snapshots: GoroutineSnapshotInput[],
  options: { module: ModuleContext; regimeStartSeconds?: number; totalSlope?: number },
): GoroutineAnalysis {
  const sorted = [...snapshots].sort((a, b) => a.tSeconds - b.tSeconds);
  const totals = downsample(
    sorted.map((s) => ({ tSeconds: s.tSeconds, value: s.snapshot.total })),
    MAX_GOROUTINE_SNAPSHOTS,
  );
  const chosen = pick(sorted, MAX_GOROUTINE_SNAPSHOTS);
  const counts = new Map<string, Float64Array>();
  const representative = new Map<string, GoroutineGroup>();
  const detailed = new Map<string, GoroutineGroup>();
  chosen.forEach((entry, column) => {
    for (const group of entry.snapshot.groups) {
      const key = groupKey(group.frames);
      let series = counts.get(key);
      if (!series) {
        series = new Float64Array(chosen.length);
        counts.set(key, series);
      }
      series[column] += group.count;
      representative.set(key, group);
      if (group.state !== null || group.createdBy !== null) detailed.set(key, group);
    }
  });

  const times = chosen.map((s) => s.tSeconds);
  const regimeStart = options.regimeStartSeconds ?? times[0] ?? 0;
  const first = Math.max(
    0,
    times.findIndex((t) => t >= regimeStart - 1e-9),
  );
  const growing: GoroutineGroupGrowth[] = [];
  for (const [key, series] of counts) {
    const values = Array.from(series.subarray(first));
    if (values.length < 3) continue;
    const start = values[0];
    const end = values[values.length - 1];
    if (end - start < 3) continue;
    const points = values.map((value, i) => ({ tSeconds: times[first + i], value }));
    const ts = theilSenSlope(points);
    // Which groups grow, once the goroutine count as a whole was judged: the plain (exact) one-sided
    // test at the goroutine policy's α.
    const mk = growthTest(values);
    if (!(ts.slope > 0) || mk.pPlain >= POLICIES["doctor-goroutines"].alpha) continue;
    const group = detailed.get(key) ?? representative.get(key)!;
    const frames = group.frames.slice(0, MAX_STACK_FRAMES);
    const named = nameGroup(frames, group.createdBy, options.module);
    growing.push({
      key,
      ...named,
      stack: frames,
      createdBy: group.createdBy,
      state: detailed.get(key)?.state ?? null,
      waitMinutesMax: detailed.get(key)?.waitMinutes?.max ?? null,
      count: end,
      startCount: start,
      growthPerSecond: ts.slope,
      pValue: mk.pPlain,
      shareOfGrowth: 0,
      series: Array.from(series, (value, i) => ({ tSeconds: times[i], value })),
    });
  }
  // Shares of the total's growth, never summing past 1 (groups measured alone can add up to more
  // than the total's slope).
  const total = options.totalSlope ?? 0;
  const sum = growing.reduce((acc, g) => acc + g.growthPerSecond, 0);
  const denominator = Math.max(total, sum);
  for (const g of growing)
    g.shareOfGrowth = denominator > 0 ? Math.min(1, g.growthPerSecond / denominator) : 0;
  growing.sort((a, b) => b.growthPerSecond - a.growthPerSecond);

  const last = sorted[sorted.length - 1]?.snapshot;
  const largestGroups = (last?.groups ?? []).slice(0, 5).map((group) => ({
    function: nameGroup(group.frames, group.createdBy, options.module).function,
    count: group.count,
    state: group.state,
  }));
  return {
    totals,
    growing,
    largestGroups,
    hasStates: sorted.some((s) => s.snapshot.groups.some((g) => g.state !== null)),
  };
}

/**
 * A group's identity across snapshot forms: the function names of its non-runtime frames. Lines are
 * left out so that recordings' compact summaries (function names only) match full dumps.
 */
export function groupKey(frames: { func: string }[]): string {
  let kept = frames.filter((f) => !isRuntimeInternalFrame(f.func));
  if (kept.length === 0) kept = frames.filter((f) => f.func !== "runtime.goexit");
  return kept.map((f) => f.func).join("|");
}

function nameGroup(
  frames: GoroutineFrame[],
  createdBy: GoroutineGroup["createdBy"],
  module: ModuleContext,
): { function: string; file: string; line: number } {
  const own = attributionFrameIndex(
    frames.map((f) => f.func),
    module,
  );
  if (own >= 0)
    return { function: frames[own].func, file: frames[own].file ?? "", line: frames[own].line ?? 0 };
  if (createdBy && frameOrigin(createdBy.func, module) === "own") {
    return { function: createdBy.func, file: createdBy.file ?? "", line: createdBy.line ?? 0 };
  }
  const leaf = frames.find((f) => frameOrigin(f.func, module) !== "runtime") ?? frames[0];
  return { function: leaf?.func ?? "?", file: leaf?.file ?? "", line: leaf?.line ?? 0 };
}
