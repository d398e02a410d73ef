/**
 * Step 4 of the judge: is the judged regime's growth shown to be bounded? (See judge.ts.)
 *
 * "bounded" is doctor's no-leak, so it is a claim about what could still be hiding: growth below the
 * floor F(T) = max(relevance floor, tolerance × level / max(T, minimum bound span)), T the regime's
 * span and the minimum bound span the policy's 30 s (a look's own when longer). On an 80 MB heap
 * under doctor's policies that is 53 KB/s over 30 s and 5.3 KB/s over 5 minutes; every bounded
 * sentence says it ("growth is at most 2 % of its level per 30 s"). A leak slower than F(T) is one
 * the observation is too short to exclude: bounded says so. A leak at or above F(T) called bounded is
 * a false no-leak, and each way of showing a bound keeps that rare:
 *
 * - confidence: U < F(T), U the upper end of Sen's interval at a one-sided error β = BOUND_ERROR
 *   (2.5 %) times the look's share of α (repeated looks: sequential-looks.ts); for an unquantized
 *   measurement U is at least one step of it over T (the data resolve no less). If the true rate
 *   r ≥ F(T), U < F(T) needs U < r, which an interval with its nominal coverage allows with
 *   probability β; by the union bound over the looks (their shares add up to 1), a leak is called
 *   bounded at a look whose floor it reaches with probability at most 2.5 % over all of doctor's
 *   looks together. With independent noise σ and n points over T, U ≈ r + z·σ·√12/(√n·T): a leak is
 *   bounded when r is below F(T) by about that margin, and never above it but with probability β.
 *   The coverage rests on the autocorrelation correction (Hamed–Rao floored by AR(1) at an upper
 *   95 % bound of ρ): with AR(0.8) noise of 2–5 % of the level over 30–50 points it is short.
 * - band: the same bound on the window maxima and minima (a leak raises both).
 * - returns: a release measured against the noise (fall-back.ts: a step down of 6 robust scales of
 *   the step-to-step changes, which Gaussian noise, independent or AR(1), does not make whatever the
 *   leak's rate) and a return to earlier levels with no monotone tendency. What it does not bound:
 *   a leak under a real sawtooth (a ratchet) that adds less than about half the sawtooth's amplitude
 *   over the observation; the growth rule's lower envelope tests ratchets on long regimes.
 *
 * Simulated (test/analysis/trend/false-bounded.test.ts: 20–500 MB, AR(1) noise with φ 0–0.8 and
 * 0.5–5 % of the level, leaks of 2–100 KB/s, judged at every look of doctor --duration auto), 1.4 %
 * of 1296 leak observations were called bounded at a look whose floor they reached (none with
 * independent noise; at most 21 % in a cell of 24 with AR(0.8) noise of 2–5 %), none by a fall-back;
 * before this rule, 21 % were, 78 % by the fall-back rule, and 88 % of all leak observations were
 * called bounded (27 % now, the rest below their floor).
 */
import { aggregateBlocks } from "./blocks.js";
import { type SeriesEvidence, seriesEvidence } from "./evidence.js";
import { fallsBack } from "./fall-back.js";
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
import type { TrendJudgement } from "./types.js";

export function decideBound(e: RegimeEvidence, ctx: Context): TrendJudgement | null {
  const boundSpan = Math.max(e.span, ctx.minBoundSpan);
  // F(T) of the top of the file: in a short regime a per-hour floor cannot be bounded, so the bound
  // is on the growth within the observation (the policy's tolerance), counted over at least minBoundSpan.
  const stableFloor = (reference: number) =>
    Math.max(
      relevanceFloor(ctx.policy, reference, e.span),
      (ctx.policy.boundTolerance * Math.abs(reference)) / Math.max(boundSpan, 1e-9),
    );
  const withinResolution = (j: SeriesEvidence) =>
    ctx.quantized && Number.isFinite(j.highBound) && j.highBound * e.span < 2 * ctx.resolution;
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
  const bound = ctx.quantized ? main.highBound : Math.max(main.highBound, resolvable);
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
    if (bound < stableFloor(e.level)) {
      const riseFraction = e.level !== 0 ? (Math.max(0, bound) * boundSpan) / Math.abs(e.level) : 0;
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
    const back = fallsBack(e.reported, { noiseFloor: ctx.noiseFloor });
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
    boundZ: ctx.boundZ,
  };
  const peaks = seriesEvidence(e.regime, { ...options, aggregate: "max" });
  const floors = seriesEvidence(e.regime, { ...options, aggregate: "min" });
  const peak = medianOf(aggregateBlocks(e.regime, e.windowSize, "max").map((p) => p.value));
  const boundedBy = (j: SeriesEvidence) => j.highBound < stableFloor(peak) || withinResolution(j);
  const ok =
    !risesRelevantly(e.main, e.level, 0.0125) &&
    !risesRelevantly(floors, peak, 0.0125) &&
    boundedBy(peaks) &&
    boundedBy(floors);
  if (!ok) return null;
  const worst = Math.max(peaks.highBound, floors.highBound, 0);
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
