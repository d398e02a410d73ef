/**
 * Go benchmark data format (golang.org/design/14313-benchmark-format), as `go test -bench`
 * prints it, plus `go test -json` streams of the same text.
 *
 * Three kinds of line matter: configuration (`key: value`, applies to every later result until the
 * key is set again; an empty value deletes it), results (`BenchmarkName iters value unit …`) and
 * unit metadata (`Unit allocs/op assume=exact better=lower`). Everything else — PASS, ok lines,
 * `=== RUN`, `-v` name-only lines, logs, panics, junk — is skipped and counted.
 *
 * Units are tidied as benchstat does (ns/op → sec/op, MB/s → B/s) so values and statistics are
 * comparable with benchstat's.
 *
 * Pure: text in, records out.
 */

export interface BenchMeasurement {
  /** Tidied value (seconds for sec/op, bytes/s for B/s). */
  value: number;
  /** Tidied unit. */
  unit: string;
  /** As printed, when tidying changed it. */
  origValue?: number;
  origUnit?: string;
}

export interface BenchResult {
  /** Full name as printed, with the "Benchmark" prefix and any -N GOMAXPROCS suffix. */
  name: string;
  iterations: number;
  measurements: BenchMeasurement[];
  /** Configuration in effect for this result (goos, goarch, pkg, cpu, custom keys). */
  config: Record<string, string>;
  /** 1-based line in the (reassembled) text. */
  line: number;
}

export interface UnitMetadata {
  /** Tidied unit. */
  unit: string;
  key: string;
  value: string;
  line: number;
}

export interface BenchParseIssue {
  line: number;
  message: string;
}

export interface GoBenchFile {
  results: BenchResult[];
  /** Unit metadata keyed `${unit}\u0000${key}`. */
  units: Map<string, UnitMetadata>;
  /** Malformed result or Unit lines (non-fatal, as in benchfmt). */
  issues: BenchParseIssue[];
  /** Lines that were neither results, configuration nor unit metadata. */
  skippedLines: number;
  /** True when the input was a `go test -json` event stream. */
  fromJson: boolean;
}

export interface ParseGoBenchOptions {
  /** Configuration in effect before the first line (e.g. pkg from a go test -json Package). */
  initialConfig?: Record<string, string>;
}

const WHITESPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

/** Parses plain benchmark text or a `go test -json` stream (detected from its first line). */
export function parseGoBench(text: string, options: ParseGoBenchOptions = {}): GoBenchFile {
  if (looksLikeTestJson(text)) return parseGoTestJson(text);
  return parseGoBenchText(text, options);
}

export function parseGoBenchText(text: string, options: ParseGoBenchOptions = {}): GoBenchFile {
  const file: GoBenchFile = { results: [], units: new Map(), issues: [], skippedLines: 0, fromJson: false };
  const state = { config: { ...options.initialConfig } as Record<string, string> };
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  for (let index = 0; index < lines.length; index++) parseLine(lines[index]!, index + 1, state, file);
  return file;
}

function parseLine(
  line: string,
  lineNumber: number,
  state: { config: Record<string, string> },
  file: GoBenchFile,
): void {
  if (line.startsWith("Benchmark")) {
    const outcome = parseResultLine(line, lineNumber, state.config);
    if (outcome === "skip") file.skippedLines++;
    else if ("message" in outcome) file.issues.push(outcome);
    else file.results.push(outcome);
    return;
  }
  if (line.startsWith("Unit") && /^Unit\s/.test(line)) {
    parseUnitLine(line, lineNumber, file);
    return;
  }
  const keyValue = parseConfigLine(line);
  if (keyValue) {
    if (keyValue.value === "") delete state.config[keyValue.key];
    else state.config[keyValue.key] = keyValue.value;
    return;
  }
  if (line.trim() !== "") file.skippedLines++;
}

/**
 * `key: value` where the key starts with a lower-case letter and has no space or upper-case
 * letter; the value follows after at least one space or tab, or is empty (which deletes the key).
 */
export function parseConfigLine(line: string): { key: string; value: string } | undefined {
  let index = 0;
  for (const char of line) {
    if (index === 0 && !/\p{Ll}/u.test(char)) return undefined;
    if (/\s/u.test(char) || /\p{Lu}/u.test(char)) return undefined;
    if (index > 0 && char === ":") {
      const key = line.slice(0, index);
      const rest = line.slice(index + 1);
      if (rest === "") return { key, value: "" };
      const value = rest.replace(/^[ \t]+/, "");
      if (value.length === rest.length) return undefined;
      return { key, value: value.replace(/\s+$/, "") };
    }
    index += char.length;
  }
  return undefined;
}

function parseResultLine(
  line: string,
  lineNumber: number,
  config: Record<string, string>,
): BenchResult | BenchParseIssue | "skip" {
  const fields = line.split(WHITESPACE).filter((f) => f !== "");
  const name = fields[0]!;
  // `testing` only runs functions whose name after "Benchmark" does not start lower-case.
  const after = name.slice("Benchmark".length);
  if (after !== "" && /^\p{Ll}/u.test(after)) return "skip";
  // `go test -v` prints the bare name when a benchmark starts; the result follows later.
  if (fields.length === 1) return "skip";
  const iterations = parseGoInt(fields[1]!);
  if (iterations === undefined) {
    return { line: lineNumber, message: `parsing iteration count: invalid syntax in "${fields[1]}"` };
  }
  if (fields.length === 2) return { line: lineNumber, message: "missing measurements" };
  const measurements: BenchMeasurement[] = [];
  for (let i = 2; i < fields.length; i += 2) {
    const value = parseGoFloat(fields[i]!);
    if (value === undefined) {
      return { line: lineNumber, message: `parsing measurement: invalid syntax in "${fields[i]}"` };
    }
    const unit = fields[i + 1];
    if (unit === undefined) return { line: lineNumber, message: "missing units" };
    const [tidyValue, tidyUnit] = tidyMeasurement(value, unit);
    measurements.push(
      tidyUnit === unit && tidyValue === value
        ? { value, unit }
        : { value: tidyValue, unit: tidyUnit, origValue: value, origUnit: unit },
    );
  }
  return { name, iterations, measurements, config: { ...config }, line: lineNumber };
}

function parseUnitLine(line: string, lineNumber: number, file: GoBenchFile): void {
  const fields = line.split(WHITESPACE).filter((f) => f !== "");
  const unit = fields[1];
  if (unit === undefined) {
    file.issues.push({ line: lineNumber, message: "missing unit" });
    return;
  }
  const tidyUnit = tidyUnitName(unit)[0];
  for (const field of fields.slice(2)) {
    const eq = field.indexOf("=");
    if (eq <= 0) {
      file.issues.push({ line: lineNumber, message: "expected key=value" });
      continue;
    }
    const key = field.slice(0, eq);
    const value = field.slice(eq + 1);
    const mapKey = `${tidyUnit}\u0000${key}`;
    const have = file.units.get(mapKey);
    if (have) {
      if (have.value !== value) {
        file.issues.push({
          line: lineNumber,
          message: `metadata ${key} of unit ${unit} already set to ${have.value}`,
        });
      }
      continue;
    }
    file.units.set(mapKey, { unit: tidyUnit, key, value, line: lineNumber });
  }
}

function parseGoInt(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Decimal floats as Go's ParseFloat reads them (no hex), plus Inf/NaN. */
function parseGoFloat(text: string): number | undefined {
  if (/^[+-]?(\d+(_\d+)*(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+)?$/.test(text)) {
    return Number(text.replaceAll("_", ""));
  }
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return Number.NaN;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Units

interface UnitToken {
  token: string;
  position: number;
  denominator: boolean;
}

/** Tokens of a unit such as `L1-miss-ns/op`: words separated by `*`, `/`, `-` or whitespace. */
function unitTokens(unit: string): UnitToken[] {
  const tokens: UnitToken[] = [];
  let denominator = false;
  let i = 0;
  while (i < unit.length) {
    const char = unit[i]!;
    if (char === "*") {
      denominator = false;
      i++;
    } else if (char === "/") {
      denominator = true;
      i++;
    } else if (char === "-" || /\s/.test(char)) {
      i++;
    } else {
      let end = i;
      while (end < unit.length && !/[*/\-\s]/.test(unit[end]!)) end++;
      tokens.push({ token: unit.slice(i, end), position: i, denominator });
      i = end;
    }
  }
  return tokens;
}

/** benchstat's unit tidying: ns → sec and MB → B in the numerator, with the value's factor. */
export function tidyUnitName(unit: string): [string, number] {
  switch (unit) {
    case "ns/op":
      return ["sec/op", 1e-9];
    case "MB/s":
      return ["B/s", 1e6];
    case "B/op":
    case "allocs/op":
      return [unit, 1];
  }
  if (!unit.includes("ns") && !unit.includes("MB")) return [unit, 1];
  let factor = 1;
  const edits: { position: number; length: number; replace: string }[] = [];
  for (const token of unitTokens(unit)) {
    if (token.denominator) continue;
    if (token.token === "ns") {
      edits.push({ position: token.position, length: 2, replace: "sec" });
      factor /= 1e9;
    } else if (token.token === "MB") {
      edits.push({ position: token.position, length: 2, replace: "B" });
      factor *= 1e6;
    }
  }
  let tidied = unit;
  for (const edit of edits.reverse()) {
    tidied = tidied.slice(0, edit.position) + edit.replace + tidied.slice(edit.position + edit.length);
  }
  return [tidied, factor];
}

export function tidyMeasurement(value: number, unit: string): [number, string] {
  const [tidied, factor] = tidyUnitName(unit);
  return [value * factor, tidied];
}

/** Binary (IEC prefixes) when bytes are in the numerator, else decimal (SI prefixes). */
export function unitClass(unit: string): "binary" | "decimal" {
  for (const token of unitTokens(unit)) {
    if (!token.denominator && (token.token === "B" || token.token === "MB" || token.token === "bytes")) {
      return "binary";
    }
  }
  return "decimal";
}

/** -1 when lower is better, +1 when higher is better, 0 when unknown (benchfmt's defaults). */
export function betterDirection(unit: string, units?: Map<string, UnitMetadata>): -1 | 0 | 1 {
  const declared = units?.get(`${tidyUnitName(unit)[0]}\u0000better`);
  if (declared) {
    if (declared.value === "higher") return 1;
    if (declared.value === "lower") return -1;
    return 0;
  }
  switch (unit) {
    case "ns/op":
    case "sec/op":
    case "B/op":
    case "allocs/op":
      return -1;
    case "MB/s":
    case "B/s":
      return 1;
  }
  return 0;
}

/** The `assume=` metadata of a unit ("exact" or "nothing"). */
export function declaredAssumption(unit: string, units?: Map<string, UnitMetadata>): "exact" | "nothing" {
  return units?.get(`${tidyUnitName(unit)[0]}\u0000assume`)?.value === "exact" ? "exact" : "nothing";
}

// ---------------------------------------------------------------------------------------------
// Names

/** Splits a trailing `-N` GOMAXPROCS suffix off a benchmark name (`BenchmarkX/y-8` → [`BenchmarkX/y`, 8]). */
export function splitGomaxprocs(name: string): [string, number | undefined] {
  const match = /^(.*)-(\d+)$/s.exec(name);
  if (!match) return [name, undefined];
  return [match[1]!, Number(match[2])];
}

// ---------------------------------------------------------------------------------------------
// go test -json

interface TestEvent {
  Action?: string;
  Package?: string;
  Test?: string;
  Output?: string;
}

function firstNonEmptyLine(text: string): string {
  for (const line of text.split("\n", 50)) {
    if (line.trim() !== "") return line.trim();
  }
  return "";
}

export function looksLikeTestJson(text: string): boolean {
  const first = firstNonEmptyLine(text);
  if (!first.startsWith("{")) return false;
  try {
    const event = JSON.parse(first) as TestEvent;
    return typeof event === "object" && event !== null && typeof event.Action === "string";
  } catch {
    return false;
  }
}

/**
 * Reassembles the text of a `go test -json` stream per package and parses it. Output events
 * split lines arbitrarily and attribute benchmark results to the wrong test (golang/go#66825),
 * so the Output of each package is concatenated in order, ignoring Test.
 */
export function parseGoTestJson(text: string): GoBenchFile {
  const packages = new Map<string, string[]>();
  const plain: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    let event: TestEvent | undefined;
    if (line.startsWith("{")) {
      try {
        event = JSON.parse(line) as TestEvent;
      } catch {
        event = undefined;
      }
    }
    if (!event || typeof event !== "object") {
      plain.push(`${raw}\n`);
      continue;
    }
    if (event.Action !== "output" || typeof event.Output !== "string") continue;
    const pkg = event.Package ?? "";
    let chunks = packages.get(pkg);
    if (!chunks) {
      chunks = [];
      packages.set(pkg, chunks);
    }
    chunks.push(event.Output);
  }
  const merged: GoBenchFile = { results: [], units: new Map(), issues: [], skippedLines: 0, fromJson: true };
  let lineOffset = 0;
  const sections: [string, string][] = [...packages.entries()].map(([pkg, chunks]) => [pkg, chunks.join("")]);
  if (plain.length > 0) sections.push(["", plain.join("")]);
  for (const [pkg, body] of sections) {
    const part = parseGoBenchText(body, { initialConfig: pkg ? { pkg } : {} });
    for (const result of part.results) merged.results.push({ ...result, line: result.line + lineOffset });
    for (const issue of part.issues) merged.issues.push({ ...issue, line: issue.line + lineOffset });
    for (const [key, meta] of part.units) {
      const have = merged.units.get(key);
      if (have && have.value !== meta.value) {
        merged.issues.push({
          line: meta.line + lineOffset,
          message: `metadata ${meta.key} of unit ${meta.unit} already set to ${have.value}`,
        });
      } else if (!have) {
        merged.units.set(key, { ...meta, line: meta.line + lineOffset });
      }
    }
    merged.skippedLines += part.skippedLines;
    lineOffset += body.split("\n").length;
  }
  return merged;
}
