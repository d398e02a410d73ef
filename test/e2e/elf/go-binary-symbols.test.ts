/**
 * The ELF reader against real Go binaries: test/e2e/elf/programs/globals prints the run-time
 * addresses and sizes of its globals (&global, unsafe.Sizeof) and the pcs of a closure and of a
 * function (with runtime.FuncForPC's name and entry); the reader must give the same answers, for Go
 * 1.19, the default Go and the newest, built normally, stripped as `go run` links (-s -w) and as PIE. Cross-compiled
 * binaries (ELF32, big endian) are checked against `go tool nm`.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { parseElf } from "../../../src/formats/elf/elf-file.js";
import {
  compareDumpSegments,
  type GoBinarySymbols,
  loadBiasFor,
  readGoBinarySymbols,
} from "../../../src/formats/elf/go-binary-symbols.js";
import { buildGoProgram, workDir } from "../../support/go.js";
import { GO_DEFAULT, goToolchains, type ToolchainCommand } from "../../support/go-toolchains.js";

const execFileAsync = promisify(execFile);
const programDir = path.resolve(import.meta.dirname, "programs/globals");

interface ProgramReport {
  globals: { name: string; section: string; addr: number; size: number }[];
  functions: { pc: number; entry: number; name: string }[];
}

async function buildAndRun(toolchain: ToolchainCommand, goflags = "") {
  const binary = await buildGoProgram(programDir, {
    toolchain: toolchain.label,
    env: { GOFLAGS: `-mod=mod ${goflags}`.trim() },
  });
  return runAndRead(binary);
}

/** `-ldflags="-s -w"`, as go run links: a value with a space, which GOFLAGS (space-separated) cannot carry. */
async function buildStrippedAndRun(toolchain: ToolchainCommand) {
  mkdirSync(workDir, { recursive: true });
  const dir = mkdtempSync(path.join(workDir, "elf-stripped-"));
  const binary = path.join(dir, "globals");
  try {
    await execFileAsync(toolchain.go, ["build", "-ldflags=-s -w", "-o", binary, "."], {
      cwd: programDir,
      env: { ...process.env, ...toolchain.env },
    });
    return await runAndRead(binary);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runAndRead(binary: string) {
  const { stdout } = await execFileAsync(binary, []);
  const report = JSON.parse(stdout) as ProgramReport;
  const symbols = readGoBinarySymbols(new Uint8Array(readFileSync(binary)), binary);
  return { binary, report, symbols };
}

function sectionOf(symbols: GoBinarySymbols, addr: number): string | undefined {
  const ranges = symbols.dataSections();
  return Object.entries(ranges).find(([, range]) => addr >= range!.start && addr < range!.end)?.[0];
}

describe.each(goToolchains)("a Go binary built by $label", (toolchain) => {
  let plain: Awaited<ReturnType<typeof buildAndRun>>;
  let stripped: Awaited<ReturnType<typeof buildAndRun>>;
  let pie: Awaited<ReturnType<typeof buildAndRun>>;

  beforeAll(async () => {
    plain = await buildAndRun(toolchain);
    stripped = await buildStrippedAndRun(toolchain);
    pie = await buildAndRun(toolchain, "-buildmode=pie");
  });

  it("names each global at the address and size the program reports, in its kind's section", () => {
    const { report, symbols } = plain;
    expect(symbols.hasGlobals).toBe(true);
    expect(report.globals).toHaveLength(5);
    for (const global of report.globals) {
      const expected = { name: global.name, start: global.addr, size: global.size };
      expect(symbols.globalAt(global.addr)).toEqual(expected);
      // Any byte inside is the same variable (a pointer field deep in a struct is named by it).
      expect(symbols.globalAt(global.addr + global.size - 1)).toEqual(expected);
      expect(symbols.globalAt(global.addr + global.size)?.name).not.toBe(global.name);
      if (global.section !== "") expect(sectionOf(symbols, global.addr)).toBe(global.section);
    }
  });

  it("names a closure's code pointer and a pc inside a function as runtime.FuncForPC does", () => {
    const { report, symbols } = plain;
    expect(report.functions.map((f) => f.name)).toEqual(["main.main.func1", "main.callerPc"]);
    for (const fn of report.functions) {
      expect(symbols.funcNameAt(fn.pc)).toBe(fn.name);
      expect(symbols.funcAt(fn.pc)?.entry).toBe(fn.entry);
    }
    // The middle-of-function pc really is past the entry: lookups are by range, not exact entry.
    expect(report.functions[1]!.pc).toBeGreaterThan(report.functions[1]!.entry);
    expect(symbols.funcNameAt(0)).toBeNull();
  });

  it("reads the pclntab layout of the toolchain's era", () => {
    expect(plain.symbols.pclntabLayout).toBe(toolchain.label === "go1.19" ? "1.18" : "1.20");
    expect(plain.symbols.positionIndependent).toBe(false);
  });

  it("still names functions when stripped with -s -w, but has no globals to name", () => {
    const { report, symbols } = stripped;
    expect(symbols.hasGlobals).toBe(false);
    expect(symbols.globalCount).toBe(0);
    for (const global of report.globals) expect(symbols.globalAt(global.addr)).toBeNull();
    for (const fn of report.functions) expect(symbols.funcNameAt(fn.pc)).toBe(fn.name);
    // The section ranges remain, so a dump can still be matched against the binary.
    expect(symbols.dataSections().data).toBeDefined();
  });

  it("resolves a position-independent binary once given the load bias", () => {
    const { report, symbols } = pie;
    expect(symbols.positionIndependent).toBe(true);
    const [first, ...others] = report.globals;
    const linkTime = [...symbols.globalSymbols()].find((g) => g.name === first!.name)!;
    const biased = symbols.withLoadBias(first!.addr - linkTime.start);
    expect(biased.loadBias % 4096).toBe(0);
    for (const global of others) {
      expect(biased.globalAt(global.addr)).toEqual({
        name: global.name,
        start: global.addr,
        size: global.size,
      });
    }
    for (const fn of report.functions)
      expect(biased.funcAt(fn.pc)).toMatchObject({ name: fn.name, entry: fn.entry });
    // loadBiasFor derives the same bias from where a dump says the data segment starts.
    const dataStart = biased.dataSections().data!.start;
    expect(loadBiasFor(symbols, dataStart)).toBe(biased.loadBias);
    expect(compareDumpSegments(biased, { data: biased.dataSections().data })).toEqual([]);
    expect(compareDumpSegments(symbols, { data: biased.dataSections().data })).toHaveLength(1);
  });

  it("agrees with `go tool nm` on every data symbol and function", async () => {
    await expectAgreesWithNm(plain.binary, plain.symbols, toolchain);
  });
});

/**
 * Symbols of the data sections and functions as `go tool nm -size` lists them, checked one by one.
 * nm reads `.symtab`, whose function names differ from the runtime's (`.gopclntab`) in two spellings:
 * assembly ABI wrappers carry `.abi0`, generated names use `.` where the runtime prints `·`, and
 * Go 1.19's runtime names array-equality functions with `[...]` for the length.
 */
async function expectAgreesWithNm(binary: string, symbols: GoBinarySymbols, toolchain: ToolchainCommand) {
  const { stdout } = await execFileAsync(toolchain.go, ["tool", "nm", "-size", binary], {
    env: { ...process.env, ...toolchain.env },
    maxBuffer: 64 << 20,
  });
  const ranges = Object.values(symbols.dataSections());
  const runtimeSpelling = (name: string) =>
    name
      .replace(/\.abi0$/, "")
      .replaceAll("·", ".")
      .replace(/\[\d+\]/g, "[...]");
  const mismatches: string[] = [];
  let globals = 0;
  let functions = 0;
  for (const line of stdout.split("\n")) {
    const match = /^\s*([0-9a-f]+)\s+(\d+)\s+(\S)\s+(.+)$/.exec(line);
    if (!match) continue;
    const addr = Number.parseInt(match[1]!, 16);
    const size = Number(match[2]);
    const [kind, name] = [match[3]!, match[4]!];
    if (size === 0) continue;
    if ("DdBb".includes(kind) && ranges.some((r) => addr >= r!.start && addr < r!.end)) {
      const found = symbols.globalAt(addr);
      if (found?.name !== name || found.start !== addr || found.size !== size) {
        mismatches.push(`${name} ${addr}+${size}: ${JSON.stringify(found)}`);
      }
      globals++;
    } else if ("Tt".includes(kind) && name !== "go:buildid" && name !== "go.buildid") {
      const found = symbols.funcAt(addr);
      if (!found || runtimeSpelling(found.name) !== runtimeSpelling(name) || found.entry !== addr) {
        mismatches.push(`${name} ${addr}: ${JSON.stringify(found)}`);
      }
      functions++;
    }
  }
  expect(mismatches).toEqual([]);
  expect(globals).toBeGreaterThan(100);
  expect(functions).toBeGreaterThan(1000);
  expect(globals).toBe(symbols.globalCount);
}

describe.each([
  { goarch: "386", is64: false, littleEndian: true },
  { goarch: "arm64", is64: true, littleEndian: true },
  { goarch: "s390x", is64: true, littleEndian: false },
  { goarch: "mips", is64: false, littleEndian: false },
])("a binary cross-compiled for $goarch", ({ goarch, is64, littleEndian }) => {
  const toolchain = goToolchains.find((t) => t.label === GO_DEFAULT)!;
  let binary: string;
  let symbols: GoBinarySymbols;

  beforeAll(async () => {
    binary = await buildGoProgram(programDir, { env: { GOARCH: goarch, CGO_ENABLED: "0" } });
    symbols = readGoBinarySymbols(new Uint8Array(readFileSync(binary)), binary);
  });

  it("is read in its class and byte order", () => {
    const elf = parseElf(new Uint8Array(readFileSync(binary)));
    expect({ is64: elf.is64, littleEndian: elf.littleEndian }).toEqual({ is64, littleEndian });
    expect(
      symbols.globalAt([...symbols.globalSymbols()].find((g) => g.name === "main.limits")!.start)?.size,
    ).toBe(32);
  });

  it("agrees with `go tool nm` on every data symbol and function", async () => {
    await expectAgreesWithNm(binary, symbols, toolchain);
  });
});

describe("input that is not a Go ELF binary", () => {
  const goBinaryBytes = async () => {
    const binary = await buildGoProgram(programDir);
    return new Uint8Array(readFileSync(binary));
  };

  it("names the file and says it is not ELF", () => {
    expect(() => readGoBinarySymbols(new TextEncoder().encode("#!/bin/sh\necho hi\n"), "run.sh")).toThrow(
      new InputError("run.sh", "not an ELF file (no \\x7fELF header)"),
    );
  });

  it("says an ELF file without Go's function table is not a Go binary", () => {
    const file = "/usr/bin/env";
    expect(() => readGoBinarySymbols(new Uint8Array(readFileSync(file)), file)).toThrow(
      /\/usr\/bin\/env: no \.gopclntab section/,
    );
  });

  it("reports a truncated binary instead of reading past its end", async () => {
    const bytes = await goBinaryBytes();
    for (const length of [20, 64, 4096, Math.floor(bytes.length / 2)]) {
      expect(() => readGoBinarySymbols(bytes.subarray(0, length), "cut")).toThrow(InputError);
    }
  });

  it("reports a damaged function table", async () => {
    const bytes = (await goBinaryBytes()).slice();
    const elf = parseElf(bytes);
    const pclntab = elf.sections.find((s) => s.name === ".gopclntab")!;
    bytes.fill(0x41, pclntab.offset, pclntab.offset + 4);
    expect(() => readGoBinarySymbols(bytes, "bad")).toThrow(/^bad: \.gopclntab has an unknown magic/);
    bytes.set([0xfa, 0xff, 0xff, 0xff], pclntab.offset);
    expect(() => readGoBinarySymbols(bytes, "old")).toThrow(/Go 1\.17 or older/);
  });
});
