/**
 * Heap dumps in a recording (tables heap_dumps and heap_dump_chunks), stored only when the user asks
 * (--keep-dump): a dump holds every secret in the target's memory. SQLite caps a blob at 1e9 bytes,
 * so a dump is split into chunks of HEAP_DUMP_CHUNK_BYTES. Beside a dump goes the binary that wrote
 * it (dump_binaries, gzip-compressed, chunked the same way, once per run), so that later readers
 * name its roots and type its objects without the build directory doctor deleted. Recordings made
 * before these tables (or the binary column) existed simply have no dumps (or no binaries).
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type Database from "better-sqlite3";

export const HEAP_DUMP_CHUNK_BYTES = 256 * 1024 * 1024;

/** The binary kept beside a dump. */
export interface StoredDumpBinaryInfo {
  id: number;
  name: string;
  /** Bytes of the binary. */
  size: number;
  /** Bytes stored (its gzip stream). */
  storedSize: number;
}

export interface StoredHeapDumpInfo {
  id: number;
  atMs: number;
  goVersion: string;
  size: number;
  binaryPath: string | null;
  binary: StoredDumpBinaryInfo | null;
}

/** The binary that wrote a dump, to keep with it. */
export interface DumpBinaryInput {
  name: string;
  bytes: Uint8Array;
}

export function insertHeapDump(
  db: Database.Database,
  bytes: Uint8Array,
  info: { atMs: number; goVersion: string; binaryPath?: string; binary?: DumpBinaryInput },
  chunkBytes = HEAP_DUMP_CHUNK_BYTES,
): number {
  return db.transaction(() => {
    const binaryId = info.binary ? insertDumpBinary(db, info.binary, chunkBytes) : null;
    const id = Number(
      db
        .prepare(
          "INSERT INTO heap_dumps (at_ms, go_version, size, binary_path, binary_id) VALUES (?, ?, ?, ?, ?)",
        )
        .run(info.atMs, info.goVersion, bytes.length, info.binaryPath ?? null, binaryId).lastInsertRowid,
    );
    insertChunks(
      db.prepare("INSERT INTO heap_dump_chunks (dump_id, seq, data) VALUES (?, ?, ?)"),
      id,
      bytes,
      chunkBytes,
    );
    return id;
  })();
}

/** Stores a binary once (dumps of one run share it); its id. */
function insertDumpBinary(db: Database.Database, binary: DumpBinaryInput, chunkBytes: number): number {
  const sha256 = createHash("sha256").update(binary.bytes).digest("hex");
  const existing = db.prepare("SELECT id FROM dump_binaries WHERE sha256 = ?").pluck().get(sha256);
  if (typeof existing === "number") return existing;
  // Level 1: Go already compresses its DWARF, so higher levels gain little (9.3 MB: 5.4 vs 5.1 MB).
  const stored = gzipSync(binary.bytes, { level: 1 });
  const id = Number(
    db
      .prepare("INSERT INTO dump_binaries (sha256, name, size, stored_size) VALUES (?, ?, ?, ?)")
      .run(sha256, binary.name, binary.bytes.length, stored.length).lastInsertRowid,
  );
  insertChunks(
    db.prepare("INSERT INTO dump_binary_chunks (binary_id, seq, data) VALUES (?, ?, ?)"),
    id,
    stored,
    chunkBytes,
  );
  return id;
}

function insertChunks(insert: Database.Statement, id: number, bytes: Uint8Array, chunkBytes: number): void {
  for (let seq = 0, at = 0; at < bytes.length; seq++, at += chunkBytes) {
    const chunk = bytes.subarray(at, Math.min(at + chunkBytes, bytes.length));
    insert.run(id, seq, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
}

function hasTable(db: Database.Database, name: string): boolean {
  return (
    db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(name) === 1
  );
}

export function listHeapDumps(db: Database.Database): StoredHeapDumpInfo[] {
  if (!hasTable(db, "heap_dumps")) return [];
  const withBinaries = hasTable(db, "dump_binaries");
  const rows = db
    .prepare(
      withBinaries
        ? `SELECT d.id, d.at_ms AS atMs, d.go_version AS goVersion, d.size, d.binary_path AS binaryPath,
             b.id AS binaryId, b.name AS binaryName, b.size AS binarySize, b.stored_size AS binaryStoredSize
           FROM heap_dumps d LEFT JOIN dump_binaries b ON b.id = d.binary_id ORDER BY d.at_ms, d.id`
        : "SELECT id, at_ms AS atMs, go_version AS goVersion, size, binary_path AS binaryPath FROM heap_dumps ORDER BY at_ms, id",
    )
    .all() as (Omit<StoredHeapDumpInfo, "binary"> & {
    binaryId?: number | null;
    binaryName?: string;
    binarySize?: number;
    binaryStoredSize?: number;
  })[];
  return rows.map(({ binaryId, binaryName, binarySize, binaryStoredSize, ...dump }) => ({
    ...dump,
    binary:
      typeof binaryId === "number"
        ? { id: binaryId, name: binaryName!, size: binarySize!, storedSize: binaryStoredSize! }
        : null,
  }));
}

/** The dump's bytes, its chunks joined; throws when they do not add up to its size. */
export function readHeapDumpBytes(db: Database.Database, info: StoredHeapDumpInfo): Uint8Array {
  return joinChunks(
    db.prepare("SELECT data FROM heap_dump_chunks WHERE dump_id = ? ORDER BY seq"),
    info.id,
    info.size,
    `heap dump ${info.id}`,
  );
}

/** The kept binary's bytes; throws when its chunks are incomplete or do not inflate to its size. */
export function readDumpBinaryBytes(db: Database.Database, info: StoredDumpBinaryInfo): Uint8Array {
  const stored = joinChunks(
    db.prepare("SELECT data FROM dump_binary_chunks WHERE binary_id = ? ORDER BY seq"),
    info.id,
    info.storedSize,
    `binary ${info.name}`,
  );
  let bytes: Buffer;
  try {
    bytes = gunzipSync(stored);
  } catch (error) {
    throw new Error(
      `binary ${info.name} does not inflate (${error instanceof Error ? error.message : error})`,
    );
  }
  if (bytes.length !== info.size)
    throw new Error(`binary ${info.name} inflates to ${bytes.length} bytes, not ${info.size}`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function joinChunks(select: Database.Statement, id: number, size: number, what: string): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const row of select.iterate(id) as Iterable<{ data: Buffer }>) {
    if (at + row.data.length > size) break;
    out.set(row.data, at);
    at += row.data.length;
  }
  if (at !== size) throw new Error(`${what} is incomplete (${at} of ${size} bytes)`);
  return out;
}
