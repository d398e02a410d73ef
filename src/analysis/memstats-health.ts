/**
 * Health of a Go program's memory from MemStats: the latest reading with derived figures
 * (fragmentation bound, retained idle heap, Go-held memory vs RSS, GC rate) and, for a series,
 * trends with verdicts and warnings that tell a leak from normal behaviour.
 *
 * Which heap series is trended, and why (see notes/go-runtime-signals.md §6):
 * HeapAlloc includes dead objects not yet swept, so sampled at random it is a sawtooth. The
 * signal that a leak moves is the live heap after GC. In order of preference:
 *   1. the live heap itself (runtime/metrics /gc/heap/live:bytes, `go_gc_heap_live_bytes`);
 *   2. NextGC, the heap goal, which the runtime sets at the end of each GC from the marked (live)
 *      heap: goal ≈ live × (1 + GOGC/100), so it moves in proportion to the live heap (distorted only
 *      by GOMEMLIMIT and the 4 MiB minimum);
 *   3. HeapAlloc at the samples where NumGC advanced since the previous sample (the reading closest
 *      to a GC that the series has), which still carries the allocation since that GC.
 */
import type { MemStatsSample, MemStatsSeries } from "../model/memstats.js";
import { formatPercent, formatSignedByteRate, formatSignedPercent } from "../model/units.js";
import {
  chooseMemoryBasis,
  formatBytes,
  heapAllocAfterGcPoints,
  heapGoalPoints,
  judgeByteSeries,
  judgeCountSeries,
  liveHeapPoints,
  MIN_BASIS_POINTS,
  rssPoints,
} from "./memory-basis.js";
import { splitProcessRuns } from "./process-runs.js";
import { meaningfulRelativePerHour, type TrendJudgement, type TrendPoint } from "./trend.js";

export { formatBytes, MIN_MATERIAL_RISE_BYTES } from "./memory-basis.js";

export type MemStatsTrendSignal =
  | "liveHeap"
  | "heapGoal"
  | "heapAllocAfterGc"
  | "heapAllocLows"
  | "heapObjectsAfterGc"
  | "goHeld"
  | "rss"
  | "goroutines";

export interface MemStatsTrend {
  signal: MemStatsTrendSignal;
  /** What was trended, for people: "live heap (go_gc_heap_live_bytes)". */
  label: string;
  unit: "bytes" | "objects" | "goroutines";
  points: number;
  result: TrendJudgement;
}

export interface MemStatsWarning {
  code:
    | "heap-grows-while-gc-runs"
    | "no-gc-while-heap-grows"
    | "rss-grows-heap-flat"
    | "go-held-grows-heap-flat"
    | "goroutines-grow"
    | "memory-outside-go-heap"
    | "high-fragmentation"
    | "large-retained-idle"
    | "high-gc-cpu"
    | "process-restarted";
  severity: "warning" | "info";
  message: string;
}

export interface GcActivity {
  /** NumGC of the latest sample. */
  count?: number;
  forcedCount?: number;
  /** GC cycles per minute, and over what it was measured. */
  perMinute?: number;
  rateBasis?: "series" | "pause-history";
  /** Seconds between the last GC and the latest sample (needs a time axis that is not LastGC). */
  secondsSinceLastGc?: number;
  pauseTotalNs?: number;
  /** Mean and longest pause among the recent pauses MemStats keeps (expvar only). */
  recentPauseMeanNs?: number;
  recentPauseMaxNs?: number;
  recentPauses?: number;
  /** Lifetime fraction of CPU spent in GC (GCCPUFraction). */
  cpuFraction?: number;
}

export interface MemStatsFigures {
  /** (HeapInuse − HeapAlloc) / HeapInuse: an upper bound on fragmentation. */
  fragmentationRatio?: number;
  fragmentationBytes?: number;
  /** HeapIdle − HeapReleased: idle heap kept for reuse, still resident. */
  retainedIdleBytes?: number;
  /** HeapInuse / Sys: share of what Go obtained from the OS that holds heap spans. */
  heapInuseShareOfSys?: number;
  /** Sys − HeapReleased: memory the Go runtime holds (≈ its part of RSS). */
  goHeldBytes?: number;
  /** RSS − (Sys − HeapReleased): resident memory Go does not account for (cgo, mmap, ...). */
  outsideGoHeapBytes?: number;
  /** Mallocs − Frees. */
  liveObjects?: number;
  gc: GcActivity;
}

export interface MemStatsHealth {
  format: MemStatsSeries["format"];
  timeSource: MemStatsSeries["timeSource"];
  /** Samples analysed (after the last restart) and the time they span. */
  samples: number;
  spanSeconds?: number;
  latest: MemStatsSample;
  figures: MemStatsFigures;
  trends: MemStatsTrend[];
  /** The trend that speaks for the heap (live heap, else heap goal, else HeapAlloc after GC). */
  heapTrend?: MemStatsTrend;
  warnings: MemStatsWarning[];
  notes: string[];
}

export interface MemStatsHealthOptions {
  /** A stretch without GC longer than this while the heap grows is reported (default 60 s). */
  noGcWarningSeconds?: number;
}

const MiB = 1024 * 1024;

export function analyzeMemStats(series: MemStatsSeries, options: MemStatsHealthOptions = {}): MemStatsHealth {
  if (series.samples.length === 0) throw new Error("analyzeMemStats: empty series");
  const notes = [...series.notes];
  const warnings: MemStatsWarning[] = [];
  const runs = splitProcessRuns(series.samples);
  const lastRun = runs[runs.length - 1];
  const samples = series.samples.slice(lastRun.startIndex);
  if (lastRun.startIndex > 0) {
    const why =
      lastRun.startedBy === "start-time" ? "process_start_time_seconds changed" : "cumulative counters fell";
    warnings.push({
      code: "process-restarted",
      severity: "info",
      message: `The process restarted at sample ${lastRun.startIndex + 1} (${why}); only the ${samples.length} samples after it are analysed.`,
    });
  }
  const latest = samples[samples.length - 1];
  const hasTime = series.timeSource !== "none" && samples.every((s) => s.atMs !== undefined);
  const spanSeconds =
    hasTime && samples.length > 1 ? (samples[samples.length - 1].atMs! - samples[0].atMs!) / 1000 : undefined;

  const figures = computeFigures(latest, samples, series.timeSource, spanSeconds);
  snapshotWarnings(latest, figures, warnings);

  const trends: MemStatsTrend[] = [];
  let heapTrend: MemStatsTrend | undefined;
  if (samples.length > 1 && hasTime) {
    heapTrend = judgeMemStatsTrends(samples, series, options, trends, warnings);
  } else if (samples.length === 1) {
    notes.push(
      "One reading: no trend. Capture a series (several /debug/vars or /metrics readings over time) to judge growth.",
    );
  } else if (!hasTime) {
    notes.push("The samples have no time axis, so no trend is computed.");
  }

  return {
    format: series.format,
    timeSource: series.timeSource,
    samples: samples.length,
    ...(spanSeconds !== undefined ? { spanSeconds } : {}),
    latest,
    figures,
    trends,
    ...(heapTrend ? { heapTrend } : {}),
    warnings,
    notes,
  };
}

/** Every series judged by the trend engine; returns the heap trend the verdict rests on. */
function judgeMemStatsTrends(
  samples: MemStatsSample[],
  series: MemStatsSeries,
  options: MemStatsHealthOptions,
  trends: MemStatsTrend[],
  warnings: MemStatsWarning[],
): MemStatsTrend | undefined {
  const t0 = samples[0].atMs!;
  const tOf = (s: MemStatsSample): number => (s.atMs! - t0) / 1000;
  const add = (
    signal: MemStatsTrendSignal,
    label: string,
    unit: MemStatsTrend["unit"],
    points: TrendPoint[],
  ): MemStatsTrend | undefined => {
    if (points.length < MIN_BASIS_POINTS) return undefined;
    // One judgement for the same kind of series everywhere (memory-basis.ts).
    const result =
      unit === "bytes"
        ? judgeByteSeries(points, { byteResolution: series.byteResolution })
        : judgeCountSeries(points);
    const trend = { signal, label, unit, points: points.length, result };
    trends.push(trend);
    return trend;
  };
  const pick = (
    get: (s: MemStatsSample) => number | undefined,
    only?: (i: number) => boolean,
  ): TrendPoint[] => {
    const points: TrendPoint[] = [];
    samples.forEach((s, i) => {
      const value = get(s);
      if (value !== undefined && Number.isFinite(value) && (!only || only(i)))
        points.push({ tSeconds: tOf(s), value });
    });
    return points;
  };
  const gcAdvanced = (i: number): boolean =>
    i > 0 &&
    samples[i].fields.NumGC !== undefined &&
    samples[i - 1].fields.NumGC !== undefined &&
    samples[i].fields.NumGC! > samples[i - 1].fields.NumGC!;

  add("liveHeap", "live heap (/gc/heap/live:bytes)", "bytes", liveHeapPoints(samples, tOf));
  add("heapGoal", "heap goal (NextGC, follows the live heap)", "bytes", heapGoalPoints(samples, tOf));
  add("heapAllocAfterGc", "HeapAlloc at samples after a GC", "bytes", heapAllocAfterGcPoints(samples, tOf));
  add(
    "heapObjectsAfterGc",
    "HeapObjects at samples after a GC",
    "objects",
    pick((s) => s.fields.HeapObjects, gcAdvanced),
  );
  const goHeld = add(
    "goHeld",
    "Go-held memory (Sys − HeapReleased)",
    "bytes",
    pick((s) => goHeldBytes(s)),
  );
  const rss = add("rss", "RSS", "bytes", rssPoints(samples, tOf));
  const goroutines = add(
    "goroutines",
    "goroutines",
    "goroutines",
    pick((s) => s.goroutines),
  );
  // The basis the heap verdict rests on (memory-basis.ts): the live heap, the goal unless pinned,
  // HeapAlloc's troughs, RSS. Judged above when it is one of the trends; judged here when not.
  const basis = chooseMemoryBasis(samples, tOf);
  let heapTrend: MemStatsTrend | undefined;
  if (basis) {
    heapTrend =
      trends.find((t) => t.signal === basis.basis) ?? add(basis.basis, basis.label, "bytes", basis.points);
  }
  trendWarnings({ samples, heapTrend, goHeld, rss, goroutines, warnings, tOf, options });
  return heapTrend;
}

export function goHeldBytes(sample: MemStatsSample): number | undefined {
  const { Sys, HeapReleased } = sample.fields;
  if (Sys !== undefined && HeapReleased !== undefined) return Sys - HeapReleased;
  return sample.runtimeUsedBytes;
}

function computeFigures(
  latest: MemStatsSample,
  samples: MemStatsSample[],
  timeSource: MemStatsSeries["timeSource"],
  spanSeconds: number | undefined,
): MemStatsFigures {
  const f = latest.fields;
  const figures: MemStatsFigures = { gc: {} };
  if (f.HeapInuse !== undefined && f.HeapAlloc !== undefined && f.HeapInuse > 0) {
    figures.fragmentationBytes = Math.max(0, f.HeapInuse - f.HeapAlloc);
    figures.fragmentationRatio = figures.fragmentationBytes / f.HeapInuse;
  }
  if (f.HeapIdle !== undefined && f.HeapReleased !== undefined)
    figures.retainedIdleBytes = f.HeapIdle - f.HeapReleased;
  if (f.HeapInuse !== undefined && f.Sys !== undefined && f.Sys > 0)
    figures.heapInuseShareOfSys = f.HeapInuse / f.Sys;
  const held = goHeldBytes(latest);
  if (held !== undefined) figures.goHeldBytes = held;
  if (held !== undefined && latest.rssBytes !== undefined)
    figures.outsideGoHeapBytes = latest.rssBytes - held;
  if (f.Mallocs !== undefined && f.Frees !== undefined) figures.liveObjects = f.Mallocs - f.Frees;

  const gc = figures.gc;
  if (f.NumGC !== undefined) gc.count = f.NumGC;
  if (f.NumForcedGC !== undefined) gc.forcedCount = f.NumForcedGC;
  if (f.PauseTotalNs !== undefined) gc.pauseTotalNs = f.PauseTotalNs;
  if (f.GCCPUFraction !== undefined) gc.cpuFraction = f.GCCPUFraction;
  const first = samples[0];
  if (
    spanSeconds !== undefined &&
    spanSeconds > 0 &&
    timeSource !== "last-gc" &&
    first.fields.NumGC !== undefined &&
    f.NumGC !== undefined
  ) {
    gc.perMinute = ((f.NumGC - first.fields.NumGC) / spanSeconds) * 60;
    gc.rateBasis = "series";
  }
  const ends = latest.exact?.pauseEndNs;
  if (ends && ends.length > 0) {
    const pauses = latest.pauseNs ?? [];
    gc.recentPauses = pauses.length;
    if (pauses.length > 0) {
      gc.recentPauseMeanNs = pauses.reduce((a, b) => a + b, 0) / pauses.length;
      gc.recentPauseMaxNs = Math.max(...pauses);
    }
    // A rate from a handful of pauses says little (two forced GCs in a row); ask for a few.
    if (gc.perMinute === undefined && ends.length >= 4) {
      const seconds = Number(ends[ends.length - 1] - ends[0]) / 1e9;
      if (seconds > 0) {
        gc.perMinute = ((ends.length - 1) / seconds) * 60;
        gc.rateBasis = "pause-history";
      }
    }
  }
  if (latest.atMs !== undefined && timeSource !== "last-gc" && timeSource !== "none") {
    const lastGcMs =
      latest.exact?.lastGcNs !== undefined
        ? Number(latest.exact.lastGcNs) / 1e6
        : f.LastGC !== undefined
          ? f.LastGC / 1e6
          : undefined;
    if (lastGcMs !== undefined && lastGcMs > 0)
      gc.secondsSinceLastGc = Math.max(0, (latest.atMs - lastGcMs) / 1000);
  }
  return figures;
}

function snapshotWarnings(
  latest: MemStatsSample,
  figures: MemStatsFigures,
  warnings: MemStatsWarning[],
): void {
  const f = latest.fields;
  if (
    figures.outsideGoHeapBytes !== undefined &&
    latest.rssBytes !== undefined &&
    figures.outsideGoHeapBytes > Math.max(64 * MiB, 0.25 * latest.rssBytes)
  ) {
    warnings.push({
      code: "memory-outside-go-heap",
      severity: "warning",
      message: `RSS (${formatBytes(latest.rssBytes)}) exceeds what the Go runtime holds (Sys − HeapReleased = ${formatBytes(figures.goHeldBytes!)}) by ${formatBytes(figures.outsideGoHeapBytes)}: memory allocated outside Go (cgo/C libraries, mmap'd files); Go profiles cannot see it.`,
    });
  }
  if (
    figures.fragmentationRatio !== undefined &&
    figures.fragmentationRatio > 0.3 &&
    (f.HeapInuse ?? 0) > 16 * MiB
  ) {
    warnings.push({
      code: "high-fragmentation",
      severity: "info",
      message: `Up to ${formatPercent(figures.fragmentationRatio)} of in-use heap spans is free space (${formatBytes(figures.fragmentationBytes!)}, HeapInuse − HeapAlloc; an upper bound): fragmentation, not live data. If the live heap is flat this is not a leak.`,
    });
  }
  if (
    figures.retainedIdleBytes !== undefined &&
    figures.retainedIdleBytes > 64 * MiB &&
    figures.retainedIdleBytes > 0.5 * (f.HeapInuse ?? 0)
  ) {
    warnings.push({
      code: "large-retained-idle",
      severity: "info",
      message: `${formatBytes(figures.retainedIdleBytes)} of idle heap is retained (HeapIdle − HeapReleased): still resident after an earlier peak until the scavenger returns it to the OS. RSS includes it; it is not a leak.`,
    });
  }
  if (f.GCCPUFraction !== undefined && f.GCCPUFraction > 0.1) {
    warnings.push({
      code: "high-gc-cpu",
      severity: "info",
      message: `The GC has used ${formatPercent(f.GCCPUFraction)} of the CPU since the program started (GCCPUFraction): allocation pressure; an alloc_space profile shows where.`,
    });
  }
}

function trendWarnings(context: {
  samples: MemStatsSample[];
  heapTrend: MemStatsTrend | undefined;
  goHeld: MemStatsTrend | undefined;
  rss: MemStatsTrend | undefined;
  goroutines: MemStatsTrend | undefined;
  warnings: MemStatsWarning[];
  tOf: (s: MemStatsSample) => number;
  options: MemStatsHealthOptions;
}): void {
  const { samples, heapTrend, goHeld, rss, goroutines, warnings, tOf, options } = context;
  const first = samples[0].fields.NumGC;
  const last = samples[samples.length - 1].fields.NumGC;
  const gcCycles = first !== undefined && last !== undefined ? last - first : undefined;
  const heapGrowing = heapTrend?.result.verdict === "growing";
  if (heapTrend && heapGrowing && (gcCycles === undefined || gcCycles >= 2)) {
    warnings.push({
      code: "heap-grows-while-gc-runs",
      severity: "warning",
      message: `The heap grows while the GC runs (${heapTrend.label}: ${formatRate(heapTrend)}${gcCycles !== undefined ? ` across ${gcCycles} GC cycles` : ""}): memory survives collection, a leak or an unbounded cache. Diff two heap profiles (inuse_space) taken some minutes apart to see what holds it.`,
    });
  }

  // The longest stretch with an unchanged NumGC during which HeapAlloc rose.
  const threshold = options.noGcWarningSeconds ?? 60;
  let start = 0;
  let worst: { seconds: number; from: number; to: number } | undefined;
  for (let i = 1; i <= samples.length; i++) {
    const same =
      i < samples.length &&
      samples[i].fields.NumGC !== undefined &&
      samples[i].fields.NumGC === samples[start].fields.NumGC;
    if (same) continue;
    const a = samples[start];
    const b = samples[i - 1];
    const seconds = tOf(b) - tOf(a);
    const from = a.fields.HeapAlloc;
    const to = b.fields.HeapAlloc;
    if (
      from !== undefined &&
      to !== undefined &&
      seconds >= threshold &&
      to > from * 1.1 &&
      to - from > MiB
    ) {
      if (!worst || seconds > worst.seconds) worst = { seconds, from, to };
    }
    start = i;
  }
  if (worst) {
    const gogc = samples[samples.length - 1].gogcPercent;
    warnings.push({
      code: "no-gc-while-heap-grows",
      severity: "warning",
      message: `No GC in ${Math.round(worst.seconds)} s while HeapAlloc grew from ${formatBytes(worst.from)} to ${formatBytes(worst.to)}: ${gogc !== undefined && gogc < 0 ? "GOGC is off" : "the GC may be off (GOGC=off) or the heap goal far away (large GOGC or GOMEMLIMIT)"}; the heap will keep growing until a GC runs.`,
    });
  }

  const heapFlat = heapTrend !== undefined && !heapGrowing;
  if (rss?.result.verdict === "growing" && heapFlat && goHeld?.result.verdict !== "growing") {
    warnings.push({
      code: "rss-grows-heap-flat",
      severity: "warning",
      message: `RSS grows (${formatRate(rss)}) while the Go heap is flat: memory outside the Go heap (cgo/C allocations, mmap, a non-Go library); Go heap profiles will not show it.`,
    });
  } else if (goHeld?.result.verdict === "growing" && heapFlat) {
    warnings.push({
      code: "go-held-grows-heap-flat",
      severity: "info",
      message: `Memory the Go runtime holds grows (Sys − HeapReleased, ${formatRate(goHeld)}) while the live heap is flat: goroutine stacks, fragmentation or idle spans not yet returned to the OS.`,
    });
  }
  if (goroutines?.result.verdict === "growing") {
    warnings.push({
      code: "goroutines-grow",
      severity: "warning",
      message: `The goroutine count grows (${goroutines.result.firstValue} → ${goroutines.result.lastValue}): a goroutine leak holds its stack and everything it references. Compare two dumps: heapscope goroutines now.txt --base before.txt`,
    });
  }
}

function formatRate(trend: MemStatsTrend): string {
  const relative = relativeOf(trend.result);
  return `${formatSignedByteRate(trend.result.slopePerSecond)}${relative !== null ? `, ${formatSignedPercent(relative)}/h` : ""}`;
}

/** The judged regime's relative rate per hour, when it means something (meaningfulRelativePerHour). */
export function relativeOf(judgement: TrendJudgement): number | null {
  return meaningfulRelativePerHour(
    judgement.slopePerSecond,
    judgement.level,
    judgement.regimeEndSeconds - judgement.regimeStartSeconds,
  );
}
