/**
 * The parts of an ELF file heapscope needs from a Go binary: the header, the section headers and
 * their names, and a section's bytes. ELF32 and ELF64, little and big endian; pure, over a Uint8Array.
 *
 * Addresses and sizes are numbers: exact below 2^53, which every user-space address is; a larger
 * value is reported as corrupt rather than rounded. Every offset and size read from the file is
 * checked against the file's length before use.
 */
import { FormatError } from "../../errors.js";

export const SectionType = { Null: 0, Progbits: 1, Symtab: 2, Strtab: 3, Nobits: 8 } as const;
export const SectionFlag = { Write: 0x1, Alloc: 0x2, Exec: 0x4, Compressed: 0x800 } as const;
/** e_type values: an executable at a fixed address, or position independent (PIE or shared object). */
export const ElfType = { Exec: 2, Dyn: 3 } as const;

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  /** Virtual address when loaded (0 for sections that are not loaded). */
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
}

export interface ElfFile {
  bytes: Uint8Array;
  is64: boolean;
  littleEndian: boolean;
  /** e_type: 2 executable, 3 position independent. */
  type: number;
  /** e_machine: 62 x86-64, 183 AArch64, 3 i386, 40 ARM, … */
  machine: number;
  sections: ElfSection[];
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const SHN_XINDEX = 0xffff;

/** Field reads of one byte order and word size, bounds-checked. */
export class ElfView {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    readonly is64: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8(offset: number): number {
    this.check(offset, 1);
    return this.view.getUint8(offset);
  }

  u16(offset: number): number {
    this.check(offset, 2);
    return this.view.getUint16(offset, this.littleEndian);
  }

  u32(offset: number): number {
    this.check(offset, 4);
    return this.view.getUint32(offset, this.littleEndian);
  }

  u64(offset: number): number {
    this.check(offset, 8);
    const value = this.view.getBigUint64(offset, this.littleEndian);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new FormatError(
        `value 0x${value.toString(16)} at offset ${offset} is too large to be an address`,
      );
    }
    return Number(value);
  }

  /** A target word: 8 bytes in ELF64, 4 in ELF32. */
  word(offset: number): number {
    return this.is64 ? this.u64(offset) : this.u32(offset);
  }

  private check(offset: number, size: number): void {
    if (offset < 0 || offset + size > this.bytes.length) {
      throw new FormatError(`truncated: needs bytes ${offset}..${offset + size} of ${this.bytes.length}`);
    }
  }
}

/** Parses the ELF header and section headers. Throws FormatError when the bytes are not a valid ELF file. */
export function parseElf(bytes: Uint8Array): ElfFile {
  if (bytes.length < 16 || ELF_MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw new FormatError("not an ELF file (no \\x7fELF header)");
  }
  const elfClass = bytes[4];
  const dataEncoding = bytes[5];
  if (elfClass !== 1 && elfClass !== 2) throw new FormatError(`unknown ELF class ${elfClass}`);
  if (dataEncoding !== 1 && dataEncoding !== 2)
    throw new FormatError(`unknown ELF data encoding ${dataEncoding}`);
  const view = new ElfView(bytes, dataEncoding === 1, elfClass === 2);
  const is64 = view.is64;
  const type = view.u16(16);
  const machine = view.u16(18);
  const shoff = view.word(is64 ? 40 : 32);
  const shentsize = view.u16(is64 ? 58 : 46);
  let shnum = view.u16(is64 ? 60 : 48);
  let shstrndx = view.u16(is64 ? 62 : 50);
  if (shoff === 0) return { bytes, is64, littleEndian: view.littleEndian, type, machine, sections: [] };
  const minEntry = is64 ? 64 : 40;
  if (shentsize < minEntry) throw new FormatError(`section header entry size ${shentsize} is too small`);
  // More than 0xff00 sections: the real count and string-table index live in section 0.
  if (shnum === 0) shnum = readSectionHeader(view, shoff, 0).size;
  if (shstrndx === SHN_XINDEX) shstrndx = readSectionHeader(view, shoff, 0).link;
  if (shoff + shnum * shentsize > bytes.length) {
    throw new FormatError(`section headers (${shnum} at offset ${shoff}) run past the end of the file`);
  }
  const sections: (ElfSection & { nameOffset: number })[] = [];
  for (let i = 0; i < shnum; i++) sections.push(readSectionHeader(view, shoff + i * shentsize, i));
  for (const section of sections) {
    if (section.type !== SectionType.Nobits && section.offset + section.size > bytes.length) {
      throw new FormatError(
        `section ${section.index} (offset ${section.offset}, size ${section.size}) runs past the end of the file`,
      );
    }
  }
  const names = sections[shstrndx];
  if (shstrndx !== 0 && names) {
    for (const section of sections)
      section.name = cString(bytes, names.offset, names.size, section.nameOffset);
  }
  return {
    bytes,
    is64,
    littleEndian: view.littleEndian,
    type,
    machine,
    sections: sections.map(({ nameOffset: _, ...section }) => section),
  };
}

function readSectionHeader(view: ElfView, at: number, index: number): ElfSection & { nameOffset: number } {
  const w = view.is64 ? 8 : 4;
  // ELF64: name, type (4 bytes each), then flags, addr, offset, size (words), link, info (4 bytes),
  // addralign, entsize (words). ELF32 uses 4-byte words throughout, in the same order.
  const flagsAt = at + 8;
  const addrAt = flagsAt + w;
  const offsetAt = addrAt + w;
  const sizeAt = offsetAt + w;
  const linkAt = sizeAt + w;
  return {
    index,
    name: "",
    nameOffset: view.u32(at),
    type: view.u32(at + 4),
    flags: view.word(flagsAt),
    addr: view.word(addrAt),
    offset: view.word(offsetAt),
    size: view.word(sizeAt),
    link: view.u32(linkAt),
    info: view.u32(linkAt + 4),
    entsize: view.word(linkAt + 8 + w),
  };
}

/** A NUL-terminated string at `offset` inside the table [tableStart, tableStart+tableSize). */
export function cString(bytes: Uint8Array, tableStart: number, tableSize: number, offset: number): string {
  if (offset >= tableSize) return "";
  const start = tableStart + offset;
  const limit = tableStart + tableSize;
  let end = start;
  while (end < limit && bytes[end] !== 0) end++;
  return utf8.decode(bytes.subarray(start, end));
}

const utf8 = new TextDecoder();

export function findSection(elf: ElfFile, name: string): ElfSection | undefined {
  return elf.sections.find((section) => section.name === name);
}

/** The bytes of a section as stored in the file (empty for SHT_NOBITS, such as .bss). */
export function sectionBytes(elf: ElfFile, section: ElfSection): Uint8Array {
  if (section.type === SectionType.Nobits) return new Uint8Array(0);
  if ((section.flags & SectionFlag.Compressed) !== 0) {
    throw new FormatError(`section ${section.name} is compressed (SHF_COMPRESSED), which is not read here`);
  }
  return elf.bytes.subarray(section.offset, section.offset + section.size);
}
