/**
 * Prometheus HTTP API results (`/api/v1/query_range` matrices, `/api/v1/query` vectors) holding Go
 * runtime metrics → a MemStats series. Several responses may be concatenated (JSON lines) or put in
 * a JSON array; series of the same target are joined on their timestamps.
 */
import { FormatError } from "../errors.js";
import type { MemStatsSample, MemStatsSeries } from "../model/memstats.js";
import { isJsonObject, type JsonValue, jsonNumber, readJsonDocuments } from "./lossless-json.js";
import { prometheusMetricTarget, targetKey } from "./memstats-prometheus-metrics.js";
import { PrometheusSampleBuilder } from "./memstats-prometheus-sample.js";

/** True for a JSON value shaped like a Prometheus API response. */
export function isPrometheusApiResponse(value: JsonValue): boolean {
  return (
    isJsonObject(value) && isJsonObject(value["data"]) && typeof value["data"]["resultType"] === "string"
  );
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

  // time (ms) → builder, for the first target seen.
  const builders = new Map<number, PrometheusSampleBuilder>();
  const notes: string[] = [];
  let target: string | undefined;
  let otherTargetSeries = 0;
  let unnamedSeries = 0;
  let unknownSeries = 0;
  for (const response of responses) {
    if (!isJsonObject(response) || !isJsonObject(response["data"])) continue;
    const data = response["data"];
    const results = data["result"];
    if (response["status"] === "error") {
      notes.push(`A response reported an error: ${String(response["error"] ?? "unknown")}.`);
      continue;
    }
    if (!Array.isArray(results)) continue;
    for (const series of results) {
      if (!isJsonObject(series) || !isJsonObject(series["metric"])) continue;
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(series["metric"])) if (typeof v === "string") labels[k] = v;
      const name = labels["__name__"];
      if (!name) {
        unnamedSeries++;
        continue;
      }
      if (!prometheusMetricTarget(name)) {
        unknownSeries++;
        continue;
      }
      const key = targetKey(labels);
      if (target === undefined) target = key;
      if (key !== target) {
        otherTargetSeries++;
        continue;
      }
      const points = Array.isArray(series["values"])
        ? series["values"]
        : Array.isArray(series["value"])
          ? [series["value"]]
          : [];
      for (const point of points) {
        if (!Array.isArray(point) || point.length < 2) continue;
        const seconds = jsonNumber(point[0]);
        const value = typeof point[1] === "string" ? parseApiValue(point[1]) : jsonNumber(point[1]);
        if (seconds === undefined || value === undefined) continue;
        const atMs = Math.round(seconds * 1000);
        let builder = builders.get(atMs);
        if (!builder) builders.set(atMs, (builder = new PrometheusSampleBuilder()));
        builder.add(name, labels, value);
      }
    }
  }
  if (builders.size === 0) {
    const why =
      unnamedSeries > 0
        ? "its series have no __name__ label (query the raw metrics, not an expression)"
        : "it holds no Go runtime metric (go_memstats_*, go_gc_*, go_memory_*, process_runtime_go_*)";
    throw new FormatError(`no MemStats in this Prometheus API response: ${why}`);
  }
  const samples: MemStatsSample[] = [...builders.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([atMs, builder]) => builder.build(atMs));
  if (otherTargetSeries > 0) notes.push(`The response covers several targets; only {${target}} is read.`);
  if (unnamedSeries > 0) notes.push(`${unnamedSeries} series without a metric name were skipped.`);
  if (unknownSeries > 0) notes.push(`${unknownSeries} series of other metrics were skipped.`);
  return { format: "query-range", timeSource: "record", samples, notes, skippedLines: skippedDocuments };
}

function parseApiValue(text: string): number | undefined {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  return Number.isNaN(value) && text !== "NaN" ? undefined : value;
}
