/**
 * `top` benchmark: whole processes, fixed command lines, on the same large heap profile:
 *
 *   node bin/heapscope.js top PROFILE      (the built CLI, dist/)
 *   go tool pprof -top PROFILE
 *
 * Each runs ≥5 times, alternating; the medians of wall time and of peak RSS are compared.
 * Peak RSS is the kernel's ru_maxrss from /usr/bin/time when it is installed, otherwise the
 * process's VmHWM read from /proc/<pid>/status every 2 ms until it exits. The default profile is
 * written by test/e2e/pprof-oracle/programs/bigstacks (2^17 = 131072 distinct stacks, one sample each).
 * Targets: heapscope ≥ 15× faster, with ≤ 1/3 of pprof's peak RSS, decided from the per-run
 * ratios of the alternating runs (bench/decide.ts): met or missed only beyond their spread.
 * pprof is `go tool pprof` of the tests' default toolchain (go1.26.8).
 * Run alone with `npx tsx bench/top.ts [PROFILE]`.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
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
}

export interface TopBenchResult {
  profile: string;
  runs: number;
  rssMethod: "/usr/bin/time" | "/proc VmHWM polling";
  heapscope: { wallMs: number; peakRssKb: number };
  pprof: { wallMs: number; peakRssKb: number };
  /** pprof's median wall time over heapscope's: above 1 means heapscope is faster. */
  speedup: number;
  /** heapscope's median peak RSS over pprof's: below 1 means heapscope uses less. */
  rssRatio: number;
  /** ≥ 15× faster and ≤ 1/3 of the peak RSS, from the per-run ratios. */
  targets: TargetResult[];
}

/** Builds bigstacks and writes its 2^depth-sample heap profile once; later calls reuse it. */
export function generateBigStacksProfile(depth = 17): string {
  mkdirSync(workDir, { recursive: true });
  const out = path.join(workDir, `bigstacks-${depth}.pb.gz`);
  if (existsSync(out)) return out;
  const binary = path.join(workDir, "bigstacks");
  execFileSync(goCommand(GO_DEFAULT).command, ["build", "-o", binary, "."], {
    cwd: path.join(repoRoot, "test/e2e/pprof-oracle/programs/bigstacks"),
    env: goEnv(GO_DEFAULT),
    stdio: ["ignore", "ignore", "inherit"],
  });
  execFileSync(binary, ["-depth", String(depth), out], { stdio: ["ignore", "ignore", "inherit"] });
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
      ? spawn(timeBinary, ["-f", "%M", command, ...args], {
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
      if (useTime) {
        const lines = stderr.trim().split("\n");
        peakKb = Number(lines[lines.length - 1]);
      }
      resolve({ wallMs, peakRssKb: peakKb });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function runTopBench(
  profilePath?: string,
  options: { runs?: number } = {},
): Promise<TopBenchResult> {
  await ensureGoToolchain(GO_DEFAULT);
  // The decode benchmark's profile: MemProfileRate=1, 150k samples, deep distinct stacks.
  const profile = profilePath ?? (await import("./decode.js")).generateBigHeapProfile();
  const runs = Math.max(5, options.runs ?? 5);
  const heapscopeCommand: [string, string[]] = [
    process.execPath,
    [path.join(repoRoot, "bin/heapscope.js"), "top", profile],
  ];
  const pprofCommand: [string, string[], NodeJS.ProcessEnv] = [
    goCommand(GO_DEFAULT).command,
    ["tool", "pprof", "-top", profile],
    goEnv(GO_DEFAULT),
  ];
  // One unmeasured run of each: builds pprof into the go cache and warms the page cache.
  await measureProcess(...heapscopeCommand);
  await measureProcess(...pprofCommand);
  const ours: ProcessMeasure[] = [];
  const theirs: ProcessMeasure[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(await measureProcess(...heapscopeCommand));
    theirs.push(await measureProcess(...pprofCommand));
  }
  const heapscope = {
    wallMs: median(ours.map((m) => m.wallMs)),
    peakRssKb: median(ours.map((m) => m.peakRssKb)),
  };
  const pprof = {
    wallMs: median(theirs.map((m) => m.wallMs)),
    peakRssKb: median(theirs.map((m) => m.peakRssKb)),
  };
  const speedup = pprof.wallMs / heapscope.wallMs;
  const rssRatio = heapscope.peakRssKb / pprof.peakRssKb;
  const result: TopBenchResult = {
    profile,
    runs,
    rssMethod: existsSync(timeBinary) ? "/usr/bin/time" : "/proc VmHWM polling",
    heapscope,
    pprof,
    speedup,
    rssRatio,
    targets: [
      decide(
        "top ≥ 15× faster than go tool pprof -top",
        quantileBand(theirs.map((m, i) => m.wallMs / ours[i]!.wallMs)),
        {
          threshold: 15,
          better: "higher",
          unit: "×",
        },
      ),
      decide(
        "top peak RSS ≤ 33 % of pprof's",
        quantileBand(ours.map((m, i) => (m.peakRssKb / theirs[i]!.peakRssKb) * 100)),
        { threshold: 100 / 3, better: "lower", unit: " %" },
      ),
    ],
  };
  const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
  process.stdout.write(
    [
      `top on ${path.basename(profile)} (median of ${runs}, RSS via ${result.rssMethod})`,
      `  heapscope: ${heapscope.wallMs.toFixed(0)} ms, peak RSS ${mb(heapscope.peakRssKb)}`,
      `  pprof:     ${pprof.wallMs.toFixed(0)} ms, peak RSS ${mb(pprof.peakRssKb)}`,
      `  heapscope is ${speedup.toFixed(1)}× faster (target ≥ 15×) and uses ${(rssRatio * 100).toFixed(0)}% of pprof's peak RSS (target ≤ 33%)`,
      ...result.targets.map((t) => `  target: ${formatTarget(t)}`),
      "",
    ].join("\n"),
  );
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await runTopBench(process.argv[2]);
}
