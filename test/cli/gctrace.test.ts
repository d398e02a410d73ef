/**
 * `heapscope gctrace` through the built CLI (run `npm run build` first): text, JSON, Markdown,
 * stdin, gzip, bad input, --limit, --fail-on, --run and --follow across rotation.
 */
import { spawn } from "node:child_process";
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../support/go.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/gctrace");
const slowLeak = path.join(fixtures, "go1.26-slow-leak-forced-gc.txt");
const stepFlat = path.join(fixtures, "go1.26-step-then-flat.txt");
const scavtrace = path.join(fixtures, "go1.23-gctrace-scavtrace.txt");
const scratch = mkdtempSync(path.join(tmpdir(), "heapscope-gctrace-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Resolves once process `pid` holds `file` open (Linux /proc), or after 10 s elsewhere. */
async function waitUntilOpen(pid: number, file: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const fds = readdirSync(`/proc/${pid}/fd`);
      if (fds.some((fd) => readlinkOrEmpty(`/proc/${pid}/fd/${fd}`) === file)) return;
    } catch {
      await new Promise((r) => setTimeout(r, 10_000));
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function readlinkOrEmpty(link: string): string {
  try {
    return readlinkSync(link);
  } catch {
    return "";
  }
}

const countLines = (file: string, pattern: RegExp) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => pattern.test(l)).length;

describe("heapscope gctrace FILE", () => {
  it("prints the verdict, live heap with a sparkline, GC CPU, pauses, forced cycles", async () => {
    const r = await runCli(["gctrace", slowLeak]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Verdict: GROWING — live heap grows [\d.]+ KiB\/s \(95% CI/);
    expect(r.stdout).toMatch(/Live heap after GC\s+1 MiB → 173 MiB/);
    expect(r.stdout).toMatch(/[▁▂▃▄▅▆▇█]{20,}/);
    expect(r.stdout).toMatch(/GOGC≈25/);
    expect(r.stdout).toMatch(/STW pauses\s+p50 .*p99 .*max /);
    expect(r.stdout).toMatch(
      new RegExp(`Forced cycles\\s+${countLines(slowLeak, /\(forced\)/)} by runtime.GC`),
    );
    expect(r.stdout).toMatch(/151 lines: 151 gc cycles, 0 scavenger, 0 skipped/);
  });

  it("--json has the documented shape and agrees with the file", async () => {
    const r = await runCli(["gctrace", slowLeak, "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      cycles: 151,
      verdict: "growing",
      forcedCycles: countLines(slowLeak, /\(forced\)/),
      skippedLines: 0,
      processRuns: 1,
    });
    expect(doc.liveHeap.firstBytes).toBe(1 * 1048576);
    expect(doc.liveHeap.lastBytes).toBe(173 * 1048576);
    expect(doc.liveHeap.slopeBytesPerSecond).toBeGreaterThan(0);
    expect(typeof doc.gcCpuPercent).toBe("number");
    expect(doc.gcCpuPercent).toBeGreaterThan(0);
    for (const k of ["p50", "p99", "max"]) expect(typeof doc.pauseMs[k]).toBe("number");
    expect(doc.pauseMs.max).toBeGreaterThanOrEqual(doc.pauseMs.p99);
    expect(doc.trend.pValue).toBeLessThan(0.005);
    expect(doc.runs).toHaveLength(1);
  });

  it("reads stdin with noise, scavenger lines and several processes, and says what it skipped", async () => {
    const input = [
      readFileSync(scavtrace, "utf8").trimEnd(), // a short process first (28 cycles)
      "2024/05/01 12:00:00 listening on :8080",
      "pacer: assist ratio=+1.2e+000 (scan 0 MB in 3->4 MB) workers=0++2.5e-001",
      readFileSync(stepFlat, "utf8"),
    ].join("\n");
    const r = await runCli(["gctrace", "-", "--json"], { input });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.processRuns).toBe(2);
    expect(doc.targetRun).toBe(2);
    expect(doc.cycles).toBe(countLines(stepFlat, /^gc /));
    expect(doc.verdict).toBe("stable");
    expect(doc.skipped).toMatchObject({ pacer: 1, other: 1, blank: 0, malformedGcLines: 0 });
    expect(doc.skippedLines).toBe(2);
    expect(doc.lines.scavenger).toBe(29);
    // --run picks the other one.
    const first = JSON.parse((await runCli(["gctrace", "-", "--json", "--run", "1"], { input })).stdout);
    expect(first.cycles).toBe(28);
    expect(first.scavenger.events).toBe(29);
  });

  it("reads gzip-compressed logs", async () => {
    const file = path.join(scratch, "gc.log.gz");
    writeFileSync(file, gzipSync(readFileSync(stepFlat)));
    const doc = JSON.parse((await runCli(["gctrace", file, "--json"])).stdout);
    expect(doc.cycles).toBe(countLines(stepFlat, /^gc /));
  });

  it("--limit projects when the limit is reached; --fail-on growing exits 1", async () => {
    const r = await runCli(["gctrace", slowLeak, "--limit", "512MiB", "--json"]);
    const doc = JSON.parse(r.stdout);
    expect(doc.projection.limitBytes).toBe(512 * 1048576);
    expect(doc.projection.limitSource).toBe("--limit");
    const live = doc.projection.secondsUntilLiveHeapReachesLimit;
    // ~340 MiB to go at ~321 KiB/s (1.1 GiB/h): about 18 minutes.
    expect(live).toBeGreaterThan(600);
    expect(live).toBeLessThan(3000);
    expect(doc.projection.secondsUntilGoalReachesLimit).toBeLessThan(live);
    const text = await runCli(["gctrace", slowLeak, "--limit", "512MiB"]);
    expect(text.stdout).toMatch(/Memory limit\s+512 MiB \(--limit\): at .*\/s the heap goal/);
    expect((await runCli(["gctrace", slowLeak, "--fail-on", "growing"])).code).toBe(1);
    expect((await runCli(["gctrace", stepFlat, "--fail-on", "growing"])).code).toBe(0);
  });

  it("--format markdown renders a table", async () => {
    const r = await runCli(["gctrace", stepFlat, "--format", "markdown"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^### heapscope gctrace/);
    expect(r.stdout).toMatch(/\| Verdict \| \*\*stable\*\*/);
  });
});

describe("bad input: one line, exit 2", () => {
  const cases: [string, () => string, RegExp][] = [
    [
      "binary junk",
      () => {
        const f = path.join(scratch, "junk.bin");
        writeFileSync(f, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
        return f;
      },
      /binary data/,
    ],
    [
      "an empty file",
      () => {
        const f = path.join(scratch, "empty.log");
        writeFileSync(f, "");
        return f;
      },
      /empty input/,
    ],
    [
      "a file of another format",
      () => {
        const f = path.join(scratch, "vars.json");
        writeFileSync(f, JSON.stringify({ memstats: { Alloc: 1, NumGC: 3 } }, null, 2));
        return f;
      },
      /no gctrace lines/,
    ],
    ["a missing file", () => path.join(scratch, "nope.log"), /no such file/],
  ];
  for (const [name, make, message] of cases) {
    it(name, async () => {
      const file = make();
      const r = await runCli(["gctrace", file]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^heapscope: /);
      expect(r.stderr).toMatch(message);
    });
  }

  it("bad flags are usage errors", async () => {
    const r = await runCli(["gctrace", slowLeak, "--limit", "lots"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--limit takes a size such as/);
    const run = await runCli(["gctrace", slowLeak, "--run", "5"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--run 5: no such process run/);
  });
});

describe("--follow", () => {
  it("keeps reading a growing file across rotation, then reports on idle", async () => {
    const dir = path.join(scratch, "follow");
    mkdirSync(dir, { recursive: true });
    const log = path.join(dir, "app.log");
    const lines = readFileSync(stepFlat, "utf8").trimEnd().split("\n");
    const otherProcess = readFileSync(scavtrace, "utf8").trimEnd().split("\n");
    writeFileSync(log, `${lines.slice(0, 30).join("\n")}\n`);
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, "bin/heapscope.js"), "gctrace", "--follow", log, "--idle-timeout", "6", "--json"],
      { env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // On a loaded machine node can take seconds to start: append only once the file is open.
    await waitUntilOpen(child.pid!, log);
    // Appended in pieces, one cut in the middle of a line.
    const rest = `${lines.slice(30).join("\n")}\n`;
    appendFileSync(log, rest.slice(0, 1000));
    await pause(600);
    appendFileSync(log, rest.slice(1000));
    await pause(800);
    // Rotation: the file is renamed and a new one started by a restarted process.
    renameSync(log, `${log}.1`);
    writeFileSync(log, `${otherProcess.join("\n")}\n`);
    const code = await exited;
    expect(stderr).toBe("");
    expect(code, stdout).toBe(0);
    const doc = JSON.parse(stdout);
    const context = JSON.stringify({ runs: doc.runs, lines: doc.lines, skipped: doc.skipped });
    expect(doc.processRuns, context).toBe(2);
    expect(
      doc.runs.map((r: { cycles: number }) => r.cycles),
      context,
    ).toEqual([lines.filter((l) => l.startsWith("gc ")).length, 28]);
    expect(doc.cycles, context).toBe(lines.length);
    expect(doc.lines.scavenger, context).toBe(29);
  }, 60_000);

  it("refuses --follow on stdin", async () => {
    const r = await runCli(["gctrace", "-", "--follow"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--follow needs a file/);
  });
});
