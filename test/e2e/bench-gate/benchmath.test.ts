/**
 * heapscope's statistics against golang.org/x/perf/benchmath itself (a Go helper built from
 * benchmath-ref/, which fetches x/perf from the module proxy): medians, intervals, U-test
 * p-values and warnings at full precision, on fixtures with and without ties, n = 3…60, and
 * the sizes where go-moremath switches between exact and approximate methods.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  compareExact,
  compareMedians,
  geomean,
  goLgammaTable,
  mannWhitneyUTest,
  quantileInterval,
  SamplesEqualError,
  summarizeExact,
  summarizeMedian,
} from "../../../src/analysis/benchmath.js";
import { comparisonLabel, formatDelta } from "../../../src/render/bench-format.js";
import { buildBenchmathRef, runBenchmathRef } from "./support.js";

interface RefSummary {
  center: string;
  lo: string;
  hi: string;
  confidence: string;
  warnings: string[];
}

interface RefAssumption {
  base: RefSummary;
  new: RefSummary;
  comparison: { p: string; alpha: string; delta: string; label: string; warnings: string[] };
}

interface RefOutput {
  cases: {
    nothing: RefAssumption;
    exact: RefAssumption;
    utest: { u?: string; p?: string; error?: string };
    geomean: string;
  }[];
  quantileCI: { n: number; requested: string; actual: string; loOrder: number; hiOrder: number }[];
  lgamma: string[];
}

const goFloat = (s: string): number =>
  s === "+Inf" ? Infinity : s === "-Inf" ? -Infinity : s === "NaN" ? Number.NaN : Number(s);

function expectClose(actual: number, expected: number, what: string): void {
  if (!Number.isFinite(expected) || expected === 0) {
    expect(actual, what).toBe(expected);
    return;
  }
  const relative = Math.abs(actual - expected) / Math.abs(expected);
  expect(relative, `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9);
}

/** Deterministic pseudo-random numbers (the fixtures must not change between runs). */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Fixture {
  label: string;
  base: number[];
  new: number[];
}

function fixtures(): Fixture[] {
  const random = rng(20240611);
  const out: Fixture[] = [];
  const continuous = (n: number, shift: number) =>
    Array.from({ length: n }, () => 100 + random() * 20 + shift);
  const tied = (n: number, shift: number, levels: number) =>
    Array.from({ length: n }, () => 10 + Math.floor(random() * levels) + shift);
  // Every size from 3 to 60, with ties and without, null and shifted.
  for (let n = 3; n <= 60; n++) {
    out.push({ label: `continuous n=${n} null`, base: continuous(n, 0), new: continuous(n, 0) });
    out.push({ label: `continuous n=${n} shifted`, base: continuous(n, 0), new: continuous(n, 4) });
    out.push({ label: `ties n=${n} null`, base: tied(n, 0, 4), new: tied(n, 0, 4) });
    out.push({ label: `ties n=${n} shifted`, base: tied(n, 0, 5), new: tied(n, 1, 5) });
  }
  // The switch points: exact U distribution up to 50 per side without ties, 25 with ties;
  // the median interval's exact binomial up to n = 30. Unequal sizes across each boundary.
  for (const [n1, n2] of [
    [25, 25],
    [25, 26],
    [26, 25],
    [26, 26],
    [50, 50],
    [50, 51],
    [51, 50],
    [51, 51],
    [30, 31],
    [31, 30],
    [3, 60],
    [60, 4],
  ] as const) {
    out.push({ label: `switch ${n1}+${n2} continuous`, base: continuous(n1, 0), new: continuous(n2, 2) });
    out.push({ label: `switch ${n1}+${n2} ties`, base: tied(n1, 0, 6), new: tied(n2, 1, 6) });
    out.push({ label: `switch ${n1}+${n2} heavy ties`, base: tied(n1, 0, 2), new: tied(n2, 0, 2) });
  }
  // Shapes benchmarks produce: constant allocations, one outlier, all equal, separated, integers.
  out.push({ label: "all equal", base: [5, 5, 5, 5, 5], new: [5, 5, 5, 5, 5] });
  out.push({ label: "constant sides differ", base: [1, 1, 1, 1, 1, 1], new: [2, 2, 2, 2, 2, 2] });
  out.push({ label: "n=3 separated", base: [1, 2, 3], new: [4, 5, 6] });
  out.push({ label: "n=4 separated", base: [1, 2, 3, 4], new: [5, 6, 7, 8] });
  out.push({
    label: "one outlier",
    base: [48, 48, 48, 53, 48, 48, 48, 48, 48, 48],
    new: [48, 48, 48, 48, 48, 48, 48, 48, 48, 48],
  });
  out.push({
    label: "zero to one",
    base: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    new: [1, 1, 1, 1, 1, 0, 1, 1, 1, 1],
  });
  out.push({
    label: "negative values",
    base: [-3, -2.5, -2, -4, -3.5, -3],
    new: [-1, -2, -1.5, -1, -2.5, -1],
  });
  out.push({ label: "single values", base: [7], new: [9] });
  out.push({
    label: "nanoseconds",
    base: [1.359e-8, 1.071e-8, 1.179e-8, 1.2e-8],
    new: [1.171e-8, 1.3e-8, 1.1e-8, 1.25e-8],
  });
  return out;
}

describe("benchmath against golang.org/x/perf/benchmath", () => {
  let ref: RefOutput;
  const cases = fixtures();
  const confidences = [0.5, 0.8, 0.9, 0.95, 0.99, 0.999];

  beforeAll(async () => {
    const binary = await buildBenchmathRef();
    ref = await runBenchmathRef<RefOutput>(binary, {
      confidence: 0.95,
      alpha: 0.05,
      cases: cases.map((c) => ({ base: c.base, new: c.new })),
      quantileCI: { maxN: 60, confidences },
    });
  }, 600_000);

  it("uses Go's log-gamma values bit for bit", () => {
    expect(ref.lgamma.length).toBe(goLgammaTable.length);
    ref.lgamma.forEach((value, m) => {
      expect(goLgammaTable[m], `lgamma(${m})`).toBe(goFloat(value));
    });
  });

  it("picks the same order statistics for the median interval, n = 1…60 at six confidence levels", () => {
    expect(ref.quantileCI.length).toBe(60 * confidences.length);
    for (const q of ref.quantileCI) {
      const mine = quantileInterval(q.n, 0.5, goFloat(q.requested));
      expect([mine.loOrder, mine.hiOrder], `n=${q.n} confidence=${q.requested}`).toEqual([
        q.loOrder,
        q.hiOrder,
      ]);
      expectClose(mine.confidence, goFloat(q.actual), `actual confidence n=${q.n} at ${q.requested}`);
    }
  });

  it("computes the same medians, intervals, p-values, deltas and warnings (AssumeNothing)", () => {
    expect(ref.cases.length).toBe(cases.length);
    cases.forEach((fixture, i) => {
      const expected = ref.cases[i]!.nothing;
      for (const [side, values, want] of [
        ["base", fixture.base, expected.base],
        ["new", fixture.new, expected.new],
      ] as const) {
        const got = summarizeMedian(values, 0.95);
        expectClose(got.center, goFloat(want.center), `${fixture.label} ${side} median`);
        expectClose(got.lo, goFloat(want.lo), `${fixture.label} ${side} lo`);
        expectClose(got.hi, goFloat(want.hi), `${fixture.label} ${side} hi`);
        expectClose(got.confidence, goFloat(want.confidence), `${fixture.label} ${side} confidence`);
        expect(got.warnings, `${fixture.label} ${side} warnings`).toEqual(want.warnings);
      }
      const cmp = compareMedians(fixture.base, fixture.new, 0.05);
      expectClose(cmp.p, goFloat(expected.comparison.p), `${fixture.label} p`);
      expect(cmp.warnings, `${fixture.label} comparison warnings`).toEqual(expected.comparison.warnings);
      const row = {
        p: cmp.p,
        alpha: cmp.alpha,
        base: { center: summarizeMedian(fixture.base).center, n: fixture.base.length },
        new: { center: summarizeMedian(fixture.new).center, n: fixture.new.length },
      };
      expect(formatDelta(row as never), `${fixture.label} delta`).toBe(expected.comparison.delta);
      expect(comparisonLabel(row as never), `${fixture.label} label`).toBe(expected.comparison.label);
    });
  });

  it("computes the same raw U statistic and p-value (go-moremath MannWhitneyUTest)", () => {
    let exactTies = 0;
    let normal = 0;
    cases.forEach((fixture, i) => {
      const expected = ref.cases[i]!.utest;
      if (expected.error) {
        expect(() => mannWhitneyUTest(fixture.base, fixture.new), fixture.label).toThrow(SamplesEqualError);
        expect(expected.error).toBe("all samples are equal");
        return;
      }
      const got = mannWhitneyUTest(fixture.base, fixture.new);
      expect(got.u, `${fixture.label} U`).toBe(goFloat(expected.u!));
      expectClose(got.p, goFloat(expected.p!), `${fixture.label} p (${got.method})`);
      if (got.method === "normal") normal++;
      else if (new Set([...fixture.base, ...fixture.new]).size < fixture.base.length + fixture.new.length)
        exactTies++;
    });
    // The fixtures really exercise both methods, including the exact distribution with ties.
    expect(exactTies).toBeGreaterThan(20);
    expect(normal).toBeGreaterThan(20);
  });

  it("summarizes and compares like AssumeExact", () => {
    cases.forEach((fixture, i) => {
      const expected = ref.cases[i]!.exact;
      const base = summarizeExact(fixture.base);
      expectClose(base.center, goFloat(expected.base.center), `${fixture.label} mode`);
      expect(base.lo).toBe(goFloat(expected.base.lo));
      expect(base.hi).toBe(goFloat(expected.base.hi));
      expect(base.warnings, fixture.label).toEqual(expected.base.warnings);
      const cmp = compareExact(fixture.base, fixture.new);
      expect(cmp.p).toBe(goFloat(expected.comparison.p));
      expect(cmp.alpha).toBe(goFloat(expected.comparison.alpha));
      const row = {
        p: cmp.p,
        alpha: cmp.alpha,
        base: { center: base.center, n: fixture.base.length },
        new: { center: summarizeExact(fixture.new).center, n: fixture.new.length },
      };
      expect(formatDelta(row as never), fixture.label).toBe(expected.comparison.delta);
      expect(comparisonLabel(row as never), fixture.label).toBe(expected.comparison.label);
    });
  });

  it("computes the same geometric mean", () => {
    cases.forEach((fixture, i) => {
      expectClose(geomean([...fixture.base, ...fixture.new]), goFloat(ref.cases[i]!.geomean), fixture.label);
    });
  });

  it("agrees with Go on random samples drawn by fast-check (200 pairs, fixed seed)", async () => {
    const sample = fc.array(
      fc.oneof(fc.integer({ min: 0, max: 6 }), fc.double({ min: 0.5, max: 2, noNaN: true })),
      {
        minLength: 1,
        maxLength: 40,
      },
    );
    const pairs = fc.sample(fc.tuple(sample, sample), { numRuns: 200, seed: 7 });
    const binary = await buildBenchmathRef();
    const out = await runBenchmathRef<RefOutput>(binary, {
      cases: pairs.map(([base, next]) => ({ base, new: next })),
      quantileCI: { maxN: 0, confidences: [] },
    });
    pairs.forEach(([base, next], i) => {
      const expected = out.cases[i]!;
      const cmp = compareMedians(base, next);
      expectClose(cmp.p, goFloat(expected.nothing.comparison.p), `pair ${i} p`);
      expect(cmp.warnings).toEqual(expected.nothing.comparison.warnings);
      const s = summarizeMedian(next);
      expectClose(s.center, goFloat(expected.nothing.new.center), `pair ${i} median`);
      expectClose(s.lo, goFloat(expected.nothing.new.lo), `pair ${i} lo`);
      expectClose(s.hi, goFloat(expected.nothing.new.hi), `pair ${i} hi`);
    });
  });
});
