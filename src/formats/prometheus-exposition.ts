/** Sample lines of the Prometheus text exposition format (0.0.4) and OpenMetrics. */
import { epochNumberToMs } from "./memstats-time.js";

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
