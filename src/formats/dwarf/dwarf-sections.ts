/**
 * The DWARF sections of an ELF file, decompressed: `SHF_COMPRESSED` sections (an ELF compression
 * header, then a zlib stream; what Go's linker writes since 1.11 and what `objcopy
 * --compress-debug-sections` writes) and the older GNU `.zdebug_*` sections ("ZLIB", the
 * uncompressed size as 8 big-endian bytes, then a zlib stream).
 *
 * Decompression is pure computation (node:zlib's synchronous inflate), capped at the size each
 * header declares so a hostile header cannot make it allocate without bound.
 */
import { inflateSync } from "node:zlib";
import { FormatError } from "../../errors.js";
import type { GoStoredSection } from "../../model/go-types.js";
import { type ElfFile, type ElfSection, ElfView, SectionFlag, SectionType } from "../elf/elf-file.js";

/** The sections the DWARF reader looks at, without the leading "." / ".z". */
export const DWARF_SECTION_NAMES = [
  "debug_info",
  "debug_abbrev",
  "debug_str",
  "debug_line_str",
  "debug_str_offsets",
  "debug_addr",
  "debug_loc",
  "debug_loclists",
] as const;
export type DwarfSectionName = (typeof DWARF_SECTION_NAMES)[number];

export type DwarfSections = Partial<Record<DwarfSectionName, Uint8Array>>;

/** ELFCOMPRESS_ZLIB; 2 is ELFCOMPRESS_ZSTD, which node:zlib of Node 20 cannot inflate. */
const ELFCOMPRESS_ZLIB = 1;
const ELFCOMPRESS_ZSTD = 2;
/** No DWARF section of a real program comes near this; a header that claims more is damaged. */
const MAX_DECOMPRESSED_BYTES = 2 ** 31 - 1;

/**
 * The decompressed DWARF sections present in `elf` (none when it was linked with -w or -s), but for
 * those `deferred`: storedDwarfSection reads them as stored, to be inflated when needed.
 */
export function readDwarfSections(elf: ElfFile, deferred: readonly DwarfSectionName[] = []): DwarfSections {
  const sections: DwarfSections = {};
  for (const name of DWARF_SECTION_NAMES) {
    if (deferred.includes(name)) continue;
    const stored = findStored(elf, name);
    if (stored) sections[name] = inflateStored(stored);
  }
  return sections;
}

/**
 * A section as `elf` stores it, in bytes of its own (not a view into the binary): its plain bytes,
 * or its zlib stream and the size that inflates to (the compression header is checked here).
 */
export function storedDwarfSection(elf: ElfFile, name: DwarfSectionName): GoStoredSection | undefined {
  const stored = findStored(elf, name);
  if (!stored) return undefined;
  return "bytes" in stored
    ? { bytes: new Uint8Array(stored.bytes) }
    : { name: stored.name, zlib: new Uint8Array(stored.zlib), size: stored.size };
}

/** A stored section's bytes, inflated when compressed. FormatError when its stream is damaged. */
export function inflateStored(section: GoStoredSection): Uint8Array {
  return "bytes" in section ? section.bytes : inflate(section.name, section.zlib, section.size);
}

function findStored(elf: ElfFile, name: DwarfSectionName): GoStoredSection | undefined {
  const plain = elf.sections.find((s) => s.name === `.${name}`);
  const gnu = plain ? undefined : elf.sections.find((s) => s.name === `.z${name}`);
  const section = plain ?? gnu;
  if (!section || section.type === SectionType.Nobits) return undefined;
  const stored = elf.bytes.subarray(section.offset, section.offset + section.size);
  if ((section.flags & SectionFlag.Compressed) !== 0) return elfCompressed(elf, section, stored);
  if (gnu) return gnuCompressed(section, stored);
  return { bytes: stored };
}

function elfCompressed(elf: ElfFile, section: ElfSection, stored: Uint8Array): GoStoredSection {
  const view = new ElfView(stored, elf.littleEndian, elf.is64);
  const headerSize = elf.is64 ? 24 : 12;
  if (stored.length < headerSize) {
    throw new FormatError(`section ${section.name} is compressed but too short for its compression header`);
  }
  const type = view.u32(0);
  const size = elf.is64 ? view.u64(8) : view.u32(4);
  if (type === ELFCOMPRESS_ZSTD) {
    throw new FormatError(
      `section ${section.name} is compressed with zstd, which this Node.js cannot inflate (rebuild without -ldflags=-compressdwarf, or compress with zlib)`,
    );
  }
  if (type !== ELFCOMPRESS_ZLIB) {
    throw new FormatError(`section ${section.name} uses unknown compression type ${type}`);
  }
  return { name: section.name, zlib: stored.subarray(headerSize), size };
}

function gnuCompressed(section: ElfSection, stored: Uint8Array): GoStoredSection {
  const magic = "ZLIB";
  if (stored.length < 12 || [...magic].some((c, i) => stored[i] !== c.charCodeAt(0))) {
    throw new FormatError(
      `section ${section.name} does not start with the "ZLIB" header of .zdebug sections`,
    );
  }
  let size = 0;
  for (let i = 4; i < 12; i++) size = size * 256 + stored[i]!;
  return { name: section.name, zlib: stored.subarray(12), size };
}

function inflate(name: string, stream: Uint8Array, declaredSize: number): Uint8Array {
  if (declaredSize > MAX_DECOMPRESSED_BYTES) {
    throw new FormatError(
      `section ${name} claims ${declaredSize} bytes uncompressed, more than any DWARF section`,
    );
  }
  let out: Uint8Array;
  try {
    out = inflateSync(stream, { maxOutputLength: Math.max(1, declaredSize) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FormatError(`section ${name} does not inflate (${reason})`);
  }
  if (out.length !== declaredSize) {
    throw new FormatError(`section ${name} inflates to ${out.length} bytes, its header says ${declaredSize}`);
  }
  return out;
}
