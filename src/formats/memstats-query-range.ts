/**
 * Prometheus HTTP API results (`/api/v1/query_range` matrices, `/api/v1/query` vectors) holding Go
 * runtime metrics → a MemStats series per target. Several responses may be concatenated (JSON lines)
 * or put in a JSON array; series of the same target are joined on their timestamps. `memstats` reads
 * the first target of a response; `fleet` reads every target through the same builder, so both
 * see the same samples for the same instance.
 */
import { FormatError } from "../errors.js";
import type { MemStatsSample, MemStatsSeries } from "../model/memstats.js";
import { isJsonObject, type JsonValue, jsonNumber, readJsonDocuments } from "./lossless-json.js";
import { type ResolvedMetric, resolveMetric, targetKey } from "./memstats-prometheus-metrics.js";
import { PrometheusSampleBuilder } from "./memstats-prometheus-sample.js";

/** True for a JSON value shaped like a Prometheus API response. */
export function isPrometheusApiResponse(value: JsonValue): boolean {
  return (
    isJsonObject(value) && isJsonObject(value["data"]) && typeof value["data"]["resultType"] === "string"
  );
}

/** One target's samples as they accumulate: time (ms) → the metrics seen at that time. */
interface TargetAccumulator {
  labels: Record<string, string>;
  builders: Map<number, PrometheusSampleBuilder>;
}

/**
 * Series of Prometheus API results grouped by target (by default every identifying label, as
 * `targetKey` says; `fleet` leaves out a version label). Feed it result series, then `series()`.
 */
export class QueryRangeMemStatsBuilder {
  readonly targets = new Map<string, TargetAccumulator>();
  unnamedSeries = 0;
  unknownSeries = 0;

  constructor(private readonly keyOf: (labels: Record<string, string>) => string = targetKey) {}

  /** Adds one element of `data.result` (a matrix or vector series); false when it is not a Go metric. */
  addResult(series: unknown): boolean {
    if (!isPlainObject(series) || !isPlainObject(series["metric"])) return false;
    const found = this.targetOf(series["metric"]);
    if (!found) return false;
    const values = series["values"];
    const value = series["value"];
    const points: unknown[] = Array.isArray(values) ? values : Array.isArray(value) ? [value] : [];
    for (const point of points) {
      if (!Array.isArray(point) || point.length < 2) continue;
      const seconds = jsonNumber(point[0] as JsonValue);
      const raw = point[1];
      const v = typeof raw === "string" ? parseApiValue(raw) : jsonNumber(raw as JsonValue);
      if (seconds === undefined || v === undefined) continue;
      addAt(found, seconds, v);
    }
    return true;
  }

  /**
   * The same for a matrix series already read into columns (times in seconds, values; fleet's
   * reader, collect/prometheus/matrix-json.ts, leaves unparseable values out as addResult does).
   */
  addColumns(metric: Record<string, unknown>, times: Float64Array, values: Float64Array): boolean {
    const found = this.targetOf(metric);
    if (!found) return false;
    for (let i = 0; i < times.length; i++) addAt(found, times[i], values[i]);
    return true;
  }

  /** The target a series of these labels adds to, or null when it is not a Go runtime metric. */
  private targetOf(metricLabels: Record<string, unknown>): FoundSeries | null {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(metricLabels)) if (typeof v === "string") labels[k] = v;
    const name = labels["__name__"];
    if (!name) {
      this.unnamedSeries++;
      return null;
    }
    const metric = resolveMetric(name);
    if (!metric) {
      this.unknownSeries++;
      return null;
    }
    const key = this.keyOf(labels);
    let target = this.targets.get(key);
    if (!target) this.targets.set(key, (target = { labels: identifyingLabels(labels), builders: new Map() }));
    return { target, metric, labels };
  }

  /** The MemStats series of one target (its samples in time order). */
  seriesOf(key: string): MemStatsSeries | undefined {
    const target = this.targets.get(key);
    if (!target || target.builders.size === 0) return undefined;
    const samples: MemStatsSample[] = [...target.builders.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([atMs, builder]) => builder.build(atMs));
    return { format: "query-range", timeSource: "record", samples, notes: [], skippedLines: 0 };
  }
}

interface FoundSeries {
  target: TargetAccumulator;
  metric: ResolvedMetric;
  labels: Record<string, string>;
}

function addAt(found: FoundSeries, seconds: number, value: number): void {
  const atMs = Math.round(seconds * 1000);
  let builder = found.target.builders.get(atMs);
  if (!builder) found.target.builders.set(atMs, (builder = new PrometheusSampleBuilder()));
  builder.addResolved(found.metric, found.labels, value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The labels of a series without its metric name. */
function identifyingLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (k !== "__name__") out[k] = v;
  return out;
}

export function parseQueryRangeMemStats(text: string): MemStatsSeries {
  const responses: JsonValue[] = [];
  let skippedDocuments = 0;
  for (const document of readJsonDocuments(text, () => skippedDocuments++)) {
    const items = Array.isArray(document.value) ? document.value : [document.value];
    for (const item of items) {
      if (isPrometheusApiResponse(item)) responses.push(item);
      else skippedDocuments++;
    }
  }
  if (responses.length === 0) throw new FormatError("not a Prometheus API response (no data.resultType)");

  const builder = new QueryRangeMemStatsBuilder();
  const notes: string[] = [];
  for (const response of responses) {
    if (!isJsonObject(response) || !isJsonObject(response["data"])) continue;
    if (response["status"] === "error") {
      notes.push(`A response reported an error: ${String(response["error"] ?? "unknown")}.`);
      continue;
    }
    const results = response["data"]["result"];
    if (!Array.isArray(results)) continue;
    for (const series of results) builder.addResult(series);
  }
  const first = builder.targets.keys().next();
  const series = first.done ? undefined : builder.seriesOf(first.value);
  if (!series) {
    const why =
      builder.unnamedSeries > 0
        ? "its series have no __name__ label (query the raw metrics, not an expression)"
        : "it holds no Go runtime metric (go_memstats_*, go_gc_*, go_memory_*, process_runtime_go_*)";
    throw new FormatError(`no MemStats in this Prometheus API response: ${why}`);
  }
  if (builder.targets.size > 1)
    notes.push(`The response covers several targets; only {${first.value}} is read.`);
  if (builder.unnamedSeries > 0)
    notes.push(`${builder.unnamedSeries} series without a metric name were skipped.`);
  if (builder.unknownSeries > 0) notes.push(`${builder.unknownSeries} series of other metrics were skipped.`);
  return { ...series, notes, skippedLines: skippedDocuments };
}

export function parseApiValue(text: string): number | undefined {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  return Number.isNaN(value) && text !== "NaN" ? undefined : value;
}
