/**
 * The retention view's client-side tree (src/ui/web/src/retention/tree.ts): left edges from preorder,
 * the holder a suspect link names (exactly, or by function when the counts differ),
 * site look-up under a root, keyboard moves and search.
 */
import { describe, expect, it } from "vitest";
import type { RetentionTreeWire } from "../../../src/ui/shared/retention-wire.js";
import {
  findHolder,
  findSite,
  icicleTree,
  moveSelection,
  searchTree,
} from "../../../src/ui/web/src/retention/tree.js";

type Row = [
  parent: number,
  name: string,
  kind: RetentionTreeWire["nodes"]["kind"][number],
  bytes: number,
  site?: string,
];

function wire(rows: Row[]): RetentionTreeWire {
  return {
    status: "ok",
    name: "t",
    reachableBytes: rows[0]![3],
    reachableObjects: 0,
    heapAlloc: null,
    goVersion: "go",
    limits: [],
    truncated: false,
    nodes: {
      parent: rows.map((r) => r[0]),
      name: rows.map((r) => r[1]),
      kind: rows.map((r) => r[2]),
      rootKind: rows.map((r) => (r[2] === "holder" ? "stack" : null)),
      site: rows.map((r) => r[4] ?? null),
      siteLine: rows.map(() => null),
      bytes: rows.map((r) => r[3]),
      objects: rows.map(() => 1),
      members: rows.map(() => 1),
    },
  };
}

// Preorder, children largest first.
const rows: Row[] = [
  [-1, "all reachable memory", "all", 100],
  [0, "main.worker: frames of 96 goroutines together, created by main.main", "holder", 60],
  [1, "main.fill", "site", 40, "main.fill"],
  [2, "1 KiB objects (4)", "size", 10],
  [1, "64 B objects (3)", "size", 20],
  [0, "main.cache", "holder", 30],
  [5, "main.fill", "site", 25, "main.fill"],
  [0, "main.cacheIndex", "holder", 10],
];

describe("the icicle's tree", () => {
  const tree = icicleTree(wire(rows));

  it("places each node after its earlier siblings, under its parent", () => {
    expect(Array.from(tree.left)).toEqual([0, 0, 0, 0, 40, 60, 60, 90]);
    expect(Array.from(tree.depth)).toEqual([0, 1, 2, 3, 2, 1, 2, 1]);
    expect(tree.maxDepth).toBe(3);
  });

  it("finds the holder a link names: exactly, or by function when the counts differ", () => {
    expect(findHolder(tree, "main.cache")).toBe(5);
    expect(findHolder(tree, "main.cacheIndex")).toBe(7);
    // No guessing by substring: main.cach is no holder, nor is main.cache main.cacheIndex.
    expect(findHolder(tree, "main.cach")).toBe(-1);
    expect(findHolder(tree, "main.worker (12 goroutines, created by main.main)")).toBe(1);
    expect(findHolder(tree, "main.nothing")).toBe(-1);
    expect(findHolder(tree, "")).toBe(-1);
  });

  it("finds an allocation site's groups, largest first, under a root when given", () => {
    expect(findSite(tree, "main.fill")).toEqual([2, 6]);
    expect(findSite(tree, "main.fill", 5)).toEqual([6]);
    expect(findSite(tree, "main.other")).toEqual([]);
  });

  it("moves with the arrows and stays put at the edges", () => {
    expect(moveSelection(tree, 0, "ArrowDown")).toBe(1);
    expect(moveSelection(tree, 1, "ArrowRight")).toBe(5);
    expect(moveSelection(tree, 7, "ArrowRight")).toBe(7);
    expect(moveSelection(tree, 1, "ArrowLeft")).toBe(1);
    expect(moveSelection(tree, 3, "ArrowUp")).toBe(2);
    expect(moveSelection(tree, 0, "ArrowUp")).toBe(0);
    expect(moveSelection(tree, 3, "ArrowDown")).toBe(3);
  });

  it("searches names and sites without regex surprises", () => {
    expect(Array.from(searchTree(tree, "FILL")!)).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
    expect(Array.from(searchTree(tree, "(3)")!)).toEqual([0, 0, 0, 0, 1, 0, 0, 0]);
    expect(searchTree(tree, "")).toBeNull();
  });
});
