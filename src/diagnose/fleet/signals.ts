/**
 * The Prometheus series fleet reads, grouped by what they tell, and which instances have them: the
 * report says which were found and which were missing (and what that costs).
 */
import type { SignalPresence } from "./types.js";

export interface SignalSpec {
  signal: string;
  meaning: string;
  /** Metric names that provide it (any one suffices). */
  metrics: string[];
  /** A suffix match (`checkout_build_info`) instead of exact names. */
  suffix?: string;
}

export const FLEET_SIGNALS: SignalSpec[] = [
  {
    signal: "live heap",
    meaning:
      "the best memory basis; client_golang exports it only with collectors.WithGoCollectorRuntimeMetrics",
    metrics: ["go_gc_heap_live_bytes"],
  },
  {
    signal: "heap goal",
    meaning: "follows the live heap (unless pinned at its floor or by GOMEMLIMIT)",
    metrics: ["go_memstats_next_gc_bytes", "go_gc_heap_goal_bytes", "go_memory_gc_goal_bytes"],
  },
  {
    signal: "HeapAlloc",
    meaning: "its troughs stand in for the live heap",
    metrics: ["go_memstats_heap_alloc_bytes", "go_memory_classes_heap_objects_bytes"],
  },
  {
    signal: "GC count",
    meaning: "finds HeapAlloc's troughs and restarts without a start time",
    metrics: ["go_gc_duration_seconds_count", "go_gc_cycles_total_gc_cycles_total"],
  },
  {
    signal: "RSS",
    meaning: "the last memory basis; compared with a container limit",
    metrics: ["process_resident_memory_bytes"],
  },
  {
    signal: "total runtime memory",
    meaning: "OpenTelemetry's go.memory.used: all memory the Go runtime holds, not the heap",
    metrics: ["go_memory_used_bytes"],
  },
  {
    signal: "process start time",
    meaning: "tells restarts apart (else cumulative counters falling do)",
    metrics: ["process_start_time_seconds"],
  },
  {
    signal: "GOMEMLIMIT",
    meaning: "a memory limit for the time-to-limit",
    metrics: ["go_gc_gomemlimit_bytes", "go_memory_limit_bytes"],
  },
  {
    signal: "container limit",
    meaning: "a memory limit for the time-to-limit (cAdvisor, joined on pod/namespace/container)",
    metrics: ["container_spec_memory_limit_bytes"],
  },
  {
    signal: "goroutines",
    meaning: "a goroutine leak holds memory too",
    metrics: ["go_goroutines", "go_goroutine_count"],
  },
  {
    signal: "version",
    meaning:
      "dates growth to a deploy (go_build_info's version is often (devel); any *_build_info{version} or --version-label)",
    metrics: [],
    suffix: "_build_info",
  },
];

/** How many instances have each signal. */
export function signalPresence(
  metricsByInstance: string[][],
  versionSeen: (i: number) => boolean,
): SignalPresence[] {
  return FLEET_SIGNALS.map((spec) => {
    let withIt = 0;
    metricsByInstance.forEach((metrics, i) => {
      const has = spec.signal === "version" ? versionSeen(i) : metrics.some((m) => spec.metrics.includes(m));
      if (has) withIt++;
    });
    return {
      signal: spec.signal,
      meaning: spec.meaning,
      metrics: spec.suffix ? [`*${spec.suffix}{version}`] : spec.metrics,
      instancesWith: withIt,
      instancesWithout: metricsByInstance.length - withIt,
    };
  });
}
