/**
 * benchstat's number formatting is Go's fmt: an exact tie rounds to even (JavaScript's toFixed rounds
 * it up). The ties here are exact binary fractions, as B/op medians and CI bounds often are.
 */
import { describe, expect, it } from "vitest";
import { formatDelta, percentRange } from "../../src/render/bench-format.js";

describe("benchstat's figures, rounded as Go rounds", () => {
  it("exact ties of a CI go to the even percentage: 162.5 → 162, 37.5 → 38, 62.5 → 62", () => {
    expect(percentRange(8, 8, 21)).toBe("162%"); // 21/8 − 1 = 1.625
    expect(percentRange(8, 8, 11)).toBe("38%"); // 0.375
    expect(percentRange(8, 3, 8)).toBe("62%"); // 1 − 3/8 = 0.625
    expect(percentRange(10, 10, 13.3)).toBe("33%"); // not a tie: nearest
  });

  it("a delta of exactly ±3.125 % prints as ±3.12 %", () => {
    const row = (base: number, next: number) => ({
      p: 0.001,
      alpha: 0.05,
      base: { center: base, n: 10, lo: base, hi: base },
      new: { center: next, n: 10, lo: next, hi: next },
    });
    expect(formatDelta(row(32, 33))).toBe("+3.12%"); // 33/32 − 1 = 0.03125
    expect(formatDelta(row(32, 31))).toBe("-3.12%");
  });
});
