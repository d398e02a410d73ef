/**
 * A small protobuf wire-format reader over a Uint8Array, for hand-written decoders.
 *
 * It never trusts a length it reads: every length prefix is checked against the bytes left, and a
 * varint longer than 10 bytes is an error, so hostile input fails fast instead of allocating.
 * 64-bit varints come back as numbers (the fast path, exact below 2^53) and, on request, as exact
 * bigints; int64 uses two's complement (a 10-byte varint with the top bit set is negative), as
 * profile.proto does (no zigzag).
 */
import { ProfileDecodeError } from "../errors.js";

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

const TWO_POW_32 = 4294967296;

export class ProtoReader {
  readonly bytes: Uint8Array;
  /** Offset of the next unread byte. */
  pos: number;
  /** Offset just past the last byte this reader may read. */
  end: number;
  /** Low and high 32 bits of the last varint read, kept so its exact value can be rebuilt as a bigint. */
  private lo = 0;
  private hi = 0;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** A field key: `fieldNumber << 3 | wireType`. Field numbers above 2^29 are rejected as corrupt. */
  tag(): number {
    const key = this.uint64();
    if (this.hi !== 0 || key > 0xffffffff) this.fail(`field number too large`);
    if (key >>> 3 === 0) this.fail("field number 0");
    return key;
  }

  /** Reads a varint and returns it unsigned, as a number (inexact above 2^53). */
  uint64(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    if (this.end - pos >= 4) {
      // Fast path: values below 2^28 take at most 4 bytes.
      let byte = bytes[pos++]!;
      let value = byte & 0x7f;
      if (byte >= 0x80) {
        byte = bytes[pos++]!;
        value |= (byte & 0x7f) << 7;
        if (byte >= 0x80) {
          byte = bytes[pos++]!;
          value |= (byte & 0x7f) << 14;
          if (byte >= 0x80) {
            byte = bytes[pos++]!;
            value |= (byte & 0x7f) << 21;
          }
        }
      }
      if (byte < 0x80) {
        this.pos = pos;
        this.lo = value;
        this.hi = 0;
        return value;
      }
    }
    this.readVarintSlow();
    return (this.hi >>> 0) * TWO_POW_32 + (this.lo >>> 0);
  }

  /** Reads a varint as a two's-complement int64, as a number (inexact beyond ±2^53; check `lastIsSafe`). */
  int64(): number {
    const value = this.uint64();
    if (this.hi === 0) return value;
    return (this.hi | 0) * TWO_POW_32 + (this.lo >>> 0);
  }

  /** Whether the last varint, read as int64, is exactly representable as a number. */
  lastInt64IsSafe(): boolean {
    const hi = this.hi | 0;
    // |value| < 2^53 exactly when the high word is within ±2^21 (the boundary cases are checked in full).
    if (hi >= -0x200000 && hi < 0x200000) {
      return hi !== -0x200000 || this.lo >>> 0 !== 0;
    }
    return false;
  }

  /** Whether the last varint, read as uint64, is exactly representable as a number. */
  lastUint64IsSafe(): boolean {
    return this.hi >>> 0 < 0x200000;
  }

  /** The last varint read, as an exact signed 64-bit bigint. */
  lastInt64Big(): bigint {
    if (this.hi === 0) return BigInt(this.lo >>> 0);
    return BigInt.asIntN(64, (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0));
  }

  /** The last varint read, as an exact unsigned 64-bit bigint. */
  lastUint64Big(): bigint {
    if (this.hi === 0) return BigInt(this.lo >>> 0);
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }

  /** Reads a varint as an exact signed 64-bit bigint. */
  int64Big(): bigint {
    this.uint64();
    return this.lastInt64Big();
  }

  /** Reads a varint as an exact unsigned 64-bit bigint. */
  uint64Big(): bigint {
    this.uint64();
    return this.lastUint64Big();
  }

  bool(): boolean {
    this.uint64();
    return this.lo !== 0 || this.hi !== 0;
  }

  /**
   * Reads a length prefix and returns the end offset of the payload that follows (`pos` is left at
   * its start). The length is checked against the bytes left before anything uses it.
   */
  lengthDelimitedEnd(): number {
    const at = this.pos;
    const length = this.uint64();
    if (length > this.end - this.pos) {
      if (this.end === this.bytes.length) {
        // Running past the end of the data itself: the bytes were cut short (or the length is absurd).
        throw new ProfileDecodeError(
          `truncated protobuf at byte ${this.end} (a field at byte ${at} has length ${length}, ${this.end - this.pos} bytes are left)`,
        );
      }
      this.fail(
        `length ${length} at byte ${at} runs past the end of its message (${this.end - this.pos} bytes left)`,
        at,
      );
    }
    return this.pos + length;
  }

  /** Skips the value of a field with the given wire type. Groups are not part of profile.proto: error. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.uint64();
        return;
      case WireType.Fixed64:
        this.advance(8);
        return;
      case WireType.LengthDelimited:
        this.pos = this.lengthDelimitedEnd();
        return;
      case WireType.Fixed32:
        this.advance(4);
        return;
      default:
        this.fail(`unsupported wire type ${wireType}`);
    }
  }

  private advance(count: number): void {
    if (this.end - this.pos < count) this.truncated(this.end);
    this.pos += count;
  }

  /** Decodes a varint that did not fit the fast path, into `lo`/`hi`. At most 10 bytes. */
  private readVarintSlow(): void {
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let byte = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) this.truncated(pos);
      byte = bytes[pos++]!;
      lo |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.finishVarint(pos, lo, hi);
        return;
      }
    }
    if (pos >= end) this.truncated(pos);
    byte = bytes[pos++]!;
    lo |= (byte & 0x0f) << 28;
    hi = (byte & 0x7f) >> 4;
    if (byte < 0x80) {
      this.finishVarint(pos, lo, hi);
      return;
    }
    // Bits 35..63; bits beyond 64 in the tenth byte are dropped, as Go's decoders do.
    for (let shift = 3; shift < 32; shift += 7) {
      if (pos >= end) this.truncated(pos);
      byte = bytes[pos++]!;
      hi |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.finishVarint(pos, lo, hi);
        return;
      }
    }
    this.fail(`varint longer than 10 bytes at byte ${this.pos}`, this.pos);
  }

  private finishVarint(pos: number, lo: number, hi: number): void {
    this.pos = pos;
    this.lo = lo;
    this.hi = hi;
  }

  truncated(at: number): never {
    throw new ProfileDecodeError(`truncated protobuf at byte ${at}`);
  }

  fail(problem: string, at = this.pos): never {
    if (problem.includes(" at byte ")) throw new ProfileDecodeError(`corrupt protobuf: ${problem}`);
    throw new ProfileDecodeError(`corrupt protobuf at byte ${at}: ${problem}`);
  }
}

/** Number of bytes a varint encoding of `value` (a uint64, as a non-negative number) takes. */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  let size = 4;
  let rest = Math.floor(value / 0x10000000);
  while (rest > 0) {
    size++;
    rest = Math.floor(rest / 128);
  }
  return size;
}
