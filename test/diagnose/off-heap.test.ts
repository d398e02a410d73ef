/**
 * Memory outside the Go heap is RSS − (Sys − HeapReleased) only where RSS is above what the runtime
 * holds. Below it, the difference is pages the runtime reserved and has not written yet: never
 * negative memory, never growth outside the heap, and said in words.
 */
import { describe, expect, test } from "vitest";
import { buildEvidence } from "../../src/diagnose/evidence.js";
import type { GoroutineAnalysis } from "../../src/diagnose/goroutine-growth.js";
import type { DiagnosisInput, MemStatsInput, RssInput } from "../../src/diagnose/input.js";
import { latestFigures, offHeapSeries, rssMinusHeld } from "../../src/diagnose/off-heap.js";
import type { MemStatsSample } from "../../src/model/memstats.js";

const MIB = 1024 * 1024;

function memStats(t: number, sys: number, released: number): MemStatsInput {
  return {
    tSeconds: t,
    sample: {
      fields: { Sys: sys, HeapReleased: released, HeapAlloc: sys / 2, HeapInuse: sys / 2 },
    } as unknown as MemStatsSample,
  };
}

/** 30 readings, one a second: what the runtime holds and RSS, as functions of time. */
function readings(held: (t: number) => number, rss: (t: number) => number) {
  const ms: MemStatsInput[] = [];
  const rs: RssInput[] = [];
  for (let t = 0; t < 30; t++) {
    ms.push(memStats(t, held(t) + 10 * MIB, 10 * MIB));
    rs.push({ tSeconds: t, rssBytes: rss(t) });
  }
  return { ms, rs };
}

const noGoroutines: GoroutineAnalysis = { totals: [], growing: [], largestGroups: [], hasStates: false };

describe("memory outside the Go heap", () => {
  test("RSS climbing towards a preallocated heap is no off-heap growth", () => {
    // 160 MiB held from the start; RSS climbs 3 MiB/s from 12 MiB as the arena is written.
    const { ms, rs } = readings(
      () => 160 * MIB,
      (t) => 12 * MIB + 3 * MIB * t,
    );
    const series = offHeapSeries(rs, ms);
    expect(series).toHaveLength(30);
    expect(series.every((p) => p.value === 0)).toBe(true);
    expect(rssMinusHeld(rs, ms)[0].value).toBe(-148 * MIB);

    const figures = latestFigures(ms, rs);
    expect(figures.untouchedBytes).toBe(160 * MIB - (12 + 87) * MIB);
    const evidence = buildEvidence({
      signals: {},
      goroutineAnalysis: noGoroutines,
      figures,
      rssMinusHeld: rssMinusHeld(rs, ms),
      input: { memStats: ms, rss: rs } as unknown as DiagnosisInput,
    });
    const line = evidence.find((e) => e.label === "RSS vs Go runtime")!;
    expect(line.detail).toContain(
      "RSS is 61 MiB below it: pages the runtime reserved but has not written yet",
    );
    // No figure in the evidence is a negative amount of memory.
    for (const e of evidence) expect(e.detail).not.toMatch(/-\d/);
  });

  test("RSS rising above what the runtime holds is off-heap growth", () => {
    // The runtime holds 40 MiB; RSS starts 5 MiB above it (binary, C libraries) and maps 2 MiB/s more.
    const { ms, rs } = readings(
      () => 40 * MIB,
      (t) => 45 * MIB + 2 * MIB * t,
    );
    const series = offHeapSeries(rs, ms);
    expect(series[0].value).toBe(5 * MIB);
    expect(series.at(-1)!.value).toBe(63 * MIB);
    expect(latestFigures(ms, rs).untouchedBytes).toBeNull();
  });

  test("a preallocated heap growing off-heap only counts once RSS passes what the runtime holds", () => {
    // 100 MiB held, RSS from 20 MiB growing 5 MiB/s: below the held line until t = 16 s.
    const { ms, rs } = readings(
      () => 100 * MIB,
      (t) => 20 * MIB + 5 * MIB * t,
    );
    const series = offHeapSeries(rs, ms);
    expect(series.filter((p) => p.value === 0)).toHaveLength(17);
    expect(series.at(-1)!.value).toBe(65 * MIB);
  });

  test("a dip below the starting excess (heap reserved before it is written) is not growth back", () => {
    // 6 MiB of non-heap RSS; at t = 10 the heap reserves 80 MiB more, written over the next 16 s.
    const { ms, rs } = readings(
      (t) => (t < 10 ? 30 : 110) * MIB,
      (t) => 36 * MIB + Math.min(80, Math.max(0, t - 10) * 5) * MIB,
    );
    const series = offHeapSeries(rs, ms);
    expect(Math.max(...series.map((p) => p.value))).toBe(6 * MIB);
    expect(Math.min(...series.map((p) => p.value))).toBe(6 * MIB);
  });
});
