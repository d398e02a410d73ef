/**
 * readGoDwarf(bytes, name): the Go types, globals and closure layouts a Go ELF binary's DWARF
 * describes (DWARF 4 from Go ≤ 1.24, DWARF 5 from Go 1.25; zlib-compressed sections of either
 * kind). Returns null when the binary has no DWARF (linked with -w or -s, or by `go run` / `go test`):
 * then nothing about heap objects' types can be known, and globals can only be named from `.symtab`.
 *
 * Addresses are link-time addresses; for a position-independent binary add the load bias.
 * DW_AT_go_runtime_type is written as an offset from the start of the section holding the runtime's
 * type descriptors (`.go.type` from Go 1.26, `.rodata` before; the symbol `runtime.types` marks it):
 * it is turned into the descriptor's address here, which is what an interface's type word holds.
 */
import { FormatError, InputError } from "../../errors.js";
import type {
  GoDwarfSections,
  GoFunctionInfo,
  GoGlobal,
  GoInfoParts,
  GoStoredSection,
  GoTypeTable,
  GoVariableEntries,
} from "../../model/go-types.js";
import { type ElfFile, findSection, parseElf } from "../elf/elf-file.js";
import { symbolValue } from "../elf/elf-symbols.js";
import { Tag } from "./dwarf-constants.js";
import { type Die, type DwarfInfo, readDwarfInfo } from "./dwarf-info.js";
import { type DwarfSections, readDwarfSections, storedDwarfSection } from "./dwarf-sections.js";
import { GoTypeBuilder } from "./go-dwarf-types.js";

export function readGoDwarf(bytes: Uint8Array, name: string): GoTypeTable | null {
  try {
    return goDwarfOfElf(parseElf(bytes));
  } catch (error) {
    if (error instanceof FormatError) throw new InputError(name, `DWARF: ${error.message}`);
    throw error;
  }
}

export function goDwarfOfElf(elf: ElfFile): GoTypeTable | null {
  const sections = readDwarfSections(elf, LOCATION_LISTS);
  if (!sections.debug_info || sections.debug_info.length === 0) return null;
  return goDwarfOfSections(sections, {
    littleEndian: elf.littleEndian,
    is64: elf.is64,
    typesBase: typeDescriptorsBase(elf),
    loc: storedDwarfSection(elf, "debug_loc"),
    loclists: storedDwarfSection(elf, "debug_loclists"),
  });
}

/** Read only for the functions a heap dump's frames hold, so inflated only then. */
const LOCATION_LISTS = ["debug_loc", "debug_loclists"] as const;

/** What the table needs of the binary besides its DWARF. */
export interface GoBinaryShape {
  littleEndian: boolean;
  is64: boolean;
  /** Where the runtime's type descriptors start; undefined when the binary does not say. */
  typesBase: number | undefined;
  /** The location list sections as stored, when `sections` leaves them out. */
  loc?: GoStoredSection | undefined;
  loclists?: GoStoredSection | undefined;
}

/** The table from DWARF sections already taken out of their binary. */
export function goDwarfOfSections(sections: DwarfSections, binary: GoBinaryShape): GoTypeTable {
  const info = readDwarfInfo(sections, binary.littleEndian);
  const pointerSize = info.units[0]?.addressSize ?? (binary.is64 ? 8 : 4);
  const builder = new GoTypeBuilder(info.dies, pointerSize);
  const globals = readGlobals(info, builder);
  const functions = readFunctions(info, builder);
  // Every type entry, so a type met only through an interface's type word is known too.
  const { typesBase } = binary;
  const byRuntimeType = new Map<number, number>();
  for (const die of info.dies.values()) {
    const id = builder.typeOf(die.offset);
    if (id < 0 || !die.goRuntimeType || typesBase === undefined) continue;
    const address = typesBase + die.goRuntimeType;
    if (!byRuntimeType.has(address)) byRuntimeType.set(address, id);
  }
  for (const type of builder.types)
    type.runtimeType = typesBase === undefined || !type.runtimeType ? 0 : typesBase + type.runtimeType;
  return {
    pointerSize,
    littleEndian: binary.littleEndian,
    dwarfVersion: info.version,
    types: builder.types,
    byRuntimeType,
    globals,
    functions,
    variableEntries: variableEntries(info, sections, builder, binary),
  };
}

/** Where the runtime's type descriptors start (what DW_AT_go_runtime_type offsets count from). */
function typeDescriptorsBase(elf: ElfFile): number | undefined {
  return (
    symbolValue(elf, "runtime.types") ??
    findSection(elf, ".go.type")?.addr ??
    findSection(elf, ".data.rel.ro")?.addr ??
    findSection(elf, ".rodata")?.addr
  );
}

function readGlobals(info: DwarfInfo, builder: GoTypeBuilder): GoGlobal[] {
  const globals: GoGlobal[] = [];
  for (const unit of info.units) {
    for (const die of unit.root.children ?? []) {
      if (die.tag !== Tag.Variable || die.address === undefined || !die.name) continue;
      globals.push({ name: die.name, address: die.address, type: builder.typeOf(die.type) });
    }
  }
  return globals.sort((a, b) => a.address - b.address);
}

function readFunctions(info: DwarfInfo, builder: GoTypeBuilder): GoFunctionInfo[] {
  const functions: GoFunctionInfo[] = [];
  info.units.forEach((unit, unitIndex) => {
    for (const die of unit.root.children ?? []) {
      if (die.tag !== Tag.Subprogram || die.lowPc === undefined) continue;
      const name = die.name ?? originName(info, die);
      if (!name) continue;
      const closureVariables = [];
      for (const v of die.children ?? []) {
        if (v.tag !== Tag.Variable || v.goClosureOffset === undefined || !v.name) continue;
        closureVariables.push({ name: v.name, offset: v.goClosureOffset, type: builder.typeOf(v.type) });
      }
      closureVariables.sort((a, b) => a.offset - b.offset);
      const variablesStart = die.childrenStart ?? 0;
      functions.push({
        name,
        entry: die.lowPc,
        end: die.highPc ?? die.lowPc,
        closureVariables,
        unit: unitIndex,
        variablesStart,
        variablesEnd: die.childrenEnd ?? variablesStart,
        frameBaseIsCfa: die.frameBaseCfa ?? false,
      });
    }
  });
  return functions.sort((a, b) => a.entry - b.entry);
}

function originName(info: DwarfInfo, die: Die): string | undefined {
  return die.abstractOrigin === undefined ? undefined : info.dies.get(die.abstractOrigin)?.name;
}

/** What functions' variables are read from later (go-frame-variables.ts), after every type is built. */
function variableEntries(
  info: DwarfInfo,
  sections: DwarfSections,
  builder: GoTypeBuilder,
  binary: GoBinaryShape,
): GoVariableEntries {
  const own: GoDwarfSections = {};
  for (const name of ATTRIBUTE_SECTIONS) {
    const bytes = ownBytes(sections[name]);
    if (bytes) own[name] = bytes;
  }
  const stored = (bytes: Uint8Array | undefined) => (bytes ? { bytes: ownBytes(bytes)! } : undefined);
  const { offsets, ids } = builder.typeEntries();
  return {
    info: infoParts(info, sections.debug_info!),
    sections: own,
    loc: binary.loc ?? stored(sections.debug_loc),
    loclists: binary.loclists ?? stored(sections.debug_loclists),
    units: info.units.map((u) => ({
      offset: u.offset,
      end: u.end,
      version: u.version,
      addressSize: u.addressSize,
      offsetSize: u.offsetSize,
      abbrevOffset: u.abbrevOffset,
      base: u.root.lowPc ?? 0,
      addrBase: u.addrBase,
      strOffsetsBase: u.strOffsetsBase,
      loclistsBase: u.loclistsBase,
    })),
    typeOffsets: offsets,
    typeIds: ids,
  };
}

/**
 * The parts of .debug_info functions' variables are read from: each function's children, and each
 * abstract instance whole (its entry, for the inlined function's name, and its children).
 */
function infoParts(info: DwarfInfo, section: Uint8Array): GoInfoParts {
  const starts: number[] = [];
  const ends: number[] = [];
  let total = 0;
  for (const unit of info.units) {
    for (const die of unit.root.children ?? []) {
      if (die.tag !== Tag.Subprogram || die.childrenStart === undefined) continue;
      const start = die.lowPc === undefined ? die.offset : die.childrenStart;
      const end = die.childrenEnd ?? die.childrenStart;
      if (end <= start) continue;
      starts.push(start);
      ends.push(end);
      total += end - start;
    }
  }
  const bytes = new Uint8Array(total);
  const at = new Float64Array(starts.length);
  let next = 0;
  for (let k = 0; k < starts.length; k++) {
    at[k] = next;
    bytes.set(section.subarray(starts[k], ends[k]), next);
    next += ends[k]! - starts[k]!;
  }
  return { bytes, starts: Float64Array.from(starts), ends: Float64Array.from(ends), at };
}

/** What an entry's attributes are read with, besides .debug_info. */
const ATTRIBUTE_SECTIONS = [
  "debug_abbrev",
  "debug_str",
  "debug_line_str",
  "debug_str_offsets",
  "debug_addr",
] as const;

/**
 * A section's bytes as a plain Uint8Array that owns its whole buffer: an uncompressed section is a
 * view into the whole binary, which the table would otherwise keep alive (and a worker's structured
 * clone would copy), and an inflated one is a Buffer, which a structured clone turns into a
 * Uint8Array. An inflated section that fills its own buffer is viewed rather than copied.
 */
function ownBytes(bytes: Uint8Array | undefined): Uint8Array | undefined {
  if (!bytes) return undefined;
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength)
    return new Uint8Array(bytes.buffer, 0, bytes.byteLength);
  return new Uint8Array(bytes);
}
