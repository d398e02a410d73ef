/** When a relative rate per hour is printed (meaningfulRelativePerHour), and when only the absolute rate is. */
import { describe, expect, it } from "vitest";
import { judgeTrend, meaningfulRelativePerHour, type TrendPoint } from "../../../src/analysis/trend.js";

const MIB = 1024 * 1024;

describe("meaningfulRelativePerHour", () => {
  it("is the rate over the level per hour for a long observation of a base that stayed a base", () => {
    expect(meaningfulRelativePerHour(100, 100 * 3600, 3600)).toBeCloseTo(1, 12);
    expect(meaningfulRelativePerHour(-10, 360_000, 7200)).toBeCloseTo(-0.1, 12);
  });

  it("is null for short spans, for a level that grew by more than itself, and without a positive level", () => {
    // 10.9 MiB/s over 16 s on a 90 MiB heap: "+44638 %/h" is an extrapolation, not a measurement.
    expect(meaningfulRelativePerHour(10.9 * MIB, 90 * MIB, 16)).toBeNull();
    expect(meaningfulRelativePerHour(0.1, 100, 599)).toBeNull();
    expect(meaningfulRelativePerHour(0.1, 100, 600)).not.toBeNull();
    expect(meaningfulRelativePerHour(1, 100, 3600)).toBeNull();
    expect(meaningfulRelativePerHour(1, 0, 3600)).toBeNull();
  });

  it("decides whether the engine's sentences print a %/h figure", () => {
    const line = (n: number, dt: number, rise: number): TrendPoint[] =>
      Array.from({ length: n }, (_, i) => ({
        tSeconds: i * dt,
        value: 100 * MIB + (rise * MIB * i) / n + (i % 3) * 1024,
      }));
    const short = judgeTrend(line(30, 1, 50), "gctrace", { minimumGrowth: MIB });
    expect(short.verdict).toBe("growing");
    expect(short.reason).not.toMatch(/%\/h/);
    const long = judgeTrend(line(120, 60, 20), "gctrace", { minimumGrowth: MIB });
    expect(long.verdict).toBe("growing");
    expect(long.reason).toMatch(/\+\d+(\.\d+)?%\/h/);
  });
});
