/**
 * Start-up benchmark: the built CLI (bin/heapscope.js → dist/) against `node -e 0`, the least any
 * Node program costs, in pairs run back to back (order alternating). Each pair gives one difference,
 * heapscope − node, in wall time. Target: `heapscope --version` within 25 ms of `node -e 0`, decided
 * from the median of 20 differences and its order-statistic band (bench/decide.ts): met or missed
 * only beyond the run's own spread. `--version` has no special path: it loads commander and the
 * command table, as every command line does before loading its one command. `top --help` (which also
 * loads top's definition and report options) is timed the same way and shown, not judged.
 *
 * Wall time on a shared machine grows with its load, so the same pairs are also run with a preloaded
 * exit hook that reports the process's own CPU time (user + system), which load inflates less:
 * shown beside the wall figures, not judged. Run alone with `npx tsx bench/startup.ts`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { decide, formatTarget, quantileBand, type TargetResult } from "./decide.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const STARTUP_TARGET_MS = 25;
const RUNS = 20;

export interface StartupCase {
  args: string;
  /** Medians, ms: heapscope's wall time, node's in the same pairs, and of the per-pair difference. */
  heapscopeMs: number;
  nodeMs: number;
  overheadMs: number;
  /** The same for CPU time (user + system). */
  cpu: { heapscopeMs: number; nodeMs: number; overheadMs: number };
}

export interface StartupBenchResult {
  runs: number;
  loadAverage: [number, number, number];
  cases: StartupCase[];
  targets: TargetResult[];
}

function wallOnce(args: string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  const ms = performance.now() - start;
  if (result.status !== 0)
    throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return ms;
}

/** Reports the process's CPU time on stderr as it exits. */
const CPU_HOOK = `process.on("exit", () => { const u = process.cpuUsage(); require("node:fs").writeSync(2, "cpu-us " + (u.user + u.system) + "\\n"); });`;

function cpuOnce(hook: string, args: string[]): number {
  const result = spawnSync(process.execPath, ["--require", hook, ...args], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  const match = /cpu-us (\d+)/.exec(result.stderr);
  if (result.status !== 0 || !match)
    throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return Number(match[1]) / 1000;
}

/** Runs `measure` on both command lines `runs` times, alternating which goes first. */
function pairs(runs: number, measure: (args: string[]) => number, node: string[], heapscope: string[]) {
  const nodeMs: number[] = [];
  const heapscopeMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      nodeMs.push(measure(node));
      heapscopeMs.push(measure(heapscope));
    } else {
      heapscopeMs.push(measure(heapscope));
      nodeMs.push(measure(node));
    }
  }
  return { nodeMs, heapscopeMs, overheads: heapscopeMs.map((ms, i) => ms - nodeMs[i]!) };
}

const med = (values: number[]) => quantileBand(values).estimate;

export async function runStartupBench(options: { runs?: number } = {}): Promise<StartupBenchResult> {
  const runs = Math.max(6, options.runs ?? RUNS);
  const node = ["-e", "0"];
  const bin = path.join(repoRoot, "bin/heapscope.js");
  const hookDir = mkdtempSync(path.join(tmpdir(), "heapscope-startup-"));
  const hook = path.join(hookDir, "cpu-hook.cjs");
  writeFileSync(hook, CPU_HOOK);
  const cases: StartupCase[] = [];
  const targets: TargetResult[] = [];
  try {
    for (const args of [["--version"], ["top", "--help"]]) {
      const heapscope = [bin, ...args];
      // Warm the page cache for both.
      wallOnce(node);
      wallOnce(heapscope);
      const wall = pairs(runs, wallOnce, node, heapscope);
      const cpu = pairs(runs, (a) => cpuOnce(hook, a), node, heapscope);
      const one: StartupCase = {
        args: args.join(" "),
        heapscopeMs: med(wall.heapscopeMs),
        nodeMs: med(wall.nodeMs),
        overheadMs: med(wall.overheads),
        cpu: { heapscopeMs: med(cpu.heapscopeMs), nodeMs: med(cpu.nodeMs), overheadMs: med(cpu.overheads) },
      };
      cases.push(one);
      const band = quantileBand(wall.overheads);
      const lines = [
        `heapscope ${one.args} vs node -e 0, ${runs} pairs`,
        `  node -e 0:  ${one.nodeMs.toFixed(1)} ms wall, ${one.cpu.nodeMs.toFixed(1)} ms CPU (medians)`,
        `  heapscope:  ${one.heapscopeMs.toFixed(1)} ms wall, ${one.cpu.heapscopeMs.toFixed(1)} ms CPU`,
        `  difference: ${one.overheadMs.toFixed(1)} ms wall (${band.low.toFixed(1)}…${band.high.toFixed(1)}), ${one.cpu.overheadMs.toFixed(1)} ms CPU`,
      ];
      if (args[0] === "--version") {
        const target = decide(`heapscope --version within ${STARTUP_TARGET_MS} ms of node -e 0`, band, {
          threshold: STARTUP_TARGET_MS,
          better: "lower",
          unit: " ms",
        });
        targets.push(target);
        lines.push(`  target: ${formatTarget(target)}`);
      }
      process.stdout.write(`${lines.join("\n")}\n`);
    }
  } finally {
    rmSync(hookDir, { recursive: true, force: true });
  }
  const loadAverage = loadavg() as [number, number, number];
  if (loadAverage[0] > availableParallelism()) {
    process.stdout.write(
      `  (load average ${loadAverage[0].toFixed(1)} on ${availableParallelism()} cores: waiting for a CPU stretches wall times, and their differences, well beyond the CPU times)\n`,
    );
  }
  return { runs, loadAverage, cases, targets };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await runStartupBench();
}
