/**
 * PairSlopeRanks gives exactly the order statistics of every pairwise slope (rankValue on the full
 * array) for any rank, whatever the series: ties, equal times, unsorted input, steps, sawtooths, and
 * ranks far outside the first bracket (a second pass, or every slope).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rankValue } from "../../../src/analysis/trend/order-statistics.js";
import { PairSlopeRanks, pairwiseSlopes } from "../../../src/analysis/trend/slope-ranks.js";
import type { TrendPoint } from "../../../src/analysis/trend.js";

const series = fc
  .record({
    n: fc.integer({ min: 2, max: 260 }),
    slope: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    noise: fc.double({ min: 0, max: 1e7, noNaN: true }),
    quantum: fc.constantFrom(0, 1, 1024, 1 << 20),
    repeatTimes: fc.boolean(),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map(({ n, slope, noise, quantum, repeatTimes, seed }) => {
    let state = seed;
    const random = () => (state = (Math.imul(state, 48271) >>> 0) % 2147483647) / 2147483647;
    const points: TrendPoint[] = [];
    for (let i = 0; i < n; i++) {
      const t = repeatTimes ? Math.floor(i / 3) * 7 : i * 5 + random();
      let v = 1e8 + slope * t + (random() - 0.5) * noise;
      if (quantum > 0) v = Math.floor(v / quantum) * quantum;
      points.push({ tSeconds: t, value: v });
    }
    return points;
  });

describe("PairSlopeRanks", () => {
  it("equals rankValue over every pairwise slope, rank by rank", () => {
    fc.assert(
      fc.property(
        series,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.nat(100),
        (points, fractions, hint) => {
          const all = pairwiseSlopes(points);
          const m = all.length;
          if (m === 0) return;
          const ranks = new PairSlopeRanks(points, hint * 10);
          expect(ranks.length).toBe(m);
          for (const f of fractions) {
            const rank = 1 + f * (m - 1) + (f > 0.5 ? 0.5 : 0);
            expect(
              Object.is(ranks.rankValue(rank), rankValue(all.slice(), rank)),
              `rank ${rank} of ${m}`,
            ).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("unsorted input and the extreme ranks", () => {
    const points: TrendPoint[] = Array.from({ length: 200 }, (_, i) => ({
      tSeconds: (i * 37) % 200,
      value: ((i * 7919) % 101) * 1000,
    }));
    const all = pairwiseSlopes(points);
    const ranks = new PairSlopeRanks(points, 50);
    for (const rank of [1, 1.5, all.length / 2, all.length / 2 + 0.5, all.length - 0.25, all.length]) {
      expect(ranks.rankValue(rank)).toBe(rankValue(all.slice(), rank));
    }
  });
});
