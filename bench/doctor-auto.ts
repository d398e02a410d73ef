/**
 * Time to verdict under `doctor --duration auto` against the fixed 30 s window, on the held-out
 * doctor scenarios (truth.json `"heldOut": true`: scenarios the rules were not developed against),
 * one run at a time. Every scenario is run HEAPSCOPE_BENCH_RUNS times (default 2) in each mode.
 *
 * Time to verdict is doctor's own figure (`timeToVerdictSeconds` in its JSON: first sample to
 * verdict, without building or starting the program); an inconclusive answer is not a decided
 * verdict and counts as never decided when the modes are compared. The goals, each decided met or missed on
 * the runs made (with the run counts shown, since a handful of runs cannot resolve small rates):
 * - leaks growing ≥ 25 % per 10 s are decided within 15 s (every run);
 * - no scenario is slower than with the fixed window (median per scenario);
 * - healthy programs are decided (not inconclusive) within 30 s in ≥ 80 % of runs;
 * - false leaks on the healthy programs are no more frequent than with the fixed window.
 *
 * HEAPSCOPE_BENCH_SCENARIOS points at another scenarios folder; HEAPSCOPE_BENCH_CORPUS=name,name
 * picks scenarios (held out or not); =0 skips this part.
 */
import { execFile, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, "..");
const cli = path.join(repoRoot, "bin/heapscope.js");

interface Truth {
  verdict: "leak" | "no-leak";
  heldOut?: boolean;
}

export interface AutoRun {
  scenario: string;
  mode: "auto" | "fixed30s";
  expected: string;
  verdict: string;
  timeToVerdictSeconds: number | null;
  wallSeconds: number;
  /** Live-heap growth per 10 s as a fraction of its level (the judged slope). */
  growthPer10s: number | null;
}

export interface AutoGoal {
  goal: string;
  status: "met" | "missed" | "unresolved";
  detail: string;
}

export async function runDoctorAutoBench(): Promise<{ runs: AutoRun[]; goals: AutoGoal[] } | null> {
  const setting = process.env.HEAPSCOPE_BENCH_CORPUS ?? "1";
  if (setting === "0") return null;
  const root = process.env.HEAPSCOPE_BENCH_SCENARIOS ?? path.join(repoRoot, "test/e2e/doctor/scenarios");
  const only = setting === "1" ? null : new Set(setting.split(","));
  const runsPerMode = Number(process.env.HEAPSCOPE_BENCH_RUNS ?? 2);
  const scenarios = readdirSync(root)
    .filter((name) => !name.startsWith("."))
    .map((name) => ({ name, truth: readTruth(path.join(root, name)) }))
    .filter((s) => s.truth !== null && (only ? only.has(s.name) : s.truth.heldOut === true))
    .sort((a, b) => a.name.localeCompare(b.name));
  const runs: AutoRun[] = [];
  for (const { name, truth } of scenarios) {
    const binary = await build(path.join(root, name), name);
    for (let i = 0; i < runsPerMode; i++) {
      for (const mode of ["auto", "fixed30s"] as const) {
        const run = await runOnce(name, truth!, binary, mode);
        runs.push(run);
        process.stdout.write(
          `  ${run.verdict === run.expected ? "ok " : "BAD"} ${name.padEnd(30)} ${mode.padEnd(8)} ${run.verdict.padEnd(12)} verdict after ${run.timeToVerdictSeconds?.toFixed(1) ?? "?"} s (wall ${run.wallSeconds.toFixed(1)} s)\n`,
        );
      }
    }
  }
  const goals = judgeGoals(runs);
  for (const g of goals) process.stdout.write(`  goal ${g.status.toUpperCase()}: ${g.goal} — ${g.detail}\n`);
  return { runs, goals };
}

function readTruth(dir: string): Truth | null {
  try {
    return JSON.parse(readFileSync(path.join(dir, "truth.json"), "utf8")) as Truth;
  } catch {
    return null;
  }
}

async function build(dir: string, name: string): Promise<string> {
  const binDir = path.join(tmpdir(), "heapscope-bench-doctor");
  mkdirSync(binDir, { recursive: true });
  const binary = path.join(binDir, name);
  await execFileAsync("go", ["build", "-o", binary, "."], {
    cwd: dir,
    env: { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" },
  });
  return binary;
}

async function runOnce(name: string, truth: Truth, binary: string, mode: AutoRun["mode"]): Promise<AutoRun> {
  const port = await freePort();
  const started = performance.now();
  const duration = mode === "auto" ? ["--duration", "auto"] : ["--duration", "30s"];
  const stdout = await runNode([
    cli,
    "doctor",
    "--url",
    `http://127.0.0.1:${port}`,
    ...duration,
    "--json",
    "--",
    binary,
    "-addr",
    `127.0.0.1:${port}`,
  ]);
  const wallSeconds = (performance.now() - started) / 1000;
  let verdict = "error";
  let timeToVerdictSeconds: number | null = null;
  let growthPer10s: number | null = null;
  try {
    const report = JSON.parse(stdout) as {
      verdict: string;
      timeToVerdictSeconds: number | null;
      signals: Record<string, { slopePerSecond: number; level: number }>;
    };
    verdict = report.verdict;
    timeToVerdictSeconds = report.timeToVerdictSeconds;
    const live = report.signals.liveHeap;
    if (live && live.level > 0) growthPer10s = (live.slopePerSecond * 10) / live.level;
  } catch {
    // keep "error"
  }
  return {
    scenario: name,
    mode,
    expected: truth.verdict,
    verdict,
    timeToVerdictSeconds,
    wallSeconds,
    growthPer10s,
  };
}

function median(values: number[]): number {
  const a = [...values].sort((x, y) => x - y);
  const mid = a.length >> 1;
  return a.length === 0 ? Number.NaN : a.length % 2 ? a[mid] : (a[mid - 1] + a[mid]) / 2;
}

export function judgeGoals(runs: AutoRun[]): AutoGoal[] {
  const goals: AutoGoal[] = [];
  const auto = runs.filter((r) => r.mode === "auto");
  const fixed = runs.filter((r) => r.mode === "fixed30s");
  // Time to a decided verdict: an inconclusive answer (or none) never counts as decided.
  const ttv = (r: AutoRun) =>
    r.verdict === "leak" || r.verdict === "no-leak"
      ? (r.timeToVerdictSeconds ?? Number.POSITIVE_INFINITY)
      : Number.POSITIVE_INFINITY;

  // Fast leaks: judged by the growth the fixed window measured (the longer look at the same program).
  const fastScenarios = new Set(
    fixed.filter((r) => r.expected === "leak" && (r.growthPer10s ?? 0) >= 0.25).map((r) => r.scenario),
  );
  const fastRuns = auto.filter((r) => fastScenarios.has(r.scenario));
  const fastOk = fastRuns.filter((r) => r.verdict === "leak" && ttv(r) <= 15);
  goals.push({
    goal: "leaks growing ≥ 25 % per 10 s decided within 15 s",
    status: fastRuns.length === 0 ? "unresolved" : fastOk.length === fastRuns.length ? "met" : "missed",
    detail:
      fastRuns.length === 0
        ? "no held-out leak grew that fast"
        : `${fastOk.length} of ${fastRuns.length} runs (${[...fastScenarios].join(", ")}): ${fastRuns.map((r) => `${r.verdict} at ${ttv(r).toFixed(1)} s`).join(", ")}`,
  });

  const scenarios = [...new Set(runs.map((r) => r.scenario))];
  const slower = scenarios.filter((s) => {
    const a = median(auto.filter((r) => r.scenario === s).map(ttv));
    const f = median(fixed.filter((r) => r.scenario === s).map(ttv));
    return a > f;
  });
  goals.push({
    goal: "no scenario slower than with the fixed 30 s window (median time to a decided verdict)",
    status: scenarios.length === 0 ? "unresolved" : slower.length === 0 ? "met" : "missed",
    detail: scenarios
      .map(
        (s) =>
          `${s}: auto ${median(auto.filter((r) => r.scenario === s).map(ttv)).toFixed(1)} s, fixed ${median(fixed.filter((r) => r.scenario === s).map(ttv)).toFixed(1)} s`,
      )
      .join("; "),
  });

  const healthyAuto = auto.filter((r) => r.expected === "no-leak");
  const decided30 = healthyAuto.filter(
    (r) => r.verdict !== "inconclusive" && r.verdict !== "error" && ttv(r) <= 30,
  );
  goals.push({
    goal: "healthy programs decided within 30 s in ≥ 80 % of runs",
    status:
      healthyAuto.length === 0
        ? "unresolved"
        : decided30.length >= 0.8 * healthyAuto.length
          ? "met"
          : "missed",
    detail: `${decided30.length} of ${healthyAuto.length} runs`,
  });

  const healthyFixed = fixed.filter((r) => r.expected === "no-leak");
  const falseAuto = healthyAuto.filter((r) => r.verdict === "leak").length;
  const falseFixed = healthyFixed.filter((r) => r.verdict === "leak").length;
  goals.push({
    goal: "false leaks on held-out healthy programs no more frequent than with the fixed window",
    status: healthyAuto.length === 0 ? "unresolved" : falseAuto <= falseFixed ? "met" : "missed",
    detail: `auto ${falseAuto} of ${healthyAuto.length} runs, fixed ${falseFixed} of ${healthyFixed.length}`,
  });
  return goals;
}

function runNode(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.resume();
    child.on("error", reject);
    child.on("exit", () => resolve(stdout));
  });
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
