/**
 * The heap-dump reader on dumps of an exact shape: every record kind read back as written (both
 * byte orders, 4- and 8-byte pointers), the same result fed in chunks of any size, and each kind of
 * damage refused with HeapDumpError naming the byte offset and the problem.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HeapDumpError } from "../../../src/errors.js";
import { HeapDumpReader, isHeapDump, readHeapDump } from "../../../src/formats/heapdump/read-heap-dump.js";
import type { HeapDump } from "../../../src/model/heap-dump.js";
import { DumpWriter } from "./support/dump-writer.js";

const BASE = 0xc000010000;

/** A dump with one record of every kind. */
function everyRecord(params: { bigEndian: boolean; pointerSize: number }): Uint8Array {
  const w = new DumpWriter().header().params({ ...params, goVersion: "go1.27.3", goarch: "s390x", ncpu: 7 });
  const p = params.pointerSize;
  const base = p === 8 ? BASE : 0x10000;
  w.uvarint(3).uvarint(0x500000).uvarint(16).string("main.T").uvarint(1); // type
  w.uvarint(8).uvarint(0x510000).uvarint(0x500000); // itab
  w.object(base, 4 * p, [
    [0, base + 4 * p],
    [2 * p, base + 4 * p + 8],
  ]);
  w.object(base + 4 * p, 2 * p, [[p, 0]]); // a nil pointer slot
  w.uvarint(2).string("other root").uvarint(base); // other root
  w.goroutine({ address: 0x600000, goid: 42, creatorPc: 0x401234, waitReason: "select", context: base });
  w.frame({ sp: 0x7f0000, depth: 0, functionName: "main.worker", size: 3 * p, pointers: [[p, base + 1]] });
  w.frame({ sp: 0x7f0100, depth: 1, functionName: "runtime.goexit", size: p });
  w.uvarint(14)
    .uvarint(0x610000)
    .uvarint(0x600000)
    .uvarint(0x7f0000)
    .uvarint(0x401000)
    .uvarint(base)
    .uvarint(0x401500)
    .uvarint(0);
  w.uvarint(15).uvarint(0x620000).uvarint(0x600000).uvarint(0x500000).uvarint(base).uvarint(0).uvarint(0);
  w.uvarint(9).uvarint(0x630000).uvarint(3).uvarint(12345);
  w.segment(12, 0x700000, 4 * p, [[p, base]]);
  w.segment(13, 0x710000, 2 * p, [[0, base + 4 * p]]);
  w.finalizer(7, base, 0x720000);
  w.finalizer(11, base + 4 * p, 0x720010);
  w.memStats(4096);
  w.bucket(
    0x800000,
    32,
    [
      ["main.alloc", "/src/main.go", 12],
      ["main.main", "/src/main.go", 30],
    ],
    5,
    2,
  );
  w.allocSample(base + 8, 0x800000);
  return w.end().finish();
}

describe("readHeapDump: every record kind", () => {
  for (const params of [
    { bigEndian: false, pointerSize: 8 },
    { bigEndian: true, pointerSize: 8 },
    { bigEndian: false, pointerSize: 4 },
    { bigEndian: true, pointerSize: 4 },
  ]) {
    it(`reads back what was written (${params.bigEndian ? "big" : "little"}-endian, ${params.pointerSize}-byte pointers)`, () => {
      const bytes = everyRecord(params);
      expect(isHeapDump(bytes)).toBe(true);
      const dump = readHeapDump(bytes);
      const p = params.pointerSize;
      const base = p === 8 ? BASE : 0x10000;
      expect(dump.params).toMatchObject({ ...params, goVersion: "go1.27.3", goarch: "s390x", ncpu: 7 });
      expect(dump.types).toEqual([{ address: 0x500000, size: 16, name: "main.T", indirectOrPointers: true }]);
      expect(dump.itabs).toEqual([{ address: 0x510000, typeAddress: 0x500000 }]);
      expect(dump.objects.count).toBe(2);
      expect(Array.from(dump.objects.address)).toEqual([base, base + 4 * p]);
      expect(Array.from(dump.objects.size)).toEqual([4 * p, 2 * p]);
      // Pointer words are read in the dump's byte order; the nil slot is left out.
      expect(Array.from(dump.objects.pointers.start)).toEqual([0, 2, 2]);
      expect(Array.from(dump.objects.pointers.fieldOffset)).toEqual([0, 2 * p]);
      expect(Array.from(dump.objects.pointers.value)).toEqual([base + 4 * p, base + 4 * p + 8]);
      // Content offsets index the file: the contents hold the pointer words.
      const at = dump.objects.contentOffset[0]!;
      expect(dump.bytes!.subarray(at, at + 4 * p).length).toBe(4 * p);
      expect(dump.otherRoots).toEqual([{ description: "other root", pointer: base }]);
      expect(dump.goroutines).toHaveLength(1);
      expect(dump.goroutines[0]).toMatchObject({
        goid: 42,
        creatorPc: 0x401234,
        waitReason: "select",
        context: base,
        firstFrame: 0,
        frameCount: 2,
      });
      expect(dump.frames.count).toBe(2);
      expect(dump.strings[dump.frames.functionName[0]!]).toBe("main.worker");
      expect(Array.from(dump.frames.depth)).toEqual([0, 1]);
      expect(Array.from(dump.frames.pointers.value)).toEqual([base + 1]);
      expect(dump.defers).toEqual([
        {
          address: 0x610000,
          goroutineAddress: 0x600000,
          sp: 0x7f0000,
          pc: 0x401000,
          funcval: base,
          functionPc: 0x401500,
          link: 0,
        },
      ]);
      expect(dump.panics).toEqual([
        {
          address: 0x620000,
          goroutineAddress: 0x600000,
          argumentType: 0x500000,
          argumentData: base,
          link: 0,
        },
      ]);
      expect(dump.osThreads).toEqual([{ mAddress: 0x630000, id: 3, osThreadId: 12345 }]);
      expect(dump.data).toMatchObject({ start: 0x700000, size: 4 * p });
      expect(Array.from(dump.data!.fieldOffset)).toEqual([p]);
      expect(Array.from(dump.data!.value)).toEqual([base]);
      expect(Array.from(dump.bss!.value)).toEqual([base + 4 * p]);
      expect(dump.finalizers).toEqual([
        {
          object: base,
          funcval: 0x720000,
          functionPc: 0x402000,
          argumentType: 0x500000,
          objectType: 0x500100,
        },
      ]);
      expect(dump.queuedFinalizers.map((f) => f.object)).toEqual([base + 4 * p]);
      expect(dump.memStats).toMatchObject({ alloc: 1, heapAlloc: 4096, pauseTotalNs: 24, numGc: 3 });
      expect(dump.memStats!.pauseNs[255]).toBe(255);
      expect(dump.buckets).toEqual([
        {
          id: 0x800000,
          size: 32,
          frames: [
            { function: "main.alloc", file: "/src/main.go", line: 12 },
            { function: "main.main", file: "/src/main.go", line: 30 },
          ],
          allocs: 5,
          frees: 2,
        },
      ]);
      expect(Array.from(dump.allocSamples.address)).toEqual([base + 8]);
      expect(dump.fileSize).toBe(bytes.length);
    });
  }

  it("reads uvarints up to 2^64 - 1 and rejects longer or larger ones", () => {
    const ok = new DumpWriter()
      .header()
      .params({ arenaEnd: 2 ** 53 + 2 })
      .end()
      .finish();
    expect(readHeapDump(ok).params.arenaEnd).toBe(2 ** 53 + 2);
    const big = new DumpWriter()
      .header()
      .params()
      .uvarint(9)
      .uvarint((1n << 64n) - 1n)
      .uvarint(1)
      .uvarint(1)
      .end();
    expect(readHeapDump(big.finish()).osThreads[0]!.mAddress).toBe(2 ** 64);
    const overflow = new DumpWriter()
      .header()
      .params()
      .uvarint(9)
      .raw([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
    expect(() => readHeapDump(overflow.uvarint(1).uvarint(1).end().finish())).toThrow(/overflows 64 bits/);
  });
});

function snapshot(dump: HeapDump) {
  return {
    objects: [
      dump.objects.count,
      Array.from(dump.objects.address),
      Array.from(dump.objects.size),
      Array.from(dump.objects.contentOffset),
    ],
    pointers: [
      Array.from(dump.objects.pointers.start),
      Array.from(dump.objects.pointers.fieldOffset),
      Array.from(dump.objects.pointers.value),
    ],
    frames: [
      dump.frames.count,
      Array.from(dump.frames.functionName).map((id) => dump.strings[id]),
      Array.from(dump.frames.pointers.value),
    ],
    goroutines: dump.goroutines,
    rest: [
      dump.data,
      dump.bss,
      dump.finalizers,
      dump.queuedFinalizers,
      dump.defers,
      dump.panics,
      dump.memStats,
      dump.buckets,
    ],
    samples: Array.from(dump.allocSamples.address),
  };
}

/** Random object graphs written as dumps: objects with pointers to each other's interiors. */
const arbitraryDump = fc
  .record({
    sizes: fc.array(fc.constantFrom(8, 16, 48, 512, 4096, 40000), { minLength: 1, maxLength: 30 }),
    links: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 60 }),
    frames: fc.array(fc.string({ maxLength: 80 }), { maxLength: 5 }),
  })
  .map(({ sizes, links, frames }) => {
    const addresses: number[] = [];
    let next = BASE;
    for (const size of sizes) {
      addresses.push(next);
      next += size;
    }
    const w = new DumpWriter().header().params();
    sizes.forEach((size, i) => {
      const pointers = new Map<number, number>();
      for (const [from, to, at] of links) {
        if (from % sizes.length !== i) continue;
        const target = to % sizes.length;
        pointers.set((at % (size / 8)) * 8, addresses[target]! + (at % sizes[target]!));
      }
      w.object(
        addresses[i]!,
        size,
        [...pointers].sort((a, b) => a[0] - b[0]),
      );
    });
    w.goroutine({ address: 0x600000, goid: 1 });
    frames.forEach((name, depth) => {
      w.frame({
        sp: 0x7f0000 + depth * 64,
        depth,
        functionName: name,
        size: 16,
        pointers: [[8, addresses[depth % addresses.length]!]],
      });
    });
    w.segment(13, 0x700000, 16, [[8, addresses[0]!]]);
    w.memStats(next - BASE);
    return w.end().finish();
  });

describe("HeapDumpReader: chunked input", () => {
  it("gives the same dump whatever the chunk boundaries", () => {
    fc.assert(
      fc.property(
        arbitraryDump,
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 }),
        (bytes, cuts) => {
          const whole = readHeapDump(bytes);
          const reader = new HeapDumpReader();
          let at = 0;
          for (let i = 0; at < bytes.length; i++) {
            const size = cuts[i % cuts.length]!;
            reader.push(bytes.subarray(at, at + size));
            at += size;
          }
          const chunked = reader.finish();
          expect(chunked.bytes).toBeUndefined();
          expect(snapshot(chunked)).toEqual(snapshot(whole));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("one byte at a time", () => {
    const bytes = everyRecord({ bigEndian: false, pointerSize: 8 });
    const reader = new HeapDumpReader();
    for (let i = 0; i < bytes.length; i++) reader.push(bytes.subarray(i, i + 1));
    expect(snapshot(reader.finish())).toEqual(snapshot(readHeapDump(bytes)));
  });

  it("a truncated stream fails at finish, naming where", () => {
    const bytes = everyRecord({ bigEndian: false, pointerSize: 8 });
    const reader = new HeapDumpReader();
    reader.push(bytes.subarray(0, 200));
    expect(() => reader.finish()).toThrow(
      /heap dump truncated at byte 200: the .* record that starts at byte \d+ is incomplete/,
    );
  });
});

function refusal(bytes: Uint8Array): string {
  try {
    readHeapDump(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(HeapDumpError);
    return (error as Error).message;
  }
  throw new Error("the damaged dump was accepted");
}

describe("readHeapDump: damaged dumps", () => {
  const start = () => new DumpWriter().header().params();

  it("names each problem and its byte offset", () => {
    expect(refusal(new Uint8Array(0))).toBe(
      'not a Go heap dump: expected the header "go1.7 heap dump\\n", found ""',
    );
    expect(refusal(new DumpWriter().header("go1.3 heap dump\n").finish())).toMatch(
      /found "go1.3 heap dump\\n"/,
    );
    expect(refusal(new DumpWriter().header().uvarint(1).finish())).toMatch(
      /byte 16 .*expected the params record first, found object/,
    );
    expect(refusal(new DumpWriter().header().params({ pointerSize: 3 }).end().finish())).toMatch(
      /pointer size 3 \(expected 4 or 8\)/,
    );
    expect(refusal(start().params().end().finish())).toMatch(/a second params record/);
    expect(refusal(start().uvarint(18).end().finish())).toMatch(
      /byte \d+ \(tag 18 record at byte \d+\): unknown record tag 18/,
    );
    expect(refusal(start().finish())).toMatch(/heap dump truncated at byte \d+: no end record/);
    expect(refusal(start().end().raw([1, 2, 3]).finish())).toMatch(/byte \d+: data after the end record/);
    // An object whose field list points past its contents.
    const outside = start().uvarint(1).uvarint(BASE).bytes(new Uint8Array(16)).fields([16]).end().finish();
    expect(refusal(outside)).toMatch(
      /object record at byte \d+\): pointer field at offset 16 lies outside the 16 bytes/,
    );
    const kind = start().uvarint(1).uvarint(BASE).bytes(new Uint8Array(16)).fields([0], 9).end().finish();
    expect(refusal(kind)).toMatch(/unknown field kind 9/);
    // A length far beyond the file, and one beyond 2^53.
    const long = start()
      .uvarint(1)
      .uvarint(BASE)
      .uvarint(1 << 30)
      .end()
      .finish();
    expect(refusal(long)).toMatch(/object contents of 1073741824 bytes runs past the end of the dump/);
    const huge = start()
      .uvarint(3)
      .uvarint(1)
      .uvarint(1)
      .uvarint((1n << 63n) + 5n)
      .end()
      .finish();
    expect(refusal(huge)).toMatch(/type name of \d+ bytes runs past the end/);
    const address = start()
      .uvarint(1)
      .uvarint(2n ** 60n)
      .bytes(new Uint8Array(8))
      .fields([])
      .end()
      .finish();
    expect(refusal(address)).toMatch(/object address beyond 2\^53/);
    expect(refusal(start().frame({ sp: 1, depth: 0, functionName: "f", size: 8 }).end().finish())).toMatch(
      /stack frame before any goroutine record/,
    );
    expect(
      refusal(
        start().uvarint(4).uvarint(1).uvarint(1).uvarint(1).uvarint(1).uvarint(4).uvarint(2).end().finish(),
      ),
    ).toMatch(/is-system flag is 2, not a boolean/);
    expect(refusal(start().segment(12, 1, 8, []).segment(12, 2, 8, []).end().finish())).toMatch(
      /a second data segment/,
    );
  });

  it("a truncated record names the record and where it started", () => {
    const bytes = start()
      .object(BASE, 64, [[8, BASE]])
      .end()
      .finish();
    const message = refusal(bytes.subarray(0, bytes.length - 3)); // inside the field list
    expect(message).toMatch(
      /^heap dump truncated at byte \d+: the object record that starts at byte \d+ is incomplete$/,
    );
  });

  it("a bucket claiming 2^40 frames runs out of bytes, not memory", () => {
    const bytes = start()
      .uvarint(16)
      .uvarint(1)
      .uvarint(8)
      .uvarint(2 ** 40)
      .string("f")
      .string("g")
      .uvarint(1)
      .end()
      .finish();
    expect(refusal(bytes)).toMatch(/truncated|runs past the end/);
  });
});
