/**
 * Heap hints follow the pattern, not the frame: a map insert, slice append, channel operation or
 * string formatting anywhere in the suspect's stack — a runtime or library frame it calls, or the code
 * of any frame of the program's module — gives the hint, not only when it sits in the allocating
 * function. Sources are the corpus programs' own files where they show the pattern.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { StackFrame } from "../../src/diagnose/heap-growth.js";
import { buildHints, type HeapSuspectFacts, type HintContext } from "../../src/diagnose/hints.js";

const scenarios = path.join(import.meta.dirname, "../e2e/doctor/scenarios");
const goFile = (scenario: string) => path.join(scenarios, scenario, "main.go");

function context(files: Record<string, string> = {}): HintContext {
  return {
    module: { path: "example.com/app" },
    readSource: (file) =>
      files[file] ?? (file.startsWith(scenarios) ? readFileSync(file, "utf8") : undefined),
    timersPre123: false,
    goVersion: [1, 22],
    samplingRateBytes: 8192,
  };
}

function facts(frames: StackFrame[], objectBytes = 64): HeapSuspectFacts {
  const own = frames.find((f) => f.function.startsWith("main.")) ?? frames[0];
  return {
    function: own.function,
    file: own.file,
    line: own.line,
    frames,
    objectSizes: [{ bytes: objectBytes, objects: 1000 }],
    growthBytesPerSecond: 50_000,
    growthObjectsPerSecond: 100,
    withinSamplingNoise: false,
  };
}

const frame = (fn: string, file = "", line = 0): StackFrame => ({ function: fn, file, line });
const titles = (suspect: HeapSuspectFacts, ctx = context()) =>
  buildHints([suspect], [], false, false, ctx).hints.map((h) => h.title);

describe("heap hints from the whole stack", () => {
  test("a map insert one frame above the allocating function gives the map hint", () => {
    const file = goFile("session-map-growth");
    const suspect = facts([
      frame("runtime.mallocgc"),
      frame("runtime.makeslice"),
      frame("main.newSession", file, 31),
      frame("main.(*sessionStore).login", file, 37),
      frame("main.main", file, 60),
    ]);
    const set = buildHints([suspect], [], false, false, context());
    expect(set.hints.map((h) => h.title)).toContain("Entries added to a map and never removed");
    expect(set.oneLiners.get("main.newSession:31")).toMatch(/added to a map/);
  });

  test("runtime frames name the pattern without any source: mapassign, growslice, makechan, fmt", () => {
    const noSource: HintContext = { ...context(), readSource: undefined };
    expect(
      titles(
        facts([frame("runtime.mallocgc"), frame("runtime.mapassign_faststr"), frame("main.index")]),
        noSource,
      ),
    ).toEqual(["Entries added to a map and never removed"]);
    expect(
      titles(
        facts([
          frame("runtime.mallocgc"),
          frame("runtime.growslice"),
          frame("main.record"),
          frame("main.main"),
        ]),
        noSource,
      ),
    ).toEqual(["Entries added to a slice and never removed"]);
    expect(titles(facts([frame("runtime.makechan"), frame("main.subscribe")]), noSource)).toEqual([
      "Channels made and kept",
    ]);
    expect(
      titles(
        facts([frame("runtime.mallocgc"), frame("fmt.Sprintf"), frame("main.label"), frame("main.handle")]),
        noSource,
      ),
    ).toEqual(["Formatted keys, labels or messages kept"]);
  });

  test("a pattern in a frame further up the stack counts as much as one in the leaf", () => {
    const source = [
      "package main",
      "",
      "func build(id int) *item {",
      "\treturn &item{id: id}",
      "}",
      "",
      "func (q *queue) accept(id int) {",
      "\tq.pending <- build(id)",
      "}",
      "",
      "func (r *registry) add(id int) {",
      '\tr.byKey[fmt.Sprintf("k-%d", id)] = build(id)',
      "}",
      "",
    ].join("\n");
    const file = "/src/app/main.go";
    const ctx = context({ [file]: source });
    // The send sits in the caller, not in build.
    expect(
      titles(facts([frame("main.build", file, 4), frame("main.(*queue).accept", file, 8)]), ctx),
    ).toEqual(["Values queued on a channel nobody drains"]);
    // The insert and the formatted key sit in the caller.
    expect(
      titles(facts([frame("main.build", file, 4), frame("main.(*registry).add", file, 12)]), ctx),
    ).toEqual(["Entries added to a map and never removed", "Formatted keys, labels or messages kept"]);
  });

  test("a sub-slice kept by a helper the stack calls pins big buffers; a buffer kept whole does not", () => {
    const source = [
      "package main",
      "",
      "func readFrame() []byte {",
      "\treturn make([]byte, 96<<10)",
      "}",
      "",
      "func headerOf(frame []byte) []byte {",
      "\treturn frame[:16]",
      "}",
      "",
      "func ingest() {",
      "\tframe := readFrame()",
      "\theaders = append(headers, headerOf(frame))",
      "}",
      "",
    ].join("\n");
    const file = "/src/app/main.go";
    const ctx = context({ [file]: source });
    const big = 96 << 10;
    expect(
      titles(facts([frame("main.readFrame", file, 4), frame("main.ingest", file, 12)], big), ctx)[0],
    ).toBe("A small sub-slice keeps a large buffer alive");
    // The spool keeps each 30 KiB payload whole: an append, not a sub-slice.
    const spool = goFile("ingest-spool-fast-leak");
    const kept = titles(
      facts([frame("main.(*spool).stash", spool, 30), frame("main.main", spool, 60)], 32 << 10),
      context(),
    );
    expect(kept).not.toContain("A small sub-slice keeps a large buffer alive");
    expect(kept[0]).toBe("Entries added to a slice and never removed");
  });

  test("formatting in code that stores nothing is no hint", () => {
    const source = [
      "package main",
      "",
      "func logLine(id int) string {",
      '\treturn fmt.Sprintf("id=%d", id)',
      "}",
      "",
    ].join("\n");
    const file = "/src/app/main.go";
    expect(titles(facts([frame("main.logLine", file, 4)]), context({ [file]: source }))).toEqual([]);
  });
});
