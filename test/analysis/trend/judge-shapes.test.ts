import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { judgeTrend, mannKendall, type TrendPoint, theilSenSlope } from "../../../src/analysis/trend.js";
import { rng } from "./support/seeded-random.js";

const MIB = 1024 * 1024;
const KIB = 1024;

/**
 * Reference values from pymannkendall 1.4.3 (original_test, hamed_rao_modification_test with
 * default lags, sens_slope), computed once in a throw-away virtualenv. The series are floored
 * (ties) or rounded and include strongly autocorrelated ones.
 */
const pymannkendall = {
  tiesTrend: {
    values: [
      100, 98, 101, 101, 97, 98, 100, 99, 100, 99, 101, 101, 100, 102, 101, 99, 101, 99, 101, 100, 100, 100,
      102, 100, 100, 100, 101, 101, 101, 101, 104, 101, 100, 100, 102, 103, 101, 100, 100, 102, 102, 102, 101,
      102, 102, 102, 103, 102, 103, 102, 102, 103, 100, 102, 102, 101, 102, 104, 101, 104,
    ],
    s: 816,
    varS: 23251.333333333332,
    z: 5.344827307139403,
    p: 9.050329774495935e-8,
    tau: 0.4610169491525424,
    hr: { varS: 13665.204630055312, z: 6.971874150118348, p: 3.127498260369066e-12 },
    senSlope: 0.05064102564102564,
    senIntercept: 99.50608974358974,
  },
  ar1Ties: {
    values: [
      50, 48, 49, 51, 53, 54, 52, 50, 52, 51, 47, 44, 43, 46, 48, 50, 49, 49, 51, 50, 51, 49, 48, 47, 44, 47,
      47, 47, 50, 51, 52, 51, 49, 49, 44, 41, 40, 40, 44, 43, 44, 49, 48, 51, 48, 48, 45, 46, 49, 44, 47, 49,
      47, 43, 45, 45, 47, 48, 53, 51, 48, 49, 50, 54, 55, 54, 57, 51, 49, 46, 46, 43, 47, 47, 43, 42, 45, 49,
      55, 62,
    ],
    s: -254,
    varS: 57337.333333333336,
    z: -1.0565785162772008,
    p: 0.290703989645702,
    tau: -0.08037974683544304,
    hr: { varS: 85542.01667623637, z: -0.8650292220211698, p: 0.3870227500623957 },
    senSlope: -0.01626123744050767,
    senIntercept: 48.642318878900056,
  },
};

describe("mannKendall against pymannkendall", () => {
  for (const [name, ref] of Object.entries(pymannkendall)) {
    it(`${name}: S, tie-corrected variance, z, p, tau (no correction)`, () => {
      const r = mannKendall(ref.values, { autocorrelation: "none" });
      expect(r.s).toBe(ref.s);
      expect(r.variance).toBeCloseTo(ref.varS, 6);
      expect(r.z).toBeCloseTo(ref.z, 9);
      expect(r.pValue).toBeCloseTo(ref.p, 6);
      expect(r.pValue / ref.p).toBeCloseTo(1, 5);
      expect(r.tau).toBeCloseTo(ref.tau, 12);
    });
    it(`${name}: Hamed–Rao corrected variance and p`, () => {
      const r = mannKendall(ref.values, { autocorrelation: "hamed-rao" });
      expect(r.variance).toBeCloseTo(ref.hr.varS, 4);
      expect(r.z).toBeCloseTo(ref.hr.z, 8);
      expect(r.pValue / ref.hr.p).toBeCloseTo(1, 4);
    });
    it(`${name}: Sen's slope and Conover intercept`, () => {
      const r = theilSenSlope(ref.values.map((value, i) => ({ tSeconds: i, value })));
      expect(r.slope).toBeCloseTo(ref.senSlope, 12);
      expect(r.intercept).toBeCloseTo(ref.senIntercept, 10);
      expect(r.low).toBeLessThanOrEqual(r.slope);
      expect(r.high).toBeGreaterThanOrEqual(r.slope);
    });
  }

  it("matches a hand computation with ties", () => {
    // values 1 2 3 3 2: S = 4 + 2 − 1 − 1 = 4; Var = (5·4·15 − 2·(2·1·9)) / 18 = 264/18.
    const r = mannKendall([1, 2, 3, 3, 2], { autocorrelation: "none" });
    expect(r.s).toBe(4);
    expect(r.variance).toBeCloseTo(264 / 18, 12);
    expect(r.z).toBeCloseTo(3 / Math.sqrt(264 / 18), 12);
    expect(r.pValue).toBeCloseTo(0.43344, 4);
    expect(r.tau).toBe(0.4);
    // Pairwise slopes: −1 −0.5 0 0 0.25 0.5 0.667 1 1 1 → median 0.375; intercept 2 − 0.375·2.
    const ts = theilSenSlope([1, 2, 3, 3, 2].map((value, i) => ({ tSeconds: i, value })));
    expect(ts.slope).toBeCloseTo(0.375, 12);
    expect(ts.intercept).toBeCloseTo(1.25, 12);
  });

  it("computes S in O(n log n) for long series (100 000 values) equal to the pair count", () => {
    const n = 100_000;
    const up = mannKendall(
      Array.from({ length: n }, (_, i) => i),
      { autocorrelation: "none" },
    );
    expect(up.s).toBe((n * (n - 1)) / 2);
    expect(up.tau).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const series = fc
  .array(fc.integer({ min: 0, max: 200 }), { minLength: 15, maxLength: 80 })
  .map((values) => values.map((v, i) => ({ tSeconds: i * 1.5 + (i % 3) * 0.1, value: v })));

describe("properties", () => {
  it("Theil–Sen: slope shifts with added trends, ignores added constants, scales with values", () => {
    fc.assert(
      fc.property(
        series,
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 1, max: 50 }),
        (points, shift, scale) => {
          const base = theilSenSlope(points);
          const shifted = theilSenSlope(points.map((p) => ({ ...p, value: p.value + shift })));
          const scaled = theilSenSlope(points.map((p) => ({ ...p, value: p.value * scale })));
          expect(shifted.slope).toBeCloseTo(base.slope, 9);
          expect(scaled.slope).toBeCloseTo(base.slope * scale, 6);
          const negated = theilSenSlope(points.map((p) => ({ ...p, value: -p.value })));
          expect(negated.slope).toBeCloseTo(-base.slope, 9);
          expect(base.low).toBeLessThanOrEqual(base.slope);
          expect(base.high).toBeGreaterThanOrEqual(base.slope);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("Mann–Kendall: S is invariant under increasing transforms and flips sign when values are negated", () => {
    fc.assert(
      fc.property(series, (points) => {
        const values = points.map((p) => p.value);
        const r = mannKendall(values, { autocorrelation: "none" });
        expect(
          mannKendall(
            values.map((v) => v ** 3 + 7),
            { autocorrelation: "none" },
          ).s,
        ).toBe(r.s);
        expect(
          mannKendall(
            values.map((v) => -v),
            { autocorrelation: "none" },
          ).s,
        ).toBe(0 - r.s);
        expect(r.pValue).toBeGreaterThanOrEqual(0);
        expect(r.pValue).toBeLessThanOrEqual(1);
        const hr = mannKendall(values);
        expect(hr.s).toBe(r.s);
      }),
      { numRuns: 150 },
    );
  });

  it("judgeTrend: the verdict does not depend on the time origin or the unit of the values", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 20, maxLength: 120 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 100_000 }),
        (noise, trendPerPoint, origin) => {
          const points = noise.map((v, i) => ({
            tSeconds: i * 0.5,
            value: (1000 + v + trendPerPoint * i) * MIB,
          }));
          const base = judgeTrend(points, "gctrace", { resolution: MIB, quantized: true });
          const moved = judgeTrend(
            points.map((p) => ({ ...p, tSeconds: p.tSeconds + origin })),
            "gctrace",
            { resolution: MIB, quantized: true },
          );
          const inKiB = judgeTrend(
            points.map((p) => ({ ...p, value: p.value / 1024 })),
            "gctrace",
            { resolution: 1024, quantized: true },
          );
          expect(moved.verdict).toBe(base.verdict);
          expect(moved.slopePerSecond).toBeCloseTo(base.slopePerSecond, 0);
          expect(inKiB.verdict).toBe(base.verdict);
          expect(inKiB.slopePerSecond * 1024).toBeCloseTo(base.slopePerSecond, -1);
          expect(inKiB.relativeSlopePerHour).toBeCloseTo(base.relativeSlopePerHour, 9);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("judgeTrend: a clean rise is growing with a positive slope, its mirror image never is", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 200 }),
        fc.double({ min: 0.05, max: 5, noNaN: true }),
        (n, rate) => {
          const up = Array.from({ length: n }, (_, i) => ({ tSeconds: i, value: 100 + rate * i }));
          const down = up.map((p) => ({ ...p, value: 100 + rate * n - rate * p.tSeconds }));
          const rising = judgeTrend(up, "gctrace");
          expect(rising.verdict).toBe("growing");
          expect(rising.slopePerSecond).toBeGreaterThan(0);
          expect(rising.slopeLowPerSecond).toBeLessThanOrEqual(rising.slopePerSecond);
          const falling = judgeTrend(down, "gctrace");
          expect(falling.verdict).not.toBe("growing");
          expect(falling.slopePerSecond).toBeLessThan(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Scenarios (seeded): the shapes a live heap takes

/** Floored MiB values like gctrace, AR(1) noise, slightly irregular cycle times. */
function simulate(
  seed: number,
  n: number,
  dtSeconds: number,
  mean: (t: number, i: number) => number,
  noise = { phi: 0.5, sd: 1 },
): TrendPoint[] {
  const r = rng(seed);
  let ar = 0;
  const out: TrendPoint[] = [];
  for (let i = 0; i < n; i++) {
    const t = i * dtSeconds + r.uniform() * dtSeconds * 0.3;
    ar = noise.phi * ar + noise.sd * r.normal();
    out.push({ tSeconds: t, value: Math.max(0, Math.floor(mean(t, i) + ar)) * MIB });
  }
  return out;
}

const judgeMiB = (points: TrendPoint[]) =>
  judgeTrend(points, "gctrace", { resolution: MIB, quantized: true });

function verdicts(seeds: number, make: (seed: number) => TrendPoint[]): Record<string, number> {
  const counts: Record<string, number> = { growing: 0, bounded: 0, undecided: 0, insufficient: 0 };
  for (let seed = 1; seed <= seeds; seed++) counts[judgeMiB(make(seed)).verdict]++;
  return counts;
}

describe("judgeTrend on the shapes a live heap takes", () => {
  it("warm-up then plateau is stable, judged after the warm-up", () => {
    const points = simulate(7, 300, 0.1, (t) => (t < 10 ? 6 * t : 60));
    const r = judgeMiB(points);
    expect(r.verdict).toBe("bounded");
    expect(r.regimeStartSeconds).toBeGreaterThan(7);
    expect(r.regimeStartSeconds).toBeLessThan(13);
    expect(verdicts(40, (s) => simulate(s, 300, 0.1, (t) => (t < 10 ? 6 * t : 60))).growing).toBe(0);
  });

  it("a warm-up that approaches its plateau exponentially (a cache filling) is rarely called growing", () => {
    const counts = verdicts(60, (s) => simulate(s, 300, 0.1, (t) => 60 * (1 - Math.exp(-t / 3))));
    expect(counts.growing).toBeLessThanOrEqual(6);
    expect(counts.bounded).toBeGreaterThanOrEqual(45);
  });

  it("a leak with some warm-up creep in its first seconds keeps its whole regime (not cut at its middle)", () => {
    // 48 MB growing 48 KiB/s, plus 15 KiB/s more during the first 20 s: the first half rises about
    // 10 % faster than the second, which is still a leak, not a warm-up settling onto a plateau.
    const creeping = (seed: number): TrendPoint[] => {
      const r = rng(seed);
      let ar = 0;
      const out: TrendPoint[] = [];
      for (let t = 1; t <= 120; t++) {
        ar = 0.8 * ar + 6 * KIB * r.normal();
        out.push({ tSeconds: t, value: 48e6 + 48 * KIB * t + 15 * KIB * Math.min(t, 20) + ar });
      }
      return out;
    };
    let cutLate = 0;
    let growing = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const j = judgeTrend(creeping(seed), "doctor-heap", { resolution: 4 * KIB, alphaShare: 0.05 });
      if (j.regimeStartSeconds > 30) cutLate++;
      if (j.verdict === "growing") growing++;
    }
    expect(cutLate).toBe(0);
    expect(growing).toBe(30);
  });

  it("a step (deploy, reload) then flat is stable, in either direction", () => {
    const up = judgeMiB(simulate(3, 300, 0.1, (t) => (t < 12 ? 20 : 60)));
    expect(up.verdict).toBe("bounded");
    expect(up.regimeStartSeconds).toBeGreaterThanOrEqual(11);
    expect(up.regimeStartsSeconds.length).toBeGreaterThanOrEqual(2);
    expect(judgeMiB(simulate(4, 300, 0.1, (t) => (t < 12 ? 60 : 30))).verdict).toBe("bounded");
    expect(verdicts(40, (s) => simulate(s, 300, 0.1, (t) => (t < 12 ? 60 : 63))).growing).toBeLessThanOrEqual(
      2,
    );
  });

  it("steady churn (noise, ties, autocorrelation) is stable and almost never growing", () => {
    expect(judgeMiB(simulate(11, 200, 0.2, () => 50, { phi: 0, sd: 2 })).verdict).toBe("bounded");
    const iid = verdicts(60, (s) => simulate(s, 200, 0.2, () => 50, { phi: 0, sd: 2 }));
    expect(iid.growing).toBeLessThanOrEqual(1);
    const ar = verdicts(60, (s) => simulate(s, 200, 0.2, () => 50, { phi: 0.8, sd: 1 }));
    expect(ar.growing).toBeLessThanOrEqual(2);
  });

  it("a sawtooth (batches) is stable: its band does not move", () => {
    const saw = (seed: number) => simulate(seed, 400, 0.1, (_t, i) => 8 + 4 * (i % 10), { phi: 0, sd: 1 });
    const r = judgeMiB(saw(5));
    expect(r.verdict).toBe("bounded");
    expect(verdicts(30, saw).growing).toBe(0);
  });

  it("a ratchet (sawtooth with rising minima) is growing", () => {
    const ratchet = (seed: number) =>
      simulate(seed, 400, 0.1, (_t, i) => 8 + 0.05 * i + 4 * (i % 10), { phi: 0, sd: 1 });
    expect(verdicts(30, ratchet).growing).toBe(30);
  });

  it("a slow leak of 0.5 %/min on a 150 MiB heap observed for 30 minutes is growing", () => {
    const slow = (seed: number) =>
      simulate(seed, 360, 5, (t) => 150 * (1 + (0.005 * t) / 60), { phi: 0.5, sd: 3 });
    const r = judgeMiB(slow(1));
    expect(r.verdict).toBe("growing");
    expect(r.relativeSlopePerHour).toBeGreaterThan(0.2);
    expect(r.relativeSlopePerHour).toBeLessThan(0.4);
    expect(verdicts(30, slow).growing).toBeGreaterThanOrEqual(29);
  });

  it("a fast leak whose rate changes with load (a kink, few cycles late) is still growing", () => {
    // Shaped like a real run on a starved machine: cycles dense while the heap is small, then a
    // slower leak for the last 12 cycles over 12 s.
    const points: TrendPoint[] = [];
    for (let i = 0; i < 45; i++)
      points.push({ tSeconds: (7.6 * i) / 45, value: Math.floor((40 * i) / 45) * MIB });
    for (let i = 0; i < 12; i++)
      points.push({ tSeconds: 7.66 + i, value: Math.floor(40 + (21 * i) / 11) * MIB });
    const r = judgeMiB(points);
    expect(r.verdict, r.reason).toBe("growing");
  });

  it("a leak that starts after a plateau is growing from its onset (α spent over the possible onsets: late-onset.test.ts)", () => {
    const r = judgeMiB(simulate(9, 300, 0.1, (t) => (t < 15 ? 50 : 50 + (t - 15))));
    expect(r.verdict).toBe("growing");
    expect(r.onset?.atSeconds).toBeGreaterThan(13.5);
    expect(r.onset?.atSeconds).toBeLessThan(16.5);
    expect(r.slopePerSecond).toBeGreaterThan(0.9 * MIB);
    expect(r.slopePerSecond).toBeLessThan(1.1 * MIB);
  });

  it("is insufficient, never a guess, with too few points or too short a span, and still reports the data's slope", () => {
    const few = judgeMiB(simulate(2, 5, 3, (t) => 10 + t));
    expect(few.verdict).toBe("insufficient");
    expect(few.reason).toMatch(/too few points to judge: 5 over 12/);
    expect(few.slopePerSecond).toBeGreaterThan(0.5 * MIB);
    const short = judgeMiB(simulate(2, 100, 0.05, (t) => 10 + t));
    expect(short.verdict).toBe("insufficient");
    expect(judgeTrend([], "gctrace").verdict).toBe("insufficient");
  });

  it("says why in the reason, with the statistic", () => {
    const r = judgeTrend(
      simulate(1, 300, 0.1, (t) => 100 + t),
      "gctrace",
      {
        resolution: MIB,
        quantized: true,
        formatValue: (v) => `${(v / MIB).toFixed(2)} MiB`,
      },
    );
    expect(r.verdict).toBe("growing");
    expect(r.reason).toMatch(
      /^grows 1\.\d\d MiB\/s \(95% CI [\d.]+ MiB\/s to [\d.]+ MiB\/s\) over 29.9 s \(300 points\)/,
    );
    expect(r.reason).toMatch(/Mann–Kendall p/);
    expect(r.pValue).toBeLessThan(0.005);
  });

  it("handles 200 000 points (bounded work on blocks)", () => {
    const r = judgeMiB(simulate(1, 200_000, 0.05, (t) => 500 + t / 100, { phi: 0.3, sd: 2 }));
    expect(r.verdict).toBe("growing");
    expect(r.points).toBe(200_000);
    expect(r.blockSize).toBeGreaterThan(1);
  });
});
