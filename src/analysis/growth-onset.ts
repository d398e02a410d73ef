/**
 * When did a growing series start to grow? When the growth began late with a clear change of slope
 * the trend engine judges it from its onset and says where (TrendJudgement.onset). Otherwise it
 * judges the whole regime, and the growth may still have begun inside it (a leak whose onset the
 * onset rule could not separate from the plateau with its stricter α). Dating that growth is a
 * separate question, asked only of a series already judged growing: the two-line split (one line
 * against two, split at every admissible point) that halves the squared error, where the earlier
 * line is flat beside the later one (a quarter of its slope or less).
 */
import type { TrendPoint } from "./trend.js";

/** The earlier part must hold this many points, the later this many and this share of the series. */
const MIN_EARLIER_POINTS = 4;
const MIN_LATER_POINTS = 6;
const MIN_LATER_SHARE = 0.2;
/** The earlier line's slope is at most this fraction of the later one's. */
const FLAT_RATIO = 0.25;

/** Index of the point where growth began (0: it grew throughout, or no clear onset). */
export function growthOnsetIndex(points: TrendPoint[]): number {
  const n = points.length;
  const minLater = Math.max(MIN_LATER_POINTS, Math.ceil(n * MIN_LATER_SHARE));
  if (n < MIN_EARLIER_POINTS + minLater) return 0;
  const fits = new LineFits(points);
  const whole = fits.fit(0, n).sse;
  if (!(whole > 0)) return 0;
  let best = { index: 0, sum: whole };
  for (let k = MIN_EARLIER_POINTS; k <= n - minLater; k++) {
    const earlier = fits.fit(0, k);
    const later = fits.fit(k, n);
    if (!(later.slope > 0) || earlier.slope > FLAT_RATIO * later.slope) continue;
    if (earlier.sse + later.sse < best.sum) best = { index: k, sum: earlier.sse + later.sse };
  }
  return best.sum <= whole * 0.5 ? best.index : 0;
}

/**
 * Least-squares lines of any stretch in O(1) from prefix sums, on times and values centred and
 * scaled to unit range so the sums of squares keep their precision.
 */
class LineFits {
  private readonly st: Float64Array;
  private readonly sv: Float64Array;
  private readonly stt: Float64Array;
  private readonly stv: Float64Array;
  private readonly svv: Float64Array;
  private readonly tScale: number;
  private readonly vScale: number;

  constructor(points: TrendPoint[]) {
    const n = points.length;
    const t0 = points[0].tSeconds;
    const v0 = points[0].value;
    let tSpan = 0;
    let vSpan = 0;
    for (const p of points) {
      tSpan = Math.max(tSpan, Math.abs(p.tSeconds - t0));
      vSpan = Math.max(vSpan, Math.abs(p.value - v0));
    }
    this.tScale = tSpan || 1;
    this.vScale = vSpan || 1;
    this.st = new Float64Array(n + 1);
    this.sv = new Float64Array(n + 1);
    this.stt = new Float64Array(n + 1);
    this.stv = new Float64Array(n + 1);
    this.svv = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      const t = (points[i].tSeconds - t0) / this.tScale;
      const v = (points[i].value - v0) / this.vScale;
      this.st[i + 1] = this.st[i] + t;
      this.sv[i + 1] = this.sv[i] + v;
      this.stt[i + 1] = this.stt[i] + t * t;
      this.stv[i + 1] = this.stv[i] + t * v;
      this.svv[i + 1] = this.svv[i] + v * v;
    }
  }

  /** Slope (value units per second) and squared error (in scaled units) of points [from, to). */
  fit(from: number, to: number): { slope: number; sse: number } {
    const n = to - from;
    const mt = (this.st[to] - this.st[from]) / n;
    const mv = (this.sv[to] - this.sv[from]) / n;
    const sxx = this.stt[to] - this.stt[from] - n * mt * mt;
    const sxy = this.stv[to] - this.stv[from] - n * mt * mv;
    const syy = this.svv[to] - this.svv[from] - n * mv * mv;
    const slope = sxx > 1e-15 ? sxy / sxx : 0;
    const sse = Math.max(0, sxx > 1e-15 ? syy - (sxy * sxy) / sxx : syy);
    return { slope: (slope * this.vScale) / this.tScale, sse };
  }
}
