/**
 * Writes a recording as it is collected.
 *
 * Durability: WAL mode, one transaction per sample, `synchronous=NORMAL`. In WAL mode a committed
 * transaction is in the -wal file before `COMMIT` returns, so killing heapscope (even SIGKILL) loses
 * nothing committed and never corrupts the file; only an OS crash or power loss can drop the last few
 * commits (FULL would fsync every sample to cover that, at a cost per sample that large heap profiles
 * make noticeable, for a failure recordings do not need to survive). A normal end checkpoints the WAL
 * into the main file and switches to `journal_mode=DELETE`, leaving one self-contained file.
 *
 * Size: after each sample, when the file is over `maxSizeBytes`, older raw snapshots are thinned
 * (every other one, sparing the first and the newest few); their parsed summaries stay, so trends
 * still cover the whole recording. `thinning` rows say what went.
 */

import { createHash } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { RecordingError } from "../errors.js";
import { isGzip } from "../formats/sniff.js";
import type {
  CollectError,
  CollectedSample,
  GoroutineSnapshotSummary,
  RawPayload,
  RecordingSettings,
  StoredGcCycle,
  TargetDescription,
  TargetExit,
} from "../model/recording.js";
import { type DumpBinaryInput, insertHeapDump } from "./heap-dump-table.js";
import {
  META,
  RECORDING_APPLICATION_ID,
  RECORDING_FORMAT_NAME,
  RECORDING_SCHEMA_SQL,
  RECORDING_SCHEMA_VERSION,
} from "./schema.js";

export interface CreateRecordingOptions {
  target: TargetDescription;
  settings: RecordingSettings;
  heapscopeVersion: string;
  /** Replace an existing file instead of refusing. */
  overwrite?: boolean;
  /** Clock, for tests. */
  now?: () => number;
}

export interface ThinningEvent {
  kind: ThinnableKind;
  count: number;
  freedBytes: number;
}

export interface WriteSampleResult {
  sampleId: number;
  /** What the size cap thinned after this sample (empty when nothing). */
  thinned: ThinningEvent[];
  /** True once even thinning cannot keep the file under --max-size; raw payloads are then skipped. */
  storageFull: boolean;
}

type ThinnableKind = "heap" | "goroutine-profile" | "goroutine-dump" | "goroutine-leak";

/** Snapshots never thinned: the first one and this many of the newest. */
const NEWEST_KEPT_WHEN_THINNING = 8;
/** Thinning stops once the file is back under this fraction of the cap, so it does not run every sample. */
const THIN_TARGET_FRACTION = 0.85;

export class RecordingWriter {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly maxSizeBytes: number;
  private readonly now: () => number;
  private storageFull = false;
  private closed = false;

  private readonly insertBlob: Database.Statement;
  private readonly selectBlobId: Database.Statement;
  private readonly insertSample: Database.Statement;
  private readonly insertHeap: Database.Statement;
  private readonly insertGoroutine: Database.Statement;
  private readonly insertMemstats: Database.Statement;
  private readonly insertGcCycle: Database.Statement;
  private readonly insertError: Database.Statement;
  private readonly setMeta: Database.Statement;

  private constructor(path: string, db: Database.Database, maxSizeBytes: number, now: () => number) {
    this.path = path;
    this.db = db;
    this.maxSizeBytes = maxSizeBytes;
    this.now = now;
    this.insertBlob = db.prepare(
      "INSERT INTO blobs (sha256, encoding, received_size, data) VALUES (?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING",
    );
    this.selectBlobId = db.prepare("SELECT id FROM blobs WHERE sha256 = ?").pluck();
    this.insertSample = db.prepare(
      `INSERT INTO samples (started_ms, finished_ms, final, rss_bytes, rss_pid, rss_source, cpu_seconds)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertHeap = db.prepare(
      `INSERT INTO heap_snapshots (sample_id, at_ms, gc_forced, blob_id, received_size, inuse_bytes,
         inuse_objects, alloc_bytes, alloc_objects, sample_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertGoroutine = db.prepare(
      `INSERT INTO goroutine_snapshots (sample_id, at_ms, kind, blob_id, received_size, total,
         distinct_stacks, summary_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertMemstats = db.prepare(
      `INSERT INTO memstats (sample_id, at_ms, source, heap_alloc, heap_inuse, heap_objects, sys, next_gc,
         num_gc, goroutines, fields_json, raw_blob_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertGcCycle = db.prepare(
      `INSERT INTO gc_cycles (cycle, process_run, at_seconds, received_ms, live_heap_bytes, goal_bytes,
         forced, fields_json, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertError = db.prepare(
      "INSERT INTO collect_errors (at_ms, sample_id, source, url, kind, message) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.setMeta = db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
  }

  /** Creates a new recording file (refuses to replace one unless `overwrite`). */
  static create(path: string, options: CreateRecordingOptions): RecordingWriter {
    if (existsSync(path)) {
      if (!options.overwrite) {
        throw new RecordingError(`${path}: already exists; choose another --out or remove it`);
      }
      for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(path + suffix, { force: true });
    }
    let db: Database.Database;
    try {
      db = new Database(path);
    } catch (error) {
      throw new RecordingError(`${path}: cannot create the recording: ${messageOf(error)}`);
    }
    const now = options.now ?? Date.now;
    try {
      // auto_vacuum must be chosen before the first table exists; INCREMENTAL lets thinning give
      // pages back to the file system instead of only to SQLite's free list.
      db.pragma("auto_vacuum = INCREMENTAL");
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      // After a checkpoint, shrink a -wal that a large profile grew.
      db.pragma("journal_size_limit = 67108864");
      db.pragma(`application_id = ${RECORDING_APPLICATION_ID}`);
      db.transaction(() => {
        db.exec(RECORDING_SCHEMA_SQL);
        db.pragma(`user_version = ${RECORDING_SCHEMA_VERSION}`);
        const setMeta = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
        setMeta.run(META.format, RECORDING_FORMAT_NAME);
        setMeta.run(META.schemaVersion, String(RECORDING_SCHEMA_VERSION));
        setMeta.run(META.heapscopeVersion, options.heapscopeVersion);
        setMeta.run(META.createdMs, String(now()));
        setMeta.run(META.target, JSON.stringify(options.target));
        setMeta.run(META.settings, JSON.stringify(options.settings));
        setMeta.run(META.complete, "false");
      })();
    } catch (error) {
      db.close();
      throw new RecordingError(`${path}: cannot create the recording: ${messageOf(error)}`);
    }
    return new RecordingWriter(path, db, options.settings.maxSizeBytes, now);
  }

  /** Stores a heap dump (only on the user's request: it holds every secret of the target). */
  addHeapDump(
    bytes: Uint8Array,
    info: { goVersion: string; binaryPath?: string; binary?: DumpBinaryInput; atMs?: number },
  ): number {
    return insertHeapDump(this.db, bytes, { ...info, atMs: info.atMs ?? this.now() });
  }

  /** Replaces the stored target description (e.g. once the pid or Go version becomes known). */
  updateTarget(target: TargetDescription): void {
    this.setMeta.run(META.target, JSON.stringify(target));
  }

  /**
   * Commits one sample (and the gctrace cycles that arrived since the last one) in one transaction,
   * then thins old snapshots if the file is over its size cap.
   */
  writeSample(sample: CollectedSample, gcCycles: StoredGcCycle[] = []): WriteSampleResult {
    this.assertOpen();
    const sampleId = this.db.transaction(() => {
      const id = Number(
        this.insertSample.run(
          sample.startedMs,
          sample.finishedMs,
          sample.final ? 1 : 0,
          sample.rss?.bytes ?? null,
          sample.rss?.pid ?? null,
          sample.rss?.source ?? null,
          sample.rss?.cpuSeconds ?? null,
        ).lastInsertRowid,
      );
      const at = sample.startedMs;
      if (sample.heap) {
        const summary = sample.heap.summary;
        this.insertHeap.run(
          id,
          at,
          sample.heap.gcForced ? 1 : 0,
          this.storeBlob(sample.heap.bytes, false),
          sample.heap.bytes.byteLength,
          summary?.inuseBytes ?? null,
          summary?.inuseObjects ?? null,
          summary?.allocBytes ?? null,
          summary?.allocObjects ?? null,
          summary?.sampleCount ?? null,
        );
      }
      this.writeGoroutine(id, at, "profile", sample.goroutineProfile, false);
      this.writeGoroutine(id, at, "dump", sample.goroutineDump, true);
      this.writeGoroutine(id, at, "leak", sample.goroutineLeak, false);
      for (const entry of sample.memstats) {
        const fields = entry.sample.fields;
        this.insertMemstats.run(
          id,
          at,
          entry.source,
          fields.HeapAlloc ?? null,
          fields.HeapInuse ?? null,
          fields.HeapObjects ?? null,
          fields.Sys ?? null,
          fields.NextGC ?? null,
          fields.NumGC ?? null,
          entry.sample.goroutines ?? null,
          toJson(entry.sample),
          entry.raw ? this.storeBlob(entry.raw, true) : null,
        );
      }
      for (const error of sample.errors) this.writeError(error, id);
      for (const cycle of gcCycles) this.writeGcCycle(cycle);
      return id;
    })();
    const thinned = this.thinIfOverCap();
    return { sampleId, thinned, storageFull: this.storageFull };
  }

  /** Commits gctrace cycles that arrived outside a sample (e.g. after the target exited). */
  addGcCycles(cycles: StoredGcCycle[]): void {
    if (cycles.length === 0) return;
    this.assertOpen();
    this.db.transaction(() => {
      for (const cycle of cycles) this.writeGcCycle(cycle);
    })();
  }

  addErrors(errors: CollectError[]): void {
    if (errors.length === 0) return;
    this.assertOpen();
    this.db.transaction(() => {
      for (const error of errors) this.writeError(error, null);
    })();
  }

  /** Opens a gap (the target stopped answering); returns its id. */
  openGap(startMs: number, reason: string): number {
    this.assertOpen();
    return Number(
      this.db.prepare("INSERT INTO gaps (start_ms, reason) VALUES (?, ?)").run(startMs, reason)
        .lastInsertRowid,
    );
  }

  /** Counts one more failed attempt inside an open gap. */
  noteGapAttempt(gapId: number): void {
    this.db.prepare("UPDATE gaps SET attempts = attempts + 1 WHERE id = ?").run(gapId);
  }

  closeGap(gapId: number, endMs: number): void {
    this.db.prepare("UPDATE gaps SET end_ms = ? WHERE id = ?").run(endMs, gapId);
  }

  setTargetExit(exit: TargetExit): void {
    this.assertOpen();
    this.setMeta.run(META.targetExit, JSON.stringify(exit));
  }

  /** Bytes the database uses (its pages, whether in the main file or still in the WAL). */
  usedBytes(): number {
    const pageCount = this.db.pragma("page_count", { simple: true }) as number;
    const freePages = this.db.pragma("freelist_count", { simple: true }) as number;
    const pageSize = this.db.pragma("page_size", { simple: true }) as number;
    return (pageCount - freePages) * pageSize;
  }

  /**
   * Ends the recording normally: marks it complete, folds the WAL into the main file and leaves a
   * single file. `complete: false` (used when heapscope fails) still tidies the file.
   */
  finish(options: { complete: boolean; reason: string }): void {
    if (this.closed) return;
    try {
      this.db.transaction(() => {
        this.setMeta.run(META.endedMs, String(this.now()));
        this.setMeta.run(META.endReason, options.reason);
        this.setMeta.run(META.complete, options.complete ? "true" : "false");
      })();
      this.db.pragma("wal_checkpoint(TRUNCATE)");
      try {
        this.db.pragma("journal_mode = DELETE");
      } catch {
        // Another connection (a live viewer) still has the file open; the WAL stays beside it and
        // SQLite folds it in when the last connection closes. Nothing is lost.
      }
    } finally {
      this.closed = true;
      this.db.close();
    }
  }

  /** Closes without marking the recording complete or checkpointing (what a crash leaves, minus the crash). */
  closeIncomplete(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private writeGoroutine(
    sampleId: number,
    atMs: number,
    kind: "profile" | "dump" | "leak",
    payload: RawPayload<GoroutineSnapshotSummary> | undefined,
    compressText: boolean,
  ): void {
    if (!payload) return;
    const summary = payload.summary;
    this.insertGoroutine.run(
      sampleId,
      atMs,
      kind,
      this.storeBlob(payload.bytes, compressText),
      payload.bytes.byteLength,
      summary?.total ?? null,
      summary?.distinctStacks ?? null,
      summary ? JSON.stringify(summary) : null,
    );
  }

  private writeError(error: CollectError, sampleId: number | null): void {
    this.insertError.run(error.atMs, sampleId, error.source, error.url, error.kind, error.message);
  }

  private writeGcCycle(cycle: StoredGcCycle): void {
    this.insertGcCycle.run(
      cycle.cycle,
      cycle.processRun,
      cycle.atSeconds,
      cycle.receivedMs,
      cycle.liveHeapBytes,
      cycle.goalBytes,
      cycle.forced ? 1 : 0,
      toJson(cycle.fields),
      cycle.line,
    );
  }

  /** Stores bytes once per content hash; returns the blob id, or null when storage is full. */
  private storeBlob(bytes: Uint8Array, compressText: boolean): number | null {
    if (this.storageFull) return null;
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const existing = this.selectBlobId.get(sha256) as number | undefined;
    if (existing !== undefined) return existing;
    const alreadyGzip = isGzip(bytes);
    const compress = compressText && !alreadyGzip;
    const data = compress ? gzipSync(bytes) : bytes;
    this.insertBlob.run(sha256, compress ? "gzip" : "identity", bytes.byteLength, data);
    return this.selectBlobId.get(sha256) as number;
  }

  private thinIfOverCap(): ThinningEvent[] {
    if (this.usedBytes() <= this.maxSizeBytes) return [];
    const events = new Map<ThinnableKind, ThinningEvent>();
    const target = this.maxSizeBytes * THIN_TARGET_FRACTION;
    for (let pass = 0; pass < 64 && this.usedBytes() > target; pass++) {
      let passEvents = this.thinPass(NEWEST_KEPT_WHEN_THINNING);
      // Once only the newest few are left, keep thinning down to the first and the last snapshot.
      if (passEvents.length === 0) passEvents = this.thinPass(1);
      if (passEvents.length === 0) break;
      for (const event of passEvents) {
        const total = events.get(event.kind) ?? { kind: event.kind, count: 0, freedBytes: 0 };
        total.count += event.count;
        total.freedBytes += event.freedBytes;
        events.set(event.kind, total);
      }
    }
    if (this.usedBytes() > this.maxSizeBytes && !this.storageFull) {
      this.storageFull = true;
      this.db.transaction(() => {
        this.setMeta.run(META.storageFull, "true");
        this.writeError(
          {
            source: "store",
            url: null,
            kind: "other",
            message: `the recording reached --max-size (${this.maxSizeBytes} bytes) with nothing left to thin; raw profiles are no longer stored, summaries still are`,
            atMs: this.now(),
          },
          null,
        );
      })();
    }
    return [...events.values()];
  }

  /** Drops the raw data of every other snapshot between the first and the newest `keepNewest`. */
  private thinPass(keepNewest: number): ThinningEvent[] {
    const now = this.now();
    const events: ThinningEvent[] = [];
    this.db.transaction(() => {
      const kinds: [ThinnableKind, string, string][] = [
        ["heap", "heap_snapshots", "1 = 1"],
        ["goroutine-profile", "goroutine_snapshots", "kind = 'profile'"],
        ["goroutine-dump", "goroutine_snapshots", "kind = 'dump'"],
        ["goroutine-leak", "goroutine_snapshots", "kind = 'leak'"],
      ];
      for (const [kind, table, filter] of kinds) {
        const rows = this.db
          .prepare(
            `SELECT id, at_ms AS atMs, blob_id AS blobId FROM ${table}
             WHERE blob_id IS NOT NULL AND ${filter} ORDER BY at_ms, id`,
          )
          .all() as { id: number; atMs: number; blobId: number }[];
        const candidates = rows.slice(1, Math.max(1, rows.length - keepNewest));
        const victims = candidates.filter((_, index) => index % 2 === 1);
        if (victims.length === 0) continue;
        const clear = this.db.prepare(`UPDATE ${table} SET blob_id = NULL, thinned_ms = ? WHERE id = ?`);
        for (const victim of victims) clear.run(now, victim.id);
        const freedBytes = this.deleteUnreferencedBlobs(victims.map((v) => v.blobId));
        const oldest = victims[0]!.atMs;
        const newest = victims[victims.length - 1]!.atMs;
        this.db
          .prepare(
            "INSERT INTO thinning (at_ms, kind, count, freed_bytes, oldest_ms, newest_ms) VALUES (?, ?, ?, ?, ?, ?)",
          )
          .run(now, kind, victims.length, freedBytes, oldest, newest);
        events.push({ kind, count: victims.length, freedBytes });
      }
    })();
    if (events.length > 0) this.db.pragma("incremental_vacuum");
    return events;
  }

  private deleteUnreferencedBlobs(blobIds: number[]): number {
    const stillUsed = this.db.prepare(
      `SELECT 1 FROM heap_snapshots WHERE blob_id = @id
       UNION ALL SELECT 1 FROM goroutine_snapshots WHERE blob_id = @id
       UNION ALL SELECT 1 FROM memstats WHERE raw_blob_id = @id LIMIT 1`,
    );
    const size = this.db.prepare("SELECT length(data) FROM blobs WHERE id = ?").pluck();
    const remove = this.db.prepare("DELETE FROM blobs WHERE id = ?");
    let freed = 0;
    for (const id of new Set(blobIds)) {
      if (stillUsed.get({ id }) !== undefined) continue;
      freed += (size.get(id) as number | undefined) ?? 0;
      remove.run(id);
    }
    return freed;
  }

  private assertOpen(): void {
    if (this.closed) throw new RecordingError(`${this.path}: the recording is already closed`);
  }
}

/** JSON with bigints kept exact (as strings when they do not fit a double). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    if (v instanceof Map) return Object.fromEntries(v);
    return v;
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
