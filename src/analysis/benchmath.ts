/**
 * The statistics benchstat v2 uses (golang.org/x/perf/benchmath on top of
 * github.com/aclements/go-moremath/stats), re-derived so heapscope's numbers equal benchstat's:
 *
 * - summary of a noisy metric: the median (R8 quantile) with a distribution-free confidence
 *   interval from order statistics of Binomial(n, ½) (normal approximation above n = 30);
 * - summary of an exact metric: the mode, with [min, max] as its "interval";
 * - comparison of noisy metrics: the two-sided Mann–Whitney U test, exact distribution for
 *   n ≤ 50 per side without ties or n ≤ 25 with ties (counted over tie groups), otherwise the
 *   normal approximation with tie and continuity corrections;
 * - comparison of exact metrics: every difference counts (p = 0, α = 0).
 *
 * Pure: no I/O. Values are plain numbers; inputs are never mutated.
 */

export interface SampleSummary {
  /** Median (noisy assumption) or mode (exact assumption). */
  center: number;
  /** Lower bound of the confidence interval; -Infinity when the sample is too small. */
  lo: number;
  /** Upper bound of the confidence interval; +Infinity when the sample is too small. */
  hi: number;
  /** Actual confidence of [lo, hi] (≥ the requested level; 1 when the interval is unbounded). */
  confidence: number;
  warnings: string[];
}

export interface SampleComparison {
  /** p-value of "both samples come from one distribution"; 0 means exact (every difference counts). */
  p: number;
  /** Significance level the p-value is held against (0 for exact comparisons). */
  alpha: number;
  n1: number;
  n2: number;
  warnings: string[];
}

export type Assumption = "nothing" | "exact";

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_CONFIDENCE = 0.95;

// ---------------------------------------------------------------------------------------------
// Small exact helpers

const chooseCache = new Map<string, number>();

/** C(n, k) as the double nearest the exact integer (computed with BigInt, so it is exact to 2^53). */
export function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  if (k === 0 || k === n) return 1;
  if (k > n - k) k = n - k;
  const key = `${n},${k}`;
  const cached = chooseCache.get(key);
  if (cached !== undefined) return cached;
  let result = 1n;
  for (let i = 1; i <= k; i++) result = (result * BigInt(n - k + i)) / BigInt(i);
  const value = Number(result);
  chooseCache.set(key, value);
  return value;
}

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// Normal distribution

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * Complementary error function to about 1e-15 relative accuracy.
 * Small |x|: the all-positive series erf(x) = 2/√π·e^{-x²}·Σ 2ⁿx^{2n+1}/(2n+1)!! (no cancellation).
 * Large x: the Laplace continued fraction for erfc, evaluated with the modified Lentz method.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x < 2.5) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    const erf = ((2 / SQRT_PI) * Math.exp(-x2) * sum) as number;
    return 1 - erf;
  }
  if (x > 27) return 0; // below the smallest double
  // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / SQRT_PI / f;
}

export function normalCdf(x: number, mu = 0, sigma = 1): number {
  return erfc(-(x - mu) / (sigma * Math.SQRT2)) / 2;
}

/** Inverse of normalCdf, refined by Newton steps on erfc until it stops moving. */
export function normalInvCdf(p: number, mu = 0, sigma = 1): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  // Start from a coarse logistic-style guess, then Newton on Φ(z) − p.
  let z = p < 0.5 ? -Math.sqrt(-2 * Math.log(p)) : Math.sqrt(-2 * Math.log(1 - p));
  z = Math.sign(z) * Math.max(0, Math.abs(z) - (0.8 + 0.1 * Math.abs(z)) / (1 + 0.3 * Math.abs(z)));
  for (let i = 0; i < 100; i++) {
    const err = normalCdf(z) - p;
    const pdf = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
    if (pdf === 0) break;
    const step = err / pdf;
    // Halley's correction keeps the iteration stable in the tails.
    const next = z - step / (1 + (z * step) / 2);
    if (next === z || Math.abs(next - z) <= 1e-15 * Math.max(1, Math.abs(z))) {
      z = next;
      break;
    }
    z = next;
  }
  return z * sigma + mu;
}

// ---------------------------------------------------------------------------------------------
// Quantiles and the median's confidence interval

/** R8 quantile (Hyndman & Fan) with linear interpolation of a sorted sample; q = ½ is the median. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (q <= 0) return sorted[0]!;
  if (q >= 1) return sorted[n - 1]!;
  const position = 1 / 3 + q * (n + 1 / 3);
  const k = Math.trunc(position);
  const frac = position - k;
  if (k <= 0) return sorted[0]!;
  if (k >= n) return sorted[n - 1]!;
  return sorted[k - 1]! + frac * (sorted[k]! - sorted[k - 1]!);
}

export function median(values: readonly number[]): number {
  return quantileSorted(sortedCopy(values), 0.5);
}

export interface QuantileInterval {
  n: number;
  /** 1-based order statistics bounding the interval; < 1 or > n means unbounded on that side. */
  loOrder: number;
  hiOrder: number;
  confidence: number;
}

/**
 * ln Γ(m) for m = 0…31 exactly as Go's math.Lgamma returns them (several are 1–2 ulp away from
 * the correctly rounded value; the tests check every entry against Go bit for bit).
 * go-moremath computes C(n, k) for n > 20 as exp(lnΓ(n+1) − lnΓ(k+1) − lnΓ(n−k+1)), so the two
 * "equal" neighbours C(n, k) and C(n, n−k) can differ in their last bits, and which one the
 * median interval takes first decides its bounds (n = 24 at 95 %: orders 8…18, not 7…17).
 */
const GO_LGAMMA_OF_INTEGER = [
  Number.POSITIVE_INFINITY,
  0,
  0,
  Math.LN2,
  1.791759469228055,
  3.1780538303479458,
  4.787491742782046,
  6.579251212010101,
  8.525161361065413,
  10.60460290274525,
  12.80182748008147,
  15.104412573075518,
  17.502307845873887,
  19.98721449566189,
  22.552163853123428,
  25.19122118273868,
  27.89927138384089,
  30.671860106080675,
  33.50507345013689,
  36.39544520803305,
  39.339884187199495,
  42.335616460753485,
  45.380138898476915,
  48.47118135183523,
  51.60667556776438,
  54.78472939811231,
  58.003605222980525,
  61.261701761002,
  64.55753862700632,
  67.88974313718154,
  71.25703896716801,
  74.65823634883017,
];

/** C(n, k) the way go-moremath's mathx.Choose computes it (exact up to n = 20, log-gamma above). */
function moremathChoose(n: number, k: number): number {
  if (k === 0 || k === n) return 1;
  if (k < 0 || n < k) return 0;
  if (n <= 20) return choose(n, k);
  const lnGamma = (m: number) => GO_LGAMMA_OF_INTEGER[m] ?? lnGammaOfInteger(m);
  return Math.exp(lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1));
}

/** ln((m−1)!) by summing logs; only used past the table, where no tie-breaking depends on it. */
function lnGammaOfInteger(m: number): number {
  let sum = 0;
  for (let i = 2; i < m; i++) sum += Math.log(i);
  return sum;
}

/** Exported for the tests that compare the table with Go. */
export const goLgammaTable: readonly number[] = GO_LGAMMA_OF_INTEGER;

function binomialPmf(n: number, p: number, k: number): number {
  const ki = Math.floor(k);
  if (ki < 0 || ki > n) return 0;
  return moremathChoose(n, ki) * p ** ki * (1 - p) ** (n - ki);
}

/** Order statistics that bound a confidence interval of the q-th quantile of an n-sample. */
export function quantileInterval(n: number, q: number, confidence: number): QuantileInterval {
  if (confidence >= 1) return { n, loOrder: 0, hiOrder: n + 1, confidence: 1 };
  let l: number;
  let r: number;
  let actual: number;
  if (n <= 30) {
    // Grow [l, r) outwards from the (lower) mode of Binomial(n, q), always taking the more
    // probable neighbour, preferring the left one on ties, until the mass reaches `confidence`.
    let x = Math.ceil((n + 1) * q) - 1;
    if (q === 0) x = 0;
    actual = binomialPmf(n, q, x);
    l = x;
    r = x + 1;
    let lp = binomialPmf(n, q, l - 1);
    let rp = binomialPmf(n, q, r);
    while (actual < confidence && (lp > 0 || rp > 0)) {
      if (lp >= rp) {
        actual += lp;
        l--;
        lp = binomialPmf(n, q, l - 1);
      } else {
        actual += rp;
        r++;
        rp = binomialPmf(n, q, r);
      }
    }
  } else {
    // Normal approximation of Binomial(n, q) with continuity correction.
    const mu = n * q;
    const sigma = Math.sqrt(n * q * (1 - q));
    const l1 = normalInvCdf((1 - confidence) / 2, mu, sigma);
    const r1 = 2 * mu - l1;
    l = Math.floor(Math.floor(l1 - 0.5) + 0.5) + 1;
    r = Math.floor(Math.ceil(r1 - 0.5) + 0.5) + 1;
    const mass = (lo: number, hi: number) => normalCdf(hi - 0.5, mu, sigma) - normalCdf(lo - 0.5, mu, sigma);
    actual = mass(l, r);
    const leftBiased = mass(l, r - 1);
    if (leftBiased >= confidence && leftBiased < actual) {
      actual = leftBiased;
      r = r - 1;
    }
    if (l <= 0 && r >= n + 1) actual = 1;
  }
  if (l < 0) l = 0;
  if (r > n + 1) r = n + 1;
  return { n, loOrder: l, hiOrder: r, confidence: actual };
}

const medianIntervalCache = new Map<string, QuantileInterval>();

function medianInterval(n: number, confidence: number): QuantileInterval {
  const key = `${n},${confidence}`;
  let interval = medianIntervalCache.get(key);
  if (!interval) {
    interval = quantileInterval(n, 0.5, confidence);
    medianIntervalCache.set(key, interval);
  }
  return interval;
}

/** The smallest n whose median interval is bounded at `confidence`: [">=", n] or [">", 50]. */
export function samplesNeededForInterval(confidence: number): [">=" | ">", number] {
  for (let n = 2; n <= 50; n++) {
    const ci = medianInterval(n, confidence);
    if (ci.loOrder > 0 && ci.hiOrder <= n) return [">=", n];
  }
  return [">", 50];
}

/** Smallest achievable two-sided U-test p-value with n values per side: both samples fully apart. */
function uTestMinP(n: number): number {
  return 2 / choose(2 * n, n);
}

/** The per-side sample size a U test needs before it can reach `alpha`: [">=", n] or [">", 10]. */
export function samplesNeededForUTest(alpha: number): [">=" | ">", number] {
  for (let n = 1; n <= 9; n++) {
    if ((n === 1 ? 1 : uTestMinP(n)) <= alpha) return [">=", n];
  }
  return [">", 10];
}

function formatLevel(x: number): string {
  return String(x);
}

/** Median with its order-statistic confidence interval (benchmath.AssumeNothing). */
export function summarizeMedian(values: readonly number[], confidence = DEFAULT_CONFIDENCE): SampleSummary {
  const sorted = sortedCopy(values);
  const n = sorted.length;
  const ci = medianInterval(n, confidence);
  const center = quantileSorted(sorted, 0.5);
  const lo = ci.loOrder < 1 ? Number.NEGATIVE_INFINITY : sorted[ci.loOrder - 1]!;
  const hi = ci.hiOrder - 1 >= n ? Number.POSITIVE_INFINITY : sorted[ci.hiOrder - 1]!;
  const warnings: string[] = [];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    const [op, need] = samplesNeededForInterval(confidence);
    warnings.push(`need ${op} ${need} samples for confidence interval at level ${formatLevel(confidence)}`);
  }
  return { center, lo, hi, confidence: ci.confidence, warnings };
}

/** Mode with [min, max] (benchmath.AssumeExact); warns when the values are not all equal. */
export function summarizeExact(values: readonly number[]): SampleSummary {
  const sorted = sortedCopy(values);
  let value = sorted[0]!;
  let count = 1;
  let mode = value;
  let modeCount = 1;
  for (const v of sorted.slice(1)) {
    if (v === value) {
      count++;
      if (count > modeCount) {
        mode = value;
        modeCount = count;
      }
    } else {
      value = v;
      count = 1;
    }
  }
  const lo = sorted[0]!;
  const hi = sorted[sorted.length - 1]!;
  const warnings =
    modeCount !== sorted.length
      ? [`exact distribution expected, but values range from ${formatGoFloat(lo)} to ${formatGoFloat(hi)}`]
      : [];
  return { center: mode, lo, hi, confidence: 1, warnings };
}

/** Go's %v for a float64: shortest representation, exponent form outside [1e-4, 1e21). */
export function formatGoFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "+Inf";
  if (x === Number.NEGATIVE_INFINITY) return "-Inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const abs = Math.abs(x);
  if (abs < 1e-4 || abs >= 1e21) {
    const [mantissa, exponent] = x.toExponential().split("e") as [string, string];
    const sign = exponent.startsWith("-") ? "-" : "+";
    const digits = exponent.replace(/^[-+]/, "").padStart(2, "0");
    return `${mantissa}e${sign}${digits}`;
  }
  return String(x);
}

// ---------------------------------------------------------------------------------------------
// Mann–Whitney U test

export interface UTestResult {
  /** U of the first sample (ties count ½). */
  u: number;
  p: number;
  n1: number;
  n2: number;
  /** Which distribution gave p. */
  method: "exact" | "normal";
}

export class SamplesEqualError extends Error {
  constructor() {
    super("all samples are equal");
  }
}

/** Per-side size limits of the exact U distribution (go-moremath's switch points). */
export const U_EXACT_LIMIT = 50;
export const U_EXACT_LIMIT_WITH_TIES = 25;

/**
 * Two-sided Mann–Whitney U test. Throws SamplesEqualError when every value is the same
 * (the test is meaningless) and RangeError when a sample is empty.
 */
export function mannWhitneyUTest(x1: readonly number[], x2: readonly number[]): UTestResult {
  const n1 = x1.length;
  const n2 = x2.length;
  if (n1 === 0 || n2 === 0) throw new RangeError("sample is too small");
  // Merge, then assign mid-ranks to tie groups.
  const merged: { value: number; first: boolean }[] = [];
  for (const v of x1) merged.push({ value: v, first: true });
  for (const v of x2) merged.push({ value: v, first: false });
  merged.sort((a, b) => a.value - b.value);
  const tieSizes: number[] = [];
  const firstCounts: number[] = [];
  let rankSum1 = 0;
  let hasTies = false;
  for (let i = 0; i < merged.length; ) {
    const start = i;
    const value = merged[i]!.value;
    let fromFirst = 0;
    for (; i < merged.length && merged[i]!.value === value; i++) if (merged[i]!.first) fromFirst++;
    const size = i - start;
    if (fromFirst !== 0) rankSum1 += ((start + 1 + i) / 2) * fromFirst;
    tieSizes.push(size);
    firstCounts.push(fromFirst);
    if (size > 1) hasTies = true;
  }
  const u1 = rankSum1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const uSmall = Math.min(u1, u2);
  if (tieSizes.length === 1) throw new SamplesEqualError();

  const exact =
    (!hasTies && n1 <= U_EXACT_LIMIT && n2 <= U_EXACT_LIMIT) ||
    (hasTies && n1 <= U_EXACT_LIMIT_WITH_TIES && n2 <= U_EXACT_LIMIT_WITH_TIES);
  if (exact) {
    // The null distribution of U is symmetric about n1·n2/2, so p = 2·P(U ≤ min(U1, U2));
    // when U1 = U2 the whole distribution is covered and p = 1.
    const p = u1 === u2 ? 1 : 2 * exactUCdf(n1, n2, tieSizes, uSmall);
    return { u: u1, p, n1, n2, method: "exact" };
  }
  let tieCorrection = 0;
  for (const t of tieSizes) tieCorrection += t * t * t - t;
  const total = n1 + n2;
  const meanU = (n1 * n2) / 2;
  const sdU = Math.sqrt((n1 * n2 * (total + 1 - tieCorrection / (total * (total - 1)))) / 12);
  if (sdU === 0) throw new SamplesEqualError();
  let numerator = u1 - meanU;
  numerator -= Math.sign(numerator) * 0.5; // continuity correction
  const z = numerator / sdU;
  const cdf = normalCdf(z);
  const p = 2 * Math.min(cdf, 1 - cdf);
  return { u: u1, p, n1, n2, method: "normal" };
}

/**
 * P(U ≤ u) under the null hypothesis, for a ranking whose tie groups have the given sizes
 * (in rank order). Counts, over every way to pick which n1 of the N ranked values belong to the
 * first sample, those whose doubled rank sum stays within the bound; each tie group of size t
 * contributes C(t, r) ways to place r first-sample values at its doubled mid-rank.
 */
export function exactUCdf(n1: number, n2: number, tieSizes: readonly number[], u: number): number {
  if (u < 0) return 0;
  if (u >= n1 * n2) return 1;
  if (tieSizes.every((t) => t === 1)) return exactUCdfWithoutTies(n1, n2, Math.floor(u));
  // 2·R1 = 2·U1 + n1(n1+1); doubled mid-ranks are integers.
  const maxTwiceRankSum = Math.floor(2 * u + 1e-9) + n1 * (n1 + 1);
  const width = maxTwiceRankSum + 1;
  const ways = new Float64Array((n1 + 1) * width);
  ways[0] = 1;
  let ranksBefore = 0;
  for (const size of tieSizes) {
    const twiceMidRank = 2 * ranksBefore + size + 1;
    ranksBefore += size;
    const ways1 = Math.min(size, n1);
    const coefficients = Array.from({ length: ways1 + 1 }, (_, r) => choose(size, r));
    // In place, highest count first, so each group is applied once (0/1-knapsack order).
    for (let taken = Math.min(n1, ranksBefore); taken >= 1; taken--) {
      const row = taken * width;
      const maxHere = Math.min(ways1, taken);
      for (let sum = maxTwiceRankSum; sum >= twiceMidRank; sum--) {
        let added = 0;
        for (let r = 1; r <= maxHere; r++) {
          const from = sum - r * twiceMidRank;
          if (from < 0) break;
          const w = ways[(taken - r) * width + from]!;
          if (w !== 0) added += w * coefficients[r]!;
        }
        if (added !== 0) ways[row + sum] = ways[row + sum]! + added;
      }
    }
  }
  let count = 0;
  const last = n1 * width;
  for (let sum = 0; sum <= maxTwiceRankSum; sum++) count += ways[last + sum]!;
  return count / choose(n1 + n2, n1);
}

/**
 * P(U ≤ u) without ties, from the Mann–Whitney recurrence on counts:
 * c(n, m, u) = c(n−1, m, u−m) + c(n, m−1, u), built up one second-sample value at a time.
 */
function exactUCdfWithoutTies(n1: number, n2: number, u: number): number {
  const width = u + 1;
  const counts = new Float64Array((n1 + 1) * width);
  for (let n = 0; n <= n1; n++) counts[n * width] = 1; // c(n, 0, 0) = 1: no pairs yet
  for (let m = 1; m <= n2; m++) {
    for (let n = 1; n <= n1; n++) {
      const row = n * width;
      const previous = (n - 1) * width;
      // counts[row..] holds c(n, m−1, ·); counts[previous..] already holds c(n−1, m, ·).
      for (let x = u; x >= m; x--) counts[row + x] += counts[previous + x - m]!;
    }
  }
  let below = 0;
  const last = n1 * width;
  for (let x = 0; x <= u; x++) below += counts[last + x]!;
  return below / choose(n1 + n2, n1);
}

/** U test as benchstat reports it: p = 1 with a warning when it cannot be computed. */
export function compareMedians(
  base: readonly number[],
  next: readonly number[],
  alpha = DEFAULT_ALPHA,
): SampleComparison {
  let p: number;
  try {
    p = mannWhitneyUTest(base, next).p;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { p: 1, alpha, n1: base.length, n2: next.length, warnings: [message] };
  }
  const warnings: string[] = [];
  if (p > alpha) {
    const [op, need] = samplesNeededForUTest(alpha);
    if (base.length < need && next.length < need) {
      warnings.push(`need ${op} ${need} samples to detect a difference at alpha level ${formatLevel(alpha)}`);
    }
  }
  return { p, alpha, n1: base.length, n2: next.length, warnings };
}

/** Exact comparison (benchmath.AssumeExact): every difference is real. */
export function compareExact(base: readonly number[], next: readonly number[]): SampleComparison {
  return { p: 0, alpha: 0, n1: base.length, n2: next.length, warnings: [] };
}

/** benchstat's rule: a difference is shown (significant) unless p > α. */
export function isSignificant(comparison: SampleComparison): boolean {
  return !(comparison.p > comparison.alpha);
}

/** Geometric mean (running mean of logs, as go-moremath computes it); NaN if any value ≤ 0. */
export function geomean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let meanLog = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x <= 0) return Number.NaN;
    meanLog += (Math.log(x) - meanLog) / (i + 1);
  }
  return Math.exp(meanLog);
}
