/**
 * The debugging information entries (.debug_info) heapscope needs, as a tree of plain records:
 * types (base, pointer, structure with members, array with subrange, typedef, subroutine),
 * variables at unit level (globals), subprograms, and the closure captures among a subprogram's
 * variables. Every other entry is walked over without being kept, so a 10 MB section is read in
 * about a second. DWARF 2 to 5, 32- and 64-bit units; type and split units are skipped.
 *
 * A function's parameters, local variables, lexical blocks and inlined calls are many (hundreds of
 * thousands in a large binary) and needed only for the few functions a heap dump's stacks hold: the
 * walk records where a subprogram's children lie (Die.childrenStart .. childrenEnd) and leaves them
 * to dwarf-entries.ts, which reads them on demand. Attributes are read by dwarf-attributes.ts.
 */
import { type AbbrevTable, abbrevTable, type UnitShape } from "./dwarf-abbrev.js";
import { type Die, readAttributes, resolvePendingAddrx, type UnitContext } from "./dwarf-attributes.js";
import { Attr, Tag, UnitType } from "./dwarf-constants.js";
import { DwarfCursor } from "./dwarf-cursor.js";
import type { DwarfSections } from "./dwarf-sections.js";

export type { Die } from "./dwarf-attributes.js";

export interface DwarfUnit extends UnitShape {
  offset: number;
  /** Offset just past the unit's last byte. */
  end: number;
  abbrevOffset: number;
  root: Die;
  /** DW_AT_addr_base (0 when absent), for indexed entries of the unit's location lists. */
  addrBase: number;
  /** DW_AT_str_offsets_base and DW_AT_loclists_base (0 when absent), for entries read later. */
  strOffsetsBase: number;
  loclistsBase: number;
}

export interface DwarfInfo {
  units: DwarfUnit[];
  /** Every kept entry by offset, except a function's closure captures (reached through it). */
  dies: Map<number, Die>;
  /** The highest unit version met (4 for Go ≤ 1.24, 5 from Go 1.25). */
  version: number;
}

/** Entries kept as records; members, subranges and variables only under a kept parent. */
const KEPT_TAGS = new Set<number>([
  Tag.CompileUnit,
  Tag.PartialUnit,
  Tag.BaseType,
  Tag.PointerType,
  Tag.StructureType,
  Tag.Member,
  Tag.ArrayType,
  Tag.SubrangeType,
  Tag.Typedef,
  Tag.SubroutineType,
  Tag.UnspecifiedType,
  Tag.Variable,
  Tag.Subprogram,
]);

export function readDwarfInfo(sections: DwarfSections, littleEndian: boolean): DwarfInfo {
  const info = sections.debug_info;
  const abbrevSection = sections.debug_abbrev;
  const result: DwarfInfo = { units: [], dies: new Map(), version: 0 };
  if (!info || info.length === 0) return result;
  if (!abbrevSection)
    throw new DwarfCursor(info, littleEndian, ".debug_info").fail("no .debug_abbrev section");
  const tables = new Map<string, AbbrevTable>();
  const cursor = new DwarfCursor(info, littleEndian, ".debug_info");
  while (cursor.remaining > 0) {
    const unitOffset = cursor.pos;
    let length = cursor.u32();
    let offsetSize = 4;
    if (length === 0xffffffff) {
      length = cursor.u64();
      offsetSize = 8;
    } else if (length >= 0xfffffff0) cursor.fail(`reserved unit length 0x${length.toString(16)}`, unitOffset);
    const end = cursor.pos + length;
    if (end > info.length)
      cursor.fail(`unit of ${length} bytes runs past the end of the section`, unitOffset);
    const version = cursor.u16();
    if (version < 2 || version > 5) cursor.fail(`unsupported DWARF version ${version}`, unitOffset);
    let unitType: number = UnitType.Compile;
    let addressSize: number;
    let abbrevOffset: number;
    if (version >= 5) {
      unitType = cursor.u8();
      addressSize = cursor.u8();
      abbrevOffset = cursor.uint(offsetSize);
    } else {
      abbrevOffset = cursor.uint(offsetSize);
      addressSize = cursor.u8();
    }
    if (addressSize !== 4 && addressSize !== 8)
      cursor.fail(`unsupported address size ${addressSize}`, unitOffset);
    if (unitType !== UnitType.Compile && unitType !== UnitType.Partial) {
      cursor.pos = end; // type units and split units carry nothing heapscope reads
      continue;
    }
    const shape: UnitShape = { addressSize, offsetSize, version };
    const table = abbrevTable(tables, abbrevSection, abbrevOffset, shape, littleEndian);
    const unit: UnitContext = {
      ...shape,
      offset: unitOffset,
      littleEndian,
      sections,
      addrBase: 0,
      strOffsetsBase: 0,
      loclistsBase: 0,
      pendingAddrx: [],
    };
    const root = readUnitEntries(cursor, end, table, unit, result.dies);
    if (root) {
      const { addrBase, strOffsetsBase, loclistsBase } = unit;
      result.units.push({
        ...shape,
        offset: unitOffset,
        end,
        abbrevOffset,
        root,
        addrBase,
        strOffsetsBase,
        loclistsBase,
      });
    }
    result.version = Math.max(result.version, version);
    cursor.pos = end;
  }
  return result;
}

/** Walks one unit's entries up to `end`; returns its unit entry (or null for an empty unit). */
function readUnitEntries(
  cursor: DwarfCursor,
  end: number,
  table: AbbrevTable,
  unit: UnitContext,
  dies: Map<number, Die>,
): Die | null {
  // parents[d] is the kept entry at depth d, or null when the entry there is not kept.
  const parents: (Die | null)[] = [];
  let root: Die | null = null;
  while (cursor.pos < end) {
    const offset = cursor.pos;
    const code = cursor.uleb();
    if (code === 0) {
      const closed = parents.pop();
      if (closed?.childrenStart !== undefined) closed.childrenEnd = offset;
      if (parents.length === 0) break;
      continue;
    }
    const abbrev = table[code];
    if (!abbrev) cursor.fail(`unknown abbreviation code ${code}`, offset);
    const parent = parents.length > 0 ? parents[parents.length - 1]! : null;
    let die: Die | null = null;
    if (shouldKeep(abbrev.tag, abbrev.attrs, parent, parents.length)) {
      die = { offset, tag: abbrev.tag };
      readAttributes(cursor, abbrev, unit, die);
      // A closure capture is reached through its function.
      if (!parent || parent.tag !== Tag.Subprogram) dies.set(offset, die);
      if (parent) (parent.children ??= []).push(die);
      if (parents.length === 0) {
        root = die;
        resolvePendingAddrx(unit);
      }
      if (die.tag === Tag.Subprogram) {
        die.childrenStart = cursor.pos;
        if (!abbrev.hasChildren) die.childrenEnd = cursor.pos;
      }
    } else if (abbrev.fixedSize >= 0) {
      cursor.skip(abbrev.fixedSize);
    } else {
      readAttributes(cursor, abbrev, unit, null);
    }
    if (abbrev.hasChildren) parents.push(die);
    else if (parents.length === 0) break;
  }
  return root;
}

function shouldKeep(tag: number, attrs: Uint32Array, parent: Die | null, depth: number): boolean {
  if (depth === 0) return tag === Tag.CompileUnit || tag === Tag.PartialUnit;
  if (!parent || !KEPT_TAGS.has(tag)) return false;
  const unitLevel = parent.tag === Tag.CompileUnit || parent.tag === Tag.PartialUnit;
  switch (tag) {
    case Tag.Member:
      return parent.tag === Tag.StructureType;
    case Tag.SubrangeType:
      return parent.tag === Tag.ArrayType;
    case Tag.Variable:
      // Globals; and a function's closure captures (Go ≥ 1.23 states their offsets), which name
      // what a closure object holds.
      return (
        unitLevel ||
        (parent.tag === Tag.Subprogram && parent.lowPc !== undefined && attrs.includes(Attr.GoClosureOffset))
      );
    case Tag.Subprogram:
      return unitLevel;
    default:
      return parent.tag !== Tag.Subprogram;
  }
}
