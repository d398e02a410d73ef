/**
 * MemStats from metrics as Prometheus exposes them:
 * - client_golang's Go collector (`go_memstats_*`, `go_gc_duration_seconds`, `go_goroutines`,
 *   `go_threads`) and its opt-in runtime/metrics names (`go_gc_heap_live_bytes`,
 *   `go_memory_classes_*`, `go_sched_goroutines_goroutines`, ...), plus the process collector
 *   (`process_resident_memory_bytes`);
 * - OpenTelemetry Go runtime metrics exported to Prometheus: the older `process_runtime_go_*`
 *   (`process.runtime.go.mem.heap_alloc`, ...) and the newer `go.memory.*` / `go.goroutine.count`
 *   conventions (`go_memory_used_bytes`, `go_goroutine_count`, ...);
 * - any metric-name prefix (`istio_agent_go_memstats_alloc_bytes`): names are matched by suffix.
 * The text exposition format 0.0.4 and OpenMetrics are both read; several scrapes in one file are a
 * series (a new scrape starts where a series repeats, at `# EOF`, or at a timestamp line).
 */
import { FormatError } from "../errors.js";
import type {
  CompanionSignal,
  MemStatsField,
  MemStatsSample,
  MemStatsSeries,
  MemStatsSourceFormat,
} from "./memstats-fields.js";
import { epochNumberToMs, parseDateTimeMs } from "./memstats-time.js";

/** Where a known metric goes: a MemStats field, a companion signal, or an input to a derived field. */
type MetricTarget =
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
type RuntimeMetricPart =
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

/**
 * Accumulates metric values of one moment into a MemStatsSample. `add` may be called once per
 * series; series of one metric that differ only in a dimension label (go_memory_type) are summed.
 * Its maps are made on first use: a query_range series holds one builder per instant.
 */
export class PrometheusSampleBuilder {
  private direct: Map<string, number> | undefined;
  private parts: Map<RuntimeMetricPart, number> | undefined;
  private signals: Map<string, number> | undefined;
  private weakSignals: Set<string> | undefined;
  private fieldsFromRuntimeMetrics: Map<MemStatsField, number> | undefined;
  matched = 0;

  add(name: string, labels: Record<string, string>, value: number): boolean {
    const resolved = resolveMetric(name);
    return resolved ? this.addResolved(resolved, labels, value) : false;
  }

  addResolved(metric: ResolvedMetric, labels: Record<string, string>, value: number): boolean {
    const { target, name } = metric;
    if (!Number.isFinite(value)) return false;
    this.matched++;
    if ("field" in target) {
      const scaled = value * (target.scale ?? 1);
      // MemStats-based names win over the runtime/metrics names that approximate them.
      if (metric.fromRuntimeMetrics) (this.fieldsFromRuntimeMetrics ??= new Map()).set(target.field, scaled);
      else (this.direct ??= new Map()).set(target.field, scaled);
    } else if ("signal" in target) {
      const signals = (this.signals ??= new Map());
      const summed = target.signal === "runtimeUsedBytes";
      if (target.weak) {
        if (!signals.has(target.signal)) (this.weakSignals ??= new Set()).add(target.signal);
        else return true;
      } else if (this.weakSignals?.delete(target.signal)) {
        signals.delete(target.signal);
      }
      // GOGC=off reaches the exposition as a uint64 all-ones (1.8e19), not -1.
      const normalized = target.signal === "gogcPercent" && value >= 2 ** 63 ? -1 : value;
      signals.set(target.signal, (summed ? (signals.get(target.signal) ?? 0) : 0) + normalized);
      if (name.endsWith("go_memory_used_bytes") && labels["go_memory_type"] === "stack") {
        (this.parts ??= new Map()).set("otelStackBytes", value);
      }
    } else {
      (this.parts ??= new Map()).set(target.part, value);
    }
    return true;
  }

  build(atMs?: number): MemStatsSample {
    const fields: MemStatsSample["fields"] = {};
    const derived: MemStatsField[] = [];
    for (const [field, value] of this.fieldsFromRuntimeMetrics ?? []) {
      fields[field] = value;
      derived.push(field);
    }
    const part = (p: RuntimeMetricPart): number | undefined => this.parts?.get(p);
    const sum = (...values: (number | undefined)[]): number | undefined =>
      values.every((v) => v !== undefined) ? values.reduce<number>((a, b) => a + b!, 0) : undefined;
    const derive = (field: MemStatsField, value: number | undefined): void => {
      if (value === undefined) return;
      fields[field] = value;
      if (!derived.includes(field)) derived.push(field);
    };
    // client_golang's memStatsFromRM shows how MemStats maps onto runtime/metrics.
    derive("HeapAlloc", part("heapObjectsBytes"));
    derive("HeapInuse", sum(part("heapObjectsBytes"), part("heapUnusedBytes")));
    derive("HeapIdle", sum(part("heapFreeBytes"), part("heapReleasedBytes")));
    derive("HeapReleased", part("heapReleasedBytes"));
    derive(
      "HeapSys",
      sum(
        part("heapObjectsBytes"),
        part("heapUnusedBytes"),
        part("heapFreeBytes"),
        part("heapReleasedBytes"),
      ),
    );
    derive("StackInuse", part("heapStacksBytes"));
    derive("StackSys", sum(part("heapStacksBytes"), part("osStacksBytes")) ?? part("otelStackBytes"));
    derive("Mallocs", sum(part("allocsObjects"), part("tinyAllocsObjects")));
    derive("Frees", sum(part("freesObjects"), part("tinyAllocsObjects")));
    for (const [field, value] of this.direct ?? []) {
      fields[field as MemStatsField] = value;
      const index = derived.indexOf(field as MemStatsField);
      if (index >= 0) derived.splice(index, 1);
    }
    if (fields.HeapAlloc !== undefined && fields.Alloc === undefined) fields.Alloc = fields.HeapAlloc;
    if (fields.Alloc !== undefined && fields.HeapAlloc === undefined) fields.HeapAlloc = fields.Alloc;
    const sample: MemStatsSample = { fields };
    if (atMs !== undefined) sample.atMs = atMs;
    for (const [signal, value] of this.signals ?? []) {
      (sample as unknown as Record<string, number>)[signal] = value;
    }
    if (derived.length > 0) sample.derived = derived;
    return sample;
  }
}

export interface ExpositionLine {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

/** Parses one sample line of the text format; undefined for comments, blanks and malformed lines. */
export function parseExpositionLine(line: string, openMetrics: boolean): ExpositionLine | undefined {
  let rest = line.trim();
  if (rest === "" || rest.startsWith("#")) return undefined;
  let name = "";
  const labels: Record<string, string> = {};
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest);
  if (nameMatch) {
    name = nameMatch[0];
    rest = rest.slice(name.length);
  }
  if (rest.startsWith("{")) {
    const parsed = parseLabels(rest);
    if (!parsed) return undefined;
    Object.assign(labels, parsed.labels);
    if (!name && parsed.quotedName) name = parsed.quotedName;
    rest = rest.slice(parsed.length);
  }
  if (!name) return undefined;
  const parts = rest.trim().split(/\s+/);
  if (parts.length === 0 || parts[0] === "") return undefined;
  const value = parseFloatValue(parts[0]);
  if (value === undefined) return undefined;
  const out: ExpositionLine = { name, labels, value };
  if (parts[1] !== undefined && parts[1] !== "#") {
    const ts = Number(parts[1]);
    if (Number.isFinite(ts)) {
      // 0.0.4 writes ms; OpenMetrics writes seconds. Magnitude settles it when the header did not.
      out.timestampMs = openMetrics ? ts * 1000 : epochNumberToMs(ts);
    }
  }
  return out;
}

function parseFloatValue(text: string): number | undefined {
  switch (text) {
    case "+Inf":
    case "Inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
      return Number.NEGATIVE_INFINITY;
    case "NaN":
      return Number.NaN;
  }
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** `{a="x",b="y\"z"}` (and Prometheus 3's quoted metric name inside the braces). */
function parseLabels(
  text: string,
): { labels: Record<string, string>; length: number; quotedName?: string } | undefined {
  const labels: Record<string, string> = {};
  let quotedName: string | undefined;
  let i = 1;
  const readQuoted = (): string | undefined => {
    if (text[i] !== '"') return undefined;
    i++;
    let out = "";
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\" && i + 1 < text.length) {
        const next = text[i + 1];
        out += next === "n" ? "\n" : next;
        i += 2;
      } else {
        out += text[i++];
      }
    }
    if (text[i] !== '"') return undefined;
    i++;
    return out;
  };
  for (;;) {
    while (text[i] === " " || text[i] === ",") i++;
    if (text[i] === "}") return { labels, length: i + 1, quotedName };
    if (i >= text.length) return undefined;
    let key: string | undefined;
    if (text[i] === '"') {
      key = readQuoted();
      if (key === undefined) return undefined;
      if (text[i] !== "=") {
        quotedName = key;
        continue;
      }
    } else {
      const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
      if (!m) return undefined;
      key = m[0];
      i += key.length;
    }
    while (text[i] === " ") i++;
    if (text[i] !== "=") return undefined;
    i++;
    while (text[i] === " ") i++;
    const value = readQuoted();
    if (value === undefined) return undefined;
    labels[key] = value;
  }
}

/** Cheap test for format detection: a Prometheus text exposition mentioning a Go runtime metric. */
export function looksLikePrometheusText(text: string): boolean {
  const head = text.slice(0, 1 << 20);
  const hasExpositionLines =
    /^(?:# (?:HELP|TYPE) \S+|[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^\n]*\})? +[-+]?(?:[\d.]+(?:[eE][-+]?\d+)?|NaN|[-+]?Inf))/m.test(
      head,
    );
  return (
    hasExpositionLines &&
    /(?:^|_)(?:go_memstats_|go_gc_|go_goroutines|go_memory_|go_goroutine_count|runtime_go_)/m.test(head)
  );
}

/** A Prometheus / OpenMetrics text exposition (one scrape or several) → MemStats samples. */
export function parsePrometheusMemStatsSeries(text: string): MemStatsSeries {
  const openMetrics =
    /^# EOF\s*$/m.test(text) || /^# TYPE \S+ (?:unknown|info|stateset|gaugehistogram)\s*$/m.test(text);
  const format: MemStatsSourceFormat = openMetrics ? "openmetrics" : "prometheus";
  const samples: MemStatsSample[] = [];
  const notes: string[] = [];
  let skipped = 0;
  let builder = new PrometheusSampleBuilder();
  let seenSeries = new Set<string>();
  let scrapeTimestampMs: number | undefined;
  let captureMs: number | undefined;
  let target: string | undefined;
  let otherTargets = 0;
  let linesInScrape = 0;

  const flush = (): void => {
    if (builder.matched > 0) samples.push(builder.build(scrapeTimestampMs ?? captureMs));
    builder = new PrometheusSampleBuilder();
    seenSeries = new Set();
    scrapeTimestampMs = undefined;
    captureMs = undefined;
    linesInScrape = 0;
  };

  for (const rawLine of text.split("\n")) {
    const line = rawLine.replace(/\r$/, "");
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (trimmed === "# EOF") {
      flush();
      continue;
    }
    if (trimmed.startsWith("#")) {
      if (/^#\s*(?:HELP|TYPE|UNIT)\s/.test(trimmed)) continue;
      // A comment that is a timestamp marks the capture time of the scrape that follows.
      const marked = parseDateTimeMs(trimmed);
      if (marked) {
        if (linesInScrape > 0) flush();
        captureMs = marked.ms;
      }
      continue;
    }
    const parsed = parseExpositionLine(line, openMetrics);
    if (!parsed) {
      const marked = parseDateTimeMs(trimmed);
      if (marked && marked.index === 0 && trimmed.length <= marked.length + 2) {
        if (linesInScrape > 0) flush();
        captureMs = marked.ms;
      } else {
        skipped++;
      }
      continue;
    }
    const seriesKey = `${parsed.name}${JSON.stringify(parsed.labels)}`;
    if (seenSeries.has(seriesKey)) flush();
    seenSeries.add(seriesKey);
    linesInScrape++;
    if (!prometheusMetricTarget(parsed.name)) continue;
    const key = targetKey(parsed.labels);
    if (target === undefined) target = key;
    if (key !== target) {
      otherTargets++;
      continue;
    }
    if (builder.add(parsed.name, parsed.labels, parsed.value) && parsed.timestampMs !== undefined) {
      scrapeTimestampMs = Math.max(scrapeTimestampMs ?? 0, parsed.timestampMs);
    }
  }
  flush();
  if (samples.length === 0) {
    throw new FormatError(
      "no Go runtime metrics found in this Prometheus text (expected go_memstats_*, go_gc_*, go_memory_* or process_runtime_go_*)",
    );
  }
  if (otherTargets > 0) {
    notes.push(`The metrics come from several targets; only {${target}} is read.`);
  }
  let timeSource: MemStatsSeries["timeSource"] = "none";
  if (samples.every((s) => s.atMs !== undefined)) timeSource = "record";
  else {
    for (const s of samples) delete s.atMs;
    if (samples.length > 1) notes.push("The scrapes carry no timestamp: only their order is known.");
  }
  return { format, timeSource, samples, notes, skippedLines: skipped };
}

/** One scrape of `/metrics` → one sample (the last one when the text holds several scrapes). */
export function parsePrometheusMemStats(text: string): MemStatsSample {
  const series = parsePrometheusMemStatsSeries(text);
  return series.samples[series.samples.length - 1];
}
