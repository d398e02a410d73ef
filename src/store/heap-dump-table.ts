/**
 * Heap dumps in a recording (tables heap_dumps and heap_dump_chunks), stored only when the user asks
 * (--keep-dump): a dump holds every secret in the target's memory. SQLite caps a blob at 1e9 bytes,
 * so a dump is split into chunks of HEAP_DUMP_CHUNK_BYTES. Recordings made before these tables
 * existed simply have no dumps.
 */
import type Database from "better-sqlite3";

export const HEAP_DUMP_CHUNK_BYTES = 256 * 1024 * 1024;

export interface StoredHeapDumpInfo {
  id: number;
  atMs: number;
  goVersion: string;
  size: number;
  binaryPath: string | null;
}

export function insertHeapDump(
  db: Database.Database,
  bytes: Uint8Array,
  info: { atMs: number; goVersion: string; binaryPath?: string },
  chunkBytes = HEAP_DUMP_CHUNK_BYTES,
): number {
  return db.transaction(() => {
    const id = Number(
      db
        .prepare("INSERT INTO heap_dumps (at_ms, go_version, size, binary_path) VALUES (?, ?, ?, ?)")
        .run(info.atMs, info.goVersion, bytes.length, info.binaryPath ?? null).lastInsertRowid,
    );
    const insert = db.prepare("INSERT INTO heap_dump_chunks (dump_id, seq, data) VALUES (?, ?, ?)");
    for (let seq = 0, at = 0; at < bytes.length; seq++, at += chunkBytes) {
      const chunk = bytes.subarray(at, Math.min(at + chunkBytes, bytes.length));
      insert.run(id, seq, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
    return id;
  })();
}

function hasDumpTables(db: Database.Database): boolean {
  return (
    db
      .prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'heap_dumps'")
      .pluck()
      .get() === 1
  );
}

export function listHeapDumps(db: Database.Database): StoredHeapDumpInfo[] {
  if (!hasDumpTables(db)) return [];
  return db
    .prepare(
      "SELECT id, at_ms AS atMs, go_version AS goVersion, size, binary_path AS binaryPath FROM heap_dumps ORDER BY at_ms, id",
    )
    .all() as StoredHeapDumpInfo[];
}

/** The dump's bytes, its chunks joined; throws when they do not add up to its size. */
export function readHeapDumpBytes(db: Database.Database, info: StoredHeapDumpInfo): Uint8Array {
  const out = new Uint8Array(info.size);
  let at = 0;
  for (const row of db
    .prepare("SELECT data FROM heap_dump_chunks WHERE dump_id = ? ORDER BY seq")
    .iterate(info.id) as Iterable<{ data: Buffer }>) {
    if (at + row.data.length > info.size) break;
    out.set(row.data, at);
    at += row.data.length;
  }
  if (at !== info.size) throw new Error(`heap dump ${info.id} is incomplete (${at} of ${info.size} bytes)`);
  return out;
}
