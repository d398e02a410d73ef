import { UsageError } from "../errors.js";

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Go-style durations (`10s`, `1m30s`, `500ms`, `2h`); a bare number is seconds. */
export function parseDurationMs(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g)];
  const joined = parts.map((p) => p[0]).join("");
  if (parts.length === 0 || joined !== trimmed) {
    throw new UsageError(`${flag} takes a duration such as 10s, 1m30s or 500ms, not "${text}"`);
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * DURATION_UNITS_MS[p[2]!]!, 0);
  if (!(ms > 0)) throw new UsageError(`${flag} must be positive`);
  return ms;
}

/** `512MiB`, `1GB`, `100k`, `2048` (bytes). K, M, G, T are binary (1024) with or without `i`/`B`. */
export function parseByteSize(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$/i.exec(text);
  if (!match) throw new UsageError(`${flag} takes a size such as 512MiB or 1GiB, not "${text}"`);
  const power = " kmgt".indexOf(match[2]!.toLowerCase() || " ");
  const bytes = Math.round(Number(match[1]) * 1024 ** power);
  if (!(bytes > 0)) throw new UsageError(`${flag} must be positive`);
  return bytes;
}
