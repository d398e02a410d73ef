/**
 * Order statistics of the pairwise slopes of a series (Theil–Sen's slope and Sen's bounds) without
 * keeping all n(n−1)/2 of them. The ranks asked for lie near the median, within Sen's interval; a
 * sample of the slopes brackets that stretch, one pass over the pairs counts the slopes below the
 * bracket and keeps those inside it, and selection on the few kept gives the exact ranks. A rank
 * outside the bracket gets a new pass; a bracket the sample misjudged falls back to every slope.
 * The values are exactly those of rankValue(pairwiseSlopes(points), rank): each slope is computed
 * by the same expression, and an order statistic does not depend on how it was found.
 */
import { RankSelector } from "./order-statistics.js";
import type { TrendPoint } from "./types.js";

/** Pairs sampled to place the bracket. */
const SAMPLE_PAIRS = 2048;
/** Sampling error of a quantile of the sample, in standard errors, added on each side. */
const SAMPLE_MARGIN_SE = 4;
/** Below this many pairs, every slope is kept (the bracket would not pay). */
const BRACKET_MIN_PAIRS = 4096;

/** Slopes of all pairs with distinct times (unordered). O(n²) memory and time: callers bound n. */
export function pairwiseSlopes(points: TrendPoint[]): Float64Array {
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

/** The slope of pair (i, j), i < j, as pairwiseSlopes computes it (NaN for equal times). */
function slopeOf(t: Float64Array, v: Float64Array, i: number, j: number): number {
  const dt = t[j] - t[i];
  if (dt > 0) return (v[j] - v[i]) / dt;
  if (dt < 0) return (v[i] - v[j]) / -dt;
  return Number.NaN;
}

interface Bracket {
  /** Slopes below `lo`. */
  below: number;
  /** The slopes in [lo, hi]. */
  inside: RankSelector;
}

export class PairSlopeRanks {
  /** Number of pairs with distinct times. */
  readonly length: number;
  private readonly t: Float64Array;
  private readonly v: Float64Array;
  private full: RankSelector | null = null;
  private bracket: Bracket | null = null;
  private sample: Float64Array | null = null;

  /**
   * `halfWidthHint`: how many ranks either side of the median will likely be asked for (Sen's
   * interval); the first bracket covers them.
   */
  constructor(
    private readonly points: TrendPoint[],
    private readonly halfWidthHint = 0,
  ) {
    const n = points.length;
    this.t = Float64Array.from(points, (p) => p.tSeconds);
    this.v = Float64Array.from(points, (p) => p.value);
    let equalTimePairs = 0;
    let run = 1;
    let sorted = true;
    for (let i = 1; i < n; i++) {
      if (this.t[i] < this.t[i - 1]) sorted = false;
      if (this.t[i] === this.t[i - 1]) run++;
      else {
        equalTimePairs += (run * (run - 1)) / 2;
        run = 1;
      }
    }
    equalTimePairs += (run * (run - 1)) / 2;
    const pairs = (n * (n - 1)) / 2;
    if (!sorted || pairs < BRACKET_MIN_PAIRS) {
      this.full = new RankSelector(pairwiseSlopes(points));
      this.length = this.full.length;
    } else {
      this.length = pairs - equalTimePairs;
    }
  }

  /** As rankValue(): the value at a 1-based fractional rank, interpolated. */
  rankValue(rank: number): number {
    const m = this.length;
    const clamped = Math.max(1, Math.min(m, rank));
    const lo = Math.floor(clamped);
    const frac = clamped - lo;
    if (frac === 0 || lo >= m) return this.orderStatistic(lo);
    this.prepare(lo, lo + 1);
    const low = this.orderStatistic(lo);
    const next = this.orderStatistic(lo + 1);
    return low + (next - low) * frac;
  }

  /** Makes ranks from..to (1-based) cheap to read: one pass when the bracket misses them. */
  prepare(from: number, to: number): void {
    if (this.full || (this.covers(from) && this.covers(to))) return;
    const m = this.length;
    const center = (from + to) / 2;
    const half = Math.max((to - from) / 2, this.bracket ? 0 : this.halfWidthHint, 1);
    this.bracket = this.pass(Math.max(1, center - half), Math.min(m, center + half));
    if (!this.bracket || !(this.covers(from) && this.covers(to))) this.useEverySlope();
  }

  private covers(rank: number): boolean {
    const b = this.bracket;
    return b !== null && rank > b.below && rank <= b.below + b.inside.length;
  }

  /** The r-th smallest slope (1-based). */
  private orderStatistic(r: number): number {
    if (!this.full && !this.covers(r)) this.prepare(r, r);
    if (this.full) return this.full.select(r - 1);
    return this.bracket!.inside.select(r - 1 - this.bracket!.below);
  }

  private useEverySlope(): void {
    this.full = new RankSelector(pairwiseSlopes(this.points));
    this.bracket = null;
  }

  /** The sampled slopes, sorted (deterministic: a fixed linear congruential sequence of pairs). */
  private sampled(): Float64Array {
    if (this.sample) return this.sample;
    const n = this.t.length;
    const out = new Float64Array(SAMPLE_PAIRS);
    let count = 0;
    let state = 12345;
    for (let k = 0; k < SAMPLE_PAIRS * 2 && count < SAMPLE_PAIRS; k++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      const i = state % n;
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      const j = state % n;
      if (i === j) continue;
      const s = slopeOf(this.t, this.v, Math.min(i, j), Math.max(i, j));
      if (!Number.isNaN(s)) out[count++] = s;
    }
    this.sample = out.subarray(0, count).sort();
    return this.sample;
  }

  /** One pass over every pair: slopes below the bracket counted, those inside kept. */
  private pass(fromRank: number, toRank: number): Bracket | null {
    const sample = this.sampled();
    const k = sample.length;
    if (k < 64) return null;
    const m = this.length;
    const margin = SAMPLE_MARGIN_SE * Math.sqrt(0.25 / k);
    const quantile = (q: number) => sample[Math.min(k - 1, Math.max(0, Math.floor(q * k)))];
    const lowFraction = fromRank / m - margin;
    const highFraction = toRank / m + margin;
    const lo = lowFraction <= 0 ? Number.NEGATIVE_INFINITY : quantile(lowFraction);
    const hi = highFraction >= 1 ? Number.POSITIVE_INFINITY : quantile(highFraction);
    const { t, v } = this;
    const n = t.length;
    const kept = new Float64Array(Math.min(m, Math.ceil((highFraction - lowFraction + 0.05) * m) + 64));
    let below = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const ti = t[i];
      const vi = v[i];
      for (let j = i + 1; j < n; j++) {
        const dt = t[j] - ti;
        if (dt === 0) continue;
        const s = dt > 0 ? (v[j] - vi) / dt : (vi - v[j]) / -dt;
        if (s < lo) below++;
        else if (s <= hi) {
          if (count === kept.length) return null;
          kept[count++] = s;
        }
      }
    }
    return { below, inside: new RankSelector(kept.subarray(0, count)) };
  }
}
