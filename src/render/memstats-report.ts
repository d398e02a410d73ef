/**
 * `heapscope memstats` output: text, Markdown and JSON of a MemStatsHealth. No analysis here.
 */

import { type MemStatsHealth, type MemStatsTrend, relativeOf } from "../analysis/memstats-health.js";
import type { MemStatsField, MemStatsSample } from "../model/memstats.js";
import {
  formatBytes,
  formatCount,
  formatCountRate,
  formatDuration,
  formatDurationNs,
  formatPercent,
  formatSignedByteRate,
  formatSignedCountRate,
  formatSignedPercent,
} from "../model/units.js";

export interface MemStatsReportMeta {
  /** The input as the user named it. */
  source: string;
}

type Row = { name: string; value: string; meaning: string };

const FORMAT_NAMES: Record<MemStatsHealth["format"], string> = {
  expvar: "expvar /debug/vars",
  "log-lines": "log lines",
  prometheus: "Prometheus text",
  openmetrics: "OpenMetrics text",
  "query-range": "Prometheus query_range",
};

const TIME_SOURCE_NAMES: Record<MemStatsHealth["timeSource"], string> = {
  record: "time from each record's timestamp",
  capture: "time of capture",
  "last-gc": "time from LastGC (no timestamps in the records)",
  none: "no time axis",
};

const FIELD_MEANINGS: [MemStatsField, string][] = [
  ["HeapAlloc", "heap objects, live plus not yet swept"],
  ["HeapInuse", "bytes in in-use heap spans"],
  ["HeapIdle", "bytes in idle heap spans"],
  ["HeapReleased", "idle bytes returned to the OS"],
  ["HeapSys", "heap address space obtained from the OS"],
  ["HeapObjects", "allocated heap objects"],
  ["NextGC", "heap goal of the next GC"],
  ["Sys", "total bytes obtained from the OS (virtual)"],
  ["TotalAlloc", "bytes allocated since start"],
  ["Mallocs", "objects allocated since start"],
  ["Frees", "objects freed since start"],
  ["StackInuse", "goroutine stack spans"],
  ["StackSys", "stack memory from the OS"],
  ["MSpanInuse", "span metadata in use"],
  ["MCacheInuse", "per-P cache metadata in use"],
  ["GCSys", "GC metadata"],
  ["BuckHashSys", "profiling bucket tables"],
  ["OtherSys", "other runtime allocations"],
  ["NumGC", "completed GC cycles"],
  ["NumForcedGC", "GC cycles forced by runtime.GC / FreeOSMemory"],
  ["PauseTotalNs", "total stop-the-world pause"],
  ["LastGC", "end of the last GC"],
  ["GCCPUFraction", "share of CPU used by GC since start"],
];

function formatField(field: MemStatsField, value: number, sample: MemStatsSample): string {
  switch (field) {
    case "HeapObjects":
    case "Mallocs":
    case "Frees":
    case "NumGC":
    case "NumForcedGC":
      return formatCount(value);
    case "PauseTotalNs":
      return formatDurationNs(value);
    case "LastGC": {
      if (value === 0) return "never";
      const ns = sample.exact?.lastGcNs;
      return new Date(ns !== undefined ? Number(ns / 1_000_000n) : value / 1e6).toISOString();
    }
    case "GCCPUFraction":
      return formatPercent(value);
    default:
      return `${formatBytes(value)} (${Math.round(value)} B)`;
  }
}

function latestRows(health: MemStatsHealth): Row[] {
  const sample = health.latest;
  const rows: Row[] = [];
  for (const [field, meaning] of FIELD_MEANINGS) {
    const value = sample.fields[field];
    if (value === undefined) continue;
    const derived = sample.derived?.includes(field) ? " (from runtime/metrics)" : "";
    const exact =
      field === "LastGC" && sample.exact?.lastGcNs !== undefined ? ` (${sample.exact.lastGcNs} ns)` : "";
    rows.push({ name: field, value: formatField(field, value, sample), meaning: meaning + exact + derived });
  }
  if (sample.liveHeapBytes !== undefined) {
    rows.push({
      name: "live heap",
      value: formatBytes(sample.liveHeapBytes),
      meaning: "heap marked live by the last GC",
    });
  }
  if (sample.rssBytes !== undefined) {
    rows.push({
      name: "RSS",
      value: formatBytes(sample.rssBytes),
      meaning: "resident memory of the process",
    });
  }
  if (sample.runtimeUsedBytes !== undefined) {
    rows.push({
      name: "go.memory.used",
      value: formatBytes(sample.runtimeUsedBytes),
      meaning: "memory the runtime holds",
    });
  }
  if (sample.goroutines !== undefined) {
    rows.push({ name: "goroutines", value: formatCount(sample.goroutines), meaning: "goroutines alive" });
  }
  if (sample.threads !== undefined)
    rows.push({ name: "threads", value: formatCount(sample.threads), meaning: "OS threads" });
  if (sample.gogcPercent !== undefined) {
    rows.push({
      name: "GOGC",
      value: sample.gogcPercent < 0 ? "off" : `${sample.gogcPercent}`,
      meaning: "GC target percent",
    });
  }
  if (sample.memoryLimitBytes !== undefined) {
    const unlimited = sample.memoryLimitBytes >= 2 ** 62;
    rows.push({
      name: "GOMEMLIMIT",
      value: unlimited ? "none" : formatBytes(sample.memoryLimitBytes),
      meaning: "soft memory limit",
    });
  }
  return rows;
}

function healthRows(health: MemStatsHealth): Row[] {
  const f = health.figures;
  const rows: Row[] = [];
  if (f.fragmentationRatio !== undefined) {
    rows.push({
      name: "fragmentation",
      value: `${formatPercent(f.fragmentationRatio)} (${formatBytes(f.fragmentationBytes!)})`,
      meaning: "(HeapInuse − HeapAlloc) / HeapInuse, an upper bound",
    });
  }
  if (f.retainedIdleBytes !== undefined) {
    rows.push({
      name: "retained idle",
      value: formatBytes(f.retainedIdleBytes),
      meaning: "HeapIdle − HeapReleased: kept for reuse, still resident",
    });
  }
  if (f.heapInuseShareOfSys !== undefined) {
    rows.push({
      name: "heap share of Sys",
      value: formatPercent(f.heapInuseShareOfSys),
      meaning: "HeapInuse / Sys",
    });
  }
  if (f.goHeldBytes !== undefined) {
    rows.push({
      name: "Go-held memory",
      value: formatBytes(f.goHeldBytes),
      meaning: "Sys − HeapReleased, Go's part of RSS",
    });
  }
  if (f.outsideGoHeapBytes !== undefined) {
    rows.push(
      f.outsideGoHeapBytes >= 0
        ? {
            name: "RSS outside Go",
            value: formatBytes(f.outsideGoHeapBytes),
            meaning: "RSS − (Sys − HeapReleased): cgo, mmap, other non-Go memory",
          }
        : {
            name: "RSS outside Go",
            value: "none",
            meaning: `RSS is ${formatBytes(-f.outsideGoHeapBytes)} below Sys − HeapReleased (pages Go reserved but never touched)`,
          },
    );
  }
  if (f.liveObjects !== undefined) {
    rows.push({ name: "live objects", value: formatCount(f.liveObjects), meaning: "Mallocs − Frees" });
  }
  const gc = f.gc;
  if (gc.count !== undefined) {
    rows.push({
      name: "GC cycles",
      value: formatCount(gc.count),
      meaning: gc.forcedCount ? `${formatCount(gc.forcedCount)} of them forced` : "",
    });
  }
  if (gc.perMinute !== undefined) {
    rows.push({
      name: "GC rate",
      value: formatCountRate(gc.perMinute / 60),
      meaning: gc.rateBasis === "series" ? "over the series" : `over the last ${gc.recentPauses} GC pauses`,
    });
  }
  if (gc.secondsSinceLastGc !== undefined) {
    rows.push({
      name: "last GC",
      value: `${formatDuration(gc.secondsSinceLastGc)} ago`,
      meaning: "before the reading",
    });
  }
  if (gc.recentPauseMeanNs !== undefined) {
    rows.push({
      name: "GC pauses",
      value: `mean ${formatDurationNs(gc.recentPauseMeanNs)}, max ${formatDurationNs(gc.recentPauseMaxNs!)}`,
      meaning: `over the last ${gc.recentPauses} cycles`,
    });
  }
  return rows;
}

function trendValue(trend: MemStatsTrend): string {
  const r = trend.result;
  const relative = relativeOf(r);
  const perHour = relative !== null ? ` (${formatSignedPercent(relative)}/h)` : "";
  return `${r.verdict.padEnd(12)} ${trendSlope(trend)}${perHour}, p=${formatP(r.pValue)}, ${trend.points} points`;
}

function trendSlope(trend: MemStatsTrend): string {
  const perSecond = trend.result.slopePerSecond;
  return trend.unit === "bytes" ? formatSignedByteRate(perSecond) : formatSignedCountRate(perSecond);
}

export function renderMemStatsText(health: MemStatsHealth, meta: MemStatsReportMeta): string {
  const lines: string[] = [];
  lines.push(headline(health, meta));
  lines.push("");
  lines.push(
    `Latest reading${health.latest.atMs !== undefined ? ` (${new Date(health.latest.atMs).toISOString()})` : ""}`,
  );
  lines.push(...table(latestRows(health)));
  const health_ = healthRows(health);
  if (health_.length > 0) {
    lines.push("", "Health");
    lines.push(...table(health_));
  }
  if (health.trends.length > 0) {
    lines.push("", "Trends");
    const width = Math.max(...health.trends.map((t) => t.label.length));
    for (const trend of health.trends) {
      const marker = trend === health.heapTrend ? "*" : " ";
      lines.push(` ${marker}${trend.label.padEnd(width)}  ${trendValue(trend)}`);
      lines.push(`   ${" ".repeat(width)}  ${trend.result.reason}`);
    }
    if (health.heapTrend) lines.push(`  (* the heap trend the verdict rests on)`);
  }
  if (health.warnings.length > 0) {
    lines.push("", "Warnings");
    for (const w of health.warnings) lines.push(`  ${w.severity === "warning" ? "!" : "i"} ${w.message}`);
  }
  if (health.notes.length > 0) {
    lines.push("", "Notes");
    for (const note of health.notes) lines.push(`  - ${note}`);
  }
  return `${lines.join("\n")}\n`;
}

function headline(health: MemStatsHealth, meta: MemStatsReportMeta): string {
  const span = health.spanSeconds !== undefined ? ` over ${formatDuration(health.spanSeconds)}` : "";
  const count = health.samples === 1 ? "1 reading" : `${health.samples} readings${span}`;
  return `MemStats of ${meta.source}: ${FORMAT_NAMES[health.format]}, ${count}, ${TIME_SOURCE_NAMES[health.timeSource]}`;
}

export function renderMemStatsMarkdown(health: MemStatsHealth, meta: MemStatsReportMeta): string {
  const lines: string[] = [];
  lines.push(`## ${escapeMarkdown(headline(health, meta))}`, "");
  const section = (title: string, rows: Row[]): void => {
    if (rows.length === 0) return;
    lines.push(`### ${title}`, "", "| | value | meaning |", "|---|---:|---|");
    for (const r of rows)
      lines.push(`| ${escapeMarkdown(r.name)} | ${escapeMarkdown(r.value)} | ${escapeMarkdown(r.meaning)} |`);
    lines.push("");
  };
  section("Latest reading", latestRows(health));
  section("Health", healthRows(health));
  if (health.trends.length > 0) {
    lines.push(
      "### Trends",
      "",
      "| series | verdict | slope | p | points | why |",
      "|---|---|---:|---:|---:|---|",
    );
    for (const t of health.trends) {
      const r = t.result;
      const slope = trendSlope(t);
      lines.push(
        `| ${escapeMarkdown(t.label)}${t === health.heapTrend ? " (heap verdict)" : ""} | **${r.verdict}** | ${escapeMarkdown(slope)} | ${formatP(r.pValue)} | ${t.points} | ${escapeMarkdown(r.reason)} |`,
      );
    }
    lines.push("");
  }
  if (health.warnings.length > 0) {
    lines.push("### Warnings", "");
    for (const w of health.warnings)
      lines.push(`- ${w.severity === "warning" ? "⚠️" : "ℹ️"} ${escapeMarkdown(w.message)}`);
    lines.push("");
  }
  if (health.notes.length > 0) {
    lines.push("### Notes", "");
    for (const n of health.notes) lines.push(`- ${escapeMarkdown(n)}`);
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/** The JSON document of `memstats --json`: the same content as the text, machine-readable. */
export function memStatsReportJson(
  health: MemStatsHealth,
  meta: MemStatsReportMeta,
): Record<string, unknown> {
  const latest = health.latest;
  return {
    source: meta.source,
    format: health.format,
    timeSource: health.timeSource,
    samples: health.samples,
    spanSeconds: health.spanSeconds ?? null,
    latest: {
      at: latest.atMs !== undefined ? new Date(latest.atMs).toISOString() : null,
      fields: latest.fields,
      derivedFields: latest.derived ?? [],
      // Exact nanosecond values as decimal strings (they exceed 2^53).
      lastGcNs: latest.exact?.lastGcNs?.toString() ?? null,
      recentPauseEndsNs: latest.exact?.pauseEndNs?.map(String) ?? [],
      recentPausesNs: latest.pauseNs ?? [],
      rssBytes: latest.rssBytes ?? null,
      goroutines: latest.goroutines ?? null,
      threads: latest.threads ?? null,
      liveHeapBytes: latest.liveHeapBytes ?? null,
      gogcPercent: latest.gogcPercent ?? null,
      memoryLimitBytes: latest.memoryLimitBytes ?? null,
      runtimeUsedBytes: latest.runtimeUsedBytes ?? null,
    },
    health: health.figures,
    trends: health.trends.map((t) => ({
      signal: t.signal,
      label: t.label,
      unit: t.unit,
      usedForHeapVerdict: t === health.heapTrend,
      ...t.result,
      /** readings of the series given to the trend test (result.points counts the judged regime) */
      seriesPoints: t.points,
    })),
    heapVerdict: health.heapTrend?.result.verdict ?? null,
    warnings: health.warnings,
    notes: health.notes,
  };
}

function table(rows: Row[]): string[] {
  const nameWidth = Math.max(0, ...rows.map((r) => r.name.length));
  const valueWidth = Math.max(0, ...rows.map((r) => r.value.length));
  return rows.map((r) =>
    `  ${r.name.padEnd(nameWidth)}  ${r.value.padEnd(valueWidth)}  ${r.meaning}`.trimEnd(),
  );
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()<>#+!|~])/g, "\\$1").replace(/\r?\n/g, " ");
}

function formatP(p: number): string {
  return p < 0.001 ? "<0.001" : p.toFixed(3);
}
