/**
 * GC statistics for one process run of a gctrace: GC CPU per window, stop-the-world pauses, heap
 * goal vs live heap, forced cycles, scavenger activity, the live-heap trend verdict and, with a
 * memory limit, when the limit would be reached. Pure.
 *
 * `GcRunAccumulator` takes cycles one at a time in bounded memory (it keeps at most `maxPoints`
 * cycles' figures, thinning them uniformly when full; totals, maxima and counters stay exact), so a
 * followed log can run for weeks. `summarizeGcRun` is the one-shot form for a parsed run.
 */
import {
  type GcCycle,
  type GcLineLayout,
  type GcProcessRun,
  GcTraceParser,
  type ScavengerEvent,
  type SkippedLineCounts,
} from "../formats/gctrace/index.js";
import { formatByteRate, formatBytes, formatDuration } from "../model/units.js";
import { type JudgeOptions, judgeTrend, type TrendJudgement, type TrendVerdict } from "./trend.js";

const MIB = 1024 * 1024;

export interface GcStatsOptions {
  /** A memory limit to project against (bytes), e.g. from `--limit 2GiB`. */
  limitBytes?: number;
  /** Where the limit came from, for the report (e.g. "--limit", "GOMEMLIMIT in the log"). */
  limitSource?: string;
  /** Length of the GC CPU windows; default: the run's duration / 24, at least 1 s. */
  cpuWindowSeconds?: number;
  /** Options of the trend judgement (defaults suit gctrace: values floored to 1 MiB). */
  trend?: JudgeOptions;
  /** At most this many points in `liveHeap.series` (for sparklines and charts). Default 600. */
  seriesPoints?: number;
  /** The log said GOGC=off. */
  gogcOff?: boolean;
}

export interface GcCpuWindow {
  startSeconds: number;
  endSeconds: number;
  /** GC CPU (without idle marking) / (window × GOMAXPROCS), in percent. */
  percent: number;
  cycles: number;
}

export interface GcProjection {
  limitBytes: number;
  limitSource: string;
  /** Seconds from the end of the trace until the live heap reaches the limit; null if not growing. */
  secondsUntilLiveHeapReachesLimit: number | null;
  /** Seconds until the heap goal (live × the observed goal ratio) reaches it; null when not applicable. */
  secondsUntilGoalReachesLimit: number | null;
  note: string;
}

export interface GcRunSummary {
  cycles: number;
  firstCycle: number;
  lastCycle: number;
  missingCycles: number;
  startSeconds: number;
  endSeconds: number;
  durationSeconds: number;
  procs: number;
  /** The command's verdict, from the series judgement `trend.verdict` (see gcTraceVerdict). */
  verdict: GcTraceVerdict;
  /** The series judgement's sentence with its subject ("live heap grows …"). */
  reason: string;
  liveHeap: {
    firstBytes: number;
    lastBytes: number;
    minBytes: number;
    maxBytes: number;
    /** Theil–Sen slope of the judged regime (bytes/s). */
    slopeBytesPerSecond: number;
    slopeLowBytesPerSecond: number;
    slopeHighBytesPerSecond: number;
    relativeSlopePerHour: number;
    regimeStartSeconds: number;
    /** Live heap after GC (gctrace heap2) over time, thinned to at most `seriesPoints`. */
    series: { tSeconds: number; bytes: number }[];
  };
  /** What the trend was judged on, in words. */
  judgedSignal: string;
  trend: TrendJudgement;
  heapGoal: {
    lastBytes: number;
    maxBytes: number;
    /** Median goal / live heap over the judged regime. */
    goalOverLive: number;
    /** GOGC implied by goal vs live (+ stacks + globals), median; null when not estimable. */
    estimatedGogc: number | null;
    /** The goal is set by a memory limit (GOGC=off or far above the live heap). */
    limitDriven: boolean;
  };
  gcCpu: {
    /** Over the whole run, from the cpu-ms fields (without idle marking). */
    percent: number;
    /** The runtime's own cumulative figure on the last line (integer, since process start). */
    printedCumulativePercent: number;
    windowSeconds: number;
    windows: GcCpuWindow[];
    maxWindowPercent: number;
    /** Share of GC CPU spent in mark assists (goroutines paying for their allocation). */
    assistShare: number;
  };
  pauses: { count: number; p50Ms: number; p99Ms: number; maxMs: number; totalMs: number; sampled: boolean };
  forcedCycles: number;
  periodicCycles: number;
  scavenger: {
    events: number;
    releasedBytes: number;
    forcedEvents: number;
    lastTotalReleasedBytes: number | null;
    lastUtilizationPercent: number | null;
  };
  projection: GcProjection | null;
  /** Figures were thinned to stay in bounded memory (percentiles then come from a uniform sample). */
  thinned: boolean;
}

/**
 * gctrace's verdict field keeps its own words (and `--fail-on growing|inconclusive` with them):
 * growing → growing, bounded → stable, undecided and insufficient → inconclusive.
 */
export type GcTraceVerdict = "growing" | "stable" | "inconclusive";

export function gcTraceVerdict(trend: TrendVerdict): GcTraceVerdict {
  return trend === "growing" ? "growing" : trend === "bounded" ? "stable" : "inconclusive";
}

/** Bounded-memory accumulator of one run's cycles. */
export class GcRunAccumulator {
  private readonly maxPoints: number;
  private size = 0;
  private stride = 1;
  private sinceKept = 0;
  private t: Float64Array;
  private live: Float64Array;
  private judged: Float64Array;
  private goal: Float64Array;
  private pause: Float64Array;
  private scan: Float64Array;
  // exact totals
  private cycles = 0;
  private firstCycle = 0;
  private lastCycle = 0;
  private firstAt = 0;
  private lastAt = 0;
  private lastEnd = 0;
  private firstLive = 0;
  private lastLive = 0;
  private minLive = Number.POSITIVE_INFINITY;
  private maxLive = 0;
  private lastGoal = 0;
  private maxGoal = 0;
  private procs = 0;
  private printedPercent = 0;
  private gcCpuMs = 0;
  private assistMs = 0;
  private pauseTotal = 0;
  private pauseMax = 0;
  private forced = 0;
  private periodic = 0;
  private missing = 0;
  private readonly cpuBuckets = new TimeBuckets();
  private scavEvents = 0;
  private scavReleased = 0;
  private scavForced = 0;
  private scavLastTotal: number | null = null;
  private scavLastUtil: number | null = null;

  constructor(maxPoints = 65_536) {
    this.maxPoints = Math.max(64, maxPoints);
    const initial = Math.min(this.maxPoints, 1024);
    this.t = new Float64Array(initial);
    this.live = new Float64Array(initial);
    this.judged = new Float64Array(initial);
    this.goal = new Float64Array(initial);
    this.pause = new Float64Array(initial);
    this.scan = new Float64Array(initial);
  }

  get cycleCount(): number {
    return this.cycles;
  }

  addCycle(cycle: GcCycle): void {
    if (this.cycles === 0) {
      this.firstCycle = cycle.cycle;
      this.firstAt = cycle.atSeconds;
      this.firstLive = cycle.liveHeapBytes;
    } else if (cycle.cycle > this.lastCycle + 1) {
      this.missing += cycle.cycle - this.lastCycle - 1;
    }
    this.cycles++;
    this.lastCycle = Math.max(this.lastCycle, cycle.cycle);
    this.lastAt = cycle.atSeconds;
    let clockTotal = 0;
    for (const ms of cycle.clockMs) clockTotal += ms;
    this.lastEnd = Math.max(this.lastEnd, cycle.atSeconds + clockTotal / 1000);
    this.lastLive = cycle.liveHeapBytes;
    if (cycle.liveHeapBytes < this.minLive) this.minLive = cycle.liveHeapBytes;
    if (cycle.liveHeapBytes > this.maxLive) this.maxLive = cycle.liveHeapBytes;
    this.lastGoal = cycle.goalBytes;
    if (cycle.goalBytes > this.maxGoal) this.maxGoal = cycle.goalBytes;
    this.procs = cycle.procs;
    this.printedPercent = cycle.cpuPercentCumulative;
    this.gcCpuMs += cycle.gcCpuMs;
    this.assistMs += cycle.assistCpuMs;
    this.pauseTotal += cycle.stwPauseMs;
    if (cycle.stwPauseMs > this.pauseMax) this.pauseMax = cycle.stwPauseMs;
    if (cycle.forced) this.forced++;
    if (cycle.periodic) this.periodic++;
    this.cpuBuckets.add(cycle.atSeconds, cycle.gcCpuMs, cycle.procs);

    if (++this.sinceKept < this.stride) return;
    this.sinceKept = 0;
    if (this.size === this.t.length) {
      if (this.size < this.maxPoints) this.grow(Math.min(this.maxPoints, this.size * 2));
      else this.thin();
    }
    const i = this.size++;
    this.t[i] = cycle.atSeconds;
    this.live[i] = cycle.liveHeapBytes;
    this.judged[i] = liveAtMarkStartBytes(cycle);
    this.goal[i] = cycle.goalBytes;
    this.pause[i] = cycle.stwPauseMs;
    this.scan[i] = cycle.liveHeapBytes + (cycle.stacksBytes ?? 0) + (cycle.globalsBytes ?? 0);
  }

  addScavenger(event: ScavengerEvent): void {
    this.scavEvents++;
    this.scavReleased += event.releasedBytes;
    if (event.forced) this.scavForced++;
    if (event.totalReleasedBytes !== undefined) this.scavLastTotal = event.totalReleasedBytes;
    if (event.utilizationPercent !== undefined) this.scavLastUtil = event.utilizationPercent;
  }

  private grow(capacity: number): void {
    const copy = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a.subarray(0, this.size));
      return b;
    };
    this.t = copy(this.t);
    this.live = copy(this.live);
    this.judged = copy(this.judged);
    this.goal = copy(this.goal);
    this.pause = copy(this.pause);
    this.scan = copy(this.scan);
  }

  /** Keeps every other point and halves the rate at which new ones are kept. */
  private thin(): void {
    const half = this.size >> 1;
    for (const a of [this.t, this.live, this.judged, this.goal, this.pause, this.scan]) {
      for (let i = 0; i < half; i++) a[i] = a[2 * i + 1];
    }
    this.size = half;
    this.stride *= 2;
  }

  summarize(options: GcStatsOptions = {}): GcRunSummary {
    const n = this.size;
    const points = new Array<{ tSeconds: number; value: number }>(n);
    for (let i = 0; i < n; i++) points[i] = { tSeconds: this.t[i], value: this.judged[i] };
    const trend = judgeTrend(points, "gctrace", {
      resolution: MIB,
      quantized: true,
      formatValue: formatBytes,
      ...options.trend,
    });

    const goal = this.heapGoalAgainstLive(trend.regimeStartSeconds, options);

    const procs = this.procs || 1;
    const duration = this.lastAt - this.firstAt;
    const series = thinSeries(this.t, this.live, n, options.seriesPoints ?? 600);
    const projection = project(trend, goal.goalOverLive, goal.limitDriven, this.maxGoal, options);
    return {
      cycles: this.cycles,
      firstCycle: this.firstCycle,
      lastCycle: this.lastCycle,
      missingCycles: this.missing,
      startSeconds: this.firstAt,
      endSeconds: this.lastAt,
      durationSeconds: duration,
      procs,
      verdict: gcTraceVerdict(trend.verdict),
      reason: `live heap ${trend.reason}`,
      liveHeap: {
        firstBytes: this.firstLive,
        lastBytes: this.lastLive,
        minBytes: this.cycles > 0 ? this.minLive : 0,
        maxBytes: this.maxLive,
        slopeBytesPerSecond: trend.slopePerSecond,
        slopeLowBytesPerSecond: trend.slopeLowPerSecond,
        slopeHighBytesPerSecond: trend.slopeHighPerSecond,
        relativeSlopePerHour: trend.relativeSlopePerHour,
        regimeStartSeconds: trend.regimeStartSeconds,
        series,
      },
      judgedSignal: JUDGED_SIGNAL,
      trend,
      heapGoal: {
        lastBytes: this.lastGoal,
        maxBytes: this.maxGoal,
        goalOverLive: goal.goalOverLive,
        estimatedGogc: goal.limitDriven ? null : goal.estimatedGogc,
        limitDriven: goal.limitDriven,
      },
      gcCpu: this.gcCpuSummary(options.cpuWindowSeconds ?? Math.max(1, duration / 24)),
      pauses: this.pauseSummary(),
      forcedCycles: this.forced,
      periodicCycles: this.periodic,
      scavenger: {
        events: this.scavEvents,
        releasedBytes: this.scavReleased,
        forcedEvents: this.scavForced,
        lastTotalReleasedBytes: this.scavLastTotal,
        lastUtilizationPercent: this.scavLastUtil,
      },
      projection,
      thinned: this.stride > 1,
    };
  }

  /**
   * The heap goal against the live heap over the judged regime (from `regimeStart` on): their
   * ratio, the GOGC that explains it, and whether a memory limit rather than GOGC sets the goal.
   */
  private heapGoalAgainstLive(
    regimeStart: number,
    options: GcStatsOptions,
  ): { goalOverLive: number; estimatedGogc: number | null; limitDriven: boolean } {
    const n = this.size;
    const ratios: number[] = [];
    const gogcs: number[] = [];
    for (let i = 0; i < n; i++) {
      if (this.t[i] < regimeStart) continue;
      if (this.live[i] > 0) ratios.push(this.goal[i] / this.live[i]);
      // A cycle's goal was set from the previous cycle's marked heap (+ stacks + globals since 1.18).
      // Below ~8 MiB the 4 MiB minimum goal and MiB flooring dominate. Thinned points are not
      // consecutive cycles, so then the estimate pairs a goal with its own cycle.
      const previous = this.stride === 1 && i > 0 ? i - 1 : i;
      if (this.live[previous] >= 8 * MIB)
        gogcs.push((100 * (this.goal[i] - this.live[previous])) / this.scan[previous]);
    }
    const goalOverLive = median(ratios);
    const estimatedGogc = gogcs.length >= 3 ? Math.round(median(gogcs) / 5) * 5 : null;
    // A goal set by GOMEMLIMIT (GOGC=off, or the limit binding) stays put while the live heap moves;
    // a GOGC goal follows the live heap. Both need the live heap to move to be told apart.
    const regimeLive: number[] = [];
    const regimeGoal: number[] = [];
    for (let i = 0; i < n; i++) {
      if (this.t[i] < regimeStart) continue;
      regimeLive.push(this.live[i]);
      regimeGoal.push(this.goal[i]);
    }
    const spread = (values: number[]) => {
      const sorted = Float64Array.from(values).sort();
      return quantile(sorted, 0.95) - quantile(sorted, 0.05);
    };
    const goalSpread = spread(regimeGoal);
    const goalPinned =
      regimeGoal.length >= 10 &&
      goalSpread <= Math.max(MIB, 0.01 * median(regimeGoal)) &&
      // The live heap moved and the goal did not, or the goal sits far above any usual GOGC.
      (spread(regimeLive) >= 2 * Math.max(MIB, goalSpread) || goalOverLive >= 3);
    const limitDriven =
      Boolean(options.gogcOff) || goalPinned || (estimatedGogc !== null && estimatedGogc > 400);
    return { goalOverLive, estimatedGogc, limitDriven };
  }

  /** GC CPU over the run (from the cycles' own CPU figures) and in windows of `windowSeconds`. */
  private gcCpuSummary(windowSeconds: number): GcRunSummary["gcCpu"] {
    const elapsed = this.firstCycle <= 2 ? this.lastEnd : this.lastEnd - this.firstAt;
    const procs = this.procs || 1;
    const percent = elapsed > 0 ? (100 * this.gcCpuMs) / (elapsed * 1000 * procs) : 0;
    const windows = this.cpuBuckets.windows(
      this.firstCycle <= 2 ? 0 : this.firstAt,
      this.lastEnd,
      windowSeconds,
    );
    return {
      percent,
      printedCumulativePercent: this.printedPercent,
      windowSeconds,
      windows,
      maxWindowPercent: windows.reduce((m, w) => Math.max(m, w.percent), 0),
      assistShare: this.gcCpuMs > 0 ? this.assistMs / this.gcCpuMs : 0,
    };
  }

  private pauseSummary(): GcRunSummary["pauses"] {
    // Typed-array sorts are numeric without a comparator callback (several times faster at 65536 points).
    const pauses = this.pause.slice(0, this.size).sort();
    return {
      count: this.cycles,
      p50Ms: quantile(pauses, 0.5),
      p99Ms: quantile(pauses, 0.99),
      maxMs: this.pauseMax,
      totalMs: this.pauseTotal,
      sampled: this.stride > 1,
    };
  }
}

/**
 * The series the leak verdict is judged on: the marked heap (heap2) minus what was allocated while
 * marking (heap1 − heap0). Objects allocated during the mark phase are marked black and counted in
 * heap2 even when they die at once, so heap2 rises and falls with how long marking took, i.e. with
 * machine load and allocation rate (a steady program's heap2 jumped from 47 to 62 MiB under load
 * while this figure stayed at 46–48). What remains is what was reachable when marking started.
 */
export function liveAtMarkStartBytes(
  cycle: Pick<GcCycle, "liveHeapBytes"> & Partial<Pick<GcCycle, "heapStartBytes" | "heapEndBytes">>,
): number {
  // A cycle known only by its live heap (an older recording) is judged on that.
  if (cycle.heapStartBytes === undefined || cycle.heapEndBytes === undefined) return cycle.liveHeapBytes;
  const allocatedWhileMarking = Math.max(0, cycle.heapEndBytes - cycle.heapStartBytes);
  return Math.max(0, cycle.liveHeapBytes - allocatedWhileMarking);
}

const JUDGED_SIGNAL = "live heap at mark start (heap after GC minus what was allocated during marking)";

/** Summarises a parsed run (all its cycles kept by the parser). */
export function summarizeGcRun(run: GcProcessRun, options: GcStatsOptions = {}): GcRunSummary {
  const accumulator = new GcRunAccumulator(Math.max(200_000, run.cycles.length));
  for (const cycle of run.cycles) accumulator.addCycle(cycle);
  for (const event of run.scavenger) accumulator.addScavenger(event);
  return accumulator.summarize(options);
}

function project(
  trend: TrendJudgement,
  goalOverLive: number,
  limitDriven: boolean,
  maxGoal: number,
  options: GcStatsOptions,
): GcProjection | null {
  let limitBytes = options.limitBytes;
  let limitSource = options.limitSource ?? "--limit";
  if (!limitBytes && limitDriven && maxGoal > 0) {
    // Under GOGC=off the goal is what GOMEMLIMIT leaves for the heap: the effective heap limit.
    limitBytes = maxGoal;
    limitSource = "the heap goal, pinned by GOMEMLIMIT";
  }
  if (!limitBytes || limitBytes <= 0) return null;
  const slope = trend.slopePerSecond;
  const middle = (trend.regimeStartSeconds + trend.regimeEndSeconds) / 2;
  const liveNow = trend.level + slope * (trend.regimeEndSeconds - middle);
  if (trend.verdict !== "growing" || !(slope > 0)) {
    return {
      limitBytes,
      limitSource,
      secondsUntilLiveHeapReachesLimit: null,
      secondsUntilGoalReachesLimit: null,
      note:
        trend.verdict === "bounded"
          ? `no projection: the live heap is not growing (${formatBytes(liveNow)} of ${formatBytes(limitBytes)})`
          : `no projection: the trend is inconclusive (${formatBytes(liveNow)} of ${formatBytes(limitBytes)})`,
    };
  }
  const live = Math.max(0, (limitBytes - liveNow) / slope);
  // Without a memory limit in force the heap peaks near its goal, so that reaches a container
  // limit first; with GOMEMLIMIT the goal is capped and the live heap itself is what runs out.
  const goal =
    !limitDriven && goalOverLive > 1.05 ? Math.max(0, (limitBytes / goalOverLive - liveNow) / slope) : null;
  const note =
    goal !== null
      ? `at ${formatByteRate(slope)} the heap goal (×${goalOverLive.toFixed(1)} live) reaches ${formatBytes(limitBytes)} in ${formatDuration(goal)}; the live heap itself in ${formatDuration(live)}`
      : `at ${formatByteRate(slope)} the live heap reaches ${formatBytes(limitBytes)} in ${formatDuration(live)}`;
  return {
    limitBytes,
    limitSource,
    secondsUntilLiveHeapReachesLimit: live,
    secondsUntilGoalReachesLimit: goal,
    note,
  };
}

/** GC CPU per time bucket; buckets merge pairwise (doubling their width) to stay bounded. */
class TimeBuckets {
  private width = 0.25;
  private cpu = new Float64Array(1024);
  private capacity = new Float64Array(1024);
  private count = new Int32Array(1024);
  private used = 0;
  private static readonly MAX = 4096;

  add(tSeconds: number, cpuMs: number, procs: number): void {
    let index = Math.floor(Math.max(0, tSeconds) / this.width);
    while (index >= TimeBuckets.MAX) {
      this.merge();
      index = Math.floor(Math.max(0, tSeconds) / this.width);
    }
    if (index >= this.cpu.length)
      this.grow(Math.min(TimeBuckets.MAX, Math.max(index + 1, this.cpu.length * 2)));
    this.cpu[index] += cpuMs;
    this.capacity[index] = Math.max(this.capacity[index], procs);
    this.count[index]++;
    if (index + 1 > this.used) this.used = index + 1;
  }

  private grow(size: number): void {
    const g = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.cpu = g(this.cpu, (n) => new Float64Array(n));
    this.capacity = g(this.capacity, (n) => new Float64Array(n));
    this.count = g(this.count, (n) => new Int32Array(n));
  }

  private merge(): void {
    const half = Math.ceil(this.used / 2);
    for (let i = 0; i < half; i++) {
      const a = 2 * i;
      const b = 2 * i + 1;
      this.cpu[i] = this.cpu[a] + (b < this.used ? this.cpu[b] : 0);
      this.capacity[i] = Math.max(this.capacity[a], b < this.used ? this.capacity[b] : 0);
      this.count[i] = this.count[a] + (b < this.used ? this.count[b] : 0);
    }
    this.cpu.fill(0, half);
    this.capacity.fill(0, half);
    this.count.fill(0, half);
    this.used = half;
    this.width *= 2;
  }

  /** Windows of about `windowSeconds` (a multiple of the bucket width) from `from` to `to`. */
  windows(from: number, to: number, windowSeconds: number): GcCpuWindow[] {
    const per = Math.max(1, Math.round(windowSeconds / this.width));
    const width = per * this.width;
    const out: GcCpuWindow[] = [];
    const firstBucket = Math.floor(Math.max(0, from) / this.width);
    let procs = 1;
    for (let i = 0; i < this.used; i++) if (this.capacity[i] > 0) procs = this.capacity[i];
    for (let start = Math.floor(firstBucket / per) * per; start * this.width < to; start += per) {
      let cpu = 0;
      let cycles = 0;
      for (let i = start; i < start + per && i < this.used; i++) {
        cpu += this.cpu[i];
        cycles += this.count[i];
        if (this.capacity[i] > 0) procs = this.capacity[i];
      }
      const startSeconds = start * this.width;
      const endSeconds = Math.min(to, startSeconds + width);
      const seconds = endSeconds - Math.max(from, startSeconds);
      if (seconds <= 0) continue;
      out.push({ startSeconds, endSeconds, percent: (100 * cpu) / (seconds * 1000 * procs), cycles });
    }
    return out;
  }
}

function thinSeries(
  t: Float64Array,
  v: Float64Array,
  n: number,
  maxPoints: number,
): { tSeconds: number; bytes: number }[] {
  const step = Math.max(1, Math.ceil(n / maxPoints));
  const out: { tSeconds: number; bytes: number }[] = [];
  for (let i = 0; i < n; i += step) {
    // Keep the largest value of each step so peaks survive thinning.
    let best = i;
    for (let j = i + 1; j < Math.min(n, i + step); j++) if (v[j] > v[best]) best = j;
    out.push({ tSeconds: t[best], bytes: v[best] });
  }
  return out;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  return quantile(Float64Array.from(values).sort(), 0.5);
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo);
}

export interface GcTraceRunInfo {
  /** 0-based. */
  index: number;
  firstCycle: number;
  lastCycle: number;
  cycles: number;
  startSeconds: number;
  endSeconds: number;
  layout: GcLineLayout;
}

/** Everything `heapscope gctrace` reports about one input. */
export interface GcTraceAnalysis {
  /** The input as the user named it (`-` for stdin). */
  input: string;
  totalLines: number;
  cycleLines: number;
  scavengerLines: number;
  skippedLines: number;
  skipped: SkippedLineCounts;
  repairedGcLines: number;
  runs: GcTraceRunInfo[];
  /** `index` of the analysed run (its process-run number − 1). */
  targetRunIndex: number;
  /** How the analysed run was chosen. */
  targetRule: string;
  /** A memory limit found in the text (`GOMEMLIMIT=…` logged by the program). */
  memoryLimitHintBytes?: number;
  summary: GcRunSummary;
}

export interface GcTraceAnalyzeOptions extends GcStatsOptions {
  /** Analyse this run (0-based) instead of the automatic choice. */
  runIndex?: number;
}

/** Most runs whose figures are kept at once; the smallest older ones are dropped beyond it. */
const MAX_TRACKED_RUNS = 32;

/**
 * Streaming gctrace analysis in bounded memory: parser + one accumulator per process run.
 * `push()` text or bytes, then `analysis()` (any time, e.g. while following a file).
 */
export class GcTraceAnalyzer {
  private readonly parser: GcTraceParser;
  private readonly accumulators = new Map<number, GcRunAccumulator>();
  private readonly maxPointsPerRun: number;
  private lastRun = -1;
  private lastAccumulator: GcRunAccumulator | null = null;

  constructor(options: { maxPointsPerRun?: number } = {}) {
    this.maxPointsPerRun = options.maxPointsPerRun ?? 65_536;
    this.parser = new GcTraceParser({
      keepRecords: false,
      // The accumulator copies the figures it needs, so one cycle object serves the whole stream.
      reuseCycleObjects: true,
      onCycle: (cycle, run) => this.accumulator(run).addCycle(cycle),
      onScavenger: (event, run) => {
        if (run >= 0) this.accumulator(run).addScavenger(event);
      },
    });
  }

  push(chunk: string | Uint8Array): void {
    this.parser.push(chunk);
  }

  end(): void {
    this.parser.end();
  }

  get cycleLines(): number {
    return this.parser.snapshot().cycleLines;
  }

  /** The analysis so far; null when no gc cycle has been seen. */
  analysis(input: string, options: GcTraceAnalyzeOptions = {}): GcTraceAnalysis | null {
    const parse = this.parser.snapshot();
    if (parse.runs.length === 0) return null;
    const tracked = parse.runs.filter((r) => this.accumulators.has(r.index));
    let targetRun: GcProcessRun | undefined;
    let rule: string;
    if (options.runIndex !== undefined) {
      targetRun = tracked.find((r) => r.index === options.runIndex);
      if (!targetRun) return null;
      rule = "chosen with --run";
    } else {
      for (const r of tracked) if (!targetRun || r.cycleCount >= targetRun.cycleCount) targetRun = r;
      if (!targetRun) return null;
      rule =
        "the run with the most cycles (the latest of equals): under go run/go test the toolchain's own processes print first and briefly";
    }
    const target = targetRun.index;
    const limitBytes = options.limitBytes ?? parse.memoryLimitHint?.bytes;
    const limitSource =
      options.limitBytes !== undefined
        ? (options.limitSource ?? "--limit")
        : parse.memoryLimitHint
          ? `GOMEMLIMIT in the log, line ${parse.memoryLimitHint.lineNumber}`
          : undefined;
    const summary = this.accumulators.get(target)!.summarize({
      ...options,
      limitBytes,
      limitSource,
      gogcOff: options.gogcOff ?? parse.gogcOffHint,
    });
    const analysis: GcTraceAnalysis = {
      input,
      totalLines: parse.totalLines,
      cycleLines: parse.cycleLines,
      scavengerLines: parse.scavengerLines,
      skippedLines: parse.skippedLines,
      skipped: parse.skipped,
      repairedGcLines: parse.repairedGcLines,
      runs: parse.runs.map((r) => ({
        index: r.index,
        firstCycle: r.firstCycle,
        lastCycle: r.lastCycle,
        cycles: r.cycleCount,
        startSeconds: r.startSeconds,
        endSeconds: r.endSeconds,
        layout: r.layout,
      })),
      targetRunIndex: target,
      targetRule: rule,
      summary,
    };
    if (parse.memoryLimitHint) analysis.memoryLimitHintBytes = parse.memoryLimitHint.bytes;
    return analysis;
  }

  private accumulator(run: number): GcRunAccumulator {
    // Consecutive cycles nearly always belong to the same run: skip the map lookup then.
    if (run === this.lastRun && this.lastAccumulator) return this.lastAccumulator;
    let accumulator = this.accumulators.get(run);
    if (!accumulator) {
      if (this.accumulators.size >= MAX_TRACKED_RUNS) this.dropSmallest(run);
      accumulator = new GcRunAccumulator(this.maxPointsPerRun);
      this.accumulators.set(run, accumulator);
    }
    this.lastRun = run;
    this.lastAccumulator = accumulator;
    return accumulator;
  }

  private dropSmallest(except: number): void {
    let smallest = -1;
    let size = Number.POSITIVE_INFINITY;
    for (const [run, accumulator] of this.accumulators) {
      if (run !== except && accumulator.cycleCount < size) {
        smallest = run;
        size = accumulator.cycleCount;
      }
    }
    if (smallest >= 0) this.accumulators.delete(smallest);
    if (smallest === this.lastRun) this.lastAccumulator = null;
  }
}

/** One-shot analysis of a whole gctrace text (null when it holds no gc cycle). */
export function analyzeGcTrace(
  text: string,
  input = "gctrace",
  options: GcTraceAnalyzeOptions = {},
): GcTraceAnalysis | null {
  const analyzer = new GcTraceAnalyzer();
  analyzer.push(text);
  analyzer.end();
  return analyzer.analysis(input, options);
}
