/**
 * The decision rules of the diagnosis core on controlled series: per-signal judgement and the
 * combined live-heap rule. Real programs are in test/e2e/doctor/ (corpus.test.ts,
 * scraped-core.test.ts, and signals.test.ts for frame attribution and build info); these pin down
 * the rules themselves.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { SiteGrowth } from "../../src/diagnose/heap-growth.js";
import { judgeLiveHeap } from "../../src/diagnose/live-heap-verdict.js";
import { judgeSignal, type SeriesPoint, type SignalSpec } from "../../src/diagnose/signal-trend.js";

const bytesSpec: SignalSpec = {
  name: "live heap",
  unit: "bytes",
  policy: "doctor-heap",
  resolution: 8192,
};

/** Deterministic noise (a small LCG), so the tests do not depend on Math.random. */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff - 0.5;
  };
}

function series(n: number, dt: number, f: (t: number, i: number) => number): SeriesPoint[] {
  return Array.from({ length: n }, (_, i) => ({ tSeconds: i * dt, value: f(i * dt, i) }));
}

describe("judgeSignal", () => {
  test("a steady leak with noise is growing", () => {
    const r = noise(1);
    const judged = judgeSignal(
      series(24, 1.25, (t) => 50e6 + 40_000 * t + r() * 100_000),
      bytesSpec,
    );
    expect(judged.verdict).toBe("growing");
    expect(judged.slopePerSecond).toBeGreaterThan(30_000);
    expect(judged.slopePerSecond).toBeLessThan(50_000);
    expect(judged.pValue).toBeLessThan(0.001);
  });

  test("a flat noisy heap is bounded, not growing", () => {
    const r = noise(2);
    const judged = judgeSignal(
      series(24, 1.25, () => 200e6 + r() * 300_000),
      bytesSpec,
    );
    expect(judged.verdict).toBe("bounded");
  });

  test("a warm-up that levels off is judged after the warm-up", () => {
    const r = noise(3);
    const judged = judgeSignal(
      series(24, 1.25, (t) => (t < 8 ? 1e6 + 4e6 * t : 33e6) + r() * 50_000),
      bytesSpec,
    );
    expect(judged.verdict).toBe("bounded");
    expect(judged.warmupSkipped).toBe(true);
    expect(judged.regimeStartSeconds).toBeGreaterThan(5);
  });

  test("a sawtooth that keeps returning to its floor is bounded", () => {
    const judged = judgeSignal(
      series(25, 1.25, (t) => 2e6 + ((t % 3.4) / 3.4) * 40e6),
      bytesSpec,
    );
    expect(judged.verdict).toBe("bounded");
  });

  test("too few points are insufficient, with a time estimate", () => {
    const judged = judgeSignal(
      series(4, 1, (t) => t * 1e6),
      bytesSpec,
    );
    expect(judged.verdict).toBe("insufficient");
    expect(judged.extraSecondsNeeded).toBeGreaterThan(0);
  });

  test("growth below the relevance floor is not a leak", () => {
    // 500 B/s on a 100 MB heap: significant but irrelevant (floor is max(2 KiB/s, 4 %/h)).
    const judged = judgeSignal(
      series(40, 1, (t) => 100e6 + 500 * t),
      { ...bytesSpec, resolution: 1 },
    );
    expect(judged.verdict).not.toBe("growing");
  });

  test("property: a strictly increasing series far above the floor is always growing", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 12, max: 60 }),
        fc.double({ min: 20_000, max: 5e6, noNaN: true }),
        fc.double({ min: 1e6, max: 1e9, noNaN: true }),
        (n, slope, level) => {
          const judged = judgeSignal(
            series(n, 1, (t) => level + slope * t),
            bytesSpec,
          );
          return judged.verdict === "growing";
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });

  test("property: a constant series is never growing", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 80 }),
        fc.double({ min: 0, max: 1e10, noNaN: true }),
        (n, level) => {
          return (
            judgeSignal(
              series(n, 1, () => level),
              bytesSpec,
            ).verdict !== "growing"
          );
        },
      ),
      { seed: 7, numRuns: 60 },
    );
  });
});

function site(partial: Partial<SiteGrowth> & { function: string }): SiteGrowth {
  return {
    site: {
      key: partial.function,
      function: partial.function,
      file: "/x/main.go",
      line: 10,
      attribution: "own",
      stack: [],
    },
    growthBytesPerSecond: 0,
    growthBytesLowPerSecond: 0,
    growthObjectsPerSecond: 0,
    pValue: 1,
    inuseBytes: 0,
    inuseObjects: 0,
    startBytes: 0,
    shareOfGrowth: 0,
    objectSizes: [],
    heldSizes: [],
    retention: 0,
    retentionZ: 0,
    sampledGrowthEvents: 0,
    series: [],
    ...partial,
  };
}

describe("judgeLiveHeap", () => {
  test("a sampled total that wanders is not a leak when HeapAlloc after GC stays flat", () => {
    const r = noise(5);
    let walk = 30e6;
    const sampled = judgeSignal(
      series(24, 1.25, () => {
        walk += 400_000 + r() * 200_000;
        return walk;
      }),
      { ...bytesSpec, resolution: 524288 },
    );
    expect(sampled.verdict).toBe("growing");
    const exact = judgeSignal(
      series(24, 1.25, () => 34e6 + r() * 40_000),
      bytesSpec,
    );
    const combined = judgeLiveHeap({
      sampled,
      exact,
      resolution: 524288,
      sites: [
        site({
          function: "main.cachePut",
          growthBytesPerSecond: 300_000,
          pValue: 1e-6,
          retention: 0.05,
          sampledGrowthEvents: 20,
        }),
      ],
    });
    expect(combined?.verdict).not.toBe("growing");
  });

  test("a look's stricter α never makes a slow leak bounded (nothing 'keeps memory' only at the full site α)", () => {
    const r = noise(12);
    const look = { alphaShare: 0.025, minBoundSpanSeconds: 30 };
    const exact = judgeSignal(
      series(11, 1, (t) => 200e6 + 30_000 * t + r() * 20_000),
      bytesSpec,
      look,
    );
    const sites = [
      site({
        function: "main.keepRecord",
        growthBytesPerSecond: 30_000,
        growthBytesLowPerSecond: 20_000,
        // Significant at the site α (0.001), not at the look's share of it.
        pValue: 5e-4,
        retention: 1,
        sampledGrowthEvents: 30,
      }),
    ];
    const judged = judgeLiveHeap({ exact, resolution: 8192, sites });
    expect(judged?.verdict, judged?.reason).not.toBe("bounded");
    // Without the look (one fixed window) the same evidence is a leak.
    const fixed = judgeLiveHeap({
      exact: judgeSignal(
        series(11, 1, (t) => 200e6 + 30_000 * t + noise(12)() * 20_000),
        bytesSpec,
      ),
      resolution: 8192,
      sites,
    });
    expect(fixed?.verdict).not.toBe("bounded");
  });

  test("slow exact growth carried by a retaining site is a leak", () => {
    const r = noise(6);
    const exact = judgeSignal(
      series(24, 1.25, (t) => 240e6 + 20_000 * t + r() * 20_000),
      bytesSpec,
    );
    const combined = judgeLiveHeap({
      exact,
      resolution: 8192,
      sites: [
        site({
          function: "main.recordAudit",
          growthBytesPerSecond: 18_000,
          growthBytesLowPerSecond: 15_000,
          pValue: 1e-6,
          retention: 1,
          sampledGrowthEvents: 40,
        }),
      ],
    });
    expect(combined?.verdict).toBe("growing");
    expect(combined?.reason).toContain("main.recordAudit");
  });

  test("a few KiB/s of exact drift with no retaining site and a fine profile is bounded", () => {
    const r = noise(8);
    const exact = judgeSignal(
      series(24, 1.25, (t) => 1.9e6 + 5000 * t + r() * 3000),
      bytesSpec,
    );
    expect(exact.verdict).toBe("growing");
    const combined = judgeLiveHeap({ exact, resolution: 8192, sites: [] });
    expect(combined?.verdict).toBe("bounded");
  });

  // A 255 MB heap whose profile total creeps up a few KiB/s because a churning site's in-flight
  // objects are marked live during longer forced GCs: nothing keeps them.
  const floatingGarbage = (exactRate: number) => {
    const r = noise(9);
    const sampled = judgeSignal(
      series(26, 0.8, (t) => 266.9e6 + 5700 * t + r() * 40_000),
      bytesSpec,
    );
    const exact = judgeSignal(
      series(26, 0.8, (t) => 257e6 + exactRate * t + r() * 150_000),
      bytesSpec,
    );
    return {
      sampled,
      exact,
      judged: judgeLiveHeap({
        sampled,
        exact,
        resolution: 8192,
        sites: [
          site({
            function: "main.(*index).query",
            growthBytesPerSecond: 4900,
            growthBytesLowPerSecond: 1000,
            pValue: 0.01,
            retention: 0.0005,
            sampledGrowthEvents: 12,
          }),
        ],
      }),
    };
  };

  test("a creeping profile total that no site keeps, with HeapAlloc within its drift, is bounded", () => {
    const { sampled, exact, judged } = floatingGarbage(26_000);
    expect(sampled.verdict).toBe("growing");
    expect(exact.verdict).toBe("growing");
    expect(judged?.verdict).toBe("bounded");
    expect(judged?.reason).toContain("kept by no allocation site");
  });

  test("the same profile with HeapAlloc growing well beyond its drift is not called bounded", () => {
    const { exact, judged } = floatingGarbage(200_000);
    expect(exact.slopeLowPerSecond * exact.spanSeconds).toBeGreaterThan(512 * 1024);
    expect(judged?.verdict).not.toBe("bounded");
  });
});
