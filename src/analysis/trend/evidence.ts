/**
 * The statistics of one series in time order, as the judge weighs them: Theil–Sen slope with Sen's
 * interval, the one-sided Mann–Kendall growth test (plain and corrected for autocorrelation), and
 * how far the rise stands above the residual noise. On raw points, or on block medians, minima or
 * maxima (the level, the floor and the peaks of a sawtooth).
 */
import { aggregateBlocks } from "./blocks.js";
import { type AutocorrelationHandling, growthTest, mannKendallVariance } from "./mann-kendall.js";
import { Z95 } from "./normal.js";
import { medianOf } from "./order-statistics.js";
import { PairSlopeRanks } from "./slope-ranks.js";
import { senFromSlopes } from "./theil-sen.js";
import type { TrendPoint } from "./types.js";

/** The trend test and Theil–Sen run on at most this many (block) points: O(n²) pairs stay small. */
export const JUDGE_MAX_POINTS = 400;

export interface SeriesEvidence {
  slope: number;
  /** Sen's 95 % interval from the autocorrelation-corrected variance. */
  low: number;
  high: number;
  /**
   * The one-sided upper bound a "bounded" verdict is held to: Sen's interval at `boundZ` (the same
   * as `high` unless a repeated look spends its share of the bound's error: rule-context.ts).
   */
  highBound: number;
  /** Sen's 95 % interval from the plain variance (when the plain test decides). */
  lowPlain: number;
  /** One-sided growth p, corrected as asked. */
  pValue: number;
  /** One-sided growth p assuming independence (exact for small n). */
  pPlain: number;
  /** Two-sided p assuming independence. */
  pTwoSided: number;
  /** Rise over the series (slope × span) / robust scale of the residuals around the Sen line. */
  signalToNoise: number;
  blockSize: number;
  points: number;
  spanSeconds: number;
}

/**
 * The one-sided plain Mann–Kendall p of the (block median) series seriesEvidence tests. Its
 * corrected p is never below this, so a rule that needs significance can stop here when it is not.
 */
export function plainGrowthP(points: TrendPoint[]): number {
  const series = aggregateBlocks(points, Math.ceil(points.length / JUDGE_MAX_POINTS), "median");
  return growthTest(series.map((p) => p.value)).pPlain;
}

export function seriesEvidence(
  points: TrendPoint[],
  options: {
    aggregate?: "median" | "min" | "max";
    minimumBlockSize?: number;
    /** The least residual spread there can be (quantization noise). */
    noiseFloor?: number;
    autocorrelation: AutocorrelationHandling;
    /** z of the upper bound `highBound` (default: that of the 95 % interval). */
    boundZ?: number;
  },
): SeriesEvidence {
  const n = points.length;
  const size = Math.max(options.minimumBlockSize ?? 1, Math.ceil(n / JUDGE_MAX_POINTS));
  const series = aggregateBlocks(points, size, options.aggregate ?? "median");
  const values = series.map((p) => p.value);
  // Sen's interval at the plain variance, widened twice (a variance factor up to 4), is where the
  // ranks asked for lie: the first bracket covers it.
  const slopes = new PairSlopeRanks(series, Z95 * Math.sqrt(mannKendallVariance(values)));
  const sen = senFromSlopes(slopes, series, 0, 0);
  // Detrended in time, not by index: GC cycles come faster when the heap is small, so a leak that is
  // linear in time is convex by index, and that curvature would pass for autocorrelation.
  const residuals = series.map((p) => p.value - sen.slope * p.tSeconds);
  const test = growthTest(values, { autocorrelation: options.autocorrelation, detrended: residuals });
  const corrected = senFromSlopes(slopes, series, test.variance * test.varianceFactor, Z95);
  const plain = test.varianceFactor > 1 ? senFromSlopes(slopes, series, test.variance, Z95) : corrected;
  const boundZ = options.boundZ ?? Z95;
  const highBound =
    boundZ === Z95
      ? corrected.high
      : senFromSlopes(slopes, series, test.variance * test.varianceFactor, boundZ).high;
  const span = series.length > 1 ? series[series.length - 1].tSeconds - series[0].tSeconds : 0;
  const center = medianOf(residuals);
  const scale = Math.max(
    1.4826 * medianOf(residuals.map((r) => Math.abs(r - center))),
    options.noiseFloor ?? 0,
  );
  return {
    slope: corrected.slope,
    low: corrected.low,
    high: corrected.high,
    highBound,
    lowPlain: plain.low,
    pValue: test.pCorrected,
    pPlain: test.pPlain,
    pTwoSided: test.pTwoSided,
    signalToNoise: scale > 0 ? Math.abs(sen.slope * span) / scale : Number.POSITIVE_INFINITY,
    blockSize: size,
    points: series.length,
    spanSeconds: span,
  };
}
