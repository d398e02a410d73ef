/**
 * Types from DWARF on real heap dumps of real Go programs (./programs, each with a truth file and a
 * fixed variant), built with Go 1.19 (DWARF 4, map buckets), the default Go and Go 1.27.3 (DWARF 5,
 * Swiss tables):
 *   - beyond len: a global truncated with [:0], a queue popped with [1:], deletion with
 *     append(s[:i], s[i+1:]...) in a go 1.21 module, a struct field truncated, slices inside map
 *     values: the holder, len and cap, the objects and bytes the program itself counts beyond len;
 *   - pinned: 16-byte headers of 1 MiB buffers kept in a map: how many, how much;
 *   - the statement to change, found in the program's source, and a fix for its go.mod version;
 *   - each fixed variant: nothing beyond len, nothing pinned;
 *   - a control struct{p *T; a, b int} that reads like a slice header: nothing;
 *   - both map layouts give the same holders and field paths.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { buildObjectGraph } from "../../../src/analysis/retention/object-graph.js";
import { computeRetention } from "../../../src/analysis/retention/retained-size.js";
import { computeShortestPaths, retainingPath } from "../../../src/analysis/retention/retaining-path.js";
import { regionRejected, regionType } from "../../../src/analysis/retention/typed-heap.js";
import { describeSlot, typedPath } from "../../../src/analysis/retention/typed-paths.js";
import { sliceJson } from "../../../src/diagnose/slice-retention.js";
import { typedHolderFields } from "../../../src/diagnose/typed-holder-json.js";
import { readGoDwarf } from "../../../src/formats/dwarf/go-dwarf.js";
import { readGoBinarySymbols } from "../../../src/formats/elf/go-binary-symbols.js";
import { readHeapDump } from "../../../src/formats/heapdump/read-heap-dump.js";
import { buildGoProgram, workDir } from "../../support/go.js";
import { GO_CURRENT, GO_DEFAULT, GO_OLDEST, type GoToolchain } from "../../support/go-toolchains.js";
import { type ProgramRun, programsDir, runProgram, truthOf } from "./support.js";

const execFileAsync = promisify(execFile);

const ALL: GoToolchain[] = [GO_OLDEST, GO_DEFAULT, GO_CURRENT];
const FROM_121: GoToolchain[] = [GO_DEFAULT, GO_CURRENT];

const cases: { program: string; toolchains: GoToolchain[] }[] = [
  { program: "reset-global", toolchains: ALL },
  { program: "queue-pop", toolchains: ALL },
  { program: "delete-middle", toolchains: FROM_121 },
  { program: "struct-field", toolchains: ALL },
  { program: "registry", toolchains: ALL },
  { program: "header-map", toolchains: ALL },
];

describe.each(cases)("$program", ({ program, toolchains }) => {
  const truth = truthOf(program);

  it.each(toolchains)(
    "built with %s: names the holder, len and cap, and what the slice keeps",
    async (toolchain) => {
      const run = await runProgram(program, toolchain, false);
      expect(run.holders.map((h) => h.holder)).toEqual([truth.holder]);
      const holder = run.holders[0]!;
      expect(holder.sliceType).toBe(truth.sliceType);
      expect([holder.len, holder.cap]).toEqual([run.facts.len, run.facts.cap]);
      if (truth.finding === "beyond-len") {
        expect(holder.objectsBeyondLen).toBe(run.facts.objectsBeyondLen);
        expect(holder.bytesBeyondLen).toBeGreaterThanOrEqual(run.facts.minBytesBeyondLen!);
        // Size classes round each object up by less than a quarter for these sizes.
        expect(holder.bytesBeyondLen).toBeLessThan(1.25 * run.facts.minBytesBeyondLen!);
        // A popped queue also uses little of its array: then the rest is pinned, and nothing else is.
        const unused = holder.arrayBytes - holder.len * holder.elemBytes;
        expect([0, unused]).toContain(holder.pinnedBytes);
        if (holder.len > 0 && holder.len * holder.elemBytes <= holder.arrayBytes / 4)
          expect(holder.pinnedBytes).toBe(unused);
      } else {
        expect(holder.pinnedSlices).toBe(run.facts.pinnedSlices);
        expect(holder.pinnedBytes).toBeGreaterThanOrEqual(run.facts.minPinnedBytes!);
        expect(holder.bytesBeyondLen).toBe(0);
      }
      expect(run.sourceLines[0]!.map((l) => l.text)).toContain(truth.statement);
      expect(run.sourceLines[0]!.every((l) => l.file === "main.go" && l.line > 0)).toBe(true);
      expect(run.hints[0]!.fix).toContain(truth.fixMentions);
      // The JSON a holder gains: its type, its slice figures, the statements to change.
      const json = typedHolderFields(
        { graph: run.graph, typed: run.typed, sliceHolders: run.holders, sourceFiles: run.sourceFiles },
        holder.root.node,
      );
      expect(json.type).toBe(truth.rootType);
      expect(json.slice).toEqual(sliceJson(holder));
      expect(json.sourceLines).toEqual(run.sourceLines[0]);
    },
  );

  it.each(toolchains)("built with %s, fixed: nothing beyond len, nothing pinned", async (toolchain) => {
    const run = await runProgram(program, toolchain, true);
    expect(run.holders).toEqual([]);
    // The analysis saw the slice: its holder is typed (the fixed program still holds it).
    expect(run.typed.stats.typedObjects).toBeGreaterThan(0);
  });
});

describe("a struct whose words look like a slice header", () => {
  it.each(ALL)("built with %s: is read as its type, and no slice is reported", async (toolchain) => {
    const run = await runProgram("control", toolchain, false);
    expect(run.facts).toEqual({ a: 2, b: 64 });
    expect(run.holders).toEqual([]);
    const root = run.graph.roots.find((r) => r.label === "main.ctl")!;
    expect(run.typed.registry.name(run.typed.rootGlobals.get(root.node)!.type)).toBe("main.control");
    expect(describeSlot(run.typed, run.graph, root.node, 0)?.field).toBe(".p");
    // Its target is typed as the table it is, whose 64 items are all in use.
    const paths = computeShortestPaths(run.graph);
    const itemRank = Array.from({ length: run.graph.objectCount }, (_, r) =>
      regionType(run.typed, r),
    ).findIndex((t) => run.typed.registry.name(t) === "main.item");
    const path = retainingPath(run.graph, paths, run.graph.addressIndex.order[itemRank]!)!;
    const steps = typedPath(run.typed, run.graph, path).steps.map((s) => `${s.field}:${s.type}`);
    expect(steps[0]).toBe(".p:main.table");
    expect(steps[1]).toMatch(/^\.items\[\d+\]:main\.item$/);
    // An interface with methods: its itab (from the dump's itab records) names the *label it holds,
    // a value the linker placed in BSS (`&label{...}` of a global's initialiser), named after it.
    const text = Array.from({ length: run.graph.objectCount }, (_, r) => r).find(
      (r) => run.graph.nodeSize[run.graph.firstObjectNode + r] === 1 << 16,
    )!;
    const textPath = retainingPath(run.graph, paths, run.graph.addressIndex.order[text]!)!;
    expect(run.typed.rootAliases.get(textPath.root.node)).toBe("*main.named");
    expect(run.typed.registry.name(run.typed.rootGlobals.get(textPath.root.node)!.type)).toBe("main.label");
    expect(typedPath(run.typed, run.graph, textPath).steps.map((s) => `${s.field}:${s.type}`)).toEqual([
      ".text:[65536]uint8",
    ]);
    // The hchan of `done` has no pointers to the collector: DWARF's hchan<bool> is refused for it.
    const chanRoot = run.graph.roots.find((r) => r.label === "main.done")!;
    const hchan = run.graph.edgeTarget[run.graph.edgeStart[chanRoot.node]!]! - run.graph.firstObjectNode;
    expect(regionType(run.typed, hchan)).toBe(-1);
    expect(regionRejected(run.typed, hchan)).toBe(true);
  });
});

describe("a position-independent binary (-buildmode=pie)", () => {
  it("gives the same holder once addresses are moved by the load bias its dump reveals", async () => {
    const plain = await runProgram("struct-field", GO_DEFAULT, false);
    const pie = await runProgram("struct-field", GO_DEFAULT, false, "-buildmode=pie");
    expect(pie.loadBias).not.toBe(0);
    const shown = (run: ProgramRun) =>
      run.holders.map((h) => [h.holder, h.sliceType, h.len, h.cap, h.objectsBeyondLen, h.bytesBeyondLen]);
    expect(shown(pie)).toEqual(shown(plain));
  });
});

describe("a closure held by a timer", () => {
  it.each(ALL)(
    "built with %s: the path names the closure and, where DWARF states it, its captured payload",
    async (toolchain) => {
      const run = await runProgram("closure-timer", toolchain, false);
      const payload = Array.from({ length: run.graph.objectCount }, (_, r) => r).find(
        (r) => run.graph.nodeSize[run.graph.firstObjectNode + r]! >= run.facts.payloadBytes!,
      )!;
      const path = retainingPath(
        run.graph,
        computeShortestPaths(run.graph),
        run.graph.addressIndex.order[payload]!,
      )!;
      const steps = typedPath(run.typed, run.graph, path).steps.map((s) => `${s.field} (${s.type})`);
      // The runtime's timer holds the callback in its `arg` interface: the closure of scheduleRetry.
      expect(steps.at(-2)).toBe(".arg (closure main.scheduleRetry.func1)");
      // Go 1.23+ write where captured variables sit in the closure; Go 1.19 does not, so no claim.
      expect(steps.at(-1)).toBe(
        toolchain === GO_OLDEST ? "null (null)" : `.payload ([${run.facts.payloadBytes}]uint8)`,
      );
      expect(run.holders).toEqual([]);
    },
  );
});

/** The holders and the field path to a retained object, as a report shows them (map steps collapsed). */
function shape(run: ProgramRun) {
  const paths = computeShortestPaths(run.graph);
  const point = Array.from({ length: run.graph.objectCount }, (_, r) => regionType(run.typed, r)).findIndex(
    (t) => run.typed.registry.name(t) === "main.point",
  );
  const path = retainingPath(run.graph, paths, run.graph.addressIndex.order[point]!)!;
  const typed = typedPath(run.typed, run.graph, path);
  return {
    holders: run.holders.map((h) => ({
      holder: h.holder,
      sliceType: h.sliceType,
      len: h.len,
      slices: h.slices,
      objectsBeyondLen: h.objectsBeyondLen,
    })),
    path: typed.steps
      .filter((s) => !s.mapInternal)
      .map((s) => `${s.field?.replace(/\[\d+\]/, "[i]")} (${s.type?.replace(/^\[\d+\]/, "[n]")})`),
  };
}

describe("both map layouts", () => {
  it("give the same holders and field paths for a program built with Go 1.19 (buckets) and Go 1.27.3 (Swiss tables)", async () => {
    const old = await runProgram("registry", GO_OLDEST, false);
    const swiss = await runProgram("registry", GO_CURRENT, false);
    const oldMap = old.typed.registry.types.find((t) => t.name === "map[string]*main.series")!;
    const swissMap = swiss.typed.registry.types.find((t) => t.name === "map[string]*main.series")!;
    expect([oldMap.mapLayout?.kind, swissMap.mapLayout?.kind]).toEqual(["buckets", "swiss"]);
    expect(shape(swiss)).toEqual(shape(old));
    expect(shape(old).path).toEqual([
      ".series (map[string]*main.series)",
      "value (main.series)",
      ".points ([n]*main.point)",
      "[i] (main.point)",
    ]);
  });
});

describe("a binary linked with -w (no DWARF)", () => {
  it("has no types to propagate, so no slice finding; its globals are still named from .symtab", async () => {
    const binary = await buildGoProgram(path.join(programsDir, "reset-global"), {
      toolchain: GO_DEFAULT,
      env: { GOFLAGS: "-mod=mod -ldflags=-w" },
    });
    const bytes = new Uint8Array(readFileSync(binary));
    expect(readGoDwarf(bytes, binary)).toBeNull();
    mkdirSync(path.join(workDir, "retention-typed"), { recursive: true });
    const dumpFile = path.join(workDir, "retention-typed", `reset-global-w-${process.pid}.dump`);
    try {
      const { stdout } = await execFileAsync(binary, ["-out", dumpFile]);
      const facts = JSON.parse(stdout) as Record<string, number>;
      const graph = buildObjectGraph(
        readHeapDump(new Uint8Array(readFileSync(dumpFile))),
        readGoBinarySymbols(bytes, binary),
      );
      const root = graph.roots.find((r) => r.label === "main.pending")!;
      // Retention without types still sees what the global keeps, just not which slots or why.
      expect(computeRetention(graph).retainedBytes[root.node]).toBeGreaterThan(facts.minBytesBeyondLen!);
    } finally {
      rmSync(dumpFile, { force: true });
    }
  });
});
