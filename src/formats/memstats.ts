/**
 * MemStats from any supported source, detected from the text:
 * expvar `/debug/vars` JSON (one or a series), Prometheus / OpenMetrics text, Prometheus API
 * (query_range) JSON, and `Alloc = 512 MiB` style log lines.
 */
import { FormatError, InputError } from "../errors.js";
import type { MemStatsSample, MemStatsSeries } from "../model/memstats.js";
import { isJsonObject, readJsonDocuments } from "./lossless-json.js";
import { parseExpvarSeries } from "./memstats-expvar.js";
import { parseMemStatsLogLines } from "./memstats-log-lines.js";
import { parsePrometheusMemStatsSeries } from "./memstats-prometheus.js";
import { isPrometheusApiResponse, parseQueryRangeMemStats } from "./memstats-query-range.js";
import { looksBinaryText, looksLikeMemStatsLogLines, looksLikePrometheusText } from "./sniff.js";

export * from "../model/memstats.js";
export { memStatsSampleFromJson, parseExpvarMemStats, parseExpvarSeries } from "./memstats-expvar.js";
export { parseMemStatsLogLines, readMemStatsLogLine } from "./memstats-log-lines.js";
export * from "./memstats-names.js";
export { parsePrometheusMemStats, parsePrometheusMemStatsSeries } from "./memstats-prometheus.js";
export { parseQueryRangeMemStats } from "./memstats-query-range.js";

/** Any supported MemStats source → its samples, oldest first. Throws InputError naming `name`. */
export function detectAndParseMemStats(text: string, name: string): MemStatsSample[] {
  return detectAndParseMemStatsSeries(text, name).samples;
}

/** Like detectAndParseMemStats, with the format, the time axis used, and notes about the input. */
export function detectAndParseMemStatsSeries(text: string, name: string): MemStatsSeries {
  try {
    return parseDetected(text);
  } catch (error) {
    if (error instanceof FormatError) throw new InputError(name, error.message);
    throw error;
  }
}

const FORMATS_HINT =
  "expected /debug/vars JSON, Prometheus /metrics text, Prometheus query_range JSON or log lines such as `HeapAlloc = 123`";

function parseDetected(text: string): MemStatsSeries {
  if (text.trim() === "") throw new FormatError("empty input");
  if (looksBinaryText(text)) throw new FormatError(`binary data, not MemStats (${FORMATS_HINT})`);
  const firstChar = text.trimStart()[0];
  if (firstChar === "{" || firstChar === "[") {
    const first = readJsonDocuments(text).next();
    if (!first.done) {
      const value = first.value.value;
      const item = Array.isArray(value) ? value[0] : value;
      if (item !== undefined && isPrometheusApiResponse(item)) return parseQueryRangeMemStats(text);
      if (isJsonObject(item) && item["status"] === "error" && typeof item["error"] === "string") {
        throw new FormatError(`a Prometheus API error response: ${item["error"]}`);
      }
      return parseExpvarSeries(text);
    }
  }
  if (looksLikePrometheusText(text)) return parsePrometheusMemStatsSeries(text);
  // JSON records behind a log prefix (`2024-05-01T10:00:00Z {"memstats": ...}`).
  if (/"memstats"\s*:/.test(text.slice(0, 1 << 20))) return parseExpvarSeries(text);
  if (looksLikeMemStatsLogLines(text)) return parseMemStatsLogLines(text);
  throw new FormatError(`not a MemStats source (${FORMATS_HINT})`);
}
