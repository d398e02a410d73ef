/**
 * The DWARF reader against real Go binaries of Go 1.19 (DWARF 4), the default Go and Go 1.27.3
 * (DWARF 5), all with zlib-compressed sections as Go links them:
 *   - test/e2e/dwarf/programs/gotypes prints its globals' addresses and sizes and its structs'
 *     sizes and field offsets (from unsafe): the reader must agree;
 *   - test/e2e/dwarf/programs/dwarforacle reads the same binary with Go's debug/dwarf: every
 *     global, every named structure's layout and every closure capture must be the same;
 *   - map storage layouts: buckets before Go 1.24, Swiss tables after;
 *   - the same binary uncompressed (-compressdwarf=false), or with GNU .zdebug sections (objcopy),
 *     reads the same; -w and -s -w binaries have no DWARF (null);
 *   - damaged sections fail with one InputError naming the binary, and mutated ones never crash.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { readGoDwarf } from "../../../src/formats/dwarf/go-dwarf.js";
import { parseElf } from "../../../src/formats/elf/elf-file.js";
import type { GoType, GoTypeTable } from "../../../src/model/go-types.js";
import { buildGoProgram, workDir } from "../../support/go.js";
import { GO_DEFAULT, goToolchains, type ToolchainCommand } from "../../support/go-toolchains.js";

const execFileAsync = promisify(execFile);
const programDir = path.resolve(import.meta.dirname, "programs/gotypes");
const oracleDir = path.resolve(import.meta.dirname, "programs/dwarforacle");

interface ProgramReport {
  globals: { name: string; addr: number; size: number }[];
  sizes: Record<string, number>;
  offsets: Record<string, number>;
  closure: string;
  queuePointerType: number;
}

interface OracleReport {
  globals: { name: string; address: number; type: string }[] | null;
  structs: Record<
    string,
    { size: number; kind: number; fields: { name: string; offset: number; type: string }[] }
  >;
  captures: { function: string; name: string; offset: number; type: string }[] | null;
}

async function oracle(binary: string): Promise<OracleReport> {
  const tool = await buildGoProgram(oracleDir);
  const { stdout } = await execFileAsync(tool, [binary], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as OracleReport;
}

function read(binary: string): GoTypeTable {
  const table = readGoDwarf(new Uint8Array(readFileSync(binary)), binary);
  if (!table) throw new Error(`${binary} has no DWARF`);
  return table;
}

function typeNamed(table: GoTypeTable, name: string): GoType | undefined {
  return table.types.find(
    (t) => t.name === name && (t.kind === "struct" || t.kind === "slice" || t.kind === "string"),
  );
}

function nameOf(table: GoTypeTable, id: number): string {
  return id >= 0 ? table.types[id]!.name : "";
}

describe.each(goToolchains)("DWARF of a Go binary built by $label", (toolchain: ToolchainCommand) => {
  let binary: string;
  let report: ProgramReport;
  let table: GoTypeTable;
  let truth: OracleReport;

  beforeAll(async () => {
    binary = await buildGoProgram(programDir, { toolchain: toolchain.label });
    const { stdout } = await execFileAsync(binary, []);
    report = JSON.parse(stdout) as ProgramReport;
    table = read(binary);
    truth = await oracle(binary);
  });

  it("reads the DWARF version Go writes: 4 before Go 1.25, 5 from it", () => {
    expect(table.dwarfVersion).toBe(toolchain.label === "go1.19" ? 4 : 5);
    expect(table.pointerSize).toBe(8);
  });

  it("places each global where the program finds it, with its type's size", () => {
    for (const g of report.globals) {
      const found = table.globals.find((x) => x.name === g.name);
      expect(found, g.name).toBeDefined();
      expect(found!.address, g.name).toBe(g.addr);
      expect(table.types[found!.type]!.size, g.name).toBe(g.size);
    }
  });

  it("gives struct sizes and field offsets equal to unsafe.Sizeof and unsafe.Offsetof", () => {
    for (const [name, size] of Object.entries(report.sizes))
      expect(typeNamed(table, name)?.size, name).toBe(size);
    for (const [key, offset] of Object.entries(report.offsets)) {
      const dot = key.lastIndexOf(".");
      const type = typeNamed(table, key.slice(0, dot))!;
      expect(type.fields.find((f) => f.name === key.slice(dot + 1))?.offset, key).toBe(offset);
    }
  });

  it("finds every global debug/dwarf finds, at the same address, with the same type", () => {
    const expected = (truth.globals ?? []).map((g) => ({ name: g.name, address: g.address, type: g.type }));
    const actual = table.globals.map((g) => ({
      name: g.name,
      address: g.address,
      type: nameOf(table, g.type),
    }));
    expect(expected.length).toBeGreaterThan(100);
    expect(actual).toEqual(expected);
  });

  it("lays out every named structure as debug/dwarf does", () => {
    const names = Object.keys(truth.structs);
    expect(names.length).toBeGreaterThan(100);
    for (const name of names) {
      const expected = truth.structs[name]!;
      const type = typeNamed(table, name);
      expect(type, name).toBeDefined();
      expect(type!.size, name).toBe(expected.size);
      const fields = type!.fields.map((f) => ({
        name: f.name,
        offset: f.offset,
        type: nameOf(table, f.type),
      }));
      expect(fields, name).toEqual(expected.fields ?? []);
    }
  });

  it("states closure captures exactly where DWARF does (Go ≥ 1.23)", () => {
    const expected = (truth.captures ?? [])
      .map((c) => `${c.function} ${c.name}@${c.offset}:${c.type}`)
      .sort();
    const actual = table.functions
      .flatMap((f) =>
        f.closureVariables.map((v) => `${f.name} ${v.name}@${v.offset}:${nameOf(table, v.type)}`),
      )
      .sort();
    expect(actual).toEqual(expected);
    const callback = table.functions.find((f) => f.name === "main.main.func1")!;
    expect(callback.entry).toBe(Number.parseInt(report.closure, 16));
    if (toolchain.label === "go1.19") expect(callback.closureVariables).toEqual([]);
    else
      expect(callback.closureVariables.map((v) => [v.name, v.offset, nameOf(table, v.type)])).toEqual([
        ["&n", 8, "*int"],
      ]);
  });

  it("describes map storage in the layout of the toolchain: buckets before Go 1.24, Swiss tables after", () => {
    const registry = table.types[table.globals.find((g) => g.name === "main.registry")!.type]!;
    expect(registry.kind).toBe("map");
    expect(nameOf(table, registry.key)).toBe("string");
    expect(nameOf(table, registry.elem)).toBe("*main.record");
    const layout = registry.mapLayout!;
    if (toolchain.label === "go1.19") {
      expect(layout.kind).toBe("buckets");
      if (layout.kind !== "buckets") return;
      const bucket = table.types[layout.bucket]!;
      expect(bucket.fields.map((f) => f.name)).toEqual(["tophash", "keys", "values", "overflow"]);
      expect(bucket.size).toBe(8 + 8 * 16 + 8 * 8 + 8);
    } else {
      expect(layout.kind).toBe("swiss");
      if (layout.kind !== "swiss") return;
      const group = table.types[layout.group]!;
      expect(group.fields[0]!.name).toBe("ctrl");
      expect(group.size).toBe(8 + 8 * (16 + 8));
    }
    // A value over 128 bytes is stored indirectly: the storage holds *main.bigValue.
    const big = table.types[table.globals.find((g) => g.name === "main.bigMap")!.type]!;
    expect(JSON.stringify(storageFieldTypes(table, big))).toContain("*main.bigValue");
  });

  it("resolves an interface's type word (the runtime's descriptor address) to the dynamic type", () => {
    const anyv = table.types[table.globals.find((g) => g.name === "main.anyv")!.type]!;
    const stringer = table.types[table.globals.find((g) => g.name === "main.stringer")!.type]!;
    expect([anyv.kind, anyv.interfaceLayout, anyv.size]).toEqual(["interface", "eface", 16]);
    expect([stringer.kind, stringer.interfaceLayout]).toEqual(["interface", "iface"]);
    const dynamic = table.byRuntimeType.get(report.queuePointerType);
    expect(dynamic === undefined ? undefined : table.types[dynamic]!.name).toBe("*main.queue");
    expect(table.types[dynamic!]!.runtimeType).toBe(report.queuePointerType);
  });
});

/** Names of the types inside a map's bucket or group (to see how keys and values are stored). */
function storageFieldTypes(table: GoTypeTable, map: GoType): string[] {
  const layout = map.mapLayout!;
  const storage = table.types[layout.kind === "buckets" ? layout.bucket : layout.group]!;
  const names: string[] = [];
  const visit = (id: number, depth: number) => {
    const t = table.types[id];
    if (!t || depth > 3) return;
    names.push(t.name);
    for (const f of t.fields) visit(f.type, depth + 1);
    if (t.kind === "array") visit(t.elem, depth + 1);
  };
  visit(storage.id, 0);
  return names;
}

describe("DWARF section encodings and absent DWARF (default Go)", () => {
  const dir = path.join(workDir, "dwarf-variants");
  const uncompressed = () =>
    buildGoProgram(programDir, {
      toolchain: GO_DEFAULT,
      env: { GOFLAGS: "-mod=mod -ldflags=-compressdwarf=false" },
    });

  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
  });

  function globalsOf(table: GoTypeTable) {
    return table.globals.map((g) => `${g.name}@${g.address}:${nameOf(table, g.type)}`);
  }

  it("reads uncompressed sections (-ldflags=-compressdwarf=false) as debug/dwarf does", async () => {
    const binary = await uncompressed();
    const sections = parseElf(new Uint8Array(readFileSync(binary))).sections;
    expect(sections.find((s) => s.name === ".debug_info")!.flags & 0x800).toBe(0);
    const truth = await oracle(binary);
    expect(globalsOf(read(binary))).toEqual(
      (truth.globals ?? []).map((g) => `${g.name}@${g.address}:${g.type}`),
    );
  });

  it("reads GNU .zdebug_* sections (objcopy --compress-debug-sections=zlib-gnu) as the plain ones", async () => {
    const plain = await uncompressed();
    const zdebug = path.join(dir, "gotypes-zdebug");
    await execFileAsync("objcopy", ["--compress-debug-sections=zlib-gnu", plain, zdebug]);
    const names = parseElf(new Uint8Array(readFileSync(zdebug))).sections.map((s) => s.name);
    expect(names).toContain(".zdebug_info");
    expect(names).not.toContain(".debug_info");
    const fromPlain = read(plain);
    const fromZdebug = read(zdebug);
    expect(globalsOf(fromZdebug)).toEqual(globalsOf(fromPlain));
    expect(fromZdebug.types.map((t) => `${t.name}/${t.size}`)).toEqual(
      fromPlain.types.map((t) => `${t.name}/${t.size}`),
    );
  });

  it("finds no DWARF in binaries linked with -w or with -s -w (as go run links)", async () => {
    const toolchain = goToolchains.find((t) => t.label === GO_DEFAULT)!;
    for (const flags of ["-w", "-s -w"]) {
      const out = path.join(dir, `gotypes${flags.replace(/[ -]/g, "")}`);
      await execFileAsync(toolchain.go, ["build", `-ldflags=${flags}`, "-o", out, "."], {
        cwd: programDir,
        env: { ...process.env, ...toolchain.env },
      });
      expect(readGoDwarf(new Uint8Array(readFileSync(out)), out), flags).toBeNull();
    }
  });
});

describe("damaged DWARF", () => {
  let plain: Uint8Array;
  let infoStart: number;
  let infoSize: number;
  let compressedBytes: Uint8Array;
  let zInfoStart: number;

  beforeAll(async () => {
    const binary = await buildGoProgram(programDir, {
      toolchain: GO_DEFAULT,
      env: { GOFLAGS: "-mod=mod -ldflags=-compressdwarf=false" },
    });
    plain = new Uint8Array(readFileSync(binary));
    const info = parseElf(plain).sections.find((s) => s.name === ".debug_info")!;
    infoStart = info.offset;
    infoSize = info.size;
    const zbinary = await buildGoProgram(programDir, { toolchain: GO_DEFAULT });
    compressedBytes = new Uint8Array(readFileSync(zbinary));
    zInfoStart = parseElf(compressedBytes).sections.find((s) => s.name === ".debug_info")!.offset;
  });

  function failure(bytes: Uint8Array): string {
    try {
      readGoDwarf(bytes, "svc.bin");
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      const message = (error as Error).message;
      expect(message.split("\n")).toHaveLength(1);
      return message;
    }
    throw new Error("expected the damaged binary to be refused");
  }

  it("names the binary and the problem when a unit's length runs past the section", () => {
    const bytes = plain.slice();
    new DataView(bytes.buffer).setUint32(infoStart, infoSize + 100, true);
    expect(failure(bytes)).toMatch(
      /^svc\.bin: DWARF: \.debug_info at offset 0x0: unit of \d+ bytes runs past the end/,
    );
  });

  it("names the section when its zlib stream is corrupt or shorter than its header says", () => {
    const corrupt = compressedBytes.slice();
    for (let i = 24 + 10; i < 24 + 60; i++) corrupt[zInfoStart + i] ^= 0x5a;
    expect(failure(corrupt)).toMatch(/^svc\.bin: DWARF: section \.debug_info (does not inflate|inflates to)/);
    const longer = compressedBytes.slice();
    const view = new DataView(longer.buffer);
    view.setUint32(zInfoStart + 8, view.getUint32(zInfoStart + 8, true) + 1, true);
    expect(failure(longer)).toMatch(
      /^svc\.bin: DWARF: section \.debug_info inflates to \d+ bytes, its header says \d+/,
    );
  });

  it("refuses an unknown DWARF version", () => {
    const bytes = plain.slice();
    new DataView(bytes.buffer).setUint16(infoStart + 4, 9, true);
    expect(failure(bytes)).toBe("svc.bin: DWARF: .debug_info at offset 0x0: unsupported DWARF version 9");
  });

  it("either reads or refuses with an InputError when .debug_info bytes are mutated (40 mutants)", () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    let refused = 0;
    for (let n = 0; n < 40; n++) {
      const bytes = plain.slice();
      const flips = 1 + Math.floor(random() * 8);
      for (let k = 0; k < flips; k++)
        bytes[infoStart + Math.floor(random() * infoSize)] = Math.floor(random() * 256);
      try {
        readGoDwarf(bytes, "mutant");
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        refused++;
      }
    }
    // Most single-byte changes hit names or constants and still read; some break the structure.
    expect(refused).toBeGreaterThan(0);
  });
});
