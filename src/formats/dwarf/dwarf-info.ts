/**
 * The debugging information entries (.debug_info) heapscope needs, as a tree of plain records:
 * types (base, pointer, structure with members, array with subrange, typedef, subroutine),
 * variables at unit level (globals) and directly inside subprograms (closure captures), and
 * subprograms. Every other entry is walked over without being kept, so a 10 MB section is read
 * in about a second. DWARF 2 to 5, 32- and 64-bit units; type and split units are skipped.
 *
 * References are made absolute (section offsets), `DW_FORM_strx`/`addrx` are resolved through the
 * unit's `DW_AT_str_offsets_base`/`DW_AT_addr_base`. A location that is a single static address
 * (`DW_OP_addr` or `DW_OP_addrx`) is a global's address; any other expression is kept as its bytes,
 * and a location list as its offset (`DW_FORM_loclistx` resolved through `DW_AT_loclists_base`):
 * functions' variables and parameters are read that way, also those inside lexical blocks and
 * inlined subroutines (whose DW_AT_abstract_origin names the inlined function and its variables).
 */
import {
  type Abbrev,
  type AbbrevTable,
  fixedFormSize,
  readAbbrevTable,
  type UnitShape,
  withFixedSizes,
} from "./dwarf-abbrev.js";
import { Attr, Form, Op, Tag, UnitType } from "./dwarf-constants.js";
import { DwarfCursor, stringAt } from "./dwarf-cursor.js";
import type { DwarfSections } from "./dwarf-sections.js";

export interface Die {
  /** Offset in .debug_info: what references point at. */
  offset: number;
  tag: number;
  name?: string;
  /** Referenced entries, as .debug_info offsets. */
  type?: number;
  goKey?: number;
  goElem?: number;
  abstractOrigin?: number;
  byteSize?: number;
  goKind?: number;
  goRuntimeType?: number;
  goEmbedded?: boolean;
  goClosureOffset?: number;
  memberOffset?: number;
  /** Array length of a subrange (DW_AT_count, or DW_AT_upper_bound + 1). */
  count?: number;
  /** A static address location (globals). */
  address?: number;
  /** Any other single location expression (a local variable's place in its frame). */
  locationExpr?: Uint8Array;
  /** A location list: its offset in `.debug_loc` (DWARF ≤ 4) or `.debug_loclists` (DWARF 5). */
  locationList?: number;
  /** DW_AT_frame_base is DW_OP_call_frame_cfa (what Go writes for every function). */
  frameBaseCfa?: boolean;
  /** A lexical block of an abstract instance (an inlined function's description, without code). */
  abstractScope?: boolean;
  lowPc?: number;
  /** End of the code (DW_AT_high_pc made absolute). */
  highPc?: number;
  children?: Die[];
}

export interface DwarfUnit {
  offset: number;
  version: number;
  addressSize: number;
  root: Die;
  /** DW_AT_addr_base (0 when absent), for indexed entries of the unit's location lists. */
  addrBase: number;
}

export interface DwarfInfo {
  units: DwarfUnit[];
  /** Every kept entry by offset. */
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
  Tag.FormalParameter,
  Tag.LexicalBlock,
  Tag.InlinedSubroutine,
  Tag.Subprogram,
]);

/** Entries whose children are a function's variables, parameters and blocks. */
const FUNCTION_SCOPE_TAGS = new Set<number>([Tag.Subprogram, Tag.LexicalBlock, Tag.InlinedSubroutine]);

/** A subprogram without code (an abstract instance) or a block inside one. */
function isAbstractScope(die: Die): boolean {
  return die.tag === Tag.Subprogram ? die.lowPc === undefined : die.abstractScope === true;
}

/** Decoding state of one unit. */
interface UnitContext extends UnitShape {
  offset: number;
  littleEndian: boolean;
  sections: DwarfSections;
  addrBase: number;
  strOffsetsBase: number;
  loclistsBase: number;
  /** addrx values read before DW_AT_addr_base was known (the unit entry itself). */
  pendingAddrx: { die: Die; attr: number; index: number }[];
}

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
    const key = `${abbrevOffset}/${addressSize}/${offsetSize}/${version}`;
    let table = tables.get(key);
    if (!table) {
      table = withFixedSizes(readAbbrevTable(abbrevSection, abbrevOffset, littleEndian), shape);
      tables.set(key, table);
    }
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
    if (root) result.units.push({ offset: unitOffset, version, addressSize, root, addrBase: unit.addrBase });
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
      parents.pop();
      if (parents.length === 0) break;
      continue;
    }
    const abbrev = table[code];
    if (!abbrev) cursor.fail(`unknown abbreviation code ${code}`, offset);
    const parent = parents.length > 0 ? parents[parents.length - 1]! : null;
    const keep = shouldKeep(abbrev.tag, parent, parents.length);
    let die: Die | null = null;
    if (keep) {
      die = { offset, tag: abbrev.tag };
      readAttributes(cursor, abbrev, unit, die);
      // A function's own entries (its variables, blocks) are reached through it; only those of an
      // abstract instance (an inlined function's, without code) are referenced, by concrete ones.
      if (!parent || !FUNCTION_SCOPE_TAGS.has(parent.tag) || isAbstractScope(parent)) dies.set(offset, die);
      if (die.tag === Tag.LexicalBlock && parent && isAbstractScope(parent)) die.abstractScope = true;
      if (parent) (parent.children ??= []).push(die);
      if (parents.length === 0) {
        root = die;
        resolvePendingAddrx(unit);
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

function shouldKeep(tag: number, parent: Die | null, depth: number): boolean {
  if (depth === 0) return tag === Tag.CompileUnit || tag === Tag.PartialUnit;
  if (!parent || !KEPT_TAGS.has(tag)) return false;
  switch (tag) {
    case Tag.Member:
      return parent.tag === Tag.StructureType;
    case Tag.SubrangeType:
      return parent.tag === Tag.ArrayType;
    case Tag.Variable:
      return (
        parent.tag === Tag.CompileUnit ||
        parent.tag === Tag.PartialUnit ||
        FUNCTION_SCOPE_TAGS.has(parent.tag)
      );
    case Tag.FormalParameter:
    case Tag.LexicalBlock:
    case Tag.InlinedSubroutine:
      return FUNCTION_SCOPE_TAGS.has(parent.tag);
    case Tag.Subprogram:
      return parent.tag === Tag.CompileUnit || parent.tag === Tag.PartialUnit;
    default:
      return true;
  }
}

function resolvePendingAddrx(unit: UnitContext): void {
  for (const { die, attr, index } of unit.pendingAddrx) setAddressAttr(die, attr, addressAt(unit, index));
  unit.pendingAddrx.length = 0;
}

function setAddressAttr(die: Die, attr: number, address: number): void {
  if (attr === Attr.LowPc) die.lowPc = address;
  else if (attr === Attr.HighPc) die.highPc = address;
  else if (attr === Attr.GoRuntimeType) die.goRuntimeType = address;
}

/** Reads (die ≠ null) or skips the attributes of one entry. */
function readAttributes(cursor: DwarfCursor, abbrev: Abbrev, unit: UnitContext, die: Die | null): void {
  const { attrs, forms } = abbrev;
  let highPcOffset = -1;
  for (let i = 0; i < attrs.length; i++) {
    let form = forms[i]!;
    while (form === Form.Indirect) form = cursor.uleb();
    if (die === null) {
      skipForm(cursor, form, unit);
      continue;
    }
    const attr = attrs[i]!;
    switch (attr) {
      case Attr.Name:
        die.name = readString(cursor, form, unit);
        break;
      case Attr.Type:
        die.type = readReference(cursor, form, unit);
        break;
      case Attr.GoElem:
        die.goElem = readReference(cursor, form, unit);
        break;
      case Attr.GoKey:
        die.goKey = readReference(cursor, form, unit);
        break;
      case Attr.AbstractOrigin:
        die.abstractOrigin = readReference(cursor, form, unit);
        break;
      case Attr.ByteSize:
        die.byteSize = readConstant(cursor, form, abbrev.implicit[i]!, unit);
        break;
      case Attr.GoKind:
        die.goKind = readConstant(cursor, form, abbrev.implicit[i]!, unit);
        break;
      case Attr.GoClosureOffset:
        die.goClosureOffset = readConstant(cursor, form, abbrev.implicit[i]!, unit);
        break;
      case Attr.Count:
        die.count = readConstant(cursor, form, abbrev.implicit[i]!, unit);
        break;
      case Attr.UpperBound:
        if (die.count === undefined) die.count = readConstant(cursor, form, abbrev.implicit[i]!, unit) + 1;
        else skipForm(cursor, form, unit);
        break;
      case Attr.DataMemberLocation:
        die.memberOffset = readMemberLocation(cursor, form, abbrev.implicit[i]!, unit);
        break;
      case Attr.GoEmbeddedField:
        die.goEmbedded = readConstant(cursor, form, abbrev.implicit[i]!, unit) !== 0;
        break;
      case Attr.Location:
        readLocation(cursor, form, unit, die);
        break;
      case Attr.LowPc:
      case Attr.GoRuntimeType:
      case Attr.HighPc:
        if (attr === Attr.HighPc && isConstantForm(form)) {
          highPcOffset = readConstant(cursor, form, abbrev.implicit[i]!, unit);
        } else readAddressAttr(cursor, form, unit, die, attr);
        break;
      case Attr.AddrBase:
        unit.addrBase = readConstant(cursor, form, abbrev.implicit[i]!, unit);
        break;
      case Attr.StrOffsetsBase:
        unit.strOffsetsBase = readConstant(cursor, form, abbrev.implicit[i]!, unit);
        break;
      case Attr.LoclistsBase:
        unit.loclistsBase = readConstant(cursor, form, abbrev.implicit[i]!, unit);
        break;
      case Attr.FrameBase: {
        const expr = readBlock(cursor, form, unit);
        die.frameBaseCfa = expr !== undefined && expr.length === 1 && expr[0] === Op.CallFrameCfa;
        break;
      }
      default:
        skipForm(cursor, form, unit);
    }
  }
  if (die && highPcOffset >= 0 && die.lowPc !== undefined) die.highPc = die.lowPc + highPcOffset;
}

function isConstantForm(form: number): boolean {
  return (
    form === Form.Data1 ||
    form === Form.Data2 ||
    form === Form.Data4 ||
    form === Form.Data8 ||
    form === Form.Udata ||
    form === Form.Sdata ||
    form === Form.ImplicitConst
  );
}

function readConstant(cursor: DwarfCursor, form: number, implicit: number, unit: UnitContext): number {
  switch (form) {
    case Form.Data1:
    case Form.Flag:
      return cursor.u8();
    case Form.Data2:
      return cursor.u16();
    case Form.Data4:
      return cursor.u32();
    case Form.Data8:
      return cursor.u64();
    case Form.Udata:
      return cursor.uleb();
    case Form.Sdata:
      return cursor.sleb();
    case Form.ImplicitConst:
      return implicit;
    case Form.FlagPresent:
      return 1;
    case Form.SecOffset:
      return cursor.uint(unit.offsetSize);
    default:
      return cursor.fail(`form 0x${form.toString(16)} where a constant was expected`);
  }
}

function readReference(cursor: DwarfCursor, form: number, unit: UnitContext): number | undefined {
  switch (form) {
    case Form.Ref1:
      return unit.offset + cursor.u8();
    case Form.Ref2:
      return unit.offset + cursor.u16();
    case Form.Ref4:
      return unit.offset + cursor.u32();
    case Form.Ref8:
      return unit.offset + cursor.u64();
    case Form.RefUdata:
      return unit.offset + cursor.uleb();
    case Form.RefAddr:
      return cursor.uint(unit.version <= 2 ? unit.addressSize : unit.offsetSize);
    default:
      // References into other files (supplementary, split, type signatures) are not followed.
      skipForm(cursor, form, unit);
      return undefined;
  }
}

function readString(cursor: DwarfCursor, form: number, unit: UnitContext): string | undefined {
  switch (form) {
    case Form.String:
      return cursor.cstring();
    case Form.Strp:
      return stringAt(unit.sections.debug_str, ".debug_str", cursor.uint(unit.offsetSize));
    case Form.LineStrp:
      return stringAt(unit.sections.debug_line_str, ".debug_line_str", cursor.uint(unit.offsetSize));
    case Form.Strx:
    case Form.GnuStrIndex:
      return indexedString(cursor, unit, cursor.uleb());
    case Form.Strx1:
      return indexedString(cursor, unit, cursor.u8());
    case Form.Strx2:
      return indexedString(cursor, unit, cursor.u16());
    case Form.Strx3:
      return indexedString(cursor, unit, cursor.u24());
    case Form.Strx4:
      return indexedString(cursor, unit, cursor.u32());
    default:
      skipForm(cursor, form, unit);
      return undefined;
  }
}

function indexedString(cursor: DwarfCursor, unit: UnitContext, index: number): string {
  const offsets = unit.sections.debug_str_offsets;
  if (!offsets) return cursor.fail("DW_FORM_strx without a .debug_str_offsets section");
  const at = new DwarfCursor(offsets, unit.littleEndian, ".debug_str_offsets");
  // Without DW_AT_str_offsets_base, the first contribution (after its 8- or 16-byte header).
  at.pos = (unit.strOffsetsBase || (unit.offsetSize === 8 ? 16 : 8)) + index * unit.offsetSize;
  return stringAt(unit.sections.debug_str, ".debug_str", at.uint(unit.offsetSize));
}

function addressAt(unit: UnitContext, index: number): number {
  const addr = unit.sections.debug_addr;
  const at = new DwarfCursor(addr ?? new Uint8Array(0), unit.littleEndian, ".debug_addr");
  if (!addr) at.fail("DW_FORM_addrx without a .debug_addr section");
  at.pos = (unit.addrBase || 8) + index * unit.addressSize;
  return at.uint(unit.addressSize);
}

function readAddressAttr(cursor: DwarfCursor, form: number, unit: UnitContext, die: Die, attr: number): void {
  let index: number;
  switch (form) {
    case Form.Addr:
      setAddressAttr(die, attr, cursor.uint(unit.addressSize));
      return;
    case Form.Addrx:
    case Form.GnuAddrIndex:
      index = cursor.uleb();
      break;
    case Form.Addrx1:
      index = cursor.u8();
      break;
    case Form.Addrx2:
      index = cursor.u16();
      break;
    case Form.Addrx3:
      index = cursor.u24();
      break;
    case Form.Addrx4:
      index = cursor.u32();
      break;
    default:
      skipForm(cursor, form, unit);
      return;
  }
  if (die.tag === Tag.CompileUnit || die.tag === Tag.PartialUnit)
    unit.pendingAddrx.push({ die, attr, index });
  else setAddressAttr(die, attr, addressAt(unit, index));
}

function readMemberLocation(
  cursor: DwarfCursor,
  form: number,
  implicit: number,
  unit: UnitContext,
): number | undefined {
  if (isConstantForm(form)) return readConstant(cursor, form, implicit, unit);
  const expr = readBlock(cursor, form, unit);
  // DWARF 2 style: DW_OP_plus_uconst N.
  if (expr && expr.length >= 2 && expr[0] === Op.PlusUconst) {
    return new DwarfCursor(expr, unit.littleEndian, ".debug_info", 1).uleb();
  }
  return undefined;
}

function readLocation(cursor: DwarfCursor, form: number, unit: UnitContext, die: Die): void {
  if (form === Form.SecOffset || form === Form.Data4 || form === Form.Data8) {
    die.locationList = cursor.uint(form === Form.Data8 ? 8 : form === Form.Data4 ? 4 : unit.offsetSize);
    return;
  }
  if (form === Form.Loclistx) {
    die.locationList = locationListOffset(unit, cursor.uleb());
    return;
  }
  const expr = readBlock(cursor, form, unit);
  if (!expr || expr.length === 0) return;
  const at = new DwarfCursor(expr, unit.littleEndian, ".debug_info location");
  const op = at.u8();
  let address: number;
  if (op === Op.Addr) address = at.uint(unit.addressSize);
  else if (op === Op.Addrx || op === Op.GnuAddrIndex) address = addressAt(unit, at.uleb());
  else {
    die.locationExpr = expr;
    return;
  }
  if (at.remaining === 0) die.address = address; // anything after the address (TLS, pieces) is not a plain global
}

/** DW_FORM_loclistx: the index-th entry of the unit's offset table, which counts from the table. */
function locationListOffset(unit: UnitContext, index: number): number {
  const lists = unit.sections.debug_loclists;
  const at = new DwarfCursor(lists ?? new Uint8Array(0), unit.littleEndian, ".debug_loclists");
  if (!lists) at.fail("DW_FORM_loclistx without a .debug_loclists section");
  // Without DW_AT_loclists_base, the first table (after a 12- or 20-byte header).
  const base = unit.loclistsBase || (unit.offsetSize === 8 ? 20 : 12);
  at.pos = base + index * unit.offsetSize;
  return base + at.uint(unit.offsetSize);
}

/** The bytes of a block or exprloc; undefined for other forms (location lists), which are skipped. */
function readBlock(cursor: DwarfCursor, form: number, unit: UnitContext): Uint8Array | undefined {
  switch (form) {
    case Form.Block1:
      return cursor.take(cursor.u8());
    case Form.Block2:
      return cursor.take(cursor.u16());
    case Form.Block4:
      return cursor.take(cursor.u32());
    case Form.Block:
    case Form.Exprloc:
      return cursor.take(cursor.uleb());
    default:
      skipForm(cursor, form, unit);
      return undefined;
  }
}

function skipForm(cursor: DwarfCursor, form: number, unit: UnitContext): void {
  switch (form) {
    case Form.String:
      cursor.skipCString();
      return;
    case Form.Udata:
    case Form.RefUdata:
    case Form.Strx:
    case Form.Addrx:
    case Form.Loclistx:
    case Form.Rnglistx:
    case Form.GnuAddrIndex:
    case Form.GnuStrIndex:
    case Form.Sdata:
      cursor.skipLeb();
      return;
    case Form.Block1:
    case Form.Block2:
    case Form.Block4:
    case Form.Block:
    case Form.Exprloc:
      readBlock(cursor, form, unit);
      return;
    case Form.Indirect:
      skipForm(cursor, cursor.uleb(), unit);
      return;
  }
  const size = fixedFormSize(form, unit);
  if (size < 0) cursor.fail(`unknown attribute form 0x${form.toString(16)}`);
  cursor.skip(size);
}
