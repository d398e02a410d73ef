/**
 * The recording file: one SQLite database (extension `.hsrec`).
 *
 * Versioning: `PRAGMA user_version` holds the schema version and `PRAGMA application_id` marks the
 * file as a heapscope recording, so `file` and a plain `sqlite3` shell can tell what it is.
 * A reader refuses a schema newer than it knows, with a message naming the heapscope that wrote it.
 *
 * Raw data is stored as received (heap and goroutine profiles are gzip-compressed protobuf from the
 * target); text the target sends uncompressed (debug=2 dumps, kept /debug/vars) is gzip-compressed by
 * heapscope, which `blobs.encoding` says. Blobs are deduplicated by the SHA-256 of the received bytes.
 * Parsed summaries sit beside the raw data so later commands rarely re-parse a profile.
 */

/** Bumped on every incompatible change; readers accept files with a version ≤ theirs. */
export const RECORDING_SCHEMA_VERSION = 1;

/** "HSRC" as a big-endian int32, in the SQLite header at offset 68. */
export const RECORDING_APPLICATION_ID = 0x48535243;

export const RECORDING_FILE_EXTENSION = ".hsrec";

export const RECORDING_SCHEMA_SQL = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE blobs (
  id            INTEGER PRIMARY KEY,
  sha256        TEXT NOT NULL UNIQUE,   -- of the bytes as received
  encoding      TEXT NOT NULL,          -- 'identity': data is as received; 'gzip': heapscope compressed it
  received_size INTEGER NOT NULL,
  data          BLOB NOT NULL
);

CREATE TABLE samples (
  id          INTEGER PRIMARY KEY,      -- 1, 2, 3 ... in time order
  started_ms  INTEGER NOT NULL,         -- Unix epoch milliseconds
  finished_ms INTEGER NOT NULL,
  final       INTEGER NOT NULL DEFAULT 0,
  rss_bytes   INTEGER,
  rss_pid     INTEGER,
  rss_source  TEXT,                     -- 'proc' (read from /proc) or 'prometheus'
  cpu_seconds REAL                      -- target utime+stime when its pid is known
);

CREATE TABLE heap_snapshots (
  id            INTEGER PRIMARY KEY,
  sample_id     INTEGER NOT NULL REFERENCES samples(id),
  at_ms         INTEGER NOT NULL,
  gc_forced     INTEGER NOT NULL,       -- fetched with gc=1
  blob_id       INTEGER REFERENCES blobs(id),  -- NULL once thinned
  received_size INTEGER NOT NULL,
  inuse_bytes   INTEGER,
  inuse_objects INTEGER,
  alloc_bytes   INTEGER,
  alloc_objects INTEGER,
  sample_count  INTEGER,
  thinned_ms    INTEGER
);
CREATE INDEX heap_snapshots_at ON heap_snapshots(at_ms);

CREATE TABLE goroutine_snapshots (
  id              INTEGER PRIMARY KEY,
  sample_id       INTEGER NOT NULL REFERENCES samples(id),
  at_ms           INTEGER NOT NULL,
  kind            TEXT NOT NULL,        -- 'profile' (counts by stack), 'dump' (debug=2), 'leak' (goroutineleak)
  blob_id         INTEGER REFERENCES blobs(id),
  received_size   INTEGER NOT NULL,
  total           INTEGER,
  distinct_stacks INTEGER,
  summary_json    TEXT,                 -- largest groups; states for dumps
  thinned_ms      INTEGER
);
CREATE INDEX goroutine_snapshots_kind_at ON goroutine_snapshots(kind, at_ms);

CREATE TABLE memstats (
  id           INTEGER PRIMARY KEY,
  sample_id    INTEGER NOT NULL REFERENCES samples(id),
  at_ms        INTEGER NOT NULL,
  source       TEXT NOT NULL,           -- 'expvar' or 'prometheus'
  heap_alloc   INTEGER,
  heap_inuse   INTEGER,
  heap_objects INTEGER,
  sys          INTEGER,
  next_gc      INTEGER,
  num_gc       INTEGER,
  goroutines   INTEGER,
  fields_json  TEXT NOT NULL,           -- the parsed sample; never expvar's cmdline or user variables
  raw_blob_id  INTEGER REFERENCES blobs(id)  -- the response as received, only with --keep-vars
);

CREATE TABLE gc_cycles (
  id              INTEGER PRIMARY KEY,
  cycle           INTEGER NOT NULL,
  process_run     INTEGER NOT NULL,     -- which process printed it (go run: the toolchain prints too)
  at_seconds      REAL,                 -- since the target started, as gctrace prints it
  received_ms     INTEGER NOT NULL,
  live_heap_bytes INTEGER,
  goal_bytes      INTEGER,
  forced          INTEGER NOT NULL,
  fields_json     TEXT NOT NULL,
  line            TEXT                  -- the gctrace line as printed
);

CREATE TABLE collect_errors (
  id        INTEGER PRIMARY KEY,
  at_ms     INTEGER NOT NULL,
  sample_id INTEGER,
  source    TEXT NOT NULL,              -- heap, goroutine, vars, metrics, rss, gctrace, target, store
  url       TEXT,
  kind      TEXT NOT NULL,              -- connect, timeout, status, too-large, garbage, redirect, other
  message   TEXT NOT NULL
);

CREATE TABLE gaps (
  id       INTEGER PRIMARY KEY,
  start_ms INTEGER NOT NULL,
  end_ms   INTEGER,                     -- NULL while open (or when the recording ended inside it)
  attempts INTEGER NOT NULL DEFAULT 1,
  reason   TEXT NOT NULL
);

CREATE TABLE heap_dumps (             -- only with --keep-dump: a dump holds every secret of the target
  id          INTEGER PRIMARY KEY,
  at_ms       INTEGER NOT NULL,
  go_version  TEXT NOT NULL,
  size        INTEGER NOT NULL,          -- bytes of the dump file; its chunks concatenate to it
  binary_path TEXT,                      -- the ELF file that wrote it, when heapscope built or knew it
  binary_id   INTEGER REFERENCES dump_binaries(id) -- that file itself, kept with the dump (names, types)
);

CREATE TABLE dump_binaries (            -- only beside a kept dump: the binary that wrote it, which names
  id          INTEGER PRIMARY KEY,      -- its globals and closures and types its objects (DWARF)
  sha256      TEXT NOT NULL UNIQUE,     -- of the binary; dumps of one run share it
  name        TEXT NOT NULL,            -- its file name
  size        INTEGER NOT NULL,         -- bytes of the binary
  stored_size INTEGER NOT NULL          -- bytes of its gzip stream; its chunks concatenate to it
);

CREATE TABLE dump_binary_chunks (
  binary_id INTEGER NOT NULL REFERENCES dump_binaries(id),
  seq       INTEGER NOT NULL,
  data      BLOB NOT NULL,
  PRIMARY KEY (binary_id, seq)
);

CREATE TABLE heap_dump_chunks (         -- SQLite caps one blob at 1e9 bytes: dumps go in pieces
  dump_id INTEGER NOT NULL REFERENCES heap_dumps(id),
  seq     INTEGER NOT NULL,
  data    BLOB NOT NULL,
  PRIMARY KEY (dump_id, seq)
);

CREATE TABLE thinning (
  id          INTEGER PRIMARY KEY,
  at_ms       INTEGER NOT NULL,
  kind        TEXT NOT NULL,            -- 'heap', 'goroutine-profile', 'goroutine-dump'
  count       INTEGER NOT NULL,
  freed_bytes INTEGER NOT NULL,
  oldest_ms   INTEGER NOT NULL,
  newest_ms   INTEGER NOT NULL
);
`;

/** Keys of the `meta` table. */
export const META = {
  format: "format",
  schemaVersion: "schema_version",
  heapscopeVersion: "heapscope_version",
  createdMs: "created_ms",
  target: "target",
  settings: "settings",
  complete: "complete",
  endedMs: "ended_ms",
  endReason: "end_reason",
  targetExit: "target_exit",
  storageFull: "storage_full",
} as const;

export const RECORDING_FORMAT_NAME = "heapscope-recording";
