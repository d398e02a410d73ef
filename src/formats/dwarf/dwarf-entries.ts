/**
 * Entries of .debug_info read when they are needed, after the walk over the whole section
 * (dwarf-info.ts) left them: one entry at an offset (what a reference points at), or the entries
 * between two offsets (a subprogram's children) in order, each read or skipped as the caller asks.
 * They are read from the parts of the section that were kept (InfoParts), by their offsets in the
 * whole section. Damaged entries throw FormatError, as in the walk; a reference that leads
 * nowhere, or outside the parts kept, reads as absent.
 */
import { FormatError } from "../../errors.js";
import { type Abbrev, type AbbrevTable, abbrevTable, type UnitShape } from "./dwarf-abbrev.js";
import { type Die, readAttributes, resolvePendingAddrx, type UnitContext } from "./dwarf-attributes.js";
import { DwarfCursor } from "./dwarf-cursor.js";
import type { DwarfSections } from "./dwarf-sections.js";

/** A unit as the walk found it (DwarfUnit without its entry tree). */
export interface EntryUnit extends UnitShape {
  offset: number;
  end: number;
  abbrevOffset: number;
  addrBase: number;
  strOffsetsBase: number;
  loclistsBase: number;
}

/**
 * Called for each entry of a range with the state its parent's call returned (the range's own
 * state for the top level); `read` reads the entry's attributes (else they are skipped). Returns
 * the state for the entry's children.
 */
export type EntryVisitor<S> = (tag: number, parent: S, read: () => Die) => S;

/** Parts of .debug_info copied back to back: part k was at [starts[k], ends[k]) and is at at[k]. */
export interface InfoParts {
  bytes: Uint8Array;
  starts: Float64Array;
  ends: Float64Array;
  at: Float64Array;
}

export class DwarfEntries {
  private readonly tables = new Map<string, AbbrevTable>();
  private readonly contexts: (UnitContext | undefined)[] = [];
  private readonly byOffset = new Map<number, Die | null>();

  constructor(
    private readonly info: InfoParts,
    private readonly sections: DwarfSections,
    /** In offset order. */
    private readonly units: readonly EntryUnit[],
    private readonly littleEndian: boolean,
  ) {}

  /**
   * The entry at `offset`, with its attributes; undefined when no unit holds that offset or no
   * entry decodes there (a damaged reference). Read once.
   */
  entryAt(offset: number): Die | undefined {
    const known = this.byOffset.get(offset);
    if (known !== undefined) return known ?? undefined;
    let die: Die | null = null;
    const u = this.unitHolding(offset);
    const part = this.partHolding(offset);
    if (u >= 0 && part >= 0) {
      try {
        const at = this.info.at[part]! + (offset - this.info.starts[part]!);
        const cursor = new DwarfCursor(this.info.bytes, this.littleEndian, ".debug_info", at);
        const code = cursor.uleb();
        const abbrev = code === 0 ? undefined : this.table(u)[code];
        if (abbrev) {
          const unit = this.context(u);
          die = { offset, tag: abbrev.tag };
          readAttributes(cursor, abbrev, unit, die);
          resolvePendingAddrx(unit);
        }
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        die = null;
      }
    }
    this.byOffset.set(offset, die);
    return die ?? undefined;
  }

  /**
   * Visits the entries of unit `u` from `start` up to `end`, depth first in section order (the
   * order of a recursive walk over the tree). Throws FormatError on a damaged entry.
   */
  walk<S>(u: number, start: number, end: number, state: S, visit: EntryVisitor<S>): void {
    const part = this.partHolding(start);
    const unitEnd = this.units[u]?.end ?? 0;
    if (part < 0 || end > this.info.ends[part]! || end > unitEnd)
      throw new FormatError(`entries at 0x${start.toString(16)}..0x${end.toString(16)} were not kept`);
    const table = this.table(u);
    const unit = this.context(u);
    // Positions in the kept bytes; `shift` turns them back into section offsets.
    const from = this.info.at[part]! + (start - this.info.starts[part]!);
    const shift = start - from;
    const until = from + (end - start);
    const cursor: DwarfCursor = new DwarfCursor(this.info.bytes, this.littleEndian, ".debug_info", from);
    const states: S[] = [state];
    // The entry being visited, and its record once `read` made it.
    let at = 0;
    let abbrev: Abbrev | undefined;
    let entry: Die | undefined;
    const read = (): Die => {
      if (!entry) {
        entry = { offset: at + shift, tag: abbrev!.tag };
        readAttributes(cursor, abbrev!, unit, entry);
      }
      return entry;
    };
    while (cursor.pos < until && states.length > 0) {
      at = cursor.pos;
      const code = cursor.uleb();
      if (code === 0) {
        states.pop();
        continue;
      }
      abbrev = table[code];
      if (!abbrev) cursor.fail(`unknown abbreviation code ${code}`, at + shift);
      entry = undefined;
      const child = visit(abbrev.tag, states[states.length - 1]!, read);
      if (!entry) {
        if (abbrev.fixedSize >= 0) cursor.skip(abbrev.fixedSize);
        else readAttributes(cursor, abbrev, unit, null);
      }
      if (abbrev.hasChildren) states.push(child);
    }
  }

  /** Index of the kept part that holds `offset`, or −1. */
  private partHolding(offset: number): number {
    const { starts, ends } = this.info;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    const part = lo - 1;
    return part >= 0 && offset < ends[part]! ? part : -1;
  }

  /** Index of the unit whose bytes hold `offset`, or −1. */
  private unitHolding(offset: number): number {
    let lo = 0;
    let hi = this.units.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.units[mid]!.offset <= offset) lo = mid + 1;
      else hi = mid;
    }
    const u = lo - 1;
    return u >= 0 && offset < this.units[u]!.end ? u : -1;
  }

  private table(u: number): AbbrevTable {
    const abbrev = this.sections.debug_abbrev;
    if (!abbrev) throw new FormatError("no .debug_abbrev section");
    const unit = this.units[u]!;
    return abbrevTable(this.tables, abbrev, unit.abbrevOffset, unit, this.littleEndian);
  }

  private context(u: number): UnitContext {
    let context = this.contexts[u];
    if (!context) {
      const { addressSize, offsetSize, version, offset, addrBase, strOffsetsBase, loclistsBase } =
        this.units[u]!;
      context = {
        addressSize,
        offsetSize,
        version,
        offset,
        littleEndian: this.littleEndian,
        sections: this.sections,
        addrBase,
        strOffsetsBase,
        loclistsBase,
        pendingAddrx: [],
      };
      this.contexts[u] = context;
    }
    return context;
  }
}
