import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  diffGoroutineGroups,
  readGoroutineDump,
  readGoroutineDumpStream,
  readGoroutineProfile,
} from "../../src/analysis/goroutine-groups.js";
import { parseCallLine } from "../../src/formats/goroutine-dump.js";
import { decodeProfile } from "../../src/formats/pprof-proto-decode.js";
import type { GoroutineSnapshot } from "../../src/model/goroutine.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/signals");
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), "utf8");

/** The captured samples hold a debug=1 dump, then a debug=2 dump of the same program. */
function splitSample(name: string): { debug1: string; debug2: string } {
  const text = fixture(name);
  const [, debug1, debug2] = text.split(/^=== debug=\d\n/m);
  return { debug1, debug2 };
}

const stackOf = (s: GoroutineSnapshot, leaf: string) => s.groups.filter((g) => g.frames[0]?.func === leaf);

describe("debug=1 and debug=2 dumps captured from Go 1.19, 1.21 and 1.23", () => {
  for (const version of ["1.19", "1.21", "1.23"]) {
    it(`Go ${version}: totals, groups, states and creators`, () => {
      const { debug1, debug2 } = splitSample(`go${version}-goroutines-debug1-then-debug2.txt`);
      const one = readGoroutineDump(debug1);
      expect(one.format).toBe("debug1");
      expect(one.total).toBe(10);
      expect(one.declaredTotal).toBe(10);
      expect(one.skippedLines).toBe(0);
      expect(
        one.groups.every((g) => g.state === null && g.createdBy === null && g.waitMinutes === null),
      ).toBe(true);
      const records = debug1.split("\n").filter((l) => /^\d+ @/.test(l)).length;
      expect(one.groups.length).toBeLessThanOrEqual(records);

      const two = readGoroutineDump(debug2);
      expect(two.format).toBe("debug2");
      expect(two.total).toBe(10);
      expect(two.goroutines).toHaveLength(10);
      expect(two.skippedLines).toBe(0);
      const headers = debug2.split("\n").filter((l) => l.startsWith("goroutine ")).length;
      expect(two.total).toBe(headers);
      const running = two.goroutines!.find((g) => g.state === "running")!;
      expect(running.lockedToThread).toBe(true);
      expect(running.frames[0].func).toBe("runtime/pprof.writeGoroutineStacks");
      expect(running.frames.at(-1)!.func).toBe("main.main");
      const nilRecv = two.goroutines!.find((g) => g.state === "chan receive (nil chan)")!;
      expect(nilRecv.frames.map((f) => f.func)).toEqual(["main.nilRecv"]);
      expect(nilRecv.frames[0].file).toBe("/home/dev/leak/main.go");
      expect(nilRecv.frames[0].line).toBe(27);
      // `created by X in goroutine N` appeared in Go 1.21.
      expect(nilRecv.createdBy?.func).toBe("main.main");
      expect(nilRecv.createdBy?.goroutineId).toBe(version === "1.19" ? undefined : 1);
      expect(two.groups.reduce((n, g) => n + g.count, 0)).toBe(10);
    });

    it(`Go ${version}: comparing the debug=1 and debug=2 dumps of one moment finds only the dump writer changed`, () => {
      const { debug1, debug2 } = splitSample(`go${version}-goroutines-debug1-then-debug2.txt`);
      const diff = diffGoroutineGroups(readGoroutineDump(debug1), readGoroutineDump(debug2));
      expect(diff.comparedBy).toEqual(["stack"]);
      expect(diff.delta).toBe(0);
      // Each dump shows its own writer goroutine (debug=1 through runtime_goroutineProfileWithLabels or
      // writeRuntimeProfile, debug=2 through writeGoroutineStacks); every other group matches.
      expect(diff.grown).toHaveLength(1);
      expect(diff.shrunk).toHaveLength(1);
      expect(diff.grown[0].group.frames[0].func).toBe("runtime/pprof.writeGoroutineStacks");
      expect(diff.shrunk[0].group.frames[0].func).toMatch(/^runtime\/pprof\./);
      expect([diff.grown[0].delta, diff.shrunk[0].delta]).toEqual([1, -1]);
      expect(diff.unchanged).toBeGreaterThanOrEqual(5);
    });
  }

  it("debug=1 labels split a group; wait minutes are read as a range", () => {
    const { debug1, debug2 } = splitSample("go1.23-goroutines-debug1-then-debug2-with-minutes.txt");
    const blocked = stackOf(readGoroutineDump(debug1), "main.blockedOnChan");
    expect(blocked.map((g) => [g.count, g.labels ?? null])).toEqual([
      [2, null],
      [1, { handler: "upload" }],
    ]);
    const two = readGoroutineDump(debug2);
    const waiting = two.groups.filter((g) => g.state !== "running");
    expect(waiting.every((g) => g.waitMinutes?.min === 1 && g.waitMinutes.max === 1)).toBe(true);
    expect(two.groups.find((g) => g.state === "running")?.waitMinutes).toBeNull();
  });

  it("reads the last dump of an input holding two, and counts the separator lines as skipped", () => {
    const snapshot = readGoroutineDump(fixture("go1.23-goroutines-debug1-then-debug2.txt"));
    expect(snapshot.dumps).toBe(2);
    expect(snapshot.format).toBe("debug2");
    expect(snapshot.total).toBe(10);
    expect(snapshot.skippedLines).toBe(2);
  });
});

describe("tracebacks", () => {
  for (const version of ["1.19", "1.21", "1.23"]) {
    it(`Go ${version} panic with GOTRACEBACK=all`, () => {
      const snapshot = readGoroutineDump(fixture(`go${version}-panic-gotraceback-all.txt`));
      expect(snapshot.format).toBe("traceback");
      expect(snapshot.reason).toBe("panic: assignment to entry in nil map");
      expect(snapshot.total).toBe(2);
      expect(snapshot.skippedLines).toBe(0);
      const blocked = snapshot.goroutines!.find((g) => g.state === "chan receive")!;
      expect(blocked.frames[0].func).toBe("main.blockedOnChan");
      // Register-ABI arguments: `0x0?` (uncertain) before 1.23's inlined `...`.
      expect(blocked.frames[0].args).toBe(version === "1.23" ? "..." : "0x0?");
    });
  }

  it("Go 1.26 SIGQUIT: gp=/m= headers, fp/sp/pc frame suffixes, system goroutines, register dump", () => {
    const text = fixture("go1.26-sigquit-gp-headers.txt");
    const snapshot = readGoroutineDump(text);
    expect(snapshot.format).toBe("traceback");
    expect(snapshot.reason).toBe("SIGQUIT: quit");
    expect(snapshot.total).toBe(text.split("\n").filter((l) => /^goroutine \d+ gp=/.test(l)).length);
    expect(snapshot.skippedLines).toBe(0);
    const idle = snapshot.goroutines!.find((g) => g.id === 0)!;
    expect(idle.state).toBe("idle");
    expect(idle.frames[0]).toMatchObject({ func: "internal/runtime/syscall/linux.Syscall6", line: 36 });
    const autogenerated = snapshot
      .goroutines!.flatMap((g) => g.frames)
      .find((f) => f.file === "<autogenerated>");
    expect(autogenerated?.line).toBe(1);
    // Every frame got its file line.
    expect(snapshot.goroutines!.flatMap((g) => g.frames).every((f) => f.line !== undefined)).toBe(true);
  });

  it("Go 1.21+ elided middle frames, counted", () => {
    const snapshot = readGoroutineDump(fixture("go1.26-goroutines-debug2-deep-stack-elided.txt"));
    const deep = snapshot.goroutines!.find((g) => g.frames.some((f) => f.func === "main.recurse"))!;
    expect(deep.elidedFrames).toBe(51);
    expect(deep.frames.filter((f) => f.func === "main.recurse")).toHaveLength(100);
    expect(deep.createdBy?.func).toBe("main.main");
  });

  it("pre-1.21 `...additional frames elided...` (inserted into a real Go 1.19 deep stack)", () => {
    const lines = fixture("go1.19-goroutines-debug2-deep-stack.txt").split("\n");
    const createdAt = lines.findIndex(
      (l, i) => l.startsWith("created by main.main") && lines[i - 2]?.startsWith("main.recurse"),
    );
    lines.splice(createdAt, 0, "...additional frames elided...");
    const snapshot = readGoroutineDump(lines.join("\n"));
    const deep = snapshot.goroutines!.find((g) => g.frames.some((f) => f.func === "main.recurse"))!;
    expect(deep.elidedFrames).toBe("some");
    expect(deep.createdBy).toEqual({
      func: "main.main",
      file: expect.stringContaining("main.go"),
      line: expect.any(Number),
    });
    expect(snapshot.skippedLines).toBe(0);
  });

  it("Go 1.5–1.16 forms: plain argument words, `created by X` without a goroutine, `[N minutes, locked to thread]`", () => {
    const text = [
      "panic: runtime error: invalid memory address or nil pointer dereference",
      "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x401000]",
      "",
      "goroutine 1 [running]:",
      "main.(*Server).handle(0x0, 0xc42000e1e0, 0x5, 0x5)",
      "\t/go/src/app/main.go:12 +0x2b",
      "main.main()",
      "\t/go/src/app/main.go:20 +0x45",
      "",
      "goroutine 17 [syscall, 3 minutes, locked to thread]:",
      "runtime.goexit()",
      "\t/usr/local/go/src/runtime/asm_amd64.s:2197 +0x1",
      "",
      "goroutine 5 [chan receive, 12 minutes]:",
      "main.worker(0xc420016060)",
      "\t/go/src/app/main.go:30 +0x50",
      "created by main.main",
      "\t/go/src/app/main.go:18 +0x3a",
      "exit status 2",
    ].join("\n");
    const snapshot = readGoroutineDump(text);
    expect(snapshot.total).toBe(3);
    expect(snapshot.skippedLines).toBe(0);
    const [first, syscall, worker] = snapshot.goroutines!;
    expect(first.frames[0]).toEqual({
      func: "main.(*Server).handle",
      args: "0x0, 0xc42000e1e0, 0x5, 0x5",
      file: "/go/src/app/main.go",
      line: 12,
    });
    expect(syscall).toMatchObject({ state: "syscall", waitMinutes: 3, lockedToThread: true });
    expect(worker.createdBy).toEqual({ func: "main.main", file: "/go/src/app/main.go", line: 18 });
    expect(worker.waitMinutes).toBe(12);
  });

  it("header marks: (scan), (leaked), unknown extras kept", () => {
    const text =
      "goroutine 9 [chan receive (scan), 2 minutes, synctest bubble 1]:\nmain.f()\n\t/a.go:1 +0x1\n\ngoroutine 10 [select (leaked)]:\nmain.g()\n\t/a.go:2 +0x1\n";
    const [a, b] = readGoroutineDump(text).goroutines!;
    expect(a).toMatchObject({
      state: "chan receive",
      waitMinutes: 2,
      leaked: false,
      headerExtras: ["scan", "synctest bubble 1"],
    });
    expect(b).toMatchObject({ state: "select", leaked: true });
  });

  it("a stack that is unavailable, and a fatal error's runtime stack that belongs to no goroutine", () => {
    const text = [
      "fatal error: concurrent map writes",
      "",
      "runtime stack:",
      "runtime.throw({0x4b6a2a?, 0x0?})",
      "\t/usr/local/go/src/runtime/panic.go:1047 +0x5d fp=0x7ffd sp=0x7ffd pc=0x432b1d",
      "",
      "goroutine 7 [running]:",
      "\tgoroutine running on other thread; stack unavailable",
      "created by main.main in goroutine 1",
      "\t/app/main.go:9 +0x40",
    ].join("\n");
    const snapshot = readGoroutineDump(text);
    expect(snapshot.reason).toBe("fatal error: concurrent map writes");
    expect(snapshot.total).toBe(1);
    expect(snapshot.goroutines![0]).toMatchObject({ stackUnavailable: true, frames: [] });
    expect(snapshot.goroutines![0].createdBy).toMatchObject({ func: "main.main", goroutineId: 1, line: 9 });
  });

  it("two SIGQUIT dumps in one log: the last one is the snapshot", () => {
    const dump = (n: number) =>
      `SIGQUIT: quit\nPC=0x1 m=0 sigcode=0\n\n${Array.from({ length: n }, (_, i) => `goroutine ${i + 1} [select]:\nmain.loop()\n\t/a.go:3 +0x1\n`).join("\n")}`;
    const snapshot = readGoroutineDump(`${dump(2)}\nsome log line\n${dump(5)}`);
    expect(snapshot.dumps).toBe(2);
    expect(snapshot.total).toBe(5);
  });
});

describe("Go 1.26 goroutineleak profile (GOEXPERIMENT=goroutineleakprofile)", () => {
  it("?debug=1: every goroutine listed is leaked; labels kept", () => {
    const snapshot = readGoroutineDump(fixture("go1.26-goroutineleak-debug1.txt"));
    expect(snapshot.format).toBe("goroutineleak");
    expect(snapshot.total).toBe(4);
    expect(snapshot.leaked).toBe(4);
    expect(stackOf(snapshot, "main.leakRecv").map((g) => [g.count, g.labels ?? null])).toEqual([
      [2, null],
      [1, { leak: "labelled" }],
    ]);
    expect(stackOf(snapshot, "main.leakSend")[0].count).toBe(1);
  });

  it("?debug=2: all goroutines, the leaked ones marked `(leaked)`", () => {
    const snapshot = readGoroutineDump(fixture("go1.26-goroutineleak-debug2.txt"));
    expect(snapshot.format).toBe("goroutineleak");
    expect(snapshot.leaked).toBe(4);
    const leaked = snapshot.goroutines!.filter((g) => g.leaked);
    expect(leaked.map((g) => g.state).sort()).toEqual([
      "chan receive",
      "chan receive",
      "chan receive",
      "chan send",
    ]);
    const global = snapshot.goroutines!.find((g) => g.frames[0]?.func === "main.blockedOnGlobal")!;
    expect(global).toMatchObject({ leaked: false, state: "chan receive" });
  });

  it("proto: the goroutineleak sample type", () => {
    const profile = decodeProfile(
      gunzipSync(readFileSync(path.join(fixtures, "go1.26-goroutineleak.pb.gz"))),
    );
    const snapshot = readGoroutineProfile(profile);
    expect(snapshot.format).toBe("goroutineleak");
    expect(snapshot.total).toBe(4);
    expect(snapshot.leaked).toBe(4);
    expect(
      diffGoroutineGroups(readGoroutineDump(fixture("go1.26-goroutineleak-debug1.txt")), snapshot).delta,
    ).toBe(0);
  });
});

describe("proto goroutine profile", () => {
  it("matches the debug=1 dump of the same quiet program, labels included", () => {
    const profile = decodeProfile(gunzipSync(readFileSync(path.join(fixtures, "go1.26-goroutines.pb.gz"))));
    const proto = readGoroutineProfile(profile);
    const text = readGoroutineDump(fixture("go1.26-goroutines-debug1-labels.txt"));
    expect(proto.format).toBe("proto");
    expect(proto.total).toBe(text.total);
    // Leading runtime frames are hidden as debug=1 hides them.
    const leaky = stackOf(proto, "main.leakyWorker");
    expect(leaky.map((g) => [g.count, g.labels ?? null])).toEqual(
      stackOf(text, "main.leakyWorker").map((g) => [g.count, g.labels ?? null]),
    );
    const diff = diffGoroutineGroups(text, proto);
    expect(diff.comparedBy).toEqual(["stack", "labels"]);
    // The deep stack is truncated at different depths by the two writers and still matches; only the
    // connection's background reader, caught in a syscall without a stack in one of them, moved.
    expect(stackOf(proto, "main.recurse")).toHaveLength(1);
    expect(diff.grown.reduce((n, c) => n + c.delta, 0)).toBeLessThanOrEqual(1);
    expect(
      diff.grown.every(
        (c) => c.group.frames.some((f) => f.func.startsWith("net/http.")) || c.group.frames.length === 0,
      ),
    ).toBe(true);
  });
});

describe("tolerance and streaming", () => {
  const clean = splitSample("go1.21-goroutines-debug1-then-debug2.txt").debug2;

  it("junk before, inside and after the dump, CRLF line ends and indentation", () => {
    const lines = clean.split("\n");
    const noisy = [
      "2024/05/01 10:00:00 starting server",
      "some banner ===",
      ...lines.flatMap((line, i) => (i === 12 ? [line, "2024/05/01 10:00:01 GET /health 200"] : [line])),
      "2024/05/01 10:00:02 shutting down",
    ]
      .map((line) => (line.startsWith("goroutine ") ? `  ${line}` : line))
      .join("\r\n");
    const expected = readGoroutineDump(clean);
    const got = readGoroutineDump(noisy);
    expect(got.total).toBe(expected.total);
    expect(got.skippedLines).toBe(4);
    expect(got.groups.map((g) => [g.count, g.key])).toEqual(expected.groups.map((g) => [g.count, g.key]));
  });

  it("never throws and keeps the goroutine count whatever junk lines are inserted between blocks (property)", () => {
    const blocks = clean.trim().split("\n\n");
    const junk = fc
      .string({ unit: fc.constantFrom(..."abc xyz:=()[]{}0123#@\t./"), maxLength: 40 })
      .filter((s) => !/^\s*goroutine /.test(s) && !/^\s*\d+ @/.test(s) && s.trim() !== "");
    fc.assert(
      fc.property(
        fc.array(fc.array(junk, { maxLength: 3 }), { minLength: blocks.length, maxLength: blocks.length }),
        (inserts) => {
          const text = blocks.map((block, i) => [...inserts[i], "", block].join("\n")).join("\n\n");
          const snapshot = readGoroutineDump(text);
          expect(snapshot.total).toBe(10);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("streams a 50,000-goroutine dump without keeping the goroutines", async () => {
    function* lines(): Generator<string> {
      yield "goroutine profile: total 999"; // an earlier, different dump in the same stream
      yield "1 @ 0x1";
      yield "#\t0x1\tmain.old+0x1\t/a.go:1";
      yield "";
      for (let i = 0; i < 50_000; i++) {
        yield `goroutine ${i + 1} [chan receive, ${i % 30} minutes]:`;
        yield `main.worker(0xc${i.toString(16)})`;
        yield "\t/app/worker.go:42 +0x25";
        yield `created by main.start in goroutine 1`;
        yield "\t/app/main.go:10 +0x30";
        yield "";
      }
    }
    const snapshot = await readGoroutineDumpStream(lines());
    expect(snapshot.goroutines).toBeUndefined();
    expect(snapshot.dumps).toBe(2);
    expect(snapshot.total).toBe(50_000);
    expect(snapshot.groups).toHaveLength(1);
    expect(snapshot.groups[0]).toMatchObject({ count: 50_000, waitMinutes: { min: 0, max: 29 } });
    expect(snapshot.groups[0].goroutineIds).toHaveLength(20);
    // With exact arguments every goroutine (distinct pointer) is its own group.
    const exact = await readGoroutineDumpStream(
      (function* () {
        for (const l of lines()) if (!l.startsWith("goroutine profile") && !/^(1 @|#)/.test(l)) yield l;
      })(),
      { ignoreArgs: false },
    );
    expect(exact.groups).toHaveLength(50_000);
  });
});

describe("call lines", () => {
  it.each([
    ["main.main()", "main.main", ""],
    ["main.(*T).m(...)", "main.(*T).m", "..."],
    ["main.F[...](0x1)", "main.F[...]", "0x1"],
    ["panic({0x4a0f40, 0xc000012345})", "panic", "{0x4a0f40, 0xc000012345}"],
    [
      "net/http.(*conn).serve(0xc0001, {0x78c6e8, 0xc0002})",
      "net/http.(*conn).serve",
      "0xc0001, {0x78c6e8, 0xc0002}",
    ],
    ["main.main.gowrap1()", "main.main.gowrap1", ""],
    ["gopkg.in/yaml%2ev3.(*parser).parse(0x1)", "gopkg.in/yaml%2ev3.(*parser).parse", "0x1"],
  ])("%s", (line, func, args) => {
    expect(parseCallLine(line)).toEqual({ func, args });
  });

  it.each(["exit status 2", "\tmain.main()", "GET /index (200)", "(anonymous)()"])(
    "not a call: %j",
    (line) => {
      expect(parseCallLine(line)).toBeUndefined();
    },
  );
});
