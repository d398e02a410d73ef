/**
 * Reads a recording: for inspect, export, doctor, the UI and `FILE#N` profile sources.
 *
 * Opens read-only, so a recording still being written (or left with its -wal by a killed heapscope)
 * can be read without changing it. Everything is read on demand; the file can be large.
 */

import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { InputError, RecordingError } from "../errors.js";
import { isRecordingHeader } from "../formats/sniff.js";
import type {
  CollectErrorRecord,
  GapRecord,
  GcCycleRecord,
  GoroutineSnapshotInfo,
  GoroutineSnapshotKind,
  GoroutineSnapshotSummary,
  HeapSnapshotInfo,
  MemStatsRecord,
  RecordingSettings,
  RecordingSummary,
  SampleRecord,
  StoredMemStatsSample,
  TargetDescription,
  TargetExit,
  ThinningRecord,
} from "../model/recording.js";
import { VERSION } from "../version.js";
import {
  listHeapDumps,
  readDumpBinaryBytes,
  readHeapDumpBytes,
  type StoredDumpBinaryInfo,
  type StoredHeapDumpInfo,
} from "./heap-dump-table.js";
import { META, RECORDING_APPLICATION_ID, RECORDING_SCHEMA_VERSION } from "./schema.js";

export class RecordingReader {
  readonly path: string;
  readonly schemaVersion: number;
  readonly heapscopeVersion: string;
  private readonly db: Database.Database;
  private readonly meta: Map<string, string>;

  constructor(path: string, db: Database.Database, schemaVersion: number, meta: Map<string, string>) {
    this.path = path;
    this.db = db;
    this.schemaVersion = schemaVersion;
    this.meta = meta;
    this.heapscopeVersion = meta.get(META.heapscopeVersion) ?? "unknown";
  }

  get target(): TargetDescription {
    return parseJson(this.meta.get(META.target)) as TargetDescription;
  }

  get settings(): RecordingSettings | null {
    return (parseJson(this.meta.get(META.settings)) as RecordingSettings | undefined) ?? null;
  }

  get complete(): boolean {
    return this.meta.get(META.complete) === "true";
  }

  get targetExit(): TargetExit | null {
    return (parseJson(this.meta.get(META.targetExit)) as TargetExit | undefined) ?? null;
  }

  get startedMs(): number | null {
    const value = this.meta.get(META.createdMs);
    return value === undefined ? null : Number(value);
  }

  get endedMs(): number | null {
    const value = this.meta.get(META.endedMs);
    return value === undefined ? null : Number(value);
  }

  get endReason(): string | null {
    return this.meta.get(META.endReason) ?? null;
  }

  /** Heap dumps kept with --keep-dump, oldest first (none in recordings made without it). */
  heapDumps(): StoredHeapDumpInfo[] {
    return listHeapDumps(this.db);
  }

  heapDumpBytes(info: StoredHeapDumpInfo): Uint8Array {
    try {
      return readHeapDumpBytes(this.db, info);
    } catch (error) {
      throw new InputError(this.path, error instanceof Error ? error.message : String(error));
    }
  }

  /** The binary kept beside a dump (it names and types the dump). */
  dumpBinaryBytes(info: StoredDumpBinaryInfo): Uint8Array {
    try {
      return readDumpBinaryBytes(this.db, info);
    } catch (error) {
      throw new InputError(this.path, error instanceof Error ? error.message : String(error));
    }
  }

  samples(): SampleRecord[] {
    return this.db
      .prepare(
        `SELECT id, started_ms AS startedMs, finished_ms AS finishedMs, final, rss_bytes AS rssBytes,
           rss_pid AS rssPid, rss_source AS rssSource, cpu_seconds AS cpuSeconds FROM samples ORDER BY id`,
      )
      .all()
      .map((row) => {
        const r = row as Omit<SampleRecord, "final"> & { final: number };
        return { ...r, final: r.final === 1 };
      });
  }

  /** Every heap snapshot in time order, thinned ones included (with `index: null`). */
  heapSnapshots(): HeapSnapshotInfo[] {
    const rows = this.db
      .prepare(
        `SELECT id, sample_id AS sampleId, at_ms AS atMs, gc_forced AS gcForced, received_size AS receivedBytes,
           inuse_bytes AS inuseBytes, inuse_objects AS inuseObjects, alloc_bytes AS allocBytes,
           alloc_objects AS allocObjects, blob_id IS NULL AS thinned
         FROM heap_snapshots ORDER BY at_ms, id`,
      )
      .all() as (Omit<HeapSnapshotInfo, "index" | "gcForced" | "thinned"> & {
      gcForced: number;
      thinned: number;
    })[];
    let index = 0;
    return rows.map((row) => {
      const thinned = row.thinned === 1;
      return { ...row, gcForced: row.gcForced === 1, thinned, index: thinned ? null : ++index };
    });
  }

  /**
   * The heap profile of snapshot `selector` as received (gzip-compressed profile.proto):
   * "N" is 1-based among the stored snapshots, "last" the newest, "first" the oldest.
   */
  heapSnapshotBytes(selector: string): Uint8Array {
    const snapshot = this.resolveHeapSnapshot(selector);
    const row = this.db
      .prepare(
        "SELECT b.encoding, b.data FROM heap_snapshots h JOIN blobs b ON b.id = h.blob_id WHERE h.id = ?",
      )
      .get(snapshot.id) as { encoding: string; data: Buffer } | undefined;
    if (!row)
      throw new InputError(`${this.path}#${selector}`, "the profile of this heap snapshot was thinned");
    return decodeBlob(row.encoding, row.data);
  }

  /** Finds the snapshot a `FILE#N` selector names; throws an InputError saying what exists. */
  resolveHeapSnapshot(selector: string): HeapSnapshotInfo {
    const stored = this.heapSnapshots().filter((s) => !s.thinned);
    const input = `${this.path}#${selector}`;
    if (stored.length === 0) {
      throw new InputError(input, "the recording holds no heap snapshots");
    }
    const trimmed = selector.trim().toLowerCase();
    if (trimmed === "last") return stored[stored.length - 1]!;
    if (trimmed === "first") return stored[0]!;
    if (!/^\d+$/.test(trimmed)) {
      throw new InputError(input, `a heap snapshot is selected by number (1-${stored.length}) or "last"`);
    }
    const n = Number(trimmed);
    if (n < 1 || n > stored.length) {
      throw new InputError(
        input,
        `no heap snapshot ${n}; the recording has ${stored.length} (1-${stored.length})`,
      );
    }
    return stored[n - 1]!;
  }

  goroutineSnapshots(kind?: GoroutineSnapshotKind): GoroutineSnapshotInfo[] {
    const where = kind ? "WHERE kind = ?" : "";
    const statement = this.db.prepare(
      `SELECT id, sample_id AS sampleId, at_ms AS atMs, kind, received_size AS receivedBytes, total,
         distinct_stacks AS distinctStacks, summary_json AS summaryJson, blob_id IS NULL AS thinned
       FROM goroutine_snapshots ${where} ORDER BY at_ms, id`,
    );
    const rows = (kind ? statement.all(kind) : statement.all()) as (Omit<
      GoroutineSnapshotInfo,
      "summary" | "thinned"
    > & { summaryJson: string | null; thinned: number })[];
    return rows.map(({ summaryJson, thinned, ...row }) => ({
      ...row,
      thinned: thinned === 1,
      summary: summaryJson ? (JSON.parse(summaryJson) as GoroutineSnapshotSummary) : null,
    }));
  }

  /** The goroutine profile or dump as received (dumps are text; profiles gzip-compressed proto). */
  goroutineSnapshotBytes(id: number): Uint8Array {
    const row = this.db
      .prepare(
        "SELECT b.encoding, b.data FROM goroutine_snapshots g JOIN blobs b ON b.id = g.blob_id WHERE g.id = ?",
      )
      .get(id) as { encoding: string; data: Buffer } | undefined;
    if (!row)
      throw new InputError(`${this.path}`, `goroutine snapshot ${id} is not stored (thinned or absent)`);
    return decodeBlob(row.encoding, row.data);
  }

  memstatsSamples(source?: "expvar" | "prometheus"): MemStatsRecord[] {
    const where = source ? "WHERE source = ?" : "";
    const statement = this.db.prepare(
      `SELECT sample_id AS sampleId, at_ms AS atMs, source, heap_alloc AS heapAlloc, heap_inuse AS heapInuse,
         heap_objects AS heapObjects, sys, next_gc AS nextGc, num_gc AS numGc, goroutines,
         fields_json AS fieldsJson, raw_blob_id IS NOT NULL AS hasRaw
       FROM memstats ${where} ORDER BY at_ms, id`,
    );
    const rows = (source ? statement.all(source) : statement.all()) as (Omit<
      MemStatsRecord,
      "sample" | "hasRaw"
    > & { fieldsJson: string; hasRaw: number })[];
    return rows.map(({ fieldsJson, hasRaw, ...row }) => ({
      ...row,
      hasRaw: hasRaw === 1,
      sample: JSON.parse(fieldsJson) as StoredMemStatsSample,
    }));
  }

  /** Raw /debug/vars or /metrics responses, only present when recorded with --keep-vars. */
  memstatsRawResponses(): { atMs: number; source: string; bytes: Uint8Array }[] {
    const rows = this.db
      .prepare(
        `SELECT m.at_ms AS atMs, m.source, b.encoding, b.data FROM memstats m JOIN blobs b ON b.id = m.raw_blob_id
         ORDER BY m.at_ms, m.id`,
      )
      .all() as { atMs: number; source: string; encoding: string; data: Buffer }[];
    return rows.map((row) => ({
      atMs: row.atMs,
      source: row.source,
      bytes: decodeBlob(row.encoding, row.data),
    }));
  }

  /**
   * gctrace cycles in arrival order. By default only the target program's (the process run with the
   * most cycles: under `go run` the toolchain's compile/link and the go command print gctrace too);
   * `allProcesses` returns every line.
   */
  gcCycles(options: { allProcesses?: boolean } = {}): GcCycleRecord[] {
    const run = options.allProcesses ? null : this.targetGcRun();
    const where = run === null ? "" : "WHERE process_run = ?";
    const statement = this.db.prepare(
      `SELECT cycle, process_run AS processRun, at_seconds AS atSeconds, received_ms AS receivedMs,
         live_heap_bytes AS liveHeapBytes, goal_bytes AS goalBytes, forced, fields_json AS fieldsJson, line
       FROM gc_cycles ${where} ORDER BY id`,
    );
    const rows = (run === null ? statement.all() : statement.all(run)) as (Omit<
      GcCycleRecord,
      "fields" | "forced"
    > & { fieldsJson: string; forced: number })[];
    return rows.map(({ fieldsJson, forced, ...row }) => ({
      ...row,
      forced: forced === 1,
      fields: JSON.parse(fieldsJson) as Record<string, unknown>,
    }));
  }

  /** The process run that is the recorded program: the one with the most cycles (latest on a tie). */
  targetGcRun(): number | null {
    const row = this.db
      .prepare(
        `SELECT process_run AS run FROM gc_cycles GROUP BY process_run
         ORDER BY COUNT(*) DESC, MAX(id) DESC LIMIT 1`,
      )
      .get() as { run: number } | undefined;
    return row ? row.run : null;
  }

  errors(): CollectErrorRecord[] {
    return this.db
      .prepare(
        "SELECT at_ms AS atMs, sample_id AS sampleId, source, url, kind, message FROM collect_errors ORDER BY id",
      )
      .all() as CollectErrorRecord[];
  }

  gaps(): GapRecord[] {
    return this.db
      .prepare("SELECT start_ms AS startMs, end_ms AS endMs, attempts, reason FROM gaps ORDER BY id")
      .all() as GapRecord[];
  }

  thinning(): ThinningRecord[] {
    return this.db
      .prepare(
        `SELECT at_ms AS atMs, kind, count, freed_bytes AS freedBytes, oldest_ms AS oldestMs,
           newest_ms AS newestMs FROM thinning ORDER BY id`,
      )
      .all() as ThinningRecord[];
  }

  /** `PRAGMA integrity_check`: "ok" or SQLite's list of problems. */
  integrityCheck(): string {
    const rows = this.db.pragma("integrity_check", { simple: false }) as { integrity_check: string }[];
    return rows.map((row) => row.integrity_check).join("\n");
  }

  summary(): RecordingSummary {
    const count = (sql: string): number => this.db.prepare(sql).pluck().get() as number;
    const span = this.db
      .prepare("SELECT MIN(started_ms) AS first, MAX(started_ms) AS last FROM samples")
      .get() as { first: number | null; last: number | null };
    return {
      path: this.path,
      schemaVersion: this.schemaVersion,
      heapscopeVersion: this.heapscopeVersion,
      target: this.target,
      settings: this.settings,
      startedMs: this.startedMs,
      endedMs: this.endedMs,
      endReason: this.endReason,
      samples: count("SELECT COUNT(*) FROM samples"),
      firstSampleMs: span.first,
      lastSampleMs: span.last,
      heapSnapshots: count("SELECT COUNT(*) FROM heap_snapshots WHERE blob_id IS NOT NULL"),
      heapSnapshotsThinned: count("SELECT COUNT(*) FROM heap_snapshots WHERE blob_id IS NULL"),
      goroutineSnapshots: count("SELECT COUNT(*) FROM goroutine_snapshots WHERE kind = 'profile'"),
      goroutineDumps: count("SELECT COUNT(*) FROM goroutine_snapshots WHERE kind = 'dump'"),
      goroutineLeakSnapshots: count("SELECT COUNT(*) FROM goroutine_snapshots WHERE kind = 'leak'"),
      memstatsSamples: count("SELECT COUNT(DISTINCT sample_id) FROM memstats"),
      rssSamples: count("SELECT COUNT(*) FROM samples WHERE rss_bytes IS NOT NULL"),
      ...this.gcCycleCounts(count("SELECT COUNT(*) FROM gc_cycles")),
      errors: count("SELECT COUNT(*) FROM collect_errors"),
      gaps: count("SELECT COUNT(*) FROM gaps"),
      thinning: this.thinning(),
      targetExit: this.targetExit,
      complete: this.complete,
      storageFull: this.meta.get(META.storageFull) === "true",
      fileBytes: fileBytes(this.path),
    };
  }

  private gcCycleCounts(all: number): { gcCycles: number; gcCyclesOtherProcesses: number } {
    const run = this.targetGcRun();
    if (run === null) return { gcCycles: 0, gcCyclesOtherProcesses: 0 };
    const target = this.db
      .prepare("SELECT COUNT(*) FROM gc_cycles WHERE process_run = ?")
      .pluck()
      .get(run) as number;
    return { gcCycles: target, gcCyclesOtherProcesses: all - target };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/**
 * Opens a recording for reading. Throws InputError for a missing or foreign file and RecordingError
 * for a recording written by a newer heapscope.
 */
export function openRecording(path: string): RecordingReader {
  if (!existsSync(path)) throw new InputError(path, "no such file");
  const stat = statSync(path);
  if (stat.isDirectory()) throw new InputError(path, "is a directory, not a recording");
  if (!looksLikeRecording(path)) {
    throw new InputError(path, "not a heapscope recording (not an SQLite file)");
  }
  const db = openReadOnly(path);
  try {
    const applicationId = db.pragma("application_id", { simple: true }) as number;
    const schemaVersion = db.pragma("user_version", { simple: true }) as number;
    if (applicationId !== RECORDING_APPLICATION_ID) {
      throw new InputError(path, "an SQLite file, but not a heapscope recording");
    }
    const meta = new Map(
      (db.prepare("SELECT key, value FROM meta").all() as { key: string; value: string }[]).map((row) => [
        row.key,
        row.value,
      ]),
    );
    if (schemaVersion > RECORDING_SCHEMA_VERSION) {
      const writer = meta.get(META.heapscopeVersion) ?? "a newer heapscope";
      throw new RecordingError(
        `${path}: recorded by heapscope ${writer} (recording schema ${schemaVersion}); this heapscope ${VERSION} reads schema ${RECORDING_SCHEMA_VERSION} and older: upgrade heapscope to read it`,
      );
    }
    return new RecordingReader(path, db, schemaVersion, meta);
  } catch (error) {
    db.close();
    if (error instanceof InputError || error instanceof RecordingError) throw error;
    throw new InputError(
      path,
      `cannot read the recording: ${error instanceof Error ? error.message : error}`,
    );
  }
}

function openReadOnly(path: string): Database.Database {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma("user_version"); // forces SQLite to open the file (and its -wal) now
    return db;
  } catch (error) {
    throw new InputError(
      path,
      `cannot open the recording: ${error instanceof Error ? error.message : error}`,
    );
  }
}

/** True when the file starts like a heapscope recording (sniff.ts's rule); false when it cannot be read. */
export function looksLikeRecording(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const header = Buffer.alloc(16);
    readSync(fd, header, 0, 16, 0);
    return isRecordingHeader(header);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function decodeBlob(encoding: string, data: Buffer): Uint8Array {
  const bytes = encoding === "gzip" ? gunzipSync(data) : data;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function fileBytes(path: string): number {
  let total = 0;
  for (const suffix of ["", "-wal"]) {
    try {
      total += statSync(path + suffix).size;
    } catch {
      // no -wal: a finished recording
    }
  }
  return total;
}
