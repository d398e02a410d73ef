/**
 * The exact Mann–Kendall null distribution against brute force: every arrangement of a small
 * multiset of values (ties included) enumerated, S counted for each.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactDistribution, mannKendallS } from "../../../src/analysis/trend/mann-kendall.js";
import { tieGroupSizes } from "../../../src/analysis/trend/order-statistics.js";
import { EXACT_MAX_N, growthTest, minPointsForAlpha } from "../../../src/analysis/trend.js";

/** Every distinct arrangement of `values` (a multiset), by the next-permutation algorithm. */
function arrangements(values: number[]): number[][] {
  const a = [...values].sort((x, y) => x - y);
  const out: number[][] = [[...a]];
  for (;;) {
    let i = a.length - 2;
    while (i >= 0 && a[i] >= a[i + 1]) i--;
    if (i < 0) return out;
    let j = a.length - 1;
    while (a[j] <= a[i]) j--;
    [a[i], a[j]] = [a[j], a[i]];
    a.splice(i + 1, a.length - i - 1, ...a.slice(i + 1).reverse());
    out.push([...a]);
  }
}

describe("exact Mann–Kendall distribution", () => {
  it("matches brute-force enumeration of every arrangement, ties included", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 2, maxLength: 7 }), (values) => {
        const all = arrangements(values);
        const distribution = exactDistribution(tieGroupSizes(values));
        const observed = mannKendallS(values);
        const atLeast = all.filter((arrangement) => mannKendallS(arrangement) >= observed).length;
        expect(distribution.upperTail(observed)).toBeCloseTo(atLeast / all.length, 12);
        expect(growthTest(values).pPlain).toBeCloseTo(atLeast / all.length, 12);
      }),
      { numRuns: 120 },
    );
  });

  it("gives strictly rising points p = 1/n!, so α fixes the least number of points", () => {
    let factorial = 1;
    for (let n = 2; n <= 12; n++) {
      factorial *= n;
      const rising = Array.from({ length: n }, (_, i) => i * 3 + 1);
      expect(growthTest(rising).pPlain).toBeCloseTo(1 / factorial, 15);
      expect(growthTest(rising).method).toBe("exact");
    }
    expect(minPointsForAlpha(0.001)).toBe(7);
    expect(minPointsForAlpha(0.005)).toBe(6);
    expect(minPointsForAlpha(0.05)).toBe(4);
    // The normal approximation would have refused 7 rising points at 0.001.
    expect(growthTest(Array.from({ length: 7 }, (_, i) => i)).pPlain).toBeLessThan(0.001);
  });

  it("hands over to the normal approximation above EXACT_MAX_N without a jump", () => {
    // The same shape (a noisy rise) just at and above the limit gives close p-values.
    const series = (n: number) => Array.from({ length: n }, (_, i) => i * 0.1 + Math.sin(i * 2.7) * 1.5);
    const atLimit = growthTest(series(EXACT_MAX_N));
    const above = growthTest(series(EXACT_MAX_N + 1));
    expect(atLimit.method).toBe("exact");
    expect(above.method).toBe("normal");
    expect(Math.log10(above.pPlain) / Math.log10(atLimit.pPlain)).toBeGreaterThan(0.7);
    expect(Math.log10(above.pPlain) / Math.log10(atLimit.pPlain)).toBeLessThan(1.5);
  });

  it("is symmetric: the chance of S ≥ s equals that of S ≤ −s, and the total is 1", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }), (sizes) => {
        const distribution = exactDistribution(sizes);
        const n = sizes.reduce((a, b) => a + b, 0);
        const max = (n * (n - 1)) / 2;
        expect(distribution.upperTail(-max)).toBeCloseTo(1, 12);
        for (let s = -max; s <= max; s++) {
          const up = distribution.upperTail(s);
          const down = 1 - distribution.upperTail(-s + 1);
          expect(up).toBeCloseTo(down, 12);
        }
      }),
      { numRuns: 60 },
    );
  });
});
