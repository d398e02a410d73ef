/**
 * Names for addresses in a Go program, read from its ELF binary: global variables (from `.symtab`)
 * and functions (from `.gopclntab`). This is what turns a heap dump's data/BSS root offsets and
 * function pointers into `main.registry` and `main.main.func1`.
 *
 * Addresses given to and returned by the resolver are run-time addresses. For a position-independent
 * binary (ELF type DYN, e.g. `-buildmode=pie`) they differ from the file's by the load bias, which
 * the caller knows from the dump (`loadBiasFor`: its data segment start against `.data`).
 */
import { FormatError, InputError } from "../../errors.js";
import { type ElfFile, ElfType, findSection, parseElf, sectionBytes } from "./elf-file.js";
import {
  type AddressRange,
  type DataSectionName,
  dataSectionRanges,
  type GlobalSymbol,
  type GlobalTable,
  readGlobalTable,
  symbolValue,
} from "./elf-symbols.js";
import { GoFuncTable, type GoFunction } from "./go-pclntab.js";

/**
 * The shape the heap-dump analysis asks for (same as model's SymbolResolver; kept here so formats/elf
 * needs nothing from above it).
 */
export interface SymbolResolver {
  globalAt(addr: number): GlobalSymbol | null;
  funcNameAt(pc: number): string | null;
}

export interface GoBinarySymbolsOptions {
  /** Run-time address minus link-time address (0 for ordinary executables). */
  loadBias?: number;
}

export class GoBinarySymbols implements SymbolResolver {
  /** False when the binary has no `.symtab` (`-s`, `go run`, `go test`): no global can be named. */
  readonly hasGlobals: boolean;
  /** True for ELF type DYN (PIE): addresses move by a load bias at run time. */
  readonly positionIndependent: boolean;
  /** `.gopclntab` layout: "1.18" (Go 1.18–1.19) or "1.20" (Go 1.20 and later). */
  readonly pclntabLayout: "1.18" | "1.20";
  /** The bytes of `.go.buildinfo` (for readEmbeddedBuildInfo), when present. */
  readonly buildInfoBytes: Uint8Array | undefined;
  private readonly bias: number;

  constructor(
    readonly elf: ElfFile,
    private readonly globals: GlobalTable,
    private readonly funcs: GoFuncTable,
    options: GoBinarySymbolsOptions = {},
  ) {
    this.hasGlobals = globals.count > 0;
    this.positionIndependent = elf.type === ElfType.Dyn;
    this.pclntabLayout = funcs.layout;
    const buildInfo = findSection(elf, ".go.buildinfo");
    this.buildInfoBytes = buildInfo ? sectionBytes(elf, buildInfo) : undefined;
    this.bias = options.loadBias ?? 0;
  }

  /** The same binary seen at another load bias (for a PIE whose bias the dump revealed). */
  withLoadBias(loadBias: number): GoBinarySymbols {
    return new GoBinarySymbols(this.elf, this.globals, this.funcs, { loadBias });
  }

  get loadBias(): number {
    return this.bias;
  }

  get globalCount(): number {
    return this.globals.count;
  }

  get functionCount(): number {
    return this.funcs.count;
  }

  globalAt(addr: number): GlobalSymbol | null {
    const found = this.globals.at(addr - this.bias);
    return found ? { ...found, start: found.start + this.bias } : null;
  }

  funcNameAt(pc: number): string | null {
    return this.funcs.funcNameAt(pc - this.bias);
  }

  funcAt(pc: number): GoFunction | null {
    const found = this.funcs.funcAt(pc - this.bias);
    return found ? { ...found, entry: found.entry + this.bias, end: found.end + this.bias } : null;
  }

  /** Whether a function of this exact name is in the binary (e.g. the heapscope hook's). */
  hasFunction(name: string): boolean {
    for (const fn of this.funcs.functions()) if (fn.name === name) return true;
    return false;
  }

  /** Run-time ranges of `.data`, `.bss`, `.noptrdata` and `.noptrbss`, those present. */
  dataSections(): Partial<Record<DataSectionName, AddressRange>> {
    const ranges = dataSectionRanges(this.elf);
    for (const range of Object.values(ranges)) {
      range.start += this.bias;
      range.end += this.bias;
    }
    return ranges;
  }

  /** Every global, run-time addresses, in address order. */
  *globalSymbols(): IterableIterator<GlobalSymbol> {
    for (const global of this.globals.entries()) yield { ...global, start: global.start + this.bias };
  }
}

/**
 * Reads a Go ELF binary's names. `name` (the file's path) is used in errors: the bytes must be an ELF
 * file with a Go 1.18+ `.gopclntab`.
 */
export function readGoBinarySymbols(
  bytes: Uint8Array,
  name: string,
  options: GoBinarySymbolsOptions = {},
): GoBinarySymbols {
  try {
    const elf = parseElf(bytes);
    const pclntab = findSection(elf, ".gopclntab") ?? findSection(elf, ".data.rel.ro.gopclntab");
    if (!pclntab)
      throw new FormatError(
        "no .gopclntab section: not a Go binary, or built by a toolchain that does not keep it",
      );
    const text = findSection(elf, ".text");
    const textStart = symbolValue(elf, "runtime.text") ?? text?.addr;
    if (textStart === undefined) throw new FormatError("no .text section and no runtime.text symbol");
    const funcs = GoFuncTable.parse(sectionBytes(elf, pclntab), textStart);
    return new GoBinarySymbols(elf, readGlobalTable(elf), funcs, options);
  } catch (error) {
    if (error instanceof FormatError) throw new InputError(name, error.message);
    throw error;
  }
}

/** Where a dump's data/BSS segment and the binary's section disagree, described for the user. */
export interface SegmentMismatch {
  segment: "data" | "bss";
  binary: AddressRange | undefined;
  dump: AddressRange;
}

/**
 * The load bias that puts the binary's `.data` where the dump found the data segment: 0 for an
 * ordinary executable (whose addresses are fixed), the difference for a PIE.
 */
export function loadBiasFor(symbols: GoBinarySymbols, dumpDataStart: number): number {
  if (!symbols.positionIndependent) return 0;
  const data = dataSectionRanges(symbols.elf).data;
  return data ? dumpDataStart - data.start : 0;
}

/**
 * Checks that a heap dump was written by this binary: the dump's data and BSS segments must be the
 * binary's `.data` and `.bss` (at the resolver's load bias). Returns the mismatches (empty = match).
 */
export function compareDumpSegments(
  symbols: GoBinarySymbols,
  dump: { data?: AddressRange; bss?: AddressRange },
): SegmentMismatch[] {
  const sections = symbols.dataSections();
  const mismatches: SegmentMismatch[] = [];
  for (const segment of ["data", "bss"] as const) {
    const fromDump = dump[segment];
    if (!fromDump) continue;
    const fromBinary = sections[segment];
    if (!fromBinary || fromBinary.start !== fromDump.start || fromBinary.end !== fromDump.end) {
      mismatches.push({ segment, binary: fromBinary, dump: fromDump });
    }
  }
  return mismatches;
}
