/**
 * The one trend judge: is a series (live heap, goroutines, RSS, …) growing, bounded, undecided, or
 * too short to tell? Every command and the UI call it with a named policy (policies.ts); this file
 * is the decision, in the order it is taken:
 *
 * 1. insufficient: fewer points than the policy's α allows to decide (minPointsForAlpha), or a span
 *    shorter than its minimum. The Theil–Sen slope of what there is is still reported.
 * 2. The judged regime (regime.ts): change points, warm-up and settling skipped; only the last regime.
 * 3. growing: the one-sided Mann–Kendall test is significant (corrected for autocorrelation, or the
 *    plain exact test with overwhelming, material evidence: policies.ts), Sen's 95 % interval does not
 *    go below 0, the slope reaches the relevance floor, the rise over the regime reaches the minimum
 *    growth (and two quantization steps), and the later half still grows at a third of the rate or
 *    more. Long regimes also test the lower envelope (window minima: a ratchet, a sawtooth whose lows
 *    keep rising), each test at α/2. A short rising regime is reported as not levelled off yet.
 * 4. bounded, shown in one of three ways: the slope's 95 % upper bound adds less than the policy's
 *    tolerance of the level over the observation (or less than two quantization steps); or a wide
 *    sawtooth's band (window maxima and minima) is bounded that way; or the series has no monotone
 *    tendency (two-sided p ≥ 0.1) and falls back to earlier levels (its late minimum at or below its
 *    early median: a batch that is flushed, a cache that churns).
 * 5. undecided: everything else, with a rough estimate of how much longer would decide.
 */
import { aggregateBlocks, jittered, sortedFinite } from "./blocks.js";
import { type SeriesEvidence, seriesEvidence } from "./evidence.js";
import { formatNumber } from "./format.js";
import { EXACT_MAX_N, minPointsForAlpha } from "./mann-kendall.js";
import { medianOf } from "./order-statistics.js";
import {
  DETERMINISTIC_SNR,
  NO_TREND_P,
  OVERWHELMING_SNR,
  POLICIES,
  relevanceFloor,
  type TrendPolicy,
  type TrendPolicyName,
} from "./policies.js";
import {
  belowFloorSentence,
  boundedByBandSentence,
  boundedByConfidenceSentence,
  boundedByResolutionSentence,
  fallsBackSentence,
  growingSentence,
  insufficientSentence,
  type SentenceFormat,
  slowingSentence,
  unchangedSentence,
  undecidedSentence,
} from "./reason.js";
import { findJudgedRegime } from "./regime.js";
import { theilSenSlope } from "./theil-sen.js";
import type { TrendJudgement, TrendPoint } from "./types.js";

export interface JudgeOptions {
  /** Share of the policy's α this judgement may spend (repeated looks: sequential-looks.ts). Default 1. */
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
/** Below this span a rising series is reported as not levelled off yet. */
const LEVELLING_HORIZON_SECONDS = 60;
/** Envelope windows are this fraction of the judged regime (at least 4 points). */
const ENVELOPE_WINDOW_FRACTION = 0.05;
const CONFIDENCE = 0.95;

interface Context {
  policy: TrendPolicy;
  alpha: number;
  minPoints: number;
  resolution: number;
  quantized: boolean;
  noiseFloor: number;
  minimumGrowth: number;
  minBoundSpan: number;
  format: SentenceFormat;
}

/** The judged regime with the statistics every rule reads. */
interface RegimeEvidence {
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
}

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
  const e = gatherEvidence(sorted, work, found.firstIndex, found.startsSeconds, span, ctx);
  return decideGrowth(e, ctx) ?? decideBound(e, ctx) ?? undecided(e, ctx);
}

function context(policyOrName: TrendPolicy | TrendPolicyName, options: JudgeOptions): Context {
  const policy = typeof policyOrName === "string" ? POLICIES[policyOrName] : policyOrName;
  const alpha = policy.alpha * Math.min(1, Math.max(options.alphaShare ?? 1, 1e-6));
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
    minBoundSpan: options.minBoundSpanSeconds ?? 0,
    format: { value: formatValue },
  };
}

function emptyJudgement(sorted: TrendPoint[], span: number, ctx: Context): TrendJudgement {
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

function relative(slope: number, level: number): number {
  return level !== 0 ? (slope / Math.abs(level)) * 3600 : 0;
}

function gatherEvidence(
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
  const main = seriesEvidence(regime, { noiseFloor: ctx.noiseFloor, autocorrelation });
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

/** Significant growth: the corrected test, or the plain one when the evidence is overwhelming and material. */
function significantRise(
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

function decideGrowth(e: RegimeEvidence, ctx: Context): TrendJudgement | null {
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
    reason: growingSentence(
      {
        slope: decisive.slope,
        low,
        high: decisive.high,
        level: e.level,
        spanSeconds: e.span,
        since: sinceOf(e),
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

/** The later half of the regime still grows at a third of the regime's rate or more. */
function isSustained(regime: TrendPoint[], slope: number): boolean {
  if (slope <= 0) return false;
  const half = regime.slice(Math.floor(regime.length / 2));
  if (half.length < 4) return true;
  return theilSenSlope(half).slope >= slope / 3;
}

function strictlyRising(points: TrendPoint[]): boolean {
  for (let i = 1; i < points.length; i++) if (!(points[i].value > points[i - 1].value)) return false;
  return points.length >= 2;
}

function decideBound(e: RegimeEvidence, ctx: Context): TrendJudgement | null {
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
  // A rise significant at 2.5 % one-sided that is relevant is not bounded, even if not yet "growing".
  const risesRelevantly = (j: SeriesEvidence, reference: number, alpha: number) =>
    j.slope > 0 &&
    j.low >= 0 &&
    significantRise(j, alpha, reference, ctx) !== null &&
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

function undecided(e: RegimeEvidence, ctx: Context): TrendJudgement {
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
    reason = undecidedSentence({ ...figures, pValue: main.pValue, direction }, ctx.format);
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

/** The change of regime the judged stretch starts at, or null when it is the whole series. */
function sinceOf(e: RegimeEvidence): number | null {
  return e.base.regimeStartsSeconds.length > 1 ? e.base.regimeStartSeconds : null;
}
