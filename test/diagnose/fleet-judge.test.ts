/**
 * fleet's pure judgement on series with known truth: process runs, the basis, growth dating, and
 * deploy attribution with its negative controls (growth before the range, a version change long
 * before the growth, growth under the previous version, a new service's first version).
 */
import { describe, expect, it } from "vitest";
import { growthOnsetIndex } from "../../src/analysis/growth-onset.js";
import { chooseMemoryBasis, heapGoalPinned } from "../../src/analysis/memory-basis.js";
import { splitProcessRuns } from "../../src/analysis/process-runs.js";
import { selectorMatchers } from "../../src/collect/prometheus/queries.js";
import { timeChunks } from "../../src/collect/prometheus/range-fetch.js";
import { judgeFleet } from "../../src/diagnose/fleet/fleet.js";
import type { FleetInstanceInput, FleetQueryInfo, VersionSpan } from "../../src/diagnose/fleet/types.js";
import type { MemStatsSample } from "../../src/model/memstats.js";

const MiB = 1024 * 1024;
const START = 1_700_000_000;
const STEP = 60;
const POINTS = 360;
const END = START + (POINTS - 1) * STEP;

/** A piece of an instance's life: from a time, which version, a leak rate from an offset. */
interface Life {
  from: number;
  version: string;
  leakMiBPerHour: number;
  leakAfterSeconds?: number;
  /** The version changed without a restart (a label change, a hot reload). */
  inPlace?: boolean;
}

function instance(name: string, job: string, lives: Life[], seed = 1): FleetInstanceInput {
  let state = seed;
  const noise = () => ((state = (Math.imul(state, 48271) >>> 0) % 2147483647) / 2147483647 - 0.5) * 2 * MiB;
  const samples: MemStatsSample[] = [];
  const observations: VersionSpan[] = [];
  for (let k = 0; k < POINTS; k++) {
    const t = START + k * STEP;
    const index = lives.findLastIndex((l) => l.from <= t);
    if (index < 0) continue;
    const life = lives[index];
    const process = lives.slice(0, index + 1).findLast((l) => !l.inPlace)!;
    const leakFrom = life.from + (life.leakAfterSeconds ?? 0);
    const live = 80 * MiB + Math.max(0, t - leakFrom) * ((life.leakMiBPerHour * MiB) / 3600) + noise();
    samples.push({
      atMs: t * 1000,
      fields: {
        NextGC: Math.round(2 * live),
        HeapAlloc: Math.round(1.5 * live),
        NumGC: Math.floor((t - process.from) / 10),
      },
      processStartSeconds: process.from,
      goroutines: 40,
    });
    const last = observations[observations.length - 1];
    if (last && last.version === life.version) last.lastSeconds = t;
    else
      observations.push({
        version: life.version,
        firstSeconds: t,
        lastSeconds: t,
        source: "app_build_info{version}",
      });
  }
  return {
    key: `instance="${name}",job="${job}"`,
    labels: { job, instance: name },
    series: { format: "query-range", timeSource: "record", samples, notes: [], skippedLines: 0 },
    versions: observations,
    metrics: ["go_memstats_next_gc_bytes", "process_start_time_seconds"],
  };
}

const query: FleetQueryInfo = {
  prometheus: "http://prometheus:9090",
  selector: "{}",
  startSeconds: START,
  endSeconds: END,
  stepSeconds: STEP,
  stepSource: "test",
  scrapeIntervalSeconds: 30,
  scrapeIntervalSource: "test",
  requests: 0,
  warnings: [],
};

const BEFORE = START - 86400;
const DEPLOY = START + 3 * 3600;

describe("fleet judgement", () => {
  const report = judgeFleet({
    query,
    unjudged: [],
    notes: [],
    instances: [
      // Upgraded in place at 3 h; 2.0 leaks.
      instance("a", "api", [
        { from: BEFORE, version: "1.0", leakMiBPerHour: 0 },
        { from: DEPLOY, version: "2.0", leakMiBPerHour: 60 },
      ]),
      // A new instance of 2.0.
      instance("b", "api", [{ from: DEPLOY + 600, version: "2.0", leakMiBPerHour: 60 }], 2),
      // 1.0 throughout, flat.
      instance("c", "api", [{ from: BEFORE, version: "1.0", leakMiBPerHour: 0 }], 3),
      // Leaking since before the range, no version change.
      instance("d", "api", [{ from: BEFORE, version: "1.0", leakMiBPerHour: 30 }], 4),
      // Upgraded at 0.5 h without a restart, growth begins at 2.5 h: too far from the change.
      instance(
        "e",
        "api",
        [
          { from: BEFORE, version: "1.0", leakMiBPerHour: 0 },
          {
            from: START + 1800,
            version: "2.0",
            leakMiBPerHour: 60,
            leakAfterSeconds: 2 * 3600,
            inPlace: true,
          },
        ],
        5,
      ),
      // Grew under 1.0 already, then upgraded: 2.0 did not start it.
      instance(
        "f",
        "api",
        [
          { from: BEFORE, version: "1.0", leakMiBPerHour: 60 },
          { from: DEPLOY, version: "2.0", leakMiBPerHour: 60 },
        ],
        6,
      ),
      // A new service's first version: no version change before it.
      instance("g", "fresh", [{ from: DEPLOY, version: "0.1", leakMiBPerHour: 60 }], 7),
    ],
  });
  const get = (name: string) => report.instances.find((i) => i.labels["instance"] === name)!;

  it("judges each process run, the last run's verdict speaking for the instance", () => {
    expect(get("a").runs.map((r) => [r.verdict, r.version])).toEqual([
      ["bounded", "1.0"],
      ["growing", "2.0"],
    ]);
    expect(get("f").runs.map((r) => r.verdict)).toEqual(["growing", "growing"]);
    expect(get("c").verdict).toBe("bounded");
    expect(get("d").verdict).toBe("growing");
  });

  it("attributes growth only where a version change precedes it and lines up with it", () => {
    expect(get("a").attribution).toMatchObject({ from: "1.0", to: "2.0" });
    expect(get("b").attribution).toMatchObject({ from: null, to: "2.0" });
    expect(get("d").attribution).toBeNull();
    expect(get("d").changePoint).toBeNull();
    expect(get("e").verdict, get("e").reason).toBe("growing");
    expect(Math.abs(get("e").changePoint! - (START + 2.5 * 3600))).toBeLessThan(15 * 60);
    expect(get("e").attribution).toBeNull();
    expect(get("f").attribution).toBeNull();
    expect(get("g").attribution).toBeNull();
    const api = report.attributionSentences.find((s) => s.startsWith("api:"));
    expect(api).toMatch(
      /^api: growth began with 2\.0 on 2 of 4 instances; 3 growing instances \(.*\) with no version change before the growth\.$/,
    );
    expect(report.attributionSentences.find((s) => s.startsWith("fresh:"))).toMatch(
      /1 growing instance \(0\.1\) with no version change/,
    );
  });

  it("ranks growing instances first", () => {
    const growing = report.instances.filter((i) => i.verdict === "growing").map((i) => i.rank);
    expect(Math.max(...growing)).toBe(growing.length);
  });
});

describe("fleet building blocks", () => {
  it("dates the onset of growth after a plateau, and none for a line", () => {
    const knee = Array.from({ length: 100 }, (_, i) => ({
      tSeconds: i,
      value: i < 60 ? 100 : 100 + (i - 60) * 5,
    }));
    expect(Math.abs(growthOnsetIndex(knee) - 60)).toBeLessThanOrEqual(2);
    const line = Array.from({ length: 100 }, (_, i) => ({ tSeconds: i, value: 100 + i * 5 + (i % 3) }));
    expect(growthOnsetIndex(line)).toBe(0);
  });

  it("splits runs at a new start time or a counter that falls", () => {
    const s = (start: number, gc: number): MemStatsSample => ({
      fields: { NumGC: gc },
      processStartSeconds: start,
    });
    expect(splitProcessRuns([s(1, 5), s(1, 9), s(2, 20), s(2, 21)]).map((r) => r.startedBy)).toEqual([
      "series-start",
      "start-time",
    ]);
    const noStart = (gc: number): MemStatsSample => ({ fields: { NumGC: gc } });
    expect(
      splitProcessRuns([noStart(5), noStart(9), noStart(2)]).map((r) => [r.startIndex, r.startedBy]),
    ).toEqual([
      [0, "series-start"],
      [2, "counter-reset"],
    ]);
  });

  it("leaves a heap goal pinned by GOMEMLIMIT or GOGC=off for HeapAlloc's troughs", () => {
    const limited = Array.from({ length: 20 }, (_, i) => ({
      atMs: i * 1000,
      fields: { NextGC: 950 * MiB, HeapAlloc: (500 + (i % 2) * 100) * MiB, NumGC: i },
      memoryLimitBytes: 1024 * MiB,
    })) as MemStatsSample[];
    expect(heapGoalPinned(limited)).toBe("memory-limit");
    expect(chooseMemoryBasis(limited, (s) => s.atMs! / 1000)?.basis).toBe("heapAllocAfterGc");
    const gcOff = limited.map((s) => ({ ...s, memoryLimitBytes: undefined, gogcPercent: -1 }));
    expect(heapGoalPinned(gcOff)).toBe("gc-off");
    const free = limited.map((s) => ({ ...s, memoryLimitBytes: 9.223372036854776e18 }));
    expect(heapGoalPinned(free)).toBeNull();
  });

  it("cuts a range into chunks under Prometheus' 11,000 points", () => {
    const chunks = timeChunks(0, 25_000 * 15, 15);
    expect(chunks).toHaveLength(3);
    for (const [a, b] of chunks) expect((b - a) / 15 + 1).toBeLessThanOrEqual(10_000);
    expect(chunks[0][0]).toBe(0);
    expect(chunks[2][1]).toBe(25_000 * 15);
    expect(chunks[1][0] - chunks[0][1]).toBe(15);
  });

  it("reads selectors", () => {
    expect(selectorMatchers('{job="checkout"}')).toBe('job="checkout"');
    expect(selectorMatchers('job="a",env!="dev"')).toBe('job="a",env!="dev"');
    expect(selectorMatchers(undefined)).toBe("");
    expect(() => selectorMatchers('go_goroutines{job="a"}')).toThrow(/label matchers/);
  });
});
