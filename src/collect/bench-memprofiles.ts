/**
 * Per-benchmark allocation profiles: every benchmark run alone on each side with
 * `-test.memprofilerate=1`, each profile tagged with the operation count it covers.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseGoBenchText, splitGomaxprocs } from "../formats/go-bench.js";
import { encodeProfileGzip } from "../formats/pprof-proto-encode.js";
import { parseProfileBytes } from "../formats/profile-bytes.js";
import { runBinary, type Side } from "./go-test-binaries.js";

/** One benchmark's allocation profile from `memprofile`. */
export interface BenchProfile {
  side: "base" | "new";
  package: string;
  /** Benchmark name without the -N GOMAXPROCS suffix. */
  name: string;
  file: string;
  /** Iterations the profile covers: b.N plus the 1-iteration probe `testing` runs first. */
  ops: number;
}

/** Benchmark names (without -N) in go test output, in order. */
function benchmarkNames(outputs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const output of outputs) {
    for (const result of parseGoBenchText(output).results) names.add(splitGomaxprocs(result.name)[0]);
  }
  return [...names];
}

/** A -test.bench pattern that selects exactly one (sub-)benchmark: each level anchored and escaped. */
export function exactBenchPattern(name: string): string {
  return name
    .split("/")
    .map((part) => `^${part.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")}$`)
    .join("/");
}

function fileSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9._=-]+/g, "_").slice(0, 180);
}

// Test flags that would change what a per-benchmark profile measures.
const PROFILE_OVERRIDDEN =
  /^-test\.(bench|benchtime|count|run|memprofile|memprofilerate|cpuprofile|blockprofile|mutexprofile|trace|outputdir)(=|$)/;

export async function profileBenchmarks(
  sides: Side[],
  settings: { dir: string; iterations: number },
  testFlags: string[],
  env: NodeJS.ProcessEnv,
  progress: (message: string) => void,
): Promise<BenchProfile[]> {
  const profiles: BenchProfile[] = [];
  const iterations = Math.max(1, Math.floor(settings.iterations));
  // testing runs every benchmark once with b.N = 1 before the b.N = N run (skipped when N = 1).
  const ops = iterations > 1 ? iterations + 1 : 1;
  const kept = testFlags.filter((f) => !PROFILE_OVERRIDDEN.test(f));
  for (const side of sides) {
    for (const pkg of side.packages) {
      for (const name of benchmarkNames(side.outputByPackage.get(pkg.importPath) ?? [])) {
        progress(`profiling ${side.name} ${pkg.importPath} ${name}`);
        const file = path.join(
          path.resolve(settings.dir),
          side.name,
          fileSafe(pkg.importPath),
          `${fileSafe(name)}.pb.gz`,
        );
        mkdirSync(path.dirname(file), { recursive: true });
        await runBinary(
          side,
          pkg,
          [
            "-test.run=^$",
            `-test.bench=${exactBenchPattern(name)}`,
            `-test.benchtime=${iterations}x`,
            "-test.count=1",
            "-test.benchmem",
            `-test.memprofile=${file}`,
            "-test.memprofilerate=1",
            ...kept,
          ],
          env,
        );
        // Record the operation count in the profile, so `heapscope diff` compares per op.
        const parsed = parseProfileBytes(readFileSync(file), file);
        parsed.profile.comments.push(`heapscope-ops=${ops}`, `heapscope-benchmark=${pkg.importPath} ${name}`);
        writeFileSync(file, encodeProfileGzip(parsed.profile));
        profiles.push({ side: side.name, package: pkg.importPath, name, file, ops });
      }
    }
  }
  return profiles;
}
