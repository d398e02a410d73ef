import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  diffGoroutineGroups,
  filterGoroutineGroups,
  groupGoroutines,
  readGoroutineDump,
  regroupSnapshot,
} from "../../src/analysis/goroutine-groups.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/signals");
const debug2 = readFileSync(
  path.join(fixtures, "go1.23-goroutines-debug1-then-debug2-with-minutes.txt"),
  "utf8",
).split(/^=== debug=2\n/m)[1];

/** A traceback with `n` workers per creator, each blocked with a distinct pointer argument. */
function workers(counts: Record<string, number>, minutes = (i: number) => i): string {
  let id = 1;
  const blocks: string[] = [];
  for (const [creator, n] of Object.entries(counts)) {
    for (let i = 0; i < n; i++) {
      blocks.push(
        `goroutine ${id++} [chan receive, ${minutes(i)} minutes]:\nmain.worker(0xc0000${(id * 16).toString(16)})\n\t/app/w.go:7 +0x1d\ncreated by ${creator} in goroutine 1\n\t/app/main.go:${creator.length} +0x2a\n`,
      );
    }
  }
  return blocks.join("\n");
}

describe("grouping", () => {
  it("ignores argument values by default, splits on them when asked", () => {
    const snapshot = readGoroutineDump(workers({ "main.start": 4 }));
    expect(snapshot.groups.map((g) => g.count)).toEqual([4]);
    expect(snapshot.groups[0].waitMinutes).toEqual({ min: 0, max: 3 });
    const exact = regroupSnapshot(snapshot, { ignoreArgs: false });
    expect(exact.groups.map((g) => g.count)).toEqual([1, 1, 1, 1]);
    expect(groupGoroutines(snapshot.goroutines!).map((g) => g.count)).toEqual([4]);
  });

  it("keeps creators apart and sorts by count", () => {
    const snapshot = readGoroutineDump(workers({ "main.a": 2, "main.b": 5 }));
    expect(snapshot.groups.map((g) => [g.count, g.createdBy?.func])).toEqual([
      [5, "main.b"],
      [2, "main.a"],
    ]);
  });
});

describe("filters", () => {
  const snapshot = readGoroutineDump(debug2);

  it("state: exact or with a parenthesised detail, any case", () => {
    const receive = filterGoroutineGroups(snapshot.groups, { states: ["Chan Receive"] });
    expect(new Set(receive.map((g) => g.state))).toEqual(
      new Set(["chan receive", "chan receive (nil chan)"]),
    );
    expect(
      filterGoroutineGroups(snapshot.groups, { states: ["select", "sleep"] })
        .map((g) => g.state)
        .sort(),
    ).toEqual(["select", "select (no cases)", "sleep"]);
    expect(filterGoroutineGroups(snapshot.groups, { states: ["chan"] })).toEqual([]);
  });

  it("function regex over frames and creators", () => {
    expect(
      filterGoroutineGroups(snapshot.groups, { match: /^sync\./ })
        .map((g) => g.state)
        .sort(),
    ).toEqual(["semacquire", "sync.Mutex.Lock"]);
    const byCreator = filterGoroutineGroups(snapshot.groups, { match: /main\.main\.func1/ });
    expect(byCreator.map((g) => g.count)).toEqual([1]);
  });
});

describe("diffGoroutineGroups", () => {
  it("growth, new and vanished groups, totals", () => {
    const before = readGoroutineDump(workers({ "main.a": 2, "main.b": 5, "main.c": 1 }));
    const after = readGoroutineDump(workers({ "main.a": 12, "main.b": 3, "main.d": 4 }));
    const diff = diffGoroutineGroups(before, after);
    expect(diff.comparedBy).toEqual(["stack", "state", "createdBy"]);
    expect([diff.baseTotal, diff.currentTotal, diff.delta]).toEqual([8, 19, 11]);
    expect(diff.grown.map((c) => [c.group.createdBy?.func, c.baseCount, c.currentCount, c.delta])).toEqual([
      ["main.a", 2, 12, 10],
      ["main.d", 0, 4, 4],
    ]);
    expect(diff.shrunk.map((c) => [c.group.createdBy?.func, c.delta])).toEqual([
      ["main.b", -2],
      ["main.c", -1],
    ]);
    expect(diff.unchanged).toBe(0);
  });

  it("compares a traceback with a debug=1 dump on the stack alone", () => {
    const [one, two] = readFileSync(path.join(fixtures, "go1.21-goroutines-debug1-then-debug2.txt"), "utf8")
      .split(/^=== debug=\d\n/m)
      .filter(Boolean)
      .map((t) => readGoroutineDump(t));
    const diff = diffGoroutineGroups(one, two);
    expect(diff.comparedBy).toEqual(["stack"]);
    expect(diff.grown.every((c) => c.group.frames[0].func.startsWith("runtime/pprof."))).toBe(true);
  });
});
