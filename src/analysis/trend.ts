/**
 * The one trend engine: is a memory series (live heap, goroutines, RSS, …) growing, bounded,
 * undecided, or too short to judge? Pure and unit-agnostic. gctrace, memstats, doctor, the
 * recording views and the UI all judge through `judgeTrend` with a named policy, so the same series
 * gets the same answer everywhere. The parts, one job each, are in ./trend/:
 *
 * - judge.ts: the decision, step by step (insufficient → regime → growing → bounded → undecided),
 *   with the steps in growth-rule.ts, bound-rule.ts and undecided-rule.ts (rule-context.ts: what
 *   they share);
 * - policies.ts: the named policies and their table (α, relevance floors, tolerance, autocorrelation);
 * - mann-kendall.ts: the trend test (exact for small n, ties, Hamed–Rao/AR(1) corrections);
 * - theil-sen.ts: the slope and Sen's interval; evidence.ts: both on a series or its envelopes;
 * - change-point.ts and regime.ts: which part of the series is judged (warm-ups, steps, settling);
 * - onset-rule.ts and broken-stick.ts: growth that began late, judged from its onset (α spent over
 *   the possible onsets); regime-evidence.ts: the statistics of a judged regime;
 * - sequential-looks.ts: repeated looks at a growing observation, α split across them;
 * - reason.ts and format.ts: the sentences.
 */
export { sortedFinite } from "./trend/blocks.js";
export {
  formatDuration,
  formatRate,
  meaningfulRelativePerHour,
  RELATIVE_RATE_MIN_SPAN_SECONDS,
} from "./trend/format.js";
export { type JudgeOptions, judgeTrend } from "./trend/judge.js";
export {
  type AutocorrelationHandling,
  EXACT_MAX_N,
  type GrowthTest,
  growthTest,
  mannKendall,
  minPointsForAlpha,
} from "./trend/mann-kendall.js";
export { normalQuantile, normalUpperTail } from "./trend/normal.js";
export {
  BOUND_ERROR,
  NO_TREND_P,
  OVERWHELMING_SNR,
  POLICIES,
  relevanceFloor,
  type TrendPolicy,
  type TrendPolicyName,
} from "./trend/policies.js";
export {
  AUTO_MAX_SECONDS,
  AUTO_MIN_SECONDS,
  FIXED_WINDOW_SECONDS,
  type LookSchedule,
  lookSchedule,
} from "./trend/sequential-looks.js";
export { type SenEstimate, theilSenSlope } from "./trend/theil-sen.js";
export type { GrowthOnset, TrendJudgement, TrendPoint, TrendVerdict } from "./trend/types.js";
