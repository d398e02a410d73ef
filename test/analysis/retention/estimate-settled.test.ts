/**
 * estimateSettled: when a holder's sampled objects support a scaled estimate. Many small objects
 * need about minSamples samples; objects far above the rate count as exact, alone or beside a few
 * small ones; unsampled profiles (rate ≤ 1) are exact.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { estimateSettled } from "../../../src/analysis/retention/sample-join.js";

const one = (count: number, size: number) => ({
  perBucket: new Map([[1, count]]),
  sizes: new Map([[1, size]]),
});

describe("estimateSettled", () => {
  it("small objects: settled from about minSamples samples, not below", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 200 }), fc.integer({ min: 1, max: 4096 }), (minSamples, size) => {
        const rate = 512 * 1024;
        const below = one(Math.floor(minSamples * 0.9) - 1, size);
        const at = one(minSamples, size);
        expect(estimateSettled(below.perBucket, below.sizes, rate, minSamples)).toBe(false);
        expect(estimateSettled(at.perBucket, at.sizes, rate, minSamples)).toBe(true);
      }),
    );
  });

  it("objects of 5 × rate and more: one sample is nearly exact", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 5, max: 1000, noNaN: true }),
        (n, times) => {
          const rate = 4096;
          const big = one(n, Math.round(times * rate));
          expect(estimateSettled(big.perBucket, big.sizes, rate, 10)).toBe(true);
        },
      ),
    );
  });

  it("a few small sampled objects beside large ones keep the estimate settled", () => {
    // Six 4 MiB buffers and the one 48-byte struct that happened to be sampled, at a 4 KiB rate.
    const perBucket = new Map([
      [1, 6],
      [2, 1],
    ]);
    const sizes = new Map([
      [1, 4 << 20],
      [2, 48],
    ]);
    expect(estimateSettled(perBucket, sizes, 4096, 10)).toBe(true);
  });

  it("a few small sampled objects alone are not", () => {
    const few = one(3, 48);
    expect(estimateSettled(few.perBucket, few.sizes, 4096, 10)).toBe(false);
  });

  it("every object recorded (rate ≤ 1) is exact; no samples is not an estimate", () => {
    const few = one(1, 48);
    expect(estimateSettled(few.perBucket, few.sizes, 1, 10)).toBe(true);
    expect(estimateSettled(new Map(), new Map(), 4096, 10)).toBe(false);
  });
});
