/**
 * ProtoReader's varints against a plain BigInt decoder written from the wire-format spec: every
 * value, encodings longer than needed (which protobuf allows), varints cut short, and varints right
 * at the end of the bytes or of an enclosing message, where the reader's 4-byte fast path gives way
 * to the careful one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProfileDecodeError } from "../../src/errors.js";
import { ProtoReader } from "../../src/formats/protobuf-reader.js";

/** The varint of `value` (a uint64), padded with empty continuation groups to `length` bytes. */
function encode(value: bigint, length = 0): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    out.push(Number(rest & 0x7fn));
    rest >>= 7n;
  } while (rest > 0n);
  while (out.length < length) out.push(0);
  for (let i = 0; i < out.length - 1; i++) out[i]! |= 0x80;
  return out;
}

/** Reference: value and length of the varint at bytes[pos], or undefined if it does not end in 10 bytes. */
function reference(bytes: number[], pos: number): { value: bigint; length: number } | undefined {
  let value = 0n;
  for (let i = 0; i < 10 && pos + i < bytes.length; i++) {
    const byte = bytes[pos + i]!;
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if (byte < 0x80) return { value: BigInt.asUintN(64, value), length: i + 1 };
  }
  return undefined;
}

const uint64 = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: 0n, max: (1n << 28n) + 5n }),
  fc.constantFrom(0n, 127n, 128n, 16383n, 16384n, (1n << 21n) - 1n, 1n << 21n, (1n << 28n) - 1n, 1n << 28n),
);
const bytesAround = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 });

describe("varints", () => {
  it("ProtoReader reads every uint64 and int64, minimal or padded, and stops after it", () => {
    fc.assert(
      fc.property(
        uint64,
        fc.integer({ min: 0, max: 10 }),
        bytesAround,
        bytesAround,
        (value, pad, before, after) => {
          const varint = encode(value, pad);
          fc.pre(varint.length <= 10);
          const bytes = new Uint8Array([...before, ...varint, ...after]);
          const reader = new ProtoReader(bytes, before.length);
          expect(reader.uint64Big()).toBe(value);
          expect(reader.pos).toBe(before.length + varint.length);
          expect(reader.lastInt64Big()).toBe(BigInt.asIntN(64, value));
          expect(reader.lastInt64IsSafe()).toBe(Number.isSafeInteger(Number(BigInt.asIntN(64, value))));
          const asNumber = new ProtoReader(bytes, before.length).uint64();
          expect(asNumber).toBe(Number(value));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("reads a varint that ends by its limit and refuses one that runs past it", () => {
    fc.assert(
      fc.property(
        uint64,
        fc.integer({ min: 0, max: 6 }),
        bytesAround,
        bytesAround,
        (value, pad, before, after) => {
          const varint = encode(value, pad);
          const all = [...before, ...varint, ...after];
          const bytes = new Uint8Array(all);
          const pos = before.length;
          const expected = reference(all, pos)!;
          for (let limit = pos + 1; limit <= all.length; limit++) {
            const reader = new ProtoReader(bytes, pos, limit);
            if (expected.length <= limit - pos) {
              expect(reader.uint64Big()).toBe(expected.value);
              expect(reader.pos).toBe(pos + expected.length);
            } else {
              expect(() => reader.uint64()).toThrow(ProfileDecodeError);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("a varint cut short is a truncation, one past 10 bytes is corrupt", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 128n, max: (1n << 64n) - 1n }), (value) => {
        const varint = encode(value);
        for (let cut = 1; cut < varint.length; cut++) {
          // Cut by the end of the data, and by the end of an enclosing message.
          const alone = new ProtoReader(new Uint8Array(varint.slice(0, cut)));
          expect(() => alone.uint64()).toThrow(/truncated protobuf at byte/);
          const enclosed = new ProtoReader(new Uint8Array(varint), 0, cut);
          expect(() => enclosed.uint64()).toThrow(ProfileDecodeError);
        }
      }),
      { numRuns: 300 },
    );
    const eleven = new Uint8Array([...new Array(10).fill(0xff), 0x01]);
    expect(() => new ProtoReader(eleven).uint64()).toThrow(/varint longer than 10 bytes/);
  });
});
