/** Step 3 of the judge: is the judged regime growing? (See judge.ts for the whole decision.) */
import type { SeriesEvidence } from "./evidence.js";
import { EXACT_MAX_N } from "./mann-kendall.js";
import { growingSentence } from "./reason.js";
import {
  type Context,
  isSustained,
  type RegimeEvidence,
  relative,
  significantRise,
  sinceOf,
} from "./rule-context.js";
import type { TrendJudgement, TrendPoint } from "./types.js";

/** Below this span a rising series is reported as not levelled off yet. */
const LEVELLING_HORIZON_SECONDS = 60;

export function decideGrowth(e: RegimeEvidence, ctx: Context): TrendJudgement | null {
  const grows = (j: SeriesEvidence): "corrected" | "plain" | null => {
    const test = significantRise(j, e.testAlpha, e.level, ctx);
    if (!test || !(j.slope > 0)) return null;
    const low = test === "plain" ? j.lowPlain : j.low;
    const relevant = j.slope >= e.floor && j.slope * e.span >= ctx.minimumGrowth;
    return low >= 0 && relevant ? test : null;
  };
  const levelTest = grows(e.main);
  const sustained = levelTest !== null && isSustained(e.regime, e.main.slope);
  const envelopeTest = levelTest === null && e.lower ? grows(e.lower) : null;
  if (!(levelTest && sustained) && !envelopeTest) return null;
  const decisive = envelopeTest ? e.lower! : e.main;
  const test = envelopeTest ?? levelTest!;
  const notLevelledOff = !envelopeTest && e.span < LEVELLING_HORIZON_SECONDS;
  const pValue = test === "plain" ? decisive.pPlain : decisive.pValue;
  const low = test === "plain" ? decisive.lowPlain : decisive.low;
  return {
    ...e.base,
    verdict: "growing",
    decidedBy: envelopeTest ? "envelope" : "level",
    slopePerSecond: decisive.slope,
    slopeLowPerSecond: low,
    slopeHighPerSecond: decisive.high,
    relativeSlopePerHour: relative(decisive.slope, e.level),
    pValue,
    blockSize: decisive.blockSize,
    ...(notLevelledOff ? { notLevelledOff } : {}),
    ...(e.onset ? { onset: e.onset } : {}),
    reason: growingSentence(
      {
        slope: decisive.slope,
        low,
        high: decisive.high,
        level: e.level,
        spanSeconds: e.span,
        since: sinceOf(e),
        onset: e.onset,
        points: e.regime.length,
        pValue,
        exactTest: decisive.points <= EXACT_MAX_N && pValue === decisive.pPlain,
        envelope: Boolean(envelopeTest),
        monotone: !envelopeTest && strictlyRising(e.reported),
        notLevelledOff,
      },
      ctx.format,
    ),
  };
}

function strictlyRising(points: TrendPoint[]): boolean {
  for (let i = 1; i < points.length; i++) if (!(points[i].value > points[i - 1].value)) return false;
  return points.length >= 2;
}
