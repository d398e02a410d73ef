/**
 * Runs one of ./programs (built with `go build`, so its DWARF and symbol table are kept), which
 * writes a real heap dump after runtime.GC() and prints what it knows about its slices; then runs
 * heapscope's whole typed path on it: DWARF types, the object graph named from .symtab, type
 * propagation, slice retention grouped by holder, the statements in the program's source, the hint.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { buildObjectGraph } from "../../../src/analysis/retention/object-graph.js";
import { computeReachability } from "../../../src/analysis/retention/reachability.js";
import { computeShortestPaths } from "../../../src/analysis/retention/retaining-path.js";
import { analyzeSliceRetention } from "../../../src/analysis/retention/slice-findings.js";
import { type SliceHolder, sliceHolders } from "../../../src/analysis/retention/slice-holders.js";
import type { TypedHeap } from "../../../src/analysis/retention/typed-heap.js";
import { propagateTypes } from "../../../src/analysis/retention/typed-propagation.js";
import { readGoSourceFiles } from "../../../src/collect/go-source-files.js";
import { goLineOfGoMod } from "../../../src/diagnose/module-path.js";
import { assignmentTargetOf, sliceRetentionHint } from "../../../src/diagnose/slice-retention.js";
import type { Hint } from "../../../src/diagnose/types.js";
import { readGoDwarf } from "../../../src/formats/dwarf/go-dwarf.js";
import { loadBiasFor, readGoBinarySymbols } from "../../../src/formats/elf/go-binary-symbols.js";
import { findAssignments, type SourceLine } from "../../../src/formats/go-source/go-assignments.js";
import { readHeapDump } from "../../../src/formats/heapdump/read-heap-dump.js";
import type { HeapDump } from "../../../src/model/heap-dump.js";
import type { ObjectGraph } from "../../../src/model/object-graph.js";
import { buildGoProgram, workDir } from "../../support/go.js";
import type { GoToolchain } from "../../support/go-toolchains.js";

const execFileAsync = promisify(execFile);
export const programsDir = path.join(import.meta.dirname, "programs");

export interface Truth {
  finding: "beyond-len" | "pinned" | "none";
  holder: string;
  sliceType?: string;
  statement?: string;
  fixMentions?: string;
  type?: string;
  rootType?: string;
}

export interface ProgramRun {
  binary: string;
  facts: Record<string, number>;
  dump: HeapDump;
  graph: ObjectGraph;
  typed: TypedHeap;
  holders: SliceHolder[];
  sourceLines: SourceLine[][];
  hints: Hint[];
  goVersion: [number, number] | undefined;
  loadBias: number;
  sourceFiles: { file: string; text: string }[];
}

export function truthOf(program: string): Truth {
  return JSON.parse(readFileSync(path.join(programsDir, program, "truth.json"), "utf8")) as Truth;
}

export async function runProgram(
  program: string,
  toolchain: GoToolchain,
  fixed: boolean,
  goflags = "",
): Promise<ProgramRun> {
  const dir = path.join(programsDir, program);
  const env = goflags ? { GOFLAGS: `-mod=mod ${goflags}` } : undefined;
  const binary = await buildGoProgram(dir, { toolchain, ...(env ? { env } : {}) });
  mkdirSync(path.join(workDir, "retention-typed"), { recursive: true });
  const dumpFile = path.join(
    workDir,
    "retention-typed",
    `${path.basename(binary)}-${fixed ? "fixed" : "faulty"}-${process.pid}.dump`,
  );
  let facts: Record<string, number>;
  let bytes: Uint8Array;
  try {
    const args = ["-out", dumpFile, ...(fixed ? ["-fixed"] : [])];
    const { stdout } = await execFileAsync(binary, args, { timeout: 120_000 });
    facts = JSON.parse(stdout) as Record<string, number>;
    bytes = new Uint8Array(readFileSync(dumpFile));
  } finally {
    rmSync(dumpFile, { force: true }); // a heap dump holds everything the program held: never kept
  }
  return analyze(dir, binary, facts, bytes);
}

function analyze(
  dir: string,
  binary: string,
  facts: Record<string, number>,
  dumpBytes: Uint8Array,
): ProgramRun {
  const binaryBytes = new Uint8Array(readFileSync(binary));
  const table = readGoDwarf(binaryBytes, binary);
  if (!table) throw new Error(`${binary} has no DWARF`);
  const dump = readHeapDump(dumpBytes);
  // A position-independent binary runs at a bias its dump's data segment reveals.
  const symbols = readGoBinarySymbols(binaryBytes, binary);
  const loadBias = dump.data ? loadBiasFor(symbols, dump.data.start) : 0;
  const graph = buildObjectGraph(dump, symbols.withLoadBias(loadBias));
  const reachability = computeReachability(graph, dump.memStats);
  const typed = propagateTypes(dump, graph, table, { loadBias });
  const analysis = analyzeSliceRetention(dump, graph, typed, { reachable: reachability.reachable });
  const holders = sliceHolders(graph, typed, analysis, computeShortestPaths(graph));
  const { files } = readGoSourceFiles(dir);
  const goVersion = goLineOfGoMod(readFileSync(path.join(dir, "go.mod"), "utf8"));
  const sourceLines = holders.map((h) => {
    const target = assignmentTargetOf(h);
    return target ? findAssignments(files, target) : [];
  });
  const hints = holders.map((h, i) => sliceRetentionHint(h, goVersion, sourceLines[i]!));
  return {
    binary,
    facts,
    dump,
    graph,
    typed,
    holders,
    sourceLines,
    hints,
    goVersion,
    loadBias,
    sourceFiles: files,
  };
}
