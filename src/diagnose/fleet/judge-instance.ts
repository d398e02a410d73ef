/**
 * One instance of a fleet: its process runs, each judged on its own memory basis with the trend
 * engine exactly as `memstats` judges it (memory-basis.ts), the instance's verdict (its last run's),
 * its growth per hour and time to its memory limit.
 */
import { growthOnsetIndex } from "../../analysis/growth-onset.js";
import {
  chooseMemoryBasis,
  judgeByteSeries,
  judgeCountSeries,
  memoryLimitOf,
  type TimeOf,
} from "../../analysis/memory-basis.js";
import { goHeldBytes } from "../../analysis/memstats-health.js";
import { type ProcessRun, splitProcessRuns } from "../../analysis/process-runs.js";
import type { TrendJudgement, TrendPoint } from "../../analysis/trend.js";
import type { MemStatsSample } from "../../model/memstats.js";
import type { FleetInstance, FleetInstanceInput, FleetRun, MemoryLimit } from "./types.js";
import { versionAt } from "./versions.js";

/** Points kept per run for the small multiples. */
const CHART_POINTS = 120;

export interface InstanceJudgeOptions {
  /** Range start (epoch seconds): growth that spans the whole range began before it. */
  rangeStartSeconds: number;
  stepSeconds: number;
  /** Judge the goroutine count too (one more trend per instance). */
  goroutines: boolean;
}

/** Judges one instance; null when it has no memory series at all (the caller says why). */
export function judgeInstance(
  input: FleetInstanceInput,
  options: InstanceJudgeOptions,
): FleetInstance | null {
  const samples = input.series.samples.filter((s) => s.atMs !== undefined);
  if (samples.length === 0) return null;
  const runs = splitProcessRuns(samples).map((run) => judgeRun(samples, run, input));
  if (runs.every((r) => r.basis === null)) return null;
  const last = runs[runs.length - 1];
  const lastSamples = samples.slice(samples.length - last.samples);
  const relative =
    last.growthBytesPerHour !== null && last.levelBytes ? last.growthBytesPerHour / last.levelBytes : null;
  const limit = memoryLimit(lastSamples, input.containerLimitBytes, last.lastBytes);
  const timeToLimit =
    last.verdict === "growing" && limit && last.growthBytesPerHour! > 0
      ? Math.max(0, ((limit.bytes - limit.currentBytes) / last.growthBytesPerHour!) * 3600)
      : null;
  const changePoint = last.verdict === "growing" ? growthStart(last, options) : null;
  const at = changePoint ?? last.endSeconds;
  return {
    key: input.key,
    labels: input.labels,
    verdict: last.verdict,
    basis: last.basis,
    basisLabel: last.basisLabel,
    reason: last.reason,
    growthBytesPerHour: last.growthBytesPerHour,
    relativeGrowthPerHour: relative,
    limit,
    timeToLimitSeconds: timeToLimit,
    changePoint,
    version: versionAt(input.versions, at),
    attribution: null,
    runs,
    earlierRunGrew: runs.slice(0, -1).some((r) => r.verdict === "growing"),
    goroutines: options.goroutines ? goroutineTrend(lastSamples) : null,
    rank: 0,
    urgencySeconds: null,
    metrics: input.metrics,
  };
}

function judgeRun(samples: MemStatsSample[], run: ProcessRun, input: FleetInstanceInput): FleetRun {
  const own = samples.slice(run.startIndex, run.endIndex);
  const t0Ms = own[0].atMs!;
  const startSeconds = t0Ms / 1000;
  const endSeconds = own[own.length - 1].atMs! / 1000;
  // Times relative to the run's first reading, as memstats takes them after a restart.
  const tOf: TimeOf = (s) => (s.atMs! - t0Ms) / 1000;
  const basis = chooseMemoryBasis(own, tOf);
  const base = {
    startSeconds,
    endSeconds,
    startedBy: run.startedBy,
    samples: own.length,
    version: versionAt(input.versions, endSeconds),
  };
  if (!basis) {
    return {
      ...base,
      verdict: "insufficient",
      basis: null,
      basisLabel: null,
      growthBytesPerHour: null,
      judgedFromSeconds: startSeconds,
      growthFromSeconds: startSeconds,
      levelBytes: null,
      lastBytes: null,
      reason: `${own.length} readings without three of any memory series (live heap, heap goal, HeapAlloc, RSS)`,
      points: [],
    };
  }
  const judgement: TrendJudgement = judgeByteSeries(basis.points);
  const judgedFrom = startSeconds + judgement.regimeStartSeconds;
  const growthFrom =
    judgement.verdict === "growing" ? growthStartOf(basis.points, judgement) + startSeconds : judgedFrom;
  return {
    ...base,
    version: versionAt(input.versions, growthFrom),
    verdict: judgement.verdict,
    basis: basis.basis,
    basisLabel: basis.label,
    growthBytesPerHour: judgement.slopePerSecond * 3600,
    judgedFromSeconds: judgedFrom,
    growthFromSeconds: growthFrom,
    levelBytes: judgement.level,
    lastBytes: judgement.lastValue,
    reason: judgement.reason,
    points: downsample(basis.points, startSeconds),
  };
}

/**
 * Seconds into the run where a growing basis began to grow: the onset the engine judged from when
 * the growth began late, else dated within the judged stretch (growth-onset.ts).
 */
function growthStartOf(points: TrendPoint[], judgement: TrendJudgement): number {
  if (judgement.onset) return judgement.onset.atSeconds;
  const judged = points.filter((p) => p.tSeconds >= judgement.regimeStartSeconds);
  const onset = growthOnsetIndex(judged);
  return judged[onset]?.tSeconds ?? judgement.regimeStartSeconds;
}

/**
 * Where the growth of a growing run began, unless that is the start of the range itself (then it
 * began before the range and its start is unknown).
 */
function growthStart(run: FleetRun, options: InstanceJudgeOptions): number | null {
  const slack = 2 * options.stepSeconds;
  return run.growthFromSeconds > options.rangeStartSeconds + slack ? run.growthFromSeconds : null;
}

/**
 * The tightest limit known and what is compared with it: GOMEMLIMIT bounds what the Go runtime
 * holds, a container limit bounds RSS. Where those are not exported, the basis stands in.
 */
function memoryLimit(
  samples: MemStatsSample[],
  containerLimitBytes: number | undefined,
  basisBytes: number | null,
): MemoryLimit | null {
  const latest = samples[samples.length - 1];
  const candidates: MemoryLimit[] = [];
  const goLimit = memoryLimitOf(latest);
  const held = goHeldBytes(latest);
  if (goLimit !== undefined) {
    const comparedWith = held !== undefined ? "Go-held memory" : "the basis";
    const current = held ?? basisBytes;
    if (current !== null)
      candidates.push({ bytes: goLimit, source: "GOMEMLIMIT", comparedWith, currentBytes: current });
  }
  if (containerLimitBytes !== undefined && containerLimitBytes > 0 && containerLimitBytes < 2 ** 62) {
    const rss = latest.rssBytes;
    const current = rss ?? held ?? basisBytes;
    const comparedWith = rss !== undefined ? "RSS" : held !== undefined ? "Go-held memory" : "the basis";
    if (current !== null)
      candidates.push({
        bytes: containerLimitBytes,
        source: "container",
        comparedWith,
        currentBytes: current,
      });
  }
  if (candidates.length === 0) return null;
  return candidates.reduce((a, b) => (b.bytes - b.currentBytes < a.bytes - a.currentBytes ? b : a));
}

function goroutineTrend(samples: MemStatsSample[]): FleetInstance["goroutines"] {
  const t0 = samples[0].atMs!;
  const points: TrendPoint[] = [];
  for (const s of samples)
    if (s.goroutines !== undefined) points.push({ tSeconds: (s.atMs! - t0) / 1000, value: s.goroutines });
  if (points.length < 3) return null;
  const judgement = judgeCountSeries(points);
  return { count: points[points.length - 1].value, verdict: judgement.verdict, reason: judgement.reason };
}

/** At most CHART_POINTS points, each bucket's minimum and maximum kept alternately. */
function downsample(points: TrendPoint[], originSeconds: number): { t: number; v: number }[] {
  const out: { t: number; v: number }[] = [];
  const stride = Math.max(1, Math.ceil(points.length / CHART_POINTS));
  for (let i = 0; i < points.length; i += stride) {
    let pickIndex = i;
    const end = Math.min(points.length, i + stride);
    const wantMax = (i / stride) % 2 === 0;
    for (let j = i + 1; j < end; j++) {
      const better = wantMax
        ? points[j].value > points[pickIndex].value
        : points[j].value < points[pickIndex].value;
      if (better) pickIndex = j;
    }
    out.push({ t: originSeconds + points[pickIndex].tSeconds, v: points[pickIndex].value });
  }
  return out;
}
