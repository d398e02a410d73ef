/**
 * The judged regime's statistics (RegimeEvidence) as every rule reads them, and the judgement's
 * fields that do not depend on the verdict.
 */
import { seriesEvidence } from "./evidence.js";
import { minPointsForAlpha } from "./mann-kendall.js";
import { medianOf } from "./order-statistics.js";
import { relevanceFloor } from "./policies.js";
import { type Context, type RegimeEvidence, relative } from "./rule-context.js";
import type { TrendJudgement, TrendPoint } from "./types.js";

/** Envelope windows are this fraction of the judged regime (at least 4 points). */
const ENVELOPE_WINDOW_FRACTION = 0.05;

const CONFIDENCE = 0.95;

export function emptyJudgement(sorted: TrendPoint[], span: number, ctx: Context): TrendJudgement {
  const n = sorted.length;
  return {
    verdict: "insufficient",
    reason: "",
    policy: ctx.policy.name,
    alpha: ctx.alpha,
    points: n,
    regimePoints: n,
    spanSeconds: span,
    boundSpanSeconds: Math.max(span, ctx.minBoundSpan),
    regimeStartSeconds: n > 0 ? sorted[0].tSeconds : 0,
    regimeEndSeconds: n > 0 ? sorted[n - 1].tSeconds : 0,
    regimeStartsSeconds: n > 0 ? [sorted[0].tSeconds] : [],
    warmupSkipped: false,
    slopePerSecond: 0,
    slopeLowPerSecond: Number.NEGATIVE_INFINITY,
    slopeHighPerSecond: Number.POSITIVE_INFINITY,
    relativeSlopePerHour: 0,
    pValue: 1,
    pValuePlain: 1,
    pValueCorrected: 1,
    floorPerSecond: 0,
    level: n > 0 ? medianOf(sorted.map((p) => p.value)) : 0,
    firstValue: n > 0 ? sorted[0].value : 0,
    lastValue: n > 0 ? sorted[n - 1].value : 0,
    decidedBy: "none",
    blockSize: 1,
    confidence: CONFIDENCE,
  };
}

export function gatherEvidence(
  sorted: TrendPoint[],
  work: TrendPoint[],
  firstIndex: number,
  startsSeconds: number[],
  totalSpan: number,
  ctx: Context,
): RegimeEvidence {
  const regime = work.slice(firstIndex);
  const reported = sorted.slice(firstIndex);
  const span = regime[regime.length - 1].tSeconds - regime[0].tSeconds;
  const level = medianOf(reported.map((p) => p.value));
  const autocorrelation = ctx.policy.autocorrelation;
  const main = seriesEvidence(regime, { noiseFloor: ctx.noiseFloor, autocorrelation, boundZ: ctx.boundZ });
  const windowSize = Math.max(4, Math.ceil(regime.length * ENVELOPE_WINDOW_FRACTION));
  // The envelope is a second test: only where it has enough windows to be one.
  const envelopeTested = Math.floor(regime.length / windowSize) >= 2 * minPointsForAlpha(ctx.alpha / 2);
  const lower = envelopeTested
    ? seriesEvidence(regime, {
        aggregate: "min",
        minimumBlockSize: windowSize,
        noiseFloor: ctx.noiseFloor,
        autocorrelation,
      })
    : null;
  const floor = relevanceFloor(ctx.policy, level, span);
  const base: TrendJudgement = {
    ...emptyJudgement(sorted, totalSpan, ctx),
    regimePoints: regime.length,
    boundSpanSeconds: Math.max(span, ctx.minBoundSpan),
    regimeStartSeconds: regime[0].tSeconds,
    regimeEndSeconds: regime[regime.length - 1].tSeconds,
    regimeStartsSeconds: startsSeconds,
    warmupSkipped: firstIndex > 0,
    slopePerSecond: main.slope,
    slopeLowPerSecond: main.low,
    slopeHighPerSecond: main.high,
    relativeSlopePerHour: relative(main.slope, level),
    pValue: main.pValue,
    pValuePlain: main.pPlain,
    pValueCorrected: main.pValue,
    floorPerSecond: floor,
    level,
    firstValue: reported[0].value,
    lastValue: reported[reported.length - 1].value,
    blockSize: main.blockSize,
  };
  return {
    regime,
    reported,
    span,
    level,
    floor,
    main,
    lower,
    windowSize,
    testAlpha: lower ? ctx.alpha / 2 : ctx.alpha,
    base,
  };
}
