/** Small pieces of recording: redaction, flag parsing, GODEBUG, stderr splitting, /proc readers, rendering. */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { defaultOutName, formatStatusLine } from "../../src/cli/actions/record.js";
import { parseByteSize, parseDurationMs } from "../../src/cli/parse-options.js";
import { redactCommandLine, redactUrl } from "../../src/collect/redact.js";
import {
  findListeningPid,
  findProgramProcess,
  parseProcStat,
  readProcessReading,
} from "../../src/collect/rss.js";
import {
  godebugWithGcTrace,
  isGcTraceOutputLine,
  launchTarget,
  parseGoRunExitLine,
} from "../../src/collect/target-launcher.js";
import { UsageError } from "../../src/errors.js";
import { buildInspectReport, renderInspectReport } from "../../src/render/inspect-report.js";

describe("redaction", () => {
  it("hides secret flag values, env-style assignments and URL passwords, and keeps the rest", () => {
    expect(
      redactCommandLine([
        "./server",
        "--password=hunter2",
        "-token",
        "abc",
        "--port",
        "8080",
        "DB_SECRET=x",
        "-api-key=k",
        "--db=postgres://app:pw@db:5432/app",
        "-dsn=app:pw@tcp(db)/app",
        "--session-cookie",
        "c",
        "-v",
        "--name=alice",
      ]),
    ).toEqual([
      "./server",
      "--password=<redacted>",
      "-token",
      "<redacted>",
      "--port",
      "8080",
      "DB_SECRET=<redacted>",
      "-api-key=<redacted>",
      "--db=postgres://app:<redacted>@db:5432/app",
      "-dsn=<redacted>",
      "--session-cookie",
      "<redacted>",
      "-v",
      "--name=alice",
    ]);
    // A secret-named boolean flag followed by another flag keeps that flag.
    expect(redactCommandLine(["-auth", "-v"])).toEqual(["-auth", "-v"]);
    expect(redactUrl("https://u:p4ss@h:1/x?token=t&a=1")).toBe(
      "https://u:<redacted>@h:1/x?token=<redacted>&a=1",
    );
    expect(redactUrl("http://127.0.0.1:6060")).toBe("http://127.0.0.1:6060/");
  });
});

describe("record flags", () => {
  it("parses Go-style durations and binary sizes, rejecting nonsense", () => {
    expect(parseDurationMs("10s", "--interval")).toBe(10_000);
    expect(parseDurationMs("1m30s", "--x")).toBe(90_000);
    expect(parseDurationMs("500ms", "--x")).toBe(500);
    expect(parseDurationMs("2h", "--x")).toBe(7_200_000);
    expect(parseDurationMs("15", "--x")).toBe(15_000);
    expect(() => parseDurationMs("10 parsecs", "--x")).toThrow(UsageError);
    expect(() => parseDurationMs("0s", "--x")).toThrow(/positive/);
    expect(() => parseDurationMs("1m-5s", "--x")).toThrow(UsageError);
    expect(parseByteSize("512MiB", "--s")).toBe(512 * 1024 ** 2);
    expect(parseByteSize("1GB", "--s")).toBe(1e9);
    expect(parseByteSize("1GiB", "--s")).toBe(1024 ** 3);
    expect(parseByteSize("100k", "--s")).toBe(100_000);
    expect(parseByteSize("100Ki", "--s")).toBe(102_400);
    expect(parseByteSize("2048", "--s")).toBe(2048);
    expect(() => parseByteSize("lots", "--s")).toThrow(/takes a size/);
    expect(defaultOutName(new Date(2025, 0, 2, 3, 4, 5))).toBe("heapscope-20250102-030405.hsrec");
  });

  it("formats the status line", () => {
    expect(
      formatStatusLine({
        elapsedMs: 83_000,
        samples: 8,
        heapSnapshots: 8,
        liveHeapBytes: 37 * 1024 * 1024,
        goroutines: 16,
        rssBytes: null,
        gcCycles: 0,
        errors: 2,
        lastError: "heap: connection refused",
        unreachable: true,
      }),
    ).toBe(
      "83 s · 8 samples · heap 37 MiB · 16 goroutines · NOT ANSWERING · 2 errors, last: heap: connection refused",
    );
  });
});

describe("launching", () => {
  it("adds gctrace=1 to GODEBUG unless the user chose a gctrace setting", () => {
    expect(godebugWithGcTrace(undefined)).toBe("gctrace=1");
    expect(godebugWithGcTrace("")).toBe("gctrace=1");
    expect(godebugWithGcTrace("madvdontneed=1")).toBe("madvdontneed=1,gctrace=1");
    expect(godebugWithGcTrace("gctrace=2,x=1")).toBe("gctrace=2,x=1");
    expect(godebugWithGcTrace("x=1, gctrace=0")).toBe("x=1, gctrace=0");
  });

  it("recognises gctrace output and go run's report of the program's end", () => {
    expect(
      isGcTraceOutputLine(
        "gc 3 @0.010s 2%: 0.1+1+0.01 ms clock, 0.2+0/1/0+0.02 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n",
      ),
    ).toBe(true);
    expect(isGcTraceOutputLine("GC forced\n")).toBe(true);
    expect(isGcTraceOutputLine("my gc 3 @ home\n")).toBe(false);
    expect(parseGoRunExitLine("exit status 3")).toEqual({ code: 3, signal: null });
    expect(parseGoRunExitLine("signal: killed")).toEqual({ code: null, signal: "SIGKILL" });
    expect(parseGoRunExitLine("signal: terminated")).toEqual({ code: null, signal: "SIGTERM" });
    expect(parseGoRunExitLine("exit status three")).toBeNull();
  });

  it("passes stderr through line by line, hiding gctrace lines, and shows a prompt without a newline", async () => {
    const passed: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        passed.push(chunk.toString());
        callback();
      },
    });
    const text: string[] = [];
    const lines: string[] = [];
    const script = [
      "printf 'hello\\n' >&2",
      "printf 'gc 1 @0.001s 0%%: 0.1+1+0.01 ms clock, ' >&2",
      "printf '0.2+0/1/0+0.02 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\\n' >&2",
      "printf 'password: ' >&2",
      "sleep 0.6",
      "printf 'typed\\n' >&2",
      "printf 'to stdout\\n'",
    ].join("; ");
    const stdout: string[] = [];
    const target = await launchTarget({
      command: ["sh", "-c", script],
      stderr: sink,
      stdout: new Writable({
        write(chunk: Buffer, _e, cb) {
          stdout.push(chunk.toString());
          cb();
        },
      }),
      onStderrText: (t) => text.push(t),
      onStderrLine: (l) => lines.push(l),
    });
    const exit = await target.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    await target.drainStderr();
    expect(passed.join("")).toBe("hello\npassword: typed\n");
    // The prompt was shown before its line ended.
    expect(passed).toContain("password: ");
    expect(lines).toEqual([
      "hello",
      "gc 1 @0.001s 0%: 0.1+1+0.01 ms clock, 0.2+0/1/0+0.02 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P",
      "password: typed",
    ]);
    expect(text.join("")).toContain("4 MB goal");
    expect(stdout.join("")).toBe("to stdout\n");
  });

  it("stops a program with SIGTERM and reports its signal", async () => {
    const target = await launchTarget({ command: ["sleep", "30"], stdout: "ignore", stderr: "ignore" });
    expect(target.running).toBe(true);
    expect(target.programPid()).toBe(target.pid);
    const exit = await target.stop(5000);
    expect(exit).toMatchObject({ code: null, signal: "SIGTERM" });
  });

  it("follows a shell wrapper to the program it started", async () => {
    const target = await launchTarget({
      command: ["sh", "-c", "sleep 30; true"],
      stdout: "ignore",
      stderr: "ignore",
    });
    try {
      const program = await (async () => {
        for (let i = 0; i < 100; i++) {
          const pid = findProgramProcess(target.pid);
          if (pid !== null) return pid;
          await new Promise((r) => setTimeout(r, 50));
        }
        return null;
      })();
      expect(program).not.toBeNull();
      expect(program).not.toBe(target.pid);
      expect(parseProcStat(readFileSync(`/proc/${program}/stat`, "utf8"))?.comm).toBe("sleep");
    } finally {
      await target.stop(2000);
    }
  });
});

describe("/proc", () => {
  it("parses stat lines whose command contains spaces and parentheses", () => {
    const stat = parseProcStat(
      "1234 (my (weird) prog) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 100 1000 200",
    );
    expect(stat).toMatchObject({
      pid: 1234,
      comm: "my (weird) prog",
      state: "S",
      ppid: 1,
      utimeTicks: 250,
      stimeTicks: 50,
    });
    expect(parseProcStat("garbage")).toBeNull();
  });

  it("reads this process's RSS and finds the pid listening on a port", async () => {
    const reading = readProcessReading(process.pid);
    expect(reading!.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(reading!.cpuSeconds).toBeGreaterThan(0);
    expect(readProcessReading(2 ** 22 + 12345)).toBeNull();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as { port: number }).port;
      expect(findListeningPid(port)).toBe(process.pid);
    } finally {
      server.close();
    }
  });
});

describe("inspect rendering", () => {
  it("escapes untrusted text in Markdown and says what was thinned", () => {
    const report = buildInspectReport({
      summary: {
        path: "r.hsrec",
        schemaVersion: 1,
        heapscopeVersion: "1.0.0",
        target: {
          url: "http://h/",
          endpoints: {},
          headerNames: [],
          command: ["./srv", "--name=<script>alert(1)</script>"],
          cmdline: null,
          pid: 7,
          goVersion: "go1.23.0",
          hostname: "h",
        },
        settings: null,
        startedMs: 0,
        endedMs: 10_000,
        endReason: "duration",
        samples: 3,
        firstSampleMs: 0,
        lastSampleMs: 2000,
        heapSnapshots: 2,
        heapSnapshotsThinned: 1,
        goroutineSnapshots: 3,
        goroutineDumps: 1,
        goroutineLeakSnapshots: 0,
        memstatsSamples: 3,
        rssSamples: 3,
        gcCycles: 0,
        gcCyclesOtherProcesses: 0,
        errors: 1,
        gaps: 0,
        thinning: [{ atMs: 5000, kind: "heap", count: 1, freedBytes: 2048, oldestMs: 1000, newestMs: 1000 }],
        targetExit: { code: null, signal: "SIGTERM", atMs: 9000 },
        complete: true,
        storageFull: false,
        fileBytes: 4096,
      },
      heapSnapshots: [],
      errors: [
        { atMs: 1500, sampleId: 2, source: "heap", url: null, kind: "garbage", message: "<b>bad</b> | pipe" },
      ],
      gaps: [],
    });
    expect(report.targetExit).toEqual({ code: null, signal: "SIGTERM" });
    const markdown = renderInspectReport(report, "markdown");
    expect(markdown).not.toContain("<b>");
    expect(markdown).toContain("&lt;b&gt;bad&lt;/b&gt; \\| pipe");
    expect(markdown).toContain(
      "1 heap snapshots between 1970-01-01T00:00:01.000Z and 1970-01-01T00:00:01.000Z (2 KiB freed)",
    );
    const text = renderInspectReport(report, "text");
    expect(text).toContain("killed by SIGTERM");
    expect(text).toContain("2 stored, 1 thinned (summaries kept)");
  });
});
