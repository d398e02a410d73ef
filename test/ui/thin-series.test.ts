/** Thinning a day of samples for the charts: shared spans, peaks and troughs kept, short series untouched. */
import { describe, expect, it } from "vitest";
import { MAX_POINTS, thinTimeline } from "../../src/ui/server/thin-series.js";
import type { TimelineReport, TimelineSeries } from "../../src/ui/shared/api-types.js";

function sawtooth(n: number, key: string): TimelineSeries {
  const x = Array.from({ length: n }, (_, k) => k * 10);
  // A GC sawtooth: climbs 100 → 190 over ten samples, falls back, with a slow leak beneath.
  const y = x.map((_, k) => 100 + (k % 10) * 10 + k * 0.01);
  return { key, label: key, unit: "bytes", x, y };
}

describe("thinTimeline", () => {
  it("leaves reports whose series are short enough alone", () => {
    const report: TimelineReport = {
      name: "r",
      startedAtMs: null,
      series: [sawtooth(100, "a")],
      snapshots: [],
    };
    expect(thinTimeline(report)).toBe(report);
  });

  it("keeps each span's lowest and highest value, on x values every series shares", () => {
    const long = sawtooth(8640, "heap");
    const other = { ...sawtooth(8640, "rss"), y: sawtooth(8640, "rss").y.map((v) => v * 2) };
    const thinned = thinTimeline({ name: "r", startedAtMs: null, series: [long, other], snapshots: [] });
    const [a, b] = thinned.series as [TimelineSeries, TimelineSeries];
    expect(a.x.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(a.x).toEqual(b.x);
    const values = long.y as number[];
    const kept = a.y as number[];
    expect(Math.max(...kept)).toBe(Math.max(...values));
    expect(Math.min(...kept)).toBe(Math.min(...values));
    // Troughs survive: the thinned series still falls back after each climb.
    const falls = kept.filter((v, k) => k > 0 && v < kept[k - 1]! - 50).length;
    expect(falls).toBeGreaterThan(500);
    // Every kept value is one of the series' own values, within its span's time.
    const width = (long.x[long.x.length - 1]! - long.x[0]!) / 1200;
    for (let k = 0; k < kept.length; k++) {
      const source = values.findIndex((v, j) => v === kept[k] && Math.abs(long.x[j]! - a.x[k]!) <= width);
      expect(source).toBeGreaterThanOrEqual(0);
    }
  });
});
