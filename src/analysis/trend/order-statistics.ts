/**
 * Medians, quantiles and ranks on plain numbers, without sorting where selection will do. Shared by
 * the trend tests, the slope estimator and the change-point search.
 */

export function medianOf(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
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
