/**
 * Verdicts on captured real traces (Go 1.26 runs of the programs in test/e2e/gctrace/programs), kept as
 * regression inputs: two sawtooths were captured on a machine at load 10–19, where their bands wobble.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeGcTrace } from "../../src/analysis/gc-stats.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/gctrace");
const cases: [string, "growing" | "stable" | "inconclusive"][] = [
  ["go1.26-slow-leak-forced-gc.txt", "growing"],
  ["go1.26-sawtooth-batches.txt", "stable"],
  ["go1.26-sawtooth-batches-under-load.txt", "stable"],
  ["go1.26-sawtooth-batches-under-load-2.txt", "stable"],
  // Its peaks drift up 1 MiB in 36 s (significant, within the bound); floor and level are flat.
  ["go1.26-sawtooth-batches-pacer-drift.txt", "stable"],
  ["go1.26-step-then-flat.txt", "stable"],
  ["go1.26-gogc-off-memlimit-128MiB.txt", "stable"],
  // A tenth of a second of a program's start: too little to judge.
  ["go1.23-gctrace-scavtrace.txt", "inconclusive"],
];

describe("verdicts on captured traces", () => {
  for (const [file, expected] of cases) {
    it(`${file} is ${expected}`, () => {
      const analysis = analyzeGcTrace(readFileSync(path.join(fixtures, file), "utf8"), file)!;
      expect(analysis.summary.verdict, analysis.summary.reason).toBe(expected);
    });
  }

  it("judges the step from where it happened (40 % into the run)", () => {
    const analysis = analyzeGcTrace(readFileSync(path.join(fixtures, "go1.26-step-then-flat.txt"), "utf8"))!;
    const duration = analysis.summary.endSeconds;
    expect(analysis.summary.trend.regimeStartSeconds).toBeGreaterThan(duration * 0.35);
    expect(analysis.summary.trend.regimeStartSeconds).toBeLessThan(duration * 0.5);
    expect(analysis.summary.trend.level).toBe(60 * 1048576);
  });
});
