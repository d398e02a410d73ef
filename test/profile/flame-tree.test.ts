/**
 * The flame tree builder (src/profile/flame-tree.ts): stacks merged root first, inlined frames
 * expanded, diff and sandwich trees, on synthetic profiles. The check against `go tool pprof` on a
 * real Go heap profile is in test/e2e/ui/flame-tree.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  buildFlameDiffTree,
  buildFlameTree,
  buildSandwichTrees,
  type FlameTree,
  goPackageOf,
} from "../../src/profile/flame-tree.js";
import { emptyProfile, type Profile } from "../../src/profile/model.js";
import { profileFromStacks } from "../ui/support.js";

function nameOf(tree: FlameTree, node: number): string {
  return tree.names[tree.nameIndex[node]!]!;
}

/** Root-first paths of every leaf-most node with its total, for readable assertions. */
function paths(tree: FlameTree): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 1; i < tree.nodeCount; i++) {
    const names: string[] = [];
    for (let p = i; p > 0; p = tree.parent[p]!) names.unshift(nameOf(tree, p));
    out.set(names.join(" > "), tree.total[i]!);
  }
  return out;
}

/** One location with two lines: `inner` inlined into `outer`. */
function inlinedProfile(): Profile {
  const profile = emptyProfile();
  profile.sampleTypes = [{ type: "inuse_space", unit: "bytes" }];
  const fn = (id: number, name: string) => ({
    id,
    name,
    systemName: name,
    filename: "/app/main.go",
    startLine: 1,
  });
  const main = fn(1, "main.main");
  const outer = fn(2, "main.outer");
  const inner = fn(3, "main.inner");
  profile.functions = [main, outer, inner];
  const mainLoc = {
    id: 1,
    mapping: undefined,
    address: 0x1000n,
    lines: [{ function: main, line: 5, column: 0 }],
    isFolded: false,
  };
  const inlinedLoc = {
    id: 2,
    mapping: undefined,
    address: 0x2000n,
    // lines[0] is the innermost inlined function.
    lines: [
      { function: inner, line: 30, column: 0 },
      { function: outer, line: 20, column: 0 },
    ],
    isFolded: false,
  };
  profile.locations = [mainLoc, inlinedLoc];
  profile.samples = [
    {
      locations: [inlinedLoc, mainLoc],
      values: [100],
      labels: new Map(),
      numLabels: new Map(),
      numUnits: new Map(),
    },
  ];
  return profile;
}

describe("buildFlameTree", () => {
  it("expands inlined frames, caller first, and marks them", () => {
    const tree = buildFlameTree(inlinedProfile(), { sampleIndex: 0 });
    expect([...paths(tree).keys()]).toEqual([
      "main.main",
      "main.main > main.outer",
      "main.main > main.outer > main.inner",
    ]);
    expect(tree.inlined[2]).toBe(0);
    expect(tree.inlined[3]).toBe(1);
    expect(tree.self[3]).toBe(100);
    expect(tree.self[2]).toBe(0);
  });

  it("names frames by granularity as pprof does", () => {
    const lines = buildFlameTree(inlinedProfile(), { sampleIndex: 0, granularity: "lines" });
    expect(tree0Names(lines)).toEqual([
      "main.main /app/main.go:5",
      "main.outer /app/main.go:20",
      "main.inner /app/main.go:30",
    ]);
    const files = buildFlameTree(inlinedProfile(), { sampleIndex: 0, granularity: "files" });
    // Every frame is in the same file: one node per distinct file along the path.
    expect(tree0Names(files)).toEqual(["/app/main.go", "/app/main.go", "/app/main.go"]);
  });

  it("skips zero values and sums identical paths", () => {
    const tree = buildFlameTree(
      profileFromStacks([
        { frames: ["a", "b"], bytes: 10 },
        { frames: ["a", "b"], bytes: 5 },
        { frames: ["a", "c"], bytes: 0 },
      ]),
      { sampleIndex: 3 },
    );
    expect(paths(tree)).toEqual(
      new Map([
        ["a", 15],
        ["a > b", 15],
      ]),
    );
  });

  it("diff trees keep both sides and weigh nodes by base + target", () => {
    const base = profileFromStacks([
      { frames: ["main", "grow"], bytes: 100 },
      { frames: ["main", "gone"], bytes: 50 },
    ]);
    const target = profileFromStacks([
      { frames: ["main", "grow"], bytes: 400 },
      { frames: ["main", "new"], bytes: 30 },
    ]);
    const tree = buildFlameDiffTree(base, target, { sampleIndex: 3 });
    const byName = new Map<string, number>();
    for (let i = 1; i < tree.nodeCount; i++) byName.set(nameOf(tree, i), i);
    const grow = byName.get("grow")!;
    const gone = byName.get("gone")!;
    expect([tree.baseTotal![grow], tree.total[grow], tree.weight[grow]]).toEqual([100, 400, 500]);
    expect([tree.baseTotal![gone], tree.total[gone], tree.weight[gone]]).toEqual([50, 0, 50]);
    expect(tree.weight[0]).toBe(580);
    // Children heaviest first.
    expect(nameOf(tree, 2)).toBe("grow");
  });

  it("sandwich: callees below the outermost occurrence, callers above the innermost, each sample once", () => {
    const profile = profileFromStacks([
      { frames: ["main", "a", "b", "a", "c"], bytes: 8 },
      { frames: ["main", "x", "a"], bytes: 2 },
      { frames: ["main", "y"], bytes: 100 },
    ]);
    const { callers, callees } = buildSandwichTrees(profile, "a", { sampleIndex: 3 });
    expect(callees.total[0]).toBe(10);
    expect(paths(callees)).toEqual(
      new Map([
        ["b", 8],
        ["b > a", 8],
        ["b > a > c", 8],
      ]),
    );
    expect(callers.total[0]).toBe(10);
    expect(paths(callers)).toEqual(
      new Map([
        ["b", 8],
        ["b > a", 8],
        ["b > a > main", 8],
        ["x", 2],
        ["x > main", 2],
      ]),
    );
  });

  it("derives Go package paths", () => {
    expect(goPackageOf("github.com/a/b.(*T).M")).toBe("github.com/a/b");
    expect(goPackageOf("main.main.func1")).toBe("main");
    expect(goPackageOf("example.com/x/y.F[go.shape.int]")).toBe("example.com/x/y");
    expect(goPackageOf("slices.Sort[...]")).toBe("slices");
    expect(goPackageOf("0x4b3c0e")).toBe("");
  });
});

function tree0Names(tree: FlameTree): string[] {
  const out: string[] = [];
  for (let i = 1; i < tree.nodeCount; i++) out.push(nameOf(tree, i));
  return out;
}
