/**
 * "Falls back to earlier levels", measured against the noise: the evidence a batch that is flushed
 * or a cache that churns gives that memory is given back, not merely that noise dipped.
 *
 * Two things must both be seen:
 *
 * - a release: one step down (between consecutive distinct readings) of at least RELEASE_Z robust
 *   scales of the step-to-step changes (their median absolute deviation about their median, so a
 *   sawtooth's steady climb is the centre and its drops stand out). In Gaussian noise, independent
 *   or AR(1), the steps are Gaussian too, so a step of 6 scales is as rare as a 6 σ event (about 1e-9
 *   per step once the scale is known; with as few as 9 steps the scale itself is uncertain, which the
 *   simulation in test/analysis/trend/false-bounded.test.ts measures). A leak in noise has no such
 *   step, whatever its rate: noise no longer passes for giving memory back.
 * - a return: the late third's lowest reading is at or below the early third's median, and its
 *   floor (lowest reading) rose by no more than `floorAllowance` (the bound the rule applies to the
 *   slope: a ratchet, a sawtooth whose lows creep up, is not bounded by its drops).
 */
import { medianOf } from "./order-statistics.js";
import type { TrendPoint } from "./types.js";

/** A release is a step down of at least this many robust scales of the step-to-step changes. */
export const RELEASE_Z = 6;
/** Fewer steps than this cannot give a scale to measure a release against. */
const MIN_STEPS = 20;

export interface FallBack {
  lowest: number;
  earlyMedian: number;
  /** The largest step down, and the robust scale of the steps it is measured against. */
  drop: number;
  stepScale: number;
}

export function fallsBack(points: TrendPoint[], options: { noiseFloor: number }): FallBack | null {
  const third = Math.max(2, Math.floor(points.length / 3));
  const earlyMedian = medianOf(points.slice(0, third).map((p) => p.value));
  let lowest = Number.POSITIVE_INFINITY;
  for (const p of points.slice(points.length - third)) lowest = Math.min(lowest, p.value);
  if (!(lowest <= earlyMedian)) return null;
  const release = largestRelease(points, options.noiseFloor);
  return release ? { lowest, earlyMedian, ...release } : null;
}

/**
 * The largest step down, when it stands RELEASE_Z robust scales below the typical step. Steps over
 * longer gaps (doctor samples less often after a minute) are scaled by the square root of the gap
 * against the median gap: noise that wanders (AR(1) with φ near 1) moves that much more over a
 * longer gap; for noise that does not, this only makes a release harder to claim.
 */
function largestRelease(
  points: TrendPoint[],
  noiseFloor: number,
): { drop: number; stepScale: number } | null {
  // Readings that repeat (a value set at GCs, read between them) are one reading.
  const raw: { step: number; gap: number }[] = [];
  let last = points[0];
  for (let i = 1; i < points.length; i++) {
    const step = points[i].value - last.value;
    if (step === 0) continue;
    raw.push({ step, gap: Math.max(points[i].tSeconds - last.tSeconds, 1e-9) });
    last = points[i];
  }
  if (raw.length < MIN_STEPS) return null;
  const typicalGap = medianOf(raw.map((s) => s.gap));
  const steps = raw.map((s) => s.step / Math.sqrt(Math.max(1, s.gap / typicalGap)));
  const centre = medianOf(steps);
  const scale = Math.max(
    1.4826 * medianOf(steps.map((s) => Math.abs(s - centre))),
    // Two readings each off by up to a quantization step: the least spread a step can have.
    Math.SQRT2 * noiseFloor,
  );
  const drop = centre - Math.min(...steps);
  if (!(drop > 0) || drop < RELEASE_Z * scale) return null;
  return { drop, stepScale: scale };
}
