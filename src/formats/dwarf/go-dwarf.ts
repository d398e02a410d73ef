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
import type { GoFunctionInfo, GoGlobal, GoTypeTable } from "../../model/go-types.js";
import { type ElfFile, findSection, parseElf } from "../elf/elf-file.js";
import { symbolValue } from "../elf/elf-symbols.js";
import { Tag } from "./dwarf-constants.js";
import { type Die, type DwarfInfo, type DwarfUnit, readDwarfInfo } from "./dwarf-info.js";
import { type DwarfSections, readDwarfSections } from "./dwarf-sections.js";
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
  const sections = readDwarfSections(elf);
  if (!sections.debug_info || sections.debug_info.length === 0) return null;
  const info = readDwarfInfo(sections, elf.littleEndian);
  const pointerSize = info.units[0]?.addressSize ?? (elf.is64 ? 8 : 4);
  const builder = new GoTypeBuilder(info.dies, pointerSize);
  const globals = readGlobals(info, builder);
  const variables = new FrameVariableColumns();
  const functions = readFunctions(info, builder, variables);
  // Every type entry, so a type met only through an interface's type word is known too.
  const typesBase = typeDescriptorsBase(elf);
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
    littleEndian: elf.littleEndian,
    dwarfVersion: info.version,
    types: builder.types,
    byRuntimeType,
    globals,
    functions,
    frameVariables: variables.finish(sections),
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

function readFunctions(
  info: DwarfInfo,
  builder: GoTypeBuilder,
  variables: FrameVariableColumns,
): GoFunctionInfo[] {
  const functions: GoFunctionInfo[] = [];
  for (const unit of info.units) {
    const unitIndex = variables.addUnit(unit);
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
      const firstVariable = variables.count;
      variables.addScope(die, info, builder, unitIndex);
      functions.push({
        name,
        entry: die.lowPc,
        end: die.highPc ?? die.lowPc,
        closureVariables,
        firstVariable,
        variableCount: variables.count - firstVariable,
        frameBaseIsCfa: die.frameBaseCfa ?? false,
      });
    }
  }
  return functions.sort((a, b) => a.entry - b.entry);
}

function originName(info: DwarfInfo, die: Die): string | undefined {
  return die.abstractOrigin === undefined ? undefined : info.dies.get(die.abstractOrigin)?.name;
}

/** Functions' variables and parameters gathered into the table's columns (GoFrameVariables). */
class FrameVariableColumns {
  private readonly names: string[] = [];
  private readonly inlinedIn: number[] = [];
  private readonly inlinedFunctions: string[] = [];
  private readonly inlinedIndex = new Map<string, number>();
  private readonly types: number[] = [];
  private readonly parameters: number[] = [];
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];
  private readonly unitOf: number[] = [];
  private readonly chunks: Uint8Array[] = [];
  private expressionBytes = 0;
  private readonly units: GoTypeTable["frameVariables"]["units"] = [];

  get count(): number {
    return this.names.length;
  }

  addUnit(unit: DwarfUnit): number {
    this.units.push({
      version: unit.version,
      addressSize: unit.addressSize,
      base: unit.root.lowPc ?? 0,
      addrBase: unit.addrBase,
    });
    return this.units.length - 1;
  }

  /**
   * The named variables and parameters of a function or lexical block, and of its nested blocks and
   * inlined subroutines (`inlined`: the index of the inlined function's name, −1 for the function's
   * own). An inlined function's variable counts only with a location list: a single expression
   * would hold only inside the inlined code's ranges, which are not read.
   */
  addScope(scope: Die, info: DwarfInfo, builder: GoTypeBuilder, unit: number, inlined = -1): void {
    for (const v of scope.children ?? []) {
      if (v.tag === Tag.LexicalBlock) {
        this.addScope(v, info, builder, unit, inlined);
        continue;
      }
      if (v.tag === Tag.InlinedSubroutine) {
        const origin = v.abstractOrigin === undefined ? undefined : info.dies.get(v.abstractOrigin);
        if (origin?.name) this.addScope(v, info, builder, unit, this.inlinedFunction(origin.name));
        continue;
      }
      if (v.tag !== Tag.Variable && v.tag !== Tag.FormalParameter) continue;
      if (v.locationList === undefined && (v.locationExpr === undefined || inlined >= 0)) continue;
      // A concrete instance of a function also inlined elsewhere names its variables by origin.
      const origin = v.abstractOrigin === undefined ? undefined : info.dies.get(v.abstractOrigin);
      const name = v.name ?? origin?.name;
      // `batch.ptr`, `batch.len`: slots the compiler made for the parts of `batch` (Go 1.27 names
      // them). Their single location holds whatever was last spilled there, not necessarily the
      // part's value at a given pc (a constant len is never spilled): the variable's own location
      // list is what places it. No Go identifier holds a dot.
      if (!name || name.includes(".")) continue;
      this.names.push(name);
      this.inlinedIn.push(inlined);
      this.types.push(builder.typeOf(v.type ?? origin?.type));
      this.parameters.push(v.tag === Tag.FormalParameter ? 1 : 0);
      this.unitOf.push(unit);
      if (v.locationExpr !== undefined) {
        this.starts.push(this.expressionBytes);
        this.lengths.push(v.locationExpr.length);
        this.chunks.push(v.locationExpr);
        this.expressionBytes += v.locationExpr.length;
      } else {
        this.starts.push(v.locationList!);
        this.lengths.push(-1);
      }
    }
  }

  private inlinedFunction(name: string): number {
    let index = this.inlinedIndex.get(name);
    if (index === undefined) {
      index = this.inlinedFunctions.length;
      this.inlinedFunctions.push(name);
      this.inlinedIndex.set(name, index);
    }
    return index;
  }

  finish(sections: DwarfSections): GoTypeTable["frameVariables"] {
    const expressions = new Uint8Array(this.expressionBytes);
    let at = 0;
    for (const chunk of this.chunks) {
      expressions.set(chunk, at);
      at += chunk.length;
    }
    return {
      name: this.names,
      inlinedIn: Int32Array.from(this.inlinedIn),
      inlinedFunctions: this.inlinedFunctions,
      type: Int32Array.from(this.types),
      parameter: Uint8Array.from(this.parameters),
      locationStart: Float64Array.from(this.starts),
      locationLength: Int32Array.from(this.lengths),
      unit: Uint32Array.from(this.unitOf),
      expressions,
      units: this.units,
      loc: ownBytes(sections.debug_loc),
      loclists: ownBytes(sections.debug_loclists),
      addresses: ownBytes(sections.debug_addr),
    };
  }
}

/**
 * A section's bytes as a plain Uint8Array of their own: an uncompressed section is a view into the
 * whole binary, which the table would otherwise keep alive (and a worker's structured clone would
 * copy), and an inflated one is a Buffer, which a structured clone turns into a Uint8Array.
 */
function ownBytes(bytes: Uint8Array | undefined): Uint8Array | undefined {
  return bytes && new Uint8Array(bytes);
}
