/**
 * The input sniffer's binary-or-text rule (src/formats/sniff.ts) as properties. The sniffer on real
 * inputs of every kind is in test/e2e/formats/sniff.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { looksBinary, looksBinaryText, SNIFF_BYTES } from "../../src/formats/sniff.js";

describe("binary or text: one rule", () => {
  it("text made of printable characters and line breaks is never binary", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", "é", "漢", "😀", " ", "\t", "\n", "\r\n", "\u001b[0m") }),
        (text) => {
          expect(looksBinary(new TextEncoder().encode(text))).toBe(false);
          expect(looksBinaryText(text)).toBe(false);
        },
      ),
    );
  });

  it("a NUL anywhere in the prefix makes it binary, beyond the prefix it does not count", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8191 }), (at) => {
        const bytes = new Uint8Array(8192).fill(0x61);
        bytes[at] = 0;
        expect(looksBinary(bytes)).toBe(at < SNIFF_BYTES);
      }),
    );
  });

  it("a few stray control bytes are tolerated, more than 2 % are not", () => {
    const withControls = (count: number) => {
      const bytes = new Uint8Array(SNIFF_BYTES).fill(0x61);
      for (let i = 0; i < count; i++) bytes[i * 37] = 0x01;
      return bytes;
    };
    expect(looksBinary(withControls(Math.floor(SNIFF_BYTES * 0.02)))).toBe(false);
    expect(looksBinary(withControls(Math.floor(SNIFF_BYTES * 0.02) + 1))).toBe(true);
    expect(looksBinary(Uint8Array.from([0x61, 0x01, 0x01]))).toBe(false);
    expect(looksBinary(Uint8Array.from([0x61, 0x01, 0x01, 0x01]))).toBe(true);
  });

  it("invalid UTF-8 counts, a character cut by the end of the prefix does not", () => {
    const latin1 = Buffer.from("caf\xe9 ".repeat(40), "latin1");
    expect(looksBinary(latin1)).toBe(true);
    const cut = new Uint8Array(SNIFF_BYTES + 2).fill(0x61);
    cut.set([0xe6, 0xbc, 0xa2], SNIFF_BYTES - 1);
    expect(looksBinary(cut)).toBe(false);
  });

  it("bytes and the same text decoded get the same answer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (raw) => {
        // Ending in ASCII, so no character is cut at the end (the decoder would flag it, the byte rule
        // deliberately does not).
        const bytes = Uint8Array.from([...raw, 0x61]);
        const text = new TextDecoder().decode(bytes);
        if (new TextEncoder().encode(text).length > SNIFF_BYTES) return;
        const direct = looksBinary(bytes);
        const decoded = looksBinaryText(text);
        // Decoding can only merge invalid bytes into fewer U+FFFD, and never hides a NUL.
        if (bytes.includes(0)) expect(decoded).toBe(true);
        if (decoded) expect(direct).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
