import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { InputError, RecordingError } from "../../src/errors.js";
import type { CollectedSample, RecordingSettings, TargetDescription } from "../../src/model/recording.js";
import { openRecording } from "../../src/store/recording-reader.js";
import { readRecordingHeapSnapshot, splitRecordingSelector } from "../../src/store/recording-snapshots.js";
import { RecordingWriter } from "../../src/store/recording-writer.js";

const target: TargetDescription = {
  url: "http://127.0.0.1:6060",
  endpoints: { heap: "http://127.0.0.1:6060/debug/pprof/heap" },
  headerNames: ["Authorization"],
  command: null,
  cmdline: null,
  pid: null,
  goVersion: null,
  hostname: "test",
};

function settings(maxSizeBytes = 1 << 30): RecordingSettings {
  return {
    intervalMs: 10_000,
    durationMs: null,
    forceGc: true,
    dumpEvery: 30,
    keepVars: false,
    maxSizeBytes,
    requestTimeoutMs: 30_000,
  };
}

function tempPath(name = "rec.hsrec"): string {
  return path.join(mkdtempSync(path.join(tmpdir(), "heapscope-store-")), name);
}

function sample(atMs: number, heapBytes: Uint8Array, extra: Partial<CollectedSample> = {}): CollectedSample {
  return {
    startedMs: atMs,
    finishedMs: atMs + 5,
    final: false,
    heap: {
      bytes: heapBytes,
      gcForced: true,
      summary: { inuseBytes: atMs, inuseObjects: 1, allocBytes: 2, allocObjects: 3, sampleCount: 4 },
    },
    memstats: [],
    errors: [],
    ...extra,
  };
}

describe("recording store", () => {
  it("round-trips samples and leaves one self-contained file after a normal end", () => {
    const file = tempPath();
    const writer = RecordingWriter.create(file, { target, settings: settings(), heapscopeVersion: "9.9.9" });
    const first = randomBytes(1000);
    const second = randomBytes(1000);
    writer.writeSample(
      sample(1000, first, {
        goroutineProfile: {
          bytes: randomBytes(100),
          summary: {
            total: 7,
            distinctStacks: 2,
            leaked: 0,
            topGroups: [
              { key: "k", count: 5, state: null, waitMinutesMax: null, stack: ["main.f"], createdBy: null },
            ],
          },
        },
        goroutineDump: { bytes: Buffer.from("goroutine 1 [running]:\nmain.main()\n"), summary: null },
        memstats: [
          {
            source: "expvar",
            sample: { fields: { HeapAlloc: 123, NumGC: 4 }, exact: { lastGcNs: 1795630265516879833n } },
          },
        ],
        rss: { bytes: 4096, pid: 42, source: "proc", cpuSeconds: 0.5 },
        errors: [{ source: "metrics", url: "http://x/metrics", kind: "status", message: "404", atMs: 1001 }],
      }),
      [
        {
          cycle: 1,
          processRun: 0,
          atSeconds: 0.1,
          receivedMs: 1000,
          liveHeapBytes: 1 << 20,
          goalBytes: 4 << 20,
          forced: false,
          fields: { cycle: 1 },
          line: "gc 1 @0.1s 0%: ...",
        },
      ],
    );
    writer.writeSample(sample(2000, second));
    // Same bytes again: stored once.
    writer.writeSample(sample(3000, second));
    const gap = writer.openGap(2500, "connection refused");
    writer.noteGapAttempt(gap);
    writer.closeGap(gap, 2900);
    writer.setTargetExit({ code: null, signal: "SIGTERM", atMs: 3500 });
    writer.finish({ complete: true, reason: "duration" });

    expect(existsSync(`${file}-wal`)).toBe(false);
    const recording = openRecording(file);
    try {
      expect(recording.integrityCheck()).toBe("ok");
      const summary = recording.summary();
      expect(summary).toMatchObject({
        heapscopeVersion: "9.9.9",
        samples: 3,
        heapSnapshots: 3,
        goroutineSnapshots: 1,
        goroutineDumps: 1,
        memstatsSamples: 1,
        rssSamples: 1,
        gcCycles: 1,
        errors: 1,
        gaps: 1,
        complete: true,
        targetExit: { code: null, signal: "SIGTERM", atMs: 3500 },
      });
      expect(summary.target.headerNames).toEqual(["Authorization"]);
      expect(Buffer.from(recording.heapSnapshotBytes("1"))).toEqual(first);
      expect(Buffer.from(recording.heapSnapshotBytes("last"))).toEqual(second);
      const blobCount = (recording as unknown as { db: Database.Database }).db
        .prepare("SELECT COUNT(*) FROM blobs WHERE received_size = 1000")
        .pluck()
        .get();
      expect(blobCount).toBe(2);
      const dump = recording.goroutineSnapshots("dump")[0]!;
      expect(Buffer.from(recording.goroutineSnapshotBytes(dump.id)).toString()).toContain(
        "goroutine 1 [running]",
      );
      expect(recording.goroutineSnapshots("profile")[0]!.summary?.topGroups[0]?.count).toBe(5);
      // bigints beyond 2^53 are kept exactly, as strings.
      expect(recording.memstatsSamples()[0]!.sample.exact?.lastGcNs).toBe("1795630265516879833");
      expect(recording.memstatsSamples()[0]!.heapAlloc).toBe(123);
      expect(recording.gaps()).toEqual([
        { startMs: 2500, endMs: 2900, attempts: 2, reason: "connection refused" },
      ]);
      expect(recording.gcCycles()[0]!.line).toContain("gc 1");
    } finally {
      recording.close();
    }
    expect(Buffer.from(readRecordingHeapSnapshot(file, "2"))).toEqual(second);
    expect(() => readRecordingHeapSnapshot(file, "4")).toThrow(/no heap snapshot 4; the recording has 3/);
    expect(() => readRecordingHeapSnapshot(file, "0")).toThrow(InputError);
    expect(() => readRecordingHeapSnapshot(file, "x")).toThrow(/by number/);
  });

  it("parses FILE#N selectors", () => {
    expect(splitRecordingSelector("a/rec.hsrec#3")).toEqual({ path: "a/rec.hsrec", selector: "3" });
    expect(splitRecordingSelector("rec#last")).toEqual({ path: "rec", selector: "last" });
    expect(splitRecordingSelector("weird#name.pb.gz")).toBeNull();
    expect(splitRecordingSelector("#3")).toBeNull();
  });

  it("refuses to overwrite an existing recording unless asked", () => {
    const file = tempPath();
    RecordingWriter.create(file, { target, settings: settings(), heapscopeVersion: "1" }).finish({
      complete: true,
      reason: "test",
    });
    expect(() =>
      RecordingWriter.create(file, { target, settings: settings(), heapscopeVersion: "1" }),
    ).toThrow(/already exists/);
    RecordingWriter.create(file, {
      target,
      settings: settings(),
      heapscopeVersion: "2",
      overwrite: true,
    }).finish({
      complete: true,
      reason: "test",
    });
    const recording = openRecording(file);
    expect(recording.heapscopeVersion).toBe("2");
    recording.close();
  });

  it("rejects files that are not recordings, and recordings from a newer heapscope", () => {
    const dir = path.dirname(tempPath());
    const junk = path.join(dir, "junk.hsrec");
    writeFileSync(junk, randomBytes(4096));
    expect(() => openRecording(junk)).toThrow(/not a heapscope recording/);
    const empty = path.join(dir, "empty.hsrec");
    writeFileSync(empty, "");
    expect(() => openRecording(empty)).toThrow(InputError);
    expect(() => openRecording(path.join(dir, "missing.hsrec"))).toThrow(/no such file/);
    const plain = path.join(dir, "plain.db");
    const db = new Database(plain);
    db.exec("CREATE TABLE t (x)");
    db.close();
    expect(() => openRecording(plain)).toThrow(/not a heapscope recording/);

    const newer = path.join(dir, "newer.hsrec");
    RecordingWriter.create(newer, { target, settings: settings(), heapscopeVersion: "7.0.0" }).finish({
      complete: true,
      reason: "test",
    });
    const raw = new Database(newer);
    raw.pragma("user_version = 99");
    raw.close();
    let caught: unknown;
    try {
      openRecording(newer);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RecordingError);
    expect(String((caught as Error).message)).toMatch(
      /heapscope 7\.0\.0 \(recording schema 99\).*upgrade heapscope/,
    );
  });

  it("thins older heap snapshots to stay under --max-size, keeping the first, the newest and all summaries", () => {
    const file = tempPath();
    const maxSize = 3 * 1024 * 1024;
    const writer = RecordingWriter.create(file, {
      target,
      settings: settings(maxSize),
      heapscopeVersion: "1",
    });
    const count = 120;
    const heaps: Buffer[] = [];
    let thinnedTotal = 0;
    for (let i = 0; i < count; i++) {
      heaps.push(randomBytes(100_000)); // incompressible, like gzip
      const result = writer.writeSample(sample(1000 * (i + 1), heaps[i]!));
      thinnedTotal += result.thinned.reduce((sum, event) => sum + event.count, 0);
      expect(result.storageFull).toBe(false);
    }
    writer.finish({ complete: true, reason: "test" });
    expect(statSync(file).size).toBeLessThanOrEqual(maxSize + 256 * 1024);

    const recording = openRecording(file);
    try {
      const snapshots = recording.heapSnapshots();
      expect(snapshots).toHaveLength(count);
      const stored = snapshots.filter((s) => !s.thinned);
      expect(stored.length).toBeGreaterThan(8);
      expect(stored.length).toBeLessThan(35);
      expect(count - stored.length).toBe(thinnedTotal);
      // First and newest 8 are kept; numbering counts stored snapshots.
      expect(snapshots[0]!.thinned).toBe(false);
      expect(snapshots.slice(-8).every((s) => !s.thinned)).toBe(true);
      expect(Buffer.from(recording.heapSnapshotBytes("1"))).toEqual(heaps[0]);
      expect(Buffer.from(recording.heapSnapshotBytes("last"))).toEqual(heaps[count - 1]);
      expect(recording.resolveHeapSnapshot(String(stored.length)).id).toBe(snapshots[count - 1]!.id);
      // Summaries of thinned snapshots remain.
      expect(snapshots.every((s, i) => s.inuseBytes === 1000 * (i + 1))).toBe(true);
      const thinning = recording.thinning();
      expect(thinning.length).toBeGreaterThan(0);
      expect(thinning.every((t) => t.kind === "heap" && t.freedBytes >= t.count * 100_000)).toBe(true);
      expect(recording.integrityCheck()).toBe("ok");
    } finally {
      recording.close();
    }
  });

  it("a writer killed with SIGKILL leaves a file that opens, passes integrity_check and keeps committed samples", async () => {
    const file = tempPath();
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "support/store-writer-child.ts"), file],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    const seen = await waitForSamples(file, 25, 90_000, () => stderr);
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(existsSync(`${file}-wal`)).toBe(true);
    const recording = openRecording(file);
    try {
      expect(recording.integrityCheck()).toBe("ok");
      const summary = recording.summary();
      expect(summary.samples).toBeGreaterThanOrEqual(seen);
      expect(summary.heapSnapshots).toBe(summary.samples);
      expect(summary.complete).toBe(false);
      expect(recording.heapSnapshotBytes("last").byteLength).toBe(200_000);
    } finally {
      recording.close();
    }
  });
});

/** Polls the recording through a separate read-only connection until it holds `k` samples. */
async function waitForSamples(
  file: string,
  k: number,
  timeoutMs: number,
  diagnostics: () => string,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      try {
        const db = new Database(file, { readonly: true, fileMustExist: true });
        try {
          const n = db.prepare("SELECT COUNT(*) FROM samples").pluck().get() as number;
          if (n >= k) return n;
        } finally {
          db.close();
        }
      } catch {
        // schema not created yet
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${k} samples within ${timeoutMs} ms: ${diagnostics()}`);
}
