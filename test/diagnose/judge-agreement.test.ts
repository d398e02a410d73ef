/**
 * `heapscope gctrace` and `heapscope doctor` judge a gctrace log through the same engine and policy:
 * identical series go to both judging paths (analyzeGcTrace, and diagnose with the log as its only
 * heap data) and their verdicts must agree under the documented mapping growing ↔ leak,
 * stable ↔ no-leak, inconclusive ↔ inconclusive. Real captured traces and synthetic logs of the
 * issue's cases (a fast leak over 7 cycles, a batch job that falls back twice).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeGcTrace } from "../../src/analysis/gc-stats.js";
import { diagnose } from "../../src/diagnose/diagnose.js";
import type { DiagnosisInput } from "../../src/diagnose/input.js";
import { parseGcTrace } from "../../src/formats/gctrace/index.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/gctrace");
const DOCTOR_FOR = { growing: "leak", stable: "no-leak", inconclusive: "inconclusive" } as const;

function doctorOnLog(text: string): ReturnType<typeof diagnose> {
  const parse = parseGcTrace(text);
  const run = parse.runs[parse.runs.length - 1];
  const input: DiagnosisInput = {
    subject: "gctrace",
    heapSnapshots: [],
    goroutineSnapshots: [],
    memStats: [],
    rss: [],
    gcCycles: run.cycles.map((cycle) => ({ tSeconds: cycle.atSeconds, cycle })),
  };
  return diagnose(input);
}

/** A gctrace line as Go 1.18+ prints it, for a cycle with these heap sizes (MiB) at `at` seconds. */
function gcLine(cycle: number, at: number, start: number, end: number, live: number): string {
  return `gc ${cycle} @${at.toFixed(3)}s 2%: 0.012+1.1+0.010 ms clock, 0.025+0.2/0.9/0+0.020 ms cpu, ${start}->${end}->${live} MB, ${Math.max(4, live * 2)} MB goal, 0 MB stacks, 0 MB globals, 2 P`;
}

function fastLeakLog(rateMiBPerSecond: number, cycles: number): string {
  const lines: string[] = [];
  for (let k = 0; k < cycles; k++) {
    const live = 4 * 2 ** k;
    lines.push(gcLine(k + 1, 0.3 + live / rateMiBPerSecond, live * 2, live * 2, live));
  }
  return `${lines.join("\n")}\n`;
}

function batchLog(): string {
  const lines: string[] = [];
  let cycle = 1;
  for (let t = 0.4; t < 15; t += 0.55) {
    const phase = t % 7;
    const live = Math.floor(phase < 6 ? 20 + 10 * phase : 22);
    lines.push(gcLine(cycle++, t, live * 2, live * 2, live));
  }
  return `${lines.join("\n")}\n`;
}

const cases: [string, string][] = [
  ...readdirSync(fixtures)
    .filter((f) => f.startsWith("go1.26-") || f.includes("gctrace-scavtrace"))
    .map((f): [string, string] => [f, readFileSync(path.join(fixtures, f), "utf8")]),
  ["fast leak, 20 MiB/s, 7 cycles", fastLeakLog(20, 7)],
  ["fast leak, 30 MiB/s, 8 cycles", fastLeakLog(30, 8)],
  ["batch job falling back twice in 15 s", batchLog()],
];

describe("gctrace and doctor agree on the same gctrace series", () => {
  for (const [name, text] of cases) {
    it(name, () => {
      const gctrace = analyzeGcTrace(text, name)!.summary;
      const doctor = doctorOnLog(text);
      expect(doctor.verdict, `gctrace: ${gctrace.reason}\ndoctor: ${doctor.reasons.join(" ")}`).toBe(
        DOCTOR_FOR[gctrace.verdict],
      );
      // The same judgement underneath: same series verdict, slope and regime.
      const signal = doctor.signals.liveHeap;
      expect(signal.verdict).toBe(gctrace.trend.verdict);
      expect(signal.slopePerSecond).toBeCloseTo(gctrace.trend.slopePerSecond, 6);
      expect(signal.regimeStartSeconds).toBe(gctrace.trend.regimeStartSeconds);
    });
  }

  it("calls the issue's fast leak growing and the batch job bounded, in both", () => {
    expect(analyzeGcTrace(fastLeakLog(20, 7))!.summary.verdict).toBe("growing");
    expect(doctorOnLog(fastLeakLog(20, 7)).verdict).toBe("leak");
    expect(analyzeGcTrace(batchLog())!.summary.verdict).toBe("stable");
    expect(doctorOnLog(batchLog()).verdict).toBe("no-leak");
  });
});
