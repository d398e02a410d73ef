/**
 * Medians, quantiles and ranks on plain numbers, without sorting where selection will do. Shared by
 * the trend tests, the slope estimator and the change-point search.
 */

export function medianOf(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  // Block medians of one or two points are most calls: no copy for them.
  if (n === 1) return values[0];
  if (n === 2) return (values[0] + values[1]) / 2;
  const a = Float64Array.from(values as ArrayLike<number>);
  if (n > 64) return quickselectMedian(a);
  a.sort();
  return quantileSorted(a, 0.5);
}

export function quantileSorted(sorted: Float64Array, q: number): number {
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

/** The k-th smallest value (0-based), by Hoare selection; reorders `a`. */
export function select(a: Float64Array, k: number): number {
  return selectWithin(a, k, 0, a.length - 1);
}

/**
 * select() within a[left..right], which must hold exactly the order statistics left..right (all
 * before it ≤ them, all after ≥ them). Afterwards a[k] is the k-th smallest and a[left..k) ≤ a[k] ≤
 * a(k..right].
 */
function selectWithin(a: Float64Array, k: number, from: number, to: number): number {
  let left = from;
  let right = to;
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

/** Value at a 1-based fractional rank (interpolated), by selection; reorders `values`. */
export function rankValue(values: Float64Array, rank: number): number {
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

/**
 * Several order statistics of one array, each selection confined to the part the earlier ones left
 * unsorted: the k-th smallest stays in place once selected, everything before it is no larger and
 * everything after no smaller. The Theil–Sen slope and Sen's bounds are nearby ranks of the same
 * pairwise slopes: after the median, each further rank costs a fraction of a full selection. The
 * values are exactly rankValue's; only the work differs.
 */
export class RankSelector {
  /** Indices whose values are in their sorted place, ascending. */
  private readonly fixed: number[] = [];

  constructor(readonly values: Float64Array) {}

  get length(): number {
    return this.values.length;
  }

  /** The k-th smallest (0-based). */
  select(k: number): number {
    const a = this.values;
    let left = 0;
    let right = a.length - 1;
    let at = 0;
    for (; at < this.fixed.length; at++) {
      const p = this.fixed[at];
      if (p === k) return a[k];
      if (p > k) {
        right = p - 1;
        break;
      }
      left = p + 1;
    }
    const value = selectWithin(a, k, left, right);
    this.fixed.splice(at, 0, k);
    return value;
  }

  /** rankValue(): the value at a 1-based fractional rank, interpolated. */
  rankValue(rank: number): number {
    const a = this.values;
    const n = a.length;
    const clamped = Math.max(1, Math.min(n, rank));
    const lo = Math.floor(clamped);
    const frac = clamped - lo;
    const low = this.select(lo - 1);
    if (frac === 0 || lo >= n) return low;
    // The next order statistic: the least value after lo−1, found before the next fixed index.
    let end = n - 1;
    for (const p of this.fixed) {
      if (p >= lo) {
        end = p;
        break;
      }
    }
    let next = Number.POSITIVE_INFINITY;
    for (let i = lo; i <= end; i++) if (a[i] < next) next = a[i];
    return low + (next - low) * frac;
  }
}

/** Ranks 0..k−1 with equal values sharing a rank (for counting concordant pairs). */
export function denseRanks(values: ArrayLike<number>): { ranks: Int32Array; max: number } {
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
export function averageRanks(values: ArrayLike<number>): Float64Array {
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

/** Sizes of the groups of equal values, in increasing order of the value. */
export function tieGroupSizes(values: ArrayLike<number>): number[] {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const sizes: number[] = [];
  let run = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] !== sorted[i - 1]) {
      sizes.push(run);
      run = 0;
    }
    run++;
  }
  if (run > 0) sizes.push(run);
  return sizes;
}

/** Sample autocorrelation with the biased (1/n) autocovariance, lags 0..maxLag. */
export function autocorrelation(x: ArrayLike<number>, maxLag: number): Float64Array {
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
