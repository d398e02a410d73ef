/** Step 4 of the judge: is the judged regime's growth shown to be bounded? (See judge.ts.) */
import { aggregateBlocks } from "./blocks.js";
import { type SeriesEvidence, seriesEvidence } from "./evidence.js";
import { medianOf } from "./order-statistics.js";
import { NO_TREND_P, relevanceFloor } from "./policies.js";
import {
  boundedByBandSentence,
  boundedByConfidenceSentence,
  boundedByResolutionSentence,
  fallsBackSentence,
  unchangedSentence,
} from "./reason.js";
import { type Context, type RegimeEvidence, significantRise, sinceOf } from "./rule-context.js";
import type { TrendJudgement, TrendPoint } from "./types.js";

export function decideBound(e: RegimeEvidence, ctx: Context): TrendJudgement | null {
  const boundSpan = Math.max(e.span, ctx.minBoundSpan);
  // In a short regime a per-hour floor cannot be bounded: the bound is on the growth within the
  // observation (the policy's tolerance of the level), counted over at least minBoundSpan.
  const stableFloor = (reference: number) =>
    Math.max(
      relevanceFloor(ctx.policy, reference, e.span),
      (ctx.policy.boundTolerance * Math.abs(reference)) / Math.max(boundSpan, 1e-9),
    );
  const withinResolution = (j: SeriesEvidence) =>
    ctx.quantized && Number.isFinite(j.high) && j.high * e.span < 2 * ctx.resolution;
  // A rise that is relevant and shown (significant at 2.5 % one-sided, or Sen's 95 % interval above 0)
  // is not bounded, even if not yet "growing": a bound would read as "no growth" to anyone.
  const risesRelevantly = (j: SeriesEvidence, reference: number, alpha: number) =>
    j.slope > 0 &&
    j.low >= 0 &&
    (j.low > 0 || significantRise(j, alpha, reference, ctx) !== null) &&
    j.slope >= relevanceFloor(ctx.policy, reference, e.span) &&
    !withinResolution(j);
  const { main } = e;
  if (e.reported.every((p) => p.value === e.reported[0].value)) {
    const figures = { spanSeconds: e.span, since: sinceOf(e), points: e.regime.length };
    return bounded(e, "confidence", "level", unchangedSentence({ ...figures, level: e.level }, ctx.format));
  }
  const resolvable = e.span > 0 ? ctx.resolution / e.span : Number.POSITIVE_INFINITY;
  const upper = ctx.quantized ? main.high : Math.max(main.high, resolvable);
  const figures = {
    slope: main.slope,
    low: main.low,
    high: upper,
    level: e.level,
    spanSeconds: e.span,
    since: sinceOf(e),
    points: e.regime.length,
  };
  if (!risesRelevantly(main, e.level, 0.025)) {
    if (upper < stableFloor(e.level)) {
      const riseFraction = e.level !== 0 ? (Math.max(0, upper) * boundSpan) / Math.abs(e.level) : 0;
      return bounded(
        e,
        "confidence",
        "level",
        boundedByConfidenceSentence({ ...figures, boundSeconds: boundSpan, riseFraction }, ctx.format),
      );
    }
    if (withinResolution(main))
      return bounded(
        e,
        "confidence",
        "level",
        boundedByResolutionSentence({ ...figures, resolution: ctx.resolution }, ctx.format),
      );
  }
  const band =
    main.pValue >= e.testAlpha ? boundedBand(e, ctx, stableFloor, withinResolution, risesRelevantly) : null;
  if (band) return band;
  if (main.pTwoSided >= NO_TREND_P) {
    const back = fallsBack(e.reported);
    if (back)
      return bounded(
        e,
        "returns",
        "level",
        fallsBackSentence(
          {
            pTwoSided: main.pTwoSided,
            ...back,
            spanSeconds: e.span,
            since: sinceOf(e),
            points: e.regime.length,
          },
          ctx.format,
        ),
      );
  }
  return null;
}

function bounded(
  e: RegimeEvidence,
  by: NonNullable<TrendJudgement["boundedBy"]>,
  decidedBy: TrendJudgement["decidedBy"],
  reason: string,
): TrendJudgement {
  return {
    ...e.base,
    verdict: "bounded",
    boundedBy: by,
    decidedBy,
    reason,
  };
}

/**
 * A wide sawtooth or heavy noise leaves the level's interval wide even when nothing grows. Then the
 * band it moves in decides: neither its peaks (window maxima) nor its floor (window minima) may grow
 * by more than the tolerance, measured against the peak level (what memory must hold). The level and
 * the floor must not rise significantly; the peaks only need to stay within the bound (the pacer
 * settling or batch sizes varying move a sawtooth's peaks a little). The band's intervals use the
 * Hamed–Rao correction alone: the AR(1) floor keeps noise from passing for growth; applied to a
 * bound it only widens it.
 */
function boundedBand(
  e: RegimeEvidence,
  ctx: Context,
  stableFloor: (reference: number) => number,
  withinResolution: (j: SeriesEvidence) => boolean,
  risesRelevantly: (j: SeriesEvidence, reference: number, alpha: number) => boolean,
): TrendJudgement | null {
  if (Math.floor(e.regime.length / e.windowSize) < 3) return null;
  const options = {
    minimumBlockSize: e.windowSize,
    noiseFloor: ctx.noiseFloor,
    autocorrelation: "hamed-rao" as const,
  };
  const peaks = seriesEvidence(e.regime, { ...options, aggregate: "max" });
  const floors = seriesEvidence(e.regime, { ...options, aggregate: "min" });
  const peak = medianOf(aggregateBlocks(e.regime, e.windowSize, "max").map((p) => p.value));
  const boundedBy = (j: SeriesEvidence) => j.high < stableFloor(peak) || withinResolution(j);
  const ok =
    !risesRelevantly(e.main, e.level, 0.0125) &&
    !risesRelevantly(floors, peak, 0.0125) &&
    boundedBy(peaks) &&
    boundedBy(floors);
  if (!ok) return null;
  const worst = Math.max(peaks.high, floors.high, 0);
  const riseFraction = peak !== 0 ? (worst * Math.max(e.span, ctx.minBoundSpan)) / Math.abs(peak) : 0;
  return bounded(
    e,
    "band",
    "envelope",
    boundedByBandSentence(
      { peak, spanSeconds: e.span, since: sinceOf(e), points: e.regime.length, riseFraction },
      ctx.format,
    ),
  );
}

/** The late third's lowest value is at or below the early third's median: memory was given back. */
function fallsBack(points: TrendPoint[]): { lowest: number; earlyMedian: number } | null {
  const third = Math.max(2, Math.floor(points.length / 3));
  const earlyMedian = medianOf(points.slice(0, third).map((p) => p.value));
  let lowest = Number.POSITIVE_INFINITY;
  for (const p of points.slice(points.length - third)) lowest = Math.min(lowest, p.value);
  return lowest <= earlyMedian ? { lowest, earlyMedian } : null;
}
