/**
 * The slow leak at its real rate, not compressed in time: a Go program with a ~200 MiB heap
 * leaking 0.5 % of it per minute, observed for 150 s under GODEBUG=gctrace=1 (3 runs at once), must
 * be judged growing in every run, at about the rate it leaks.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { analyzeGcTrace } from "../../../src/analysis/gc-stats.js";
import { buildGoProgram, startProgram, workDir } from "../../support/go.js";

const RUNS = 3;
const SECONDS = 150;
const HEAP_MIB = 200;
const runs: { stderr: string; code: number | null; leaked: number }[] = [];

beforeAll(
  async () => {
    const binary = await buildGoProgram(path.join(import.meta.dirname, "programs/slow-leak-real-rate"));
    await Promise.all(
      Array.from({ length: RUNS }, async () => {
        const program = startProgram(binary, ["-heap-mb", String(HEAP_MIB), "-leak-percent-per-min", "0.5"], {
          GODEBUG: "gctrace=1",
          SCENARIO_SECONDS: String(SECONDS),
        });
        const { code } = await program.exited;
        await new Promise((resolve) => setTimeout(resolve, 50));
        const leaked = Number(/leaked=(\d+)/.exec(program.stdout())?.[1] ?? Number.NaN);
        runs.push({ stderr: program.stderr(), code, leaked });
      }),
    );
  },
  (SECONDS + 120) * 1000,
);

describe("a 0.5 %/min leak on a 200 MiB heap, observed for 150 s", () => {
  it(`is growing in ${RUNS} of ${RUNS} runs, at about the leaked rate`, () => {
    expect(runs).toHaveLength(RUNS);
    for (const run of runs) {
      expect(run.code).toBe(0);
      const analysis = analyzeGcTrace(run.stderr, "slow-leak-real-rate");
      expect(analysis).not.toBeNull();
      const { summary } = analysis!;
      const series = summary.liveHeap.series.map((p) => Math.round(p.bytes / 1048576)).join(" ");
      if (summary.verdict !== "growing") {
        // Keep the trace of a failing run for diagnosis (heapscope gctrace FILE).
        mkdirSync(workDir, { recursive: true });
        writeFileSync(
          path.join(workDir, `gctrace-slow-leak-real-rate-${runs.indexOf(run) + 1}.txt`),
          run.stderr,
        );
      }
      expect(summary.verdict, `${summary.reason}\nlive heap (MiB): ${series}`).toBe("growing");
      // What the program says it leaked (16 KiB records) over the run, per second.
      const leakedPerSecond = (run.leaked * 16 * 1024) / SECONDS;
      expect(leakedPerSecond).toBeGreaterThan((0.004 * HEAP_MIB * 1048576) / 60);
      const slope = summary.liveHeap.slopeBytesPerSecond;
      expect(slope).toBeGreaterThan(leakedPerSecond * 0.5);
      expect(slope).toBeLessThan(leakedPerSecond * 1.6);
    }
  });
});
