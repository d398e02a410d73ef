/**
 * The engine's sentences. Each is a predicate without its subject, so a caller writes
 * "The live heap after GC " + reason, or "live heap " + reason: "grows 20 MiB/s (…) over 13 s".
 * Every rate printed is a Theil–Sen slope of the data.
 */
import { formatDuration, formatP, formatPercent, formatRate, meaningfulRelativePerHour } from "./format.js";
import type { GrowthOnset } from "./types.js";

export interface SentenceFormat {
  value: (v: number) => string;
}

export interface RateFigures {
  slope: number;
  low: number;
  high: number;
  level: number;
}

const rate = (perSecond: number, f: SentenceFormat) => formatRate(perSecond, f.value);

/** The rate relative to the level, when it means something (format.ts: meaningfulRelativePerHour). */
function relativePerHour(slope: number, level: number, spanSeconds: number): string {
  const perHour = meaningfulRelativePerHour(slope, level, spanSeconds);
  return perHour !== null ? `, ${formatPercent(perHour)}/h` : "";
}

function interval(r: RateFigures, f: SentenceFormat): string {
  const low = Number.isFinite(r.low) ? rate(r.low, f) : "−∞";
  const high = Number.isFinite(r.high) ? rate(r.high, f) : "+∞";
  return `95% CI ${low} to ${high}`;
}

/** Where the judged stretch starts, when a change of regime moved it past the series' start. */
export interface Stretch {
  spanSeconds: number;
  points: number;
  /** The change of regime it starts at, or null when it is the whole series. */
  since?: number | null;
  /** The stretch starts where a late rise began (it then replaces `since`). */
  onset?: GrowthOnset;
}

function over(r: Stretch, f?: SentenceFormat): string {
  if (r.onset && f)
    return `over ${formatDuration(r.spanSeconds)} since it began to rise at ${formatDuration(r.onset.atSeconds)} (${r.points} points; before it ${rate(r.onset.slopeBeforePerSecond, f)})`;
  const since =
    r.since !== undefined && r.since !== null
      ? ` since the change of regime at ${formatDuration(r.since)}`
      : "";
  return `over ${formatDuration(r.spanSeconds)}${since} (${r.points} points)`;
}

export function growingSentence(
  r: RateFigures &
    Stretch & {
      pValue: number;
      exactTest: boolean;
      envelope: boolean;
      monotone: boolean;
      notLevelledOff: boolean;
    },
  f: SentenceFormat,
): string {
  const what = r.envelope ? "grows at its minima (a ratchet: each low is higher than the last)" : "grows";
  const monotone = r.monotone ? ", every point above the last" : "";
  const levelled = r.notLevelledOff
    ? `; it has not levelled off yet in the ${formatDuration(r.spanSeconds)} observed`
    : "";
  const searched = r.onset ? ` at α/${r.onset.candidates} (${r.onset.candidates} possible onsets)` : "";
  return `${what} ${rate(r.slope, f)} (${interval(r, f)}${relativePerHour(r.slope, r.level, r.spanSeconds)}) ${over(r, f)}${monotone}, Mann–Kendall ${formatP(r.pValue)}${r.exactTest ? " (exact)" : ""}${searched}${levelled}`;
}

export function boundedByConfidenceSentence(
  r: RateFigures & Stretch & { boundSeconds: number; riseFraction: number },
  f: SentenceFormat,
): string {
  const within =
    r.boundSeconds > r.spanSeconds
      ? `growth is at most ${formatPercent(r.riseFraction)} of its level per ${formatDuration(r.boundSeconds)}`
      : `growth within it is at most ${formatPercent(r.riseFraction)} of its level`;
  return `stays at ${f.value(r.level)} ${over(r)}: slope ${rate(r.slope, f)} (${interval(r, f)}), so ${within}`;
}

export function unchangedSentence(r: Stretch & { level: number }, f: SentenceFormat): string {
  return `stays at ${f.value(r.level)}, unchanged ${over(r)}`;
}

export function boundedByResolutionSentence(
  r: RateFigures & Stretch & { resolution: number },
  f: SentenceFormat,
): string {
  return `stays at ${f.value(r.level)} ${over(r)}: slope ${rate(r.slope, f)} (${interval(r, f)}), less than two steps of the measurement (${f.value(r.resolution)}) over the observation`;
}

export function boundedByBandSentence(
  r: Stretch & { peak: number; riseFraction: number },
  f: SentenceFormat,
): string {
  return `moves in a band whose peaks (${f.value(r.peak)}) and floor grow by at most ${formatPercent(r.riseFraction)} of the peak ${over(r)}`;
}

export function fallsBackSentence(
  r: Stretch & { pTwoSided: number; lowest: number; earlyMedian: number },
  f: SentenceFormat,
): string {
  return `shows no monotone trend (Mann–Kendall two-sided ${formatP(r.pTwoSided)}) and falls back to earlier levels ${over(r)}: down to ${f.value(r.lowest)} late, against a median of ${f.value(r.earlyMedian)} early`;
}

export function slowingSentence(r: RateFigures & Stretch, f: SentenceFormat): string {
  return `grew ${rate(r.slope, f)} ${over(r)}, but the growth is slowing down (a warm-up settling, or a leak whose rate changed)`;
}

export function belowFloorSentence(
  r: RateFigures &
    Stretch & {
      floor: number;
      minimumGrowth: number;
      tooSmall: boolean;
    },
  f: SentenceFormat,
): string {
  if (r.tooSmall)
    return `rises ${rate(r.slope, f)} ${over(r)}, by less than the ${f.value(r.minimumGrowth)} that could count`;
  return `rises ${rate(r.slope, f)} ${over(r)}, below the ${rate(r.floor, f)} that would matter`;
}

export function undecidedSentence(
  r: RateFigures &
    Stretch & {
      pValue: number;
      direction: "falls" | "rises" | "flat";
      /** The upper bound "bounded" would need below its floor (bound-rule.ts). */
      bound: number;
      /** The bound is one measurement step over the observation (the data resolve no less). */
      resolution?: number;
    },
  f: SentenceFormat,
): string {
  const trend =
    r.direction === "falls"
      ? "falls"
      : r.direction === "rises"
        ? "rises, but not significantly enough,"
        : "shows no significant trend";
  const bound = Number.isFinite(r.bound) ? rate(r.bound, f) : "an unbounded rate";
  const step =
    r.resolution !== undefined
      ? ` (one step of the measurement, ${f.value(r.resolution)}, over the observation)`
      : "";
  return `${trend} ${over(r)} (slope ${rate(r.slope, f)}, ${interval(r, f)}, Mann–Kendall ${formatP(r.pValue)}), but growth of ${bound}${step} cannot be ruled out yet`;
}

export function insufficientSentence(
  r: { points: number; spanSeconds: number; minPoints: number; minSpanSeconds: number; slope: number | null },
  f: SentenceFormat,
): string {
  const seen = r.slope !== null ? ` (slope so far ${rate(r.slope, f)})` : "";
  return `has too few points to judge: ${r.points} over ${formatDuration(r.spanSeconds)}${seen}; at least ${r.minPoints} over ${formatDuration(r.minSpanSeconds)} are needed`;
}
