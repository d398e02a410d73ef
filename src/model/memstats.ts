/**
 * The MemStats model shared by every MemStats source (expvar, log lines, Prometheus, query_range)
 * and by everything that reads MemStats samples.
 */

/** The scalar fields of Go's runtime.MemStats, spelled as Go spells them. */
export const MEMSTATS_FIELDS = [
  "Alloc",
  "TotalAlloc",
  "Sys",
  "Lookups",
  "Mallocs",
  "Frees",
  "HeapAlloc",
  "HeapSys",
  "HeapIdle",
  "HeapInuse",
  "HeapReleased",
  "HeapObjects",
  "StackInuse",
  "StackSys",
  "MSpanInuse",
  "MSpanSys",
  "MCacheInuse",
  "MCacheSys",
  "BuckHashSys",
  "GCSys",
  "OtherSys",
  "NextGC",
  "LastGC",
  "PauseTotalNs",
  "NumGC",
  "NumForcedGC",
  "GCCPUFraction",
] as const;

export type MemStatsField = (typeof MEMSTATS_FIELDS)[number];

export type MemStatsUnit = "bytes" | "objects" | "count" | "ns" | "epoch-ns" | "fraction";

export const MEMSTATS_FIELD_UNITS: Record<MemStatsField, MemStatsUnit> = {
  Alloc: "bytes",
  TotalAlloc: "bytes",
  Sys: "bytes",
  Lookups: "count",
  Mallocs: "objects",
  Frees: "objects",
  HeapAlloc: "bytes",
  HeapSys: "bytes",
  HeapIdle: "bytes",
  HeapInuse: "bytes",
  HeapReleased: "bytes",
  HeapObjects: "objects",
  StackInuse: "bytes",
  StackSys: "bytes",
  MSpanInuse: "bytes",
  MSpanSys: "bytes",
  MCacheInuse: "bytes",
  MCacheSys: "bytes",
  BuckHashSys: "bytes",
  GCSys: "bytes",
  OtherSys: "bytes",
  NextGC: "bytes",
  LastGC: "epoch-ns",
  PauseTotalNs: "ns",
  NumGC: "count",
  NumForcedGC: "count",
  GCCPUFraction: "fraction",
};

/** Cumulative counters (only ever grow while the process lives); the rest are gauges. */
export const MEMSTATS_CUMULATIVE_FIELDS: ReadonlySet<MemStatsField> = new Set<MemStatsField>([
  "TotalAlloc",
  "Lookups",
  "Mallocs",
  "Frees",
  "PauseTotalNs",
  "NumGC",
  "NumForcedGC",
]);

export type MemStatsSourceFormat = "expvar" | "log-lines" | "prometheus" | "openmetrics" | "query-range";

/**
 * One reading of a Go program's memory statistics.
 * `fields` holds what the source gave (or what follows exactly from it, see `derived`); everything
 * is optional because sources differ (a Prometheus scrape has no PauseEnd, a log line may carry only
 * Alloc and NumGC).
 */
export interface MemStatsSample {
  /** When the reading was taken, ms since the epoch (see MemStatsSeries.timeSource). */
  atMs?: number;
  fields: Partial<Record<MemStatsField, number>>;
  /** Values that do not fit a double exactly (expvar only): LastGC and the PauseEnd ring, in ns. */
  exact?: {
    lastGcNs?: bigint;
    /** End times of the most recent GC pauses, oldest first (at most 256, as MemStats keeps). */
    pauseEndNs?: bigint[];
  };
  /** Pause lengths in ns, parallel to `exact.pauseEndNs`. */
  pauseNs?: number[];
  /** Resident set size of the process (process_resident_memory_bytes, or a log's RSS). */
  rssBytes?: number;
  goroutines?: number;
  threads?: number;
  /** Live heap after the last GC (runtime/metrics /gc/heap/live:bytes, Go 1.21+). */
  liveHeapBytes?: number;
  gogcPercent?: number;
  memoryLimitBytes?: number;
  /** OpenTelemetry `go.memory.used`: memory the runtime holds, about Sys − HeapReleased. */
  runtimeUsedBytes?: number;
  /** When the process started, seconds since the epoch (process_start_time_seconds): a change is a restart. */
  processStartSeconds?: number;
  /** Fields computed from other metrics (e.g. HeapIdle = free + released from runtime/metrics). */
  derived?: MemStatsField[];
}

/**
 * Where the time axis of a series comes from:
 * - `record`: each record carries a timestamp (JSON key, log prefix, exposition or query_range time);
 * - `capture`: heapscope took the reading at that time (URL);
 * - `last-gc`: no timestamp; the time of the last GC is used (a lower bound of the capture time);
 * - `none`: no time at all; only the order is known.
 */
export type MemStatsTimeSource = "record" | "capture" | "last-gc" | "none";

export interface MemStatsSeries {
  format: MemStatsSourceFormat;
  timeSource: MemStatsTimeSource;
  samples: MemStatsSample[];
  /** Things the user should know about how the input was read (one sentence each). */
  notes: string[];
  /** Lines or documents of the input that were not understood. */
  skippedLines: number;
  /** Smallest step of byte values when the source rounds them (e.g. 1 MiB for `Alloc = 512 MiB`). */
  byteResolution?: number;
}

/** Signals other than MemStats fields that often sit next to them (expvar vars, log fields). */
export type CompanionSignal = "goroutines" | "rssBytes" | "threads" | "liveHeapBytes";
