/**
 * What fleet asks Prometheus for: the Go runtime metrics that feed the memory basis, restarts,
 * limits and goroutines (exact names: an index lookup for Prometheus, not a scan), composed with
 * the user's label matchers.
 */
import { UsageError } from "../../errors.js";
import { exactAlternatives, promString } from "./api.js";

/**
 * Every metric whose value reaches a field the memory basis, the restart split or the limit reads
 * (memory-basis.ts, process-runs.ts), so `memstats` on an instance's own query_range JSON sees the
 * same fields fleet judged.
 */
export const FLEET_METRICS = [
  // live heap, heap goal, HeapAlloc
  "go_gc_heap_live_bytes",
  "go_memstats_next_gc_bytes",
  "go_gc_heap_goal_bytes",
  "go_memory_gc_goal_bytes",
  "go_memstats_heap_alloc_bytes",
  // GC count (HeapAlloc's troughs, restarts) and the other cumulative counters of the restart split
  "go_gc_duration_seconds_count",
  "go_gc_cycles_total_gc_cycles_total",
  "go_memstats_alloc_bytes_total",
  "go_memory_allocated_bytes_total",
  "go_memstats_mallocs_total",
  // RSS, restarts, GOGC and limits, what the runtime holds
  "process_resident_memory_bytes",
  "process_start_time_seconds",
  "go_gc_gogc_percent",
  "go_config_gogc_percent",
  "go_gc_gomemlimit_bytes",
  "go_memory_limit_bytes",
  "go_memstats_sys_bytes",
  "go_memstats_heap_released_bytes",
  "go_memory_used_bytes",
  // goroutines
  "go_goroutines",
  "go_goroutine_count",
] as const;

/** Metrics that make an instance a Go program for fleet (one suffices). */
export const GO_PRESENCE_METRICS = [
  "go_goroutines",
  "go_goroutine_count",
  "go_memstats_heap_alloc_bytes",
  "go_memory_used_bytes",
  "go_gc_heap_live_bytes",
] as const;

/**
 * The label matchers inside a selector: `{job="checkout"}` or `job="checkout"` → `job="checkout"`.
 * A metric name is refused (fleet picks the metrics).
 */
export function selectorMatchers(selector: string | undefined): string {
  const text = (selector ?? "").trim();
  if (text === "" || text === "{}") return "";
  const braced = /^\{([\s\S]*)\}$/.exec(text);
  if (braced) return braced[1].trim().replace(/,\s*$/, "");
  if (/^[a-zA-Z_:][a-zA-Z0-9_:]*\s*\{/.test(text) || /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(text)) {
    throw new UsageError(
      `--selector takes label matchers such as '{job="checkout"}', not a metric name ("${text}"): fleet picks the Go runtime metrics itself`,
    );
  }
  return text;
}

/** `{__name__=~"a|b", <matchers>, <extra>}`. */
export function seriesSelector(metrics: readonly string[], matchers: string, extra: string[] = []): string {
  const parts = [`__name__=~${promString(exactAlternatives([...metrics]))}`];
  if (matchers) parts.push(matchers);
  parts.push(...extra);
  return `{${parts.join(",")}}`;
}

/** `instance=~"a|b|c"` for a batch of instance label values. */
export function instanceMatcher(label: string, values: string[]): string {
  return `${label}=~${promString(exactAlternatives(values))}`;
}
