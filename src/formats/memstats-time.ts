/**
 * Timestamps as they appear in captured MemStats series: epoch numbers in s/ms/µs/ns, RFC 3339,
 * Go's `log` prefix (`2006/01/02 15:04:05.000000`), slog/logrus `time=...`.
 * Pure: a timestamp without a zone is read as UTC, so results do not depend on the machine; only
 * differences between samples matter for trends.
 */

/** Epoch number of unknown unit → ms, judged by magnitude (a plausible date between 1973 and 5000). */
export function epochNumberToMs(value: number): number | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  if (value < 1e11) return value * 1000; // seconds
  if (value < 1e14) return value; // milliseconds
  if (value < 1e17) return value / 1000; // microseconds
  return value / 1e6; // nanoseconds
}

const DATE_TIME =
  /(\d{4})[-/](\d{2})[-/](\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:\s?(Z|UTC|[+-]\d{2}(?::?\d{2})?))?/;

/** Parses a date-time anywhere in `text` (first match); undefined when there is none. */
export function parseDateTimeMs(text: string): { ms: number; index: number; length: number } | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (m[7]) ms += Number(`0.${m[7]}`) * 1000;
  const zone = m[8];
  if (zone && zone !== "Z" && zone !== "UTC") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0");
    ms -= sign * offsetMinutes * 60_000;
  }
  return { ms, index: m.index, length: m[0].length };
}

/** A JSON timestamp value (number or string) → epoch ms. */
export function timestampValueToMs(value: unknown): number | undefined {
  if (typeof value === "number") return epochNumberToMs(value);
  if (typeof value === "bigint") return epochNumberToMs(Number(value));
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return epochNumberToMs(Number(trimmed));
  return parseDateTimeMs(trimmed)?.ms;
}

/**
 * A timestamp at the start of a log line: a date-time, `time=<value>`, or an epoch number, each
 * possibly in brackets. Returns the time and the rest of the line.
 */
export function splitLogTimestamp(line: string): { ms?: number; rest: string } {
  const leading = /^\s*\[?/.exec(line)![0].length;
  const dt = parseDateTimeMs(line.slice(leading, leading + 40));
  if (dt && dt.index === 0) {
    return { ms: dt.ms, rest: line.slice(leading + dt.length).replace(/^\]?\s*/, "") };
  }
  const keyed = /^\s*(?:time|ts|timestamp|t)=("[^"]*"|\S+)\s*/.exec(line);
  if (keyed) {
    const ms = timestampValueToMs(keyed[1].replace(/^"|"$/g, ""));
    if (ms !== undefined) return { ms, rest: line.slice(keyed[0].length) };
  }
  const epoch = /^\s*\[?(\d{10}(?:\.\d+)?|\d{13}|\d{16}|\d{19})\]?\s+/.exec(line);
  if (epoch) {
    const ms = epochNumberToMs(Number(epoch[1]));
    if (ms !== undefined) return { ms, rest: line.slice(epoch[0].length) };
  }
  return { rest: line };
}
