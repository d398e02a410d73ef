/**
 * A small JSON reader that keeps integers beyond 2^53 exact.
 *
 * Why: Go's expvar writes `MemStats.LastGC` and `PauseEnd[]` as nanoseconds since the epoch
 * (about 1.8e18). `JSON.parse` rounds them to the nearest double, silently moving them by up to
 * 256 ns. Here an integer token that is not a safe integer becomes a `bigint`; every other number is
 * a `number`. Strings, objects and arrays are as in `JSON.parse`.
 *
 * It also reads a stream of concatenated documents with text between them (JSON lines, a log where
 * each document is preceded by a timestamp), which is how `/debug/vars` series are captured.
 */
import { FormatError } from "../errors.js";

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Deeper nesting is refused rather than risking a stack overflow on hostile input. */
const MAX_DEPTH = 256;

/** Parses one JSON document (surrounding whitespace allowed) keeping big integers as bigint. */
export function parseLosslessJson(text: string): JsonValue {
  const reader = new JsonReader(text, 0);
  reader.skipWhitespace();
  const value = reader.readValue(0);
  reader.skipWhitespace();
  if (reader.position < text.length) reader.fail("unexpected text after the JSON value");
  return value;
}

export interface JsonDocumentInStream {
  value: JsonValue;
  /** Non-whitespace text between the previous document (or the start) and this one, trimmed. */
  textBefore: string;
  /** Offsets of the document in the input. */
  start: number;
  end: number;
}

/**
 * Yields every top-level object or array in `text`, in order. Text outside documents (timestamps,
 * log prefixes, junk) is passed on as `textBefore` of the next document. A document that does not
 * parse is skipped from its opening bracket to the end of its line; `onSkip` hears about it.
 */
export function* readJsonDocuments(
  text: string,
  onSkip?: (start: number, end: number, problem: string) => void,
): Generator<JsonDocumentInStream> {
  let position = 0;
  let textStart = 0;
  while (position < text.length) {
    const open = findNextOpening(text, position);
    if (open < 0) return;
    const reader = new JsonReader(text, open);
    try {
      const value = reader.readValue(0);
      yield { value, textBefore: text.slice(textStart, open).trim(), start: open, end: reader.position };
      position = reader.position;
      textStart = position;
    } catch (error) {
      const lineEnd = text.indexOf("\n", open);
      const end = lineEnd < 0 ? text.length : lineEnd + 1;
      onSkip?.(open, end, error instanceof Error ? error.message : String(error));
      position = end;
      textStart = end;
    }
  }
}

function findNextOpening(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) return i;
  }
  return -1;
}

/** Converts a JSON number (number or bigint) to a double; other values give undefined. */
export function jsonNumber(value: JsonValue | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return undefined;
}

/** Converts an integral JSON number to an exact bigint; other values give undefined. */
export function jsonBigInt(value: JsonValue | undefined): bigint | undefined {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  return undefined;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

class JsonReader {
  constructor(
    readonly text: string,
    public position: number,
  ) {}

  fail(problem: string): never {
    throw new FormatError(`invalid JSON at offset ${this.position}: ${problem}`);
  }

  skipWhitespace(): void {
    const text = this.text;
    let i = this.position;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.position = i;
  }

  readValue(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail("nesting too deep");
    this.skipWhitespace();
    const c = this.text.charCodeAt(this.position);
    switch (c) {
      case 0x7b:
        return this.readObject(depth);
      case 0x5b:
        return this.readArray(depth);
      case 0x22:
        return this.readString();
      case 0x74:
        return this.readLiteral("true", true);
      case 0x66:
        return this.readLiteral("false", false);
      case 0x6e:
        return this.readLiteral("null", null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.readNumber();
        if (Number.isNaN(c)) this.fail("unexpected end of input");
        this.fail(`unexpected character ${JSON.stringify(this.text[this.position])}`);
    }
  }

  private readLiteral<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.position)) this.fail(`expected ${word}`);
    this.position += word.length;
    return value;
  }

  private readNumber(): number | bigint {
    // Scanned by hand: expvar documents are mostly numbers (the 512 pause entries).
    const text = this.text;
    const start = this.position;
    let i = start;
    const negative = text.charCodeAt(i) === 0x2d;
    if (negative) i++;
    const intStart = i;
    const first = text.charCodeAt(i);
    if (first === 0x30) i++;
    else if (first >= 0x31 && first <= 0x39) while (isDigit(text.charCodeAt(i))) i++;
    else this.fail("malformed number");
    const intEnd = i;
    let isInteger = true;
    if (text.charCodeAt(i) === 0x2e) {
      isInteger = false;
      i++;
      if (!isDigit(text.charCodeAt(i))) this.fail("malformed number");
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      isInteger = false;
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      if (!isDigit(text.charCodeAt(i))) this.fail("malformed number");
      while (isDigit(text.charCodeAt(i))) i++;
    }
    this.position = i;
    if (isInteger && intEnd - intStart <= 15) {
      let value = 0;
      for (let j = intStart; j < intEnd; j++) value = value * 10 + (text.charCodeAt(j) - 0x30);
      return negative ? -value : value;
    }
    const token = text.slice(start, i);
    const asNumber = Number(token);
    if (isInteger && !Number.isSafeInteger(asNumber)) return BigInt(token);
    return asNumber;
  }

  private readString(): string {
    const text = this.text;
    const start = this.position;
    let i = start + 1;
    let escaped = false;
    for (;;) {
      if (i >= text.length) this.fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c < 0x20) this.fail("control character in string");
      i++;
    }
    this.position = i + 1;
    if (!escaped) return text.slice(start + 1, i);
    try {
      return JSON.parse(text.slice(start, i + 1)) as string;
    } catch {
      this.position = start;
      this.fail("bad escape in string");
    }
  }

  private readArray(depth: number): JsonValue[] {
    this.position++; // [
    const out: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.position) === 0x5d) {
      this.position++;
      return out;
    }
    for (;;) {
      out.push(this.readValue(depth + 1));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.position);
      this.position++;
      if (c === 0x2c) continue;
      if (c === 0x5d) return out;
      this.position--;
      this.fail("expected , or ] in array");
    }
  }

  private readObject(depth: number): JsonObject {
    this.position++; // {
    const out: JsonObject = {};
    this.skipWhitespace();
    if (this.text.charCodeAt(this.position) === 0x7d) {
      this.position++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.position) !== 0x22) this.fail("expected a string key");
      const key = this.readString();
      this.skipWhitespace();
      if (this.text.charCodeAt(this.position) !== 0x3a) this.fail("expected : after key");
      this.position++;
      const value = this.readValue(depth + 1);
      // defineProperty so a "__proto__" key is data, not a prototype change.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.position);
      this.position++;
      if (c === 0x2c) continue;
      if (c === 0x7d) return out;
      this.position--;
      this.fail("expected , or } in object");
    }
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
