/** The records a recording holds, shared by the writer, the reader and the collectors. */
import type { MemStatsSample } from "./memstats.js";

/** Which endpoint (or local source) a piece of data or an error came from. */
export type CollectSource =
  | "heap"
  | "goroutine"
  | "goroutine-dump"
  | "goroutineleak"
  | "vars"
  | "metrics"
  | "rss"
  | "gctrace"
  | "target"
  | "store";

export type CollectErrorKind =
  | "connect"
  | "timeout"
  | "status"
  | "too-large"
  | "garbage"
  | "redirect"
  | "other";

/** The endpoints heapscope samples, as absolute URLs (absent = not served / not sampled). */
export interface EndpointUrls {
  heap?: string;
  goroutine?: string;
  goroutineLeak?: string;
  vars?: string;
  metrics?: string;
}

/** What was recorded. Secrets are redacted before this is stored (see collect/target-launcher.ts). */
export interface TargetDescription {
  /** The base URL given with --url (userinfo and secret-looking query values redacted). */
  url: string | null;
  endpoints: EndpointUrls;
  /** Names of extra request headers sent (values are never stored). */
  headerNames: string[];
  /** The launched command, secret-looking flag values redacted. */
  command: string[] | null;
  /**
   * The target's command line as expvar reports it (url mode): the program only, or with --keep-vars
   * all of it, secret-looking flag values redacted.
   */
  cmdline: string[] | null;
  /** Process id of the program (the real program under `go run`), when known. */
  pid: number | null;
  /** Go version reported by the target (`go_info` in /metrics), when known. */
  goVersion: string | null;
  hostname: string;
  /** The container (cgroup) memory limit the program runs under, when its pid is known and it has one. */
  memoryLimit?: { bytes: number; source: string } | null;
}

/** How the recording was taken. */
export interface RecordingSettings {
  intervalMs: number;
  durationMs: number | null;
  /** Whether heap profiles may be fetched with gc=1 (see gcMode). */
  forceGc: boolean;
  /** "auto" | "always" | "never": when gc=1 was used (each snapshot also says whether it was). */
  gcMode?: "auto" | "always" | "never";
  dumpEvery: number;
  keepVars: boolean;
  maxSizeBytes: number;
  requestTimeoutMs: number;
}

export interface TargetExit {
  code: number | null;
  signal: string | null;
  atMs: number;
  /** Under `go run`: the go command's own exit code (code/signal above are the program's). */
  launcherCode?: number | null;
}

/** Totals of a heap profile, so trends need no re-parsing. */
export interface HeapProfileSummary {
  inuseBytes: number | null;
  inuseObjects: number | null;
  allocBytes: number | null;
  allocObjects: number | null;
  sampleCount: number;
}

/** One group of goroutines with the same stack (and, in dumps, the same state). */
export interface GoroutineGroupSummary {
  /** Short hash of the group's identity (stack, state, creator): equal across snapshots for one group. */
  key: string;
  count: number;
  state: string | null;
  /** Longest `N minutes` wait in the group (dumps only). */
  waitMinutesMax: number | null;
  /** Function names, leaf first, at most 32. */
  stack: string[];
  createdBy: string | null;
}

export interface GoroutineSnapshotSummary {
  total: number;
  distinctStacks: number;
  /** The largest groups, at most 20. */
  topGroups: GoroutineGroupSummary[];
  /** Goroutine count by state (dumps only). */
  states?: Record<string, number>;
  /** Goroutines the runtime marked as leaked (goroutineleak profile, Go 1.26+). */
  leaked: number;
}

/** Raw bytes as received plus their parsed summary (null when the bytes did not parse). */
export interface RawPayload<Summary> {
  bytes: Uint8Array;
  summary: Summary | null;
}

export interface MemStatsEntry {
  source: "expvar" | "prometheus";
  /** The parsed sample (stored as JSON; bigints that exceed 2^53 are written as strings). */
  sample: MemStatsSample;
  /** The response as received, only kept with --keep-vars. */
  raw?: Uint8Array;
}

export interface CollectError {
  source: CollectSource;
  url: string | null;
  kind: CollectErrorKind;
  message: string;
  atMs: number;
}

export interface RssReading {
  bytes: number;
  pid: number | null;
  source: "proc" | "prometheus";
  cpuSeconds: number | null;
}

/** Everything one sampling tick collected; written in one transaction. */
export interface CollectedSample {
  startedMs: number;
  finishedMs: number;
  final: boolean;
  heap?: RawPayload<HeapProfileSummary> & { gcForced: boolean };
  goroutineProfile?: RawPayload<GoroutineSnapshotSummary>;
  goroutineDump?: RawPayload<GoroutineSnapshotSummary>;
  goroutineLeak?: RawPayload<GoroutineSnapshotSummary>;
  memstats: MemStatsEntry[];
  rss?: RssReading;
  errors: CollectError[];
}

/** A gctrace cycle as stored. `fields` is the parser's full record. */
export interface StoredGcCycle {
  cycle: number;
  /** The gctrace parser's process run (cycle counters tell processes apart in one stderr stream). */
  processRun: number;
  atSeconds: number | null;
  receivedMs: number;
  liveHeapBytes: number | null;
  goalBytes: number | null;
  forced: boolean;
  fields: Record<string, unknown>;
  line: string | null;
}

// What a recording holds, as its reader returns it.

export interface HeapSnapshotInfo {
  /** 1-based position among the snapshots whose profile is still stored (what `FILE#N` means); null if thinned. */
  index: number | null;
  id: number;
  sampleId: number;
  atMs: number;
  gcForced: boolean;
  /** Size of the profile as received. */
  receivedBytes: number;
  inuseBytes: number | null;
  inuseObjects: number | null;
  allocBytes: number | null;
  allocObjects: number | null;
  thinned: boolean;
}

export type GoroutineSnapshotKind = "profile" | "dump" | "leak";

export interface GoroutineSnapshotInfo {
  id: number;
  sampleId: number;
  atMs: number;
  kind: GoroutineSnapshotKind;
  receivedBytes: number;
  total: number | null;
  distinctStacks: number | null;
  summary: GoroutineSnapshotSummary | null;
  thinned: boolean;
}

export interface MemStatsRecord {
  sampleId: number;
  atMs: number;
  source: "expvar" | "prometheus";
  heapAlloc: number | null;
  heapInuse: number | null;
  heapObjects: number | null;
  sys: number | null;
  nextGc: number | null;
  numGc: number | null;
  goroutines: number | null;
  /** The parsed sample as stored (bigints beyond 2^53, e.g. LastGC, come back as strings). */
  sample: StoredMemStatsSample;
  hasRaw: boolean;
}

/** MemStatsSample after a JSON round trip: exact nanosecond times are decimal strings. */
export type StoredMemStatsSample = Omit<MemStatsSample, "exact"> & {
  exact?: { lastGcNs?: string | number; pauseEndNs?: (string | number)[] };
};

export interface GcCycleRecord {
  cycle: number;
  /** Which process printed it; see `targetGcRun`. */
  processRun: number;
  atSeconds: number | null;
  receivedMs: number;
  liveHeapBytes: number | null;
  goalBytes: number | null;
  forced: boolean;
  fields: Record<string, unknown>;
  line: string | null;
}

export interface SampleRecord {
  id: number;
  startedMs: number;
  finishedMs: number;
  final: boolean;
  rssBytes: number | null;
  rssPid: number | null;
  rssSource: string | null;
  cpuSeconds: number | null;
}

export interface CollectErrorRecord {
  atMs: number;
  sampleId: number | null;
  source: CollectSource;
  url: string | null;
  kind: CollectErrorKind;
  message: string;
}

export interface GapRecord {
  startMs: number;
  endMs: number | null;
  attempts: number;
  reason: string;
}

export interface ThinningRecord {
  atMs: number;
  kind: string;
  count: number;
  freedBytes: number;
  oldestMs: number;
  newestMs: number;
}

/** Counts and facts that `inspect` prints; cheap to compute. */
export interface RecordingSummary {
  path: string;
  schemaVersion: number;
  heapscopeVersion: string;
  target: TargetDescription;
  settings: RecordingSettings | null;
  startedMs: number | null;
  endedMs: number | null;
  endReason: string | null;
  samples: number;
  firstSampleMs: number | null;
  lastSampleMs: number | null;
  heapSnapshots: number;
  heapSnapshotsThinned: number;
  goroutineSnapshots: number;
  goroutineDumps: number;
  goroutineLeakSnapshots: number;
  memstatsSamples: number;
  rssSamples: number;
  /** Cycles of the recorded program (see RecordingReader.targetGcRun). */
  gcCycles: number;
  /** gctrace cycles printed by other processes (the toolchain under `go run`). */
  gcCyclesOtherProcesses: number;
  errors: number;
  gaps: number;
  thinning: ThinningRecord[];
  targetExit: TargetExit | null;
  complete: boolean;
  storageFull: boolean;
  fileBytes: number;
}
