/**
 * parseProfileBytes: format sniffing (gzip, profile.proto, debug=1 text) and one clear
 * ProfileDecodeError per kind of bad input.
 */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { ProfileDecodeError } from "../../../src/errors.js";
import { parseProfileBytes } from "../../../src/formats/profile-bytes.js";
import { type HeapgenRun, heapgenRuns, readGunzipped } from "../support/heapgen.js";

let run: HeapgenRun;
beforeAll(async () => {
  run = (await heapgenRuns())[0]!;
});

function failure(bytes: Uint8Array, options?: { maxDecompressedBytes?: number }): string {
  try {
    parseProfileBytes(bytes, "input.pb.gz", options);
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileDecodeError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a ProfileDecodeError");
}

const gzip = (bytes: Uint8Array | string) => new Uint8Array(gzipSync(bytes));

describe("parseProfileBytes", () => {
  it("reads gzipped and raw profile.proto and gzipped and raw debug=1 text", () => {
    const gzipped = new Uint8Array(readFileSync(run.heapProto));
    const raw = readGunzipped(run.heapProto);
    const text = readFileSync(run.heapText);
    const a = parseProfileBytes(gzipped, "heap.pb.gz");
    expect([a.format, a.gzipped, a.source]).toEqual(["proto", true, "heap.pb.gz"]);
    const b = parseProfileBytes(raw, "heap.pb");
    expect([b.format, b.gzipped]).toEqual(["proto", false]);
    expect(b.profile.samples.length).toBe(a.profile.samples.length);
    const c = parseProfileBytes(new Uint8Array(text), "heap.txt");
    expect([c.format, c.gzipped]).toEqual(["legacy-heap-text", false]);
    expect(c.memStats?.NumGC).toBeGreaterThan(0);
    const d = parseProfileBytes(gzip(text), "heap.txt.gz");
    expect([d.format, d.gzipped]).toEqual(["legacy-heap-text", true]);
  });

  it("names each kind of bad input in one line", () => {
    const profile = readGunzipped(run.heapProto);
    expect(failure(new Uint8Array())).toBe("input.pb.gz: empty input (0 bytes)");
    expect(failure(new TextEncoder().encode("hello world\nsecond line\n"))).toBe(
      'input.pb.gz: not a pprof profile (text starting with "hello world")',
    );
    expect(failure(new TextEncoder().encode("goroutine profile: total 3\n3 @ 0x1\n"))).toMatch(
      /goroutine dump/,
    );
    // Gzip magic, then junk.
    expect(failure(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toMatch(
      /^input.pb.gz: corrupt gzip data/,
    );
    const gz = gzip(profile);
    expect(failure(gz.subarray(0, gz.length >> 1))).toBe("input.pb.gz: corrupt gzip data (truncated)");
    expect(failure(gzip(profile.subarray(0, profile.length - 7)))).toMatch(
      /^input.pb.gz: truncated protobuf at byte \d+/,
    );
    expect(failure(profile.subarray(0, profile.length - 7))).toMatch(
      /^input.pb.gz: not a pprof profile \(truncated protobuf at byte \d+/,
    );
    // Field 1 (sample_type) whose length is an 11-byte varint.
    expect(failure(gzip(new Uint8Array([0x0a, ...new Array(10).fill(0xff), 0x01])))).toMatch(
      /varint longer than 10 bytes at byte 1/,
    );
    // Field 2 (sample) claiming 2 GiB.
    expect(failure(gzip(new Uint8Array([0x12, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00])))).toMatch(
      /truncated protobuf at byte 7 \(a field at byte 1 has length 2147483648, 1 bytes are left\)/,
    );
    // string_table = ["x"]
    expect(failure(gzip(new Uint8Array([0x32, 0x01, 0x78])))).toMatch(/string_table\[0\] must be ""/);
    expect(failure(gzip(new Uint8Array([0x60, 0x01])))).toMatch(/no string table/);
  });

  it("stops a decompression bomb at the cap instead of inflating it", () => {
    // 64 MiB of zeros compress to about 64 KiB.
    const bomb = gzip(new Uint8Array(64 << 20));
    expect(bomb.length).toBeLessThan(1 << 20);
    expect(failure(bomb, { maxDecompressedBytes: 1 << 20 })).toBe(
      "input.pb.gz: decompressed size exceeds 1 MiB (--max-decompressed)",
    );
    expect(failure(bomb, { maxDecompressedBytes: 1000 })).toMatch(/exceeds 1000 B/);
  });
});
