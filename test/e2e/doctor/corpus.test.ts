/**
 * The doctor accuracy corpus: every scenario under test/e2e/doctor/scenarios is a real Go program with
 * its truth (truth.json, described in scenarios/README.md). Each is run under
 * `heapscope doctor --url ... -- BINARY` several times (default 3, HEAPSCOPE_CORPUS_RUNS) with limited
 * concurrency (default 3, HEAPSCOPE_CORPUS_CONCURRENCY); every run must give the right verdict (no-leak,
 * not inconclusive, for healthy programs) and, for leaks, the right top suspect: the same function, or
 * file:line within 2 lines. A `holder` must lead what holds the live heap; a `replacement` must never
 * be listed as a cause.
 *
 * Runs alternate between programs built with Go 1.27.3 (runs 1 and 3) and Go 1.26.8 (run 2).
 *
 * HEAPSCOPE_CORPUS_FILTER (a regular expression on scenario names) runs a subset; held-out scenarios
 * (truth.json heldOut) are run with the rest, and their results are marked as held out.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import {
  buildGoProgram,
  freePort,
  GO_CURRENT,
  GO_DEFAULT,
  type GoToolchain,
  runCli,
  workDir,
} from "../../support/go.js";

interface Truth {
  verdict: "leak" | "no-leak";
  kind?: "heap" | "goroutines" | "off-heap";
  function?: string;
  file?: string;
  line?: number;
  /** A fixed observation window in seconds (default: doctor's own --duration auto, at most 90 s). */
  duration?: number;
  /** The function that must lead liveHeapBySite. */
  holder?: string;
  /** A function that refills a working set: if listed as a heap suspect, only as a replacement. */
  replacement?: string;
  /** Not used while the rules were developed: run only to measure. */
  heldOut?: boolean;
  /** A different truth for programs built with a given toolchain, and why. */
  toolchains?: Record<string, Omit<Truth, "toolchains"> & { why: string }>;
}

/** The truth for a run built with `toolchain`. */
function truthFor(truth: Truth, toolchain: GoToolchain): Truth {
  const other = truth.toolchains?.[toolchain];
  return other ? { duration: truth.duration, heldOut: truth.heldOut, ...other } : truth;
}

interface ReportedSuspect {
  kind: string;
  function: string;
  file: string;
  line: number;
  heap?: { role: string };
}

interface RunResult {
  scenario: string;
  run: number;
  toolchain: GoToolchain;
  code: number;
  verdict?: string;
  top?: ReportedSuspect;
  suspects?: ReportedSuspect[];
  holder?: string;
  summary?: string;
  error?: string;
  seconds: number;
}

const scenarioRoot = path.join(import.meta.dirname, "scenarios");
const filter = process.env.HEAPSCOPE_CORPUS_FILTER ? new RegExp(process.env.HEAPSCOPE_CORPUS_FILTER) : null;
const scenarios = readdirSync(scenarioRoot)
  .filter((name) => !name.startsWith(".") && statSync(path.join(scenarioRoot, name)).isDirectory())
  .filter((name) => filter === null || filter.test(name))
  .sort()
  .map((name) => ({
    name,
    truth: JSON.parse(readFileSync(path.join(scenarioRoot, name, "truth.json"), "utf8")) as Truth,
  }));
const runs = Number(process.env.HEAPSCOPE_CORPUS_RUNS ?? 3);
const concurrency = Number(process.env.HEAPSCOPE_CORPUS_CONCURRENCY ?? 3);
const results = new Map<string, RunResult[]>();
/** The toolchain of run k (0-based): the current release first. */
const corpusToolchains: GoToolchain[] = [GO_CURRENT, GO_DEFAULT];
const toolchainOfRun = (run: number) => corpusToolchains[run % corpusToolchains.length]!;

async function runScenario(name: string, truth: Truth, run: number, binary: string): Promise<RunResult> {
  // freePort() hands out a port that another test may bind before the scenario does: then the Go
  // program panics at once ("address already in use"). That is the harness's race, not a diagnosis:
  // run again on another port.
  for (let attempt = 1; ; attempt++) {
    const result = await runScenarioOnce(name, truth, run, binary);
    if (attempt >= 3 || !result.stderr.includes("address already in use")) return result.outcome;
    process.stderr.write(`[corpus] ${name} #${run + 1}: port taken, retrying\n`);
  }
}

async function runScenarioOnce(
  name: string,
  truth: Truth,
  run: number,
  binary: string,
): Promise<{ outcome: RunResult; stderr: string }> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  // Each run's recording is kept for re-diagnosis (heapscope doctor FILE) when a run goes wrong.
  const keep = path.join(workDir, "doctor-recordings", `${name}-${run + 1}.hsrec`);
  mkdirSync(path.dirname(keep), { recursive: true });
  rmSync(keep, { force: true });
  const started = performance.now();
  const result = await runCli(
    [
      "doctor",
      "--url",
      `http://${address}`,
      // doctor's defaults, as a user runs it: stop once the verdict holds, at most 5 minutes (a truth
      // may pin a fixed window instead). A small leak beside a replaced working set can need 1–2.5 min.
      ...(truth.duration !== undefined ? ["--duration", `${truth.duration}s`] : ["--duration", "auto"]),
      "--out",
      keep,
      "--json",
      "--",
      binary,
      "-addr",
      address,
    ],
    { timeoutMs: 360_000 },
  );
  const seconds = (performance.now() - started) / 1000;
  try {
    const report = JSON.parse(result.stdout) as {
      verdict: string;
      summary: string;
      suspects: ReportedSuspect[];
      liveHeapBySite?: { function: string }[];
    };
    return {
      outcome: {
        scenario: name,
        run,
        toolchain: toolchainOfRun(run),
        code: result.code,
        verdict: report.verdict,
        top: report.suspects[0],
        suspects: report.suspects,
        holder: report.liveHeapBySite?.[0]?.function,
        summary: report.summary,
        seconds,
      },
      stderr: result.stderr,
    };
  } catch {
    return {
      outcome: {
        scenario: name,
        run,
        toolchain: toolchainOfRun(run),
        code: result.code,
        error: result.stderr.slice(0, 500) || result.stdout.slice(0, 500),
        seconds,
      },
      stderr: result.stderr,
    };
  }
}

function matches(truth: Truth, result: RunResult): boolean {
  if (result.verdict !== truth.verdict) return false;
  if (truth.holder !== undefined && result.holder !== truth.holder) return false;
  const replacement = result.suspects?.find((s) => s.function === truth.replacement);
  if (replacement && replacement.heap?.role !== "replacement") return false;
  if (truth.verdict === "no-leak") return true;
  const top = result.top;
  if (!top) return truth.function === undefined && truth.kind === undefined;
  if (truth.kind === "off-heap" && top.kind === "off-heap") return true;
  if (truth.function === undefined) return truth.kind === undefined || truth.kind === top.kind;
  if (top.function === truth.function) return true;
  return (
    truth.file !== undefined &&
    truth.line !== undefined &&
    path.basename(top.file) === truth.file &&
    Math.abs(top.line - truth.line) <= 2
  );
}

beforeAll(async () => {
  const binaries = new Map<string, string>();
  const toolchains = [...new Set(Array.from({ length: runs }, (_, run) => toolchainOfRun(run)))];
  for (const { name } of scenarios) {
    for (const toolchain of toolchains) {
      binaries.set(
        `${name}@${toolchain}`,
        await buildGoProgram(path.join(scenarioRoot, name), { toolchain }),
      );
    }
  }
  const queue = scenarios.flatMap(({ name, truth }) =>
    Array.from({ length: runs }, (_, run) => ({ name, truth: truthFor(truth, toolchainOfRun(run)), run })),
  );
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const binary = binaries.get(`${job.name}@${toolchainOfRun(job.run)}`)!;
      const result = await runScenario(job.name, job.truth, job.run, binary);
      results.set(job.name, [...(results.get(job.name) ?? []), result]);
      const ok = matches(job.truth, result) ? "ok " : "BAD";
      process.stderr.write(
        `[corpus] ${ok} ${job.truth.heldOut ? "(held out) " : ""}${job.name} #${job.run + 1} (${result.toolchain}): ${result.verdict ?? result.error} ${result.top ? `${result.top.kind} ${result.top.function} ${path.basename(result.top.file)}:${result.top.line}` : ""}${result.holder ? ` holder ${result.holder}` : ""} (${result.seconds.toFixed(1)} s)\n`,
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}, 60 * 60_000);

describe("doctor corpus", () => {
  test.skipIf(filter !== null)(
    "has at least 12 scenarios, leaks and healthy ones, a held-out half of the new kinds",
    () => {
      expect(scenarios.filter((s) => s.truth.heldOut).length).toBeGreaterThanOrEqual(4);
      expect(scenarios.length).toBeGreaterThanOrEqual(12);
      expect(scenarios.filter((s) => s.truth.verdict === "leak").length).toBeGreaterThanOrEqual(6);
      expect(scenarios.filter((s) => s.truth.verdict === "no-leak").length).toBeGreaterThanOrEqual(6);
    },
  );

  for (const { name, truth } of scenarios) {
    // Every run must be right (the issue asks for 3 of 3); every miss is printed with its summary.
    const others = Object.entries(truth.toolchains ?? {}).map(([t, o]) => `; ${t}: ${o.verdict}`);
    test(`${truth.heldOut ? "(held out) " : ""}${name}: ${truth.verdict}${truth.function ? ` in ${truth.function}` : ""}${others.join("")} in ${runs} of ${runs} runs`, () => {
      const got = results.get(name) ?? [];
      expect(got).toHaveLength(runs);
      const described = got.map(
        (r) =>
          `#${r.run + 1} (${r.toolchain}): ${r.verdict ?? r.error} ${r.top ? `${r.top.kind} ${r.top.function} ${r.top.file}:${r.top.line}` : "(no suspect)"}${r.holder ? `, held by ${r.holder}` : ""} — ${r.summary ?? ""}`,
      );
      const right = got.filter(
        (result) => result.code === 0 && matches(truthFor(truth, result.toolchain), result),
      );
      if (right.length < runs) process.stderr.write(`corpus miss: ${name}\n${described.join("\n")}\n`);
      expect(right.length, described.join("\n")).toBe(runs);
    });
  }
});
