/**
 * Thins a report's timelines for drawing: a chart is at most a few thousand pixels wide, and a day
 * of one-second samples would be ~86 000 points per series. Above MAX_POINTS, time is cut into
 * BUCKETS equal spans shared by every series; each series keeps, per span, its lowest and its
 * highest value (in the order they occurred), placed a quarter and three quarters into the span.
 * Peaks and troughs survive (a sawtooth stays a sawtooth); times move by less than a span; the
 * series still share their x values, so the merged axis stays small. Trend verdicts were computed
 * on the full series before and are kept.
 */
import type { TimelineReport, TimelineSeries } from "../shared/api-types.js";

export const MAX_POINTS = 3000;
const BUCKETS = 1200;

/** Seconds rounded to the millisecond (shorter JSON; far below a span). */
function atMs(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

function thin(s: TimelineSeries, start: number, width: number): TimelineSeries {
  const lo = new Array<number>(BUCKETS).fill(-1);
  const hi = new Array<number>(BUCKETS).fill(-1);
  for (let k = 0; k < s.x.length; k++) {
    const v = s.y[k];
    if (v === null || v === undefined) continue;
    const b = Math.min(BUCKETS - 1, Math.floor((s.x[k]! - start) / width));
    if (lo[b]! < 0 || v < s.y[lo[b]!]!) lo[b] = k;
    if (hi[b]! < 0 || v > s.y[hi[b]!]!) hi[b] = k;
  }
  const x: number[] = [];
  const y: number[] = [];
  for (let b = 0; b < BUCKETS; b++) {
    if (lo[b]! < 0) continue;
    const [first, second] = lo[b]! <= hi[b]! ? [lo[b]!, hi[b]!] : [hi[b]!, lo[b]!];
    x.push(atMs(start + (b + 0.25) * width), atMs(start + (b + 0.75) * width));
    y.push(s.y[first]!, s.y[second]!);
  }
  return { ...s, x, y };
}

/** The report with every series longer than MAX_POINTS thinned on one shared set of spans. */
export function thinTimeline(report: TimelineReport): TimelineReport {
  if (!report.series.some((s) => s.x.length > MAX_POINTS)) return report;
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const s of report.series) {
    for (const t of s.x) {
      if (t < start) start = t;
      if (t > end) end = t;
    }
  }
  const width = (end - start) / BUCKETS || 1;
  return {
    ...report,
    series: report.series.map((s) => (s.x.length > MAX_POINTS ? thin(s, start, width) : s)),
  };
}
