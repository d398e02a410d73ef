/**
 * Heap dumps in a recording: split into chunks under SQLite's blob cap, joined back byte for byte;
 * the binary kept beside them stored once, compressed, and read back exactly.
 */
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  insertHeapDump,
  listHeapDumps,
  readDumpBinaryBytes,
  readHeapDumpBytes,
} from "../../src/store/heap-dump-table.js";
import { RECORDING_SCHEMA_SQL } from "../../src/store/schema.js";

describe("heap dumps stored in chunks", () => {
  it("round-trips a dump split into several chunks, and reports a missing chunk", () => {
    const db = new Database(":memory:");
    db.exec(RECORDING_SCHEMA_SQL);
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 31) % 251);
    const id = insertHeapDump(db, bytes, { atMs: 5, goVersion: "go1.26.8" }, 3000);
    expect(db.prepare("SELECT count(*) FROM heap_dump_chunks WHERE dump_id = ?").pluck().get(id)).toBe(4);
    const [info] = listHeapDumps(db);
    expect(info).toEqual({
      id,
      atMs: 5,
      goVersion: "go1.26.8",
      size: 10_000,
      binaryPath: null,
      binary: null,
    });
    expect(readHeapDumpBytes(db, info!)).toEqual(bytes);
    db.prepare("DELETE FROM heap_dump_chunks WHERE seq = 2").run();
    expect(() => readHeapDumpBytes(db, info!)).toThrow(/incomplete \(7000 of 10000 bytes\)/);
  });

  it("keeps a dump's binary once, compressed and chunked, and reports a binary that does not read", () => {
    const db = new Database(":memory:");
    db.exec(RECORDING_SCHEMA_SQL);
    // An incompressible part (so the compressed stream spans chunks) and a repetitive one.
    let seed = 7;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 24;
    };
    const binary = new Uint8Array(20_000).map((_, i) => (i < 8000 ? next() : i % 7));
    const first = insertHeapDump(
      db,
      new Uint8Array(100),
      { atMs: 1, goVersion: "go1.26.8", binary: { name: "svc", bytes: binary } },
      3000,
    );
    insertHeapDump(
      db,
      new Uint8Array(50),
      { atMs: 2, goVersion: "go1.26.8", binary: { name: "svc", bytes: binary } },
      3000,
    );
    expect(db.prepare("SELECT count(*) FROM dump_binaries").pluck().get()).toBe(1);
    const dumps = listHeapDumps(db);
    expect(dumps.map((d) => d.binary?.id)).toEqual([dumps[0]!.binary!.id, dumps[0]!.binary!.id]);
    const info = dumps[0]!.binary!;
    expect(info).toMatchObject({ name: "svc", size: 20_000 });
    expect(info.storedSize).toBeLessThan(20_000);
    expect(info.storedSize).toBeGreaterThan(8000);
    expect(db.prepare("SELECT count(*) FROM dump_binary_chunks").pluck().get()).toBe(
      Math.ceil(info.storedSize / 3000),
    );
    expect(readDumpBinaryBytes(db, info)).toEqual(binary);
    expect(dumps[0]!.id).toBe(first);
    db.prepare("UPDATE dump_binaries SET size = 19999").run();
    expect(() => readDumpBinaryBytes(db, { ...info, size: 19_999 })).toThrow(
      /svc inflates to 20000 bytes, not 19999/,
    );
    db.prepare("DELETE FROM dump_binary_chunks WHERE seq = 1").run();
    expect(() => readDumpBinaryBytes(db, info)).toThrow(/binary svc is incomplete/);
  });

  it("lists dumps without binaries in a recording made before the binary tables existed", () => {
    const db = new Database(":memory:");
    db.exec(`CREATE TABLE heap_dumps (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, go_version TEXT NOT NULL,
      size INTEGER NOT NULL, binary_path TEXT)`);
    db.prepare(
      "INSERT INTO heap_dumps (at_ms, go_version, size, binary_path) VALUES (3, 'go1.26.8', 10, NULL)",
    ).run();
    expect(listHeapDumps(db)).toEqual([
      { id: 1, atMs: 3, goVersion: "go1.26.8", size: 10, binaryPath: null, binary: null },
    ]);
  });

  it("lists no dumps in a recording made before the tables existed", () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    expect(listHeapDumps(db)).toEqual([]);
  });
});
