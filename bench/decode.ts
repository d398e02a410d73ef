/**
 * Decode benchmark: heapscope's profile.proto decoder vs pprof-format 2.3 on the same bytes, measured
 * side by side in one process, interleaved round by round (the order rotates each round), with a full
 * GC before every timed call so no decoder pays for another's garbage. Medians of wall and CPU time.
 *
 * The input is a real heap profile written by bench/programs/bigheap: MemProfileRate=1, 150k live
 * allocations, each at the end of a deep (20–60 frames) pseudo-random walk through a few hundred
 * generated functions, so about one sample per allocation, each with a distinct stack, over
 * thousands of locations.
 *
 * What is compared (each heapscope form holds every location, value and label of every sample):
 *   columns   decodeProfileColumns: samples as typed-array columns (what the reports read)
 *   objects   decodeProfile: samples as Sample objects (the model API)
 *   pprof-format  Profile.decode (samples as objects with unresolved IDs)
 * and the same from the .pb.gz bytes (gunzip included). Target: columns ≥ 5× pprof-format, decided
 * from the per-round speedups (bench/decide.ts): met or missed only beyond their run-to-run spread.
 *
 * Run alone with `npx tsx bench/decode.ts` (or `npm run bench -- decode`).
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { gunzipSync } from "node:zlib";
import { Profile as PprofFormatProfile } from "pprof-format";
import { decodeProfile, decodeProfileColumns } from "../src/formats/pprof-proto-decode.js";
import { inflateGzip } from "../src/formats/profile-bytes.js";
import { ensureGoToolchain, GO_DEFAULT, goCommand, goEnv } from "../test/support/go-toolchains.js";
import { decide, formatTarget, quantileBand, type TargetResult } from "./decide.js";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const workDir = path.join(benchDir, ".work");
const programDir = path.join(benchDir, "programs/bigheap");

/** Bump when the generator changes, so a cached profile from an older generator is not reused. */
const GENERATOR_VERSION = 2;

export const DECODE_SPEEDUP_TARGET = 5;

export interface DecodeBenchOptions {
  /** Allocations (about one sample each) in the generated profile. */
  allocations?: number;
  runs?: number;
  /** Decode this .pb.gz instead of the generated profile. */
  profile?: string;
}

export interface ProfileShape {
  file: string;
  gzipBytes: number;
  rawBytes: number;
  samples: number;
  distinctStacks: number;
  locations: number;
  functions: number;
  frames: number;
  minDepth: number;
  medianDepth: number;
  maxDepth: number;
}

export interface Timing {
  /** Median wall time, ms. */
  wallMs: number;
  /** Median CPU time of the process (user + system, all threads, so GC helpers too), ms. */
  cpuMs: number;
  /** The first call in a fresh process (not warmed up), wall ms. */
  firstWallMs: number;
}

export interface DecodeComparison {
  name: string;
  heapscope: Timing;
  pprofFormat: Timing;
  /** pprof-format's median wall time over heapscope's: above 1 means heapscope is faster. */
  speedup: number;
  /** The same with CPU time, less sensitive to other processes on a loaded machine. */
  cpuSpeedup: number;
}

export interface DecodeBenchResult {
  profile: ProfileShape;
  runs: number;
  loadAverage: number;
  gunzip: Timing;
  comparisons: DecodeComparison[];
  /** Decode to columns (and with gunzip) ≥ 5× pprof-format, from the per-round wall-time speedups. */
  targets: TargetResult[];
}

/**
 * Builds bigheap (with its generated frames, in a scratch copy under bench/.work) and writes its
 * profile once; later calls reuse the file.
 */
export function generateBigHeapProfile(options: DecodeBenchOptions = {}): string {
  const allocations = options.allocations ?? 150_000;
  const go = goCommand(GO_DEFAULT).command;
  mkdirSync(workDir, { recursive: true });
  const out = path.join(workDir, `bigheap-v${GENERATOR_VERSION}-${allocations}.pb.gz`);
  if (existsSync(out)) return out;
  const env = goEnv(GO_DEFAULT);
  const source = path.join(workDir, "bigheap-src");
  mkdirSync(source, { recursive: true });
  for (const file of ["go.mod", "main.go"])
    copyFileSync(path.join(programDir, file), path.join(source, file));
  execFileSync(go, ["run", "./gen", "-out", path.join(source, "frames.go")], {
    cwd: programDir,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const binary = path.join(workDir, "bigheap");
  execFileSync(go, ["build", "-o", binary, "."], {
    cwd: source,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const partial = `${out}.partial`;
  execFileSync(binary, ["-out", partial, "-n", String(allocations)], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  renameSync(partial, out);
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A full GC, so each timed call starts from the same heap. */
function collectGarbage(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

interface Measurement {
  wallMs: number;
  cpuMs: number;
}

function measure(gc: () => void, run: () => unknown): Measurement {
  gc();
  const cpu = process.cpuUsage();
  const start = performance.now();
  run();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

function describeProfile(file: string, gzipBytes: number, raw: Uint8Array): ProfileShape {
  const profile = decodeProfile(raw);
  const depths = profile.samples.map((s) => s.locations.length).sort((a, b) => a - b);
  const stacks = new Set(profile.samples.map((s) => s.locations.map((l) => l.id).join(",")));
  return {
    file,
    gzipBytes,
    rawBytes: raw.length,
    samples: profile.samples.length,
    distinctStacks: stacks.size,
    locations: profile.locations.length,
    functions: profile.functions.length,
    frames: depths.reduce((sum, d) => sum + d, 0),
    minDepth: depths[0] ?? 0,
    medianDepth: depths[depths.length >> 1] ?? 0,
    maxDepth: depths[depths.length - 1] ?? 0,
  };
}

/** pprof-format's wall time over heapscope's, per round (both measured in the same round). */
function speedupTarget(name: string, ours: Measurement[], theirs: Measurement[]): TargetResult {
  const perRound = ours.map((m, round) => theirs[round]!.wallMs / m.wallMs);
  return decide(`${name} ≥ ${DECODE_SPEEDUP_TARGET}× pprof-format`, quantileBand(perRound), {
    threshold: DECODE_SPEEDUP_TARGET,
    better: "higher",
    unit: "×",
  });
}

export async function runDecodeBench(options: DecodeBenchOptions = {}): Promise<DecodeBenchResult> {
  const runs = Math.max(7, options.runs ?? 9);
  if (!options.profile) await ensureGoToolchain(GO_DEFAULT);
  const file = options.profile ?? generateBigHeapProfile(options);
  const gzipped = new Uint8Array(readFileSync(file));
  const raw = new Uint8Array(gunzipSync(gzipped));
  const gc = collectGarbage();

  const candidates: Record<string, () => unknown> = {
    gunzip: () => inflateGzip(gzipped),
    columns: () => decodeProfileColumns(raw),
    objects: () => decodeProfile(raw),
    pprofFormat: () => PprofFormatProfile.decode(raw),
    columnsWithGunzip: () => decodeProfileColumns(inflateGzip(gzipped)),
    objectsWithGunzip: () => decodeProfile(inflateGzip(gzipped)),
    // How a pprof-format user reads a .pb.gz: zlib, then decode.
    pprofFormatWithGunzip: () => PprofFormatProfile.decode(gunzipSync(gzipped)),
  };
  const names = Object.keys(candidates);
  const first: Record<string, number> = {};
  const samples: Record<string, Measurement[]> = {};
  for (const name of names) {
    first[name] = measure(gc, candidates[name]!).wallMs;
    samples[name] = [];
  }
  for (let round = 0; round < runs; round++) {
    // Rotate the order, so no candidate always runs right after the same other one.
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!;
      samples[name]!.push(measure(gc, candidates[name]!));
    }
  }
  const timing = (name: string): Timing => ({
    wallMs: median(samples[name]!.map((m) => m.wallMs)),
    cpuMs: median(samples[name]!.map((m) => m.cpuMs)),
    firstWallMs: first[name]!,
  });
  const compare = (name: string, ours: string, theirs: string): DecodeComparison => {
    const heapscope = timing(ours);
    const pprofFormat = timing(theirs);
    return {
      name,
      heapscope,
      pprofFormat,
      speedup: pprofFormat.wallMs / heapscope.wallMs,
      cpuSpeedup: pprofFormat.cpuMs / heapscope.cpuMs,
    };
  };
  const comparisons = [
    compare("decode to columns", "columns", "pprofFormat"),
    compare("decode to objects", "objects", "pprofFormat"),
    compare("gunzip + decode to columns", "columnsWithGunzip", "pprofFormatWithGunzip"),
    compare("gunzip + decode to objects", "objectsWithGunzip", "pprofFormatWithGunzip"),
  ];
  const result: DecodeBenchResult = {
    profile: describeProfile(file, gzipped.length, raw),
    runs,
    loadAverage: (await import("node:os")).loadavg()[0]!,
    gunzip: timing("gunzip"),
    comparisons,
    targets: [
      speedupTarget("decode to columns", samples.columns!, samples.pprofFormat!),
      speedupTarget("gunzip + decode to columns", samples.columnsWithGunzip!, samples.pprofFormatWithGunzip!),
    ],
  };
  process.stdout.write(`${formatDecodeBench(result)}\n`);
  return result;
}

export function formatDecodeBench(result: DecodeBenchResult): string {
  const p = result.profile;
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(10);
  const lines = [
    `profile ${path.relative(process.cwd(), p.file)}: ${mib(p.gzipBytes)} gzipped, ${mib(p.rawBytes)} raw`,
    `  ${p.samples} samples (${p.distinctStacks} distinct stacks), ${p.locations} locations, ${p.functions} functions`,
    `  stack depth ${p.minDepth}..${p.maxDepth} (median ${p.medianDepth}), ${p.frames} frames in all`,
    `medians of ${result.runs} interleaved runs (load average ${result.loadAverage.toFixed(1)}):`,
    `  ${"".padEnd(28)}${"heapscope".padStart(10)}${"pprof-format".padStart(14)}  speedup (wall / cpu)   first call (heapscope / pprof-format)`,
  ];
  for (const c of result.comparisons) {
    lines.push(
      `  ${c.name.padEnd(28)}${ms(c.heapscope.wallMs)}${ms(c.pprofFormat.wallMs).padStart(14)}  ` +
        `${`${c.speedup.toFixed(2)}x`.padStart(7)} / ${`${c.cpuSpeedup.toFixed(2)}x`.padEnd(12)}` +
        `${ms(c.heapscope.firstWallMs)} / ${ms(c.pprofFormat.firstWallMs).trim()}`,
    );
  }
  lines.push(
    `  ${"gunzip alone".padEnd(28)}${ms(result.gunzip.wallMs)}`,
    ...result.targets.map((t) => `target: ${formatTarget(t)}`),
  );
  return lines.join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const profile = process.argv[2];
  await runDecodeBench(profile ? { profile } : {});
}
