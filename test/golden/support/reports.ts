/**
 * Golden reports of heapscope's own commands (gctrace, memstats, goroutines, inspect, bench compare),
 * named <command>.<scenario>.<format> in test/golden/. Each case is a real input stored in the
 * repository, run through the CLI's main() in this process with a path relative to the repository
 * root, its stdout (and, for the GitHub annotations, stderr) captured. Used by reports.test.ts
 * (compare) and scripts/update-golden.ts (rewrite).
 *
 * Determinism: the working directory is the repository root and inputs are named relative to it;
 * colour is off (CI set, NO_COLOR set, not a terminal); GitHub Actions variables are cleared except
 * where a case sets them; bench reads no .heapscope.json (--no-config).
 */
import path from "node:path";
import { main } from "../../../src/cli/main.js";

export const repoRoot = path.resolve(import.meta.dirname, "../../..");
export const reportsGoldenDir = path.join(repoRoot, "test/golden");
export const reportsInputsDir = path.join(reportsGoldenDir, "inputs");

export type GoldenFormat = "text" | "markdown" | "json" | "github";

export interface ReportCase {
  command: "gctrace" | "memstats" | "goroutines" | "inspect" | "bench";
  scenario: string;
  /** Arguments after `heapscope`, with input paths relative to the repository root. */
  args: string[];
  formats: GoldenFormat[];
  /** Exit code every format is expected to end with. */
  exitCode: number;
  /** What the text report must say: its header line and verdict (or what the input was read as). */
  expect: RegExp[];
}

const FORMATS: GoldenFormat[] = ["text", "markdown", "json"];
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const gctrace = (scenario: string, fixture: string, verdict: string, also: RegExp[] = []): ReportCase => {
  const input = fixture.includes("/") ? fixture : `test/fixtures/gctrace/${fixture}`;
  return {
    command: "gctrace",
    scenario,
    args: ["gctrace", input, "--width", "60"],
    formats: FORMATS,
    exitCode: 0,
    expect: [
      new RegExp(`^gctrace ${escapeRegExp(input)}: .*gc 1–\\d+`),
      new RegExp(`^Verdict: ${verdict} — `, "m"),
      ...also,
    ],
  };
};

const memstats = (scenario: string, fixture: string, readAs: string, also: RegExp[] = []): ReportCase => {
  const input = fixture.includes("/") ? fixture : `test/fixtures/signals/${fixture}`;
  return {
    command: "memstats",
    scenario,
    args: ["memstats", input],
    formats: FORMATS,
    exitCode: 0,
    expect: [
      new RegExp(`^MemStats of ${escapeRegExp(input)}: ${escapeRegExp(readAs)}, \\d+ reading`),
      /^Health$/m,
      ...also,
    ],
  };
};

const goroutines = (scenario: string, fixture: string, header: RegExp): ReportCase => {
  const input = `test/fixtures/signals/${fixture}`;
  return {
    command: "goroutines",
    scenario,
    args: ["goroutines", input],
    formats: FORMATS,
    exitCode: 0,
    expect: [new RegExp(`^${escapeRegExp(input)}: \\d+ goroutines in \\d+ groups ${header.source}`)],
  };
};

const bench = (scenario: string, next: string, gate: "PASS" | "FAIL", also: RegExp[] = []): ReportCase => ({
  command: "bench",
  scenario,
  args: [
    "bench",
    "compare",
    "--no-config",
    "test/golden/inputs/bench.gatebench-default-1.txt",
    `test/golden/inputs/${next}`,
  ],
  // Annotations exist only when a row warns or fails; a passing gate's would be an empty file.
  formats: gate === "FAIL" ? [...FORMATS, "github"] : FORMATS,
  exitCode: gate === "FAIL" ? 1 : 0,
  expect: [/^goos: linux$/m, new RegExp(`^heapscope bench gate: ${gate}: `, "m"), ...also],
});

export const reportCases: ReportCase[] = [
  gctrace("slow-leak-go1.26", "go1.26-slow-leak-forced-gc.txt", "GROWING", [/Forced cycles +[1-9]/]),
  gctrace("sawtooth-go1.26", "go1.26-sawtooth-batches.txt", "STABLE", [/moves in a band/]),
  gctrace("scavtrace-go1.23", "go1.23-gctrace-scavtrace.txt", "INCONCLUSIVE", [/Scavenger +\d+ reports/]),
  gctrace("pacertrace-go1.21", "go1.21-gctrace-pacertrace.txt", "INCONCLUSIVE", [/skipped \(\d+ pacer\)/]),
  gctrace("gogc-off-memlimit-go1.26", "go1.26-gogc-off-memlimit-128MiB.txt", "STABLE", [
    /^ {2}Memory limit /m,
  ]),
  // `GODEBUG=gctrace=1 SCENARIO_SECONDS=12 go run .` in test/e2e/gctrace/programs/fast-leak (go1.26.8,
  // build cached): the go command and the linker print their own cycles before the program's.
  gctrace(
    "go-run-three-processes-go1.26",
    "test/golden/inputs/gctrace.go-run-fast-leak-go1.26.txt",
    "GROWING",
    [/3 process runs; analysing #3/],
  ),
  memstats("expvar-go1.23", "go1.23-debug-vars.json", "expvar /debug/vars"),
  memstats("client-golang-go1.26", "go1.26-client_golang-v1.23.2-metrics.txt", "Prometheus text"),
  memstats("otel-go1.26", "go1.26-otel-runtime-v0.72-prometheus.txt", "Prometheus text"),
  // Series of test/e2e/signals/programs/runtime-signals (go1.26.8), recorded by record-inputs.ts.
  memstats("vars-leak-go1.26", "test/golden/inputs/memstats.vars-leak.jsonl.gz", "expvar /debug/vars", [
    /^ \*heap goal \(NextGC.* growing /m,
    /^ {2}! The goroutine count grows/m,
  ]),
  memstats("vars-healthy-go1.26", "test/golden/inputs/memstats.vars-healthy.jsonl.gz", "expvar /debug/vars", [
    /^ \*HeapAlloc at samples after a GC +(bounded|undecided) /m,
  ]),
  memstats("log-lines-leak-go1.26", "test/golden/inputs/memstats.log-leak.txt", "log lines", [
    /^ \*HeapAlloc at samples after a GC +growing /m,
  ]),
  goroutines("debug1-labels-go1.26", "go1.26-goroutines-debug1-labels.txt", /\(debug=1 profile\)/),
  goroutines(
    "debug2-deep-stack-go1.26",
    "go1.26-goroutines-debug2-deep-stack-elided.txt",
    /\(debug=2 dump\)/,
  ),
  goroutines(
    "goroutineleak-debug2-go1.26",
    "go1.26-goroutineleak-debug2.txt",
    /\(goroutineleak profile\), \d+ leaked/,
  ),
  goroutines("panic-go1.23", "go1.23-panic-gotraceback-all.txt", /\(traceback after "panic: /),
  {
    command: "goroutines",
    scenario: "base-diff-spawn-go1.26",
    args: [
      "goroutines",
      "test/golden/inputs/goroutines.spawn-after.txt",
      "--base",
      "test/golden/inputs/goroutines.spawn-before.txt",
    ],
    formats: FORMATS,
    exitCode: 0,
    expect: [
      /^Goroutines: \d+ → \d+ \(\+\d+\) from test\/golden\/inputs\/goroutines\.spawn-before\.txt/,
      /^Grew:$/m,
    ],
  },
  {
    command: "inspect",
    scenario: "rotating-catalog-small-leak",
    args: ["inspect", "test/golden/doctor/inputs/rotating-catalog-small-leak.hsrec"],
    formats: FORMATS,
    exitCode: 0,
    expect: [
      /^Recording test\/golden\/doctor\/inputs\/rotating-catalog-small-leak\.hsrec$/m,
      /^ {2}status +complete$/m,
      /^Heap snapshots/m,
    ],
  },
  bench("unchanged", "bench.gatebench-default-2.txt", "PASS", [/ 0 failed, 0 warned, /]),
  bench("regress", "bench.gatebench-regress.txt", "FAIL", [/^ {2}FAIL .*BenchmarkEncode-2 allocs\/op/m]),
  bench("zeroalloc", "bench.gatebench-zeroalloc.txt", "FAIL", [/^ {2}FAIL .*BenchmarkSum-2 allocs\/op/m]),
  bench("smallgrow", "bench.gatebench-smallgrow.txt", "PASS", [/ 0 failed, 0 warned, /]),
];

export interface CapturedRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `heapscope ...args` in this process from the repository root, capturing what it writes. */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CapturedRun> {
  const saved = {
    cwd: process.cwd(),
    exitCode: process.exitCode,
    stdoutWrite: process.stdout.write,
    stderrWrite: process.stderr.write,
    stdoutListeners: process.stdout.listeners("error"),
    stderrListeners: process.stderr.listeners("error"),
    env: { ...process.env },
  };
  const out: string[] = [];
  const err: string[] = [];
  const capture =
    (into: string[]) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      callback?.();
      return true;
    };
  for (const name of ["GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "FORCE_COLOR"]) delete process.env[name];
  process.env.CI = "1";
  process.env.NO_COLOR = "1";
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  process.exitCode = undefined;
  process.chdir(repoRoot);
  process.stdout.write = capture(out) as typeof process.stdout.write;
  process.stderr.write = capture(err) as typeof process.stderr.write;
  try {
    const exitCode = await main([process.execPath, "heapscope", ...args]);
    return { exitCode, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = saved.stdoutWrite;
    process.stderr.write = saved.stderrWrite;
    // main() adds an EPIPE listener to each stream per call; drop the ones this call added.
    for (const [stream, before] of [
      [process.stdout, saved.stdoutListeners],
      [process.stderr, saved.stderrListeners],
    ] as const) {
      for (const listener of stream.listeners("error")) {
        if (!before.includes(listener)) stream.off("error", listener as (...a: unknown[]) => void);
      }
    }
    process.chdir(saved.cwd);
    process.exitCode = saved.exitCode;
    for (const name of Object.keys(process.env)) if (!(name in saved.env)) delete process.env[name];
    Object.assign(process.env, saved.env);
  }
}

export function goldenFileName(c: ReportCase, format: GoldenFormat): string {
  return `${c.command}.${c.scenario}.${format}`;
}

/** One rendered format of a case: the file's text and the exit code it ended with. */
export async function renderReport(
  c: ReportCase,
  format: GoldenFormat,
): Promise<{ file: string; text: string; exitCode: number }> {
  const file = goldenFileName(c, format);
  if (format === "github") {
    // Under GitHub Actions the annotations go to stderr when stdout carries JSON.
    const run = await runCli([...c.args, "--json"], { GITHUB_ACTIONS: "true" });
    if (run.exitCode > 1) throw new Error(`heapscope ${c.args.join(" ")} failed: ${run.stderr}`);
    return { file, text: run.stderr, exitCode: run.exitCode };
  }
  const run = await runCli([...c.args, "--format", format]);
  if (run.exitCode > 1 || run.stderr !== "") {
    throw new Error(`heapscope ${c.args.join(" ")} --format ${format} (exit ${run.exitCode}): ${run.stderr}`);
  }
  return { file, text: run.stdout, exitCode: run.exitCode };
}

/** Every golden file name → its text. */
export async function renderAllReports(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const c of reportCases) {
    for (const format of c.formats) {
      const { file, text } = await renderReport(c, format);
      out.set(file, text);
    }
  }
  return out;
}
