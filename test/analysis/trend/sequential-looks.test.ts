/**
 * Repeated looks at a growing observation (doctor --duration auto): the schedule, and the false
 * "growing" rate over all looks of a healthy series, which α split across the looks keeps at α.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  judgeTrend,
  lookSchedule,
  POLICIES,
  type TrendPoint,
  type TrendPolicy,
  type TrendPolicyName,
} from "../../../src/analysis/trend.js";
import { rng } from "./support/seeded-random.js";

describe("look schedule", () => {
  it("looks every 5 s up to 30 s, then 30 % further, and last at the maximum", () => {
    const five = lookSchedule(10, 300);
    expect(five.looksSeconds).toEqual([10, 15, 20, 25, 30, 40, 55, 75, 100, 130, 170, 225, 300]);
    // 10 % of α before 30 s, half at 30 s, 40 % after, in proportion to t_k² − t_{k−1}².
    expect(five.alphaShares.slice(0, 4)).toEqual([0.025, 0.025, 0.025, 0.025]);
    expect(five.alphaShares[4]).toBeCloseTo(0.5, 12);
    const late = five.alphaShares.slice(5);
    expect(late.reduce((a, b) => a + b, 0)).toBeCloseTo(0.4, 12);
    expect(late[0]).toBeCloseTo((0.4 * (40 ** 2 - 30 ** 2)) / (300 ** 2 - 30 ** 2), 12);
    expect(late.at(-1)).toBeCloseTo((0.4 * (300 ** 2 - 225 ** 2)) / (300 ** 2 - 30 ** 2), 12);
    // The last look, the last chance to answer, gets the largest share after the fixed window's.
    for (let k = 1; k < late.length; k++) expect(late[k]).toBeGreaterThan(late[k - 1]);
    expect(late.at(-1)).toBeGreaterThan(0.17);
    expect(lookSchedule(10, 60).looksSeconds).toEqual([10, 15, 20, 25, 30, 40, 60]);
    expect(lookSchedule(10, 10).looksSeconds).toEqual([10]);
    expect(lookSchedule(10, 10).alphaShares).toEqual([1]);
    // Without a look at 30 s, equal shares; with 30 s last, it takes what the later looks would have.
    expect(lookSchedule(10, 25).alphaShares).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(lookSchedule(10, 30).alphaShares.at(-1)).toBeCloseTo(0.9, 12);
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 3600 }), (max) => {
        const shares = lookSchedule(10, max).alphaShares;
        expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        for (const share of shares) expect(share).toBeGreaterThan(0);
      }),
    );
  });
});

/** A flat heap with AR(0.5) noise sampled as auto samples: every second, then a sixtieth of the time. */
function healthyObservation(seed: number, maxSeconds: number, level: number): TrendPoint[] {
  const r = rng(seed);
  const points: TrendPoint[] = [];
  let ar = 0;
  for (let t = 0; t <= maxSeconds; t += Math.max(1, t / 60)) {
    ar = 0.5 * ar + 0.01 * level * Math.sqrt(0.75) * r.normal();
    points.push({ tSeconds: t + r.uniform() * 0.05, value: level * (1 + ar / level) });
  }
  return points;
}

function falseGrowing(policy: TrendPolicyName, reps: number, maxSeconds: number, split: boolean): number {
  const schedule = lookSchedule(10, maxSeconds);
  let count = 0;
  for (let seed = 1; seed <= reps; seed++) {
    const points = healthyObservation(seed * 31337, maxSeconds, 80e6);
    const grew = schedule.looksSeconds.some(
      (look, k) =>
        judgeTrend(
          points.filter((p) => p.tSeconds <= look),
          policy,
          { resolution: 8192, alphaShare: split ? schedule.alphaShares[k] : 1, minBoundSpanSeconds: 30 },
        ).verdict === "growing",
    );
    if (grew) count++;
  }
  return count / reps;
}

describe("repeated looks do not raise the false-growing rate", () => {
  it.each(["gctrace", "doctor-heap"] as TrendPolicyName[])(
    "%s: over every look of a healthy 2-minute observation, growing no more often than α",
    (policy) => {
      const reps = 300;
      const alpha = POLICIES[policy].alpha;
      const split = falseGrowing(policy, reps, 120, true);
      const naive = falseGrowing(policy, reps, 120, false);
      console.log(
        `[${policy}] false growing over all looks: α split ${split}, every look at full α ${naive}`,
      );
      expect(split).toBeLessThanOrEqual(alpha + 3 * Math.sqrt(alpha / reps));
      expect(split).toBeLessThanOrEqual(naive);
    },
  );
});

/** The times doctor --duration auto samples at: every second for a minute, then a sixtieth of the time. */
function autoSampleTimes(maxSeconds: number, r: { uniform: () => number }): number[] {
  const times: number[] = [];
  for (let t = 0; t <= maxSeconds; t += Math.max(1, t / 60)) times.push(t + r.uniform() * 0.05);
  return times;
}

/** Healthy series of the shapes a live heap or a heap goal takes, around `level`, sampled as auto samples. */
const HEALTHY_SHAPES: Record<string, (seed: number, maxSeconds: number, level: number) => TrendPoint[]> = {
  /** Forced-GC readings with AR(1) noise of 1 % of the level, φ = 0.8 per second. */
  "AR(0.8) noise": (seed, maxSeconds, level) => {
    const r = rng(seed);
    let ar = 0;
    let last = 0;
    return autoSampleTimes(maxSeconds, r).map((t) => {
      // AR(1) in time: φ^Δt over the gap since the previous sample.
      const phi = 0.8 ** (t - last);
      ar = phi * ar + 0.01 * level * Math.sqrt(1 - phi * phi) * r.normal();
      last = t;
      return { tSeconds: t, value: level + ar };
    });
  },
  /**
   * A value that only moves at GCs (the heap goal, the live heap read without forcing GCs): a new
   * independent level at each GC, GCs 2–12 s apart, held until the next; samples read whatever
   * the last GC left, so the series is a staircase with long plateaus.
   */
  "steps at GCs": (seed, maxSeconds, level) => {
    const r = rng(seed);
    const gcs: { at: number; value: number }[] = [];
    for (let t = -r.uniform() * 5; t <= maxSeconds; t += 2 + 10 * r.uniform())
      gcs.push({ at: t, value: level * (1 + 0.02 * r.normal()) });
    let g = 0;
    return autoSampleTimes(maxSeconds, r).map((t) => {
      while (g + 1 < gcs.length && gcs[g + 1].at <= t) g++;
      return { tSeconds: t, value: gcs[g].value };
    });
  },
  /**
   * A batch program: fills for 2–8 s (random), then flushes; a little noise on top. (A batch slower
   * than the first look is one ramp within it: no test on 10 s can tell it from a leak.)
   */
  sawtooth: (seed, maxSeconds, level) => {
    const r = rng(seed);
    const period = 2 + 6 * r.uniform();
    const phase = r.uniform() * period;
    return autoSampleTimes(maxSeconds, r).map((t) => ({
      tSeconds: t,
      value: level * (1 + 0.3 * (((t + phase) % period) / period) + 0.005 * r.normal()),
    }));
  },
};

/** Share of healthy observations that any look of the auto schedule calls growing. */
function falseGrowingOverLooks(
  policy: TrendPolicy,
  shape: (seed: number, maxSeconds: number, level: number) => TrendPoint[],
  reps: number,
  maxSeconds: number,
): number {
  const schedule = lookSchedule(10, maxSeconds);
  let count = 0;
  for (let seed = 1; seed <= reps; seed++) {
    const points = shape(seed * 7919 + 17, maxSeconds, 80e6);
    const grew = schedule.looksSeconds.some(
      (look, k) =>
        judgeTrend(
          points.filter((p) => p.tSeconds <= look),
          policy,
          { resolution: 8192, alphaShare: schedule.alphaShares[k], minBoundSpanSeconds: 30 },
        ).verdict === "growing",
    );
    if (grew) count++;
  }
  return count / reps;
}

describe("the spending schedule keeps the false-growing rate at α over all looks of 5 minutes", () => {
  // At doctor's α = 0.001 a few hundred observations cannot show a rate near α; the same engine and
  // schedule at α = 0.05 can (the union bound does not depend on α).
  const loose: TrendPolicy = { ...POLICIES["doctor-heap"], alpha: 0.05 };
  it.each(Object.keys(HEALTHY_SHAPES))("%s", (name) => {
    const reps = 200;
    const atLoose = falseGrowingOverLooks(loose, HEALTHY_SHAPES[name], reps, 300);
    const atDoctor = falseGrowingOverLooks(POLICIES["doctor-heap"], HEALTHY_SHAPES[name], reps, 300);
    console.log(`[${name}] false growing over 13 looks: α = 0.05: ${atLoose}; α = 0.001: ${atDoctor}`);
    expect(atLoose).toBeLessThanOrEqual(loose.alpha + 3 * Math.sqrt(loose.alpha / reps));
    expect(atDoctor).toBeLessThanOrEqual(0.001 + 3 * Math.sqrt(0.001 / reps));
  });
});
