/**
 * `npm run bench [-- NAME...]`: runs heapscope's benchmarks, each measuring heapscope side by side with
 * its peers in the same run (go tool pprof, pprof-format, an unrecorded control, ...), and prints the
 * figures and ratios. Speed targets live here, not in the test suite.
 */
interface BenchEntry {
  name: string;
  module: string;
  exportName: string;
}

const benches: BenchEntry[] = [
  { name: "decode", module: "./decode.js", exportName: "runDecodeBench" },
  { name: "top", module: "./top.js", exportName: "runTopBench" },
  { name: "gctrace", module: "./gctrace.js", exportName: "runGcTraceBench" },
  { name: "record", module: "./record-overhead.js", exportName: "runRecordOverheadBench" },
  { name: "doctor", module: "./doctor.js", exportName: "runDoctorBench" },
  { name: "signals", module: "./signals.js", exportName: "runSignalsBench" },
  { name: "ui", module: "./ui.js", exportName: "runUiBench" },
  { name: "fleet", module: "./fleet.js", exportName: "runFleetBench" },
];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const selected = wanted.length > 0 ? benches.filter((b) => wanted.includes(b.name)) : benches;
  let failures = 0;
  for (const bench of selected) {
    process.stdout.write(`\n== ${bench.name} ==\n`);
    try {
      const mod = (await import(bench.module)) as Record<string, unknown>;
      const run = mod[bench.exportName];
      if (typeof run !== "function") throw new Error(`${bench.module} does not export ${bench.exportName}`);
      const result = await (run as () => Promise<unknown>)();
      if (result !== undefined) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } catch (error) {
      failures++;
      process.stdout.write(
        `${bench.name}: failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
  }
  process.exitCode = failures > 0 ? 1 : 0;
}

await main();
