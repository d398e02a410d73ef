/**
 * What the judge's rules read: the judgement's context (policy, α, resolution, sentence format) and
 * the judged regime's statistics, with the helpers every rule shares.
 */
import type { SeriesEvidence } from "./evidence.js";
import { DETERMINISTIC_SNR, OVERWHELMING_SNR, type TrendPolicy } from "./policies.js";
import type { SentenceFormat } from "./reason.js";
import { theilSenSlope } from "./theil-sen.js";
import type { GrowthOnset, TrendJudgement, TrendPoint } from "./types.js";

export interface Context {
  policy: TrendPolicy;
  alpha: number;
  minPoints: number;
  resolution: number;
  quantized: boolean;
  noiseFloor: number;
  minimumGrowth: number;
  /** "bounded" counts the tolerance over at least this span (the policy's, or a look's if longer). */
  minBoundSpan: number;
  /**
   * z of the upper bound a "bounded" verdict needs: the one-sided error BOUND_ERROR (policies.ts),
   * or a look's share of it, so repeated looks call a leak bounded no more often than one window.
   */
  boundZ: number;
  format: SentenceFormat;
}

/** The judged regime with the statistics every rule reads. */
export interface RegimeEvidence {
  /** Points judged (jittered when quantized). */
  regime: TrendPoint[];
  /** The same points as measured. */
  reported: TrendPoint[];
  span: number;
  level: number;
  floor: number;
  main: SeriesEvidence;
  lower: SeriesEvidence | null;
  windowSize: number;
  /** α of each growth test (split when the envelope is tested too). */
  testAlpha: number;
  base: TrendJudgement;
  /** The regime starts where a late rise began (onset-rule.ts). */
  onset?: GrowthOnset;
}

export function relative(slope: number, level: number): number {
  return level !== 0 ? (slope / Math.abs(level)) * 3600 : 0;
}

/** Significant growth: the corrected test, or the plain one when the evidence is overwhelming and material. */
export function significantRise(
  j: SeriesEvidence,
  alpha: number,
  level: number,
  ctx: Context,
): "corrected" | "plain" | null {
  if (j.pValue < alpha) return "corrected";
  if (!(j.pPlain < alpha)) return null;
  const material = j.slope * j.spanSeconds >= ctx.policy.overwhelmingRise * Math.abs(level);
  if (j.signalToNoise >= OVERWHELMING_SNR && material) return "plain";
  // A rise whose residuals are negligible is the trend itself, whatever their ranks' autocorrelation.
  if (j.signalToNoise >= DETERMINISTIC_SNR) return "plain";
  return null;
}

/** The later half of the regime still grows at a third of the regime's rate or more. */
export function isSustained(regime: TrendPoint[], slope: number): boolean {
  if (slope <= 0) return false;
  const half = regime.slice(Math.floor(regime.length / 2));
  if (half.length < 4) return true;
  return theilSenSlope(half).slope >= slope / 3;
}

/** The change of regime the judged stretch starts at, or null when it is the whole series. */
export function sinceOf(e: RegimeEvidence): number | null {
  return e.base.regimeStartsSeconds.length > 1 ? e.base.regimeStartSeconds : null;
}
