/**
 * Typed retention on damaged heap dumps: a real dump of the registry program (maps, slices,
 * pointers) with random bytes changed is either refused by the reader (HeapDumpError) or, when it
 * still reads, propagated, analysed and named without any other error.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { buildObjectGraph } from "../../../src/analysis/retention/object-graph.js";
import { computeShortestPaths } from "../../../src/analysis/retention/retaining-path.js";
import { analyzeSliceRetention } from "../../../src/analysis/retention/slice-findings.js";
import { sliceHolders } from "../../../src/analysis/retention/slice-holders.js";
import { propagateTypes } from "../../../src/analysis/retention/typed-propagation.js";
import { HeapDumpError } from "../../../src/errors.js";
import { readGoDwarf } from "../../../src/formats/dwarf/go-dwarf.js";
import { readGoBinarySymbols } from "../../../src/formats/elf/go-binary-symbols.js";
import { readHeapDump } from "../../../src/formats/heapdump/read-heap-dump.js";
import { buildGoProgram, workDir } from "../../support/go.js";
import { GO_DEFAULT } from "../../support/go-toolchains.js";

const execFileAsync = promisify(execFile);
const program = path.resolve(import.meta.dirname, "programs/registry");

describe("typed retention on damaged dumps", () => {
  it("reads, propagates and names, or refuses with HeapDumpError (40 mutants of a real dump)", async () => {
    const binary = await buildGoProgram(program, { toolchain: GO_DEFAULT });
    mkdirSync(workDir, { recursive: true });
    const file = path.join(workDir, `typed-robustness-${process.pid}.dump`);
    let original: Uint8Array;
    try {
      await execFileAsync(binary, ["-out", file]);
      original = new Uint8Array(readFileSync(file));
    } finally {
      rmSync(file, { force: true });
    }
    const binaryBytes = new Uint8Array(readFileSync(binary));
    const table = readGoDwarf(binaryBytes, binary)!;
    const symbols = readGoBinarySymbols(binaryBytes, binary);
    let seed = 987654321;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    let analysed = 0;
    for (let n = 0; n < 40; n++) {
      const bytes = original.slice();
      const flips = 1 + Math.floor(random() * 16);
      // Past the 16-byte header, so most mutants still read and reach the analyses.
      for (let k = 0; k < flips; k++)
        bytes[16 + Math.floor(random() * (bytes.length - 16))] = Math.floor(random() * 256);
      let dump: ReturnType<typeof readHeapDump>;
      try {
        dump = readHeapDump(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(HeapDumpError);
        continue;
      }
      const graph = buildObjectGraph(dump, symbols);
      const typed = propagateTypes(dump, graph, table);
      const analysis = analyzeSliceRetention(dump, graph, typed);
      sliceHolders(graph, typed, analysis, computeShortestPaths(graph));
      analysed++;
    }
    expect(analysed).toBeGreaterThan(10);
  });
});
