/**
 * The broken stick: one continuous line with one kink, v = a + b·t + c·(t − τ)₊, fitted by least
 * squares with the kink at every admissible point, in O(n) for all of them. It is the model of a
 * plateau that starts to rise (or a rise that steepens): the kink is where the slope changes, c by
 * how much. Only kinks where the series steepens (c > 0) are looked for.
 *
 * For a kink τ the hinge h = (t − τ)₊ adds to the single line what is left of h after projecting
 * it on the line's columns (1, t): h⊥. The squared error falls by (Σ h·r)² / Σ h⊥² (r: the single
 * line's residuals, orthogonal to 1 and t, so Σ h⊥·r = Σ h·r), and c = Σ h·r / Σ h⊥². Every sum
 * is a suffix sum of t, t², r and t·r, so all kinks cost one pass.
 *
 * The same pass fits the rival model of a change of level, a line with one step up,
 * v = a + b·t + d·[t ≥ s] (the step column g orthogonalised the same way: Σ g·r = Σ_{t≥s} r): a
 * series that jumps to a new level is described better by the step than by any kink, a series that
 * starts to rise by the kink.
 */
import type { TrendPoint } from "./types.js";

export interface Kink {
  /** Index of the point the kink sits at (the first point of the steeper stretch). */
  index: number;
  kinkSeconds: number;
  /** Change of slope at the kink, value units per second (> 0: steeper after). */
  slopeChange: number;
  /** Share of the single line's squared error the kink removes (0..1). */
  explained: number;
  /** Share the best step up (anywhere, two points after it at least) removes instead. */
  explainedByStep: number;
}

/**
 * The best steepening kink with at least `minBefore` points before it and `minAfter` from it on,
 * or null when there is none (too few points, no residual, or the series never steepens).
 */
export function steepeningKink(points: TrendPoint[], minBefore: number, minAfter: number): Kink | null {
  const n = points.length;
  if (n < 3 || minBefore < 1 || n - minAfter < minBefore) return null;
  // Centred and scaled to unit ranges, so the sums of squares keep their precision.
  let tMean = 0;
  let vMean = 0;
  for (const p of points) {
    tMean += p.tSeconds;
    vMean += p.value;
  }
  tMean /= n;
  vMean /= n;
  const tScale =
    Math.max(Math.abs(points[0].tSeconds - tMean), Math.abs(points[n - 1].tSeconds - tMean)) || 1;
  let vScale = 0;
  for (const p of points) vScale = Math.max(vScale, Math.abs(p.value - vMean));
  if (vScale === 0) return null;
  const u = new Float64Array(n);
  const w = new Float64Array(n);
  let suu = 0;
  let suw = 0;
  for (let i = 0; i < n; i++) {
    u[i] = (points[i].tSeconds - tMean) / tScale;
    w[i] = (points[i].value - vMean) / vScale;
    suu += u[i] * u[i];
    suw += u[i] * w[i];
  }
  if (!(suu > 0)) return null;
  const slope = suw / suu;
  let sse = 0;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    r[i] = w[i] - slope * u[i];
    sse += r[i] * r[i];
  }
  if (!(sse > 1e-24)) return null;
  // Suffix sums from the end backwards: steps anywhere (two points after them at least), kinks in
  // the admissible range.
  let a1 = u[n - 1];
  let a2 = u[n - 1] * u[n - 1];
  let r1 = r[n - 1];
  let r2 = u[n - 1] * r[n - 1];
  let best: Omit<Kink, "explainedByStep"> | null = null;
  let bestGain = 0;
  let stepGain = 0;
  for (let k = n - 2; k >= 1; k--) {
    a1 += u[k];
    a2 += u[k] * u[k];
    r1 += r[k];
    r2 += u[k] * r[k];
    const m = n - k;
    const stepOrthogonal = m - (m * m) / n - (a1 * a1) / suu;
    if (r1 > 0 && stepOrthogonal > 1e-12 * n) stepGain = Math.max(stepGain, (r1 * r1) / stepOrthogonal);
    if (k > n - minAfter || k < minBefore) continue;
    const tau = u[k];
    const sh = a1 - m * tau;
    const shh = a2 - 2 * tau * a1 + m * tau * tau;
    const shu = a2 - tau * a1;
    const orthogonal = shh - (sh * sh) / n - (shu * shu) / suu;
    if (!(orthogonal > 1e-12 * suu)) continue;
    const shr = r2 - tau * r1;
    if (!(shr > 0)) continue;
    const gain = (shr * shr) / orthogonal;
    // Gains at rounding level are no kink.
    if (gain > bestGain && gain > 1e-9 * sse) {
      bestGain = gain;
      best = {
        index: k,
        kinkSeconds: points[k].tSeconds,
        slopeChange: ((shr / orthogonal) * vScale) / tScale,
        explained: Math.min(1, gain / sse),
      };
    }
  }
  return best ? { ...best, explainedByStep: Math.min(1, stepGain / sse) } : null;
}
