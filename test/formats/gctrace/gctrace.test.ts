import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseByteSize } from "../../../src/formats/byte-size.js";
import {
  GcTraceParser,
  parseGcTrace,
  parseGcTraceLine,
  parseScavengerLine,
} from "../../../src/formats/gctrace/index.js";
import { looksBinary } from "../../../src/formats/sniff.js";

const MIB = 1024 * 1024;
const fixtures = path.resolve(import.meta.dirname, "../../fixtures/gctrace");
const fixture = (name: string) => readFileSync(path.join(fixtures, name), "utf8");

describe("parseGcTraceLine: every layout since Go 1.5", () => {
  it("reads a Go 1.23 line field by field", () => {
    const line =
      "gc 25 @0.163s 2%: 0.051+1.3+0.002 ms clock, 0.10+0/0.28/0+0.005 ms cpu, 40->40->0 MB, 80 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)";
    const c = parseGcTraceLine(line)!;
    expect(c).not.toBeNull();
    expect(c.cycle).toBe(25);
    expect(c.atSeconds).toBeCloseTo(0.163, 9);
    expect(c.cpuPercentCumulative).toBe(2);
    expect(c.clockMs).toEqual([0.051, 1.3, 0.002]);
    expect(c.cpuMs).toEqual([0.1, 0, 0.28, 0, 0.005]);
    expect(c.sweepTerminationMs).toBe(0.051);
    expect(c.concurrentMarkMs).toBe(1.3);
    expect(c.markTerminationMs).toBe(0.002);
    expect(c.stwPauseMs).toBeCloseTo(0.053, 9);
    expect(c.gcCpuMs).toBeCloseTo(0.1 + 0 + 0.28 + 0.005, 9);
    expect(c.idleCpuMs).toBe(0);
    expect(c.heapStartBytes).toBe(40 * MIB);
    expect(c.heapEndBytes).toBe(40 * MIB);
    expect(c.liveHeapBytes).toBe(0);
    expect(c.goalBytes).toBe(80 * MIB);
    expect(c.stacksBytes).toBe(0);
    expect(c.globalsBytes).toBe(0);
    expect(c.procs).toBe(2);
    expect(c.forced).toBe(true);
    expect(c.layout).toBe("go1.18+");
  });

  it("reads the Go 1.6–1.17 layout (no stacks/globals)", () => {
    const c = parseGcTraceLine(
      "gc 22 @96.880s 3%: 38+203+129 ms clock, 1220+0/1681/4936+4139 ms cpu, 1266->1276->656 MB, 1293 MB goal, 36 P",
    )!;
    expect(c.layout).toBe("go1.6-1.17");
    expect(c.stacksBytes).toBeUndefined();
    expect(c.liveHeapBytes).toBe(656 * MIB);
    expect(c.goalBytes).toBe(1293 * MIB);
    expect(c.procs).toBe(36);
    expect(c.stwPauseMs).toBe(38 + 129);
    expect(c.assistCpuMs).toBe(0);
    expect(c.backgroundCpuMs).toBe(1681);
    expect(c.idleCpuMs).toBe(4936);
    expect(c.gcCpuMs).toBe(1220 + 0 + 1681 + 4139);
    expect(c.forced).toBe(false);
  });

  it("reads the Go 1.5 layout (5 clock phases, 7 CPU figures) and the pre-release `gc #N`", () => {
    const c = parseGcTraceLine(
      "gc 1 @0.166s 0%: 0.22+2.3+0.074+0.76+0.56 ms clock, 0.45+2.3+0+0.55/0.59/0+1.1 ms cpu, 5->5->1 MB, 4 MB goal, 4 P",
    )!;
    expect(c.layout).toBe("go1.5");
    expect(c.clockMs).toHaveLength(5);
    expect(c.cpuMs).toHaveLength(7);
    // The third phase is a ragged barrier, not a stop-the-world pause.
    expect(c.stwPauseMs).toBeCloseTo(0.22 + 0.56, 9);
    expect(c.idleCpuMs).toBe(0);
    expect(c.gcCpuMs).toBeCloseTo(0.45 + 2.3 + 0 + 0.55 + 0.59 + 1.1, 9);
    expect(
      parseGcTraceLine(
        "gc #7 @1.000s 1%: 1+1+1+1+1 ms clock, 1+1+1+1/1/1+1 ms cpu, 5->5->1 MB, 4 MB goal, 4 P",
      )?.cycle,
    ).toBe(7);
  });

  it("keeps suffixes other than (forced) as annotations", () => {
    const c = parseGcTraceLine(
      "gc 9 @3.5s 1%: 0.1+2+0.01 ms clock, 0.2+0.1/1/0+0.02 ms cpu, 10->11->5 MB, 10 MB goal, 0 MB stacks, 0 MB globals, 8 P (forced) (checking for goroutine leaks)",
    )!;
    expect(c.forced).toBe(true);
    expect(c.annotations).toEqual(["checking for goroutine leaks"]);
  });

  it("rejects mangled phase counts", () => {
    expect(
      parseGcTraceLine("gc 1 @0.1s 1%: 1+2+3+4 ms clock, 1+1/1/1+1 ms cpu, 1->1->1 MB, 4 MB goal, 1 P"),
    ).toBeNull();
    expect(
      parseGcTraceLine("gc 1 @0.1s 1%: 1+2+3 ms clock, 1+1/1+1 ms cpu, 1->1->1 MB, 4 MB goal, 1 P"),
    ).toBeNull();
    expect(parseGcTraceLine("hello")).toBeNull();
  });
});

describe("parseScavengerLine: every version", () => {
  it("Go ≤1.12 scvg lines", () => {
    expect(parseScavengerLine("scvg3: 12 MB released")).toMatchObject({
      kind: "scvg",
      releasedBytes: 12 * MIB,
      forced: false,
    });
    expect(parseScavengerLine("scvg-1: 5 MB released")).toMatchObject({ forced: true });
    expect(
      parseScavengerLine("scvg0: inuse: 3, idle: 2, sys: 6, released: 1, consumed: 5 (MB)"),
    ).toMatchObject({
      inuseBytes: 3 * MIB,
      idleBytes: 2 * MIB,
      sysBytes: 6 * MIB,
      totalReleasedBytes: MIB,
      consumedBytes: 5 * MIB,
    });
  });
  it("Go 1.13 scvg: MB and KB", () => {
    expect(parseScavengerLine("scvg: 64 KB released")).toMatchObject({ releasedBytes: 64 * 1024 });
    expect(parseScavengerLine("scvg: 2 MB released")).toMatchObject({ releasedBytes: 2 * MIB });
  });
  it("Go 1.14–1.20 scav with total, (forced) and [controller reset]", () => {
    expect(parseScavengerLine("scav 9536 KiB work, 13312 KiB total, 99% util")).toMatchObject({
      kind: "scav",
      releasedBytes: 9536 * 1024,
      totalReleasedBytes: 13312 * 1024,
      utilizationPercent: 99,
      forced: false,
      controllerReset: false,
    });
    expect(
      parseScavengerLine("scav 1 KiB work, 2 KiB total, 3% util [controller reset]")?.controllerReset,
    ).toBe(true);
    expect(parseScavengerLine("scav 90312 KiB work, 134400 KiB total, 95% util (forced)")?.forced).toBe(true);
  });
  it("Go 1.21+ scav with bg/eager work and `now` (or `total`)", () => {
    const e = parseScavengerLine(
      "scav 0 KiB work (bg), 78680 KiB work (eager), 101592 KiB now, 93% util (forced)",
    )!;
    expect(e).toMatchObject({
      backgroundBytes: 0,
      eagerBytes: 78680 * 1024,
      totalReleasedBytes: 101592 * 1024,
      forced: true,
    });
    expect(
      parseScavengerLine("scav 4 KiB work (bg), 0 KiB work (eager), 8 KiB total, 50% util")
        ?.totalReleasedBytes,
    ).toBe(8192);
  });
});

describe("captured samples (Go 1.19, 1.21, 1.23)", () => {
  const cases = [
    { file: "go1.19-gctrace-scavtrace.txt", cycles: 20, scav: 21, pacer: 0, forced: 2 },
    { file: "go1.21-gctrace-scavtrace.txt", cycles: 19, scav: 20, pacer: 0, forced: 2 },
    { file: "go1.23-gctrace-scavtrace.txt", cycles: 28, scav: 29, pacer: 0, forced: 2 },
    { file: "go1.19-gctrace-pacertrace.txt", cycles: 13, scav: 0, pacer: 24, forced: 2 },
    { file: "go1.21-gctrace-pacertrace.txt", cycles: 19, scav: 0, pacer: 37, forced: 2 },
    { file: "go1.23-gctrace-pacertrace.txt", cycles: 23, scav: 0, pacer: 43, forced: 2 },
  ];
  for (const c of cases) {
    it(`${c.file}: every line accounted for`, () => {
      const text = fixture(c.file);
      const lines = text.split("\n").filter((l) => l !== "").length;
      const parse = parseGcTrace(text);
      expect(parse.runs).toHaveLength(1);
      const run = parse.runs[0];
      expect(run.cycleCount).toBe(c.cycles);
      expect(run.firstCycle).toBe(1);
      expect(run.lastCycle).toBe(c.cycles);
      expect(run.missingCycles).toBe(0);
      expect(run.layout).toBe("go1.18+");
      expect(parse.scavengerLines).toBe(c.scav);
      expect(parse.skipped.pacer).toBe(c.pacer);
      expect(parse.skipped.other).toBe(0);
      expect(parse.skipped.malformedGcLines).toBe(0);
      expect(run.cycles.filter((x) => x.forced)).toHaveLength(c.forced);
      expect(parse.cycleLines + parse.scavengerLines + parse.skippedLines).toBe(lines);
      // Cycle numbers and times increase along the run.
      for (let i = 1; i < run.cycles.length; i++) {
        expect(run.cycles[i].cycle).toBe(run.cycles[i - 1].cycle + 1);
        expect(run.cycles[i].atSeconds).toBeGreaterThanOrEqual(run.cycles[i - 1].atSeconds);
      }
    });
  }

  it("flags the cycle after a `GC forced` notice as periodic, not as forced", () => {
    const parse = parseGcTrace(fixture("go1.23-gctrace-periodic-gc-forced.txt"));
    const cycles = parse.runs[0].cycles;
    expect(cycles.map((c) => c.periodic)).toEqual([false, false, true]);
    expect(cycles.map((c) => c.forced)).toEqual([false, false, false]);
    expect(cycles[2].atSeconds).toBeCloseTo(120.019, 6);
    expect(parse.skipped.gcForcedNotices).toBe(1);
    expect(parse.scavengerLines).toBe(3);
  });

  it("attaches scavenger lines to the run and time of the preceding cycle", () => {
    const parse = parseGcTrace(fixture("go1.21-gctrace-scavtrace.txt"));
    const run = parse.runs[0];
    expect(run.scavengerCount).toBe(20);
    expect(run.scavenger[0].afterCycleAtSeconds).toBe(run.cycles[0].atSeconds);
    expect(run.scavenger.at(-1)).toMatchObject({ forced: true, eagerBytes: 51408 * 1024 });
  });
});

const GC = (n: number, at: number, live = 10) =>
  `gc ${n} @${at.toFixed(3)}s 1%: 0.010+1.0+0.005 ms clock, 0.020+0.1/0.5/0.2+0.010 ms cpu, ${live + 4}->${live + 5}->${live} MB, ${2 * live} MB goal, 0 MB stacks, 0 MB globals, 4 P`;

describe("what real stderr holds", () => {
  it("skips and counts application output, pacer and schedtrace lines, keeps cycles", () => {
    const text = [
      "2024/05/01 12:00:00 server listening on :8080",
      GC(1, 0.01),
      "pacer: assist ratio=+1.18e+000 (scan 0 MB in 3->4 MB) workers=0++2.5e-001",
      "SCHED 1000ms: gomaxprocs=4 idleprocs=4 threads=6",
      "",
      GC(2, 0.02),
      "panic-free application line with gc in it",
    ].join("\n");
    const parse = parseGcTrace(text);
    expect(parse.runs[0].cycleCount).toBe(2);
    expect(parse.skipped).toMatchObject({ pacer: 1, schedtrace: 1, blank: 1, other: 2 });
    expect(parse.skippedLines).toBe(5);
  });

  it("finds gc lines behind logger prefixes (timestamps, syslog, levels)", () => {
    const text = [
      `2024-05-01T12:00:00.123Z ${GC(1, 0.5)}`,
      `May  1 12:00:01 host app[123]: ${GC(2, 1.5)}`,
      `[stderr] level=info ${GC(3, 2.5)}`,
    ].join("\n");
    expect(parseGcTrace(text).runs[0].cycles.map((c) => c.cycle)).toEqual([1, 2, 3]);
  });

  it("unwraps JSON log records (Docker json-file, structured loggers), joining partial pieces", () => {
    const line = GC(1, 0.5);
    const text = [
      JSON.stringify({ log: `${line}\n`, stream: "stderr", time: "2024-05-01T12:00:00Z" }),
      // Docker splits long lines: pieces without a trailing newline are partial.
      JSON.stringify({ log: GC(2, 1.5).slice(0, 40), stream: "stderr", time: "t" }),
      JSON.stringify({ log: `${GC(2, 1.5).slice(40)}\n`, stream: "stderr", time: "t" }),
      JSON.stringify({ level: "info", msg: GC(3, 2.5) }),
    ].join("\n");
    const parse = parseGcTrace(text);
    expect(parse.runs[0].cycles.map((c) => c.cycle)).toEqual([1, 2, 3]);
    expect(parse.continuationLines).toBe(1);
    expect(parse.skipped.malformedGcLines).toBe(0);
  });

  it("joins Kubernetes CRI partial lines (P) with their final piece (F)", () => {
    const line = GC(7, 12.25);
    const text = [
      `2024-05-01T12:00:00.000000001Z stderr P ${line.slice(0, 30)}`,
      `2024-05-01T12:00:00.000000002Z stdout F some stdout line`,
      `2024-05-01T12:00:00.000000003Z stderr P ${line.slice(30, 80)}`,
      `2024-05-01T12:00:00.000000004Z stderr F ${line.slice(80)}`,
      `2024-05-01T12:00:01.000000000Z stderr F ${GC(8, 13)}`,
    ].join("\n");
    const parse = parseGcTrace(text);
    expect(parse.runs[0].cycles.map((c) => c.cycle)).toEqual([7, 8]);
    expect(parse.runs[0].cycles[0].liveHeapBytes).toBe(10 * MIB);
    expect(parse.skipped.other).toBe(1);
  });

  it("rejoins a gc line split by a newline or by output written into its middle", () => {
    const a = GC(1, 0.5);
    const b = GC(2, 1.5);
    const text = [
      a.slice(0, 50), // split by a newline only
      a.slice(50),
      `${b.slice(0, 60)}request served in 3ms`, // another writer landed inside the line
      b.slice(60),
      GC(3, 2.5),
    ].join("\n");
    const parse = parseGcTrace(text);
    const cycles = parse.runs[0].cycles;
    expect(cycles.map((c) => c.cycle)).toEqual([1, 2, 3]);
    expect(cycles[1]).toMatchObject({ goalBytes: 20 * MIB, procs: 4, lineNumber: 3 });
    expect(parse.repairedGcLines).toBe(2);
    expect(parse.skipped.malformedGcLines).toBe(0);
  });

  it("counts a truncated gc line as malformed (end of input, or never completed)", () => {
    const text = [
      GC(1, 0.5),
      GC(2, 1.5).slice(0, 70),
      "unrelated",
      "unrelated",
      "unrelated",
      GC(3, 2.5),
      GC(4, 3.5).slice(0, 30),
    ].join("\n");
    const parse = parseGcTrace(text);
    expect(parse.runs[0].cycles.map((c) => c.cycle)).toEqual([1, 3]);
    expect(parse.skipped.malformedGcLines).toBe(2);
    expect(parse.runs[0].missingCycles).toBe(1);
  });

  it("survives binary junk and overlong lines", () => {
    const junk = "\u0000\u0001\u00ff".repeat(50_000);
    const parse = parseGcTrace(`${junk}\n${GC(1, 1)}\n${"x".repeat(200_000)}${GC(2, 2)}\n`);
    expect(parse.runs[0].cycleCount).toBeGreaterThanOrEqual(1);
    expect(parse.skipped.other).toBeGreaterThanOrEqual(1);
    expect(looksBinary(Buffer.from(junk, "latin1"))).toBe(true);
    expect(looksBinary(Buffer.from(GC(1, 1)))).toBe(false);
  });

  it("notes a GOMEMLIMIT and GOGC=off the program logged", () => {
    const parse = parseGcTrace(["starting with GOGC=off GOMEMLIMIT=512MiB", GC(1, 1)].join("\n"));
    expect(parse.memoryLimitHint?.bytes).toBe(512 * MIB);
    expect(parse.gogcOffHint).toBe(true);
  });
});

describe("several processes in one stream", () => {
  it("starts a new run when the cycle counter restarts (go run: toolchain first, then the program)", () => {
    const go = [GC(1, 0.01), GC(2, 0.02), GC(3, 0.05)];
    const link = [GC(1, 0.02), GC(2, 0.1)];
    const program = Array.from({ length: 10 }, (_, i) => GC(i + 1, 0.1 * (i + 1), 20));
    const parse = parseGcTrace([...go, ...link, ...program].join("\n"));
    expect(parse.runs.map((r) => r.cycleCount)).toEqual([3, 2, 10]);
    expect(parse.targetRunIndex).toBe(2);
  });

  it("keeps interleaved processes apart by their counters (the go command's GC during a test)", () => {
    const lines: string[] = [];
    for (let i = 1; i <= 20; i++) {
      lines.push(GC(i, i, 30));
      if (i === 5) lines.push(GC(14, 120.5, 5)); // another process, resuming at its cycle 14
      if (i === 12) lines.push(GC(15, 240.5, 5));
    }
    const first = [GC(12, 10, 5), GC(13, 20, 5)];
    const parse = parseGcTrace([...first, ...lines].join("\n"));
    expect(parse.runs.map((r) => [r.firstCycle, r.lastCycle, r.cycleCount])).toEqual([
      [12, 15, 4],
      [1, 20, 20],
    ]);
    expect(parse.targetRunIndex).toBe(1);
  });

  it("keeps memory bounded with endless restarts (a crash loop), keeping the largest runs", () => {
    const lines: string[] = [];
    for (let i = 1; i <= 200; i++) lines.push(GC(i, i)); // the long-lived process
    for (let r = 0; r < 1500; r++) lines.push(GC(1, 0.1), GC(2, 0.2));
    const parse = parseGcTrace(lines.join("\n"));
    expect(parse.runs.length).toBeLessThanOrEqual(1000);
    expect(parse.evictedRuns).toBe(1501 - parse.runs.length);
    expect(parse.runs[parse.targetRunIndex]).toMatchObject({ index: 0, cycleCount: 200 });
    expect(parse.runs.at(-1)?.index).toBe(1500);
  });

  it("of runs with equal cycle counts, targets the later one", () => {
    const parse = parseGcTrace([GC(1, 1), GC(2, 2), GC(1, 1), GC(2, 2)].join("\n"));
    expect(parse.runs).toHaveLength(2);
    expect(parse.targetRunIndex).toBe(1);
  });
});

describe("streaming", () => {
  const text = [
    fixture("go1.23-gctrace-scavtrace.txt"),
    JSON.stringify({ log: `${GC(29, 0.2)}\n`, stream: "stderr" }),
    `2024-05-01T12:00:00.000000001Z stderr P ${GC(30, 0.3).slice(0, 25)}`,
    `2024-05-01T12:00:00.000000002Z stderr F ${GC(30, 0.3).slice(25)}`,
    "€ unicode — application output ✓",
  ].join("\n");

  it("gives the same result for any chunking, including splits inside UTF-8 characters", () => {
    const whole = parseGcTrace(text);
    const bytes = Buffer.from(text, "utf8");
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const parser = new GcTraceParser();
        let last = 0;
        for (const p of [...points, bytes.length]) {
          parser.push(bytes.subarray(last, p));
          last = p;
        }
        const streamed = parser.end();
        expect(streamed.runs[0].cycles).toEqual(whole.runs[0].cycles);
        expect(streamed.skipped).toEqual(whole.skipped);
        expect(streamed.scavengerLines).toBe(whole.scavengerLines);
      }),
      { numRuns: 60 },
    );
    expect(whole.runs[0].cycleCount).toBe(30);
  });

  it("keeps no records with keepRecords: false but reports every cycle to the callback", () => {
    const seen: number[] = [];
    const parser = new GcTraceParser({ keepRecords: false, onCycle: (c) => seen.push(c.cycle) });
    parser.push(text);
    const result = parser.end();
    expect(seen).toHaveLength(30);
    expect(result.runs[0].cycles).toHaveLength(0);
    expect(result.runs[0].cycleCount).toBe(30);
  });
});

describe("parseByteSize", () => {
  it("reads binary and decimal units", () => {
    expect(parseByteSize("2GiB")).toBe(2 * 1024 ** 3);
    expect(parseByteSize("512MiB")).toBe(512 * MIB);
    expect(parseByteSize("512Mi")).toBe(512 * MIB);
    expect(parseByteSize("1.5G")).toBe(1.5e9);
    expect(parseByteSize("100MB")).toBe(100e6);
    expect(parseByteSize("1073741824")).toBe(1073741824);
    expect(parseByteSize("lots")).toBeNull();
  });
});
