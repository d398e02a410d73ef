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
  type TrendPolicyName,
} from "../../../src/analysis/trend.js";

function rng(seed: number): { uniform: () => number; normal: () => number } {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

describe("look schedule", () => {
  it("looks every 5 s up to 30 s, then 30 % further, and last at the maximum", () => {
    const five = lookSchedule(10, 300);
    expect(five.looksSeconds).toEqual([10, 15, 20, 25, 30, 40, 55, 75, 100, 130, 170, 225, 300]);
    // 10 % of α before 30 s, half at 30 s, 40 % after.
    expect(five.alphaShares.slice(0, 4)).toEqual([0.025, 0.025, 0.025, 0.025]);
    expect(five.alphaShares[4]).toBeCloseTo(0.5, 12);
    for (const share of five.alphaShares.slice(5)) expect(share).toBeCloseTo(0.05, 12);
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
