/**
 * doctor's signals (live heap after GC, live objects, goroutine count, off-heap memory, RSS) judged
 * by the one trend engine (analysis/trend.ts) under a named policy: this module only names the
 * signal, picks how its values are written, and keeps a downsampled copy of the series for charts.
 * The decision rule, α, tolerances and floors are the policy's (analysis/trend/policies.ts), so a
 * series judged here gets the answer `heapscope gctrace` or `memstats` would give it.
 *
 * Repeated looks (doctor --duration auto) judge with a share of α and count the bound tolerance over
 * at least the fixed window (`SignalLook`, see analysis/trend/sequential-looks.ts).
 */
import {
  judgeTrend,
  type TrendJudgement,
  type TrendPoint,
  type TrendPolicyName,
  type TrendVerdict,
} from "../analysis/trend.js";
import { formatByteRate, formatBytes, formatCountRate, formatNumber } from "../model/units.js";

export type SeriesPoint = TrendPoint;

export interface SignalSpec {
  /** Human name: "live heap after GC". */
  name: string;
  unit: "bytes" | "objects" | "goroutines";
  /** The engine's policy for this kind of series. */
  policy: TrendPolicyName;
  /** Smallest step the measurement resolves (sampling quantum, MiB rounding of gctrace, 1 goroutine). */
  resolution: number;
  /** Values are floored to `resolution` (gctrace's whole MiB). */
  quantized?: boolean;
}

/** What a repeated look changes in a judgement (none of it for a single judgement). */
export interface SignalLook {
  /** Share of the policy's α this look may spend. */
  alphaShare: number;
  /** The bound tolerance is counted over at least this span (the fixed window's). */
  minBoundSpanSeconds: number;
}

export type SignalVerdict = TrendVerdict;

export interface SignalJudgement extends TrendJudgement {
  name: string;
  unit: SignalSpec["unit"];
  /** The judged series, downsampled to at most MAX_POINTS (for sparklines and charts). */
  series: SeriesPoint[];
}

/** Charts get at most this many points (bucket medians). */
export const MAX_POINTS = 240;

export function judgeSignal(input: SeriesPoint[], spec: SignalSpec, look?: SignalLook): SignalJudgement {
  const points = input
    .filter((p) => Number.isFinite(p.tSeconds) && Number.isFinite(p.value))
    .sort((a, b) => a.tSeconds - b.tSeconds);
  const judged = judgeTrend(points, spec.policy, {
    resolution: spec.resolution,
    quantized: spec.quantized,
    formatValue: valueFormat(spec.unit),
    ...(look ? { alphaShare: look.alphaShare, minBoundSpanSeconds: look.minBoundSpanSeconds } : {}),
  });
  return { ...judged, name: spec.name, unit: spec.unit, series: downsample(points, MAX_POINTS) };
}

/** judgeSignal bound to one look (or to a single judgement when `look` is undefined). */
export function signalJudgeFor(
  look: SignalLook | undefined,
): (input: SeriesPoint[], spec: SignalSpec) => SignalJudgement {
  return (input, spec) => judgeSignal(input, spec, look);
}

function valueFormat(unit: SignalSpec["unit"]): (value: number) => string {
  if (unit === "bytes") return formatBytes;
  return (value) => `${formatNumber(value)} ${unit}`;
}

/** Bucket medians, so a long recording is drawn from a bounded number of points. */
export function downsample(points: SeriesPoint[], maxPoints: number): SeriesPoint[] {
  if (points.length <= maxPoints) return points;
  const t0 = points[0].tSeconds;
  const width = (points[points.length - 1].tSeconds - t0) / maxPoints || 1;
  const out: SeriesPoint[] = [];
  let bucket: SeriesPoint[] = [];
  let bucketIndex = 0;
  const flush = (): void => {
    if (bucket.length === 0) return;
    out.push({
      tSeconds: median(bucket.map((p) => p.tSeconds)),
      value: median(bucket.map((p) => p.value)),
    });
    bucket = [];
  };
  for (const p of points) {
    const index = Math.min(Math.floor((p.tSeconds - t0) / width), maxPoints - 1);
    if (index !== bucketIndex) {
      flush();
      bucketIndex = index;
    }
    bucket.push(p);
  }
  flush();
  return out;
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const a = [...values].sort((x, y) => x - y);
  const mid = a.length >> 1;
  return a.length % 2 ? a[mid] : (a[mid - 1] + a[mid]) / 2;
}

export function formatP(p: number): string {
  if (p < 1e-4) return p.toExponential(0);
  return p.toPrecision(2);
}

export function describeRate(perSecond: number, unit: SignalSpec["unit"]): string {
  if (unit === "bytes") return formatByteRate(perSecond);
  return formatCountRate(perSecond, unit === "objects" ? "objects" : "goroutines");
}
