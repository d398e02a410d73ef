/**
 * Fast leaks seen briefly: real Go programs leaking 10, 25 and 50 MiB/s, observed for 10 s under
 * GODEBUG=gctrace=1 (3 runs each, 3 programs at a time). With GOGC=100 the heap doubles between
 * cycles, so a fast leak gives only a handful of cycles, every one above the last: each run must be
 * growing, at about the rate the program says it leaked, and said not to have levelled off yet.
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { analyzeGcTrace } from "../../../src/analysis/gc-stats.js";
import { buildGoProgram, startProgram } from "../../support/go.js";

const RATES_MIB_PER_SECOND = [10, 25, 50];
const RUNS = 3;
const SECONDS = 10;

interface Run {
  rate: number;
  stderr: string;
  code: number | null;
  leakedBytes: number;
  seconds: number;
}

const runs: Run[] = [];

beforeAll(async () => {
  const binary = await buildGoProgram(path.join(import.meta.dirname, "programs/leak-rate"));
  for (let round = 0; round < RUNS; round++) {
    await Promise.all(
      RATES_MIB_PER_SECOND.map(async (rate) => {
        const program = startProgram(binary, ["-rate", String(rate)], {
          GODEBUG: "gctrace=1",
          SCENARIO_SECONDS: String(SECONDS),
        });
        const { code } = await program.exited;
        await new Promise((resolve) => setTimeout(resolve, 50));
        const match = /leakedbytes=(\d+) seconds=([\d.]+)/.exec(program.stdout());
        runs.push({
          rate,
          stderr: program.stderr(),
          code,
          leakedBytes: Number(match?.[1] ?? Number.NaN),
          seconds: Number(match?.[2] ?? Number.NaN),
        });
      }),
    );
  }
}, 240_000);

describe("fast leaks of 10–50 MiB/s observed for 10 s", () => {
  for (const rate of RATES_MIB_PER_SECOND) {
    it(`${rate} MiB/s is growing in ${RUNS} of ${RUNS} runs, at the leaked rate`, () => {
      const mine = runs.filter((r) => r.rate === rate);
      expect(mine).toHaveLength(RUNS);
      for (const run of mine) {
        expect(run.code).toBe(0);
        const summary = analyzeGcTrace(run.stderr, `leak-rate ${rate}`)!.summary;
        const series = summary.liveHeap.series.map((p) => Math.round(p.bytes / 1048576)).join(" ");
        expect(summary.verdict, `${summary.reason}\nlive heap (MiB): ${series}`).toBe("growing");
        const leakedPerSecond = run.leakedBytes / run.seconds;
        expect(summary.liveHeap.slopeBytesPerSecond).toBeGreaterThan(leakedPerSecond * 0.8);
        expect(summary.liveHeap.slopeBytesPerSecond).toBeLessThan(leakedPerSecond * 1.25);
        expect(summary.trend.notLevelledOff).toBe(true);
      }
    });
  }
});
