/**
 * Which Prometheus metric names carry which MemStats figure: client_golang's Go collector (MemStats
 * and runtime/metrics names), the process collector, and OpenTelemetry's Go runtime metrics (older
 * and current conventions), also behind a namespace prefix.
 */
import type { CompanionSignal, MemStatsField } from "../model/memstats.js";

/** Where a known metric goes: a MemStats field, a companion signal, or an input to a derived field. */
export type MetricTarget =
  | { field: MemStatsField; scale?: number }
  | {
      signal:
        | CompanionSignal
        | "gogcPercent"
        | "memoryLimitBytes"
        | "runtimeUsedBytes"
        | "processStartSeconds";
      /** Yields to a metric with the same signal that is not weak (go_goroutines over the scheduler's count). */
      weak?: boolean;
    }
  | { part: RuntimeMetricPart };

/** runtime/metrics pieces that MemStats fields are sums of (as client_golang's memStatsFromRM does). */
export type RuntimeMetricPart =
  | "heapObjectsBytes"
  | "heapUnusedBytes"
  | "heapFreeBytes"
  | "heapReleasedBytes"
  | "heapStacksBytes"
  | "osStacksBytes"
  | "allocsObjects"
  | "freesObjects"
  | "tinyAllocsObjects"
  | "otelStackBytes";

/** Known metric names (matched exactly, or after a namespace prefix). */
const KNOWN_METRICS: [string, MetricTarget][] = [
  // client_golang Go collector, MemStats-based names.
  ["go_memstats_alloc_bytes_total", { field: "TotalAlloc" }],
  ["go_memstats_alloc_bytes", { field: "Alloc" }],
  ["go_memstats_sys_bytes", { field: "Sys" }],
  ["go_memstats_lookups_total", { field: "Lookups" }],
  ["go_memstats_mallocs_total", { field: "Mallocs" }],
  ["go_memstats_frees_total", { field: "Frees" }],
  ["go_memstats_heap_alloc_bytes", { field: "HeapAlloc" }],
  ["go_memstats_heap_sys_bytes", { field: "HeapSys" }],
  ["go_memstats_heap_idle_bytes", { field: "HeapIdle" }],
  ["go_memstats_heap_inuse_bytes", { field: "HeapInuse" }],
  ["go_memstats_heap_released_bytes", { field: "HeapReleased" }],
  ["go_memstats_heap_objects", { field: "HeapObjects" }],
  ["go_memstats_stack_inuse_bytes", { field: "StackInuse" }],
  ["go_memstats_stack_sys_bytes", { field: "StackSys" }],
  ["go_memstats_mspan_inuse_bytes", { field: "MSpanInuse" }],
  ["go_memstats_mspan_sys_bytes", { field: "MSpanSys" }],
  ["go_memstats_mcache_inuse_bytes", { field: "MCacheInuse" }],
  ["go_memstats_mcache_sys_bytes", { field: "MCacheSys" }],
  ["go_memstats_buck_hash_sys_bytes", { field: "BuckHashSys" }],
  ["go_memstats_gc_sys_bytes", { field: "GCSys" }],
  ["go_memstats_other_sys_bytes", { field: "OtherSys" }],
  ["go_memstats_next_gc_bytes", { field: "NextGC" }],
  ["go_memstats_last_gc_time_seconds", { field: "LastGC", scale: 1e9 }],
  ["go_memstats_gc_cpu_fraction", { field: "GCCPUFraction" }],
  ["go_gc_duration_seconds_count", { field: "NumGC" }],
  ["go_gc_duration_seconds_sum", { field: "PauseTotalNs", scale: 1e9 }],
  ["go_goroutines", { signal: "goroutines" }],
  ["go_threads", { signal: "threads" }],
  ["process_resident_memory_bytes", { signal: "rssBytes" }],
  // Changes when the process restarts: a new process run (analysis/process-runs.ts).
  ["process_start_time_seconds", { signal: "processStartSeconds" }],
  // client_golang opt-in runtime/metrics names (`go_` + path + unit, `_total` when cumulative).
  ["go_gc_heap_live_bytes", { signal: "liveHeapBytes" }],
  ["go_gc_heap_goal_bytes", { field: "NextGC" }],
  ["go_gc_heap_objects_objects", { field: "HeapObjects" }],
  ["go_gc_heap_allocs_bytes_total", { field: "TotalAlloc" }],
  ["go_gc_heap_allocs_objects_total", { part: "allocsObjects" }],
  ["go_gc_heap_frees_objects_total", { part: "freesObjects" }],
  ["go_gc_heap_tiny_allocs_objects_total", { part: "tinyAllocsObjects" }],
  ["go_gc_cycles_total_gc_cycles_total", { field: "NumGC" }],
  ["go_gc_cycles_forced_gc_cycles_total", { field: "NumForcedGC" }],
  ["go_gc_gogc_percent", { signal: "gogcPercent" }],
  ["go_gc_gomemlimit_bytes", { signal: "memoryLimitBytes" }],
  ["go_memory_classes_heap_objects_bytes", { part: "heapObjectsBytes" }],
  ["go_memory_classes_heap_unused_bytes", { part: "heapUnusedBytes" }],
  ["go_memory_classes_heap_free_bytes", { part: "heapFreeBytes" }],
  ["go_memory_classes_heap_released_bytes", { part: "heapReleasedBytes" }],
  ["go_memory_classes_heap_stacks_bytes", { part: "heapStacksBytes" }],
  ["go_memory_classes_os_stacks_bytes", { part: "osStacksBytes" }],
  ["go_memory_classes_metadata_mspan_inuse_bytes", { field: "MSpanInuse" }],
  ["go_memory_classes_metadata_mcache_inuse_bytes", { field: "MCacheInuse" }],
  ["go_memory_classes_metadata_other_bytes", { field: "GCSys" }],
  ["go_memory_classes_profiling_buckets_bytes", { field: "BuckHashSys" }],
  ["go_memory_classes_other_bytes", { field: "OtherSys" }],
  ["go_memory_classes_total_bytes", { field: "Sys" }],
  // Counts system goroutines too in recent Go, unlike runtime.NumGoroutine (go_goroutines).
  ["go_sched_goroutines_goroutines", { signal: "goroutines", weak: true }],
  // OpenTelemetry, current semantic conventions (go.memory.*, go.goroutine.count, go.config.gogc).
  ["go_memory_used_bytes", { signal: "runtimeUsedBytes" }],
  ["go_memory_limit_bytes", { signal: "memoryLimitBytes" }],
  ["go_memory_allocated_bytes_total", { field: "TotalAlloc" }],
  // /gc/heap/allocs:objects, without the tiny allocations MemStats.Mallocs includes.
  ["go_memory_allocations_total", { part: "allocsObjects" }],
  ["go_memory_gc_goal_bytes", { field: "NextGC" }],
  // /sched/goroutines:goroutines, which counts system goroutines too (unlike runtime.NumGoroutine).
  ["go_goroutine_count", { signal: "goroutines", weak: true }],
  ["go_config_gogc_percent", { signal: "gogcPercent" }],
];

/** OpenTelemetry's older runtime instrumentation: process.runtime.go.mem.heap_alloc and friends. */
const OTEL_LEGACY =
  /(?:^|_)runtime_go_(?:mem_(heap_alloc|heap_idle|heap_inuse|heap_objects|heap_released|heap_sys|lookups|live_objects)(?:_bytes|_objects)?(?:_total)?|gc_(count)(?:_total)?|gc_(pause_total_ns)(?:_nanoseconds)?(?:_total)?|gc_(pause_ns)(?:_nanoseconds)?_sum|(goroutines))$/;

const OTEL_LEGACY_TARGETS: Record<string, MetricTarget> = {
  heap_alloc: { field: "HeapAlloc" },
  heap_idle: { field: "HeapIdle" },
  heap_inuse: { field: "HeapInuse" },
  heap_objects: { field: "HeapObjects" },
  heap_released: { field: "HeapReleased" },
  heap_sys: { field: "HeapSys" },
  lookups: { field: "Lookups" },
  live_objects: { field: "HeapObjects" },
  count: { field: "NumGC" },
  pause_total_ns: { field: "PauseTotalNs" },
  // The pause histogram's sum is the total pause time.
  pause_ns: { field: "PauseTotalNs" },
  goroutines: { signal: "goroutines" },
};

const EXACT_TARGETS = new Map(KNOWN_METRICS);
const GO_FAMILY_IN_PREFIX =
  /(?:^|_)(?:go_(?:sched|gc|memory|memstats|cpu|godebug|sync|cgo|goroutine)|process_runtime)_/;

/** The target of a metric name, matching known names exactly or as a suffix after a prefix. */
export function prometheusMetricTarget(name: string): MetricTarget | undefined {
  const exact = EXACT_TARGETS.get(name);
  if (exact) return exact;
  // A prefixed name (`istio_agent_go_memstats_alloc_bytes`): try the rest after each `_go_` or
  // `_process_`, unless the part before is itself a Go metric name, as in
  // `go_sched_goroutines_not_in_go_goroutines`, which is not `go_goroutines`.
  for (const marker of ["_go_", "_process_"]) {
    for (let at = name.indexOf(marker); at >= 0; at = name.indexOf(marker, at + 1)) {
      const prefix = name.slice(0, at + 1);
      if (prefix.startsWith("go_") || GO_FAMILY_IN_PREFIX.test(prefix)) continue;
      const target = EXACT_TARGETS.get(name.slice(at + 1));
      if (target) return target;
    }
  }
  const legacy = OTEL_LEGACY.exec(name);
  if (legacy) return OTEL_LEGACY_TARGETS[legacy.slice(1).find((g) => g !== undefined)!];
  return undefined;
}

/** Labels that split one metric into parts (summed) rather than naming another target process. */
const DIMENSION_LABELS = new Set(["quantile", "le", "go_memory_type", "type", "generation"]);
const IGNORED_LABEL_PREFIXES = ["otel_scope_", "__"];

/** The labels that identify the scraped process, as a stable string ("" for an unlabelled scrape). */
export function targetKey(labels: Record<string, string>): string {
  return labelsKey(targetLabels(labels));
}

/** The labels that identify the scraped process (no metric name, no dimension such as quantile). */
export function targetLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels))
    if (!DIMENSION_LABELS.has(k) && !IGNORED_LABEL_PREFIXES.some((p) => k.startsWith(p))) out[k] = labels[k];
  return out;
}

/** A stable string of a label set. */
export function labelsKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(",");
}

/** A metric name resolved once: its target, and whether it is a runtime/metrics approximation. */
export interface ResolvedMetric {
  name: string;
  target: MetricTarget;
  fromRuntimeMetrics: boolean;
}

export function resolveMetric(name: string): ResolvedMetric | undefined {
  const target = prometheusMetricTarget(name);
  if (!target) return undefined;
  return { name, target, fromRuntimeMetrics: /go_gc_(?:heap|cycles)_|go_memory_/.test(name) };
}
