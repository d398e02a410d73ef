/**
 * Where a function's variable is at one pc: its location list (DWARF 4 `.debug_loc`, DWARF 5
 * `.debug_loclists`) resolved to the expression that covers the pc, and that expression decoded
 * into pieces: a word in the frame (at the call frame address plus an offset), a register, or
 * unknown (optimised out, or an operation this reader does not follow).
 *
 * What Go's compiler writes, and so what is read: DW_OP_call_frame_cfa, DW_OP_fbreg (a Go
 * function's frame base is DW_OP_call_frame_cfa), constants with DW_OP_plus / DW_OP_minus /
 * DW_OP_plus_uconst, DW_OP_reg0..31 and DW_OP_regx, DW_OP_piece for a value split over places (a
 * slice's pointer, len and cap are often apart). A piece with no operation before it has no
 * location: Go writes that for a part the compiler knows as a constant (the len of `s[:0]`) or no
 * longer keeps.
 *
 * Every read is bounded by the section; a malformed list or expression throws FormatError (from
 * the cursor) or reads as unknown, and every loop advances, so no input makes it hang.
 */
import { FormatError } from "../../errors.js";
import { LocListEntry, Op } from "./dwarf-constants.js";
import { DwarfCursor } from "./dwarf-cursor.js";

export interface LocationListContext {
  /** 5: `.debug_loclists` entries; 2 to 4: `.debug_loc` address pairs. */
  version: number;
  addressSize: number;
  littleEndian: boolean;
  /** The unit's base address (its DW_AT_low_pc): what offsets count from until an entry sets another. */
  base: number;
  /** `.debug_addr` and the unit's DW_AT_addr_base, for DWARF 5's indexed entries. */
  addresses?: Uint8Array | undefined;
  addrBase: number;
}

/**
 * The expression of the entry of the list at `offset` that covers `pc` (the default location when
 * none does, in DWARF 5), or null. Throws FormatError when the list runs off its section.
 */
export function locationAt(
  section: Uint8Array,
  offset: number,
  context: LocationListContext,
  pc: number,
): Uint8Array | null {
  if (offset < 0 || offset >= section.length)
    throw new FormatError(`location list offset 0x${offset.toString(16)} is outside its section`);
  const cursor = new DwarfCursor(section, context.littleEndian, ".debug_loclists", offset);
  return context.version >= 5 ? locListsAt(cursor, context, pc) : locAt(cursor, context, pc);
}

/** DWARF 5: DW_LLE_* entries up to DW_LLE_end_of_list. */
function locListsAt(cursor: DwarfCursor, context: LocationListContext, pc: number): Uint8Array | null {
  let base = context.base;
  let fallback: Uint8Array | null = null;
  const address = () => cursor.uint(context.addressSize);
  const indexed = () => indexedAddress(context, cursor.uleb());
  for (;;) {
    const kind = cursor.u8();
    let start: number;
    let end: number;
    switch (kind) {
      case LocListEntry.EndOfList:
        return fallback;
      case LocListEntry.BaseAddressx:
        base = indexed();
        continue;
      case LocListEntry.BaseAddress:
        base = address();
        continue;
      case LocListEntry.StartxEndx:
        start = indexed();
        end = indexed();
        break;
      case LocListEntry.StartxLength:
        start = indexed();
        end = start + cursor.uleb();
        break;
      case LocListEntry.OffsetPair:
        start = base + cursor.uleb();
        end = base + cursor.uleb();
        break;
      case LocListEntry.DefaultLocation:
        fallback = cursor.take(cursor.uleb());
        continue;
      case LocListEntry.StartEnd:
        start = address();
        end = address();
        break;
      case LocListEntry.StartLength:
        start = address();
        end = start + cursor.uleb();
        break;
      default:
        return cursor.fail(`unknown location list entry kind 0x${kind.toString(16)}`, cursor.pos - 1);
    }
    const expr = cursor.take(cursor.uleb());
    if (pc >= start && pc < end) return expr;
  }
}

/** DWARF 2 to 4: (begin, end) address pairs relative to the base, base selection entries, (0, 0) ends. */
function locAt(cursor: DwarfCursor, context: LocationListContext, pc: number): Uint8Array | null {
  let base = context.base;
  const size = context.addressSize;
  for (;;) {
    if (allOnes(cursor, size)) {
      cursor.skip(size);
      base = cursor.uint(size);
      continue;
    }
    const begin = cursor.uint(size);
    const end = cursor.uint(size);
    if (begin === 0 && end === 0) return null;
    const expr = cursor.take(cursor.u16());
    if (pc >= base + begin && pc < base + end) return expr;
  }
}

/** Whether the next `size` bytes are all 0xff (a base address selection entry; beyond 2^53 as a number). */
function allOnes(cursor: DwarfCursor, size: number): boolean {
  cursor.need(size);
  for (let i = 0; i < size; i++) if (cursor.bytes[cursor.pos + i] !== 0xff) return false;
  return true;
}

function indexedAddress(context: LocationListContext, index: number): number {
  const addresses = context.addresses;
  const at = new DwarfCursor(addresses ?? new Uint8Array(0), context.littleEndian, ".debug_addr");
  if (!addresses) at.fail("an indexed location list entry without a .debug_addr section");
  at.pos = (context.addrBase || 8) + index * context.addressSize;
  return at.uint(context.addressSize);
}

export const PieceKind = {
  /** Optimised out, or computed in a way not followed here. */
  Unknown: 0,
  /** In memory at the call frame address plus `offset`. */
  Frame: 1,
  Register: 2,
} as const;

export interface LocationPiece {
  kind: number;
  /** For Frame: the byte offset from the call frame address (negative: below it). */
  offset: number;
  /** Bytes of the value the piece covers; 0 for an expression without DW_OP_piece (the whole value). */
  size: number;
}

/** Deeper than any expression Go writes; a longer push sequence is not a location. */
const MAX_STACK = 16;

/**
 * The pieces of a location expression, in the value's byte order. Null for an expression that uses
 * an operation not read here (then nothing is claimed about the variable). `frameBaseIsCfa`: the
 * function's DW_AT_frame_base is DW_OP_call_frame_cfa (always, for Go), so DW_OP_fbreg counts from
 * the call frame address.
 */
export function locationPieces(
  expr: Uint8Array,
  littleEndian: boolean,
  frameBaseIsCfa = true,
): LocationPiece[] | null {
  const cursor = new DwarfCursor(expr, littleEndian, "location expression");
  // The stack's values, each with whether it counts from the call frame address.
  const values: number[] = [];
  const relative: boolean[] = [];
  let register = false;
  const pieces: LocationPiece[] = [];
  const push = (value: number, fromCfa: boolean) => {
    if (values.length >= MAX_STACK) return false;
    values.push(value);
    relative.push(fromCfa);
    return true;
  };
  while (cursor.remaining > 0) {
    const op = cursor.u8();
    let ok = true;
    if (op === Op.CallFrameCfa) ok = push(0, true);
    else if (op === Op.Fbreg) ok = frameBaseIsCfa && push(cursor.sleb(), true);
    else if (op >= Op.Lit0 && op <= Op.Lit31) ok = push(op - Op.Lit0, false);
    else if (op >= Op.Const1u && op <= Op.Consts) ok = push(constantOperand(cursor, op), false);
    else if (op === Op.PlusUconst) ok = values.length > 0 && addTop(values, cursor.uleb());
    else if (op === Op.Plus || op === Op.Minus) ok = combine(values, relative, op === Op.Plus);
    else if ((op >= Op.Reg0 && op <= Op.Reg31) || op === Op.Regx) {
      if (op === Op.Regx) cursor.uleb();
      register = true;
    } else if (op === Op.Piece) {
      pieces.push(pieceOf(values, relative, register, cursor.uleb()));
      values.length = 0;
      relative.length = 0;
      register = false;
    } else return null;
    if (!ok) return null;
  }
  if (pieces.length === 0) return [pieceOf(values, relative, register, 0)];
  // Operations after the last piece describe nothing.
  return values.length > 0 || register ? null : pieces;
}

function constantOperand(cursor: DwarfCursor, op: number): number {
  switch (op) {
    case Op.Const1u:
      return cursor.u8();
    case Op.Const1s:
      return (cursor.u8() << 24) >> 24;
    case Op.Const2u:
      return cursor.u16();
    case Op.Const2s:
      return (cursor.u16() << 16) >> 16;
    case Op.Const4u:
      return cursor.u32();
    case Op.Const4s:
      return cursor.u32() | 0;
    case Op.Const8u:
    case Op.Const8s:
      // Frame offsets are small; an 8-byte constant beyond 2^53 (a negative one) is refused by the cursor.
      return cursor.u64();
    case Op.Constu:
      return cursor.uleb();
    default:
      return cursor.sleb();
  }
}

function addTop(values: number[], n: number): boolean {
  values[values.length - 1]! += n;
  return true;
}

function combine(values: number[], relative: boolean[], plus: boolean): boolean {
  if (values.length < 2) return false;
  const b = values.pop()!;
  const bRel = relative.pop()!;
  const a = values.pop()!;
  const aRel = relative.pop()!;
  // CFA + CFA, or a constant minus the CFA, is no frame address.
  if (aRel && bRel) return false;
  if (!plus && bRel) return false;
  values.push(plus ? a + b : a - b);
  relative.push(aRel || bRel);
  return true;
}

function pieceOf(values: number[], relative: boolean[], register: boolean, size: number): LocationPiece {
  if (register && values.length === 0) return { kind: PieceKind.Register, offset: 0, size };
  if (!register && values.length === 1 && relative[0] === true)
    return { kind: PieceKind.Frame, offset: values[0]!, size };
  return { kind: PieceKind.Unknown, offset: 0, size };
}
