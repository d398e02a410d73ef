/**
 * Data symbols from an ELF `.symtab`: the program's global variables with their addresses and sizes.
 * Go's linker puts every package-level variable in one of four sections: `.data` (initialised, holds
 * pointers), `.bss` (zero, holds pointers), `.noptrdata` and `.noptrbss` (no pointers). A heap dump
 * carries `.data` and `.bss` as roots, so a pointer from there is named by the variable it lies in.
 * `go run`, `go test` and `-ldflags=-s` binaries have no `.symtab`: then there are no globals to name.
 */
import { FormatError } from "../../errors.js";
import { cString, type ElfFile, ElfView, findSection, SectionType, sectionBytes } from "./elf-file.js";

export type DataSectionName = "data" | "bss" | "noptrdata" | "noptrbss";
export const DATA_SECTION_NAMES: readonly DataSectionName[] = ["data", "bss", "noptrdata", "noptrbss"];

/** An address range [start, end). */
export interface AddressRange {
  start: number;
  end: number;
}

/** One global variable: the symbol covering [start, start + size). */
export interface GlobalSymbol {
  name: string;
  start: number;
  size: number;
}

const STT_OBJECT = 1;

/** Link-time address ranges of the four Go data sections that are present. */
export function dataSectionRanges(elf: ElfFile): Partial<Record<DataSectionName, AddressRange>> {
  const ranges: Partial<Record<DataSectionName, AddressRange>> = {};
  for (const name of DATA_SECTION_NAMES) {
    const section = findSection(elf, `.${name}`);
    if (section) ranges[name] = { start: section.addr, end: section.addr + section.size };
  }
  return ranges;
}

/**
 * Global variables sorted by address, as parallel arrays so a lookup is a binary search over numbers.
 * Zero-sized symbols (the linker's section markers such as `runtime.edata`) are left out: they
 * cover no byte.
 */
export class GlobalTable {
  private constructor(
    private readonly starts: Float64Array,
    private readonly sizes: Float64Array,
    private readonly names: readonly string[],
  ) {}

  static empty(): GlobalTable {
    return new GlobalTable(new Float64Array(0), new Float64Array(0), []);
  }

  static fromSymbols(symbols: GlobalSymbol[]): GlobalTable {
    const sorted = symbols.filter((s) => s.size > 0).sort((a, b) => a.start - b.start || b.size - a.size);
    return new GlobalTable(
      Float64Array.from(sorted, (s) => s.start),
      Float64Array.from(sorted, (s) => s.size),
      sorted.map((s) => s.name),
    );
  }

  get count(): number {
    return this.names.length;
  }

  /** The global whose bytes contain `addr` (link-time address), or null. */
  at(addr: number): GlobalSymbol | null {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= addr) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    // Go's data symbols do not overlap; should two start at one address, the larger sorts first,
    // so step back over equal starts to find one long enough.
    for (let i = found; i >= 0 && (i === found || starts[i] === starts[found]); i--) {
      if (addr < starts[i]! + this.sizes[i]!)
        return { name: this.names[i]!, start: starts[i]!, size: this.sizes[i]! };
    }
    return null;
  }

  /** Every global, in address order. */
  *entries(): IterableIterator<GlobalSymbol> {
    for (let i = 0; i < this.names.length; i++) {
      yield { name: this.names[i]!, start: this.starts[i]!, size: this.sizes[i]! };
    }
  }
}

/** Object symbols of `.symtab` that lie in the data sections; an empty table when there is no `.symtab`. */
export function readGlobalTable(elf: ElfFile): GlobalTable {
  const symtab = elf.sections.find((section) => section.type === SectionType.Symtab);
  if (!symtab) return GlobalTable.empty();
  const strtab = elf.sections[symtab.link];
  if (!strtab || strtab.type !== SectionType.Strtab) {
    throw new FormatError(`.symtab links to section ${symtab.link}, which is not a string table`);
  }
  const dataSectionIndexes = new Set<number>();
  for (const name of DATA_SECTION_NAMES) {
    const section = findSection(elf, `.${name}`);
    if (section) dataSectionIndexes.add(section.index);
  }
  const entrySize = elf.is64 ? 24 : 16;
  if (symtab.entsize !== 0 && symtab.entsize < entrySize) {
    throw new FormatError(`.symtab entry size ${symtab.entsize} is too small`);
  }
  const stride = symtab.entsize || entrySize;
  const table = sectionBytes(elf, symtab);
  const view = new ElfView(table, elf.littleEndian, elf.is64);
  const symbols: GlobalSymbol[] = [];
  for (let at = 0; at + entrySize <= table.length; at += stride) {
    const info = elf.is64 ? view.u8(at + 4) : view.u8(at + 12);
    const shndx = elf.is64 ? view.u16(at + 6) : view.u16(at + 14);
    const kind = info & 0xf;
    if (kind !== STT_OBJECT || !dataSectionIndexes.has(shndx)) continue;
    const start = elf.is64 ? view.u64(at + 8) : view.u32(at + 4);
    const size = elf.is64 ? view.u64(at + 16) : view.u32(at + 8);
    if (size === 0) continue;
    const name = cString(elf.bytes, strtab.offset, strtab.size, view.u32(at));
    symbols.push({ name, start, size });
  }
  return GlobalTable.fromSymbols(symbols);
}

/** The value of a named symbol of any kind in `.symtab` (e.g. `runtime.text`), or undefined. */
export function symbolValue(elf: ElfFile, wanted: string): number | undefined {
  const symtab = elf.sections.find((section) => section.type === SectionType.Symtab);
  const strtab = symtab ? elf.sections[symtab.link] : undefined;
  if (!symtab || !strtab) return undefined;
  const entrySize = elf.is64 ? 24 : 16;
  const stride = symtab.entsize || entrySize;
  const table = sectionBytes(elf, symtab);
  const view = new ElfView(table, elf.littleEndian, elf.is64);
  const target = new TextEncoder().encode(wanted);
  for (let at = 0; at + entrySize <= table.length; at += stride) {
    const nameAt = strtab.offset + view.u32(at);
    if (!bytesEqualCString(elf.bytes, nameAt, strtab.offset + strtab.size, target)) continue;
    return elf.is64 ? view.u64(at + 8) : view.u32(at + 4);
  }
  return undefined;
}

function bytesEqualCString(bytes: Uint8Array, at: number, limit: number, target: Uint8Array): boolean {
  if (at + target.length >= limit) return false;
  for (let i = 0; i < target.length; i++) if (bytes[at + i] !== target[i]) return false;
  return bytes[at + target.length] === 0;
}
