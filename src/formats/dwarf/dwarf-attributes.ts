/**
 * One debugging information entry's attributes, read into a plain record (a `Die`) or skipped.
 * References are made absolute (section offsets), `DW_FORM_strx`/`addrx` are resolved through the
 * unit's `DW_AT_str_offsets_base`/`DW_AT_addr_base`. A location that is a single static address
 * (`DW_OP_addr` or `DW_OP_addrx`) is a global's address; any other expression is kept as its bytes
 * (a view into .debug_info), and a location list as its offset (`DW_FORM_loclistx` resolved through
 * `DW_AT_loclists_base`). Used by the walk over a whole section (dwarf-info.ts) and by the reader of
 * single entries on demand (dwarf-entries.ts).
 */
import type { Abbrev, UnitShape } from "./dwarf-abbrev.js";
import { fixedFormSize } from "./dwarf-abbrev.js";
import { Attr, Form, Op, Tag } from "./dwarf-constants.js";
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
  lowPc?: number;
  /** End of the code (DW_AT_high_pc made absolute). */
  highPc?: number;
  /**
   * A subprogram's children (its parameters, variables, blocks, inlined calls), left unread by the
   * walk: the .debug_info offsets of the first child and of the null entry that ends them (both
   * the end of its own entry when it has none).
   */
  childrenStart?: number;
  childrenEnd?: number;
  children?: Die[];
}

/** Decoding state of one unit. */
export interface UnitContext extends UnitShape {
  offset: number;
  littleEndian: boolean;
  sections: DwarfSections;
  addrBase: number;
  strOffsetsBase: number;
  loclistsBase: number;
  /** addrx values read before DW_AT_addr_base was known (the unit entry itself). */
  pendingAddrx: { die: Die; attr: number; index: number }[];
}

export function resolvePendingAddrx(unit: UnitContext): void {
  for (const { die, attr, index } of unit.pendingAddrx) setAddressAttr(die, attr, addressAt(unit, index));
  unit.pendingAddrx.length = 0;
}

function setAddressAttr(die: Die, attr: number, address: number): void {
  if (attr === Attr.LowPc) die.lowPc = address;
  else if (attr === Attr.HighPc) die.highPc = address;
  else if (attr === Attr.GoRuntimeType) die.goRuntimeType = address;
}

/** Reads (die ≠ null) or skips the attributes of one entry. */
export function readAttributes(
  cursor: DwarfCursor,
  abbrev: Abbrev,
  unit: UnitContext,
  die: Die | null,
): void {
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

export function skipForm(cursor: DwarfCursor, form: number, unit: UnitContext): void {
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
