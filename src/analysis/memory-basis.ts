/**
 * Which series speaks for a Go program's memory, and how it is judged: one place for `memstats`
 * and `fleet`, so the same readings get the same verdict from both. Best first:
 *
 * 1. the live heap (runtime/metrics /gc/heap/live:bytes, `go_gc_heap_live_bytes`): what the last
 *    GC marked, exactly the signal a leak moves;
 * 2. the heap goal (NextGC, `go_memstats_next_gc_bytes`, OTel `go_memory_gc_goal_bytes`), set at
 *    each GC to live × (1 + GOGC/100), so it moves in proportion to the live heap — unless it is
 *    pinned: at its 4 MiB floor, by GOMEMLIMIT (the goal then follows the limit, not the heap), or
 *    meaningless with GOGC=off;
 * 3. the lowest HeapAlloc of each GC window (the reading after each GC, where NumGC is known), or of
 *    each window of HEAP_ALLOC_WINDOW readings (where it is not); HeapAlloc also counts garbage not
 *    yet swept, so its troughs are what is closest to the live heap;
 * 4. RSS (`process_resident_memory_bytes`): everything the process holds, the Go heap among it.
 *
 * Every byte series is judged with the trend engine's "gctrace" policy (readings of the live heap
 * and MemStats are that kind of series) and must rise by MIN_MATERIAL_RISE_BYTES to be "growing".
 *
 * The live heap and the heap goal are set at each GC and held until the next, so where NumGC tells
 * which GC a reading follows, only the first reading after each GC is a new observation: the rest
 * repeat it. Read every second, a leaking heap at GOGC=100 (its GCs twice as far apart each time)
 * ends a 30 s observation on a 16-reading plateau, which the engine took for a levelled-off regime
 * and called bounded; one point per GC it is 5 rising points, too few to decide either way.
 */

import type { MemStatsSample } from "../model/memstats.js";
import { formatBytes } from "../model/units.js";
import { judgeTrend, type TrendJudgement, type TrendPoint } from "./trend.js";

export type MemoryBasis = "liveHeap" | "heapGoal" | "heapAllocAfterGc" | "heapAllocLows" | "rss";

export interface BasisSeries {
  basis: MemoryBasis;
  /** What is trended, for people. */
  label: string;
  points: TrendPoint[];
}

const MiB = 1024 * 1024;

/**
 * A statistically clear rise of a few hundred KiB (runtime warm-up, pools filling) is not a leak
 * anyone can act on: below this over the judged stretch a byte series is not "growing".
 */
export const MIN_MATERIAL_RISE_BYTES = MiB;

/** Readings per window where HeapAlloc's troughs are taken without a GC count. */
export const HEAP_ALLOC_WINDOW = 5;

/** A basis needs this many points to be judged at all (the engine says "insufficient" below its own minimum). */
export const MIN_BASIS_POINTS = 3;

/** GOMEMLIMIT's "no limit" is math.MaxInt64 (9.22e18); anything this large is no limit. */
export const NO_MEMORY_LIMIT_BYTES = 2 ** 62;

/** The goal counts as pinned by GOMEMLIMIT where it is within this fraction of the limit. */
const GOAL_NEAR_LIMIT = 0.8;

export const BASIS_LABELS: Record<MemoryBasis, string> = {
  liveHeap: "live heap (/gc/heap/live:bytes)",
  heapGoal: "heap goal (NextGC, follows the live heap)",
  heapAllocAfterGc: "HeapAlloc at samples after a GC",
  heapAllocLows: `lowest HeapAlloc of each ${HEAP_ALLOC_WINDOW} readings`,
  rss: "RSS",
};

export type TimeOf = (sample: MemStatsSample) => number;

type ValueOf = (sample: MemStatsSample) => number | undefined;

function pick(samples: MemStatsSample[], tOf: TimeOf, get: ValueOf, only?: (i: number) => boolean) {
  const points: TrendPoint[] = [];
  for (let i = 0; i < samples.length; i++) {
    const value = get(samples[i]);
    if (value !== undefined && Number.isFinite(value) && (!only || only(i)))
      points.push({ tSeconds: tOf(samples[i]), value });
  }
  return points;
}

/** Sample i is the first reading after one or more GCs. */
export function gcAdvancedAt(samples: MemStatsSample[], i: number): boolean {
  if (i === 0) return false;
  const now = samples[i].fields.NumGC;
  const before = samples[i - 1].fields.NumGC;
  return now !== undefined && before !== undefined && now > before;
}

/**
 * Sample i is the first reading of a GC's value (set at a GC, held until the next): no GC count
 * before or at it says otherwise (see the top of the file).
 */
export function firstReadingAfterGc(samples: MemStatsSample[], i: number): boolean {
  if (i === 0) return true;
  const now = samples[i].fields.NumGC;
  const before = samples[i - 1].fields.NumGC;
  return now === undefined || before === undefined || now !== before;
}

/** /gc/heap/live:bytes reads 0 until the first GC has marked anything; one point per GC. */
export function liveHeapPoints(samples: MemStatsSample[], tOf: TimeOf): TrendPoint[] {
  return pick(
    samples,
    tOf,
    (s) => (s.liveHeapBytes && s.fields.NumGC !== 0 ? s.liveHeapBytes : undefined),
    (i) => firstReadingAfterGc(samples, i),
  );
}

/** NextGC, one point per GC. */
export function heapGoalPoints(samples: MemStatsSample[], tOf: TimeOf): TrendPoint[] {
  return pick(
    samples,
    tOf,
    (s) => s.fields.NextGC,
    (i) => firstReadingAfterGc(samples, i),
  );
}

export function heapAllocAfterGcPoints(samples: MemStatsSample[], tOf: TimeOf): TrendPoint[] {
  return pick(
    samples,
    tOf,
    (s) => s.fields.HeapAlloc,
    (i) => gcAdvancedAt(samples, i),
  );
}

/** The lowest HeapAlloc of each window of HEAP_ALLOC_WINDOW readings, at the time it was read. */
export function heapAllocLowPoints(samples: MemStatsSample[], tOf: TimeOf): TrendPoint[] {
  const all = pick(samples, tOf, (s) => s.fields.HeapAlloc);
  const lows: TrendPoint[] = [];
  for (let first = 0; first + HEAP_ALLOC_WINDOW <= all.length; first += HEAP_ALLOC_WINDOW) {
    let low = all[first];
    for (let i = first + 1; i < first + HEAP_ALLOC_WINDOW; i++) if (all[i].value < low.value) low = all[i];
    lows.push(low);
  }
  return lows;
}

export function rssPoints(samples: MemStatsSample[], tOf: TimeOf): TrendPoint[] {
  return pick(samples, tOf, (s) => s.rssBytes);
}

/** The memory limit in effect (GOMEMLIMIT), or undefined when unset. */
export function memoryLimitOf(sample: MemStatsSample): number | undefined {
  const limit = sample.memoryLimitBytes;
  return limit !== undefined && limit > 0 && limit < NO_MEMORY_LIMIT_BYTES ? limit : undefined;
}

export type GoalPinned = "floor" | "memory-limit" | "gc-off";

/**
 * Why the heap goal does not follow the live heap, or null when it does:
 * - floor: every goal sits at the minimum 4 MiB × GOGC/100 (the live heap is under 2 MiB);
 * - gc-off: GOGC=off, the goal is the memory limit's or none;
 * - memory-limit: a quarter or more of the goals are within 80 % of GOMEMLIMIT, where the limit,
 *   not GOGC, sets the goal.
 */
export function heapGoalPinned(samples: MemStatsSample[]): GoalPinned | null {
  const last = samples[samples.length - 1];
  const gogc = last?.gogcPercent;
  if (gogc !== undefined && gogc < 0) return "gc-off";
  const floor = 4 * MiB * ((gogc ?? 100) / 100);
  if (samples.every((s) => s.fields.NextGC === undefined || s.fields.NextGC <= floor)) return "floor";
  let withGoal = 0;
  let nearLimit = 0;
  for (const s of samples) {
    const goal = s.fields.NextGC;
    if (goal === undefined) continue;
    withGoal++;
    const limit = memoryLimitOf(s);
    if (limit !== undefined && goal >= GOAL_NEAR_LIMIT * limit) nearLimit++;
  }
  return withGoal > 0 && nearLimit * 4 >= withGoal ? "memory-limit" : null;
}

/**
 * The basis series of these samples (one process run), best first: the first with enough points.
 * Undefined when none has.
 */
export function chooseMemoryBasis(samples: MemStatsSample[], tOf: TimeOf): BasisSeries | undefined {
  const candidates: [MemoryBasis, () => TrendPoint[]][] = [
    ["liveHeap", () => liveHeapPoints(samples, tOf)],
    ["heapGoal", () => (heapGoalPinned(samples) ? [] : heapGoalPoints(samples, tOf))],
    ["heapAllocAfterGc", () => heapAllocAfterGcPoints(samples, tOf)],
    ["heapAllocLows", () => (hasGcCount(samples) ? [] : heapAllocLowPoints(samples, tOf))],
    ["rss", () => rssPoints(samples, tOf)],
  ];
  for (const [basis, points] of candidates) {
    const found = points();
    if (found.length >= MIN_BASIS_POINTS) return { basis, label: BASIS_LABELS[basis], points: found };
  }
  return undefined;
}

/** Where NumGC is known the GC windows give HeapAlloc's troughs; fixed windows only stand in for them. */
function hasGcCount(samples: MemStatsSample[]): boolean {
  return samples.some((s) => s.fields.NumGC !== undefined);
}

export interface SeriesJudgeOptions {
  /** Smallest step of byte values when the source rounds them (log lines in whole MiB). */
  byteResolution?: number;
  formatValue?: (value: number) => string;
}

/** A byte series judged as `memstats` and `fleet` judge it. */
export function judgeByteSeries(points: TrendPoint[], options: SeriesJudgeOptions = {}): TrendJudgement {
  const resolution = options.byteResolution;
  return judgeTrend(points, "gctrace", {
    ...(resolution ? { resolution, quantized: true } : {}),
    minimumGrowth: MIN_MATERIAL_RISE_BYTES,
    formatValue: options.formatValue ?? formatBytes,
  });
}

/** A count series (goroutines, objects) judged as `memstats` and `fleet` judge it. */
export function judgeCountSeries(points: TrendPoint[]): TrendJudgement {
  return judgeTrend(points, "gctrace", { formatValue: (v) => String(Math.round(v)) });
}

export { formatBytes };
