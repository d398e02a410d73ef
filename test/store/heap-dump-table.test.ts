/** Heap dumps in a recording: split into chunks under SQLite's blob cap, joined back byte for byte. */
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { insertHeapDump, listHeapDumps, readHeapDumpBytes } from "../../src/store/heap-dump-table.js";
import { RECORDING_SCHEMA_SQL } from "../../src/store/schema.js";

describe("heap dumps stored in chunks", () => {
  it("round-trips a dump split into several chunks, and reports a missing chunk", () => {
    const db = new Database(":memory:");
    db.exec(RECORDING_SCHEMA_SQL);
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 31) % 251);
    const id = insertHeapDump(db, bytes, { atMs: 5, goVersion: "go1.26.8" }, 3000);
    expect(db.prepare("SELECT count(*) FROM heap_dump_chunks WHERE dump_id = ?").pluck().get(id)).toBe(4);
    const [info] = listHeapDumps(db);
    expect(info).toEqual({ id, atMs: 5, goVersion: "go1.26.8", size: 10_000, binaryPath: null });
    expect(readHeapDumpBytes(db, info!)).toEqual(bytes);
    db.prepare("DELETE FROM heap_dump_chunks WHERE seq = 2").run();
    expect(() => readHeapDumpBytes(db, info!)).toThrow(/incomplete \(7000 of 10000 bytes\)/);
  });

  it("lists no dumps in a recording made before the tables existed", () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    expect(listHeapDumps(db)).toEqual([]);
  });
});
