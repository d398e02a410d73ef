/** Step 5 of the judge: neither growing nor bounded — say why, and how much longer would decide. */
import { belowFloorSentence, slowingSentence, undecidedSentence } from "./reason.js";
import { type Context, isSustained, type RegimeEvidence, significantRise, sinceOf } from "./rule-context.js";
import type { TrendJudgement } from "./types.js";

export function undecided(e: RegimeEvidence, ctx: Context): TrendJudgement {
  const { main } = e;
  const figures = {
    slope: main.slope,
    low: main.low,
    high: main.high,
    level: e.level,
    spanSeconds: e.span,
    since: sinceOf(e),
    points: e.regime.length,
  };
  const significant =
    significantRise(main, e.testAlpha, e.level, ctx) !== null && main.slope > 0 && main.low >= 0;
  let reason: string;
  if (significant && !isSustained(e.regime, main.slope)) reason = slowingSentence(figures, ctx.format);
  else if (significant)
    reason = belowFloorSentence(
      { ...figures, floor: e.floor, minimumGrowth: ctx.minimumGrowth, tooSmall: main.slope >= e.floor },
      ctx.format,
    );
  else {
    const direction = main.high < 0 ? "falls" : main.slope > 0 && main.low >= 0 ? "rises" : "flat";
    // What "bounded" would have needed below its floor: the look's upper bound, or one step of an
    // unquantized measurement over the observation when that is more (bound-rule.ts).
    const resolvable = !ctx.quantized && e.span > 0 ? ctx.resolution / e.span : 0;
    const bound = Math.max(main.highBound, resolvable);
    reason = undecidedSentence(
      {
        ...figures,
        pValue: main.pValue,
        direction,
        bound,
        ...(resolvable > main.highBound ? { resolution: ctx.resolution } : {}),
      },
      ctx.format,
    );
  }
  const target = Math.max(
    e.floor,
    (ctx.policy.boundTolerance * Math.abs(e.level)) / Math.max(e.span, ctx.minBoundSpan, 1e-9),
  );
  return {
    ...e.base,
    verdict: "undecided",
    reason,
    extraSecondsNeeded: estimateExtraSeconds(e.span, main.slope, main.high, target),
  };
}

/**
 * Roughly how much longer an observation should be for the interval to clear the floor: Sen's
 * interval narrows about as span^-1.5 for a trend in noise.
 */
function estimateExtraSeconds(span: number, slope: number, upper: number, floor: number): number {
  const halfWidth = Number.isFinite(upper) ? Math.max(upper - slope, 0) : Math.abs(slope) + floor;
  const margin = floor - Math.max(slope, 0);
  // The slope is near or above the floor: more data must separate it from zero instead.
  const target = margin > halfWidth * 0.1 ? margin : Math.max(Math.abs(slope) / 2, floor / 2);
  if (halfWidth <= 0 || target <= 0) return Math.max(span, 30);
  const factor = (halfWidth / target) ** (2 / 3);
  return Math.min(Math.max(span * (factor - 1), 30), 3600);
}
