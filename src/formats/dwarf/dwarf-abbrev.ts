/**
 * Abbreviation tables (.debug_abbrev): each DIE starts with a code that names its tag, whether it has
 * children, and the (attribute, form) pairs that follow. Tables are read once per offset and shared
 * by the units that use them. `fixedSize` lets the DIE walk skip a DIE whose forms all have a size
 * known in advance without looking at its attributes.
 */

import { Form } from "./dwarf-constants.js";
import { DwarfCursor } from "./dwarf-cursor.js";

export interface Abbrev {
  tag: number;
  hasChildren: boolean;
  attrs: Uint32Array;
  forms: Uint32Array;
  /** DW_FORM_implicit_const values, by attribute position. */
  implicit: Float64Array;
  /** Bytes the attributes take when every form has a fixed size for this unit shape, else -1. */
  fixedSize: number;
}

export interface UnitShape {
  addressSize: number;
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF. */
  offsetSize: number;
  version: number;
}

/** Abbreviations by code (codes are small and dense in practice; a sparse array holds them). */
export type AbbrevTable = Abbrev[];

export function readAbbrevTable(section: Uint8Array, offset: number, littleEndian: boolean): AbbrevTable {
  const cursor = new DwarfCursor(section, littleEndian, ".debug_abbrev", offset);
  if (offset >= section.length) cursor.fail("abbreviation table offset is outside the section");
  const table: AbbrevTable = [];
  for (;;) {
    const code = cursor.uleb();
    if (code === 0) break;
    if (code > 1 << 24) cursor.fail(`abbreviation code ${code} is implausibly large`);
    const tag = cursor.uleb();
    const hasChildren = cursor.u8() !== 0;
    const attrs: number[] = [];
    const forms: number[] = [];
    const implicit: number[] = [];
    for (;;) {
      const attr = cursor.uleb();
      const form = cursor.uleb();
      if (attr === 0 && form === 0) break;
      attrs.push(attr);
      forms.push(form);
      implicit.push(form === Form.ImplicitConst ? cursor.sleb() : 0);
    }
    table[code] = {
      tag,
      hasChildren,
      attrs: Uint32Array.from(attrs),
      forms: Uint32Array.from(forms),
      implicit: Float64Array.from(implicit),
      fixedSize: -1,
    };
  }
  return table;
}

/** The size of a form's value when it does not depend on the bytes, else -1. */
export function fixedFormSize(form: number, shape: UnitShape): number {
  switch (form) {
    case Form.Addr:
      return shape.addressSize;
    case Form.Data1:
    case Form.Ref1:
    case Form.Flag:
    case Form.Strx1:
    case Form.Addrx1:
      return 1;
    case Form.Data2:
    case Form.Ref2:
    case Form.Strx2:
    case Form.Addrx2:
      return 2;
    case Form.Strx3:
    case Form.Addrx3:
      return 3;
    case Form.Data4:
    case Form.Ref4:
    case Form.RefSup4:
    case Form.Strx4:
    case Form.Addrx4:
      return 4;
    case Form.Data8:
    case Form.Ref8:
    case Form.RefSig8:
    case Form.RefSup8:
      return 8;
    case Form.Data16:
      return 16;
    case Form.FlagPresent:
    case Form.ImplicitConst:
      return 0;
    case Form.Strp:
    case Form.LineStrp:
    case Form.SecOffset:
    case Form.StrpSup:
    case Form.GnuRefAlt:
    case Form.GnuStrpAlt:
      return shape.offsetSize;
    case Form.RefAddr:
      return shape.version <= 2 ? shape.addressSize : shape.offsetSize;
    default:
      return -1;
  }
}

/** Fills in `fixedSize` for a unit's shape (a table is shared only by units of one shape in practice). */
export function withFixedSizes(table: AbbrevTable, shape: UnitShape): AbbrevTable {
  const out: AbbrevTable = [];
  table.forEach((abbrev, code) => {
    let size = 0;
    for (const form of abbrev.forms) {
      const s = fixedFormSize(form, shape);
      if (s < 0) {
        size = -1;
        break;
      }
      size += s;
    }
    out[code] = { ...abbrev, fixedSize: size };
  });
  return out;
}

/** The abbreviation table at `offset` for units of one shape, read once per cache. */
export function abbrevTable(
  cache: Map<string, AbbrevTable>,
  section: Uint8Array,
  offset: number,
  shape: UnitShape,
  littleEndian: boolean,
): AbbrevTable {
  const key = `${offset}/${shape.addressSize}/${shape.offsetSize}/${shape.version}`;
  let table = cache.get(key);
  if (!table) {
    table = withFixedSizes(readAbbrevTable(section, offset, littleEndian), shape);
    cache.set(key, table);
  }
  return table;
}
