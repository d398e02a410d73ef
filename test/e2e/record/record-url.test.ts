/**
 * `heapscope record --url` against real Go programs (net/http/pprof + expvar + /metrics):
 * what gets recorded, secrets, the target dying and coming back, and heapscope being SIGKILLed.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { InspectReport } from "../../../src/render/inspect-report.js";
import { openRecording } from "../../../src/store/recording-reader.js";
import { readRecordingHeapSnapshot } from "../../../src/store/recording-snapshots.js";
import {
  buildGoProgram,
  freePort,
  type RunningProgram,
  runCli,
  runGo,
  startProgram,
  waitForHttp,
} from "../../support/go.js";
import {
  type BackgroundCli,
  countRows,
  killIfRunning,
  peek,
  startCli,
  tempDir,
  waitUntil,
} from "../../support/recording-helpers.js";

const execFileAsync = promisify(execFile);
const leakyDir = path.join(import.meta.dirname, "programs/leaky");
let leaky: string;
const programs: RunningProgram[] = [];
const clis: BackgroundCli[] = [];

beforeAll(async () => {
  leaky = await buildGoProgram(leakyDir);
});

afterEach(async () => {
  for (const cli of clis.splice(0)) killIfRunning(cli.child);
  await Promise.all(programs.splice(0).map((p) => p.stop()));
});

async function startLeaky(
  extraArgs: string[] = [],
  port?: number,
): Promise<{ url: string; port: number; program: RunningProgram }> {
  const chosen = port ?? (await freePort());
  const program = startProgram(leaky, ["-addr", `127.0.0.1:${chosen}`, ...extraArgs]);
  programs.push(program);
  const url = `http://127.0.0.1:${chosen}`;
  await waitForHttp(`${url}/debug/vars`, 30_000);
  return { url, port: chosen, program };
}

async function inspectJson(file: string): Promise<InspectReport> {
  const result = await runCli(["inspect", "--json", file]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe("heapscope record --url", () => {
  it("records heap and goroutine profiles, MemStats, metrics and RSS of a live program, without its secrets", async () => {
    const secret = "hunter2-do-not-store";
    const { url } = await startLeaky([`-api-token=${secret}`]);
    const dir = tempDir();
    const file = path.join(dir, "live.hsrec");
    const result = await runCli([
      "record",
      "--url",
      url,
      "--interval",
      "500ms",
      "--duration",
      "5s",
      "--dump-every",
      "3",
      "--out",
      file,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`recording ${url} to ${file}`);
    // Not a terminal: no live status line drawn with carriage returns.
    expect(result.stderr).not.toContain("\r");
    expect(existsSync(`${file}-wal`)).toBe(false);

    const report = await inspectJson(file);
    expect(report.complete).toBe(true);
    expect(report.targetExit).toBeNull();
    expect(report.errors).toBe(0);
    expect(report.heapSnapshots).toBeGreaterThanOrEqual(4);
    expect(report.goroutineSnapshots).toBe(report.heapSnapshots);
    expect(report.memstatsSamples).toBe(report.heapSnapshots);
    expect(report.gcCycles).toBe(0);
    expect(report.goroutineDumps).toBeGreaterThanOrEqual(2); // first, every 3rd, last
    // Only the program of expvar's cmdline is kept without --keep-vars.
    expect(report.target.cmdline).toEqual([leaky]);
    expect(report.target.endpoints).toMatchObject({
      heap: `${url}/debug/pprof/heap`,
      goroutine: `${url}/debug/pprof/goroutine`,
      vars: `${url}/debug/vars`,
      metrics: `${url}/metrics`,
    });
    expect(report.target.goVersion).toMatch(/^go1\./);
    // Neither the flag value nor the expvar variable holding it reached the file.
    expect(readFileSync(file).includes(Buffer.from(secret))).toBe(false);

    const recording = openRecording(file);
    try {
      const heaps = recording.heapSnapshots();
      // --gc auto: the first snapshot is forced; later ones only when no GC ran since the last.
      expect(heaps[0]!.gcForced).toBe(true);
      // leaky retains 256 KiB every 100 ms: the in-use heap grows across the recording.
      expect(heaps[heaps.length - 1]!.inuseBytes!).toBeGreaterThan(heaps[0]!.inuseBytes!);
      const goroutines = recording.goroutineSnapshots("profile");
      expect(goroutines[goroutines.length - 1]!.total!).toBeGreaterThan(goroutines[0]!.total!);
      const leakGroup = goroutines[goroutines.length - 1]!.summary!.topGroups.find((g) =>
        g.stack.includes("main.leakGoroutine"),
      );
      expect(leakGroup?.count).toBeGreaterThan(1);
      // The last dump: leaky starts leaking goroutines only after its 10th tick, which the first
      // sample (taken as soon as the program answers) may precede on a fast machine.
      const dumps = recording.goroutineSnapshots("dump");
      const lastDump = dumps[dumps.length - 1]!;
      expect(lastDump.summary!.states!["chan receive"]).toBeGreaterThan(0);
      expect(Buffer.from(recording.goroutineSnapshotBytes(lastDump.id)).toString()).toContain(
        "main.leakGoroutine",
      );
      const memstats = recording.memstatsSamples();
      const expvar = memstats.filter((m) => m.source === "expvar");
      const prometheus = memstats.filter((m) => m.source === "prometheus");
      expect(expvar.length).toBe(heaps.length);
      expect(prometheus.length).toBe(heaps.length);
      expect(expvar.every((m) => m.heapAlloc! > 0)).toBe(true);
      // MemStats of a forced snapshot are read right after its heap request: its GC is counted.
      expect(expvar.every((m) => m.numGc! > 0)).toBe(true);
      // Each gc=1 request made the target run a forced GC, and every sample's MemStats count those
      // up to and including its own heap request.
      heaps.forEach((_, i) => {
        const forcedSoFar = heaps.slice(0, i + 1).filter((h) => h.gcForced).length;
        expect(expvar[i]!.sample.fields.NumForcedGC, `sample ${i + 1}`).toBe(forcedSoFar);
      });
      const samples = recording.samples();
      expect(samples.every((s) => s.rssSource === "proc" && s.rssBytes! > 1024 * 1024)).toBe(true);
      expect(samples[samples.length - 1]!.final).toBe(true);
    } finally {
      recording.close();
    }

    // Export: the snapshots are the bytes the target sent; go tool pprof reads them.
    const exportDir = path.join(dir, "export");
    const exported = await runCli(["export", file, "--dir", exportDir]);
    expect(exported.code, exported.stderr).toBe(0);
    const first = readFileSync(path.join(exportDir, "heap-0001.pb.gz"));
    expect(first.equals(Buffer.from(readRecordingHeapSnapshot(file, "1")))).toBe(true);
    // The last snapshot: the first may be taken before main has allocated anything the 512 KiB
    // sampling catches (then it holds only the runtime's own allocations).
    const last = `heap-${String(report.heapSnapshots).padStart(4, "0")}.pb.gz`;
    const { stdout } = await runGo([
      "tool",
      "pprof",
      "-top",
      "-sample_index=inuse_space",
      path.join(exportDir, last),
    ]);
    expect(stdout).toContain("main.main");
    const manifest = JSON.parse(readFileSync(path.join(exportDir, "manifest.json"), "utf8"));
    expect(manifest.files.filter((f: { kind: string }) => f.kind === "heap")).toHaveLength(
      report.heapSnapshots,
    );
    expect(existsSync(path.join(exportDir, "goroutine-debug2-0001.txt"))).toBe(true);
    expect(
      readFileSync(path.join(exportDir, "memstats.jsonl"), "utf8").split("\n").filter(Boolean),
    ).toHaveLength(report.memstatsSamples * 2);
  });

  it("--keep-vars stores the raw /debug/vars and /metrics responses and the redacted command line", async () => {
    const { url } = await startLeaky(["-api-token=kept-on-purpose"]);
    const dir = tempDir();
    const file = path.join(dir, "vars.hsrec");
    const result = await runCli([
      "record",
      "--url",
      url,
      "--interval",
      "500ms",
      "--duration",
      "1s",
      "--keep-vars",
      "--out",
      file,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const recording = openRecording(file);
    try {
      expect(recording.target.cmdline).toEqual([leaky, "-addr", new URL(url).host, "-api-token=<redacted>"]);
      const raw = recording.memstatsRawResponses();
      expect(raw.filter((r) => r.source === "expvar").length).toBe(recording.summary().memstatsSamples);
      expect(Buffer.from(raw.find((r) => r.source === "prometheus")!.bytes).toString()).toContain(
        "go_goroutines",
      );
      // The raw document is what the target sent, user variables included: that is what --keep-vars means.
      expect(Buffer.from(raw[0]!.bytes).toString()).toContain('"database_password": "kept-on-purpose"');
    } finally {
      recording.close();
    }
    const exportDir = path.join(dir, "export");
    expect((await runCli(["export", file, "--dir", exportDir])).code).toBe(0);
    expect(
      JSON.parse(readFileSync(path.join(exportDir, "vars-0001.json"), "utf8")).memstats.HeapAlloc,
    ).toBeGreaterThan(0);
  });

  it("FILE#N addresses heap snapshots for profile commands (top --diff-base rec#1 rec#last)", async () => {
    // A heap profile shows the heap as of the last GC: collect every few ticks so the two snapshots differ.
    const { url } = await startLeaky(["-gc-every", "3"]);
    const file = path.join(tempDir(), "diff.hsrec");
    const recorded = await runCli([
      "record",
      "--url",
      url,
      "--interval",
      "1s",
      "--duration",
      "3s",
      "--out",
      file,
    ]);
    expect(recorded.code, recorded.stderr).toBe(0);
    const top = await runCli(["top", "--diff-base", `${file}#1`, `${file}#last`]);
    expect(top.stderr).toBe("");
    expect(top.code).toBe(0);
    expect(top.stdout).toContain("main.main");
    const missing = await runCli(["top", `${file}#99`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no heap snapshot 99/);
  });

  it("keeps sampling when the target dies, records the gap, and resumes when it comes back", async () => {
    const first = await startLeaky();
    const file = path.join(tempDir(), "gap.hsrec");
    const cli = startCli([
      "record",
      "--url",
      first.url,
      "--interval",
      "500ms",
      "--timeout",
      "3s",
      "--out",
      file,
    ]);
    clis.push(cli);
    const diagnostics = () => `stderr: ${cli.stderr()}`;
    await waitUntil("3 samples", () => countRows(file, "heap_snapshots") >= 3, 60_000, diagnostics);
    await first.program.stop();
    await waitUntil("a gap", () => countRows(file, "gaps") >= 1, 60_000, diagnostics);
    const before = countRows(file, "heap_snapshots");
    // The target comes back on the same port (a port-forward restarting).
    await startLeaky([], first.port);
    await waitUntil(
      "the gap to close",
      () => countRows(file, "gaps", "WHERE end_ms IS NOT NULL") >= 1,
      60_000,
      diagnostics,
    );
    await waitUntil(
      "new samples",
      () => countRows(file, "heap_snapshots") >= before + 2,
      60_000,
      diagnostics,
    );
    cli.child.kill("SIGINT");
    const exit = await cli.exited;
    expect(exit.code, diagnostics()).toBe(0);
    expect(cli.stderr()).toMatch(/not answering/);
    expect(cli.stderr()).toMatch(/answers again/);

    const report = await inspectJson(file);
    expect(report.complete).toBe(true);
    expect(report.gaps).toHaveLength(1);
    expect(report.gaps[0]!.end).not.toBeNull();
    expect(report.gaps[0]!.attempts).toBeGreaterThanOrEqual(1);
    // One error for the whole gap, not one per attempt.
    expect(report.errors).toBe(1);
    expect(report.errorSamples[0]!.kind).toBe("connect");
    expect(report.heapSnapshots).toBeGreaterThanOrEqual(before + 2);
  });

  it("a SIGKILLed heapscope leaves a readable file holding every sample a reader saw", async () => {
    const { url } = await startLeaky();
    const file = path.join(tempDir(), "killed.hsrec");
    const cli = startCli(["record", "--url", url, "--interval", "300ms", "--out", file]);
    clis.push(cli);
    const k = 5;
    const seen = await waitUntil(
      `${k} samples`,
      () => {
        const n = countRows(file, "samples");
        return n >= k ? n : null;
      },
      60_000,
      () => cli.stderr(),
    );
    cli.child.kill("SIGKILL");
    expect((await cli.exited).signal).toBe("SIGKILL");
    expect(existsSync(`${file}-wal`)).toBe(true);

    const checked = await runCli(["inspect", "--json", "--check", file]);
    expect(checked.code, checked.stderr).toBe(0);
    const report = JSON.parse(checked.stdout);
    expect(report.integrity).toBe("ok");
    expect(report.complete).toBe(false);
    expect(report.samples).toBeGreaterThanOrEqual(seen);
    expect(report.heapSnapshots).toBeGreaterThanOrEqual(seen - 1);
    const text = await runCli(["inspect", file]);
    expect(text.stdout).toMatch(/INCOMPLETE/);
    // The snapshots are readable.
    expect(readRecordingHeapSnapshot(file, "last").byteLength).toBeGreaterThan(100);
    const direct = peek(file, (db) => db.pragma("integrity_check", { simple: true }));
    expect(direct).toBe("ok");
  });

  it("sends extra headers and trusts --cacert for https targets", async () => {
    const dir = tempDir();
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    await execFileAsync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ]);
    const port = await freePort();
    const program = startProgram(leaky, [
      "-addr",
      `127.0.0.1:${port}`,
      "-tls-cert",
      cert,
      "-tls-key",
      key,
      "-require-authorization",
      "Bearer sesame",
    ]);
    programs.push(program);
    await waitUntil("https listener", () => program.stdout().includes("listening on https://"), 30_000);
    const url = `https://127.0.0.1:${port}`;
    const file = path.join(dir, "tls.hsrec");

    const untrusted = await runCli(["record", "--url", url, "--duration", "2s", "--out", file]);
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr.trim().split("\n")).toHaveLength(1);
    expect(untrusted.stderr).toMatch(/does not answer \(TLS: .*--cacert/);

    const unauthorized = await runCli([
      "record",
      "--url",
      url,
      "--cacert",
      cert,
      "--duration",
      "2s",
      "--out",
      file,
    ]);
    expect(unauthorized.code).toBe(2);
    expect(unauthorized.stderr).toMatch(/serves none of .*HTTP 401/);

    const ok = await runCli([
      "record",
      "--url",
      url,
      "--cacert",
      cert,
      "--header",
      "Authorization: Bearer sesame",
      "--interval",
      "500ms",
      "--duration",
      "2s",
      "--out",
      file,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const report = await inspectJson(file);
    expect(report.heapSnapshots).toBeGreaterThanOrEqual(2);
    expect(report.errors).toBe(0);
    expect(report.target.headerNames).toEqual(["Authorization"]);
    expect(readFileSync(file).includes(Buffer.from("sesame"))).toBe(false);
  });

  it("fails with one line and exit 2 for an unreachable target, a bad URL or a recording that exists", async () => {
    const port = await freePort();
    const dir = tempDir();
    const unreachable = await runCli([
      "record",
      "--url",
      `http://127.0.0.1:${port}`,
      "--out",
      path.join(dir, "u.hsrec"),
    ]);
    expect(unreachable.code, unreachable.stderr).toBe(2);
    expect(unreachable.stderr).toMatch(
      /^heapscope: http:\/\/127\.0\.0\.1:\d+\/?: does not answer \(connection refused\)\n$/,
    );
    expect(existsSync(path.join(dir, "u.hsrec"))).toBe(false);

    const ftp = await runCli(["record", "--url", "ftp://127.0.0.1/x", "--out", path.join(dir, "f.hsrec")]);
    expect(ftp.code, ftp.stderr).toBe(2);
    expect(ftp.stderr).toMatch(/only http and https/);

    const nothing = await runCli(["record", "--out", path.join(dir, "n.hsrec")]);
    expect(nothing.code, nothing.stderr).toBe(2);
    expect(nothing.stderr).toMatch(/nothing to record/);

    const badInterval = await runCli(["record", "--url", "http://127.0.0.1:1", "--interval", "soon"]);
    expect(badInterval.code, badInterval.stderr).toBe(2);
    expect(badInterval.stderr).toMatch(/--interval takes a duration/);

    const { url } = await startLeaky();
    const file = path.join(dir, "exists.hsrec");
    const first = await runCli(["record", "--url", url, "--duration", "1s", "--out", file]);
    expect(first.code, first.stderr).toBe(0);
    const again = await runCli(["record", "--url", url, "--duration", "1s", "--out", file]);
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    expect((await runCli(["record", "--url", url, "--duration", "1s", "--out", file, "--force"])).code).toBe(
      0,
    );

    const junk = path.join(dir, "junk.hsrec");
    await execFileAsync("sh", ["-c", `head -c 5000 /dev/urandom > ${junk}`]);
    const inspected = await runCli(["inspect", junk]);
    expect(inspected.code, inspected.stderr).toBe(2);
    expect(inspected.stderr).toMatch(/not a heapscope recording/);
  });
});
