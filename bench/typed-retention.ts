/**
 * `npm run bench -- typed-retention`: what types from DWARF add to Retention I on the heap-dump
 * benchmark's heap (bench/programs/dumpheap: ~350 MiB live, ~4.4M objects, ~10M pointers, a 1M-node
 * list, a 1M-entry map, a 1M-leaf tree, byte slices), built with `go build` so its DWARF is kept.
 *
 * Each repeat runs bench/typed-retention-worker.ts in a process of its own: Retention I's phases
 * (read the dump whole, graph, reachability, dominators with holders, shortest paths) then the
 * typed ones (DWARF, type propagation, slice retention). The target: the typed phases add at most
 * 50 % to Retention I's time, judged on CPU time (on this shared machine wall time mostly measures
 * the neighbours) and reported in wall time too. Decided beyond the repeats' own spread
 * (bench/decide.ts). HEAPSCOPE_BENCH_REPEATS (default 5) sets the repeats.
 *
 * Also the DWARF reader alone on a large binary: the Go toolchain's own compiler (cmd/compile,
 * ~7.6 MB of .debug_info), read once per fresh process, against a 2 s CPU target.
 * Run alone with `npx tsx bench/typed-retention.ts`.
 */
import { execFile } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildGoProgram } from "../test/support/go.js";
import { GO_DEFAULT, goCommand } from "../test/support/go-toolchains.js";
import { decide, quantileBand, type TargetResult } from "./decide.js";
import { RETENTION_PHASES, TYPED_PHASES, type TypedWorkerResult } from "./typed-retention-worker.js";

const execFileAsync = promisify(execFile);
const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, "..");
const workDir = path.join(benchDir, ".work");

/** The typed phases may add at most this share of Retention I's time. */
export const MAX_ADDED_SHARE = 0.5;
/** Reading a large binary's DWARF (cmd/compile's) stays within this. */
export const MAX_LARGE_DWARF_MS = 2000;

export interface TypedRetentionBenchResult {
  loadAverage: number;
  goVersion: string;
  repeats: number;
  shape: { objects: number; reachableObjects: number; typedObjects: number; typedMiB: number; types: number };
  /** Median CPU and wall ms per phase. */
  phases: Record<string, { cpuMs: number; wallMs: number }>;
  /** Typed phases' time over Retention I's, per repeat. */
  addedCpuShare: number[];
  addedWallShare: number[];
  peakRssMiB: number;
  largeDwarf: { debugInfoMiB: number; types: number; cpuMs: number[]; wallMs: number[] };
  targets: TargetResult[];
}

/** cmd/compile built with the pinned toolchain: a real binary with a large .debug_info. */
async function largeBinary(): Promise<string> {
  const out = path.join(workDir, `compile-${GO_DEFAULT}`);
  const { command, env } = goCommand(GO_DEFAULT);
  await execFileAsync(command, ["build", "-o", out, "cmd/compile"], {
    cwd: workDir,
    env: { ...process.env, ...env },
    timeout: 900_000,
  });
  return out;
}

async function timeLargeDwarf(repeats: number): Promise<TypedRetentionBenchResult["largeDwarf"]> {
  const binary = await largeBinary();
  const runs: {
    phases: { dwarf: { cpuMs: number; wallMs: number } };
    debugInfoBytes: number;
    types: number;
  }[] = [];
  for (let i = 0; i < repeats; i++) {
    const { stdout } = await execFileAsync(
      process.execPath,
      ["--import", "tsx", path.join(benchDir, "typed-retention-worker.ts"), "--dwarf", binary],
      { cwd: repoRoot, timeout: 300_000 },
    );
    runs.push(JSON.parse(stdout));
  }
  return {
    debugInfoMiB: round(runs[0]!.debugInfoBytes / 2 ** 20),
    types: runs[0]!.types,
    cpuMs: runs.map((r) => round(r.phases.dwarf.cpuMs)),
    wallMs: runs.map((r) => round(r.phases.dwarf.wallMs)),
  };
}

async function writeDump(file: string): Promise<{ binary: string; goVersion: string }> {
  const binary = await buildGoProgram(path.join(benchDir, "programs/dumpheap"), { toolchain: GO_DEFAULT });
  const { stdout } = await execFileAsync(binary, ["-out", file], { timeout: 600_000 });
  return { binary, goVersion: (JSON.parse(stdout) as { goVersion: string }).goVersion };
}

async function analyzeInChild(binary: string, file: string): Promise<TypedWorkerResult> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ["--import", "tsx", path.join(benchDir, "typed-retention-worker.ts"), binary, file],
    { cwd: repoRoot, timeout: 600_000, maxBuffer: 16 << 20 },
  );
  return JSON.parse(stdout) as TypedWorkerResult;
}

function sum(run: TypedWorkerResult, phases: readonly string[], key: "cpuMs" | "wallMs"): number {
  return phases.reduce(
    (total, name) => total + run.phases[name as keyof TypedWorkerResult["phases"]][key],
    0,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function runTypedRetentionBench(): Promise<TypedRetentionBenchResult> {
  const repeats = Math.max(1, Number(process.env.HEAPSCOPE_BENCH_REPEATS ?? 5));
  mkdirSync(workDir, { recursive: true });
  const file = path.join(workDir, `typed-retention-${process.pid}.dump`);
  try {
    const { binary, goVersion } = await writeDump(file);
    const runs: TypedWorkerResult[] = [];
    for (let i = 0; i < repeats; i++) {
      runs.push(await analyzeInChild(binary, file));
      const cpu = sum(runs[i]!, TYPED_PHASES, "cpuMs") / sum(runs[i]!, RETENTION_PHASES, "cpuMs");
      process.stderr.write(
        `typed-retention: repeat ${i + 1}/${repeats}: typed phases ${Math.round(cpu * 100)} % of Retention I (CPU)\n`,
      );
    }
    const addedCpuShare = runs.map((r) => sum(r, TYPED_PHASES, "cpuMs") / sum(r, RETENTION_PHASES, "cpuMs"));
    const addedWallShare = runs.map(
      (r) => sum(r, TYPED_PHASES, "wallMs") / sum(r, RETENTION_PHASES, "wallMs"),
    );
    const phases: TypedRetentionBenchResult["phases"] = {};
    for (const name of [...RETENTION_PHASES, ...TYPED_PHASES]) {
      phases[name] = {
        cpuMs: round(median(runs.map((r) => r.phases[name].cpuMs))),
        wallMs: round(median(runs.map((r) => r.phases[name].wallMs))),
      };
    }
    const last = runs[runs.length - 1]!;
    const largeDwarf = await timeLargeDwarf(repeats);
    const targets = [
      decide(
        "typed phases add ≤ 50 % to Retention I (CPU)",
        quantileBand(addedCpuShare.map((x) => x * 100)),
        {
          threshold: MAX_ADDED_SHARE * 100,
          better: "lower",
          unit: " %",
        },
      ),
      decide(
        "typed phases add ≤ 50 % to Retention I (wall)",
        quantileBand(addedWallShare.map((x) => x * 100)),
        {
          threshold: MAX_ADDED_SHARE * 100,
          better: "lower",
          unit: " %",
        },
      ),
    ];
    const result: TypedRetentionBenchResult = {
      loadAverage: round(loadavg()[0]!),
      goVersion,
      repeats,
      shape: {
        objects: last.objects,
        reachableObjects: last.reachableObjects,
        typedObjects: last.typedObjects,
        typedMiB: round(last.typedBytes / 2 ** 20),
        types: last.debugInfoTypes,
      },
      phases,
      addedCpuShare: addedCpuShare.map((x) => round(x, 3)),
      addedWallShare: addedWallShare.map((x) => round(x, 3)),
      peakRssMiB: round(median(runs.map((r) => r.peakRssMiB))),
      largeDwarf,
      targets,
    };
    printSummary(result);
    return result;
  } finally {
    rmSync(file, { force: true });
  }
}

function printSummary(r: TypedRetentionBenchResult): void {
  const phases = Object.entries(r.phases)
    .map(([name, t]) => `${name} ${Math.round(t.cpuMs)}`)
    .join(", ");
  process.stdout.write(
    `typed-retention: ${r.shape.typedObjects} of ${r.shape.reachableObjects} reachable objects typed (${r.shape.typedMiB} MiB), ` +
      `${r.shape.types} DWARF types, ${r.goVersion}; load ${r.loadAverage}\n` +
      `typed-retention: median CPU ms per phase: ${phases}; peak RSS ${r.peakRssMiB} MiB\n` +
      `typed-retention: added over Retention I: CPU ${r.addedCpuShare.map((x) => `${Math.round(x * 100)} %`).join(", ")}; ` +
      `wall ${r.addedWallShare.map((x) => `${Math.round(x * 100)} %`).join(", ")}\n` +
      `typed-retention: DWARF of cmd/compile (${r.largeDwarf.debugInfoMiB} MiB, ${r.largeDwarf.types} types): ` +
      `CPU ${r.largeDwarf.cpuMs.join(", ")} ms; wall ${r.largeDwarf.wallMs.join(", ")} ms\n`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await runTypedRetentionBench();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
