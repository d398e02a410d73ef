/**
 * Decode benchmark: heapscope's profile.proto decoder vs pprof-format 2.3 on the same bytes.
 *
 * The input is a real heap profile written by bench/programs/bigheap (MemProfileRate=1, one sample per
 * allocation, each through a distinct call path). Both decoders run alternately on the already
 * gunzipped bytes; the median of the runs is reported. Run alone with `npx tsx bench/decode.ts`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { Profile as PprofFormatProfile } from "pprof-format";
import { decodeProfile } from "../src/formats/pprof-proto-decode.js";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const workDir = path.join(benchDir, ".work");

export interface DecodeBenchResult {
  name: string;
  profileBytes: number;
  samples: number;
  locations: number;
  runs: number;
  heapscopeMs: number;
  pprofFormatMs: number;
  /** pprof-format time divided by heapscope time: above 1 means heapscope is faster. */
  speedup: number;
}

export interface DecodeBenchOptions {
  /** Allocations (= samples) in the generated profile. */
  allocations?: number;
  runs?: number;
  go?: string;
}

/** Builds bigheap and writes its profile once; later calls reuse the file. */
export function generateBigHeapProfile(options: DecodeBenchOptions = {}): string {
  const allocations = options.allocations ?? 150_000;
  const go = options.go ?? process.env.HEAPSCOPE_BENCH_GO ?? "go";
  mkdirSync(workDir, { recursive: true });
  const out = path.join(workDir, `bigheap-${allocations}.pb.gz`);
  if (existsSync(out)) return out;
  const binary = path.join(workDir, "bigheap");
  execFileSync(go, ["build", "-o", binary, "."], {
    cwd: path.join(benchDir, "programs/bigheap"),
    env: { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  execFileSync(binary, ["-out", out, "-n", String(allocations)], { stdio: ["ignore", "ignore", "inherit"] });
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function timeOnce(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

export async function runDecodeBench(options: DecodeBenchOptions = {}): Promise<DecodeBenchResult> {
  const runs = Math.max(5, options.runs ?? 7);
  const file = generateBigHeapProfile(options);
  const raw = new Uint8Array(gunzipSync(readFileSync(file)));
  const profile = decodeProfile(raw);
  // Warm both decoders up so the comparison is of optimized code.
  decodeProfile(raw);
  PprofFormatProfile.decode(raw);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(timeOnce(() => decodeProfile(raw)));
    theirs.push(timeOnce(() => PprofFormatProfile.decode(raw)));
  }
  const heapscopeMs = median(ours);
  const pprofFormatMs = median(theirs);
  return {
    name: "decode profile.proto (bigheap)",
    profileBytes: raw.length,
    samples: profile.samples.length,
    locations: profile.locations.length,
    runs,
    heapscopeMs,
    pprofFormatMs,
    speedup: pprofFormatMs / heapscopeMs,
  };
}

export function formatDecodeBench(result: DecodeBenchResult): string {
  return [
    `${result.name}: ${(result.profileBytes / 1024 / 1024).toFixed(1)} MiB, ${result.samples} samples, ${result.locations} locations`,
    `  heapscope     ${result.heapscopeMs.toFixed(1)} ms (median of ${result.runs})`,
    `  pprof-format  ${result.pprofFormatMs.toFixed(1)} ms`,
    `  heapscope is ${result.speedup.toFixed(2)}x pprof-format's speed`,
  ].join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await runDecodeBench();
  console.log(formatDecodeBench(result));
}
