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
import type { MemStatsSample, MemStatsSeries, MemStatsSourceFormat } from "../model/memstats.js";
import { prometheusMetricTarget, targetKey } from "./memstats-prometheus-metrics.js";
import { PrometheusSampleBuilder } from "./memstats-prometheus-sample.js";
import { parseDateTimeMs } from "./memstats-time.js";
import { parseExpositionLine } from "./prometheus-exposition.js";

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
