/**
 * Theil–Sen slope (median of pairwise slopes; pairs with equal times are skipped), Conover's
 * intercept (median(value) − slope × median(t)), and Sen's (1968) distribution-free interval from
 * the Mann–Kendall variance (Gilbert 1987, §16.5). Order statistics by selection, not by sorting.
 */

import { blockMedians, sortedFinite } from "./blocks.js";
import { mannKendallVariance } from "./mann-kendall.js";
import { Z95 } from "./normal.js";
import { medianOf, RankSelector } from "./order-statistics.js";
import { PairSlopeRanks } from "./slope-ranks.js";
import type { TrendPoint } from "./types.js";

export interface SenEstimate {
  slope: number;
  intercept: number;
  low: number;
  high: number;
}

/** theilSenSlope computes all pairs up to this many points, then works on block medians. */
export const THEIL_SEN_EXACT_MAX = 1500;

/**
 * Theil–Sen slope with its 95 % interval. Above THEIL_SEN_EXACT_MAX points the estimate is taken on
 * that many equal-count block medians, which keeps it O(n) plus a bounded O(m²) part.
 */
export function theilSenSlope(points: TrendPoint[]): SenEstimate {
  const sorted = sortedFinite(points);
  const series = sorted.length > THEIL_SEN_EXACT_MAX ? blockMedians(sorted, THEIL_SEN_EXACT_MAX) : sorted;
  const variance = mannKendallVariance(series.map((p) => p.value));
  return senFromSlopes(new PairSlopeRanks(series, Z95 * Math.sqrt(variance)), series, variance, Z95);
}

/**
 * Slope, intercept and Sen's interval from the pairwise slopes of `points` (an array is reordered
 * in place; give the same PairSlopeRanks to several calls on one series and later ranks come
 * cheaper). `z` = 0 skips the interval.
 */
export function senFromSlopes(
  pairSlopes: Float64Array | PairSlopeRanks,
  points: TrendPoint[],
  varianceS: number,
  z: number,
): SenEstimate {
  const slopes = pairSlopes instanceof PairSlopeRanks ? pairSlopes : new RankSelector(pairSlopes);
  const m = slopes.length;
  if (points.length === 0) return { slope: 0, intercept: 0, low: 0, high: 0 };
  if (m === 0) return { slope: 0, intercept: medianOf(points.map((p) => p.value)), low: 0, high: 0 };
  const slope = slopes.rankValue((m + 1) / 2);
  const intercept = medianOf(points.map((p) => p.value)) - slope * medianOf(points.map((p) => p.tSeconds));
  if (z === 0) return { slope, intercept, low: slope, high: slope };
  // C = z·sqrt(Var S); the bounds are the (N−C)/2-th and ((N+C)/2 + 1)-th ordered slopes (1-based),
  // interpolated between neighbours when not integers.
  const c = z * Math.sqrt(Math.max(0, varianceS));
  const lowRank = (m - c) / 2;
  const highRank = (m + c) / 2 + 1;
  if (slopes instanceof PairSlopeRanks)
    slopes.prepare(Math.max(1, Math.floor(lowRank)), Math.min(m, Math.ceil(highRank) + 1));
  const low = lowRank < 1 ? Number.NEGATIVE_INFINITY : slopes.rankValue(lowRank);
  const high = highRank > m ? Number.POSITIVE_INFINITY : slopes.rankValue(highRank);
  return { slope, intercept, low, high };
}

export { pairwiseSlopes } from "./slope-ranks.js";
