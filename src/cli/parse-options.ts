/**
 * Parsing of flag values, for every command: durations, sizes (via formats/byte-size.ts), numbers,
 * ports, word lists, headers, regular expressions. Each throws a UsageError naming the flag and the
 * value, so a bad flag is one line and exit 2.
 */
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

/**
 * A positive number (`--window 30`). With `seconds`, a trailing `s` is allowed (`--timeout 1.5s`),
 * for the flags that take plain seconds.
 */
export function parsePositiveNumber(text: string, flag: string, options: { seconds?: boolean } = {}): number {
  const value = Number((options.seconds ? text.replace(/s$/, "") : text).trim());
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
    const what = options.seconds ? "a positive number of seconds" : "a positive number";
    throw new UsageError(`${flag} must be ${what}, not "${text}"`);
  }
  return value;
}

/** A positive whole number written in digits (`--width 60`). */
export function parsePositiveInteger(text: string, flag: string): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < 1)
    throw new UsageError(`${flag} must be a positive integer, not "${text}"`);
  return Number(text);
}

/** A whole number ≥ 0 written in digits (`--dump-every 0`). */
export function parseNonNegativeInteger(text: string, flag: string): number {
  if (!/^\s*\d+\s*$/.test(text)) throw new UsageError(`${flag} must be a whole number ≥ 0, not "${text}"`);
  return Number(text);
}

/** pprof's numeric flags (`--nodecount`, `--nodefraction`): any number, or an integer; absent stays absent. */
export function parseNumberFlag(
  text: string | undefined,
  flag: string,
  options: { integer?: boolean } = {},
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || (options.integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be ${options.integer ? "an integer" : "a number"}, not "${text}"`);
  }
  return n;
}

/** A number strictly between 0 and 1 (`--alpha 0.05`). */
export function parseFraction(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === "" || !(value > 0 && value < 1))
    throw new UsageError(`${flag} must be between 0 and 1, not "${text}"`);
  return value;
}

/** A TCP port, 0 (any free port) to 65535. */
export function parsePort(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535)
    throw new UsageError(`${flag} must be a number 0-65535, not "${text}"`);
  return Number(text);
}

/** One of a fixed set of words (`--gc always`). */
export function parseEnum<T extends string>(text: string, flag: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(", ")}, not "${text}"`);
}

/** A comma-separated list of words from a fixed set (`--fail-on leak,inconclusive`); blanks ignored. */
export function parseEnumList<T extends string>(text: string, flag: string, allowed: readonly T[]): T[] {
  const words = text
    .split(",")
    .map((word) => word.trim())
    .filter((word) => word !== "");
  for (const word of words) {
    if (!(allowed as readonly string[]).includes(word)) {
      throw new UsageError(`${flag} takes ${allowed.join(", ")} (comma-separated), not "${word}"`);
    }
  }
  return words as T[];
}

/**
 * A size or a plain number (`--floor 64`, `--floor 1KiB`): with a unit it is a byte size read by
 * formats/byte-size.ts; without one it is a number in the caller's unit, fractions kept.
 */
export function parseSizeOrNumber(text: string, flag: string): number {
  const trimmed = text.trim();
  const value = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : parseByteSizeText(trimmed);
  if (value === null) throw new UsageError(`${flag}: expected a number such as 64 or 1KiB, not "${text}"`);
  return value;
}

/** An HTTP request header flag, `Name: value` (the value may be empty). */
export function parseHeader(text: string, flag: string): [name: string, value: string] {
  const match = /^([^:\s]+)\s*:\s*(.*)$/.exec(text);
  // Nothing of the flag is echoed: without a colon there is no telling the name from a secret value.
  if (!match) throw new UsageError(`${flag} must look like "Name: value" (the value given is not shown)`);
  return [match[1]!, match[2]!];
}

/** A regular expression flag (`--match 'net/http'`). */
export function parseRegExp(text: string, flag: string): RegExp {
  try {
    return new RegExp(text);
  } catch (error) {
    throw new UsageError(`${flag}: invalid regular expression (${(error as Error).message})`);
  }
}
