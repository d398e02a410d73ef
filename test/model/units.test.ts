/** heapscope's own units (model/units.ts): fixed examples, then properties over many values. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseByteSize } from "../../src/formats/byte-size.js";
import {
  formatByteRate,
  formatBytes,
  formatCount,
  formatCountRate,
  formatDuration,
  formatDurationMs,
  formatDurationNs,
  formatNumber,
  formatPercent,
  formatQuantity,
  formatSignedByteRate,
  formatSignedBytes,
  formatSignedCount,
  formatSignedCountRate,
  formatSignedPercent,
  formatSignedQuantity,
} from "../../src/model/units.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Reads a formatDuration string back to seconds (the test's own inverse, by the documented units). */
function durationSeconds(text: string): number {
  const match = /^(-?[\d.e+-]+) (ns|µs|ms|s|min|h|days)$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  const factor = { ns: 1e-9, µs: 1e-6, ms: 1e-3, s: 1, min: 60, h: 3600, days: 86400 }[match[2]!]!;
  return Number(match[1]) * factor;
}

describe("bytes", () => {
  it.each([
    [0, "0 B"],
    [1, "1 B"],
    [512, "512 B"],
    [1023, "1023 B"],
    [1024, "1 KiB"],
    [1536, "1.5 KiB"],
    [10.25 * KiB, "10.3 KiB"],
    [1023 * KiB, "1023 KiB"],
    [1023.9 * KiB, "1 MiB"],
    [47 * MiB, "47 MiB"],
    [123.4 * MiB, "123 MiB"],
    [1.25 * GiB, "1.25 GiB"],
    [-1536, "-1.5 KiB"],
    [2 ** 60, "1 EiB"],
    [0.5, "0.5 B"],
  ])("%d → %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("signs changes and rates", () => {
    expect(formatSignedBytes(1536)).toBe("+1.5 KiB");
    expect(formatSignedBytes(-2 * MiB)).toBe("-2 MiB");
    expect(formatSignedBytes(0)).toBe("0 B");
    expect(formatByteRate(1536)).toBe("1.5 KiB/s");
    expect(formatSignedByteRate(1536)).toBe("+1.5 KiB/s");
    expect(formatSignedByteRate(-200)).toBe("-200 B/s");
    expect(formatSignedByteRate(0.0001)).toBe("+0.0001 B/s");
    expect(formatSignedByteRate(0)).toBe("0 B/s");
  });

  it("reads back within half a percent through the flag parser (every size up to 1000 TiB)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 * 1024 * GiB }), (bytes) => {
        const parsed = parseByteSize(formatBytes(bytes));
        expect(parsed).not.toBeNull();
        expect(Math.abs(parsed! - bytes)).toBeLessThanOrEqual(bytes * 0.005);
      }),
      { numRuns: 2000 },
    );
  });

  it("is monotonic: a larger size never reads smaller", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 * 1024 * GiB }),
        fc.integer({ min: 0, max: 1000 * 1024 * GiB }),
        (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(parseByteSize(formatBytes(lo))!).toBeLessThanOrEqual(parseByteSize(formatBytes(hi))!);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("keeps three significant digits at most, and never writes 1024 of a unit", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 2 ** 62, noNaN: true }), (bytes) => {
        const [number] = formatBytes(bytes).split(" ");
        const digits = number!.replace(/^0\.0*|\./g, "");
        expect(Number(number) < 1024).toBe(true);
        if (Number(number) < 100) expect(digits.length).toBeLessThanOrEqual(3);
      }),
    );
  });
});

describe("durations", () => {
  it.each([
    [0, "0 s"],
    [450e-9, "450 ns"],
    [12.34e-6, "12.3 µs"],
    [0.85, "850 ms"],
    [0.9996, "1 s"],
    [1.25, "1.25 s"],
    [45, "45 s"],
    [90, "90 s"],
    [119.7, "2 min"],
    [150, "2.5 min"],
    [720, "12 min"],
    [3.5 * 3600, "3.5 h"],
    [47.9 * 3600, "47.9 h"],
    [2 * 86400, "2 days"],
    [-30, "-30 s"],
    [Number.POSITIVE_INFINITY, "∞"],
  ])("%d s → %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("takes milliseconds and nanoseconds too", () => {
    expect(formatDurationMs(300)).toBe("300 ms");
    expect(formatDurationMs(1000)).toBe("1 s");
    expect(formatDurationMs(65_000)).toBe("65 s");
    expect(formatDurationNs(1_250_000)).toBe("1.25 ms");
  });

  it("reads back within half a percent, and is monotonic", () => {
    const seconds = fc.double({ min: 1e-9, max: 1e8, noNaN: true });
    fc.assert(
      fc.property(seconds, seconds, (a, b) => {
        for (const s of [a, b]) {
          expect(Math.abs(durationSeconds(formatDuration(s)) - s)).toBeLessThanOrEqual(s * 0.005 + 1e-12);
        }
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(durationSeconds(formatDuration(lo))).toBeLessThanOrEqual(durationSeconds(formatDuration(hi)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("counts", () => {
  it.each([
    [0, "0"],
    [999, "999"],
    [1000, "1,000"],
    [120_000, "120,000"],
    [1_234_567.6, "1,234,568"],
    [-4200, "-4,200"],
  ])("%d → %s", (count, text) => {
    expect(formatCount(count)).toBe(text);
  });

  it("writes every integer's digits, grouped by three", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), (n) => {
        const text = formatCount(n);
        expect(text.replaceAll(",", "")).toBe(String(n));
        expect(text).toMatch(/^-?\d{1,3}(,\d{3})*$/);
      }),
    );
  });

  it("signs changes", () => {
    expect(formatSignedCount(1200)).toBe("+1,200");
    expect(formatSignedCount(-3)).toBe("-3");
    expect(formatSignedCount(0.2)).toBe("0");
  });

  it("writes rates per second, minute or hour, whichever reaches one", () => {
    expect(formatCountRate(2.5, "goroutines")).toBe("2.5 goroutines/s");
    expect(formatCountRate(0.05, "goroutines")).toBe("3 goroutines/min");
    expect(formatCountRate(0.001, "objects")).toBe("3.6 objects/h");
    expect(formatCountRate(0)).toBe("0/s");
    expect(formatSignedCountRate(0.05)).toBe("+3/min");
    expect(formatSignedCountRate(-12.34, "objects")).toBe("-12.3 objects/s");
  });
});

describe("numbers, percents and profile quantities", () => {
  it("rounds to three significant digits", () => {
    expect(formatNumber(1234.5)).toBe("1235");
    expect(formatNumber(12.345)).toBe("12.3");
    expect(formatNumber(1.2345)).toBe("1.23");
    expect(formatNumber(0.012345)).toBe("0.0123");
    expect(formatNumber(-0.0001)).toBe("-0.0001");
    expect(formatNumber(Number.NaN)).toBe("NaN");
  });

  it("writes fractions as percents", () => {
    expect(formatPercent(0.125)).toBe("12.5%");
    expect(formatPercent(2.5)).toBe("250%");
    expect(formatPercent(0.00001234)).toBe("0.00123%");
    expect(formatSignedPercent(0.034)).toBe("+3.4%");
    expect(formatSignedPercent(-0.02)).toBe("-2%");
  });

  it("writes a sample type's value by its unit", () => {
    expect(formatQuantity(3 * MiB, "bytes")).toBe("3 MiB");
    expect(formatQuantity(2_500_000, "nanoseconds")).toBe("2.5 ms");
    expect(formatQuantity(90, "seconds")).toBe("90 s");
    expect(formatQuantity(120_000, "count")).toBe("120,000");
    expect(formatQuantity(2.5, "objects")).toBe("2.5");
    expect(formatSignedQuantity(512, "bytes")).toBe("+512 B");
    expect(formatSignedQuantity(-7, "count")).toBe("-7");
  });
});
