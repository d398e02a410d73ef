/**
 * Real heap profiles for the codec tests: test/e2e/programs/heapgen built with Go 1.26.8, 1.27.3
 * and 1.19 and run at the default sampling rate and with MemProfileRate=1. Each run writes
 * heap.pb.gz, heap.txt (`?debug=1`) and allocs.pb.gz as of the same garbage collection.
 * Also `go tool pprof` helpers, the oracle the tests compare against.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import {
  buildGoProgram,
  GO_CURRENT,
  GO_DEFAULT,
  GO_OLDEST,
  type GoToolchain,
  runGo,
  workDir,
} from "../../support/go.js";
import { requireTool } from "../../support/required-tools.js";

const execFileAsync = promisify(execFile);
const programDir = path.resolve(import.meta.dirname, "../programs/heapgen");

export interface HeapgenRun {
  /** e.g. "go1.26.8-rate1" */
  name: string;
  dir: string;
  heapProto: string;
  heapText: string;
  allocsProto: string;
  /** A `go tool pprof -proto -diff_base` result of allocs against heap: it has negative values. */
  diffProto: string;
  /** runtime.MemProfileRate of the run, the profiles' period. */
  period: bigint;
}

interface Variant {
  toolchain: GoToolchain;
  rate: number;
  scale: number;
  /** Allocations through distinct call paths (thousands of records). */
  spread?: number;
}

function variants(): Variant[] {
  const list: Variant[] = [
    { toolchain: GO_DEFAULT, rate: 0, scale: 5 },
    { toolchain: GO_DEFAULT, rate: 1, scale: 1 },
    // A low sampling rate with many call paths: thousands of records, each unsampled by pprof.
    { toolchain: GO_DEFAULT, rate: 4096, scale: 1, spread: 20_000 },
    { toolchain: GO_CURRENT, rate: 1, scale: 1 },
  ];
  // Outside CI a missing Go 1.19 drops its runs (said once on stderr); under CI=true they stay, and
  // building them fails with what to install.
  const go119 = requireTool("go1.19");
  if (go119.skip) {
    process.stderr.write(`heapgen: no Go 1.19 runs${go119.note}\n`);
  } else {
    list.push({ toolchain: GO_OLDEST, rate: 0, scale: 5 });
    list.push({ toolchain: GO_OLDEST, rate: 1, scale: 1 });
  }
  return list;
}

let runs: Promise<HeapgenRun[]> | undefined;

/** Builds and runs heapgen for every variant, once per test process. */
export function heapgenRuns(): Promise<HeapgenRun[]> {
  runs ??= (async () => {
    const out: HeapgenRun[] = [];
    for (const variant of variants()) out.push(await runVariant(variant));
    return out;
  })();
  return runs;
}

async function runVariant(variant: Variant): Promise<HeapgenRun> {
  const binary = await buildGoProgram(programDir, { toolchain: variant.toolchain });
  const name = `${variant.toolchain}-${variant.rate === 0 ? "default-rate" : `rate${variant.rate}`}`;
  const dir = path.join(workDir, "heapgen", `${path.basename(binary)}-${name}`);
  const run: HeapgenRun = {
    name,
    dir,
    heapProto: path.join(dir, "heap.pb.gz"),
    heapText: path.join(dir, "heap.txt"),
    allocsProto: path.join(dir, "allocs.pb.gz"),
    diffProto: path.join(dir, "diff.pb.gz"),
    period: variant.rate === 0 ? 524288n : BigInt(variant.rate),
  };
  if (existsSync(run.diffProto)) return run;
  // Test files run in parallel processes: each writes into its own folder, then renames it into
  // place, so no test ever reads a half-written profile.
  const partial = `${dir}.${process.pid}.tmp`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const args = ["-out", partial, "-scale", String(variant.scale)];
  if (variant.rate > 0) args.push("-rate", String(variant.rate));
  if (variant.spread) args.push("-spread", String(variant.spread));
  await execFileAsync(binary, args, { timeout: 120_000 });
  const partialDiff = path.join(partial, "diff.pb.gz");
  const inPartial = (file: string) => path.join(partial, path.basename(file));
  await pprof([
    "-proto",
    "-output",
    partialDiff,
    `-diff_base=${inPartial(run.heapProto)}`,
    inPartial(run.allocsProto),
  ]);
  try {
    renameSync(partial, dir);
  } catch {
    // Another process got there first: its files are complete; drop ours.
    rmSync(partial, { recursive: true, force: true });
  }
  return run;
}

let pprofBinary: Promise<string> | undefined;

/**
 * `go tool pprof` of the default toolchain, built once into test/.work/bin: recent Go releases build
 * the tool on demand, which is slow and flaky when several tests start it at once.
 */
function buildPprof(): Promise<string> {
  pprofBinary ??= (async () => {
    const out = path.join(workDir, "bin", `pprof-${GO_DEFAULT}`);
    if (!existsSync(out)) {
      mkdirSync(path.dirname(out), { recursive: true });
      const partial = `${out}.${process.pid}.tmp`;
      await runGo(["build", "-o", partial, "cmd/pprof"], { cwd: workDir });
      renameSync(partial, out);
    }
    return out;
  })();
  return pprofBinary;
}

/** Runs `go tool pprof` and returns its stdout. */
export async function pprof(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(await buildPprof(), args, {
    maxBuffer: 256 << 20,
    timeout: 120_000,
    env: { ...process.env, PPROF_TMPDIR: path.join(workDir, "pprof-tmp") },
  });
  return stdout;
}

export function readGunzipped(file: string): Uint8Array {
  const bytes = readFileSync(file);
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}
