/**
 * Types from DWARF through the command line, on the real programs of ./programs (truth files, fixed
 * variants, a look-alike control). Uses dist/.
 *
 *   heapscope retainers DUMP --binary BIN --source-path DIR --json: each faulty program's holder
 *   with its type, the field path to what it keeps, its slice's len, cap and bytes, the statement to
 *   change, and one slice finding with a fix for the module's go.mod version; nothing beyond len or
 *   pinned for the fixed variants and the control; the same holders and field paths for a program
 *   built with Go 1.19 (map buckets) and Go 1.26.8 / 1.27.3 (Swiss tables); a binary linked with -w
 *   says once what is lost and keeps the untyped holders.
 *
 *   heapscope doctor -- go run . (the hook added by an overlay): the holder typed, the finding as a
 *   hint with the line to change, found in the module heapscope built; and the cost of types.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readGoDwarfNow } from "../../../src/collect/go-dwarf-read.js";
import { NO_DWARF_LIMIT } from "../../../src/diagnose/holders/typed-holders.js";
import { buildGoProgram, freePort, goEnv, repoRoot, runCli } from "../../support/go.js";
import { GO_CURRENT, GO_DEFAULT, GO_OLDEST, type GoToolchain } from "../../support/go-toolchains.js";
import { programsDir, truthOf } from "./support.js";

const execFileAsync = promisify(execFile);

interface StepJson {
  bytes: number;
  offset: number;
  field?: string | null;
  type?: string | null;
  mapInternal?: boolean;
}
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
  retainedBytes: number;
  path: StepJson[];
  type?: string | null;
  slice?: SliceJson | null;
  sourceLines?: { file: string; line: number; text: string }[];
}
interface FindingJson {
  kind: string;
  holder: string;
  sliceType: string;
  slice: SliceJson;
  sourceLines: { file: string; line: number; text: string }[];
  hint: { title: string; fix: string; evidence: string[] };
}
interface RetainersJson {
  holders: HolderJson[];
  limits: string[];
  types: { typedObjects: number; dwarfVersion: number } | null;
  sliceFindings: FindingJson[];
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "heapscope-typed-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Builds the program (DWARF kept), runs it to write a dump, and runs `heapscope retainers` on it. */
async function retainers(
  program: string,
  toolchain: GoToolchain,
  options: { fixed?: boolean; goflags?: string; text?: boolean } = {},
): Promise<{ report: RetainersJson; facts: Record<string, number>; text: string }> {
  const source = path.join(programsDir, program);
  const env = options.goflags ? { GOFLAGS: `-mod=mod ${options.goflags}` } : undefined;
  const binary = await buildGoProgram(source, { toolchain, ...(env ? { env } : {}) });
  mkdirSync(dir, { recursive: true });
  const dump = path.join(dir, `${path.basename(binary)}-${options.fixed ? "fixed" : "faulty"}.dump`);
  try {
    const { stdout } = await execFileAsync(binary, ["-out", dump, ...(options.fixed ? ["-fixed"] : [])]);
    const args = ["retainers", dump, "--binary", binary, "--source-path", source];
    const json = await runCli([...args, "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const text = options.text ? await runCli(args) : { stdout: "" };
    return {
      report: JSON.parse(json.stdout) as RetainersJson,
      facts: JSON.parse(stdout) as Record<string, number>,
      text: text.stdout,
    };
  } finally {
    rmSync(dump, { force: true }); // a heap dump holds everything the program held
  }
}

/** `main.out → .buf` → the root `main.out` and its fields `[".buf"]`. */
function splitHolder(holder: string): { root: string; fields: string[] } {
  const [root, ...fields] = holder.split(" → ");
  return { root: root!, fields };
}

/** The field path as a report shows it: map storage left out, empty root-slot fields and indices folded. */
function shownFields(path: StepJson[]): string[] {
  return path
    .filter((s) => !s.mapInternal && s.field)
    .map((s) => s.field!.replace(/\[\d+\]/g, "[]").replace(/^(\[\])+$/, "[]"));
}

const faulty = [
  { program: "reset-global", toolchains: [GO_DEFAULT, GO_OLDEST] as GoToolchain[] },
  { program: "queue-pop", toolchains: [GO_DEFAULT] as GoToolchain[] },
  { program: "delete-middle", toolchains: [GO_DEFAULT] as GoToolchain[] },
  { program: "struct-field", toolchains: [GO_DEFAULT] as GoToolchain[] },
  { program: "registry", toolchains: [GO_DEFAULT, GO_OLDEST] as GoToolchain[] },
  { program: "header-map", toolchains: [GO_DEFAULT] as GoToolchain[] },
];

describe.each(faulty)("heapscope retainers on $program", ({ program, toolchains }) => {
  const truth = truthOf(program);
  const { root, fields } = splitHolder(truth.holder);

  it.each(toolchains)(
    "built with %s: the holder's type, field path, slice figures and statement",
    async (toolchain) => {
      const { report, facts, text } = await retainers(program, toolchain, { text: toolchain === GO_DEFAULT });
      expect(report.types?.typedObjects).toBeGreaterThan(0);
      const holder = report.holders.find((h) => h.root === root);
      expect(holder, JSON.stringify(report.holders.map((h) => h.root))).toBeDefined();
      expect(report.holders[0]!.root).toBe(root);
      expect(holder!.type).toBe(truth.rootType);
      expect(shownFields(holder!.path).slice(0, fields.length)).toEqual(
        fields.map((f) => f.replace(/\[\d+\]/g, "[]")),
      );
      const slice = holder!.slice!;
      expect([slice.len, slice.cap]).toEqual([facts.len, facts.cap]);
      if (truth.finding === "beyond-len") {
        expect(slice.objectsBeyondLen).toBe(facts.objectsBeyondLen);
        expect(slice.bytesBeyondLen).toBeGreaterThanOrEqual(facts.minBytesBeyondLen!);
        expect(slice.bytesBeyondLen).toBeLessThan(1.25 * facts.minBytesBeyondLen!);
      } else {
        expect(slice.pinnedSlices).toBe(facts.pinnedSlices);
        expect(slice.pinnedBytes).toBeGreaterThanOrEqual(facts.minPinnedBytes!);
        expect(slice.bytesBeyondLen).toBe(0);
      }
      expect(holder!.sourceLines!.map((l) => l.text)).toContain(truth.statement);
      // One finding: the holder by its field path, the fix the module's go.mod allows, the line.
      expect(report.sliceFindings.map((f) => [f.holder, f.kind])).toEqual([[truth.holder, truth.finding]]);
      const finding = report.sliceFindings[0]!;
      expect(finding.sliceType).toBe(truth.sliceType);
      expect(finding.hint.fix).toContain(truth.fixMentions);
      const line = finding.sourceLines.find((l) => l.text === truth.statement)!;
      expect(line.file).toBe("main.go");
      expect(finding.hint.evidence).toContain(`main.go:${line.line}: ${truth.statement}`);
      if (toolchain === GO_DEFAULT) {
        expect(text).toContain(`type: ${truth.rootType}`);
        expect(text).toContain(`change: main.go:${line.line}: ${truth.statement}`);
        expect(text).toContain(finding.hint.title);
      }
    },
    120_000,
  );

  it.each(toolchains)(
    "built with %s, fixed: typed, and nothing beyond len or pinned",
    async (toolchain) => {
      const { report } = await retainers(program, toolchain, { fixed: true });
      expect(report.sliceFindings).toEqual([]);
      for (const h of report.holders) expect(h.slice ?? null).toBeNull();
      // The holder is still typed: the fixed program holds the slice, only not the objects beyond it.
      const holder = report.holders.find((h) => h.root === root);
      if (holder) expect(holder.type).toBe(truth.rootType);
      expect(report.types?.typedObjects).toBeGreaterThan(0);
    },
    120_000,
  );
});

describe("heapscope retainers on the look-alike control struct{p *T; a, b int}", () => {
  it.each([GO_DEFAULT, GO_OLDEST] as GoToolchain[])(
    "built with %s: typed as itself, no slice finding",
    async (toolchain) => {
      const { report } = await retainers("control", toolchain);
      expect(report.sliceFindings).toEqual([]);
      const holder = report.holders.find((h) => h.root === "main.ctl")!;
      expect(holder.type).toBe("main.control");
      expect(holder.slice).toBeNull();
      expect(shownFields(holder.path)[0]).toBe(".p");
    },
    120_000,
  );
});

describe("both map layouts through retainers", () => {
  it("a program built with Go 1.19 (buckets), 1.26.8 and 1.27.3 (Swiss tables): same holder, type, field path", async () => {
    const shape = (report: RetainersJson) => {
      const h = report.holders[0]!;
      return {
        root: h.root,
        type: h.type,
        path: h.path
          .filter((s) => !s.mapInternal)
          .map((s) => `${s.field} (${s.type?.replace(/^\[\d+\]/, "[n]")})`),
        finding: report.sliceFindings.map((f) => [
          f.holder,
          f.sliceType,
          f.slice.len,
          f.slice.objectsBeyondLen,
        ]),
        lines: h.sourceLines?.map((l) => l.text),
      };
    };
    const [old, current, newest] = await Promise.all(
      [GO_OLDEST, GO_DEFAULT, GO_CURRENT].map((t) => retainers("registry", t)),
    );
    expect(shape(old!.report)).toEqual(shape(current!.report));
    expect(shape(newest!.report)).toEqual(shape(current!.report));
    expect(shape(old!.report).path).toEqual([
      ".series (map[string]*main.series)",
      "value (main.series)",
      ".points ([n]*main.point)",
    ]);
    // The map's own storage is in the JSON path (and differs): buckets before 1.24, tables after.
    const internal = (r: RetainersJson) => r.holders[0]!.path.filter((s) => s.mapInternal).map((s) => s.type);
    expect(internal(old!.report).join(" ")).toContain("bucket");
    expect(internal(current!.report).join(" ")).toContain("table");
  }, 240_000);
});

describe("a --source-path that is not a directory", () => {
  it("is refused in one line, exit 2", async () => {
    const missing = path.join(dir, "no-such-module");
    for (const args of [
      ["retainers", path.join(dir, "heap.dump"), "--source-path", missing],
      ["doctor", "--duration", "5s", "--source-path", missing, "--", "go", "run", "."],
    ]) {
      const run = await runCli(args, { cwd: path.join(programsDir, "registry") });
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split("\n")).toEqual([
        expect.stringContaining(`${missing}: --source-path: no such directory`),
      ]);
    }
  });
});

describe("a binary linked with -w (no DWARF) through retainers", () => {
  it("says once what is lost and keeps Retention I's untyped holders", async () => {
    const { report } = await retainers("reset-global", GO_DEFAULT, { goflags: "-ldflags=-w" });
    expect(report.types).toBeNull();
    expect(report.limits.filter((l) => l === NO_DWARF_LIMIT)).toHaveLength(1);
    expect(report.sliceFindings).toEqual([]);
    expect(report.holders[0]!.root).toBe("main.pending");
    expect(report.holders[0]!.retainedBytes).toBeGreaterThan(4_000_000);
    expect("type" in report.holders[0]!).toBe(false);
    expect(report.holders[0]!.path.every((s) => !("field" in s))).toBe(true);
  }, 120_000);
});

describe("doctor's background DWARF read (a worker thread, from dist/)", () => {
  it("gives the table a direct read gives; none for -w; one line for a file that is not ELF", async () => {
    const dist = path.join(repoRoot, "dist/collect/go-dwarf-read.js");
    const { readGoDwarfInBackground } = (await import(
      dist
    )) as typeof import("../../../src/collect/go-dwarf-read.js");
    const binary = await buildGoProgram(path.join(programsDir, "registry"), { toolchain: GO_DEFAULT });
    const background = await readGoDwarfInBackground(binary);
    const direct = readGoDwarfNow(binary);
    expect(background.readIn).toBe("worker");
    expect(background.table!.types.length).toBeGreaterThan(1000);
    expect(background.table).toEqual(direct.table);
    const stripped = await buildGoProgram(path.join(programsDir, "registry"), {
      toolchain: GO_DEFAULT,
      env: { GOFLAGS: "-mod=mod -ldflags=-w" },
    });
    expect(await readGoDwarfInBackground(stripped)).toEqual({ table: null, readIn: "worker" });
    const notElf = path.join(programsDir, "registry", "main.go");
    const refused = await readGoDwarfInBackground(notElf);
    expect(refused.table).toBeNull();
    expect(refused.problem).toMatch(/^types unknown: .*main\.go/);
  }, 120_000);
});

interface DoctorJson {
  holders: HolderJson[];
  hints: { title: string; fix: string; evidence: string[] }[];
  retention: RetainersJson;
  liveHeapBySite: { function: string; heldBy?: HolderJson[] }[];
  notes: string[];
}

async function doctor(goArgs: string[], extra: string[] = []) {
  const port = await freePort();
  const run = await runCli(
    [
      "doctor",
      "--duration",
      "12s",
      "--json",
      "--url",
      `http://127.0.0.1:${port}`,
      ...extra,
      "--",
      "go",
      "run",
      ...goArgs,
      ".",
      "-addr",
      `127.0.0.1:${port}`,
    ],
    { cwd: path.join(programsDir, "registry"), env: goEnv(GO_DEFAULT), timeoutMs: 150_000 },
  );
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as DoctorJson;
}

describe("heapscope doctor -- go run . with the hook", () => {
  it("types the holder, reports the finding as a hint with the line to change, and times types", async () => {
    const truth = truthOf("registry");
    const { facts } = await retainers("registry", GO_DEFAULT);
    const html = path.join(dir, "doctor.html");
    const report = await doctor([], ["--html", html]);
    const holder = report.holders.find((h) => h.root === "*main.metrics")!;
    expect(holder, JSON.stringify(report.holders.map((h) => h.root))).toBeDefined();
    expect(holder.type).toBe("main.registry");
    expect(shownFields(holder.path)).toEqual([".series", "value", ".points"]);
    expect([holder.slice!.len, holder.slice!.cap, holder.slice!.objectsBeyondLen]).toEqual([
      facts.len,
      facts.cap,
      facts.objectsBeyondLen,
    ]);
    expect(holder.slice!.bytesBeyondLen).toBeGreaterThanOrEqual(facts.minBytesBeyondLen!);
    // The default source path is the module heapscope built: the statement is found there.
    expect(holder.sourceLines!.map((l) => `${l.file}: ${l.text}`)).toContain(`main.go: ${truth.statement}`);
    expect(report.retention.sliceFindings.map((f) => f.holder)).toEqual([truth.holder]);
    const hint = report.hints.find((h) => h.title === report.retention.sliceFindings[0]!.hint.title)!;
    expect(hint.fix).toContain(truth.fixMentions);
    expect(hint.evidence.some((e) => e.endsWith(`: ${truth.statement}`))).toBe(true);
    // A suspect or live site's heldBy entry carries the same typed fields.
    const held = report.liveHeapBySite.flatMap((s) => s.heldBy ?? []).find((h) => h.root === "*main.metrics");
    if (held) expect(held.type).toBe("main.registry");
    const cost = report.notes.find((n) => n.startsWith("Heap dump ("))!;
    expect(cost).toMatch(
      /\d+ ms to analyse \(read \d+ ms, holders \d+ ms, DWARF \d+ ms after reading it during the observation, types \d+ ms\)/,
    );
    console.log(`doctor (registry, ${GO_DEFAULT}): ${cost}`);
    // The HTML report shows the type and the statement, escaped.
    const page = readFileSync(html, "utf8");
    expect(page).toContain("type main.registry");
    expect(page).toContain("s.points = s.points[:0]");
    expect(page).toContain("*main.metrics → .series → value → .points");
  }, 180_000);

  it("with -ldflags=-w: says once that types are lost and keeps the untyped holders", async () => {
    const report = await doctor(["-ldflags=-w"]);
    expect(report.retention.types).toBeNull();
    expect(report.retention.limits.filter((l) => l === NO_DWARF_LIMIT)).toHaveLength(1);
    expect(report.retention.sliceFindings).toEqual([]);
    expect(report.holders[0]!.root).not.toBe("");
    expect(report.holders.every((h) => !("type" in h))).toBe(true);
    expect(report.hints.some((h) => h.title.includes("beyond its len"))).toBe(false);
  }, 180_000);
});
