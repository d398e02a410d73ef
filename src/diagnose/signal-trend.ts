/**
 * Judges one memory signal (live heap after GC, live objects, goroutine count, off-heap memory) over
 * time: is it growing in a way that matters, is its growth shown to be bounded, or can the data not
 * tell? The statistics are the shared ones of analysis/trend.ts (Theil–Sen slope with Sen's
 * confidence interval, Mann–Kendall trend test); this module adds the decision rule doctor uses.
 *
 * Decision rule (per signal), applied to the recent regime (see `findRegimeStart`):
 *
 *   growing  ⇔ Mann–Kendall p < 0.001                    (a monotone trend, not noise)
 *             ∧ Sen's 95 % lower bound > 0                (the slope is positive)
 *             ∧ slope ≥ relevance floor                   (it matters: max(absolute, relative × level))
 *             ∧ growth over the regime ≥ 2 × resolution   (more than the measurement's step)
 *             ∧ the second half of the regime still grows (sustained, not a warm-up that is ending)
 *
 *   bounded  ⇔ not growing, enough points, and either
 *             (a) the slope's 95 % upper bound — widened to the smallest growth the measurement can
 *                 resolve over the regime — is below the relevance floor, or would add less than
 *                 BOUND_TOLERANCE (2 %) of the level over the regime (a short observation cannot
 *                 bound a per-hour rate, but it can bound what happened within it), or
 *             (b) the series shows no monotone tendency (Mann–Kendall p ≥ 0.1) and returns: the lowest
 *                 value of the regime's last third is at or below the median of its first third
 *                 (memory was released back to an earlier level, as in sawtooth or churn).
 *
 *   otherwise undecided; `extraSecondsNeeded` estimates how much longer an observation should be
 *   for the confidence interval to clear the floor (the interval narrows roughly as span^-1.5).
 *
 * α = 0.001 keeps the false-alarm rate low when several signals are judged at once; a real leak
 * over a few dozen snapshots gives p-values far below it.
 */
import { mannKendall, theilSenSlope } from "../analysis/trend.js";
import { formatByteRate, formatCountRate } from "../model/units.js";

export interface SeriesPoint {
  tSeconds: number;
  value: number;
}

export interface SignalSpec {
  /** Human name: "live heap after GC". */
  name: string;
  unit: "bytes" | "objects" | "goroutines";
  /** Growth below this rate never counts as a leak (units per second). */
  absoluteFloorPerSecond: number;
  /** ... nor growth below this fraction of the level per hour. */
  relativeFloorPerHour: number;
  /** Smallest step the measurement resolves (sampling quantum, MiB rounding of gctrace, 1 goroutine). */
  resolution: number;
  /** Smallest total growth over the regime that can count (e.g. a handful of goroutines). */
  minimumGrowth?: number;
  minPoints?: number;
  minSpanSeconds?: number;
  /**
   * Which Mann–Kendall p-value decides growth. "none" (default): the plain test, for measurements
   * whose noise is short-lived (exact counts, HeapAlloc after a forced GC). "hamed-rao": corrected
   * for autocorrelation, for sampled series whose noise wanders (a sampled heap profile of a cache
   * that turns over). The corrected p is always reported as `pValueCorrected`.
   */
  autocorrelation?: "none" | "hamed-rao";
}

export type SignalVerdict = "growing" | "bounded" | "undecided" | "insufficient";

export interface SignalJudgement {
  name: string;
  unit: SignalSpec["unit"];
  verdict: SignalVerdict;
  /** One sentence with the statistic. */
  reason: string;
  points: number;
  spanSeconds: number;
  /** Where the judged regime starts (after a warm-up that levelled off, or the first point). */
  regimeStartSeconds: number;
  regimePoints: number;
  /** The regime start was moved past a warm-up. */
  warmupSkipped: boolean;
  slopePerSecond: number;
  slopeLowPerSecond: number;
  slopeHighPerSecond: number;
  pValue: number;
  /** Mann–Kendall p with the Hamed–Rao autocorrelation correction. */
  pValueCorrected: number;
  /** Relevance floor used (units per second). */
  floorPerSecond: number;
  /** Median of the regime. */
  level: number;
  firstValue: number;
  lastValue: number;
  boundedBy?: "confidence" | "returns";
  /** For undecided signals: roughly how many more seconds of observation would decide. */
  extraSecondsNeeded?: number;
  /** The judged series, downsampled to at most MAX_POINTS (for sparklines and charts). */
  series: SeriesPoint[];
}

export const GROWTH_ALPHA = 0.001;
/**
 * "Bounded" in a short observation: the 95 % upper bound of the growth within the regime stays below
 * this fraction of the level (or below the per-hour floor, whichever is larger).
 */
export const BOUND_TOLERANCE = 0.02;
export const NO_TREND_ALPHA = 0.1;
/** Long recordings are reduced to this many points (bucket medians) before the O(n²) statistics. */
export const MAX_POINTS = 240;

export function judgeSignal(input: SeriesPoint[], spec: SignalSpec): SignalJudgement {
  const all = downsample(
    input
      .filter((p) => Number.isFinite(p.tSeconds) && Number.isFinite(p.value))
      .sort((a, b) => a.tSeconds - b.tSeconds),
    MAX_POINTS,
  );
  const minPoints = spec.minPoints ?? 8;
  const minSpan = spec.minSpanSeconds ?? 8;
  const n = all.length;
  const span = n > 1 ? all[n - 1].tSeconds - all[0].tSeconds : 0;
  const base: SignalJudgement = {
    name: spec.name,
    unit: spec.unit,
    verdict: "insufficient",
    reason: "",
    points: n,
    spanSeconds: span,
    regimeStartSeconds: n > 0 ? all[0].tSeconds : 0,
    regimePoints: n,
    warmupSkipped: false,
    slopePerSecond: 0,
    slopeLowPerSecond: 0,
    slopeHighPerSecond: 0,
    pValue: 1,
    pValueCorrected: 1,
    floorPerSecond: spec.absoluteFloorPerSecond,
    level: n > 0 ? median(all.map((p) => p.value)) : 0,
    firstValue: n > 0 ? all[0].value : 0,
    lastValue: n > 0 ? all[n - 1].value : 0,
    series: all,
  };
  if (n < minPoints || span < minSpan) {
    return {
      ...base,
      reason: `${n} point${n === 1 ? "" : "s"} over ${span.toFixed(0)} s; at least ${minPoints} over ${minSpan} s are needed`,
      extraSecondsNeeded:
        Math.max(minSpan - span, 0) +
        (n < minPoints && span > 0 ? (span / Math.max(n - 1, 1)) * (minPoints - n) : 0),
    };
  }

  const start = findRegimeStart(all, minPoints);
  const regime = all.slice(start);
  const regimeSpan = regime[regime.length - 1].tSeconds - regime[0].tSeconds;
  const ts = theilSenSlope(regime);
  const values = regime.map((p) => p.value);
  const plain = mannKendall(values, { autocorrelation: "none" });
  const corrected = mannKendall(values, { autocorrelation: "hamed-rao" });
  const mk = spec.autocorrelation === "hamed-rao" ? corrected : plain;
  const level = median(regime.map((p) => p.value));
  const floor = Math.max(spec.absoluteFloorPerSecond, (spec.relativeFloorPerHour * Math.abs(level)) / 3600);
  const growth = ts.slope * regimeSpan;
  const neededGrowth = Math.max(2 * spec.resolution, spec.minimumGrowth ?? 0);
  const judged: SignalJudgement = {
    ...base,
    regimeStartSeconds: regime[0].tSeconds,
    regimePoints: regime.length,
    warmupSkipped: start > 0,
    slopePerSecond: ts.slope,
    slopeLowPerSecond: ts.low,
    slopeHighPerSecond: ts.high,
    pValue: mk.pValue,
    pValueCorrected: corrected.pValue,
    floorPerSecond: floor,
    level,
  };

  const sustained = isSustained(regime, ts.slope);
  if (mk.pValue < GROWTH_ALPHA && ts.low > 0 && ts.slope >= floor && growth >= neededGrowth && sustained) {
    return {
      ...judged,
      verdict: "growing",
      reason: `grows ${describeRate(ts.slope, spec.unit)} (95 % CI ${describeRate(ts.low, spec.unit)} to ${describeRate(ts.high, spec.unit)}) over ${regimeSpan.toFixed(0)} s, Mann–Kendall p=${formatP(mk.pValue)}`,
    };
  }

  // The smallest slope the measurement could have shown over this regime.
  const resolvableSlope = regimeSpan > 0 ? spec.resolution / regimeSpan : Number.POSITIVE_INFINITY;
  const upper = Math.max(ts.high, resolvableSlope);
  // A short observation cannot bound a per-hour floor; it can bound the growth within itself.
  const boundFloor = Math.max(floor, regimeSpan > 0 ? (BOUND_TOLERANCE * Math.abs(level)) / regimeSpan : 0);
  if (upper < boundFloor) {
    return {
      ...judged,
      verdict: "bounded",
      boundedBy: "confidence",
      reason:
        boundFloor > floor
          ? `flat: slope ${describeRate(ts.slope, spec.unit)}; even its 95 % upper bound (${describeRate(upper, spec.unit)}) adds less than ${BOUND_TOLERANCE * 100} % over the ${regimeSpan.toFixed(0)} s observed`
          : `flat: slope ${describeRate(ts.slope, spec.unit)}, 95 % upper bound ${describeRate(upper, spec.unit)} is below the ${describeRate(floor, spec.unit)} that would matter`,
    };
  }
  if (mk.pValue >= NO_TREND_ALPHA && returnsToEarlierLevel(regime)) {
    return {
      ...judged,
      verdict: "bounded",
      boundedBy: "returns",
      reason: `no monotone trend (Mann–Kendall p=${formatP(mk.pValue)}) and it falls back to earlier levels`,
    };
  }

  const why =
    mk.pValue < GROWTH_ALPHA && ts.low > 0 && !sustained
      ? "grew, but the growth is slowing down"
      : mk.pValue < GROWTH_ALPHA && ts.low > 0 && ts.slope < floor
        ? `grows, but only ${describeRate(ts.slope, spec.unit)}, below the ${describeRate(floor, spec.unit)} that would matter`
        : mk.pValue < GROWTH_ALPHA && growth < neededGrowth
          ? "grew by less than the measurement resolves"
          : `trend unclear: slope ${describeRate(ts.slope, spec.unit)} (95 % CI ${describeRate(ts.low, spec.unit)} to ${describeRate(upper, spec.unit)}), Mann–Kendall p=${formatP(mk.pValue)}`;
  return {
    ...judged,
    verdict: "undecided",
    reason: why,
    extraSecondsNeeded: estimateExtraSeconds(regimeSpan, ts.slope, upper, floor),
  };
}

/**
 * Start of the recent regime. A one-line fit is compared with two independent line segments split at
 * every admissible point (the later segment keeps at least 40 % of the points and `minPoints`); when
 * the split halves the squared error, the behaviour changed (a warm-up that levelled off, or growth
 * that began late) and only the later segment is judged.
 */
export function findRegimeStart(points: SeriesPoint[], minPoints: number): number {
  const n = points.length;
  const minLater = Math.max(minPoints, Math.ceil(n * 0.4));
  const minEarlier = 3;
  if (n < minLater + minEarlier) return 0;
  const whole = lineFit(points, 0, n);
  if (whole.sse <= 0) return 0;
  let best = { index: 0, sse: whole.sse };
  for (let k = minEarlier; k <= n - minLater; k++) {
    const sse = lineFit(points, 0, k).sse + lineFit(points, k, n).sse;
    if (sse < best.sse) best = { index: k, sse };
  }
  return best.sse <= whole.sse * 0.5 ? best.index : 0;
}

function lineFit(points: SeriesPoint[], from: number, to: number): { slope: number; sse: number } {
  const m = to - from;
  if (m < 2) return { slope: 0, sse: 0 };
  let st = 0;
  let sv = 0;
  for (let i = from; i < to; i++) {
    st += points[i].tSeconds;
    sv += points[i].value;
  }
  const mt = st / m;
  const mv = sv / m;
  let stt = 0;
  let stv = 0;
  for (let i = from; i < to; i++) {
    const dt = points[i].tSeconds - mt;
    stt += dt * dt;
    stv += dt * (points[i].value - mv);
  }
  const slope = stt > 0 ? stv / stt : 0;
  let sse = 0;
  for (let i = from; i < to; i++) {
    const r = points[i].value - (mv + slope * (points[i].tSeconds - mt));
    sse += r * r;
  }
  return { slope, sse };
}

/** The later half of the regime still grows at a third of the regime's rate or more. */
function isSustained(regime: SeriesPoint[], slope: number): boolean {
  if (slope <= 0) return false;
  const half = regime.slice(Math.floor(regime.length / 2));
  if (half.length < 4) return true;
  return theilSenSlope(half).slope >= slope / 3;
}

function returnsToEarlierLevel(regime: SeriesPoint[]): boolean {
  const third = Math.max(2, Math.floor(regime.length / 3));
  const early = regime.slice(0, third).map((p) => p.value);
  const late = regime.slice(regime.length - third).map((p) => p.value);
  return Math.min(...late) <= median(early);
}

function estimateExtraSeconds(span: number, slope: number, upper: number, floor: number): number {
  const halfWidth = Math.max(upper - slope, 0);
  const margin = floor - Math.max(slope, 0);
  // The slope is near or above the floor: more data must separate it from zero instead.
  const target = margin > halfWidth * 0.1 ? margin : Math.max(Math.abs(slope) / 2, floor / 2);
  if (halfWidth <= 0 || target <= 0) return span;
  const factor = (halfWidth / target) ** (2 / 3);
  return Math.min(Math.max(span * (factor - 1), 30), 3600);
}

/** Bucket medians, so a long recording costs a bounded number of pairs in Theil–Sen. */
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
