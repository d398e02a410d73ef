/**
 * Is a memory series growing? Trend statistics for live heap after GC, HeapAlloc/HeapObjects
 * samples, goroutine counts. Pure and unit-agnostic: values in, verdict with its statistic out.
 *
 * The data this must be sound for, and the choice each property forces (each choice is documented
 * again where it is made; simulated false-positive and power figures are in the tests):
 * - Values are quantized (gctrace floors to whole MiB), so long runs of ties are normal.
 *   → Mann–Kendall with the tie-corrected variance; for the estimates, values are jittered within
 *     their quantization step (ties bias the median of pairwise slopes toward 0); a rise smaller
 *     than two quantization steps is never a leak.
 * - Consecutive cycles are autocorrelated (the same objects stay live, batch programs make
 *   sawtooths), so independence-based p-values would be far too small.
 *   → the Mann–Kendall variance is inflated by the larger of the Hamed–Rao (1998) correction and
 *     an AR(1) correction (never below 1), and Sen's slope interval uses that variance. A trend
 *     many times larger than the residual spread is accepted on the uncorrected test, because no
 *     persistent noise hugs its own trend line that closely.
 * - Regimes change: warm-up then plateau, a step after a deploy or a reload.
 *   → change points first (optimal piecewise-linear segmentation of block medians, number of
 *     segments by a BIC scaled to the effective sample size, immaterial breaks dropped), then a
 *     decelerating rise is cut to its flat end; only the last regime is judged.
 * - Sawtooths (batches) have a wide spread but a band that does not move.
 *   → "stable" may also be shown by the band: window maxima and minima that do not grow.
 * - A ratchet (a sawtooth whose minima keep rising) is a leak even when the medians are noisy.
 *   → the lower envelope (window minima) gets the same growth test.
 * - Large inputs (a million cycles): everything quadratic runs on a bounded number of blocks
 *   (≤ SEGMENTATION_BLOCKS for segmentation, ≤ JUDGE_MAX_POINTS for each test); blocking is O(n)
 *   and Mann–Kendall's S is O(n log n), so judging is linear-ish in the input.
 *
 * Verdicts:
 * - growing: the trend test is significant (p < alpha/2, Bonferroni over the level and the lower
 *   envelope), the slope's 95 % interval does not go below 0, the relative slope is at least
 *   `relativeSlopeFloorPerHour`, and the rise over the regime is at least two quantization steps.
 * - stable: not growing, enough points and span, no significant relevant rise, and the upper end
 *   of the slope's interval keeps growth below the practical floor. In a short regime a per-hour
 *   floor cannot be bounded (30 s of noisy data cannot rule out 5 %/h), so the floor used for
 *   "stable" is the larger of `relativeSlopeFloorPerHour` and the rate that adds
 *   STABLE_RISE_TOLERANCE (15 %) of the level over the regime: "stable" then means "no growth
 *   beyond 15 % of its size within what was observed"; the reason says the bound it reached.
 *   (15 % rather than 10 %: a flat sawtooth's peaks, seen only when a GC lands near them, could not
 *   be bounded to 10 % in 30–40 s on a loaded machine, and in simulations no leak that was missed
 *   at 10 % was called stable at 15 %; leaks are caught by the growth test, not by this bound.)
 * - inconclusive: everything else, including too few points or too short a span (never a guess).
 */

import { formatDuration } from "../model/units.js";

export interface TrendPoint {
  tSeconds: number;
  value: number;
}
export type TrendVerdict = "growing" | "stable" | "inconclusive";
export interface TrendOptions {
  /** Minimum points in the judged regime (default 12). */
  minPoints?: number;
  /** Minimum time span of the judged regime (default 10 s). */
  minSpanSeconds?: number;
  /**
   * Growth below this fraction of the level per hour is not a leak (default 0.001 = 0.1 %/h, about
   * 2.4 %/day: over a week that is +18 %, which a service owner wants to hear about; slower drift
   * is within what caches and fragmentation do).
   */
  relativeSlopeFloorPerHour?: number;
  /** Significance level of the trend test (default 0.01). */
  alpha?: number;
  /** quantization step of values, e.g. 1 MiB for gctrace */
  resolution?: number;
  /** How values are written in `reason` (default: 3 significant digits). */
  formatValue?: (value: number) => string;
  /** What the series is, for `reason` (default "value"). */
  valueLabel?: string;
}
export interface TrendResult {
  verdict: TrendVerdict;
  /** one sentence a user understands, with the statistic */
  reason: string;
  /** points used (the recent regime) */
  points: number;
  /** where the judged regime starts */
  regimeStartSeconds: number;
  /** Theil–Sen slope of the judged regime, value units per second */
  slopePerSecond: number;
  slopeLowPerSecond: number;
  slopeHighPerSecond: number;
  /** slope / median level, per hour */
  relativeSlopePerHour: number;
  /** of the monotonic trend test (ties + autocorrelation corrected) */
  pValue: number;
  firstValue: number;
  lastValue: number;
  /** Extra detail (additive to the shared contract). */
  regimeEndSeconds: number;
  /** Median value of the judged regime. */
  level: number;
  /** Start times of every detected regime (the first is the series start). */
  regimeStartsSeconds: number[];
  /** Points per block in the judged series (1 = raw points). */
  blockSize: number;
  /** Confidence level of the slope interval. */
  confidence: number;
  /** Which evidence decided: the regime's level, its lower envelope (ratchet), or none. */
  decidedBy: "level" | "envelope" | "none";
}

/** Normal quantile of the two-sided 95 % interval. */
const Z95 = 1.959963984540054;
/** Segmentation works on at most this many blocks (O(K·B²) dynamic programme). */
const SEGMENTATION_BLOCKS = 120;
/** Most segments considered by the change-point search. */
const MAX_SEGMENTS = 5;
/** The trend test and Theil–Sen run on at most this many (block) points: O(n²) pairs stay small. */
const JUDGE_MAX_POINTS = 400;
/** Halves of a regime whose slopes differ by this many standard errors mark a settling regime. */
const DECELERATION_Z = 2.33;
/** Default practical floor: 0.1 % of the level per hour (see TrendOptions). */
const DEFAULT_FLOOR_PER_HOUR = 0.001;
/** Rise / residual scale above which a trend is accepted without the autocorrelation correction. */
const OVERWHELMING_SNR = 8;
/** A regime change must shift the level by this fraction (see dropImmaterialBreaks). */
const MATERIAL_SHIFT = 0.02;
/** Envelope windows are this fraction of the judged regime (at least 4 points). */
const ENVELOPE_WINDOW_FRACTION = 0.05;
/** "stable" means the growth over the regime is bounded below this fraction of the level (see top). */
const STABLE_RISE_TOLERANCE = 0.15;
/** theilSenSlope computes all pairs up to this many points, then works on block medians. */
const THEIL_SEN_EXACT_MAX = 1500;

// ---------------------------------------------------------------------------------------------
// Theil–Sen

/**
 * Theil–Sen slope (median of pairwise slopes; pairs with equal times are skipped), Conover's
 * intercept (median(value) − slope × median(t)), and Sen's (1968) distribution-free 95 % interval
 * from the Mann–Kendall variance with ties. Above THEIL_SEN_EXACT_MAX points the estimate is taken on
 * that many equal-count block medians, which keeps it O(n) plus a bounded O(m²) part.
 */
export function theilSenSlope(points: TrendPoint[]): {
  slope: number;
  intercept: number;
  low: number;
  high: number;
} {
  const sorted = sortedFinite(points);
  const series = sorted.length > THEIL_SEN_EXACT_MAX ? blockMedians(sorted, THEIL_SEN_EXACT_MAX) : sorted;
  const variance = mannKendallVariance(series.map((p) => p.value));
  return senEstimate(series, variance, Z95);
}

function senEstimate(
  points: TrendPoint[],
  varianceS: number,
  z: number,
): { slope: number; intercept: number; low: number; high: number } {
  return senFromSlopes(pairwiseSlopes(points), points, varianceS, z);
}

/** Slopes of all pairs with distinct times (unordered). O(n²) memory and time: callers bound n. */
function pairwiseSlopes(points: TrendPoint[]): Float64Array {
  const n = points.length;
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const ti = points[i].tSeconds;
    const vi = points[i].value;
    for (let j = i + 1; j < n; j++) {
      const dt = points[j].tSeconds - ti;
      if (dt > 0) slopes[m++] = (points[j].value - vi) / dt;
      else if (dt < 0) slopes[m++] = (vi - points[j].value) / -dt;
    }
  }
  return slopes.subarray(0, m);
}

/**
 * Theil–Sen slope, Conover intercept and Sen's interval from precomputed pairwise slopes. Order
 * statistics by selection (O(m) each), not by sorting; `slopes` is reordered in place.
 */
function senFromSlopes(
  slopes: Float64Array,
  points: TrendPoint[],
  varianceS: number,
  z: number,
): { slope: number; intercept: number; low: number; high: number } {
  const m = slopes.length;
  if (points.length === 0) return { slope: 0, intercept: 0, low: 0, high: 0 };
  if (m === 0) return { slope: 0, intercept: medianOf(points.map((p) => p.value)), low: 0, high: 0 };
  const slope = rankValue(slopes, (m + 1) / 2);
  const intercept = medianOf(points.map((p) => p.value)) - slope * medianOf(points.map((p) => p.tSeconds));
  if (z === 0) return { slope, intercept, low: slope, high: slope };
  // Gilbert (1987) §16.5: C = z·sqrt(Var S); the bounds are the (N−C)/2-th and ((N+C)/2 + 1)-th
  // ordered slopes (1-based), interpolated between neighbours when not integers.
  const c = z * Math.sqrt(Math.max(0, varianceS));
  const lowRank = (m - c) / 2;
  const highRank = (m + c) / 2 + 1;
  const low = lowRank < 1 ? Number.NEGATIVE_INFINITY : rankValue(slopes, lowRank);
  const high = highRank > m ? Number.POSITIVE_INFINITY : rankValue(slopes, highRank);
  return { slope, intercept, low, high };
}

/** Value at a 1-based fractional rank (interpolated), by selection; reorders `values`. */
function rankValue(values: Float64Array, rank: number): number {
  const n = values.length;
  const clamped = Math.max(1, Math.min(n, rank));
  const lo = Math.floor(clamped);
  const frac = clamped - lo;
  const a = select(values, lo - 1);
  if (frac === 0 || lo >= n) return a;
  // After selection everything right of lo−1 is ≥ a: the next order statistic is their minimum.
  let b = Number.POSITIVE_INFINITY;
  for (let i = lo; i < n; i++) if (values[i] < b) b = values[i];
  return a + (b - a) * frac;
}

// ---------------------------------------------------------------------------------------------
// Mann–Kendall

/**
 * Mann–Kendall monotonic trend test on values in time order.
 * S counts concordant minus discordant pairs (O(n log n) with a Fenwick tree over value ranks);
 * the variance has the tie correction. With `autocorrelation: "hamed-rao"` (default) the variance
 * is multiplied by Hamed & Rao's (1998) n/n* computed from the significant autocorrelations of the
 * ranks of the Sen-detrended series, as pymannkendall's `hamed_rao_modification_test` does (all
 * lags up to n−1 for n ≤ 4000; above, lags up to 16·10⁶/n to stay linear-ish). z has the continuity
 * correction; the p-value is two-sided.
 */
export function mannKendall(
  values: number[],
  options: { autocorrelation?: "hamed-rao" | "none" } = {},
): { s: number; variance: number; z: number; pValue: number; tau: number } {
  const clean = values.filter((v) => Number.isFinite(v));
  return mannKendallCore(clean, options.autocorrelation ?? "hamed-rao", null, false);
}

function mannKendallCore(
  values: number[],
  autocorrelation: "hamed-rao" | "none",
  detrended: number[] | null,
  neverShrinkVariance: boolean,
  alphaForLags = 0.05,
  ar1Floor = false,
): { s: number; variance: number; z: number; pValue: number; tau: number; varianceFactor: number } {
  const n = values.length;
  if (n < 3) return { s: 0, variance: 0, z: 0, pValue: 1, tau: 0, varianceFactor: 1 };
  const s = mannKendallS(values);
  let variance = mannKendallVariance(values);
  let factor = 1;
  if (autocorrelation === "hamed-rao" && variance > 0) {
    let residuals = detrended;
    if (!residuals) {
      const slope = senSlopePerIndex(values);
      residuals = values.map((v, i) => v - slope * (i + 1));
    }
    const ranks = averageRanks(residuals);
    factor = hamedRaoFactor(ranks, alphaForLags);
    // A negative or zero factor (possible from many negative autocorrelations) has no meaning.
    if (!(factor > 0)) factor = 1;
    if (neverShrinkVariance) factor = Math.max(1, factor);
    if (ar1Floor) factor = Math.max(factor, ar1Factor(ranks));
    variance *= factor;
  }
  const z =
    variance > 0 ? (s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0) : 0;
  const pValue = variance > 0 ? Math.min(1, 2 * normalUpperTail(Math.abs(z))) : 1;
  return { s, variance, z, pValue, tau: s / ((n * (n - 1)) / 2), varianceFactor: factor };
}

/** S = Σ_{i<j} sign(x_j − x_i), in O(n log n). */
function mannKendallS(values: number[]): number {
  const n = values.length;
  const ranks = denseRanks(values);
  const size = ranks.max + 1;
  const tree = new Int32Array(size + 1);
  let s = 0;
  for (let j = 0; j < n; j++) {
    const r = ranks.ranks[j];
    // previous values strictly below r and strictly above r
    let below = 0;
    for (let i = r; i > 0; i -= i & -i) below += tree[i];
    let upTo = 0;
    for (let i = r + 1; i > 0; i -= i & -i) upTo += tree[i];
    const above = j - upTo;
    s += below - above;
    for (let i = r + 1; i <= size; i += i & -i) tree[i]++;
  }
  return s;
}

/** Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18 over tie groups t. */
function mannKendallVariance(values: number[]): number {
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  let tieTerm = 0;
  let run = 1;
  for (let i = 1; i <= n; i++) {
    if (i < n && sorted[i] === sorted[i - 1]) run++;
    else {
      if (run > 1) tieTerm += run * (run - 1) * (2 * run + 5);
      run = 1;
    }
  }
  return (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
}

function senSlopePerIndex(values: number[]): number {
  const n = values.length;
  if (n > THEIL_SEN_EXACT_MAX) {
    return theilSenSlope(values.map((value, i) => ({ tSeconds: i, value }))).slope;
  }
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let m = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) slopes[m++] = (values[j] - values[i]) / (j - i);
  slopes.sort();
  return quantileSorted(slopes, 0.5);
}

/**
 * Hamed & Rao (1998): n/n* = 1 + 2/(n(n−1)(n−2)) · Σ_k (n−k)(n−k−1)(n−k−2)·ρ_k over the lags whose
 * rank autocorrelation ρ_k of the detrended series lies outside ±z(1−α/2)/√n.
 */
function hamedRaoFactor(ranks: Float64Array, alphaForLags: number): number {
  const n = ranks.length;
  const acf = autocorrelation(ranks, n <= 4000 ? n - 1 : Math.max(10, Math.floor(16e6 / n)));
  const bound = normalQuantile(1 - alphaForLags / 2) / Math.sqrt(n);
  let sum = 0;
  for (let k = 1; k < acf.length; k++) {
    const r = acf[k];
    if (r > bound || r < -bound) sum += (n - k) * (n - k - 1) * (n - k - 2) * r;
  }
  return 1 + (2 / (n * (n - 1) * (n - 2))) * sum;
}

/**
 * n/n* of the Hamed–Rao formula for an AR(1) process, ρ_k = ρ^k, with ρ the lag-1 autocorrelation
 * of the detrended ranks corrected for its small-sample bias (E[ρ̂] ≈ ρ − (1 + 4ρ)/n).
 */
function ar1Factor(ranks: Float64Array): number {
  const n = ranks.length;
  if (n < 4) return 1;
  const r1 = autocorrelation(ranks, 1)[1];
  if (!(r1 > 0)) return 1;
  const rho = Math.min(0.98, r1 + (1 + 4 * r1) / n);
  let sum = 0;
  let power = 1;
  for (let k = 1; k < n - 2; k++) {
    power *= rho;
    if (power < 1e-9) break;
    sum += (n - k) * (n - k - 1) * (n - k - 2) * power;
  }
  return Math.max(1, 1 + (2 / (n * (n - 1) * (n - 2))) * sum);
}

/** Sample autocorrelation with the biased (1/n) autocovariance, lags 0..maxLag. */
function autocorrelation(x: ArrayLike<number>, maxLag: number): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = x[i] - mean;
  const lags = Math.min(maxLag, n - 1);
  const out = new Float64Array(lags + 1);
  let c0 = 0;
  for (let i = 0; i < n; i++) c0 += y[i] * y[i];
  if (c0 === 0) {
    out[0] = 1;
    return out;
  }
  for (let k = 0; k <= lags; k++) {
    let c = 0;
    for (let i = 0; i + k < n; i++) c += y[i] * y[i + k];
    out[k] = c / c0;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Change points

interface Block {
  tSeconds: number;
  value: number;
  firstIndex: number;
  lastIndex: number;
}

/**
 * Optimal partition of the block series into 1..MAX_SEGMENTS linear segments (each at least
 * `minLength` blocks) minimising the residual sum of squares, the number of segments chosen by BIC
 * with a common noise variance: B·ln(RSS_k/B + ε) + 3k·ln(B) (intercept, slope and change point per
 * segment). A common variance is what keeps a sawtooth in one segment: cutting it into teeth-sized
 * pieces cannot reduce the variance of a long periodic series much. ε is the quantization noise
 * (resolution²/12), so exactly flat quantized data does not make log(0) reward spurious cuts.
 * Returns the block indices where segments start.
 */
function segmentStarts(blocks: Block[], minLength: number, quantizationVariance: number): number[] {
  const b = blocks.length;
  if (b < 2 * minLength) return [0];
  // Scale to unit ranges so prefix sums of squares stay exact enough.
  const t0 = blocks[0].tSeconds;
  const tSpan = blocks[b - 1].tSeconds - t0 || 1;
  const values = blocks.map((x) => x.value);
  const v0 = medianOf(values);
  let vScale = 0;
  for (const v of values) vScale = Math.max(vScale, Math.abs(v - v0));
  vScale = vScale || 1;
  const st = new Float64Array(b + 1);
  const sv = new Float64Array(b + 1);
  const stt = new Float64Array(b + 1);
  const stv = new Float64Array(b + 1);
  const svv = new Float64Array(b + 1);
  for (let i = 0; i < b; i++) {
    const t = (blocks[i].tSeconds - t0) / tSpan;
    const v = (blocks[i].value - v0) / vScale;
    st[i + 1] = st[i] + t;
    sv[i + 1] = sv[i] + v;
    stt[i + 1] = stt[i] + t * t;
    stv[i + 1] = stv[i] + t * v;
    svv[i + 1] = svv[i] + v * v;
  }
  const rss = (from: number, to: number): number => {
    const n = to - from;
    const mt = (st[to] - st[from]) / n;
    const mv = (sv[to] - sv[from]) / n;
    const sxx = stt[to] - stt[from] - n * mt * mt;
    const sxy = stv[to] - stv[from] - n * mt * mv;
    const syy = svv[to] - svv[from] - n * mv * mv;
    const r = sxx > 1e-15 ? syy - (sxy * sxy) / sxx : syy;
    return Math.max(r, 0);
  };
  const maxSegments = Math.min(MAX_SEGMENTS, Math.floor(b / minLength));
  // cost[k][j]: best RSS of the first j blocks in k+1 segments; from[k][j]: where the last starts.
  const cost: Float64Array[] = [];
  const from: Int32Array[] = [];
  for (let k = 0; k < maxSegments; k++) {
    cost.push(new Float64Array(b + 1).fill(Number.POSITIVE_INFINITY));
    from.push(new Int32Array(b + 1).fill(-1));
  }
  for (let j = minLength; j <= b; j++) cost[0][j] = rss(0, j);
  for (let k = 1; k < maxSegments; k++) {
    for (let j = (k + 1) * minLength; j <= b; j++) {
      let best = Number.POSITIVE_INFINITY;
      let bestI = -1;
      for (let i = k * minLength; i <= j - minLength; i++) {
        const c = cost[k - 1][i] + rss(i, j);
        if (c < best) {
          best = c;
          bestI = i;
        }
      }
      cost[k][j] = best;
      from[k][j] = bestI;
    }
  }
  const backtrack = (k: number): number[] => {
    const starts: number[] = [];
    let end = b;
    for (let j = k; j > 0; j--) {
      const start = from[j][end];
      starts.push(start);
      end = start;
    }
    starts.push(0);
    return starts.reverse();
  };
  // Autocorrelated noise looks like many short trends and would be cut into pieces (a linear leak
  // with AR(1) noise came out as three segments). The likelihood is therefore scaled to the effective
  // number of blocks, B·(1−ρ)/(1+ρ). ρ comes from the first differences, whose lag-1 correlation is
  // −(1−ρ)/2 for AR(1) noise: a slope only shifts their mean and a step is a single outlier, so
  // regime changes barely move this estimate while noise structure does.
  const rho = ar1FromDifferences(values);
  const effective = rho > 0 ? Math.max(2, (b * (1 - rho)) / (1 + rho)) : b;
  const epsilon = quantizationVariance / (vScale * vScale) + 1e-12;
  let bestK = 0;
  let bestBic = Number.POSITIVE_INFINITY;
  for (let k = 0; k < maxSegments; k++) {
    const total = cost[k][b];
    if (!Number.isFinite(total)) continue;
    const bic = effective * Math.log(total / b + epsilon) + 3 * (k + 1) * Math.log(effective);
    if (bic < bestBic - 1e-9) {
      bestBic = bic;
      bestK = k;
    }
  }
  return backtrack(bestK);
}

/** AR(1) coefficient estimated from the lag-1 autocorrelation of first differences, in [0, 0.98]. */
function ar1FromDifferences(values: number[]): number {
  if (values.length < 5) return 0;
  const differences = new Float64Array(values.length - 1);
  for (let i = 1; i < values.length; i++) differences[i - 1] = values[i] - values[i - 1];
  const r = autocorrelation(differences, 1)[1] ?? -0.5;
  return Math.min(0.98, Math.max(0, 1 + 2 * r));
}

/** Least-squares line through points from..to−1. */
function fitLine(
  from: number,
  to: number,
  t: (i: number) => number,
  v: (i: number) => number,
): { slope: number; intercept: number } {
  const n = to - from;
  let mt = 0;
  let mv = 0;
  for (let i = from; i < to; i++) {
    mt += t(i);
    mv += v(i);
  }
  mt /= n;
  mv /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = from; i < to; i++) {
    sxx += (t(i) - mt) ** 2;
    sxy += (t(i) - mt) * (v(i) - mv);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { slope, intercept: mv - slope * mt };
}

/**
 * A change of regime must matter, not only be detectable: the previous segment's line, carried
 * into the last segment, must miss the last segment's line by at least `threshold` on average (a
 * step, or the end of a warm-up). A leak cut in two by noise continues the same line and is joined
 * again. Applied from the last break backwards.
 */
function dropImmaterialBreaks(
  starts: number[],
  blocks: Block[],
  threshold: (level: number) => number,
): number[] {
  const out = [...starts];
  const t = (i: number) => blocks[i].tSeconds;
  const v = (i: number) => blocks[i].value;
  while (out.length > 1) {
    const lastFrom = out[out.length - 1];
    const previousFrom = out[out.length - 2];
    const last = fitLine(lastFrom, blocks.length, t, v);
    const previous = fitLine(previousFrom, lastFrom, t, v);
    let miss = 0;
    for (let i = lastFrom; i < blocks.length; i++) {
      miss += Math.abs(previous.intercept + previous.slope * t(i) - (last.intercept + last.slope * t(i)));
    }
    miss /= blocks.length - lastFrom;
    const level = medianOf(blocks.slice(lastFrom).map((x) => x.value));
    if (miss >= threshold(level)) break;
    out.pop();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The verdict

interface SeriesJudgement {
  slope: number;
  low: number;
  high: number;
  /** Autocorrelation-corrected Mann–Kendall p. */
  pValue: number;
  /** Mann–Kendall p with ties but no autocorrelation correction. */
  plainPValue: number;
  /** Rise over the series (Sen slope × span) / robust scale of the residuals around the Sen line. */
  signalToNoise: number;
  blockSize: number;
  points: number;
}

/**
 * Judges a series in time order: Theil–Sen with Sen's interval and Mann–Kendall on the points (or on
 * block medians/minima/maxima when aggregating), with the variance inflated for autocorrelation by
 * the larger of two corrections (never below 1):
 * - Hamed–Rao over the significant lags (catches periodic structure at any lag), and
 * - an AR(1) model from the lag-1 rank autocorrelation of the detrended series, bias-corrected and
 *   applied whether or not it is "significant". Hamed–Rao alone drops lag-1 correlations that are
 *   real but not significant in a short series, which made stationary AR(1) noise (φ = 0.8, 200
 *   points) look like a trend in 8 % of simulated series; with the AR(1) floor it stays near alpha.
 */
function judgeSeries(
  points: TrendPoint[],
  confidenceZ: number,
  aggregate: "median" | "min" | "max",
  minimumBlockSize: number,
  noiseFloor: number,
  ar1Floor = true,
): SeriesJudgement {
  const n = points.length;
  const size = Math.max(minimumBlockSize, Math.ceil(n / JUDGE_MAX_POINTS));
  const series = aggregateBlocks(points, size, aggregate);
  const values = series.map((p) => p.value);
  const slopes = pairwiseSlopes(series);
  const sen = senFromSlopes(slopes, series, 0, 0);
  // Detrended in time, not by index: GC cycles come faster when the heap is small, so a leak that is
  // linear in time is convex by index, and that curvature would pass for autocorrelation.
  const residuals = series.map((p) => p.value - sen.slope * p.tSeconds);
  const mk = mannKendallCore(values, "hamed-rao", residuals, true, 0.05, ar1Floor);
  const plain = mannKendallCore(values, "none", null, false);
  const interval = senFromSlopes(slopes, series, mk.variance, confidenceZ);
  const span = series.length > 1 ? series[series.length - 1].tSeconds - series[0].tSeconds : 0;
  const center = medianOf(residuals);
  const scale = Math.max(1.4826 * medianOf(residuals.map((r) => Math.abs(r - center))), noiseFloor);
  return {
    slope: interval.slope,
    low: interval.low,
    high: interval.high,
    pValue: mk.pValue,
    plainPValue: plain.pValue,
    signalToNoise: scale > 0 ? Math.abs(sen.slope * span) / scale : Number.POSITIVE_INFINITY,
    blockSize: size,
    points: series.length,
  };
}

/**
 * Decides whether `points` (time, value) grow, with the reasoning described at the top of this file.
 */
export function judgeTrend(points: TrendPoint[], options: TrendOptions = {}): TrendResult {
  const minPoints = Math.max(3, options.minPoints ?? 12);
  const minSpan = options.minSpanSeconds ?? 10;
  const floorPerHour = options.relativeSlopeFloorPerHour ?? DEFAULT_FLOOR_PER_HOUR;
  const alpha = options.alpha ?? 0.01;
  const resolution = Math.max(0, options.resolution ?? 0);
  const format = options.formatValue ?? ((v: number) => formatNumber(v));
  const label = options.valueLabel ?? "value";

  const sorted = sortedFinite(points);
  const n = sorted.length;
  const empty: TrendResult = {
    verdict: "inconclusive",
    reason: "",
    points: n,
    regimeStartSeconds: n > 0 ? sorted[0].tSeconds : 0,
    regimeEndSeconds: n > 0 ? sorted[n - 1].tSeconds : 0,
    slopePerSecond: 0,
    slopeLowPerSecond: 0,
    slopeHighPerSecond: 0,
    relativeSlopePerHour: 0,
    pValue: 1,
    firstValue: n > 0 ? sorted[0].value : 0,
    lastValue: n > 0 ? sorted[n - 1].value : 0,
    level: n > 0 ? medianOf(sorted.map((p) => p.value)) : 0,
    regimeStartsSeconds: n > 0 ? [sorted[0].tSeconds] : [],
    blockSize: 1,
    confidence: 1 - alpha,
    decidedBy: "none",
  };
  const totalSpan = n > 0 ? sorted[n - 1].tSeconds - sorted[0].tSeconds : 0;
  if (n < minPoints || totalSpan < minSpan) {
    return {
      ...empty,
      reason: `too little data to judge: ${n} point${n === 1 ? "" : "s"} over ${formatDuration(totalSpan)}; at least ${minPoints} over ${formatDuration(minSpan)} are needed`,
    };
  }

  // 1. Regimes. Segment equal-count block medians, keep the last segment. Every segment must hold
  // enough points to be judged on its own, and a last segment shorter than minSpan is merged back:
  // a regime too short to judge would turn a real trend into "inconclusive".
  // Quantized values (gctrace floors to whole MiB) are jittered within their quantization step for
  // everything that estimates: the true value behind a floored v lies in [v, v + resolution), and
  // ties at a coarse step bias the median of pairwise slopes toward 0 (a 3 % rise over 300 floored
  // points came out as 2 %). Jittering is the standard remedy for median-type estimators on discrete
  // data (Machado & Santos Silva 2005); the jitter is a fixed pseudo-random sequence, so verdicts are
  // reproducible. Reported values (first, last, level) are the unjittered ones.
  const work = resolution > 0 ? jittered(sorted, resolution) : sorted;
  // Quantization noise (uniform over one step) is the least residual spread there can be.
  const noiseFloor = resolution / Math.sqrt(12);
  const segBlockSize = Math.ceil(n / SEGMENTATION_BLOCKS);
  const blocks = blockSummaries(work, segBlockSize);
  const minLength = Math.max(4, Math.ceil(blocks.length / 10), Math.ceil(minPoints / segBlockSize));
  const starts = dropImmaterialBreaks(
    segmentStarts(blocks, minLength, (resolution * resolution) / 12),
    blocks,
    (level) => Math.max(2 * resolution, MATERIAL_SHIFT * Math.abs(level)),
  );
  // The last regime is the one judged, with a test that loses power to the autocorrelation
  // correction on few points: it must hold at least twice minPoints and 15 % of the series, else it
  // is merged with the one before (a step right at the end is then judged as part of the data).
  const lastRegimeMinPoints = Math.max(2 * minPoints, Math.ceil(0.15 * n));
  while (starts.length > 1) {
    const lastFirst = blocks[starts[starts.length - 1]].firstIndex;
    if (
      sorted[n - 1].tSeconds - sorted[lastFirst].tSeconds >= minSpan &&
      n - lastFirst >= lastRegimeMinPoints
    )
      break;
    starts.pop();
  }
  const regimeStartsSeconds = starts.map((s) => sorted[blocks[s].firstIndex].tSeconds);
  const regimeFirst = blocks[starts[starts.length - 1]].firstIndex;
  let regime = work.slice(regimeFirst);
  // A decelerating rise is a regime still settling (the tail of a warm-up approaching its plateau,
  // or a step the segmentation did not separate from the noise), not a leak: a leak keeps its slope.
  // When the first half of the regime rises significantly and the second half's upper bound is
  // below the first half's slope, only the second half is the recent regime. Repeated while both
  // halves stay judgeable.
  for (let round = 0; round < 3; round++) {
    const from = regime[0].tSeconds;
    const to = regime[regime.length - 1].tSeconds;
    if (regime.length < 2 * minPoints || to - from < 2 * minSpan) break;
    const middle = (from + to) / 2;
    let split = regime.findIndex((p) => p.tSeconds >= middle);
    if (split < minPoints || regime.length - split < minPoints) break;
    const first = judgeSeries(regime.slice(0, split), Z95, "median", 1, noiseFloor);
    const second = judgeSeries(regime.slice(split), Z95, "median", 1, noiseFloor);
    // "Clearly flatter": the halves' slopes differ by more than 2.33 standard errors (1 % one-sided;
    // standard errors from the 95 % intervals). A looser rule (second half's upper bound below the
    // first half's slope) cut 8 % of simulated linear leaks in half and then misjudged the rest.
    const standardError = (j: SeriesJudgement) => (j.high - j.low) / (2 * Z95);
    const difference = first.slope - second.slope;
    const decelerates =
      Number.isFinite(first.high - first.low) &&
      Number.isFinite(second.high - second.low) &&
      difference > DECELERATION_Z * Math.hypot(standardError(first), standardError(second));
    if (!(first.slope > 0 && first.pValue < 0.05 && first.low >= 0 && decelerates)) break;
    regime = regime.slice(split);
    regimeStartsSeconds.push(regime[0].tSeconds);
    split = 0;
  }
  const regimeStart = regime[0].tSeconds;
  const regimeEnd = regime[regime.length - 1].tSeconds;
  const span = regimeEnd - regimeStart;
  const reported = sorted.slice(n - regime.length);
  const level = medianOf(reported.map((p) => p.value));
  const base: TrendResult = {
    ...empty,
    points: regime.length,
    regimeStartSeconds: regimeStart,
    regimeEndSeconds: regimeEnd,
    firstValue: reported[0].value,
    lastValue: reported[reported.length - 1].value,
    level,
    regimeStartsSeconds,
  };
  const shifted =
    regimeStartsSeconds.length > 1
      ? `since the last change of regime at ${formatDuration(regimeStart)}, `
      : "";
  if (regime.length < minPoints || span < minSpan) {
    return {
      ...base,
      reason: `${shifted}only ${regime.length} points over ${formatDuration(span)}: too few to judge`,
    };
  }

  // 2. The regime's level (block medians) and its envelopes (window minima and maxima over windows of
  // ENVELOPE_WINDOW_FRACTION of the regime, so each window spans several periods of a sawtooth).
  // Growth is tested on the level and on the minima (a ratchet), each at alpha/2. Intervals are 95 %:
  // "growing" additionally needs the stricter test, "stable" needs the interval's upper end bounded.
  const zInterval = Z95;
  const main = judgeSeries(regime, zInterval, "median", 1, noiseFloor);
  const windowSize = Math.max(4, Math.ceil(regime.length * ENVELOPE_WINDOW_FRACTION));
  const lower = judgeSeries(regime, zInterval, "min", windowSize, noiseFloor);
  const relative = (slope: number, reference = level) =>
    reference !== 0 ? (slope / Math.abs(reference)) * 3600 : 0;
  const riseFloor = 2 * resolution;
  // Quantized values make many pairwise slopes exactly 0, so a real trend's interval often starts
  // at exactly 0: "excludes 0" is read as low ≥ 0 with a positive slope, the test deciding the rest.
  // Overwhelming evidence: the autocorrelation corrections cannot tell a smooth deterministic curve
  // (a leak whose rate varies with load) from persistent noise in a short regime, and inflate the
  // variance for both. Persistent noise that wanders far cannot also hug its own trend line: over
  // any window a random walk's drift is only a few times its residual spread. So a rise of at least
  // OVERWHELMING_SNR residual scales with a significant uncorrected test counts as significant.
  const significant = (j: SeriesJudgement) =>
    j.pValue < alpha / 2 || (j.plainPValue < alpha / 2 && j.signalToNoise >= OVERWHELMING_SNR);
  const isGrowing = (j: SeriesJudgement) =>
    significant(j) &&
    j.low >= 0 &&
    j.slope > 0 &&
    relative(j.slope) >= floorPerHour &&
    j.slope * span >= riseFloor;
  const mainGrowing = isGrowing(main);
  const envelopeGrowing = !mainGrowing && isGrowing(lower);
  const decisive = envelopeGrowing ? lower : main;
  const result: TrendResult = {
    ...base,
    slopePerSecond: decisive.slope,
    slopeLowPerSecond: decisive.low,
    slopeHighPerSecond: decisive.high,
    relativeSlopePerHour: relative(decisive.slope),
    pValue: decisive.pValue,
    blockSize: decisive.blockSize,
    confidence: 0.95,
  };
  const interval = (j: SeriesJudgement, reference = level) =>
    `95% CI ${formatPercent(relative(j.low, reference))} to ${formatPercent(relative(j.high, reference))}/h`;
  const over = `over ${formatDuration(span)} (${regime.length} points)`;
  if (mainGrowing || envelopeGrowing) {
    const what = envelopeGrowing ? `the minima of ${label} (a ratchet)` : label;
    return {
      ...result,
      verdict: "growing",
      decidedBy: envelopeGrowing ? "envelope" : "level",
      reason: `${shifted}${what} grows ${formatPercent(relative(decisive.slope))}/h (${format(decisive.slope * 3600)}/h, ${interval(decisive)}) ${over}, Mann–Kendall p ${formatP(decisive.pValue)}`,
    };
  }

  // 3. Stable needs the growth bounded. In a short regime the per-hour floor cannot be bounded, so
  // the bound is on the growth within the regime (STABLE_RISE_TOLERANCE of the level, see top).
  const stableFloorPerHour = Math.max(floorPerHour, span > 0 ? (STABLE_RISE_TOLERANCE * 3600) / span : 0);
  const withinResolution = (j: SeriesJudgement) =>
    resolution > 0 && Number.isFinite(j.high) && j.high * span < riseFloor;
  // A rise significant at 5 % (split over the series tested: one for the level, two for the
  // band) that is relevant is not stable, even if not yet "growing".
  const risesRelevantly = (j: SeriesJudgement, reference: number, significance: number) =>
    j.slope > 0 &&
    j.low >= 0 &&
    (j.pValue < significance || (j.plainPValue < significance && j.signalToNoise >= OVERWHELMING_SNR)) &&
    relative(j.slope, reference) >= floorPerHour &&
    !withinResolution(j);
  const levelBounded =
    !risesRelevantly(main, level, 0.05) &&
    (relative(main.high) < stableFloorPerHour || withinResolution(main));
  // A wide sawtooth or heavy noise leaves the level's interval wide even when nothing grows. Then
  // the band it moves in decides: neither its peaks (window maxima) nor its floor (window minima)
  // may grow by more than the tolerance, measured against the peak level (what memory must hold).
  let bandBounded = false;
  let upper: SeriesJudgement | undefined;
  let floorBandHigh = lower.high;
  let peakLevel = level;
  if (!levelBounded && main.pValue >= alpha / 2) {
    // The band's bounds use the Hamed–Rao correction alone (the published method): the AR(1) floor
    // exists to keep noise from passing for growth; applied to a bound it only widens it, and a
    // flat sawtooth's window maxima, which wander a little with machine load, could then never be
    // bounded in a short run.
    upper = judgeSeries(regime, zInterval, "max", windowSize, noiseFloor, false);
    const floorBand = judgeSeries(regime, zInterval, "min", windowSize, noiseFloor, false);
    floorBandHigh = floorBand.high;
    peakLevel = medianOf(aggregateBlocks(regime, windowSize, "max").map((p) => p.value));
    const bounded = (j: SeriesJudgement) =>
      relative(j.high, peakLevel) < stableFloorPerHour || withinResolution(j);
    bandBounded =
      // The level and the floor (what is retained) must not rise; the peaks only need to stay
      // within the bound: the pacer settling or batch sizes varying move a sawtooth's peaks a little
      // (a real program's drifted 1 MiB in 36 s, significant but far inside the bound).
      !risesRelevantly(main, level, 0.05 / 2) &&
      !risesRelevantly(floorBand, peakLevel, 0.05 / 2) &&
      bounded(upper) &&
      bounded(floorBand);
  }
  const direction =
    main.high < 0 || (main.high <= 0 && main.slope < 0 && main.pValue < 0.05)
      ? "falls"
      : main.slope > 0 && main.low >= 0 && main.pValue < 0.05
        ? "rises slightly"
        : "shows no trend";
  const mk = `Mann–Kendall p ${formatP(main.pValue)}`;
  if (levelBounded || bandBounded) {
    let bound: string;
    if (levelBounded) {
      bound =
        stableFloorPerHour > floorPerHour
          ? `growth within the regime is at most ${formatPercent(Math.max(0, relative(main.high)) * (span / 3600))} of its level`
          : `growth is below ${formatPercent(floorPerHour)}/h`;
    } else {
      const worst = Math.max(relative(upper!.high, peakLevel), relative(floorBandHigh, peakLevel), 0);
      bound = `it moves in a band whose peaks (${format(peakLevel)}) and floor grow by at most ${formatPercent(worst * (span / 3600))} of the peak within the regime`;
    }
    return {
      ...result,
      verdict: "stable",
      decidedBy: levelBounded ? "level" : "envelope",
      reason: `${shifted}${label} ${direction} at ${format(level)} ${over}: ${formatPercent(relative(main.slope))}/h (${interval(main)}), ${mk}; ${bound}`,
    };
  }
  return {
    ...result,
    verdict: "inconclusive",
    decidedBy: "none",
    reason: `${shifted}${label} ${direction === "shows no trend" ? "shows no significant trend" : direction} ${over} (${formatPercent(relative(main.slope))}/h, ${interval(main)}, ${mk}), but the data cannot rule out growth of ${formatPercent(relative(main.high))}/h; a longer observation would tell`,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

function sortedFinite(points: TrendPoint[]): TrendPoint[] {
  const out = points.filter((p) => Number.isFinite(p.tSeconds) && Number.isFinite(p.value));
  // Stable sort keeps equal-time points in input order.
  let ordered = true;
  for (let i = 1; i < out.length; i++) {
    if (out[i].tSeconds < out[i - 1].tSeconds) {
      ordered = false;
      break;
    }
  }
  if (!ordered) out.sort((a, b) => a.tSeconds - b.tSeconds);
  return out;
}

/** Values plus a reproducible pseudo-random offset in [0, step) (xorshift32, fixed seed). */
function jittered(points: TrendPoint[], step: number): TrendPoint[] {
  let state = 0x9e3779b9;
  return points.map((p) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const u = (state >>> 0) / 4294967296;
    return { tSeconds: p.tSeconds, value: p.value + u * step };
  });
}

/** Consecutive blocks of `size` points (the last may be larger): median time and value. */
function blockSummaries(points: TrendPoint[], size: number): Block[] {
  const n = points.length;
  const count = Math.max(1, Math.floor(n / size));
  const blocks: Block[] = [];
  const times: number[] = [];
  const values: number[] = [];
  for (let b = 0; b < count; b++) {
    const first = b * size;
    const last = b === count - 1 ? n - 1 : first + size - 1;
    times.length = 0;
    values.length = 0;
    for (let i = first; i <= last; i++) {
      times.push(points[i].tSeconds);
      values.push(points[i].value);
    }
    blocks.push({ tSeconds: medianOf(times), value: medianOf(values), firstIndex: first, lastIndex: last });
  }
  return blocks;
}

function blockMedians(points: TrendPoint[], maxBlocks: number): TrendPoint[] {
  return blockSummaries(points, Math.ceil(points.length / maxBlocks)).map((b) => ({
    tSeconds: b.tSeconds,
    value: b.value,
  }));
}

function aggregateBlocks(
  points: TrendPoint[],
  size: number,
  aggregate: "median" | "min" | "max",
): TrendPoint[] {
  if (size <= 1) return points;
  if (aggregate === "median")
    return blockSummaries(points, size).map((b) => ({ tSeconds: b.tSeconds, value: b.value }));
  const n = points.length;
  const count = Math.max(1, Math.floor(n / size));
  const out: TrendPoint[] = [];
  for (let b = 0; b < count; b++) {
    const first = b * size;
    const last = b === count - 1 ? n - 1 : first + size - 1;
    let pick = points[first];
    for (let i = first + 1; i <= last; i++) {
      const v = points[i].value;
      if (aggregate === "min" ? v < pick.value : v > pick.value) pick = points[i];
    }
    // The time of an extreme is where it was seen: a ratchet's floor rises between those instants.
    out.push({ tSeconds: pick.tSeconds, value: pick.value });
  }
  return out;
}

function medianOf(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  const a = Float64Array.from(values as ArrayLike<number>);
  if (n > 64) return quickselectMedian(a);
  a.sort();
  return quantileSorted(a, 0.5);
}

function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median in O(n) expected (in place). */
function quickselectMedian(a: Float64Array): number {
  const n = a.length;
  const k = n >> 1;
  const upper = select(a, k);
  if (n % 2 === 1) return upper;
  let lowerMax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < k; i++) if (a[i] > lowerMax) lowerMax = a[i];
  return (lowerMax + upper) / 2;
}

function select(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    const pivot = a[(left + right) >> 1];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k];
}

function denseRanks(values: number[]): { ranks: Int32Array; max: number } {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Int32Array(n);
  let rank = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && values[order[i]] !== values[order[i - 1]]) rank++;
    ranks[order[i]] = rank;
  }
  return { ranks, max: rank };
}

/** Ranks 1..n with ties given their average rank (scipy's rankdata default). */
function averageRanks(values: number[]): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const average = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = average;
    i = j + 1;
  }
  return ranks;
}

/** P(Z > z) for a standard normal, accurate in the far tail (erfc with Chebyshev fit, |ε| < 1.2e-7 relative). */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9 after refinement). */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // One Halley step against the CDF.
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}

function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return fraction > 0 ? "+∞%" : "−∞%";
  const pct = fraction * 100;
  const digits = Math.abs(pct) >= 100 ? 0 : Math.abs(pct) >= 10 ? 1 : 2;
  const text = pct.toFixed(digits);
  return `${pct >= 0 ? "+" : ""}${text}%`;
}

function formatP(p: number): string {
  if (p < 0.001) return "< 0.001";
  return `= ${p.toFixed(3)}`;
}
