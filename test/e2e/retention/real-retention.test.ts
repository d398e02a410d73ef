/**
 * Retention analyses against what real Go programs know about their own heaps (default toolchain,
 * Go 1.27.3, Go 1.19):
 *   - reachability: a heap with most of its bytes dropped, dumped before and after runtime.GC(); the
 *     bytes the roots reach match the runtime's HeapAlloc after the collection;
 *   - a global slice holding 64 buffers: its root retains exactly those objects, named by the symbol
 *     table when there is one, with the right path and pointer offsets;
 *   - alloc samples joined to roots: exact with MemProfileRate=1, a scaled estimate at the default
 *     rate, and "too few samples" when too few stand behind a claim;
 *   - finalizers: the registered one keeps its funcval's captures and its object's referents but not
 *     the object; the queued one keeps its object;
 *   - a goroutine blocked while holding a buffer: its frame is the holder, named by its function.
 */
import { readFileSync } from "node:fs";
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
  objectNode,
  retainingPath,
  rootsReaching,
  rootsRetainingSamples,
} from "../../../src/analysis/retention/index.js";
import { readHeapDump } from "../../../src/formats/heapdump/read-heap-dump.js";
import type { HeapDump } from "../../../src/model/heap-dump.js";
import type { ObjectGraph } from "../../../src/model/object-graph.js";
import type { SymbolResolver } from "../../../src/model/symbols.js";
import {
  nmResolver,
  programLine,
  requireToolchain,
  runScenario,
  type Toolchain,
  toolchainAvailable,
  toolchains,
} from "../support/heap-dumps.js";

function load(file: unknown, resolver?: SymbolResolver): { dump: HeapDump; graph: ObjectGraph } {
  const dump = readHeapDump(readFileSync(file as string));
  return { dump, graph: buildObjectGraph(dump, resolver) };
}

/** The tolerance the brief sets for reachable bytes against HeapAlloc. */
function tolerance(heapAlloc: number): number {
  return Math.max(0.02 * heapAlloc, 256 << 10);
}

async function scenario(toolchain: Toolchain, name: string, rate?: number) {
  requireToolchain(toolchain);
  return runScenario(toolchain, name, rate);
}

describe.each(toolchains)("retention on real dumps ($name)", (toolchain) => {
  const run = it.skipIf(!toolchainAvailable(toolchain));

  run("reachable bytes: garbage excluded before the GC, HeapAlloc matched after it", async () => {
    const { facts } = await scenario(toolchain, "drop");
    const before = load(facts.before);
    const after = load(facts.after);
    const reachBefore = computeReachability(before.graph, before.dump.memStats);
    const reachAfter = computeReachability(after.graph, after.dump.memStats);
    const heapAllocAfter = after.dump.memStats!.heapAlloc;
    // The first dump holds the dropped two thirds: at least 30 % of its bytes are garbage.
    expect(reachBefore.unreachableBytes).toBeGreaterThan(0.3 * reachBefore.totalBytes);
    expect(before.dump.memStats!.heapAlloc).toBeGreaterThan(2 * heapAllocAfter);
    // What the roots reach is what the collector kept.
    expect(Math.abs(reachAfter.reachableBytes - heapAllocAfter)).toBeLessThanOrEqual(
      tolerance(heapAllocAfter),
    );
    expect(Math.abs(reachBefore.reachableBytes - heapAllocAfter)).toBeLessThanOrEqual(
      tolerance(heapAllocAfter),
    );
    // The kept nodes (4 KiB payload each) are all reachable in both.
    expect(reachAfter.reachableBytes).toBeGreaterThan((facts.kept as number) * 4096);
    // Dominators agree with reachability: the super-root retains exactly the reachable heap.
    const retention = computeRetention(after.graph);
    expect(retention.retainedBytes[0]).toBe(reachAfter.reachableBytes);
    expect(retention.retainedObjects[0]).toBe(reachAfter.reachableObjects);
  });

  run("a global's root retains exactly the objects it alone holds", async () => {
    const { facts, binary } = await scenario(toolchain, "global", 1);
    const buffers = facts.buffers as number[];
    for (const resolver of [undefined, await nmResolver(binary, toolchain)]) {
      const { dump, graph } = load(facts.dump, resolver);
      const retention = computeRetention(graph);
      const report = holdersByRoot(graph, retention);
      const backing = objectAt(graph, facts.backing as number);
      const expectedBytes = [backing, ...buffers.map((a) => objectAt(graph, a))].reduce(
        (sum, i) => sum + dump.objects.size[i]!,
        0,
      );
      expect(expectedBytes).toBeGreaterThanOrEqual(64 * (16 << 10));
      const holder = report.holders.find((h) => h.root.address === facts.global)!;
      expect(holder).toBeDefined();
      expect(holder.root.kind).toBe("global");
      expect(holder.root.label).toBe(
        resolver ? "main.retained" : `bss+0x${((facts.global as number) - dump.bss!.start).toString(16)}`,
      );
      expect(holder.retainedBytes).toBe(expectedBytes);
      expect(holder.retainedObjects).toBe(65);
      // The path to buffer 5: the global, the backing array (pointer at the global's offset 0), the buffer
      // (pointer at slice header 5 of the backing array, past its allocation header if it has one).
      const paths = computeShortestPaths(graph);
      const path = retainingPath(graph, paths, objectAt(graph, buffers[5]!), {
        buckets: dump.buckets,
        bucketOfObject: allocationBuckets(dump, graph),
      })!;
      expect(path.roots.map((r) => r.label)).toEqual([holder.root.label]);
      expect(path.steps.map((s) => s.object)).toEqual([backing, objectAt(graph, buffers[5]!)]);
      expect(path.steps[0]!.fieldOffset).toBe(0);
      expect(path.steps[1]!.fieldOffset).toBe(
        (facts.backing as number) - dump.objects.address[backing]! + 5 * 24,
      );
      expect(path.steps[1]!.size).toBe(16 << 10);
      expect(path.steps[1]!.allocation!.frames.some((f) => f.function === "main.fillRetained")).toBe(true);
    }
  });

  run("runtime globals are labelled runtime with a symbol table, never the program's holders", async () => {
    const { facts, binary } = await scenario(toolchain, "global", 1);
    const { graph } = load(facts.dump, await nmResolver(binary, toolchain));
    const report = holdersByRoot(graph, computeRetention(graph));
    const runtimeGlobals = report.runtimeHolders.filter((h) => /^runtime\.\w+$/.test(h.root.label));
    expect(runtimeGlobals.length).toBeGreaterThan(0);
    expect(runtimeGlobals.every((h) => h.root.kind === "runtime" && h.root.parentNode === 0)).toBe(true);
    expect(report.runtimeHolders.some((h) => /^goroutine \d+ \[GC worker/.test(h.root.label))).toBe(true);
    expect(report.holders.every((h) => !h.root.label.startsWith("runtime."))).toBe(true);
    expect(report.holders.map((h) => h.root.label)).toContain("main.named");
  });

  run("alloc samples joined to roots: exact at MemProfileRate=1", async () => {
    const { facts, binary } = await scenario(toolchain, "global", 1);
    const { dump, graph } = load(facts.dump, await nmResolver(binary, toolchain));
    const retention = computeRetention(graph);
    const line = programLine("func fillRetained", "make([]byte, size)");
    const site = bucketsAtSite(dump, { file: "heapdumps/main.go", line });
    expect(site.size).toBeGreaterThan(0);
    const result = rootsRetainingSamples(dump, graph, retention, site, { rate: 1 });
    expect(result.samples).toBe(64);
    expect(result.holders).toHaveLength(1);
    expect(result.holders[0]).toMatchObject({
      samples: 64,
      claim: "estimate",
      estimatedObjects: 64,
      estimatedBytes: 64 * (16 << 10),
    });
    expect((result.holders[0]!.holder as { label: string }).label).toBe("main.retained");
    // A caller frame matches only with frame: "any" (the cumulative view).
    const callerLine = programLine("func global(", "fillRetained(");
    expect(bucketsAtSite(dump, { file: "heapdumps/main.go", line: callerLine }).size).toBe(0);
    const cumulative = bucketsAtSite(dump, { file: "heapdumps/main.go", line: callerLine }, { frame: "any" });
    expect([...site].every((id) => cumulative.has(id))).toBe(true);
    expect(cumulative.size).toBe(2); // the buffers, and the backing array made in fillRetained
  });

  run("alloc samples at the default rate: scaled estimate, or too few samples", async () => {
    const sampled = await scenario(toolchain, "sampled");
    const { dump, graph } = load(sampled.facts.dump);
    const retention = computeRetention(graph);
    const line = programLine("func fillSampled", "make([]byte, size)");
    const result = rootsRetainingSamples(
      dump,
      graph,
      retention,
      bucketsAtSite(dump, { file: "heapdumps/main.go", line }),
    );
    const trueBytes = (sampled.facts.count as number) * (sampled.facts.bufferBytes as number);
    // 4096 × 16 KiB at a 512 KiB rate: about 3 % sampled, ~127 samples; the estimate is within
    // four standard errors of the truth.
    const top = result.holders[0]!;
    expect(top.claim).toBe("estimate");
    expect((top.holder as { address: number }).address).toBe(sampled.facts.global);
    expect(top.samples).toBeGreaterThanOrEqual(result.minSamples);
    const relativeError = 4 / Math.sqrt(top.samples);
    expect(Math.abs(top.estimatedBytes! - trueBytes)).toBeLessThan(relativeError * trueBytes);

    // The global scenario at the default rate: 64 buffers give about two samples — too few to claim.
    const small = await scenario(toolchain, "global");
    const g = load(small.facts.dump);
    const fewLine = programLine("func fillRetained", "make([]byte, size)");
    const few = rootsRetainingSamples(
      g.dump,
      g.graph,
      computeRetention(g.graph),
      bucketsAtSite(g.dump, { file: "heapdumps/main.go", line: fewLine }),
    );
    for (const holder of few.holders) {
      expect(holder.claim).toBe("too-few-samples");
      expect(holder.estimatedBytes).toBeUndefined();
    }
    expect(few.samples).toBeLessThan(few.minSamples);
  });

  run(
    "finalizers: the registered one keeps referents and captures, not its object; the queued one keeps its object",
    async () => {
      const { facts } = await scenario(toolchain, "finalizer");
      const { dump, graph } = load(facts.dump);
      const reach = computeReachability(graph);
      const retention = computeRetention(graph);
      const node = (address: unknown) => nodeAt(graph, address as number);
      const holderOf = (address: unknown) => graph.roots[retention.holder[node(address)]! - 1]!;

      expect(reach.reachable[node(facts.registered)]).toBe(0);
      expect(holderOf(facts.registeredPayload)).toMatchObject({
        kind: "finalizer",
        address: facts.registered,
      });
      expect(holderOf(facts.captured)).toMatchObject({ kind: "finalizer", address: facts.registered });
      expect(holderOf(facts.captured).label).toMatch(/^finalizer of 0x/);
      expect(holderOf(facts.queued)).toMatchObject({ kind: "finalizer", address: facts.queued });
      expect(holderOf(facts.queued).label).toMatch(/^queued finalizer of 0x/);
      expect(holderOf(facts.queuedPayload)).toMatchObject({ kind: "finalizer", address: facts.queued });
      // The finalizer root's retained bytes cover the 1 MiB payload and the 512 KiB capture.
      const root = holderOf(facts.captured);
      expect(retention.retainedBytes[root.node]).toBeGreaterThanOrEqual((1 << 20) + (512 << 10));
      expect(dump.finalizers.length).toBeGreaterThan(0);
    },
  );

  run("a blocked goroutine's frame holds its buffer", async () => {
    const { facts, binary } = await scenario(toolchain, "blocked");
    const resolver = await nmResolver(binary, toolchain);
    for (const withSymbols of [false, true]) {
      const { dump, graph } = load(facts.dump, withSymbols ? resolver : undefined);
      const retention = computeRetention(graph);
      const buffer = objectAt(graph, facts.buffer as number);
      const frame = graph.roots[retention.holder[objectNode(graph, buffer)]! - 1]!;
      expect(frame).toMatchObject({ kind: "stack", functionName: "main.holdBuffer" });
      const goroutine = graph.roots[frame.parentNode - 1]!;
      expect(goroutine.kind).toBe("stack");
      expect(goroutine.label).toMatch(
        new RegExp(`^goroutine ${frame.goroutineId} \\[chan receive\\]: main\\.holdBuffer`),
      );
      if (withSymbols) expect(goroutine.label).toMatch(/created by main\.blocked$/);
      else expect(goroutine.label).toMatch(/created at 0x[0-9a-f]+$/);
      expect(frame.label).toBe(
        `main.holdBuffer (goroutine ${frame.goroutineId}${withSymbols ? ", created by main.blocked" : ""})`,
      );
      const report = holdersByRoot(graph, retention);
      expect(report.holders[0]!.root).toBe(goroutine);
      expect(report.holders[0]!.retainedBytes).toBeGreaterThanOrEqual(facts.bufferBytes as number);
      const path = retainingPath(graph, computeShortestPaths(graph), buffer)!;
      expect(path.roots).toEqual([goroutine, frame]);
      expect(path.steps).toHaveLength(1);
      expect(path.steps[0]!.size).toBe(dump.objects.size[buffer]);
      expect(rootsReaching(graph, [buffer])[0]).toContain(frame);
    }
  });
});
