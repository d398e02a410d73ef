/**
 * The reader on real dumps written by debug.WriteHeapDump from Go programs built with the default
 * toolchain, Go 1.27.3 and Go 1.19: the params name the toolchain that built the program; the heap
 * the dump lists adds up to the runtime's own HeapAlloc; object contents hold the pointers the program
 * reported; alloc samples and frames name the program's functions and lines; chunked reading agrees.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildAddressIndex, findObject } from "../../../src/analysis/retention/address-index.js";
import { HeapDumpReader, readHeapDump } from "../../../src/formats/heapdump/read-heap-dump.js";
import type { HeapDump } from "../../../src/model/heap-dump.js";
import {
  goVersion,
  programLine,
  requireToolchain,
  runScenario,
  toolchainAvailable,
  toolchains,
} from "../support/heap-dumps.js";

function frameNames(dump: HeapDump): string[] {
  return Array.from(dump.frames.functionName, (id) => dump.strings[id]!);
}

function word(dump: HeapDump, at: number): number {
  const view = new DataView(dump.bytes!.buffer, dump.bytes!.byteOffset + at, 8);
  return Number(view.getBigUint64(0, true));
}

describe.each(toolchains)("real heap dumps ($name)", (toolchain) => {
  it.skipIf(!toolchainAvailable(toolchain))("params, heap total, contents, segments, frames", async () => {
    requireToolchain(toolchain);
    const { facts } = await runScenario(toolchain, "global", 1);
    const dump = readHeapDump(readFileSync(facts.dump as string));
    expect(dump.params).toMatchObject({ pointerSize: 8, bigEndian: false, goarch: "amd64" });
    expect(dump.params.goVersion).toBe(await goVersion(toolchain));
    expect(dump.params.arenaStart).toBeLessThan(dump.params.arenaEnd);

    // Every listed object lies in the arena range the params give.
    const index = buildAddressIndex(dump.objects);
    expect(index.bounds[0]!).toBeGreaterThanOrEqual(dump.params.arenaStart);
    expect(index.bounds[index.bounds.length - 1]!).toBeLessThanOrEqual(dump.params.arenaEnd);
    // The dump lists every allocated slot, which is what HeapAlloc counts (bar what the dump itself allocates).
    let total = 0;
    for (let i = 0; i < dump.objects.count; i++) total += dump.objects.size[i]!;
    const heapAlloc = dump.memStats!.heapAlloc;
    expect(Math.abs(total - heapAlloc)).toBeLessThan(Math.max(0.01 * heapAlloc, 64 << 10));

    // The global slice's backing array holds the buffers' addresses, in order, one slice header apart.
    const backing = findObject(index, facts.backing as number);
    expect(backing).toBeGreaterThanOrEqual(0);
    const headerOffset = (facts.backing as number) - dump.objects.address[backing]!;
    const buffers = facts.buffers as number[];
    buffers.forEach((address, i) => {
      expect(word(dump, dump.objects.contentOffset[backing]! + headerOffset + 24 * i)).toBe(address);
    });
    // The pointer map lists exactly those words as the backing array's pointers.
    const { start, fieldOffset, value } = dump.objects.pointers;
    expect(Array.from(value.subarray(start[backing]!, start[backing + 1]!))).toEqual(buffers);
    expect(Array.from(fieldOffset.subarray(start[backing]!, start[backing + 1]!))).toEqual(
      buffers.map((_, i) => headerOffset + 24 * i),
    );
    // The global itself: a pointer word in BSS, at its address, holding the backing array's address.
    const bss = dump.bss!;
    const globalOffset = (facts.global as number) - bss.start;
    const k = Array.from(bss.fieldOffset).indexOf(globalOffset);
    expect(k).toBeGreaterThanOrEqual(0);
    expect(bss.value[k]).toBe(facts.backing);

    // The dumping goroutine's stack names the program's functions.
    expect(frameNames(dump)).toEqual(
      expect.arrayContaining(["runtime/debug.WriteHeapDump", "main.global", "main.main"]),
    );
    const main = dump.goroutines.find((g) => g.goid === 1)!;
    expect(main.isSystem).toBe(false);
    expect(main.frameCount).toBeGreaterThan(3);
    expect(dump.goroutines.filter((g) => g.isSystem).length).toBeGreaterThan(0);
  });

  it.skipIf(!toolchainAvailable(toolchain))(
    "alloc samples point into objects and name the allocating line",
    async () => {
      requireToolchain(toolchain);
      const { facts } = await runScenario(toolchain, "global", 1);
      const dump = readHeapDump(readFileSync(facts.dump as string));
      const index = buildAddressIndex(dump.objects);
      expect(dump.allocSamples.count).toBeGreaterThan(64);
      const buckets = new Map(dump.buckets.map((b) => [b.id, b]));
      for (let s = 0; s < dump.allocSamples.count; s++) {
        expect(findObject(index, dump.allocSamples.address[s]!)).toBeGreaterThanOrEqual(0);
        expect(buckets.has(dump.allocSamples.bucket[s]!)).toBe(true);
      }
      // With MemProfileRate=1 each of the 64 buffers has a sample, at the line that made it.
      const line = programLine("func fillRetained", "make([]byte, size)");
      const sampled = (facts.buffers as number[]).map((address) => {
        const s = Array.from(dump.allocSamples.address).indexOf(address);
        expect(s).toBeGreaterThanOrEqual(0);
        return buckets.get(dump.allocSamples.bucket[s]!)!;
      });
      for (const bucket of sampled) {
        expect(bucket.size).toBe(16 << 10);
        const leaf = bucket.frames.find((f) => !f.function.startsWith("runtime."))!;
        expect(leaf).toMatchObject({ function: "main.fillRetained", line });
        expect(leaf.file.endsWith("/heapdumps/main.go")).toBe(true);
      }
      expect(sampled[0]!.allocs).toBeGreaterThanOrEqual(64);
    },
  );

  it.skipIf(!toolchainAvailable(toolchain))("chunked reading gives the same dump", async () => {
    requireToolchain(toolchain);
    const { facts } = await runScenario(toolchain, "finalizer");
    const bytes = readFileSync(facts.dump as string);
    const whole = readHeapDump(bytes);
    const reader = new HeapDumpReader();
    for (let at = 0; at < bytes.length; at += 65_536) reader.push(bytes.subarray(at, at + 65_536));
    const chunked = reader.finish();
    expect(chunked.objects.count).toBe(whole.objects.count);
    expect(chunked.objects.contentOffset).toEqual(whole.objects.contentOffset);
    expect(chunked.objects.pointers.value).toEqual(whole.objects.pointers.value);
    expect(chunked.frames.count).toBe(whole.frames.count);
    expect(chunked.finalizers).toEqual(whole.finalizers);
    expect(chunked.queuedFinalizers).toEqual(whole.queuedFinalizers);
    expect(chunked.buckets).toEqual(whole.buckets);
    expect(chunked.memStats).toEqual(whole.memStats);
    // The program's finalizers are in the dump: one registered, one queued behind a blocked finalizer.
    expect(whole.finalizers.map((f) => f.object)).toContain(facts.registered);
    expect(whole.queuedFinalizers.map((f) => f.object)).toContain(facts.queued);
  });
});
