/**
 * Slices held by goroutines' stack frames, through `heapscope retainers --json` on real programs
 * (./programs/worker-local, ./programs/handler-subslice, ./programs/inlined-collector, whose
 * goroutine function the compiler inlines into its go statement's wrapper from Go 1.21) built with
 * Go 1.19 (DWARF 4, .debug_loc), 1.26.8 and 1.27.3 (DWARF 5, .debug_loclists). Each program blocks its goroutines with the slice
 * live in a local variable, writes a heap dump and prints what it holds (len, cap, objects and bytes
 * beyond len, pinned slices). Uses dist/.
 *
 *   faulty   the frame's holder is typed by its variable (`[]*main.job`), the path leaves the frame
 *            through it (`batch`), the slice figures are the program's own, and exactly one finding
 *            names `function.variable` with rootKind "stack", one slice per goroutine, and the
 *            statement of that function's body that reslices the local
 *   fixed    nothing beyond len or pinned, and the local still typed
 *   control  handlers that keep using the whole body after the wait: its pointer word is the
 *            header's too, and nothing is called pinned
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGoProgram, runCli } from "../../support/go.js";
import { GO_CURRENT, GO_DEFAULT, GO_OLDEST, type GoToolchain } from "../../support/go-toolchains.js";
import { programsDir } from "./support.js";

const execFileAsync = promisify(execFile);

interface SliceJson {
  len: number;
  cap: number;
  elemBytes: number;
  arrayBytes: number;
  bytesBeyondLen: number;
  objectsBeyondLen: number;
  pinnedBytes: number;
  pinnedSlices: number;
}
interface HolderJson {
  root: string;
  rootKind: string;
  roots: number;
  retainedBytes: number;
  path: { field?: string | null; type?: string | null }[];
  type?: string | null;
  slice?: SliceJson | null;
  sourceLines?: { file: string; line: number; text: string }[];
}
interface FindingJson {
  kind: string;
  holder: string;
  rootKind: string;
  sliceType: string;
  slices: number;
  slice: SliceJson;
  sourceLines: { file: string; line: number; text: string }[];
  hint: { title: string; fix: string; evidence: string[] };
}
interface RetainersJson {
  holders: HolderJson[];
  types: { typedObjects: number; dwarfVersion: number } | null;
  sliceFindings: FindingJson[];
}
interface FrameTruth {
  finding: "beyond-len" | "pinned";
  holder: string;
  function: string;
  variable: string;
  /** The frame's function when the compiler inlines `function` into it (Go ≥ 1.21). */
  inlinedInto?: string;
  sliceType: string;
  statement: string;
  fixMentions: string;
  rootType: string;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "heapscope-frames-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function retainers(program: string, toolchain: GoToolchain, flag: string, text = false) {
  const source = path.join(programsDir, program);
  const binary = await buildGoProgram(source, { toolchain });
  const dump = path.join(dir, `${path.basename(binary)}${flag}.dump`);
  try {
    const { stdout } = await execFileAsync(binary, ["-out", dump, ...(flag ? [flag] : [])], {
      timeout: 60_000,
    });
    const args = ["retainers", dump, "--binary", binary, "--source-path", source];
    const json = await runCli([...args, "--json"]);
    expect(json.code, json.stderr).toBe(0);
    return {
      report: JSON.parse(json.stdout) as RetainersJson,
      facts: JSON.parse(stdout) as Record<string, number>,
      text: text ? (await runCli(args)).stdout : "",
    };
  } finally {
    rmSync(dump, { force: true }); // a heap dump holds everything the program held
  }
}

const toolchains: GoToolchain[] = [GO_OLDEST, GO_DEFAULT, GO_CURRENT];
const programs = ["worker-local", "handler-subslice", "inlined-collector"].map((program) => ({
  program,
  truth: JSON.parse(readFileSync(path.join(programsDir, program, "truth.json"), "utf8")) as FrameTruth,
}));

describe.each(programs)("a slice in a local of $program's goroutines", ({ program, truth }) => {
  it.each(toolchains)(
    "built with %s: typed by its variable, the program's len and cap, one finding with its statement",
    async (toolchain) => {
      const { report, facts, text } = await retainers(program, toolchain, "", toolchain === GO_DEFAULT);
      expect(report.types?.dwarfVersion).toBe(toolchain === GO_OLDEST ? 4 : 5);
      const frameFunction = truth.inlinedInto && toolchain !== GO_OLDEST ? truth.inlinedInto : truth.function;
      const holder = report.holders.find((h) => h.rootKind === "stack" && h.root.startsWith(frameFunction));
      expect(holder, JSON.stringify(report.holders.map((h) => h.root))).toBeDefined();
      expect(holder!.roots).toBe(facts.slices ?? facts.pinnedSlices);
      expect(holder!.type).toBe(truth.rootType);
      expect(holder!.path[0]!.field).toBe(truth.variable);
      const slice = holder!.slice!;
      expect([slice.len, slice.cap]).toEqual([facts.len, facts.cap]);
      if (truth.finding === "beyond-len") {
        expect(slice.objectsBeyondLen).toBe(facts.objectsBeyondLen);
        expect(slice.bytesBeyondLen).toBeGreaterThanOrEqual(facts.minBytesBeyondLen!);
        expect(slice.bytesBeyondLen).toBeLessThan(1.25 * facts.minBytesBeyondLen!);
        expect(slice.pinnedBytes).toBe(0);
      } else {
        expect(slice.pinnedSlices).toBe(facts.pinnedSlices);
        expect(slice.pinnedBytes).toBeGreaterThanOrEqual(facts.minPinnedBytes!);
        expect(slice.pinnedBytes).toBeLessThan(1.01 * facts.minPinnedBytes! + 4096);
        expect(slice.bytesBeyondLen).toBe(0);
      }
      expect(report.sliceFindings.map((f) => [f.holder, f.kind, f.rootKind])).toEqual([
        [truth.holder, truth.finding, "stack"],
      ]);
      const finding = report.sliceFindings[0]!;
      expect(finding.sliceType).toBe(truth.sliceType);
      expect(finding.slices).toBe(holder!.roots); // one slice per goroutine
      expect(finding.slice).toEqual(slice);
      expect(finding.hint.fix).toContain(truth.fixMentions);
      // The statement is in the function's own body: nothing from main or the other helpers.
      const source = readFileSync(path.join(programsDir, program, "main.go"), "utf8").split("\n");
      const body = functionLines(source, truth.function.replace(/^main\./, ""));
      // Only the statement that reslices the local (not its growing appends, nor the fixed copy).
      expect(finding.sourceLines.map((l) => l.text)).toEqual([truth.statement]);
      const line = finding.sourceLines[0];
      for (const l of finding.sourceLines) {
        expect(l.file).toBe("main.go");
        expect(l.line).toBeGreaterThanOrEqual(body[0]);
        expect(l.line).toBeLessThanOrEqual(body[1]);
      }
      expect(holder!.sourceLines).toEqual(finding.sourceLines);
      if (text) {
        expect(text).toContain(`type: ${truth.rootType}`);
        expect(text).toContain(`change: main.go:${line!.line}: ${truth.statement}`);
        expect(text).toContain(finding.hint.title);
      }
    },
    120_000,
  );

  it.each(toolchains)(
    "built with %s, fixed: the local still typed, nothing beyond len or pinned",
    async (toolchain) => {
      const { report } = await retainers(program, toolchain, "-fixed");
      expect(report.sliceFindings).toEqual([]);
      for (const h of report.holders) expect(h.slice ?? null).toBeNull();
      const frameFunction = truth.inlinedInto && toolchain !== GO_OLDEST ? truth.inlinedInto : truth.function;
      const holder = report.holders.find((h) => h.rootKind === "stack" && h.root.startsWith(frameFunction));
      if (truth.finding === "beyond-len") {
        // The workers still hold their (cleared) batches: typed, with nothing beyond len.
        expect(holder?.type).toBe(truth.rootType);
      } else {
        // The handlers hold 16-byte copies: their 1 MiB bodies are gone.
        expect(holder?.retainedBytes ?? 0).toBeLessThan(4096);
      }
    },
    120_000,
  );
});

describe("a control: handlers that use the whole body after the wait, its header sharing its array", () => {
  it.each(toolchains)(
    "built with %s: the bodies are held, nothing is called pinned",
    async (toolchain) => {
      const { report } = await retainers("handler-subslice", toolchain, "-whole");
      const holder = report.holders.find(
        (h) => h.rootKind === "stack" && h.root.startsWith("main.handleWhole"),
      );
      expect(holder?.retainedBytes).toBeGreaterThanOrEqual(2 << 20);
      expect(holder?.slice ?? null).toBeNull();
      // body and header hold one pointer word with different lens: neither names it (whose len?).
      expect(report.sliceFindings).toEqual([]);
    },
    120_000,
  );
});

/** First and last line (1-based) of `func name(` in a file's lines. */
function functionLines(lines: string[], name: string): [number, number] {
  const start = lines.findIndex((l) => l.startsWith(`func ${name}(`));
  const end = lines.findIndex((l, i) => i > start && l === "}");
  expect(start).toBeGreaterThanOrEqual(0);
  return [start + 1, end + 1];
}
