/**
 * query_range answers read without a JavaScript array per sample. A fleet's answers hold millions
 * of `[1796407200,"123456"]` pairs; JSON.parse makes an array and a string of each, and collecting
 * them was a third of fleet's CPU. Here one pass over the bytes (outside strings, escapes honoured)
 * finds every `"values":[...]` array, reads its pairs into two Float64Arrays (times in seconds,
 * values) and leaves its index in its place; JSON.parse then reads what remains (status, labels,
 * warnings: small) as usual. Anything the pass does not expect (another layout, a string timestamp)
 * falls back to JSON.parse of the whole answer, whose pairs columnsOf() converts the same way.
 */
import { parseApiValue } from "../../formats/memstats-query-range.js";

/** One series' samples: times (seconds) and values, unparseable values left out. */
export interface SampleColumns {
  times: Float64Array;
  values: Float64Array;
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN = 91;
const CLOSE = 93;
const COMMA = 44;
const COLON = 58;
const VALUES_KEY = Buffer.from('"values"', "latin1");

/** Thrown inside the pass when the layout is not the one it reads; the caller falls back. */
class Unexpected extends Error {}

/**
 * The answer as JSON.parse would give it, except that each `values` member is a SampleColumns.
 * Throws what JSON.parse throws for a body that is not JSON.
 */
export function parseMatrixAnswer(body: Buffer): unknown {
  let replaced: { text: string; columns: SampleColumns[] } | null;
  try {
    replaced = extractValues(body);
  } catch (error) {
    if (!(error instanceof Unexpected)) throw error;
    replaced = null;
  }
  if (replaced === null) return withColumns(JSON.parse(body.toString("utf8")), null);
  return withColumns(JSON.parse(replaced.text), replaced.columns);
}

/** Replaces data.result[i].values (an index, or the generic pairs) by its columns. */
function withColumns(answer: unknown, columns: SampleColumns[] | null): unknown {
  const result = (answer as { data?: { result?: unknown } } | null)?.data?.result;
  if (!Array.isArray(result)) return answer;
  for (const series of result) {
    if (typeof series !== "object" || series === null) continue;
    const values = (series as { values?: unknown }).values;
    (series as { values: unknown }).values =
      columns !== null && typeof values === "number" ? columns[values] : columnsOf(values);
  }
  return answer;
}

/** Generic `[[t, "v"], ...]` pairs as columns (a number time, a parseable value; the rest left out). */
export function columnsOf(pairs: unknown): SampleColumns {
  const list = Array.isArray(pairs) ? pairs : [];
  const times: number[] = [];
  const values: number[] = [];
  for (const pair of list) {
    if (!Array.isArray(pair) || pair.length < 2) continue;
    const t = typeof pair[0] === "number" ? pair[0] : Number.NaN;
    const raw = pair[1];
    const v = typeof raw === "string" ? parseApiValue(raw) : typeof raw === "number" ? raw : undefined;
    if (!Number.isFinite(t) || v === undefined) continue;
    times.push(t);
    values.push(v);
  }
  return { times: Float64Array.from(times), values: Float64Array.from(values) };
}

function extractValues(body: Buffer): { text: string; columns: SampleColumns[] } {
  const parts: string[] = [];
  const columns: SampleColumns[] = [];
  const scratch = new Scratch();
  let copied = 0;
  let i = 0;
  const n = body.length;
  while (i < n) {
    if (body[i] !== QUOTE) {
      i++;
      continue;
    }
    const start = i;
    i = skipString(body, i);
    if (i - start !== VALUES_KEY.length || body.compare(VALUES_KEY, 0, VALUES_KEY.length, start, i) !== 0)
      continue;
    let j = skipSpace(body, i);
    if (body[j] !== COLON) continue;
    j = skipSpace(body, j + 1);
    if (body[j] !== OPEN) throw new Unexpected();
    j = readPairs(body, j + 1, scratch);
    parts.push(body.toString("utf8", copied, start), `"values":${columns.length}`);
    columns.push(scratch.take());
    copied = j;
    i = j;
  }
  parts.push(body.toString("utf8", copied, n));
  return { text: parts.join(""), columns };
}

/** Index just past the string starting at `i` (a quote). */
function skipString(body: Buffer, i: number): number {
  let j = i + 1;
  while (j < body.length && body[j] !== QUOTE) j += body[j] === BACKSLASH ? 2 : 1;
  if (j >= body.length) throw new Unexpected();
  return j + 1;
}

function skipSpace(body: Buffer, i: number): number {
  let j = i;
  while (j < body.length && (body[j] === 32 || body[j] === 10 || body[j] === 13 || body[j] === 9)) j++;
  return j;
}

/** Reads `[t,"v"], ...]` from just inside the outer bracket; returns the index past its end. */
function readPairs(body: Buffer, from: number, out: Scratch): number {
  let j = skipSpace(body, from);
  if (body[j] === CLOSE) return j + 1;
  for (;;) {
    if (body[j] !== OPEN) throw new Unexpected();
    j = skipSpace(body, j + 1);
    const timeStart = j;
    while (j < body.length && body[j] !== COMMA && body[j] !== 32 && body[j] !== CLOSE) j++;
    const t = numberAt(body, timeStart, j);
    j = skipSpace(body, j);
    if (body[j] !== COMMA) throw new Unexpected();
    j = skipSpace(body, j + 1);
    if (body[j] !== QUOTE) throw new Unexpected();
    const valueStart = j + 1;
    j = skipString(body, j);
    const v = valueAt(body, valueStart, j - 1);
    j = skipSpace(body, j);
    if (body[j] !== CLOSE) throw new Unexpected();
    if (v !== undefined) out.push(t, v);
    j = skipSpace(body, j + 1);
    if (body[j] === CLOSE) return j + 1;
    if (body[j] !== COMMA) throw new Unexpected();
    j = skipSpace(body, j + 1);
  }
}

/** A JSON number: whole numbers of up to 15 digits read directly, the rest through Number. */
function numberAt(body: Buffer, from: number, to: number): number {
  const whole = wholeNumber(body, from, to);
  if (whole !== undefined) return whole;
  const text = body.toString("latin1", from, to);
  const value = Number(text);
  if (text === "" || !Number.isFinite(value)) throw new Unexpected();
  return value;
}

/** A sample value as Prometheus writes it ("123", "1.5e+09", "NaN", "+Inf"), as parseApiValue reads it. */
function valueAt(body: Buffer, from: number, to: number): number | undefined {
  return wholeNumber(body, from, to) ?? parseApiValue(body.toString("latin1", from, to));
}

function wholeNumber(body: Buffer, from: number, to: number): number | undefined {
  const negative = body[from] === 45;
  const first = negative ? from + 1 : from;
  if (to <= first || to - first > 15) return undefined;
  let value = 0;
  for (let k = first; k < to; k++) {
    const digit = body[k] - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** Growable columns reused from series to series. */
class Scratch {
  private times = new Float64Array(1024);
  private values = new Float64Array(1024);
  private length = 0;

  push(t: number, v: number): void {
    if (this.length === this.times.length) {
      const times = new Float64Array(this.length * 2);
      const values = new Float64Array(this.length * 2);
      times.set(this.times);
      values.set(this.values);
      this.times = times;
      this.values = values;
    }
    this.times[this.length] = t;
    this.values[this.length] = v;
    this.length++;
  }

  take(): SampleColumns {
    const out = { times: this.times.slice(0, this.length), values: this.values.slice(0, this.length) };
    this.length = 0;
    return out;
  }
}
