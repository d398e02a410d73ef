import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeMemStats } from "../../src/analysis/memstats-health.js";
import type { MemStatsSample, MemStatsSeries } from "../../src/formats/memstats.js";
import { detectAndParseMemStatsSeries } from "../../src/formats/memstats.js";

const MiB = 1024 * 1024;
const fixtures = path.resolve(import.meta.dirname, "../fixtures/signals");

/** Deterministic noise in [-1, 1). */
function noise(i: number): number {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

function series(samples: MemStatsSample[]): MemStatsSeries {
  return { format: "expvar", timeSource: "record", samples, notes: [], skippedLines: 0 };
}

/** A program read every 10 s for `n` readings; `at(i)` gives the fields that change. */
function readings(
  n: number,
  at: (i: number) => Partial<MemStatsSample> & { fields?: MemStatsSample["fields"] },
) {
  return Array.from({ length: n }, (_, i) => {
    const extra = at(i);
    return {
      ...extra,
      atMs: Date.UTC(2024, 4, 1) + i * 10_000,
      fields: { Sys: 200 * MiB, HeapReleased: 10 * MiB, HeapIdle: 20 * MiB, ...extra.fields },
    } as MemStatsSample;
  });
}

describe("analyzeMemStats: one reading", () => {
  it("derives the health figures from a real Go 1.23 /debug/vars", () => {
    const text = readFileSync(path.join(fixtures, "go1.23-debug-vars.json"), "utf8");
    const health = analyzeMemStats(detectAndParseMemStatsSeries(text, "vars.json"));
    const f = health.latest.fields;
    expect(health.figures.fragmentationRatio).toBeCloseTo((f.HeapInuse! - f.HeapAlloc!) / f.HeapInuse!, 12);
    expect(health.figures.retainedIdleBytes).toBe(f.HeapIdle! - f.HeapReleased!);
    expect(health.figures.goHeldBytes).toBe(f.Sys! - f.HeapReleased!);
    expect(health.figures.liveObjects).toBe(f.Mallocs! - f.Frees!);
    expect(health.figures.gc).toMatchObject({ count: 2, forcedCount: 1, recentPauses: 2 });
    // Two pauses are too few for a rate.
    expect(health.figures.gc.perMinute).toBeUndefined();
    expect(health.trends).toEqual([]);
    expect(health.notes.join(" ")).toMatch(/One reading: no trend/);
  });

  it("GC rate from the PauseEnd history, and memory outside the Go heap", () => {
    const ends = Array.from({ length: 11 }, (_, i) => 1714557600000000000n + BigInt(i) * 6_000_000_000n);
    const sample: MemStatsSample = {
      atMs: 1714557661000,
      fields: {
        NumGC: 11,
        Sys: 300 * MiB,
        HeapReleased: 50 * MiB,
        HeapInuse: 100 * MiB,
        HeapAlloc: 90 * MiB,
      },
      exact: { lastGcNs: ends.at(-1), pauseEndNs: ends },
      pauseNs: ends.map(() => 100_000),
      rssBytes: 600 * MiB,
    };
    const health = analyzeMemStats({ ...series([sample]), timeSource: "capture" });
    expect(health.figures.gc.perMinute).toBeCloseTo(10, 9);
    expect(health.figures.gc.rateBasis).toBe("pause-history");
    expect(health.figures.gc.secondsSinceLastGc).toBeCloseTo(1, 6);
    expect(health.figures.outsideGoHeapBytes).toBe(350 * MiB);
    expect(health.warnings.map((w) => w.code)).toContain("memory-outside-go-heap");
  });
});

describe("analyzeMemStats: series", () => {
  it("a live heap that grows across GCs: growing verdict and a warning", () => {
    const samples = readings(40, (i) => ({
      liveHeapBytes: (50 + i * 2 + noise(i)) * MiB,
      fields: {
        NumGC: 10 + i,
        NextGC: (100 + i * 4) * MiB,
        HeapAlloc: (80 + i * 3 + 10 * noise(i + 99)) * MiB,
      },
    }));
    const health = analyzeMemStats(series(samples));
    expect(health.heapTrend?.signal).toBe("liveHeap");
    expect(health.heapTrend?.result.verdict).toBe("growing");
    expect(health.heapTrend!.result.slopePerSecond * 10).toBeCloseTo(2 * MiB, -5);
    expect(health.warnings.map((w) => w.code)).toContain("heap-grows-while-gc-runs");
    expect(health.figures.gc.perMinute).toBeCloseTo(6, 9);
    expect(health.figures.gc.rateBasis).toBe("series");
  });

  it("a sawtooth HeapAlloc over a flat live heap: not growing, no heap warning", () => {
    const samples = readings(60, (i) => ({
      fields: {
        NumGC: Math.floor(i / 2),
        NextGC: 100 * MiB,
        // Allocation since the last GC piles up between GCs, then drops.
        HeapAlloc: (50 + (i % 2) * 40 + 2 * noise(i)) * MiB,
      },
    }));
    const health = analyzeMemStats(series(samples));
    expect(health.heapTrend?.signal).toBe("heapGoal");
    expect(health.heapTrend?.result.verdict).not.toBe("growing");
    // HeapAlloc is trended only at readings where NumGC advanced (every other one here).
    expect(health.trends.find((t) => t.signal === "heapAllocAfterGc")?.points).toBe(29);
    expect(health.warnings.map((w) => w.code)).not.toContain("heap-grows-while-gc-runs");
  });

  it("RSS that grows while the Go heap and Go-held memory are flat: memory outside Go", () => {
    const samples = readings(40, (i) => ({
      rssBytes: (300 + i * 5 + noise(i)) * MiB,
      fields: { NumGC: i, NextGC: (100 + noise(i + 7) * 0.01) * MiB, HeapAlloc: 60 * MiB },
    }));
    const codes = analyzeMemStats(series(samples)).warnings.map((w) => w.code);
    expect(codes).toContain("rss-grows-heap-flat");
    expect(codes).not.toContain("heap-grows-while-gc-runs");
  });

  it("no GC for minutes while HeapAlloc climbs", () => {
    const samples = readings(30, (i) => ({
      fields: {
        NumGC: Math.min(i, 10),
        NextGC: 100 * MiB,
        HeapAlloc: (i < 10 ? 50 : 50 + (i - 10) * 20) * MiB,
      },
    }));
    const warning = analyzeMemStats(series(samples)).warnings.find(
      (w) => w.code === "no-gc-while-heap-grows",
    );
    expect(warning?.message).toMatch(/No GC in 190 s while HeapAlloc grew from 50 MiB to 430 MiB/);
  });

  it("growing goroutines", () => {
    const samples = readings(30, (i) => ({
      goroutines: 100 + i * 10,
      fields: { NumGC: i, NextGC: 100 * MiB },
    }));
    const health = analyzeMemStats(series(samples));
    expect(health.trends.find((t) => t.signal === "goroutines")?.result.verdict).toBe("growing");
    expect(health.warnings.map((w) => w.code)).toContain("goroutines-grow");
  });

  it("a restart (counters fall) limits the analysis to the readings after it", () => {
    const samples = readings(30, (i) => ({
      fields: {
        NumGC: i < 12 ? 100 + i : i - 12,
        TotalAlloc: (i < 12 ? 1000 + i : i) * MiB,
        NextGC: 100 * MiB,
      },
    }));
    const health = analyzeMemStats(series(samples));
    expect(health.samples).toBe(18);
    expect(health.warnings.find((w) => w.code === "process-restarted")?.message).toMatch(/sample 13/);
  });

  it("no time axis: figures but no trends", () => {
    const samples = readings(5, (i) => ({ fields: { NumGC: i, HeapAlloc: i * MiB } })).map(
      ({ atMs: _, ...s }) => s,
    );
    const health = analyzeMemStats({ ...series(samples), timeSource: "none" });
    expect(health.trends).toEqual([]);
    expect(health.notes.join(" ")).toMatch(/no time axis/);
  });
});
