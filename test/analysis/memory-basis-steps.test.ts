/**
 * The live heap and the heap goal are set at GCs and held until the next: judged on one point per GC,
 * a leak's last long plateau is one observation, not a levelled-off regime.
 */
import { describe, expect, it } from "vitest";
import { heapGoalPoints, judgeByteSeries, liveHeapPoints } from "../../src/analysis/memory-basis.js";
import type { MemStatsSample } from "../../src/model/memstats.js";

const MIB = 1024 * 1024;

/**
 * A pure leak of `rate` bytes/s from 4 MiB live, read every second for `seconds`: a GC when the
 * heap reaches live × (1 + GOGC/100), so at GOGC=100 each GC comes twice as late as the one before.
 */
function leakReadings(gogc: number, seconds: number, rate = 2 * MIB): MemStatsSample[] {
  const gcs = [{ at: 0, live: 4 * MIB }];
  for (let t = 0, live = 4 * MIB; t <= seconds; ) {
    const dt = (live * gogc) / 100 / rate;
    t += dt;
    live += dt * rate;
    gcs.push({ at: t, live });
  }
  const out: MemStatsSample[] = [];
  for (let s = 0; s <= seconds; s++) {
    let g = 0;
    while (g + 1 < gcs.length && gcs[g + 1].at <= s) g++;
    const live = gcs[g].live;
    out.push({
      atMs: s * 1000,
      fields: { NumGC: g + 1, NextGC: live * (1 + gogc / 100), HeapAlloc: live },
      liveHeapBytes: live,
    });
  }
  return out;
}

const tOf = (s: MemStatsSample) => (s.atMs ?? 0) / 1000;

describe("series set at GCs: one point per GC", () => {
  it("keeps the first reading after each GC", () => {
    const samples = leakReadings(100, 30);
    const gcs = new Set(samples.map((s) => s.fields.NumGC)).size;
    expect(heapGoalPoints(samples, tOf)).toHaveLength(gcs);
    expect(liveHeapPoints(samples, tOf)).toHaveLength(gcs);
    // Readings without a GC count are all kept (nothing says they repeat one).
    const bare = samples.map((s) => ({ ...s, fields: { NextGC: s.fields.NextGC } }));
    expect(heapGoalPoints(bare, tOf)).toHaveLength(samples.length);
  });

  it("a leak at GOGC=100 ending on a long plateau is never bounded; at GOGC=25 it is growing", () => {
    for (const seconds of [30, 45, 60]) {
      const doubling = judgeByteSeries(heapGoalPoints(leakReadings(100, seconds), tOf));
      expect(doubling.verdict, `${seconds} s`).not.toBe("bounded");
      const frequent = judgeByteSeries(heapGoalPoints(leakReadings(25, seconds), tOf));
      expect(frequent.verdict, `${seconds} s`).toBe("growing");
    }
    // Every reading of the same series, plateaus included, is taken for a levelled-off regime.
    const everyReading = leakReadings(100, 30).map((s) => ({ tSeconds: tOf(s), value: s.fields.NextGC! }));
    expect(judgeByteSeries(everyReading).verdict).toBe("bounded");
  });

  it("a steady heap whose GCs come every few seconds keeps its verdict", () => {
    const samples: MemStatsSample[] = [];
    let numGc = 1;
    let goal = 64 * MIB;
    for (let s = 0; s <= 60; s++) {
      if (s % 3 === 0) {
        numGc++;
        goal = 64 * MIB + ((s * 7919) % 13) * 64 * 1024;
      }
      samples.push({ atMs: s * 1000, fields: { NumGC: numGc, NextGC: goal } });
    }
    expect(judgeByteSeries(heapGoalPoints(samples, tOf)).verdict).toBe("bounded");
  });
});
