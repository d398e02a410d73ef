/**
 * What holds a heap dump's memory, for doctor and retainers: the binary's symbols (checked against
 * the dump), Retention I's holders, then types from the binary's DWARF with the module's sources
 * under `sourcePath` (the statements to change, the go.mod version that decides the fix). Each phase
 * is timed: types are measured apart from Retention I so their cost can be reported.
 */
import {
  addTypes,
  analyzeRetention,
  type RetentionContext,
  type TypeInputs,
} from "../diagnose/holders/index.js";
import type { RetentionSummary } from "../diagnose/types.js";
import { HeapscopeError } from "../errors.js";
import type { GoBinarySymbols } from "../formats/elf/go-binary-symbols.js";
import type { HeapDump } from "../model/heap-dump.js";
import { type GoDwarfResult, readGoDwarfBytes } from "./go-dwarf-read.js";
import { moduleGoVersion, readGoSourceFiles } from "./go-source-files.js";
import { type DumpBinary, dumpBinaryBytes, dumpBinaryName, symbolsForDump } from "./heap-dump-source.js";

export interface HeapDumpRetentionOptions {
  /** The binary that wrote the dump (a path, or one a recording kept): names roots, and its DWARF types the heap. */
  binary?: DumpBinary;
  /** The module's source directory (statements to change, go.mod's version). */
  sourcePath?: string;
  top?: number;
  /** The binary's DWARF, already read (doctor reads it while the program is observed). */
  dwarf?: GoDwarfResult;
}

export interface HeapDumpRetention {
  summary: RetentionSummary;
  context: RetentionContext;
  timings: {
    /** Graph, reachability, dominators, paths, holders. */
    retentionMs: number;
    /** Reading the binary's DWARF (unless given) and the module's sources (0 without a binary). */
    dwarfMs: number;
    /** Type propagation, slice findings, typed holders (0 without a binary). */
    typesMs: number;
  };
}

export function analyzeHeapDumpRetention(
  dump: HeapDump,
  options: HeapDumpRetentionOptions = {},
): HeapDumpRetention {
  const { binary, ...rest } = options;
  if (binary === undefined) return analyzeNamedRetention(dump, rest);
  return analyzeNamedRetention(dump, { ...rest, named: { binary, resolver: symbolsForDump(binary, dump) } });
}

/**
 * The same with the binary's symbols already checked against the dump (symbolsForDump): the UI
 * checks them itself, since a binary a recording names but that does not match is a limit there.
 */
export function analyzeNamedRetention(
  dump: HeapDump,
  options: Omit<HeapDumpRetentionOptions, "binary"> & {
    named?: { binary: DumpBinary; resolver: GoBinarySymbols };
  } = {},
): HeapDumpRetention {
  const resolver = options.named?.resolver;
  const started = performance.now();
  const untyped = analyzeRetention(dump, {
    ...(resolver ? { resolver } : {}),
    ...(options.top !== undefined ? { top: options.top } : {}),
  });
  const retentionMs = performance.now() - started;
  if (!options.named || !resolver) return { ...untyped, timings: { retentionMs, dwarfMs: 0, typesMs: 0 } };
  const dwarfStarted = performance.now();
  const { binary } = options.named;
  const dwarf = options.dwarf ?? readGoDwarfBytes(dumpBinaryBytes(binary), dumpBinaryName(binary));
  const { inputs, problem } = typeInputs(dwarf, resolver.loadBias, options.sourcePath);
  const typesStarted = performance.now();
  const typed = typedOrNot(untyped, inputs);
  const limits = [typed.problem, problem].filter((p): p is string => p !== undefined);
  const summary =
    limits.length > 0 ? { ...typed.summary, limits: [...typed.summary.limits, ...limits] } : typed.summary;
  return {
    summary,
    context: typed.context,
    timings: {
      retentionMs,
      dwarfMs: typesStarted - dwarfStarted,
      typesMs: performance.now() - typesStarted,
    },
  };
}

/**
 * Retention I typed, or as it is when types cannot be applied to this dump (a reading error the
 * analyses raise): the holders found without types still stand, and the reason is a limit.
 */
function typedOrNot(
  untyped: Pick<HeapDumpRetention, "summary" | "context">,
  inputs: TypeInputs,
): Pick<HeapDumpRetention, "summary" | "context"> & { problem?: string } {
  try {
    return addTypes(untyped, inputs);
  } catch (error) {
    if (!(error instanceof HeapscopeError)) throw error;
    return { ...untyped, problem: `types not applied: ${error.message.split("\n")[0]}` };
  }
}

/**
 * The binary's types and the module's sources. A DWARF that did not read leaves the heap untyped
 * (with the reason as a limit) rather than failing: Retention I's holders still stand.
 */
function typeInputs(
  dwarf: GoDwarfResult,
  loadBias: number,
  sourcePath: string | undefined,
): { inputs: TypeInputs; problem?: string } {
  const inputs: TypeInputs = { table: dwarf.table, loadBias, sourceFiles: [] };
  let problem = dwarf.problem;
  if (sourcePath) {
    const sources = readGoSourceFiles(sourcePath);
    inputs.sourceFiles = sources.files;
    const goVersion = moduleGoVersion(sourcePath);
    if (goVersion) inputs.goVersion = goVersion;
    if (sources.skipped > 0) {
      const skipped = `${sources.skipped} Go files under ${sourcePath} were not scanned for the statements to change (too large or too many)`;
      problem = problem ? `${problem}; ${skipped}` : skipped;
    }
  }
  return problem ? { inputs, problem } : { inputs };
}
