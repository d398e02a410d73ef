/**
 * The trend engine on series whose truth is known, at n = 5..30 points, under every policy (seeded
 * simulations): flat series with independent, AR(0.5) and AR(0.8) noise (never growing, beyond α),
 * linear growth, sawtooth, warm-up then plateau, a step. Measured rates are printed, so a change in
 * the engine shows as a change in these figures, not only as a pass or a fail.
 */
import { describe, expect, it } from "vitest";
import {
  type JudgeOptions,
  judgeTrend,
  POLICIES,
  type TrendPoint,
  type TrendPolicyName,
  type TrendVerdict,
} from "../../../src/analysis/trend.js";
import { rng } from "./support/seeded-random.js";

const MIB = 1024 * 1024;
const SIZES = [5, 7, 10, 15, 20, 30];
const REPS = 300;

/** How each policy's series is measured: its level, resolution and how values are rounded. */
interface Measurement {
  level: number;
  options: JudgeOptions;
  round: (value: number) => number;
  /** Seconds between points. */
  interval: number;
}

const MEASUREMENTS: Record<TrendPolicyName, Measurement> = {
  gctrace: {
    level: 100 * MIB,
    options: { resolution: MIB, quantized: true },
    round: (v) => Math.floor(v / MIB) * MIB,
    interval: 1.5,
  },
  "doctor-heap": { level: 50e6, options: { resolution: 8192 }, round: (v) => v, interval: 1.25 },
  "doctor-objects": { level: 400_000, options: { resolution: 1 }, round: Math.round, interval: 1.25 },
  "doctor-goroutines": { level: 400, options: { resolution: 1 }, round: Math.round, interval: 1.25 },
  "doctor-process": {
    level: 300 * MIB,
    options: { resolution: 2 * MIB },
    round: (v) => Math.round(v / 4096) * 4096,
    interval: 1.25,
  },
};

/** level × shape(t) plus AR(φ) noise whose stationary sd is `sd` of the level. */
function series(
  policy: TrendPolicyName,
  seed: number,
  n: number,
  shape: (t: number, i: number) => number,
  noise: { phi: number; sd: number },
): TrendPoint[] {
  const m = MEASUREMENTS[policy];
  const r = rng(seed);
  const innovation = noise.sd * m.level * Math.sqrt(1 - noise.phi * noise.phi);
  let ar = r.normal() * noise.sd * m.level;
  const points: TrendPoint[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) ar = noise.phi * ar + innovation * r.normal();
    const t = i * m.interval + r.uniform() * m.interval * 0.25;
    points.push({ tSeconds: t, value: Math.max(0, m.round(m.level * shape(t, i) + ar)) });
  }
  return points;
}

function rates(
  policy: TrendPolicyName,
  n: number,
  shape: (t: number, i: number) => number,
  noise: { phi: number; sd: number },
  reps = REPS,
): Record<TrendVerdict, number> {
  const counts: Record<TrendVerdict, number> = { growing: 0, bounded: 0, undecided: 0, insufficient: 0 };
  for (let seed = 1; seed <= reps; seed++) {
    const points = series(policy, seed * 7919 + n * 104729, n, shape, noise);
    counts[judgeTrend(points, policy, MEASUREMENTS[policy].options).verdict]++;
  }
  for (const key of Object.keys(counts) as TrendVerdict[]) counts[key] /= reps;
  return counts;
}

const POLICY_NAMES = Object.keys(POLICIES) as TrendPolicyName[];
const flat = () => 1;

describe.each(POLICY_NAMES)("policy %s on series with known truth", (policy) => {
  const alpha = POLICIES[policy].alpha;

  it.each([
    ["independent", 0],
    ["AR(0.5)", 0.5],
  ])("flat with %s noise: growing no more often than α (pooled over n = 5..30)", (_name, phi) => {
    let growing = 0;
    const perN: string[] = [];
    for (const n of SIZES) {
      const r = rates(policy, n, flat, { phi: phi as number, sd: 0.01 });
      growing += r.growing * REPS;
      perN.push(`n=${n}: ${(r.growing * 100).toFixed(2)}% growing, ${(r.bounded * 100).toFixed(0)}% bounded`);
    }
    const trials = REPS * SIZES.length;
    const rate = growing / trials;
    console.log(`[${policy}] flat, φ=${phi}: ${perN.join("; ")}`);
    // α plus three binomial standard errors of the simulation itself.
    expect(rate).toBeLessThanOrEqual(alpha + 3 * Math.sqrt(alpha / trials));
  });

  it("flat with AR(0.8) noise: growing within the documented bound (5 α; see policies.ts)", () => {
    let growing = 0;
    const perN: string[] = [];
    for (const n of SIZES) {
      const r = rates(policy, n, flat, { phi: 0.8, sd: 0.02 });
      growing += r.growing * REPS;
      perN.push(`n=${n}: ${(r.growing * 100).toFixed(2)}%`);
    }
    const trials = REPS * SIZES.length;
    console.log(`[${policy}] flat, φ=0.8: ${perN.join("; ")}`);
    expect(growing / trials).toBeLessThanOrEqual(5 * alpha + 3 * Math.sqrt((5 * alpha) / trials));
  });

  it("linear growth of 25 % per 10 s is growing from the least points α allows, at about its rate", () => {
    const m = MEASUREMENTS[policy];
    for (const n of SIZES) {
      const span = (n - 1) * m.interval;
      const r = rates(policy, n, (t) => 1 + (0.25 * t) / 10, { phi: 0.5, sd: 0.01 }, 100);
      if (span < POLICIES[policy].minSpanSeconds + m.interval) {
        expect(r.growing, `n=${n} spans under the policy's minimum`).toBeLessThanOrEqual(1);
        continue;
      }
      expect(r.growing, `n=${n}`).toBeGreaterThanOrEqual(0.95);
    }
    const judged = judgeTrend(
      series(policy, 11, 20, (t) => 1 + (0.25 * t) / 10, { phi: 0.5, sd: 0.01 }),
      policy,
      m.options,
    );
    const truth = (0.25 * m.level) / 10;
    expect(judged.slopePerSecond).toBeGreaterThan(0.8 * truth);
    expect(judged.slopePerSecond).toBeLessThan(1.2 * truth);
  });

  it("a sawtooth (batches flushed every 5 points) is never growing and mostly bounded at 30 points", () => {
    const saw = (_t: number, i: number) => 0.8 + 0.08 * (i % 5);
    const r = rates(policy, 30, saw, { phi: 0, sd: 0.005 }, 150);
    console.log(`[${policy}] sawtooth: ${JSON.stringify(r)}`);
    expect(r.growing).toBe(0);
    expect(r.bounded).toBeGreaterThanOrEqual(0.8);
  });

  it("a warm-up that levels off, and a step to a new level, are not growing", () => {
    const m = MEASUREMENTS[policy];
    const warmupEnd = 8 * m.interval;
    const warmup = (t: number) => (t < warmupEnd ? 0.5 + (0.5 * t) / warmupEnd : 1);
    const step = (_t: number, i: number) => (i < 10 ? 0.8 : 1);
    for (const n of [20, 30]) {
      const w = rates(policy, n, warmup, { phi: 0.3, sd: 0.005 }, 150);
      const s = rates(policy, n, step, { phi: 0.3, sd: 0.005 }, 150);
      console.log(`[${policy}] n=${n} warm-up: ${JSON.stringify(w)}; step: ${JSON.stringify(s)}`);
      expect(w.growing, `warm-up, n=${n}`).toBeLessThanOrEqual(0.01);
      expect(s.growing, `step, n=${n}`).toBeLessThanOrEqual(0.01);
    }
  });
});

describe("the issue's cases", () => {
  it("a leak of 20–30 MiB/s seen as 7–8 gctrace cycles over 13 s is growing at its real rate", () => {
    for (const rateMiB of [20, 25, 30]) {
      // The live heap doubles every cycle (GOGC=100, all allocation leaked): cycles are spaced
      // geometrically in time while the heap grows linearly in time.
      const points: TrendPoint[] = [];
      for (let k = 0; k < 7; k++) {
        const live = 4 * 2 ** k;
        points.push({ tSeconds: 0.3 + live / rateMiB, value: Math.floor(live) * MIB });
      }
      const judged = judgeTrend(points, "gctrace", MEASUREMENTS.gctrace.options);
      expect(judged.verdict, judged.reason).toBe("growing");
      expect(judged.slopePerSecond / MIB).toBeGreaterThan(0.9 * rateMiB);
      expect(judged.slopePerSecond / MIB).toBeLessThan(1.1 * rateMiB);
      expect(judged.notLevelledOff).toBe(true);
      expect(judged.reason).toMatch(/not levelled off yet/);
    }
  });

  it("a batch job whose live heap rises and falls back near its start twice in 15 s is bounded", () => {
    // GC cycles during two batches of 7 s: the live heap climbs from 20 to ~80 MiB and drops back.
    const points: TrendPoint[] = [];
    for (let t = 0.4; t < 15; t += 0.55) {
      const phase = t % 7;
      const live = phase < 6 ? 20 + 10 * phase : 22;
      points.push({ tSeconds: t, value: Math.floor(live) * MIB });
    }
    const judged = judgeTrend(points, "gctrace", MEASUREMENTS.gctrace.options);
    expect(judged.verdict, judged.reason).toBe("bounded");
  });
});
