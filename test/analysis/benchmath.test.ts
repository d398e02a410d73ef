/**
 * The exact Mann-Whitney U distribution of heapscope's benchmark statistics
 * (src/analysis/benchmath.ts) against brute-force enumeration. The comparison with
 * golang.org/x/perf/benchmath itself is in test/e2e/bench-gate/benchmath.test.ts.
 */
import { describe, expect, it } from "vitest";
import { exactUCdf } from "../../src/analysis/benchmath.js";

describe("exact U distribution", () => {
  /** P(U ≤ u) by enumerating every way to choose which ranked values belong to sample 1. */
  function bruteForceCdf(n1: number, ties: number[], u: number): number {
    const midRanks: number[] = [];
    let before = 0;
    for (const size of ties) {
      for (let i = 0; i < size; i++) midRanks.push(before + (size + 1) / 2);
      before += size;
    }
    const total = midRanks.length;
    let hits = 0;
    let all = 0;
    for (let mask = 0; mask < 1 << total; mask++) {
      let bits = 0;
      let rankSum = 0;
      for (let i = 0; i < total; i++) {
        if (mask & (1 << i)) {
          bits++;
          rankSum += midRanks[i]!;
        }
      }
      if (bits !== n1) continue;
      all++;
      if (rankSum - (n1 * (n1 + 1)) / 2 <= u) hits++;
    }
    return hits / all;
  }

  it("equals brute-force enumeration for every n1, tie pattern and U", () => {
    for (const ties of [
      [1, 1, 1, 1, 1, 1, 1, 1],
      [2, 1, 3, 1],
      [4, 3],
      [1, 5, 1, 2],
      [3, 3, 3],
    ]) {
      const total = ties.reduce((a, b) => a + b, 0);
      for (let n1 = 1; n1 < total; n1++) {
        const n2 = total - n1;
        for (let twiceU = -1; twiceU <= n1 * n2 * 2 + 1; twiceU++) {
          const u = twiceU / 2;
          const expected = u < 0 ? 0 : bruteForceCdf(n1, ties, u);
          expect(exactUCdf(n1, n2, ties, u), `ties ${ties} n1=${n1} u=${u}`).toBeCloseTo(expected, 12);
        }
      }
    }
  });
});
