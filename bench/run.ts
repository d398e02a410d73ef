/**
 * `npm run bench [-- [--check] NAME...]`: runs heapscope's benchmarks, each measuring heapscope side
 * by side with its peers in the same run (go tool pprof, pprof-format, an unrecorded control, ...),
 * and prints the figures and ratios, then every target as met / missed / unresolved (decided beyond
 * the run's own noise, bench/decide.ts). Speed targets live here, not in the test suite.
 * Exit status: 1 when a bench failed; with --check, also when a target was missed (unresolved is
 * not a miss: the run could not tell).
 */
import { summarizeTargets, type TargetResult } from "./decide.js";

interface BenchEntry {
  name: string;
  module: string;
  exportName: string;
}

const benches: BenchEntry[] = [
  { name: "startup", module: "./startup.js", exportName: "runStartupBench" },
  { name: "decode", module: "./decode.js", exportName: "runDecodeBench" },
  { name: "top", module: "./top.js", exportName: "runTopBench" },
  { name: "gctrace", module: "./gctrace.js", exportName: "runGcTraceBench" },
  { name: "record", module: "./record-overhead.js", exportName: "runRecordOverheadBench" },
  { name: "doctor", module: "./doctor.js", exportName: "runDoctorBench" },
  { name: "signals", module: "./signals.js", exportName: "runSignalsBench" },
  { name: "ui", module: "./ui.js", exportName: "runUiBench" },
  { name: "heapdump", module: "./heapdump.js", exportName: "runHeapDumpBench" },
  { name: "typed-retention", module: "./typed-retention.js", exportName: "runTypedRetentionBench" },
  { name: "fleet", module: "./fleet.js", exportName: "runFleetBench" },
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const wanted = args.filter((a) => !a.startsWith("--"));
  const unknown = wanted.filter((name) => !benches.some((b) => b.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: no bench named ${unknown.join(", ")} (${benches.map((b) => b.name).join(", ")})\n`,
    );
    process.exitCode = 2;
    return;
  }
  const selected = wanted.length > 0 ? benches.filter((b) => wanted.includes(b.name)) : benches;
  const outcomes: { bench: string; targets: TargetResult[]; error?: string }[] = [];
  for (const bench of selected) {
    process.stdout.write(`\n== ${bench.name} ==\n`);
    try {
      const mod = (await import(bench.module)) as Record<string, unknown>;
      const run = mod[bench.exportName];
      if (typeof run !== "function") throw new Error(`${bench.module} does not export ${bench.exportName}`);
      const result = await (run as () => Promise<unknown>)();
      if (result !== undefined) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      const targets = (result as { targets?: TargetResult[] } | undefined)?.targets ?? [];
      outcomes.push({ bench: bench.name, targets });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      process.stdout.write(`${bench.name}: failed: ${message}\n`);
      outcomes.push({ bench: bench.name, targets: [], error: message });
    }
  }
  const { lines, exitCode } = summarizeTargets(outcomes, check);
  process.stdout.write(`${lines.join("\n")}\n`);
  process.exitCode = exitCode;
}

await main();
