/**
 * Series recorded from real programs, leaking and healthy, read back by `heapscope memstats`:
 * /debug/vars JSON lines (with a capture time, and without any), client_golang OpenMetrics scrapes
 * with the live heap, and the program's own `Alloc = N MiB` log lines.
 * The leaking mode retains 128 KiB every 20 ms and leaks a goroutine every 100 ms; the healthy mode
 * allocates the same garbage and retains nothing.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  buildGoProgram,
  freePort,
  type RunningProgram,
  runCli,
  startProgram,
  waitForHttp,
  workDir,
} from "../../support/go.js";

const READINGS = 64;
const INTERVAL_MS = 250;
const scratch = path.join(workDir, "memstats-series");
mkdirSync(scratch, { recursive: true });

const running: RunningProgram[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

async function start(program: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const binary = await buildGoProgram(path.resolve(import.meta.dirname, "programs", program));
  const port = await freePort();
  const child = startProgram(binary, ["-addr", `127.0.0.1:${port}`, ...args], env);
  running.push(child);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/snapshot`, 60_000);
  return base;
}

/** Reads `url` READINGS times, INTERVAL_MS apart; returns each body with its capture time. */
async function record(url: string, accept?: string): Promise<{ at: Date; body: string }[]> {
  const out: { at: Date; body: string }[] = [];
  for (let i = 0; i < READINGS; i++) {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(30_000),
      ...(accept ? { headers: { accept } } : {}),
    });
    out.push({ at: new Date(), body: await response.text() });
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
  }
  return out;
}

async function memstatsJson(file: string) {
  const result = await runCli(["memstats", file, "--json"]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as {
    format: string;
    timeSource: string;
    samples: number;
    heapVerdict: string | null;
    trends: { signal: string; verdict: string; usedForHeapVerdict: boolean }[];
    warnings: { code: string }[];
  };
}

describe("/debug/vars series", () => {
  for (const mode of ["leak", "healthy"] as const) {
    it(`${mode}: JSON lines with a capture time, and the same records without one`, async () => {
      // The heap goal moves only at GCs: at GOGC=100 a leaking heap's goal doubles in a few steps, and a
      // loaded machine can leave the last step as a long plateau. GOGC=25 gives it steps 4× as often.
      const base = await start("runtime-signals", ["-mode", mode], mode === "leak" ? { GOGC: "25" } : {});
      const readings = await record(`${base}/debug/vars`);
      const withTime = path.join(scratch, `vars-${mode}.jsonl`);
      // The raw body is embedded as is, so LastGC keeps all its digits.
      writeFileSync(
        withTime,
        readings.map((r) => `{"time":"${r.at.toISOString()}","vars":${r.body.trim()}}`).join("\n"),
      );
      const report = await memstatsJson(withTime);
      expect(report.format).toBe("expvar");
      expect(report.timeSource).toBe("record");
      expect(report.samples).toBe(READINGS);
      const heap = report.trends.find((t) => t.usedForHeapVerdict)!;
      // The healthy heap stays under 2 MiB live, where NextGC sits at its 4 MiB floor and says
      // nothing; HeapAlloc after GC speaks instead.
      expect(heap.signal).toBe(mode === "leak" ? "heapGoal" : "heapAllocAfterGc");
      const codes = report.warnings.map((w) => w.code);
      const goroutines = report.trends.find((t) => t.signal === "goroutines")!;
      if (mode === "leak") {
        expect(report.heapVerdict).toBe("growing");
        expect(codes).toContain("heap-grows-while-gc-runs");
        expect(goroutines.verdict).toBe("growing");
        expect(codes).toContain("goroutines-grow");
      } else {
        expect(report.heapVerdict).not.toBe("growing");
        expect(codes).not.toContain("heap-grows-while-gc-runs");
        expect(goroutines.verdict).not.toBe("growing");
      }

      const bare = path.join(scratch, `vars-${mode}-no-time.json`);
      writeFileSync(bare, readings.map((r) => r.body).join("\n"));
      const lastGc = await memstatsJson(bare);
      expect(lastGc.timeSource).toBe("last-gc");
      // On the LastGC axis the readings collapse onto GC times, and a leaking heap spaces its GCs
      // further and further apart: the span can fall under the 10 s a verdict needs. So the leak
      // may be "inconclusive" there, never "stable"; the healthy heap never "growing".
      if (mode === "leak") expect(["growing", "inconclusive"]).toContain(lastGc.heapVerdict);
      else expect(lastGc.heapVerdict).not.toBe("growing");
    });
  }
});

describe("client_golang OpenMetrics scrapes with the live heap", () => {
  for (const mode of ["leak", "healthy"] as const) {
    it(`${mode}: the live heap decides`, async () => {
      // The live heap is measured at GCs too: GOGC=25 for the leak, as above.
      const base = await start("prometheus-signals", ["-mode", mode], mode === "leak" ? { GOGC: "25" } : {});
      const scrapes = await record(`${base}/metrics-rm`, "application/openmetrics-text; version=1.0.0");
      const file = path.join(scratch, `metrics-${mode}.txt`);
      writeFileSync(file, scrapes.map((s) => `# ${s.at.toISOString()}\n${s.body}`).join(""));
      const report = await memstatsJson(file);
      expect(report.format).toBe("openmetrics");
      expect(report.samples).toBe(READINGS);
      expect(report.trends.find((t) => t.usedForHeapVerdict)?.signal).toBe("liveHeap");
      if (mode === "leak") expect(report.heapVerdict).toBe("growing");
      else expect(report.heapVerdict).not.toBe("growing");
    });
  }
});

describe("the program's own log lines", () => {
  it("leak: `Alloc = N MiB` lines with log timestamps show the growth", async () => {
    const binary = await buildGoProgram(path.resolve(import.meta.dirname, "programs/runtime-signals"));
    const port = await freePort();
    const program = startProgram(binary, [
      "-addr",
      `127.0.0.1:${port}`,
      "-mode",
      "leak",
      "-log-memstats",
      "250ms",
    ]);
    running.push(program);
    await waitForHttp(`http://127.0.0.1:${port}/snapshot`, 60_000);
    const deadline = Date.now() + 60_000;
    while (
      program
        .stdout()
        .split("\n")
        .filter((l) => l.includes("Alloc =")).length < READINGS &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 250));
    }
    const file = path.join(scratch, "app.log");
    writeFileSync(file, program.stdout());
    const report = await memstatsJson(file);
    expect(report.format).toBe("log-lines");
    expect(report.timeSource).toBe("record");
    expect(report.samples).toBeGreaterThanOrEqual(READINGS);
    expect(report.trends.find((t) => t.usedForHeapVerdict)?.signal).toBe("heapAllocAfterGc");
    expect(report.heapVerdict).toBe("growing");
  });
});
