/**
 * When did a growing series start to grow? The trend engine judges a leak that began late together
 * with the plateau before it (regime.ts: cutting to where a noisy series happens to rise would bias
 * the verdict), so its judged stretch may start long before the growth. Dating the growth is a
 * separate question, asked only of a series already judged growing: the two-line split (one line
 * against two, split at every admissible point) that halves the squared error, where the earlier
 * line is flat beside the later one (a quarter of its slope or less).
 */
import { fitLine } from "./trend/change-point.js";
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
  const t = (i: number) => points[i].tSeconds;
  const v = (i: number) => points[i].value;
  const sse = (from: number, to: number) => {
    const line = fitLine(from, to, t, v);
    let sum = 0;
    for (let i = from; i < to; i++) sum += (v(i) - line.intercept - line.slope * t(i)) ** 2;
    return { sum, slope: line.slope };
  };
  const whole = sse(0, n).sum;
  if (!(whole > 0)) return 0;
  let best = { index: 0, sum: whole };
  for (let k = MIN_EARLIER_POINTS; k <= n - minLater; k++) {
    const earlier = sse(0, k);
    const later = sse(k, n);
    if (!(later.slope > 0) || earlier.slope > FLAT_RATIO * later.slope) continue;
    if (earlier.sum + later.sum < best.sum) best = { index: k, sum: earlier.sum + later.sum };
  }
  return best.sum <= whole * 0.5 ? best.index : 0;
}
