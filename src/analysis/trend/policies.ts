/**
 * The trend engine's named policies: every statistical choice of a judgement, in one table. A
 * policy belongs to a kind of series (how it is measured, what growth matters), not to a command:
 * gctrace, memstats, doctor and the UI judge the same kind of series with the same policy, so they
 * cannot disagree on it.
 *
 * | policy            | series                                                       | α     | bound tolerance | overwhelming rise | relevance floors                      | min points | min span |
 * |-------------------|--------------------------------------------------------------|-------|-----------------|-------------------|---------------------------------------|------------|----------|
 * | gctrace           | live heap at GC cycles (gctrace), MemStats/metrics readings  | 0.005 | 15 %            | 15 %              | 0.1 %/h of the level                  | 6          | 5 s      |
 * | doctor-heap       | forced-GC heap readings: profile total, HeapAlloc, StackInuse | 0.001 | 2 %             | 15 %              | 4 %/h; 2 KiB/s up to 10 min           | 7          | 8 s      |
 * | doctor-objects    | live objects of the heap profiles                            | 0.001 | 2 %             | 15 %              | 4 %/h; 10 objects/s                   | 7          | 8 s      |
 * | doctor-goroutines | goroutine count                                              | 0.001 | 2 %             | 15 %              | 4 %/h; 1 goroutine/min; +5 in all     | 7          | 8 s      |
 * | doctor-process    | RSS and memory outside the Go heap                           | 0.001 | 2 %             | 15 %              | 5 %/h; 32 KiB/s; +8 MiB in all        | 7          | 8 s      |
 *
 * Every policy corrects for autocorrelation the same way (Hamed–Rao, floored by AR(1) at an upper
 * 95 % bound of ρ: mann-kendall.ts), tests the lower envelope too on long regimes (α/2 each), and
 * bounds growth by the band or by falling back to earlier levels (judge.ts). "bounded" counts the
 * bound tolerance over at least 30 s, however short the observation, and holds its upper bound to a
 * one-sided error of 2.5 % (BOUND_ERROR; bound-rule.ts).
 *
 * - α is one-sided (growth). The minimum number of points follows from it: n strictly rising points
 *   give an exact Mann–Kendall p of 1/n!, so a policy cannot call fewer than minPointsForAlpha(α)
 *   points growing (7 at 0.001, 6 at 0.005). Repeated looks (doctor --duration auto) judge with a
 *   share of α (sequential-looks.ts), which raises the minimum accordingly.
 * - Autocorrelation: consecutive readings of a heap share most of their objects, and a batch program
 *   makes sawtooths, so independence-based p-values are too small. The Mann–Kendall variance is
 *   inflated by the larger of the Hamed–Rao and an AR(1) correction. With few points neither can be
 *   estimated, and no test on a dozen points tells persistent noise from a trend; the plain (exact)
 *   test then decides only when the evidence is overwhelming: a rise of OVERWHELMING_SNR residual
 *   scales that is also material (the policy's overwhelming rise, 15 % of the level), or residuals
 *   so small the series is a clean line (DETERMINISTIC_SNR). A leak that grows by 25 % in ten seconds
 *   is that; AR(0.8) noise with a 5 % spread can wander 10 % in ten points, which is why 15 %.
 * - Bound tolerance: "bounded" in a short observation means the slope's upper bound adds less
 *   than this fraction of the level over the observation, counted over at least 30 s (a per-hour
 *   rate cannot be bounded in a minute; a 10 s window may not accept 3 times the growth per second
 *   a 30 s one does). That is the growth a bounded verdict says could still be hiding. gctrace's 15 %: a flat sawtooth's peaks, seen only when a GC lands near them, could not
 *   be bounded to 10 % in 30–40 s on a loaded machine. doctor's 2 %: its forced-GC readings are
 *   steady enough to bound far tighter.
 * - Relevance floors: growth slower than the floor never counts as a leak. 0.1 %/h is +18 % a week,
 *   what a service owner wants to hear about from a long gctrace log; doctor observes minutes, where
 *   warm-up creep dominates, so its floors are 4 %/h (the heap doubling in a day) plus an absolute
 *   floor per signal (2 KiB/s ≈ 170 MiB/day of heap), which shrinks in proportion beyond 10 minutes.
 */
import type { AutocorrelationHandling } from "./mann-kendall.js";

export type TrendPolicyName =
  | "gctrace"
  | "doctor-heap"
  | "doctor-objects"
  | "doctor-goroutines"
  | "doctor-process";

export interface TrendPolicy {
  name: TrendPolicyName;
  /** What it judges, in words. */
  judges: string;
  /** One-sided significance level of the growth test. */
  alpha: number;
  autocorrelation: AutocorrelationHandling;
  /** "bounded": growth within the observation below this fraction of the level. */
  boundTolerance: number;
  /** The plain test decides alone only for a rise of at least this fraction of the level (see top). */
  overwhelmingRise: number;
  /** Growth below this fraction of the level per hour never matters. */
  relativeFloorPerHour: number;
  /** ... nor growth below this many units per second (shrinking beyond the horizon). */
  absoluteFloorPerSecond: number;
  absoluteFloorHorizonSeconds: number | null;
  /** Smallest total rise over the judged regime that can count (units). */
  minimumGrowth: number;
  /** Shortest span a judgement needs. */
  minSpanSeconds: number;
  /** "bounded": the tolerance is counted over at least this span, however short the observation. */
  minBoundSpanSeconds: number;
}

/** The plain test decides alone when the rise is this many robust residual scales (and material). */
export const OVERWHELMING_SNR = 8;
/**
 * ... or alone, when the rise is this many residual scales: the residuals are then negligible
 * (a clean line; quantized values cannot get there, their noise floor is a quantization step).
 */
export const DETERMINISTIC_SNR = 100;
/**
 * One-sided error of the upper bound "bounded" needs: Sen's 95 % interval's upper end for one
 * judgement; repeated looks each spend their share of it (bound-rule.ts).
 */
export const BOUND_ERROR = 0.025;
/** The shortest span a bound's tolerance is counted over: doctor's fixed window (bound-rule.ts). */
const MIN_BOUND_SPAN_SECONDS = 30;
/** "No monotone tendency" for the falls-back rule: two-sided Mann–Kendall p at or above this. */
export const NO_TREND_P = 0.1;

const KIB = 1024;
const MIB = 1024 * KIB;

const DOCTOR = {
  alpha: 0.001,
  autocorrelation: "hamed-rao+ar1",
  boundTolerance: 0.02,
  overwhelmingRise: 0.15,
  relativeFloorPerHour: 0.04,
  absoluteFloorHorizonSeconds: 600,
  minSpanSeconds: 8,
  minBoundSpanSeconds: MIN_BOUND_SPAN_SECONDS,
} as const;

export const POLICIES: Record<TrendPolicyName, TrendPolicy> = {
  gctrace: {
    name: "gctrace",
    judges: "the live heap at GC cycles (gctrace) and MemStats/metrics readings",
    alpha: 0.005,
    autocorrelation: "hamed-rao+ar1",
    boundTolerance: 0.15,
    overwhelmingRise: 0.15,
    relativeFloorPerHour: 0.001,
    absoluteFloorPerSecond: 0,
    absoluteFloorHorizonSeconds: null,
    minimumGrowth: 0,
    // A fast leak doubles the heap every cycle: 7 cycles can span 8 s.
    minSpanSeconds: 5,
    minBoundSpanSeconds: MIN_BOUND_SPAN_SECONDS,
  },
  "doctor-heap": {
    ...DOCTOR,
    name: "doctor-heap",
    judges: "doctor's forced-GC heap readings (profile in-use total, HeapAlloc, StackInuse)",
    absoluteFloorPerSecond: 2 * KIB,
    minimumGrowth: 0,
  },
  "doctor-objects": {
    ...DOCTOR,
    name: "doctor-objects",
    judges: "live objects in doctor's heap profiles",
    absoluteFloorPerSecond: 10,
    minimumGrowth: 0,
  },
  "doctor-goroutines": {
    ...DOCTOR,
    name: "doctor-goroutines",
    judges: "the goroutine count",
    absoluteFloorPerSecond: 1 / 60,
    minimumGrowth: 5,
  },
  "doctor-process": {
    ...DOCTOR,
    name: "doctor-process",
    judges: "resident memory and memory outside the Go heap",
    relativeFloorPerHour: 0.05,
    absoluteFloorPerSecond: 32 * KIB,
    minimumGrowth: 8 * MIB,
  },
};

/** The policy's relevance floor (units per second) for a series at `level` observed over `spanSeconds`. */
export function relevanceFloor(policy: TrendPolicy, level: number, spanSeconds: number): number {
  const horizon = policy.absoluteFloorHorizonSeconds;
  const absolute =
    horizon === null
      ? policy.absoluteFloorPerSecond
      : policy.absoluteFloorPerSecond * Math.min(1, horizon / Math.max(spanSeconds, 1));
  return Math.max(absolute, (policy.relativeFloorPerHour * Math.abs(level)) / 3600);
}
