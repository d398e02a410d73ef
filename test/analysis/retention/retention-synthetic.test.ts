/**
 * The retention analyses' decisions on dumps of an exact shape (the real-dump tests check the same
 * against Go programs): interior pointers and allocation headers, shared objects, goroutine and
 * frame roots, finalizer semantics, closures, paths preferring the program's roots over runtime
 * ones, root names with and without a symbol table, the sample join's scaling and its minimum, and
 * retained sizes against a naive "remove the object, recount what is reachable" on random heaps.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allocationBuckets,
  bucketsAtSite,
  buildObjectGraph,
  computeReachability,
  computeRetention,
  computeShortestPaths,
  holdersByRoot,
  nodeAt,
  objectAt,
  retainingPath,
  rootsReaching,
  rootsRetainingSamples,
} from "../../../src/analysis/retention/index.js";
import { readHeapDump } from "../../../src/formats/heapdump/read-heap-dump.js";
import { scaleHeapSample } from "../../../src/formats/pprof-legacy-heap-text.js";
import type { RootDescription } from "../../../src/model/object-graph.js";
import type { GlobalSymbol, SymbolResolver } from "../../../src/model/symbols.js";
import { DumpWriter } from "../../formats/heapdump/support/dump-writer.js";

const BASE = 0xc000100000;
const DATA = 0x600000;
const BSS = 0x700000;
const at = (k: number) => BASE + k * 0x1000;

function resolver(globals: GlobalSymbol[], functions: GlobalSymbol[] = []): SymbolResolver {
  const find = (list: GlobalSymbol[], address: number) =>
    list.find((g) => g.start <= address && address < g.start + g.size) ?? null;
  return { globalAt: (a) => find(globals, a), funcNameAt: (pc) => find(functions, pc)?.name ?? null };
}

function analyze(bytes: Uint8Array, symbols?: SymbolResolver) {
  const dump = readHeapDump(bytes);
  const graph = buildObjectGraph(dump, symbols);
  const retention = computeRetention(graph);
  const holderOf = (address: number): RootDescription | "shared" | "unreachable" => {
    const holder = retention.holder[nodeAt(graph, address)]!;
    return holder < 0 ? "unreachable" : holder === 0 ? "shared" : graph.roots[holder - 1]!;
  };
  return { dump, graph, retention, holderOf };
}

describe("retention on exact shapes", () => {
  it("interior pointers and allocation headers find their object", () => {
    const w = new DumpWriter().header().params();
    w.object(at(0), 1024, [[8 + 24, at(1) + 100]]); // a pointer into the middle of object 1
    w.object(at(1), 512);
    w.segment(13, BSS, 16, [[8, at(0) + 8 + 24]]); // a slice header pointing past object 0's header
    w.bucket(0x900000, 1016, [["main.make", "/src/main.go", 7]], 1, 0);
    w.allocSample(at(0) + 8, 0x900000); // samples may point past the 8-byte header
    const { dump, graph, holderOf } = analyze(w.memStats(1536).end().finish());
    expect(holderOf(at(0))).toMatchObject({ kind: "global", label: "bss+0x8" });
    expect(holderOf(at(1))).toMatchObject({ label: "bss+0x8" });
    const buckets = allocationBuckets(dump, graph);
    expect(buckets[objectAt(graph, at(0))]).toBe(0);
    const path = retainingPath(graph, computeShortestPaths(graph), objectAt(graph, at(1)), {
      buckets: dump.buckets,
      bucketOfObject: buckets,
    })!;
    expect(path.steps.map((s) => [s.address, s.fieldOffset])).toEqual([
      [at(0), 0],
      [at(1), 32],
    ]);
    expect(path.steps[0]!.allocation!.frames[0]!.function).toBe("main.make");
  });

  it("what two roots reach together is shared, and named by rootsReaching", () => {
    const w = new DumpWriter().header().params();
    w.object(at(0), 64, [[0, at(2)]]); // held by global a, points at the shared object
    w.object(at(1), 64, [[0, at(2)]]); // held by global b
    w.object(at(2), 4096, [[0, at(3)]]); // shared, and what it alone holds
    w.object(at(3), 2048);
    w.object(at(4), 8192); // garbage
    w.segment(12, DATA, 16, [
      [0, at(0)],
      [8, at(1)],
    ]);
    const { graph, retention, holderOf } = analyze(w.end().finish());
    expect(holderOf(at(2))).toBe("shared");
    expect(holderOf(at(3))).toBe("shared");
    expect(holderOf(at(4))).toBe("unreachable");
    const report = holdersByRoot(graph, retention);
    expect(report.shared.bytes).toBe(4096 + 2048);
    expect(report.shared.objects).toBe(2);
    expect(report.shared.largest.map((s) => [s.address, s.retainedBytes])).toEqual([[at(2), 6144]]);
    expect(report.holders.map((h) => [h.root.label, h.retainedBytes])).toEqual([
      ["data+0x0", 64],
      ["data+0x8", 64],
    ]);
    expect(report.reachableBytes).toBe(64 + 64 + 4096 + 2048);
    expect(rootsReaching(graph, [objectAt(graph, at(3))])[0]!.map((r) => r.label)).toEqual([
      "data+0x0",
      "data+0x8",
    ]);
    expect(computeReachability(graph).unreachableBytes).toBe(8192);
  });

  it("a goroutine holds what its frames share; a frame what it alone holds", () => {
    const w = new DumpWriter().header().params();
    w.object(at(0), 1024);
    w.object(at(1), 2048);
    w.goroutine({ address: 0x800000, goid: 7, creatorPc: 0x401100 });
    w.frame({
      sp: 0x7f0000,
      depth: 0,
      functionName: "main.inner",
      size: 32,
      pointers: [
        [8, at(0)],
        [16, at(1)],
      ],
    });
    w.frame({ sp: 0x7f0100, depth: 1, functionName: "main.outer", size: 32, pointers: [[24, at(1)]] });
    const symbols = resolver([], [{ name: "main.spawn", start: 0x401000, size: 0x200 }]);
    const { graph, retention, holderOf } = analyze(w.end().finish(), symbols);
    const inner = holderOf(at(0)) as RootDescription;
    expect(inner).toMatchObject({ kind: "stack", label: "main.inner (goroutine 7, created by main.spawn)" });
    const goroutine = holderOf(at(1)) as RootDescription;
    expect(goroutine.label).toBe("goroutine 7 [chan receive]: main.inner, created by main.spawn");
    expect(inner.parentNode).toBe(goroutine.node);
    expect(retention.retainedBytes[goroutine.node]).toBe(3072);
    const path = retainingPath(graph, computeShortestPaths(graph), objectAt(graph, at(0)))!;
    expect(path.roots.map((r) => r.label)).toEqual([goroutine.label, inner.label]);
    expect(path.steps[0]!.fieldOffset).toBe(8);
  });

  it("finalizers: a registered one keeps its funcval and referents, not the object; a queued one keeps the object", () => {
    const w = new DumpWriter().header().params();
    w.object(at(0), 64, [[8, at(1)]]); // the finalized object F → P
    w.object(at(1), 4096); // P
    w.object(at(2), 16, [[8, at(3)]]); // funcval closure C → Q (word 0 is the code pointer)
    w.object(at(3), 8192); // Q
    w.object(at(4), 512); // G, finalizer queued
    w.finalizer(7, at(0), at(2), 0x402000);
    w.finalizer(11, at(4), 0x5f0000, 0x402000);
    const symbols = resolver([], [{ name: "main.release", start: 0x402000, size: 0x100 }]);
    const { holderOf } = analyze(w.end().finish(), symbols);
    expect(holderOf(at(0))).toBe("unreachable");
    for (const address of [at(1), at(2), at(3)]) {
      expect(holderOf(address)).toMatchObject({
        kind: "finalizer",
        address: at(0),
        functionName: "main.release",
      });
    }
    expect((holderOf(at(1)) as RootDescription).label).toBe(
      `finalizer of 0x${at(0).toString(16)} (main.release)`,
    );
    expect(holderOf(at(4))).toMatchObject({
      kind: "finalizer",
      label: `queued finalizer of 0x${at(4).toString(16)} (main.release)`,
    });
  });

  it("closures: the goroutine's context, deferred calls and panic values are roots of the goroutine", () => {
    const w = new DumpWriter().header().params();
    w.object(at(0), 32, [], [[0, 0x404010]]); // the context closure: word 0 is its code pointer
    w.object(at(1), 48); // a deferred call's funcval
    w.object(at(2), 96); // the panic value
    w.goroutine({ address: 0x800000, goid: 3, context: at(0) });
    w.frame({ sp: 0x7f0000, depth: 0, functionName: "main.work", size: 16 });
    w.uvarint(14)
      .uvarint(0x7e0000)
      .uvarint(0x800000)
      .uvarint(0x7f0000)
      .uvarint(0x401000)
      .uvarint(at(1))
      .uvarint(0x403000)
      .uvarint(0);
    w.uvarint(15).uvarint(0x7d0000).uvarint(0x800000).uvarint(0x500000).uvarint(at(2)).uvarint(0).uvarint(0);
    const symbols = resolver(
      [],
      [
        { name: "main.cleanup", start: 0x403000, size: 0x40 },
        { name: "main.work.func1", start: 0x404000, size: 0x40 },
      ],
    );
    const { holderOf } = analyze(w.end().finish(), symbols);
    expect(holderOf(at(0))).toMatchObject({
      kind: "closure",
      label: "closure context of main.work.func1 (goroutine 3)",
    });
    expect(analyze(w.finish()).holderOf(at(0))).toMatchObject({ label: "closure context (goroutine 3)" });
    expect(holderOf(at(1))).toMatchObject({
      kind: "closure",
      label: "deferred call to main.cleanup (goroutine 3)",
    });
    expect(holderOf(at(2))).toMatchObject({ kind: "stack", label: "panic value (goroutine 3)" });
  });

  it("globals are named by the symbol table; runtime ones and system goroutines are runtime, and paths avoid them", () => {
    const w = new DumpWriter().header().params();
    w.object(at(0), 64, [[0, at(1)]]);
    w.object(at(1), 64, [[0, at(2)]]);
    w.object(at(2), 4096); // reached from runtime.cache in one step, from main.index in three
    w.object(at(3), 128); // reached only from a system goroutine
    w.segment(13, BSS, 48, [
      [0, at(2)],
      [32, at(0)],
    ]);
    w.goroutine({ address: 0x800000, goid: 2, system: true, waitReason: "GC sweep wait" });
    w.frame({ sp: 0x7f0000, depth: 0, functionName: "runtime.bgsweep", size: 16, pointers: [[8, at(3)]] });
    const symbols = resolver([
      { name: "runtime.cache", start: BSS, size: 16 },
      { name: "main.index", start: BSS + 24, size: 16 },
    ]);
    const { graph, retention } = analyze(w.end().finish(), symbols);
    const labels = graph.roots.map((r) => [r.kind, r.label]);
    expect(labels).toEqual(
      expect.arrayContaining([
        ["runtime", "runtime.cache"],
        ["global", "main.index"],
        ["runtime", "goroutine 2 [GC sweep wait]"],
        ["runtime", "runtime.bgsweep (goroutine 2)"],
      ]),
    );
    const paths = computeShortestPaths(graph);
    const viaProgram = retainingPath(graph, paths, objectAt(graph, at(2)))!;
    expect(viaProgram.root.label).toBe("main.index");
    expect(viaProgram.steps.map((s) => [s.address, s.fieldOffset])).toEqual([
      [at(0), 8],
      [at(1), 0],
      [at(2), 0],
    ]);
    const viaRuntime = retainingPath(graph, paths, objectAt(graph, at(3)))!;
    expect(viaRuntime.root.kind).toBe("runtime");
    const report = holdersByRoot(graph, retention);
    expect(report.holders.map((h) => h.root.label)).toEqual(["main.index"]);
    expect(report.runtimeHolders.map((h) => [h.root.label, h.retainedBytes])).toEqual([
      ["goroutine 2 [GC sweep wait]", 128],
      ["runtime.bgsweep (goroutine 2)", 128],
    ]);
    // Without a symbol table the same words are named by their segment offset.
    const bare = analyze(w.finish());
    expect(bare.graph.roots.filter((r) => r.kind === "global").map((r) => r.label)).toEqual([
      "bss+0x0",
      "bss+0x20",
    ]);
  });
});

describe("rootsRetainingSamples", () => {
  function sampledHeap(count: number, size: number): Uint8Array {
    const w = new DumpWriter().header().params();
    const pointers: [number, number][] = [];
    for (let i = 0; i < count; i++) {
      w.object(at(i), size);
      pointers.push([8 * i, at(i)]);
    }
    w.object(at(count), size); // a sampled object no root reaches
    w.segment(13, BSS, 8 * count, pointers);
    w.bucket(
      0x900000,
      size,
      [
        ["runtime.mallocgc", "/go/src/runtime/malloc.go", 1000],
        ["main.fill", "/src/app/main.go", 42],
      ],
      count + 1,
      0,
    );
    for (let i = 0; i <= count; i++) w.allocSample(at(i), 0x900000);
    w.allocSample(BASE - 64, 0x900000); // in no object
    return w.end().finish();
  }

  it("scales sampled objects as pprof scales heap samples, per holder", () => {
    const { dump, graph, retention } = analyze(sampledHeap(12, 4096));
    const site = bucketsAtSite(dump, { file: "app/main.go", line: 42 });
    expect([...site]).toEqual([0x900000]);
    const result = rootsRetainingSamples(dump, graph, retention, site);
    expect(result).toMatchObject({ samples: 13, unreachableSamples: 1, unmatchedSamples: 1, minSamples: 10 });
    // Each global word holds one sample: below the minimum, so no estimate.
    expect(result.holders).toHaveLength(12);
    for (const holder of result.holders) {
      expect(holder).toMatchObject({ samples: 1, claim: "too-few-samples", sampledBytes: 4096 });
      expect(holder.estimatedBytes).toBeUndefined();
    }
    const [objects, bytes] = scaleHeapSample(12n, 12n * 4096n, 524288n);
    expect(result.estimatedObjects).toBe(Number(objects));
    expect(result.estimatedBytes).toBe(Number(bytes));
  });

  it("gives an estimate once enough samples stand behind a holder", () => {
    const w = new DumpWriter().header().params();
    const pointers: [number, number][] = [];
    for (let i = 0; i < 20; i++) {
      w.object(at(i + 1), 1024);
      pointers.push([8 * i, at(i + 1)]);
    }
    w.object(at(0), 8 * 20, pointers); // one slice holds all twenty
    w.segment(12, DATA, 8, [[0, at(0)]]);
    w.bucket(0x900000, 1024, [["main.fill", "/src/app/main.go", 42]], 20, 0);
    for (let i = 0; i < 20; i++) w.allocSample(at(i + 1), 0x900000);
    const { dump, graph, retention } = analyze(
      w.end().finish(),
      resolver([{ name: "main.cache", start: DATA, size: 8 }]),
    );
    const result = rootsRetainingSamples(
      dump,
      graph,
      retention,
      bucketsAtSite(dump, { function: "main.fill" }),
      {
        rate: 4096,
      },
    );
    const [objects, bytes] = scaleHeapSample(20n, 20n * 1024n, 4096n);
    expect(result.holders).toEqual([
      {
        holder: expect.objectContaining({ label: "main.cache" }),
        samples: 20,
        sampledBytes: 20 * 1024,
        claim: "estimate",
        estimatedObjects: Number(objects),
        estimatedBytes: Number(bytes),
      },
    ]);
    // With MemProfileRate=1 every object is sampled: one sample is a fact, not an estimate.
    const exact = rootsRetainingSamples(dump, graph, retention, new Set([0x900000]), {
      rate: 1,
      minSamples: 50,
    });
    expect(exact.holders[0]).toMatchObject({
      claim: "estimate",
      estimatedObjects: 20,
      estimatedBytes: 20 * 1024,
    });
  });
});

describe("retained sizes", () => {
  it("equal the bytes that become unreachable when the object is removed, on random heaps", () => {
    const heap = fc.record({
      sizes: fc.array(fc.constantFrom(16, 32, 48, 1024), { minLength: 1, maxLength: 25 }),
      links: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 50 }),
      globals: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(heap, ({ sizes, links, globals }) => {
        const n = sizes.length;
        const targets = sizes.map((_, i) => [
          ...new Set(links.filter(([from]) => from % n === i).map(([, to]) => to % n)),
        ]);
        const w = new DumpWriter().header().params();
        sizes.forEach((size, i) => {
          w.object(
            at(i),
            size,
            targets[i]!.slice(0, size / 8).map((t, k) => [8 * k, at(t)] as [number, number]),
          );
        });
        w.segment(
          13,
          BSS,
          8 * globals.length,
          globals.map((g, k) => [8 * k, at(g % n)] as [number, number]),
        );
        const { graph, retention } = analyze(w.end().finish());
        const edges = sizes.map((size, i) => targets[i]!.slice(0, size / 8));
        const reachableBytes = (removed: number) => {
          const seen = new Set<number>();
          const stack = globals.map((g) => g % n).filter((g) => g !== removed);
          while (stack.length > 0) {
            const v = stack.pop()!;
            if (seen.has(v)) continue;
            seen.add(v);
            for (const t of edges[v]!) if (t !== removed) stack.push(t);
          }
          return [...seen].reduce((sum, v) => sum + sizes[v]!, 0);
        };
        const all = reachableBytes(-1);
        expect(retention.retainedBytes[0]).toBe(all);
        sizes.forEach((_, i) => {
          const node = nodeAt(graph, at(i));
          const expected = retention.holder[node]! < 0 ? 0 : all - reachableBytes(i);
          expect(retention.holder[node]! < 0 ? 0 : retention.retainedBytes[node]).toBe(expected);
        });
      }),
      { numRuns: 300 },
    );
  });
});
