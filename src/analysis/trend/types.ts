/** The trend engine's vocabulary: points in, one judgement out. */
import type { TrendPolicyName } from "./policies.js";

export interface TrendPoint {
  tSeconds: number;
  value: number;
}

/**
 * What the engine says about one series:
 * - growing: it rises, significantly, by more than matters (the policy's relevance floors);
 * - bounded: its growth is shown to stay below what matters (or it keeps falling back to earlier levels);
 * - undecided: enough data to judge, but neither can be shown yet;
 * - insufficient: too few points or too short a span for the policy's test to decide anything.
 */
export type TrendVerdict = "growing" | "bounded" | "undecided" | "insufficient";

/** Where a late rise began (the broken stick's kink) and how the series moved before it. */
export interface GrowthOnset {
  /** Time of the kink, in the series' own seconds. */
  atSeconds: number;
  /** Theil–Sen slope before the kink, with its 95 % interval (units per second). */
  slopeBeforePerSecond: number;
  slopeBeforeHighPerSecond: number;
  /** Candidate onsets the search could have tested; each test ran at α / candidates. */
  candidates: number;
}

export interface TrendJudgement {
  verdict: TrendVerdict;
  /** One sentence with the statistic. */
  reason: string;
  /** Name of the policy that judged it (see policies.ts). */
  policy: TrendPolicyName;
  /** Significance level the growth test used (the policy's, or a share of it for repeated looks). */
  alpha: number;
  /** Points in the whole series. */
  points: number;
  /** Points in the judged regime. */
  regimePoints: number;
  /** Time span of the whole series. */
  spanSeconds: number;
  /** The span a bound on growth is counted over: the judged regime's, or more for repeated looks. */
  boundSpanSeconds: number;
  /** Where the judged regime starts and ends. */
  regimeStartSeconds: number;
  regimeEndSeconds: number;
  /** Start times of every regime found (the first is the series start). */
  regimeStartsSeconds: number[];
  /** The regime start was moved past a warm-up, a step or a settling rise. */
  warmupSkipped: boolean;
  /** Theil–Sen slope of the judged regime (value units per second), from the data even when insufficient. */
  slopePerSecond: number;
  /** Sen's 95 % interval of the slope (±∞ when the data cannot bound it). */
  slopeLowPerSecond: number;
  slopeHighPerSecond: number;
  /** slope / level, per hour. */
  relativeSlopePerHour: number;
  /** One-sided Mann–Kendall p for growth that decided (corrected as the policy says). */
  pValue: number;
  /** The same without the autocorrelation correction (exact for small n). */
  pValuePlain: number;
  /** The same with the Hamed–Rao correction (whatever the policy uses). */
  pValueCorrected: number;
  /** Relevance floor applied (units per second). */
  floorPerSecond: number;
  /** Median of the judged regime. */
  level: number;
  firstValue: number;
  lastValue: number;
  /** Which evidence decided: the regime's level, its lower envelope (a ratchet), or none. */
  decidedBy: "level" | "envelope" | "none";
  /** How "bounded" was shown. */
  boundedBy?: "confidence" | "band" | "returns";
  /**
   * Growth began late: the regime judged starts at a change of slope found by the onset search
   * (onset-rule.ts) rather than at a change of regime, and the growth test spent α over its candidates.
   */
  onset?: GrowthOnset;
  /** A rising series observed too briefly to have levelled off: a leak, or a warm-up not over yet. */
  notLevelledOff?: boolean;
  /** For undecided or insufficient series: roughly how many more seconds would decide. */
  extraSecondsNeeded?: number;
  /** Points per block in the judged series (1 = raw points). */
  blockSize: number;
  /** Confidence level of the slope interval. */
  confidence: number;
}
