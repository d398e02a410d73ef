/**
 * Sequential reads over one DWARF section: fixed-size integers in the file's byte order, LEB128,
 * NUL-terminated strings. Every read is bounds-checked; values past 2^53 are refused rather than
 * rounded (no address or offset of a real program comes near it).
 */
import { FormatError } from "../../errors.js";

const utf8 = new TextDecoder();

export class DwarfCursor {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    readonly section: string,
    pos = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  fail(problem: string, at = this.pos): never {
    throw new FormatError(`${this.section} at offset 0x${at.toString(16)}: ${problem}`);
  }

  need(size: number): void {
    if (size < 0 || this.pos + size > this.bytes.length) {
      this.fail(`needs ${size} bytes, ${Math.max(0, this.bytes.length - this.pos)} left`);
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, this.littleEndian);
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 3;
    return this.littleEndian
      ? b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)
      : (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, this.littleEndian);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const lo = this.view.getUint32(this.pos + (this.littleEndian ? 0 : 4), this.littleEndian);
    const hi = this.view.getUint32(this.pos + (this.littleEndian ? 4 : 0), this.littleEndian);
    if (hi > 0x1fffff)
      this.fail(`8-byte value 0x${hi.toString(16)}${lo.toString(16).padStart(8, "0")} is beyond 2^53`);
    this.pos += 8;
    return hi * 0x1_0000_0000 + lo;
  }

  /** An unsigned integer of 1, 2, 4 or 8 bytes. */
  uint(size: number): number {
    switch (size) {
      case 1:
        return this.u8();
      case 2:
        return this.u16();
      case 4:
        return this.u32();
      case 8:
        return this.u64();
      default:
        return this.fail(`unsupported integer size ${size}`);
    }
  }

  uleb(): number {
    const b = this.bytes;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= b.length) this.fail("LEB128 number runs past the end");
      const byte = b[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (result > Number.MAX_SAFE_INTEGER) this.fail("LEB128 number is beyond 2^53");
        return result;
      }
      scale *= 128;
    }
    return this.fail("LEB128 number longer than 10 bytes");
  }

  sleb(): number {
    const b = this.bytes;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= b.length) this.fail("LEB128 number runs past the end");
      const byte = b[this.pos++]!;
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) {
        if ((byte & 0x40) !== 0) result -= scale;
        if (!Number.isSafeInteger(result)) this.fail("LEB128 number is beyond 2^53");
        return result;
      }
    }
    return this.fail("LEB128 number longer than 10 bytes");
  }

  /** Steps over a LEB128 number of any magnitude (constants may exceed 2^53; skipping needs no value). */
  skipLeb(): void {
    const b = this.bytes;
    while (this.pos < b.length) if ((b[this.pos++]! & 0x80) === 0) return;
    this.fail("LEB128 number runs past the end");
  }

  skip(size: number): void {
    this.need(size);
    this.pos += size;
  }

  take(size: number): Uint8Array {
    this.need(size);
    const out = this.bytes.subarray(this.pos, this.pos + size);
    this.pos += size;
    return out;
  }

  cstring(): string {
    const start = this.pos;
    const end = this.bytes.indexOf(0, start);
    if (end < 0) this.fail("string without its terminating NUL");
    this.pos = end + 1;
    return decodeUtf8(this.bytes, start, end);
  }

  skipCString(): void {
    const end = this.bytes.indexOf(0, this.pos);
    if (end < 0) this.fail("string without its terminating NUL");
    this.pos = end + 1;
  }
}

/** UTF-8 text of bytes[start, end); plain ASCII without a TextDecoder call (most DWARF names). */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start < 64) {
    let ascii = "";
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return utf8.decode(bytes.subarray(start, end));
      ascii += String.fromCharCode(c);
    }
    return ascii;
  }
  return utf8.decode(bytes.subarray(start, end));
}

/** The NUL-terminated string at `offset` of a string section (.debug_str, .debug_line_str). */
export function stringAt(section: Uint8Array | undefined, name: string, offset: number): string {
  if (!section || offset >= section.length) {
    throw new FormatError(`${name}: string offset 0x${offset.toString(16)} is outside the section`);
  }
  const end = section.indexOf(0, offset);
  if (end < 0) throw new FormatError(`${name}: string at 0x${offset.toString(16)} has no terminating NUL`);
  return decodeUtf8(section, offset, end);
}
