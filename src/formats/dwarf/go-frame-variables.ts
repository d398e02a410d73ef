/**
 * A function's parameters and local variables, read from its DWARF entries when a frame of it is
 * met (GoTypeTable.variableEntries says where they are; the DWARF walk left them unread): its own,
 * those of its lexical blocks, and those of the functions inlined into it, named after their
 * abstract instance (DW_AT_abstract_origin) where the concrete entry has no name or type.
 */
import { FormatError } from "../../errors.js";
import type {
  GoFrameVariables,
  GoFunctionInfo,
  GoTypeTable,
  GoVariableEntries,
} from "../../model/go-types.js";
import type { Die } from "./dwarf-attributes.js";
import { Tag } from "./dwarf-constants.js";
import { DwarfEntries } from "./dwarf-entries.js";
import { type DwarfSections, inflateStored } from "./dwarf-sections.js";

/** Walk state of an entry whose children are not a function's scope (a variable's, a type's). */
const OUTSIDE = -2;

export class FrameVariableReader {
  private readonly entries: DwarfEntries;
  private readonly source: GoVariableEntries;
  /** The sections entries are read with, location lists inflated. */
  private readonly sections: DwarfSections;
  /** Why the location lists did not inflate: then no function's variables are read. */
  private readonly failure: FormatError | undefined;

  constructor(private readonly table: GoTypeTable) {
    this.source = table.variableEntries;
    this.sections = { ...this.source.sections };
    try {
      const { loc, loclists } = this.source;
      if (loc) this.sections.debug_loc = inflateStored(loc);
      if (loclists) this.sections.debug_loclists = inflateStored(loclists);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      this.failure = error;
    }
    this.entries = new DwarfEntries(this.source.info, this.sections, this.source.units, table.littleEndian);
  }

  /**
   * The named variables and parameters of `fn`, in entry order. An inlined function's variable
   * counts only with a location list: a single expression would hold only inside the inlined
   * code's ranges, which are not read. Throws FormatError when the entries are damaged.
   */
  variablesOf(fn: GoFunctionInfo): GoFrameVariables {
    if (this.failure) throw this.failure;
    const columns = new FrameVariableColumns(this.table, this.sections, fn.unit);
    if (fn.variablesEnd <= fn.variablesStart) return columns.finish();
    // State: −1 inside the function's own scopes, the inlined function's index inside one inlined
    // into it, OUTSIDE elsewhere.
    this.entries.walk<number>(fn.unit, fn.variablesStart, fn.variablesEnd, -1, (tag, inlined, read) => {
      if (inlined === OUTSIDE) return OUTSIDE;
      switch (tag) {
        case Tag.LexicalBlock:
          return inlined;
        case Tag.InlinedSubroutine: {
          const origin = this.origin(read());
          return origin?.name ? columns.inlinedFunction(origin.name) : OUTSIDE;
        }
        case Tag.Variable:
        case Tag.FormalParameter:
          this.add(columns, read(), inlined);
          return OUTSIDE;
        default:
          return OUTSIDE;
      }
    });
    return columns.finish();
  }

  private add(columns: FrameVariableColumns, v: Die, inlined: number): void {
    if (v.locationList === undefined && (v.locationExpr === undefined || inlined >= 0)) return;
    // A concrete instance of a function also inlined elsewhere names its variables by origin.
    const origin = this.origin(v);
    const name = v.name ?? origin?.name;
    // `batch.ptr`, `batch.len`: slots the compiler made for the parts of `batch` (Go 1.27 names
    // them). Their single location holds whatever was last spilled there, not necessarily the
    // part's value at a given pc (a constant len is never spilled): the variable's own location
    // list is what places it. No Go identifier holds a dot.
    if (!name || name.includes(".")) return;
    const info = this.source.info.bytes;
    columns.add(name, inlined, this.typeId(v.type ?? origin?.type), v.tag === Tag.FormalParameter, v, info);
  }

  private origin(die: Die): Die | undefined {
    return die.abstractOrigin === undefined ? undefined : this.entries.entryAt(die.abstractOrigin);
  }

  /** The type id of the type entry at `offset`; −1 when no type entry is there. */
  private typeId(offset: number | undefined): number {
    if (offset === undefined) return -1;
    const { typeOffsets, typeIds } = this.source;
    let lo = 0;
    let hi = typeOffsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (typeOffsets[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return typeOffsets[lo] === offset ? typeIds[lo]! : -1;
  }
}

/** One function's variables gathered into GoFrameVariables' columns. */
class FrameVariableColumns {
  private readonly names: string[] = [];
  private readonly inlinedIn: number[] = [];
  private readonly inlinedFunctions: string[] = [];
  private readonly types: number[] = [];
  private readonly parameters: number[] = [];
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];

  constructor(
    private readonly table: GoTypeTable,
    private readonly sections: DwarfSections,
    private readonly unit: number,
  ) {}

  inlinedFunction(name: string): number {
    let index = this.inlinedFunctions.indexOf(name);
    if (index < 0) {
      index = this.inlinedFunctions.length;
      this.inlinedFunctions.push(name);
    }
    return index;
  }

  /** A variable; its expression is kept as its place in the kept entries' bytes (`info`), which it views. */
  add(name: string, inlined: number, type: number, parameter: boolean, v: Die, info: Uint8Array): void {
    this.names.push(name);
    this.inlinedIn.push(inlined);
    this.types.push(type);
    this.parameters.push(parameter ? 1 : 0);
    if (v.locationExpr !== undefined) {
      this.starts.push(v.locationExpr.byteOffset - info.byteOffset);
      this.lengths.push(v.locationExpr.length);
    } else {
      this.starts.push(v.locationList!);
      this.lengths.push(-1);
    }
  }

  finish(): GoFrameVariables {
    const { sections } = this;
    return {
      name: this.names,
      inlinedIn: Int32Array.from(this.inlinedIn),
      inlinedFunctions: this.inlinedFunctions,
      type: Int32Array.from(this.types),
      parameter: Uint8Array.from(this.parameters),
      locationStart: Float64Array.from(this.starts),
      locationLength: Int32Array.from(this.lengths),
      unit: new Uint32Array(this.names.length).fill(this.unit),
      expressions: this.table.variableEntries.info.bytes,
      units: this.table.variableEntries.units,
      loc: sections.debug_loc,
      loclists: sections.debug_loclists,
      addresses: sections.debug_addr,
    };
  }
}
