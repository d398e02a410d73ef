/**
 * The pure diagnosis core on data scraped from real running programs (no recorder in between): a
 * small scraper fetches /debug/pprof/heap?gc=1, /debug/vars and a goroutine dump every second and
 * the core judges them.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { diagnose } from "../../../src/diagnose/diagnose.js";
import type { Diagnosis } from "../../../src/diagnose/types.js";
import {
  buildGoProgram,
  freePort,
  type RunningProgram,
  startProgram,
  waitForHttp,
} from "../../support/go.js";
import { type ScrapedRun, scrape } from "./support/scrape.js";
import { inputFromScrapedRun, readLocalSource } from "./support/scraped-input.js";

const scenarios = path.join(import.meta.dirname, "scenarios");
const running: RunningProgram[] = [];
const diagnoses = new Map<string, Diagnosis>();
const runs = new Map<string, ScrapedRun>();

async function scrapeScenario(name: string, godebug: string, durationMs: number): Promise<void> {
  const binary = await buildGoProgram(path.join(scenarios, name));
  const port = await freePort();
  const program = startProgram(binary, ["-addr", `127.0.0.1:${port}`], { GODEBUG: godebug });
  running.push(program);
  await waitForHttp(`http://127.0.0.1:${port}/debug/vars`, 60_000);
  const run = await scrape(`http://127.0.0.1:${port}`, {
    durationMs,
    intervalMs: 1000,
    pid: program.child.pid,
  });
  await program.stop();
  runs.set(name, run);
  diagnoses.set(name, diagnose(inputFromScrapedRun(run, { subject: name, readSource: readLocalSource })));
}

beforeAll(async () => {
  await Promise.all([
    scrapeScenario("frame-header-retention", "memprofilerate=8192", 14_000),
    // A no-leak verdict bounds the growth over at least 30 s (doctor's fixed window), which a churning
    // heap needs to show; sampled finely, as doctor launches programs.
    scrapeScenario("json-churn", "memprofilerate=8192", 30_000),
  ]);
}, 180_000);

afterAll(async () => {
  for (const program of running) await program.stop();
});

describe("diagnosis core on scraped data", () => {
  test("the scraper collected gc=1 heap profiles, MemStats and goroutine dumps", () => {
    const run = runs.get("frame-header-retention")!;
    expect(run.ticks.length).toBeGreaterThanOrEqual(10);
    expect(run.ticks.every((t) => t.vars !== null && t.goroutines !== null)).toBe(true);
  });

  test("sub-slice retention: leak, the allocating function first, with the sub-slice hint", () => {
    const d = diagnoses.get("frame-header-retention")!;
    expect(d.verdict).toBe("leak");
    const top = d.suspects[0];
    expect(top.kind).toBe("heap");
    expect(top.function).toBe("main.readFrame");
    expect(path.basename(top.file)).toBe("main.go");
    expect(top.shareOfGrowth).toBeGreaterThan(0.8);
    // ~96 KiB frames every 30 ms: a few MiB/s.
    expect(top.growthBytesPerSecond).toBeGreaterThan(1e6);
    expect(top.objectSizes?.[0].bytes).toBeGreaterThanOrEqual(96 * 1024);
    expect(top.hint).toMatch(/sub-slice/i);
    expect(d.hints.some((h) => /sub-slice/i.test(h.title))).toBe(true);
    expect(d.caveat).toMatch(/where memory was allocated, not what still references it/);
  });

  test("a known memory limit gets a time-to-limit projection from the live heap's growth", () => {
    const run = runs.get("frame-header-retention")!;
    const input = inputFromScrapedRun(run, { subject: "limited", readSource: readLocalSource });
    const limit = 4 * 1024 * 1024 * 1024;
    const d = diagnose({ ...input, memoryLimit: { bytes: limit, source: "cgroup v2 memory.max (/test)" } });
    const evidence = d.evidence.find((e) => e.label === "memory limit");
    expect(evidence?.detail).toMatch(
      /^4 GiB \(cgroup v2 memory\.max \(\/test\)\); at .+ the live heap alone reaches it in at most /,
    );
    expect(evidence?.weight).toBe("leak");
    // The projected time agrees with the judged growth: (limit − live heap now) / slope.
    const live = d.signals.liveHeap;
    const seconds = (limit - live.lastValue) / live.slopePerSecond;
    const stated = evidence!.detail.match(/in at most ([\d.]+) (s|min|h|days)$/)!;
    const unit = { s: 1, min: 60, h: 3600, days: 86400 }[stated[2] as "s" | "min" | "h" | "days"];
    expect(Number(stated[1]) * unit).toBeGreaterThan(seconds * 0.9);
    expect(Number(stated[1]) * unit).toBeLessThan(seconds * 1.1 + 60);
    // Healthy programs state the limit without a projection.
    const churn = inputFromScrapedRun(runs.get("json-churn")!, { subject: "c", readSource: readLocalSource });
    const healthy = diagnose({ ...churn, memoryLimit: { bytes: limit, source: "test" } });
    expect(healthy.evidence.find((e) => e.label === "memory limit")?.detail).toBe("4 GiB (test)");
  });

  test("high allocation churn with a flat live heap: no leak, no suspects", () => {
    const d = diagnoses.get("json-churn")!;
    expect(d.verdict).toBe("no-leak");
    expect(d.suspects).toHaveLength(0);
    expect(d.signals.liveHeap.verdict).toBe("bounded");
  });
});
