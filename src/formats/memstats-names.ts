/**
 * Names people and loggers give MemStats fields and the signals beside them, mapped to the model.
 */
import { type CompanionSignal, MEMSTATS_FIELDS, type MemStatsField } from "../model/memstats.js";

/** Lower-case, letters and digits only: `heap-in-use`, `HeapInuse`, `heap_inuse` → `heapinuse`. */
export function normalizeMetricName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

const FIELD_BY_NORMALIZED_NAME = new Map<string, MemStatsField>([
  ...MEMSTATS_FIELDS.map((field) => [field.toLowerCase(), field] as [string, MemStatsField]),
  // gops `memstats` spells the span and cache fields with a "stack-" prefix.
  ["stackmspaninuse", "MSpanInuse"],
  ["stackmspansys", "MSpanSys"],
  ["stackmcacheinuse", "MCacheInuse"],
  ["stackmcachesys", "MCacheSys"],
]);

/** The MemStats field a name written by a person or a logger refers to (any case or separators). */
export function memStatsFieldForName(name: string): MemStatsField | undefined {
  return FIELD_BY_NORMALIZED_NAME.get(normalizeMetricName(name));
}

const COMPANION_BY_NORMALIZED_NAME = new Map<string, CompanionSignal>([
  ["goroutines", "goroutines"],
  ["numgoroutine", "goroutines"],
  ["numgoroutines", "goroutines"],
  ["goroutinecount", "goroutines"],
  ["rss", "rssBytes"],
  ["rssbytes", "rssBytes"],
  ["vmrss", "rssBytes"],
  ["residentmemorybytes", "rssBytes"],
  ["threads", "threads"],
  ["numthreads", "threads"],
  ["liveheap", "liveHeapBytes"],
  ["liveheapbytes", "liveHeapBytes"],
  ["heaplive", "liveHeapBytes"],
]);

export function companionSignalForName(name: string): CompanionSignal | undefined {
  return COMPANION_BY_NORMALIZED_NAME.get(normalizeMetricName(name));
}
