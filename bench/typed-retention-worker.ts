/**
 * One typed-retention analysis in a process of its own, run by bench/typed-retention.ts:
 * `node --import tsx bench/typed-retention-worker.ts BINARY DUMP`. Times Retention I's phases (read
 * the dump whole, graph named from the binary's symbols, reachability, dominators with holders,
 * shortest paths) and then the typed ones this bench is about (DWARF read, type propagation, slice
 * retention grouped by holder), each in wall and CPU time, and prints one JSON line.
 * `--dwarf BINARY` times reading one binary's DWARF alone.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildObjectGraph,
  computeReachability,
  computeRetention,
  computeShortestPaths,
  holdersByRoot,
} from "../src/analysis/retention/index.js";
import { analyzeSliceRetention } from "../src/analysis/retention/slice-findings.js";
import { sliceHolders } from "../src/analysis/retention/slice-holders.js";
import { propagateTypes } from "../src/analysis/retention/typed-propagation.js";
import { readDwarfSections } from "../src/formats/dwarf/dwarf-sections.js";
import { readGoDwarf } from "../src/formats/dwarf/go-dwarf.js";
import { parseElf } from "../src/formats/elf/elf-file.js";
import { readGoBinarySymbols } from "../src/formats/elf/go-binary-symbols.js";
import { readHeapDump } from "../src/formats/heapdump/read-heap-dump.js";

export interface PhaseTiming {
  wallMs: number;
  cpuMs: number;
}

export const RETENTION_PHASES = ["read", "graph", "reachability", "dominators", "paths"] as const;
export const TYPED_PHASES = ["dwarf", "types", "slices"] as const;

export interface TypedWorkerResult {
  phases: Record<(typeof RETENTION_PHASES)[number] | (typeof TYPED_PHASES)[number], PhaseTiming>;
  peakRssMiB: number;
  objects: number;
  typedObjects: number;
  typedBytes: number;
  reachableObjects: number;
  rejected: number;
  conflicts: number;
  debugInfoTypes: number;
  sliceHolders: number;
}

function timed<T>(phases: Record<string, PhaseTiming>, name: string, run: () => T): T {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = run();
  const used = process.cpuUsage(cpu);
  phases[name] = { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
  return result;
}

function analyze(binaryFile: string, dumpFile: string): TypedWorkerResult {
  const phases = {} as TypedWorkerResult["phases"];
  const binary = new Uint8Array(readFileSync(binaryFile));
  const dump = timed(phases, "read", () => readHeapDump(new Uint8Array(readFileSync(dumpFile))));
  const graph = timed(phases, "graph", () => buildObjectGraph(dump, readGoBinarySymbols(binary, binaryFile)));
  const reach = timed(phases, "reachability", () => computeReachability(graph, dump.memStats));
  timed(phases, "dominators", () => holdersByRoot(graph, computeRetention(graph)));
  const paths = timed(phases, "paths", () => computeShortestPaths(graph));
  const table = timed(phases, "dwarf", () => readGoDwarf(binary, binaryFile));
  if (!table) throw new Error(`${binaryFile} has no DWARF`);
  const typed = timed(phases, "types", () => propagateTypes(dump, graph, table));
  const holders = timed(phases, "slices", () =>
    sliceHolders(
      graph,
      typed,
      analyzeSliceRetention(dump, graph, typed, { reachable: reach.reachable }),
      paths,
    ),
  );
  return {
    phases,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    objects: graph.objectCount,
    typedObjects: typed.stats.typedObjects,
    typedBytes: typed.stats.typedBytes,
    reachableObjects: reach.reachableObjects,
    rejected: typed.stats.rejected,
    conflicts: typed.stats.conflicts,
    debugInfoTypes: table.types.length,
    sliceHolders: holders.length,
  };
}

/** `--dwarf BINARY`: reading the binary's DWARF once, in a fresh process (as the CLI does). */
function readDwarfOnce(binaryFile: string): {
  phases: { dwarf: PhaseTiming };
  debugInfoBytes: number;
  types: number;
} {
  const phases = {} as { dwarf: PhaseTiming };
  const binary = new Uint8Array(readFileSync(binaryFile));
  const table = timed(phases, "dwarf", () => readGoDwarf(binary, binaryFile));
  const info = readDwarfSections(parseElf(binary)).debug_info;
  return { phases, debugInfoBytes: info?.length ?? 0, types: table?.types.length ?? 0 };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === "--dwarf" && process.argv[3] !== undefined) {
    process.stdout.write(`${JSON.stringify(readDwarfOnce(process.argv[3]))}\n`);
    process.exit(0);
  }
  const [binaryFile, dumpFile] = process.argv.slice(2);
  if (binaryFile === undefined || dumpFile === undefined) {
    process.stderr.write("usage: node --import tsx bench/typed-retention-worker.ts BINARY DUMP\n");
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(analyze(binaryFile, dumpFile))}\n`);
}
