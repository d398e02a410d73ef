/**
 * The function table of a Go binary's `.gopclntab` (Go 1.18 and later), which maps a program counter
 * to the function containing it. The table survives `-ldflags=-s` and `go run`, which drop `.symtab`.
 *
 * Layout (runtime/symtab.go `pcHeader`, internal/abi `PCLnTabMagic`):
 *   magic u32 (0xfffffff0 Go 1.18–1.19, 0xfffffff1 Go 1.20 and later, unchanged through 1.27),
 *   two zero bytes, pc quantum, pointer size, then pointer-sized words: nfunc, nfiles, textStart
 *   (unused since Go 1.27), funcnameOffset, cuOffset, filetabOffset, pctabOffset, pclnOffset.
 *   At pclnOffset, nfunc + 1 pairs of u32 (entry offset from the start of text, offset of the
 *   function's `_func` record from pclnOffset); the last pair's entry is the end of text.
 *   A `_func` begins with entryOff u32 and nameOff i32 (into the function-name table, NUL-terminated).
 * The byte order is the magic's: read the wrong way round it matches none of the known values.
 */
import { FormatError } from "../../errors.js";

const MAGIC_GO118 = 0xfffffff0;
const MAGIC_GO120 = 0xfffffff1;
const OLDER_MAGICS = new Set([0xfffffffa, 0xfffffffb]);

export interface GoFunction {
  name: string;
  /** Address of the function's first instruction. */
  entry: number;
  /** Address just past its last instruction. */
  end: number;
}

export class GoFuncTable {
  private readonly names = new Map<number, string>();

  private constructor(
    private readonly table: Uint8Array,
    private readonly view: DataView,
    private readonly littleEndian: boolean,
    private readonly textStart: number,
    /** Entry offsets from textStart; entries[count] is the end of the last function. */
    private readonly entries: Uint32Array,
    private readonly funcOffsets: Uint32Array,
    private readonly funcnameOffset: number,
    private readonly pclnOffset: number,
    /** "1.18" (Go 1.18–1.19) or "1.20" (Go 1.20 and later). */
    readonly layout: "1.18" | "1.20",
  ) {}

  /**
   * Reads the function table. `textStart` is where the offsets count from: the address of the
   * `runtime.text` symbol, or the `.text` section's address when the symbol table is gone (the two
   * agree for binaries Go's own linker laid out).
   */
  static parse(table: Uint8Array, textStart: number): GoFuncTable {
    if (table.length < 8) throw new FormatError(".gopclntab is too short for its header");
    const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
    const le = view.getUint32(0, true);
    const be = view.getUint32(0, false);
    const magic = [MAGIC_GO118, MAGIC_GO120].includes(le) ? le : be;
    const littleEndian = magic === le;
    if (magic !== MAGIC_GO118 && magic !== MAGIC_GO120) {
      if (OLDER_MAGICS.has(le) || OLDER_MAGICS.has(be)) {
        throw new FormatError(
          ".gopclntab is from Go 1.17 or older; heapscope reads binaries built by Go 1.18 or later",
        );
      }
      throw new FormatError(`.gopclntab has an unknown magic 0x${le.toString(16)}`);
    }
    const quantum = table[6]!;
    const ptrSize = table[7]!;
    if (
      table[4] !== 0 ||
      table[5] !== 0 ||
      ![1, 2, 4].includes(quantum) ||
      (ptrSize !== 4 && ptrSize !== 8)
    ) {
      throw new FormatError(".gopclntab header is malformed (padding, pc quantum or pointer size)");
    }
    const word = (index: number): number => {
      const at = 8 + index * ptrSize;
      if (at + ptrSize > table.length) throw new FormatError(".gopclntab header is truncated");
      if (ptrSize === 4) return view.getUint32(at, littleEndian);
      const value = view.getBigUint64(at, littleEndian);
      if (value > 0xffffffffn) throw new FormatError(".gopclntab header has an offset beyond 4 GiB");
      return Number(value);
    };
    const count = word(0);
    const funcnameOffset = word(3);
    const pclnOffset = word(7);
    if (funcnameOffset >= table.length || pclnOffset + (count + 1) * 8 > table.length) {
      throw new FormatError(
        `.gopclntab function table (${count} functions) runs past the end of the section`,
      );
    }
    const entries = new Uint32Array(count + 1);
    const funcOffsets = new Uint32Array(count + 1);
    for (let i = 0; i <= count; i++) {
      entries[i] = view.getUint32(pclnOffset + i * 8, littleEndian);
      funcOffsets[i] = view.getUint32(pclnOffset + i * 8 + 4, littleEndian);
      if (i > 0 && entries[i]! < entries[i - 1]!) {
        throw new FormatError(`.gopclntab function table is not sorted (entry ${i})`);
      }
    }
    const layout = magic === MAGIC_GO118 ? "1.18" : "1.20";
    return new GoFuncTable(
      table,
      view,
      littleEndian,
      textStart,
      entries,
      funcOffsets,
      funcnameOffset,
      pclnOffset,
      layout,
    );
  }

  get count(): number {
    return this.entries.length - 1;
  }

  /** The function whose code contains `pc` (link-time address), or null outside every function. */
  funcAt(pc: number): GoFunction | null {
    const index = this.indexAt(pc);
    if (index < 0) return null;
    return {
      name: this.nameOf(index),
      entry: this.textStart + this.entries[index]!,
      end: this.textStart + this.entries[index + 1]!,
    };
  }

  funcNameAt(pc: number): string | null {
    const index = this.indexAt(pc);
    return index < 0 ? null : this.nameOf(index);
  }

  /** Every function, in address order. */
  *functions(): IterableIterator<GoFunction> {
    for (let i = 0; i < this.count; i++) {
      yield {
        name: this.nameOf(i),
        entry: this.textStart + this.entries[i]!,
        end: this.textStart + this.entries[i + 1]!,
      };
    }
  }

  private indexAt(pc: number): number {
    const offset = pc - this.textStart;
    const entries = this.entries;
    const count = entries.length - 1;
    if (count <= 0 || offset < entries[0]! || offset >= entries[count]!) return -1;
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (entries[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private nameOf(index: number): string {
    const cached = this.names.get(index);
    if (cached !== undefined) return cached;
    const funcAt = this.pclnOffset + this.funcOffsets[index]!;
    if (funcAt + 8 > this.table.length) {
      throw new FormatError(`.gopclntab function ${index} points past the end of the section`);
    }
    const nameOff = this.view.getInt32(funcAt + 4, this.littleEndian);
    const start = this.funcnameOffset + nameOff;
    if (nameOff < 0 || start >= this.table.length) {
      throw new FormatError(`.gopclntab function ${index} has a name offset outside the name table`);
    }
    let end = start;
    while (end < this.table.length && this.table[end] !== 0) end++;
    const name = utf8.decode(this.table.subarray(start, end));
    this.names.set(index, name);
    return name;
  }
}

const utf8 = new TextDecoder();
