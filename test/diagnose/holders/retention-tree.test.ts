/**
 * The retention view's aggregation of the dominator tree, on synthetic dumps of exact or random
 * shape: level 1 adds up to the reachable heap, no node holds less than its children, siblings come
 * largest first, the node budget and the depth limit hold (with the rest merged, not dropped), alike
 * objects fold into one group, sampled objects group by allocation site, and a group's path leads
 * from its root.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  analyzeRetention,
  groupPath,
  type RetentionTree,
  retentionTree,
} from "../../../src/diagnose/holders/index.js";
import { readHeapDump } from "../../../src/formats/heapdump/read-heap-dump.js";
import type { GlobalSymbol, SymbolResolver } from "../../../src/model/symbols.js";
import { DumpWriter } from "../../formats/heapdump/support/dump-writer.js";

const BASE = 0xc000100000;
const BSS = 0x700000;
const at = (k: number) => BASE + k * 0x1000;

function globals(names: string[]): SymbolResolver {
  const symbols: GlobalSymbol[] = names.map((name, k) => ({ name, start: BSS + 8 * k, size: 8 }));
  return {
    globalAt: (a) => symbols.find((g) => g.start <= a && a < g.start + g.size) ?? null,
    funcNameAt: () => null,
  };
}

function children(tree: RetentionTree, node: number): number[] {
  const result: number[] = [];
  for (let v = node + 1; v < tree.parent.length; v++) if (tree.parent[v] === node) result.push(v);
  return result;
}

/** The tree's invariants: preorder, sorted siblings, children within their parent, level 1 = everything. */
function expectWellFormed(tree: RetentionTree, reachableBytes: number, budget: number): void {
  const n = tree.parent.length;
  expect(n).toBeLessThanOrEqual(budget);
  expect(tree.parent[0]).toBe(-1);
  expect(tree.bytes[0]).toBe(reachableBytes);
  const top = children(tree, 0);
  expect(top.reduce((sum, v) => sum + tree.bytes[v]!, 0)).toBe(reachableBytes);
  for (let v = 1; v < n; v++) expect(tree.parent[v]!).toBeLessThan(v);
  for (let v = 0; v < n; v++) {
    const kids = children(tree, v);
    const sum = kids.reduce((s, k) => s + tree.bytes[k]!, 0);
    expect(sum).toBeLessThanOrEqual(tree.bytes[v]! + 1e-6);
    for (let k = 1; k < kids.length; k++)
      expect(tree.bytes[kids[k]!]!).toBeLessThanOrEqual(tree.bytes[kids[k - 1]!]!);
  }
}

describe("the retention tree", () => {
  it("folds a global's alike records into one group per level, by size and by allocation site", () => {
    // main.pending → array → 40 records (32 B) → each a 1 KiB payload; 5 records carry an alloc sample.
    const w = new DumpWriter().header().params();
    const records = 40;
    w.object(
      at(0),
      8 * records,
      Array.from({ length: records }, (_, k) => [8 * k, at(1 + k)] as [number, number]),
    );
    for (let k = 0; k < records; k++) {
      w.object(at(1 + k), 32, [[8, at(1 + records + k)]]);
      w.object(at(1 + records + k), 1024);
    }
    w.segment(13, BSS, 8, [[0, at(0)]]);
    w.bucket(0x900000, 32, [["main.ingest", "/src/main.go", 27]], 5, 0);
    for (let k = 0; k < 5; k++) w.allocSample(at(1 + k), 0x900000);
    const dump = readHeapDump(
      w
        .memStats(320 + 40 * 1056)
        .end()
        .finish(),
    );
    const { context, summary } = analyzeRetention(dump, { resolver: globals(["main.pending"]) });
    const tree = retentionTree(context);
    expectWellFormed(tree, summary.reachableBytes, 20_000);
    const holder = children(tree, 0)[0]!;
    expect(tree.name[holder]).toBe("main.pending");
    expect(tree.kind[holder]).toBe("holder");
    expect(tree.rootKind[holder]).toBe("global");
    expect(tree.bytes[holder]).toBe(320 + 40 * 1056);
    const [array] = children(tree, holder);
    expect(tree.kind[array!]).toBe("size");
    const groups = children(tree, array!);
    // 35 unsampled records by size, 5 sampled ones by their site; each with its payloads below.
    const bySize = groups.find((v) => tree.kind[v] === "size")!;
    const bySite = groups.find((v) => tree.kind[v] === "site")!;
    expect([tree.members[bySize], tree.bytes[bySize]]).toEqual([35, 35 * 1056]);
    expect([tree.members[bySite], tree.bytes[bySite], tree.site[bySite]]).toEqual([
      5,
      5 * 1056,
      "main.ingest",
    ]);
    expect(tree.siteLine[bySite]).toBe("/src/main.go:27");
    expect(children(tree, bySize).map((v) => [tree.members[v], tree.bytes[v]])).toEqual([[35, 35 * 1024]]);

    const path = groupPath(context, tree.representative[bySite]!);
    expect(path.roots.map((r) => r.label)).toEqual(["main.pending"]);
    expect(path.steps.map((s) => s.bytes)).toEqual([320, 32]);
    expect(path.steps[1]!.site).toContain("main.ingest");
    // A holder's path leads to the object it keeps that retains most.
    expect(groupPath(context, tree.representative[holder]!).steps.map((s) => s.bytes)).toEqual([320]);
  });

  it("keeps to the node budget by merging the smallest children into one 'other' node", () => {
    // One global keeps 300 objects of 300 different sizes: 300 groups at one level.
    const w = new DumpWriter().header().params();
    const n = 300;
    w.object(
      at(0),
      8 * n,
      Array.from({ length: n }, (_, k) => [8 * k, at(1 + k)] as [number, number]),
    );
    for (let k = 0; k < n; k++) w.object(at(1 + k), 16 * (k + 1));
    w.segment(13, BSS, 8, [[0, at(0)]]);
    const { context, summary } = analyzeRetention(readHeapDump(w.end().finish()));
    for (const budget of [10, 50, 120]) {
      const tree = retentionTree(context, { budget, maxChildren: 1000 });
      expectWellFormed(tree, summary.reachableBytes, budget);
      expect(tree.truncated).toBe(true);
      const other = tree.kind.indexOf("other");
      expect(other).toBeGreaterThan(0);
      const level = children(tree, tree.parent[other]!);
      // Everything is accounted for: the kept groups plus "other" are the array's children.
      const kept = level.filter((v) => v !== other);
      expect(tree.objects[other]! + kept.reduce((s, v) => s + tree.objects[v]!, 0)).toBe(n);
      // The kept groups are the largest ones.
      const smallestKept = Math.min(...kept.map((v) => tree.bytes[v]!));
      expect(smallestKept).toBeGreaterThanOrEqual(16 * (n - kept.length));
    }
    const full = retentionTree(context, { budget: 1000, maxChildren: 1000 });
    expect(full.truncated).toBe(false);
    expect(full.kind.includes("other")).toBe(false);
  });

  it("stops a long chain at the depth limit, its rest counted in the last node", () => {
    const w = new DumpWriter().header().params();
    const n = 500;
    for (let k = 0; k < n; k++) w.object(at(k), 32, k + 1 < n ? [[0, at(k + 1)]] : []);
    w.segment(13, BSS, 8, [[0, at(0)]]);
    const { context } = analyzeRetention(readHeapDump(w.end().finish()));
    const tree = retentionTree(context, { maxDepth: 10 });
    expectWellFormed(tree, 32 * n, 20_000);
    expect(tree.truncated).toBe(true);
    expect(tree.parent.length).toBeLessThanOrEqual(13);
    const last = tree.parent.length - 1;
    expect(children(tree, last)).toEqual([]);
    expect(tree.objects[last]).toBe(n - (tree.parent.length - 3));
  });

  it("holds on random heaps: budget, sums, order, and every reachable object counted once", () => {
    const heap = fc.record({
      sizes: fc.array(fc.constantFrom(16, 32, 48, 1024), { minLength: 1, maxLength: 40 }),
      links: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 80 }),
      globals: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
      budget: fc.integer({ min: 2, max: 40 }),
    });
    fc.assert(
      fc.property(heap, ({ sizes, links, globals: roots, budget }) => {
        const n = sizes.length;
        const w = new DumpWriter().header().params();
        sizes.forEach((size, i) => {
          const targets = [...new Set(links.filter(([from]) => from % n === i).map(([, to]) => to % n))];
          w.object(
            at(i),
            size,
            targets.slice(0, size / 8).map((t, k) => [8 * k, at(t)] as [number, number]),
          );
        });
        w.segment(
          13,
          BSS,
          8 * roots.length,
          roots.map((g, k) => [8 * k, at(g % n)] as [number, number]),
        );
        const { context, summary } = analyzeRetention(readHeapDump(w.end().finish()));
        const tree = retentionTree(context, { budget });
        expectWellFormed(tree, summary.reachableBytes, budget);
        const top = children(tree, 0);
        expect(top.reduce((s, v) => s + tree.objects[v]!, 0)).toBe(summary.reachableObjects);
      }),
      { numRuns: 100 },
    );
  });
});
