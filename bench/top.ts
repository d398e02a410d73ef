/**
 * `top` benchmark: whole processes, fixed command lines, on the same heap profile:
 *
 *   node bin/heapscope.js top PROFILE                      (the built CLI, dist/)
 *   GOTOOLCHAIN=go1.26.8 go tool pprof -top PROFILE
 *
 * Two profiles of different shapes:
 *   deep   bench/programs/bigheap (the decode benchmark's): MemProfileRate=1, 150k samples, deep
 *          distinct stacks through hundreds of functions. Targets: ≥ 15× faster than pprof, with
 *          ≤ 1/3 of its peak RSS.
 *   broad  bench/programs/broadheap: MemProfileRate=1, 200,000 small allocations, each through an
 *          18-deep recursion over four functions (a handful of locations, ~114k distinct stacks),
 *          0.6 MB gzipped: start-up and per-frame costs dominate. Target: ≥ 8× faster than pprof.
 *
 * The two commands run in pairs, alternating which goes first; each pair gives one ratio, decided
 * from the ratios' median and its order-statistic band (bench/decide.ts): met or missed only beyond
 * the run's own spread. Peak RSS is the kernel's ru_maxrss from /usr/bin/time when it is installed,
 * otherwise the process's VmHWM read from /proc/<pid>/status every 2 ms until it exits.
 * Run alone with `npx tsx bench/top.ts [deep|broad|PROFILE...]`.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureGoToolchain, GO_DEFAULT, goCommand, goEnv } from "../test/support/go-toolchains.js";
import { decide, formatTarget, quantileBand, type TargetResult } from "./decide.js";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, "..");
const workDir = path.join(benchDir, ".work");

export interface ProcessMeasure {
  wallMs: number;
  peakRssKb: number;
  /** User + system CPU time (from /usr/bin/time; NaN without it): a loaded machine inflates it less. */
  cpuMs: number;
}

export interface TopCase {
  name: string;
  profile: string;
  runs: number;
  /** heapscope at least this many times faster than pprof. */
  speedupTarget: number;
  /** heapscope's peak RSS at most this percentage of pprof's (unset: not a target for this profile). */
  rssPercentTarget?: number;
}

export interface TopCaseResult {
  name: string;
  profile: string;
  runs: number;
  heapscope: ProcessMeasure;
  pprof: ProcessMeasure;
  /** pprof's median wall time over heapscope's: above 1 means heapscope is faster. */
  speedup: number;
  /** heapscope's median peak RSS over pprof's: below 1 means heapscope uses less. */
  rssRatio: number;
}

export interface TopBenchResult {
  rssMethod: "/usr/bin/time" | "/proc VmHWM polling";
  loadAverage: number;
  cases: TopCaseResult[];
  targets: TargetResult[];
}

/** Builds broadheap and writes its profile once; later calls reuse the file. */
export function generateBroadHeapProfile(allocations = 200_000, depth = 18): string {
  mkdirSync(workDir, { recursive: true });
  const out = path.join(workDir, `broadheap-${allocations}-${depth}.pb.gz`);
  if (existsSync(out)) return out;
  const binary = path.join(workDir, "broadheap");
  execFileSync(goCommand(GO_DEFAULT).command, ["build", "-o", binary, "."], {
    cwd: path.join(benchDir, "programs/broadheap"),
    env: goEnv(GO_DEFAULT),
    stdio: ["ignore", "ignore", "inherit"],
  });
  const partial = `${out}.partial`;
  execFileSync(binary, ["-n", String(allocations), "-depth", String(depth), partial], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  renameSync(partial, out);
  return out;
}

const timeBinary = "/usr/bin/time";

/** Runs a command to completion, discarding its output, and measures wall time and peak RSS. */
export function measureProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProcessMeasure> {
  const useTime = existsSync(timeBinary);
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = useTime
      ? spawn(timeBinary, ["-f", "%M %U %S", command, ...args], {
          stdio: ["ignore", "ignore", "pipe"],
          cwd: repoRoot,
          env,
        })
      : spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], cwd: repoRoot, env });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    let peakKb = 0;
    let poller: NodeJS.Timeout | undefined;
    if (!useTime && child.pid !== undefined) {
      const statusFile = `/proc/${child.pid}/status`;
      const poll = () => {
        try {
          const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(statusFile, "utf8"));
          if (match) peakKb = Math.max(peakKb, Number(match[1]));
        } catch {
          // the process is gone
        }
      };
      poll();
      poller = setInterval(poll, 2);
    }
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - start;
      if (poller) clearInterval(poller);
      if (code !== 0) {
        reject(
          new Error(
            `${command} ${args.join(" ")} exited ${code}: ${stderr.trim().split("\n").slice(-3).join(" / ")}`,
          ),
        );
        return;
      }
      let cpuMs = Number.NaN;
      if (useTime) {
        const lines = stderr.trim().split("\n");
        const [maxRss, user, system] = lines[lines.length - 1]!.split(" ").map(Number);
        peakKb = maxRss!;
        cpuMs = (user! + system!) * 1000;
      }
      resolve({ wallMs, peakRssKb: peakKb, cpuMs });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function runCase(spec: TopCase): Promise<{ result: TopCaseResult; targets: TargetResult[] }> {
  const heapscopeCommand: [string, string[]] = [
    process.execPath,
    [path.join(repoRoot, "bin/heapscope.js"), "top", spec.profile],
  ];
  const pprofCommand: [string, string[], NodeJS.ProcessEnv] = [
    goCommand(GO_DEFAULT).command,
    ["tool", "pprof", "-top", spec.profile],
    goEnv(GO_DEFAULT),
  ];
  // One unmeasured run of each: builds pprof into the go cache and warms the page cache.
  await measureProcess(...heapscopeCommand);
  await measureProcess(...pprofCommand);
  const ours: ProcessMeasure[] = [];
  const theirs: ProcessMeasure[] = [];
  for (let i = 0; i < spec.runs; i++) {
    // Alternate which goes first, so a drift in machine load hits both alike.
    if (i % 2 === 0) {
      ours.push(await measureProcess(...heapscopeCommand));
      theirs.push(await measureProcess(...pprofCommand));
    } else {
      theirs.push(await measureProcess(...pprofCommand));
      ours.push(await measureProcess(...heapscopeCommand));
    }
  }
  const medians = (runs: ProcessMeasure[]): ProcessMeasure => ({
    wallMs: median(runs.map((m) => m.wallMs)),
    peakRssKb: median(runs.map((m) => m.peakRssKb)),
    cpuMs: median(runs.map((m) => m.cpuMs)),
  });
  const heapscope = medians(ours);
  const pprof = medians(theirs);
  const result: TopCaseResult = {
    name: spec.name,
    profile: spec.profile,
    runs: spec.runs,
    heapscope,
    pprof,
    speedup: pprof.wallMs / heapscope.wallMs,
    rssRatio: heapscope.peakRssKb / pprof.peakRssKb,
  };
  const targets = [
    decide(
      `top (${spec.name} profile) ≥ ${spec.speedupTarget}× faster than go tool pprof -top`,
      quantileBand(theirs.map((m, i) => m.wallMs / ours[i]!.wallMs)),
      { threshold: spec.speedupTarget, better: "higher", unit: "×" },
    ),
  ];
  if (spec.rssPercentTarget !== undefined) {
    targets.push(
      decide(
        `top (${spec.name} profile) peak RSS ≤ ${spec.rssPercentTarget.toFixed(0)} % of pprof's`,
        quantileBand(ours.map((m, i) => (m.peakRssKb / theirs[i]!.peakRssKb) * 100)),
        { threshold: spec.rssPercentTarget, better: "lower", unit: " %" },
      ),
    );
  }
  const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
  process.stdout.write(
    [
      `top, ${spec.name} profile ${path.basename(spec.profile)} (medians of ${spec.runs} pairs)`,
      `  heapscope: ${heapscope.wallMs.toFixed(0)} ms, peak RSS ${mb(heapscope.peakRssKb)}`,
      `  pprof:     ${pprof.wallMs.toFixed(0)} ms, peak RSS ${mb(pprof.peakRssKb)} (${GO_DEFAULT})`,
      `  heapscope is ${result.speedup.toFixed(1)}× faster and uses ${(result.rssRatio * 100).toFixed(0)}% of pprof's peak RSS`,
      `  CPU time (user + system, not judged): heapscope ${heapscope.cpuMs.toFixed(0)} ms, pprof ${pprof.cpuMs.toFixed(0)} ms (${(pprof.cpuMs / heapscope.cpuMs).toFixed(1)}×)`,
      ...targets.map((t) => `  target: ${formatTarget(t)}`),
      "",
    ].join("\n"),
  );
  return { result, targets };
}

/** Both profiles, or those named (deep, broad), or the given profile files (target ≥ 8×). */
export async function runTopBench(
  which: string[] = [],
  options: { runs?: number } = {},
): Promise<TopBenchResult> {
  await ensureGoToolchain(GO_DEFAULT);
  const named: Record<string, () => Promise<TopCase>> = {
    deep: async () => ({
      name: "deep",
      profile: (await import("./decode.js")).generateBigHeapProfile(),
      runs: Math.max(5, options.runs ?? 5),
      speedupTarget: 15,
      rssPercentTarget: 100 / 3,
    }),
    broad: async () => ({
      name: "broad",
      profile: generateBroadHeapProfile(),
      runs: Math.max(5, options.runs ?? 11),
      speedupTarget: 8,
    }),
  };
  const wanted = which.length > 0 ? which : Object.keys(named);
  const cases: TopCaseResult[] = [];
  const targets: TargetResult[] = [];
  for (const name of wanted) {
    const spec = named[name]
      ? await named[name]()
      : { name: path.basename(name), profile: name, runs: Math.max(5, options.runs ?? 11), speedupTarget: 8 };
    const run = await runCase(spec);
    cases.push(run.result);
    targets.push(...run.targets);
  }
  return {
    rssMethod: existsSync(timeBinary) ? "/usr/bin/time" : "/proc VmHWM polling",
    loadAverage: loadavg()[0]!,
    cases,
    targets,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await runTopBench(process.argv.slice(2));
}
