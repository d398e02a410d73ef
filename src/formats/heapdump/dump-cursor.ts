/**
 * A read position over a window of heap-dump bytes: uvarints, length-prefixed ranges, strings and
 * pointer words, each bounded by the bytes available.
 *
 * When a read runs past the window, the cursor either fails with HeapDumpError (the last window of
 * the file: the dump is truncated) or throws `needMoreBytes` with `wanted` set to the offset it
 * needs, so a chunked reader can retry the whole record once more bytes have arrived.
 */
import { HeapDumpError } from "../../errors.js";

/** Thrown (not an Error: it is control flow) when a record continues past the bytes received so far. */
export const needMoreBytes = { needMoreBytes: true } as const;

const TWO_POW_32 = 4294967296;

export class DumpCursor {
  bytes: Uint8Array;
  /** Position in `bytes`. */
  pos = 0;
  /** End of the readable bytes in `bytes`. */
  end: number;
  /** File offset of bytes[0]. */
  base = 0;
  /** True when no bytes follow `end` in the file. */
  final: boolean;
  /** Position in `bytes` a retry needs to be able to read up to (set with needMoreBytes). */
  wanted = 0;
  /** Where the record being read began (`bytes` position) and what it is, for messages. */
  recordStart = 0;
  recordName = "header";

  private readonly view: DataView;

  constructor(bytes: Uint8Array, final: boolean) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.length;
    this.final = final;
  }

  /** A uvarint as a double (exact below 2^53). */
  uvarint(): number {
    const pos = this.pos;
    // One and two bytes inline: tags, kinds, field offsets and lengths below 16 KiB.
    if (pos + 1 < this.end) {
      const b = this.bytes[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
      const b2 = this.bytes[pos + 1]!;
      if (b2 < 0x80) {
        this.pos = pos + 2;
        return (b & 0x7f) | (b2 << 7);
      }
    }
    return this.uvarintSlow();
  }

  private uvarintSlow(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    let low = 0;
    let shift = 0;
    // The first four groups fit a 32-bit integer; later ones are added as doubles.
    for (; shift < 28; shift += 7) {
      if (pos >= this.end) this.outOfBytes(pos + 1);
      const b = bytes[pos++]!;
      low |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return low >>> 0;
      }
    }
    let value = low >>> 0;
    let scale = 2 ** 28;
    for (let i = 4; i < 10; i++) {
      if (pos >= this.end) this.outOfBytes(pos + 1);
      const b = bytes[pos++]!;
      if (i === 9 && b > 1) this.fail(pos - 1, "uvarint overflows 64 bits");
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) {
        this.pos = pos;
        return value;
      }
    }
    return this.fail(pos, "uvarint longer than 10 bytes");
  }

  /** A uvarint that must be 0 or 1. */
  bool(what: string): boolean {
    const at = this.pos;
    const value = this.uvarint();
    if (value > 1) this.fail(at, `${what} is ${value}, not a boolean`);
    return value === 1;
  }

  /** A length-prefixed byte range: skips it and returns its start position in `bytes`. */
  range(what: string): number {
    const at = this.pos;
    const length = this.uvarint();
    const start = this.pos;
    if (start + length > this.end) {
      if (this.final || length > Number.MAX_SAFE_INTEGER - start) {
        this.fail(at, `${what} of ${length} bytes runs past the end of the dump`);
      }
      this.outOfBytes(start + length);
    }
    this.pos = start + length;
    return start;
  }

  /** A length-prefixed string (UTF-8). */
  string(what: string): string {
    const start = this.range(what);
    return decodeString(this.bytes, start, this.pos);
  }

  /** The pointer word at `at` in `bytes`. */
  word(at: number, pointerSize: number, bigEndian: boolean): number {
    const view = this.view;
    if (pointerSize === 8) {
      if (bigEndian) return view.getUint32(at, false) * TWO_POW_32 + view.getUint32(at + 4, false);
      return view.getUint32(at + 4, true) * TWO_POW_32 + view.getUint32(at, true);
    }
    return view.getUint32(at, !bigEndian);
  }

  /** File offset of a position in `bytes`. */
  offsetOf(pos: number): number {
    return this.base + pos;
  }

  private outOfBytes(wanted: number): never {
    if (this.final) {
      const started = this.offsetOf(this.recordStart);
      throw new HeapDumpError(
        `heap dump truncated at byte ${this.offsetOf(this.end)}: the ${this.recordName} record that starts at byte ${started} is incomplete`,
      );
    }
    this.wanted = wanted;
    throw needMoreBytes;
  }

  /** Fails with the file offset of `pos` and the record being read. */
  fail(pos: number, problem: string): never {
    throw new HeapDumpError(
      `heap dump: byte ${this.offsetOf(pos)} (${this.recordName} record at byte ${this.offsetOf(this.recordStart)}): ${problem}`,
    );
  }
}

const utf8 = new TextDecoder("utf-8");

function decodeString(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    // Function and file names are short ASCII: build them directly, which is faster than TextDecoder.
    let text = "";
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return utf8.decode(bytes.subarray(start, end));
      text += String.fromCharCode(c);
    }
    return text;
  }
  return utf8.decode(bytes.subarray(start, end));
}
