/**
 * `heapscope record [--url ...] -- CMD ARGS...`: launching real Go programs, gctrace, pass-through,
 * exit codes and signals.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseGcTrace } from "../../../src/formats/gctrace/index.js";
import { openRecording } from "../../../src/store/recording-reader.js";
import { buildGoProgram, ensureGoToolchain, freePort, goCommand, runCli } from "../../support/go.js";
import {
  type BackgroundCli,
  countRows,
  killIfRunning,
  peek,
  startCli,
  tempDir,
  waitUntil,
} from "../../support/recording-helpers.js";

const leakyDir = path.join(import.meta.dirname, "programs/leaky");
let leaky: string;
const clis: BackgroundCli[] = [];
const strayPids: number[] = [];

beforeAll(async () => {
  leaky = await buildGoProgram(leakyDir);
});

afterEach(() => {
  for (const cli of clis.splice(0)) killIfRunning(cli.child);
  for (const pid of strayPids.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
});

function targetPid(file: string): number | null {
  return peek(file, (db) => {
    const value = db.prepare("SELECT value FROM meta WHERE key = 'target'").pluck().get() as string;
    return (JSON.parse(value) as { pid: number | null }).pid;
  });
}

describe("heapscope record -- CMD", () => {
  it("launches the program with gctrace, passes its output through without gctrace lines, and records its exit code", async () => {
    const port = await freePort();
    const file = path.join(tempDir(), "launch.hsrec");
    const result = await runCli(
      [
        "record",
        "--url",
        `http://127.0.0.1:${port}`,
        "--interval",
        "500ms",
        "--out",
        file,
        "--",
        leaky,
        "-addr",
        `127.0.0.1:${port}`,
        "-tick",
        "20ms",
        "-exit-after",
        "4s",
        "-exit-code",
        "3",
      ],
      { env: { GODEBUG: "madvdontneed=1" } },
    );
    expect(result.code, result.stderr).toBe(0);
    // stdout and stderr of the program pass through; the user's GODEBUG is kept, gctrace=1 added.
    expect(result.stdout).toContain(`listening on http://127.0.0.1:${port}`);
    expect(result.stdout).toContain("GODEBUG=madvdontneed=1,gctrace=1");
    expect(result.stderr).toContain("leaky: retained 20 chunks");
    expect(result.stderr).toContain("leaky: exiting as asked");
    expect(result.stderr).not.toMatch(/^gc \d+ @/m);
    expect(result.stderr).toMatch(/program exited with code 3/);

    const recording = openRecording(file);
    try {
      const summary = recording.summary();
      expect(summary.complete).toBe(true);
      expect(summary.endReason).toBe("target-exited");
      expect(summary.targetExit).toMatchObject({ code: 3, signal: null });
      expect(summary.heapSnapshots).toBeGreaterThanOrEqual(3);
      expect(summary.gcCycles).toBeGreaterThanOrEqual(3);
      const cycles = recording.gcCycles();
      // The runtime printed these lines; they are stored as printed and parse again to the same cycle.
      for (const cycle of cycles) {
        expect(cycle.line).toMatch(/^gc \d+ @[\d.]+s \d+%: /);
        const reparsed = parseGcTrace(`${cycle.line}\n`).runs[0]!.cycles[0]!;
        expect(reparsed.cycle).toBe(cycle.cycle);
        expect(reparsed.liveHeapBytes).toBe(cycle.liveHeapBytes);
      }
      // Each heap fetch with gc=1 made the program run a GC that gctrace shows as forced.
      const forcedSnapshots = recording.heapSnapshots().filter((h) => h.gcForced).length;
      expect(forcedSnapshots).toBeGreaterThanOrEqual(1);
      expect(cycles.filter((c) => c.forced).length).toBeGreaterThanOrEqual(forcedSnapshots - 1);
      expect(summary.target.command).toEqual([
        leaky,
        "-addr",
        `127.0.0.1:${port}`,
        "-tick",
        "20ms",
        "-exit-after",
        "4s",
        "-exit-code",
        "3",
      ]);
      expect(
        recording.samples().every((s) => s.rssSource === "proc" && s.rssPid === summary.target.pid),
      ).toBe(true);
    } finally {
      recording.close();
    }
  });

  it("--show-gctrace passes gctrace through; without --url only gctrace and RSS are recorded", async () => {
    const file = path.join(tempDir(), "gctrace-only.hsrec");
    const result = await runCli([
      "record",
      "--interval",
      "300ms",
      "--show-gctrace",
      "--out",
      file,
      "--",
      leaky,
      "-addr",
      "127.0.0.1:0",
      "-tick",
      "10ms",
      "-exit-after",
      "3s",
      "-exit-code",
      "0",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const shown = result.stderr.split("\n").filter((line) => /^gc \d+ @/.test(line));
    expect(shown.length).toBeGreaterThan(0);

    const recording = openRecording(file);
    try {
      const summary = recording.summary();
      expect(summary).toMatchObject({
        heapSnapshots: 0,
        goroutineSnapshots: 0,
        memstatsSamples: 0,
        complete: true,
      });
      expect(summary.targetExit).toMatchObject({ code: 0, signal: null });
      expect(summary.rssSamples).toBeGreaterThanOrEqual(3);
      expect(summary.gcCycles).toBe(shown.length);
      expect(summary.target.url).toBeNull();
    } finally {
      recording.close();
    }
    const exportDir = path.join(tempDir(), "export");
    expect((await runCli(["export", file, "--dir", exportDir])).code).toBe(0);
    const log = readFileSync(path.join(exportDir, "gctrace.log"), "utf8");
    expect(log.trim().split("\n")).toEqual(shown);
  });

  it("stops the program with SIGTERM when --duration ends, after a final sample with a goroutine dump", async () => {
    const port = await freePort();
    const file = path.join(tempDir(), "duration.hsrec");
    const result = await runCli([
      "record",
      "--url",
      `http://127.0.0.1:${port}`,
      "--interval",
      "500ms",
      "--duration",
      "3s",
      "--dump-every",
      "0",
      "--out",
      file,
      "--",
      leaky,
      "-addr",
      `127.0.0.1:${port}`,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const recording = openRecording(file);
    try {
      const summary = recording.summary();
      expect(summary.endReason).toBe("duration");
      expect(summary.targetExit).toMatchObject({ code: null, signal: "SIGTERM" });
      expect(summary.goroutineDumps).toBe(2); // first and last only (--dump-every 0)
      const samples = recording.samples();
      expect(samples[samples.length - 1]!.final).toBe(true);
      const dumps = recording.goroutineSnapshots("dump");
      expect(dumps[dumps.length - 1]!.sampleId).toBe(samples[samples.length - 1]!.id);
    } finally {
      recording.close();
    }
  });

  it("finds the real program under `go run` for RSS and records how the program ended", async () => {
    await ensureGoToolchain();
    const port = await freePort();
    const file = path.join(tempDir(), "gorun.hsrec");
    const cli = startCli(
      [
        "record",
        "--url",
        `http://127.0.0.1:${port}`,
        "--interval",
        "500ms",
        "--duration",
        "3s",
        "--out",
        file,
        "--",
        goCommand().command,
        "run",
        ".",
        "-addr",
        `127.0.0.1:${port}`,
      ],
      { GOFLAGS: "-mod=mod", ...goCommand().env },
      leakyDir,
    );
    clis.push(cli);
    const pid = await waitUntil(
      "the program's pid",
      () => (countRows(file, "samples") > 0 ? targetPid(file) : null),
      180_000,
      () => cli.stderr(),
    );
    strayPids.push(pid);
    const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    expect(comm).not.toBe("go");
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8")).toContain(`127.0.0.1:${port}`);
    const exit = await cli.exited;
    expect(exit.code, cli.stderr()).toBe(0);

    const recording = openRecording(file);
    try {
      const summary = recording.summary();
      // go run reported "signal: terminated"; the go command itself exited 1.
      expect(summary.targetExit).toMatchObject({ code: null, signal: "SIGTERM", launcherCode: 1 });
      expect(recording.samples().every((s) => s.rssPid === pid)).toBe(true);
      expect(summary.gcCycles).toBeGreaterThan(0);
    } finally {
      recording.close();
    }
    expect(() => process.kill(pid, 0)).toThrow(); // the program is gone
  });

  it("ends normally on SIGINT, stopping the program, and keeps what it had when the program is killed", async () => {
    const port = await freePort();
    const file = path.join(tempDir(), "sigint.hsrec");
    const cli = startCli([
      "record",
      "--url",
      `http://127.0.0.1:${port}`,
      "--interval",
      "300ms",
      "--out",
      file,
      "--",
      leaky,
      "-addr",
      `127.0.0.1:${port}`,
    ]);
    clis.push(cli);
    await waitUntil(
      "3 samples",
      () => countRows(file, "heap_snapshots") >= 3,
      60_000,
      () => cli.stderr(),
    );
    const pid = targetPid(file)!;
    // stdin is not a terminal here, so heapscope itself sends the program SIGINT.
    cli.child.kill("SIGINT");
    expect((await cli.exited).code, cli.stderr()).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
    const recording = openRecording(file);
    try {
      const summary = recording.summary();
      expect(summary.complete).toBe(true);
      expect(summary.endReason).toBe("stopped");
      expect(summary.targetExit?.signal).toMatch(/SIGINT|SIGTERM/);
    } finally {
      recording.close();
    }

    const killedFile = path.join(tempDir(), "killed-target.hsrec");
    const port2 = await freePort();
    const cli2 = startCli([
      "record",
      "--url",
      `http://127.0.0.1:${port2}`,
      "--interval",
      "300ms",
      "--out",
      killedFile,
      "--",
      leaky,
      "-addr",
      `127.0.0.1:${port2}`,
    ]);
    clis.push(cli2);
    await waitUntil(
      "3 samples",
      () => countRows(killedFile, "heap_snapshots") >= 3,
      60_000,
      () => cli2.stderr(),
    );
    const seen = countRows(killedFile, "heap_snapshots");
    process.kill(targetPid(killedFile)!, "SIGKILL");
    expect((await cli2.exited).code, cli2.stderr()).toBe(0);
    const killed = openRecording(killedFile);
    try {
      const summary = killed.summary();
      expect(summary.complete).toBe(true);
      expect(summary.endReason).toBe("target-exited");
      expect(summary.targetExit).toMatchObject({ code: null, signal: "SIGKILL" });
      expect(summary.heapSnapshots).toBeGreaterThanOrEqual(seen);
      expect(killed.integrityCheck()).toBe("ok");
    } finally {
      killed.close();
    }
  });

  it("reports a command that cannot start, and records gctrace when the URL never answers", async () => {
    const dir = tempDir();
    const missing = await runCli([
      "record",
      "--out",
      path.join(dir, "m.hsrec"),
      "--",
      "/nonexistent/program",
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("heapscope: /nonexistent/program: command not found\n");

    const silentPort = await freePort();
    const file = path.join(dir, "silent.hsrec");
    const result = await runCli([
      "record",
      "--url",
      `http://127.0.0.1:${silentPort}`,
      "--wait",
      "2s",
      "--interval",
      "500ms",
      "--out",
      file,
      "--",
      leaky,
      "-addr",
      "127.0.0.1:0",
      "-tick",
      "10ms",
      "-exit-after",
      "5s",
      "-exit-code",
      "0",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/never answered: gctrace and RSS only/);
    const recording = openRecording(file);
    try {
      const summary = recording.summary();
      expect(summary.complete).toBe(true);
      expect(summary.heapSnapshots).toBe(0);
      expect(summary.gcCycles).toBeGreaterThan(0);
      expect(summary.rssSamples).toBeGreaterThan(0);
      expect(recording.errors()[0]!.message).toMatch(/did not answer within 2 s/);
    } finally {
      recording.close();
    }
  });
});
