/**
 * The one trend judge: is a series (live heap, goroutines, RSS, …) growing, bounded, undecided, or
 * too short to tell? Every command and the UI call it with a named policy (policies.ts); this file
 * is the decision, in the order it is taken:
 *
 * 1. insufficient: fewer points than the policy's α allows to decide (minPointsForAlpha), or a span
 *    shorter than its minimum. The Theil–Sen slope of what there is is still reported.
 * 2. The judged regime (regime.ts): change points, warm-up and settling skipped; only the last regime.
 *    When the regime then clearly changes slope, growth that began late is judged on its own, from
 *    its onset, with α spent over the possible onsets (onset-rule.ts); otherwise the whole regime
 *    goes through steps 3–5.
 * 3. growing: the one-sided Mann–Kendall test is significant (corrected for autocorrelation, or the
 *    plain exact test with overwhelming, material evidence: policies.ts), Sen's 95 % interval does not
 *    go below 0, the slope reaches the relevance floor, the rise over the regime reaches the minimum
 *    growth (and two quantization steps), and the later half still grows at a third of the rate or
 *    more. Long regimes also test the lower envelope (window minima: a ratchet, a sawtooth whose lows
 *    keep rising), each test at α/2. A short rising regime is reported as not levelled off yet.
 * 4. bounded, shown in one of three ways: the slope's upper bound (one-sided 97.5 %, or a look's
 *    share of its 2.5 % error) is below the floor of what could still be hiding — the relevance
 *    floor, or the policy's tolerance of the level over the observation counted over at least 30 s
 *    (or less than two quantization steps); or a wide sawtooth's band (window maxima and minima) is
 *    bounded that way; or the series has no monotone tendency (two-sided p ≥ 0.1), releases memory
 *    (a step down far beyond its step-to-step noise) and falls back to earlier levels (its late
 *    minimum at or below its early median: a batch that is flushed, a cache that churns). Why a
 *    leak at or above the floor is called bounded at most 2.5 % of the time: bound-rule.ts.
 * 5. undecided: everything else, with a rough estimate of how much longer would decide.
 */
import { jittered, sortedFinite } from "./blocks.js";
import { decideBound } from "./bound-rule.js";
import { formatNumber } from "./format.js";
import { decideGrowth } from "./growth-rule.js";
import { minPointsForAlpha } from "./mann-kendall.js";
import { normalQuantile, Z95 } from "./normal.js";
import { decideLateOnset } from "./onset-rule.js";
import { BOUND_ERROR, POLICIES, type TrendPolicy, type TrendPolicyName } from "./policies.js";
import { insufficientSentence } from "./reason.js";
import { findJudgedRegime } from "./regime.js";
import { emptyJudgement, gatherEvidence } from "./regime-evidence.js";
import { type Context, relative } from "./rule-context.js";
import { theilSenSlope } from "./theil-sen.js";
import type { TrendJudgement, TrendPoint } from "./types.js";
import { undecided } from "./undecided-rule.js";

export interface JudgeOptions {
  /**
   * Share of the policy's α this judgement may spend (repeated looks: sequential-looks.ts), and the
   * same share of the bound's error (BOUND_ERROR). Default 1.
   */
  alphaShare?: number;
  /** Smallest step of the measurement (1 MiB for gctrace, the sampling rate of a heap profile). */
  resolution?: number;
  /** Values are floored to `resolution` (gctrace's whole MiB): estimates jitter them within the step. */
  quantized?: boolean;
  /** A rise over the regime below this never counts (added to the policy's minimum growth). */
  minimumGrowth?: number;
  /** "bounded" counts the tolerance over at least this span (repeated looks: no earlier than a fixed window). */
  minBoundSpanSeconds?: number;
  /** How values are written in the reason (default: 3 significant digits). */
  formatValue?: (value: number) => string;
}

/** A cut may not leave a regime shorter than this (nor than the policy's minimum span). */
const REGIME_MIN_SPAN_SECONDS = 10;

export function judgeTrend(
  points: TrendPoint[],
  policyOrName: TrendPolicy | TrendPolicyName,
  options: JudgeOptions = {},
): TrendJudgement {
  const ctx = context(policyOrName, options);
  const sorted = sortedFinite(points);
  const n = sorted.length;
  const span = n > 1 ? sorted[n - 1].tSeconds - sorted[0].tSeconds : 0;
  if (n < ctx.minPoints || span < ctx.policy.minSpanSeconds) return insufficient(sorted, span, ctx);
  const work = ctx.quantized && ctx.resolution > 0 ? jittered(sorted, ctx.resolution) : sorted;
  const found = findJudgedRegime(work, {
    minPoints: ctx.minPoints,
    // A regime is only judged on its own when it lasts as long as the longest policy minimum.
    minSpanSeconds: Math.max(ctx.policy.minSpanSeconds, REGIME_MIN_SPAN_SECONDS),
    resolution: ctx.resolution,
    noiseFloor: ctx.noiseFloor,
  });
  const late = decideLateOnset(sorted, work, found, span, ctx);
  if (late) return late;
  const e = gatherEvidence(sorted, work, found.firstIndex, found.startsSeconds, span, ctx);
  return decideGrowth(e, ctx) ?? decideBound(e, ctx) ?? undecided(e, ctx);
}

function context(policyOrName: TrendPolicy | TrendPolicyName, options: JudgeOptions): Context {
  const policy = typeof policyOrName === "string" ? POLICIES[policyOrName] : policyOrName;
  const share = Math.min(1, Math.max(options.alphaShare ?? 1, 1e-6));
  const alpha = policy.alpha * share;
  const resolution = Math.max(0, options.resolution ?? 0);
  const quantized = Boolean(options.quantized) && resolution > 0;
  const formatValue = options.formatValue ?? formatNumber;
  return {
    policy,
    alpha,
    minPoints: minPointsForAlpha(alpha),
    resolution,
    quantized,
    // Quantization noise (uniform over one step) is the least residual spread there can be.
    noiseFloor: quantized ? resolution / Math.sqrt(12) : 0,
    minimumGrowth: Math.max(policy.minimumGrowth, options.minimumGrowth ?? 0, 2 * resolution),
    minBoundSpan: Math.max(options.minBoundSpanSeconds ?? 0, policy.minBoundSpanSeconds),
    boundZ: share === 1 ? Z95 : normalQuantile(1 - BOUND_ERROR * share),
    format: { value: formatValue },
  };
}

function insufficient(sorted: TrendPoint[], span: number, ctx: Context): TrendJudgement {
  const base = emptyJudgement(sorted, span, ctx);
  const n = sorted.length;
  const sen = n >= 2 && span > 0 ? theilSenSlope(sorted) : null;
  const minSpan = ctx.policy.minSpanSeconds;
  const perPoint = n > 1 && span > 0 ? span / (n - 1) : 1;
  return {
    ...base,
    ...(sen
      ? {
          slopePerSecond: sen.slope,
          slopeLowPerSecond: sen.low,
          slopeHighPerSecond: sen.high,
          relativeSlopePerHour: relative(sen.slope, base.level),
        }
      : {}),
    reason: insufficientSentence(
      {
        points: n,
        spanSeconds: span,
        minPoints: ctx.minPoints,
        minSpanSeconds: minSpan,
        slope: sen?.slope ?? null,
      },
      ctx.format,
    ),
    extraSecondsNeeded: Math.max(minSpan - span, 0, (ctx.minPoints - n) * perPoint),
  };
}
