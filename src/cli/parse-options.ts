import { UsageError } from "../errors.js";
import { parseByteSize as parseByteSizeText } from "../formats/byte-size.js";

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

/**
 * A size flag (`--max-size 1GiB`, `--limit 512MiB`), read by the one byte-size parser of
 * formats/byte-size.ts: `512MiB`/`512Ki` are binary, `100MB`/`100k` decimal (SI), a bare number is
 * bytes. Must be positive.
 */
export function parseByteSize(text: string, flag: string): number {
  const bytes = parseByteSizeText(text);
  if (bytes === null) throw new UsageError(`${flag} takes a size such as 512MiB or 1GiB, not "${text}"`);
  if (!(bytes > 0)) throw new UsageError(`${flag} must be positive`);
  return bytes;
}
