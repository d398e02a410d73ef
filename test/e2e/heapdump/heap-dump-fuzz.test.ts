/**
 * Fuzzing the heap-dump reader, and the analyses behind it, with random bytes and damaged real dumps
 * (bit flips, truncation, inserted varints, absurd lengths, spliced chunks): each input either reads
 * as a dump that every analysis then handles, or fails with HeapDumpError. Nothing else may escape,
 * nothing may hang, and chunked reading agrees with whole reading. Bounded by iterations and time.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  allocationBuckets,
  bucketsAtSite,
  buildObjectGraph,
  computeReachability,
  computeRetention,
  computeShortestPaths,
  holdersByRoot,
  nodeObject,
  retainingPath,
  rootsRetainingSamples,
} from "../../../src/analysis/retention/index.js";
import { HeapDumpError } from "../../../src/errors.js";
import { HeapDumpReader, readHeapDump } from "../../../src/formats/heapdump/read-heap-dump.js";
import type { HeapDump } from "../../../src/model/heap-dump.js";
import type { SymbolResolver } from "../../../src/model/symbols.js";
import { DumpWriter } from "../../formats/heapdump/support/dump-writer.js";
import { runScenario, toolchains } from "../support/heap-dumps.js";

/** mulberry32: a failure replays from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const varints: number[][] = [
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 11 bytes
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 2^64 - 1
  [0x80, 0x80, 0x80, 0x80, 0x08], // 2 GiB
  [0xff, 0xff, 0xff, 0xff, 0x0f], // 4 GiB - 1
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // 2^63
  [0x00],
  [0x7f],
  [0x11], // tag 17
  [0x05], // tag 5
];

function mutate(original: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  let bytes: Uint8Array = Uint8Array.from(original);
  for (let round = 0, rounds = 1 + pick(4); round < rounds; round++) {
    const at = pick(bytes.length + 1);
    switch (pick(6)) {
      case 0:
        for (let i = 0, n = 1 + pick(8); i < n && bytes.length > 0; i++)
          bytes[pick(bytes.length)]! ^= 1 << pick(8);
        break;
      case 1:
        bytes = bytes.subarray(0, at);
        break;
      case 2:
        bytes = splice(bytes, at, Uint8Array.from(varints[pick(varints.length)]!));
        break;
      case 3:
        bytes.set(varints[pick(5)]!.slice(0, Math.max(0, bytes.length - at)), Math.min(at, bytes.length));
        break;
      case 4: {
        const from = pick(bytes.length + 1);
        bytes = splice(bytes, at, bytes.slice(from, from + pick(256)));
        break;
      }
      default:
        for (let i = at; i < Math.min(bytes.length, at + pick(16)); i++) bytes[i] = pick(256);
    }
  }
  return bytes;
}

function splice(bytes: Uint8Array, at: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + insert.length);
  out.set(bytes.subarray(0, at));
  out.set(insert, at);
  out.set(bytes.subarray(at), at + insert.length);
  return out;
}

/** Every analysis on an accepted dump: they must cope with whatever the reader let through. */
/** Names every address, so the naming paths (globals, closures, creators) run on damaged input too. */
const everything: SymbolResolver = {
  globalAt: (address) => ({ name: "main.g", start: address - (address % 64), size: 64 }),
  funcNameAt: (pc) => `main.f${pc % 7}`,
};

function analyze(dump: HeapDump): void {
  const graph = buildObjectGraph(dump, everything);
  const reach = computeReachability(graph, dump.memStats);
  const retention = computeRetention(graph);
  expect(retention.retainedBytes[0]).toBe(reach.reachableBytes);
  const report = holdersByRoot(graph, retention);
  const paths = computeShortestPaths(graph);
  const allocations = { buckets: dump.buckets, bucketOfObject: allocationBuckets(dump, graph) };
  for (const holder of report.holders.slice(0, 3)) {
    for (let v = graph.firstObjectNode; v < graph.nodeCount; v++) {
      if (retention.holder[v] !== holder.root.node) continue;
      const path = retainingPath(graph, paths, nodeObject(graph, v), allocations);
      expect(path).not.toBeNull();
      break;
    }
  }
  const site = dump.buckets[0]?.frames.find((f) => !f.function.startsWith("runtime."));
  if (site) rootsRetainingSamples(dump, graph, retention, bucketsAtSite(dump, site));
}

function readsOrRefuses(bytes: Uint8Array, label: string, withAnalysis: boolean): "ok" | "refused" {
  let dump: HeapDump;
  try {
    dump = readHeapDump(bytes);
  } catch (error) {
    if (!(error instanceof HeapDumpError))
      throw new Error(`${label}: unexpected ${String(error)}\n${(error as Error).stack}`);
    expect(error.message).toMatch(/^(heap dump|not a Go heap dump)/);
    return "refused";
  }
  if (withAnalysis) analyze(dump);
  return "ok";
}

const TIME_BUDGET_MS = 20_000;
let seeds: { name: string; bytes: Uint8Array }[];

beforeAll(async () => {
  const toolchain = toolchains[0]!;
  const global = await runScenario(toolchain, "global");
  const finalizer = await runScenario(toolchain, "finalizer");
  seeds = [
    { name: "global", bytes: readFileSync(global.facts.dump as string) },
    { name: "finalizer", bytes: readFileSync(finalizer.facts.dump as string) },
  ];
});

describe("heap-dump reader fuzzing", () => {
  it("random bytes, with and without a valid start: a dump or HeapDumpError", () => {
    const prefix = new DumpWriter().header().params().finish();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (tail, withPrefix) => {
        const bytes = withPrefix ? Uint8Array.from([...prefix, ...tail]) : tail;
        readsOrRefuses(bytes, "random", true);
      }),
      { numRuns: 3000, interruptAfterTimeLimit: TIME_BUDGET_MS * 0.4 },
    );
  });

  it("mutated real dumps: a dump every analysis handles, or HeapDumpError", () => {
    const random = rng(7);
    const deadline = Date.now() + TIME_BUDGET_MS * 0.6;
    const outcomes = { ok: 0, refused: 0 };
    let iterations = 0;
    for (; iterations < 400 && Date.now() < deadline; iterations++) {
      const seed = seeds[iterations % seeds.length]!;
      const bytes = mutate(seed.bytes, random);
      outcomes[readsOrRefuses(bytes, `${seed.name} mutation #${iterations}`, true)]++;
    }
    expect(iterations).toBeGreaterThan(20);
    // Both outcomes happen: the mutations are neither all fatal nor all harmless.
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it("mutated real dumps read in chunks: the same outcome as read whole", () => {
    const random = rng(11);
    const deadline = Date.now() + TIME_BUDGET_MS * 0.3;
    let iterations = 0;
    for (; iterations < 200 && Date.now() < deadline; iterations++) {
      const seed = seeds[iterations % seeds.length]!;
      const bytes = mutate(seed.bytes, random);
      const whole = attempt(() => readHeapDump(bytes));
      const chunk = 1 + Math.floor(random() * 100_000);
      const chunked = attempt(() => {
        const reader = new HeapDumpReader();
        for (let at = 0; at < bytes.length; at += chunk) reader.push(bytes.subarray(at, at + chunk));
        return reader.finish();
      });
      expect(typeof chunked, `mutation #${iterations}`).toBe(typeof whole);
      if (typeof whole === "string") {
        expect(chunked).toBe(whole); // the same message, the same offset
      } else if (typeof chunked !== "string") {
        expect(chunked.objects.count).toBe(whole.objects.count);
        expect(chunked.objects.pointers.value).toEqual(whole.objects.pointers.value);
        expect(chunked.frames.count).toBe(whole.frames.count);
      }
    }
    expect(iterations).toBeGreaterThan(10);
  });
});

function attempt(read: () => HeapDump): HeapDump | string {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof HeapDumpError)) throw error;
    return error.message;
  }
}
