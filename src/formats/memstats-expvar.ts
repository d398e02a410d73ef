/**
 * expvar `/debug/vars` documents: one snapshot, or a series captured over time (JSON lines,
 * concatenated pretty-printed documents, a JSON array, each optionally preceded by a timestamp).
 * LastGC and PauseEnd stay exact (they exceed 2^53; see lossless-json.ts).
 */
import { FormatError } from "../errors.js";
import type { MemStatsSample, MemStatsSeries } from "../model/memstats.js";
import {
  isJsonObject,
  type JsonObject,
  type JsonValue,
  jsonBigInt,
  jsonNumber,
  parseLosslessJson,
  readJsonDocuments,
} from "./lossless-json.js";
import { companionSignalForName, memStatsFieldForName, normalizeMetricName } from "./memstats-names.js";
import { parseDateTimeMs, splitLogTimestamp, timestampValueToMs } from "./memstats-time.js";

/** Go keeps the last 256 GC pauses in MemStats.PauseNs / PauseEnd. */
const PAUSE_RING_SIZE = 256;

/** Keys under which people record the capture time next to (or around) a /debug/vars document. */
const TIMESTAMP_KEYS = new Set([
  "time",
  "timestamp",
  "ts",
  "t",
  "at",
  "date",
  "datetime",
  "capturedat",
  "capturetime",
  "scrapedat",
  "timems",
  "timestampms",
  "unixtime",
  "epoch",
]);

/**
 * One `/debug/vars` document → one sample. Also reads a top-level goroutine count when the program
 * publishes one (`goroutines`, `NumGoroutine`, ...). Throws FormatError when there is no MemStats.
 */
export function parseExpvarMemStats(jsonText: string): MemStatsSample {
  let value: JsonValue;
  try {
    value = parseLosslessJson(jsonText);
  } catch (error) {
    throw new FormatError(`not a /debug/vars JSON document (${(error as Error).message})`);
  }
  const sample = memStatsSampleFromJson(value);
  if (!sample) {
    throw new FormatError('no MemStats in this JSON (expected a "memstats" object, as /debug/vars serves)');
  }
  return sample;
}

/**
 * A JSON value that holds MemStats → a sample, or undefined. Accepts a /debug/vars object, a
 * wrapper around one (`{"time": ..., "vars": {...}}`), or a bare MemStats object (e.g. a structured
 * log of runtime.MemStats).
 */
export function memStatsSampleFromJson(value: JsonValue, textBefore = ""): MemStatsSample | undefined {
  if (!isJsonObject(value)) return undefined;
  const found = findMemStatsObject(value, 0);
  if (!found) return undefined;
  const sample: MemStatsSample = { fields: {} };
  readMemStatsObject(found.memstats, sample);
  readCompanions(found.vars, sample);
  const atMs = findTimestamp(value, found.vars) ?? timestampFromText(textBefore);
  if (atMs !== undefined) sample.atMs = atMs;
  return sample;
}

/** A series of /debug/vars documents. Records without MemStats are counted as skipped. */
export function parseExpvarSeries(text: string): MemStatsSeries {
  const samples: MemStatsSample[] = [];
  let skipped = 0;
  const notes: string[] = [];
  const take = (value: JsonValue, textBefore: string): void => {
    const sample = memStatsSampleFromJson(value, textBefore);
    if (sample) samples.push(sample);
    else skipped++;
  };
  for (const document of readJsonDocuments(text, () => skipped++)) {
    if (Array.isArray(document.value)) {
      for (const item of document.value) take(item, "");
    } else {
      take(document.value, document.textBefore);
    }
  }
  if (samples.length === 0) {
    throw new FormatError('no MemStats found (expected /debug/vars JSON with a "memstats" object)');
  }
  if (skipped > 0) notes.push(`${skipped} JSON record(s) without MemStats were skipped.`);
  const timeSource = assignTimeAxis(samples, notes);
  return { format: "expvar", timeSource, samples, notes, skippedLines: skipped };
}

/**
 * Every sample needs the same time axis. Record timestamps win; otherwise LastGC (the end of the
 * latest GC, a lower bound of the capture time) is used and said so; otherwise only order is known.
 */
function assignTimeAxis(samples: MemStatsSample[], notes: string[]): MemStatsSeries["timeSource"] {
  if (samples.every((s) => s.atMs !== undefined)) return "record";
  const withTime = samples.filter((s) => s.atMs !== undefined).length;
  for (const s of samples) delete s.atMs;
  if (withTime > 0) notes.push(`${samples.length - withTime} record(s) had no timestamp, so none are used.`);
  // Readings taken before the first GC have LastGC = 0 and no place on that axis: leave them out.
  const firstWithGc = samples.findIndex((s) => (s.fields.LastGC ?? 0) > 0);
  if (firstWithGc > 0 && samples.slice(firstWithGc).every((s) => (s.fields.LastGC ?? 0) > 0)) {
    samples.splice(0, firstWithGc);
    notes.push(`${firstWithGc} record(s) from before the first GC were left out (no time for them).`);
  }
  if (samples.length > 1 && samples.every((s) => (s.fields.LastGC ?? 0) > 0)) {
    for (const s of samples) {
      s.atMs =
        s.exact?.lastGcNs !== undefined ? Number(s.exact.lastGcNs / 1_000_000n) : s.fields.LastGC! / 1e6;
    }
    notes.push(
      "The records carry no timestamp: time is taken from LastGC (end of the latest GC), which trails the capture time.",
    );
    return "last-gc";
  }
  if (samples.length > 1) notes.push("The records carry no timestamp: only their order is known.");
  return "none";
}

function findMemStatsObject(
  value: JsonObject,
  depth: number,
): { memstats: JsonObject; vars: JsonObject } | undefined {
  const direct = value["memstats"] ?? value["MemStats"];
  if (isJsonObject(direct)) return { memstats: direct, vars: value };
  if (depth < 2) {
    for (const child of Object.values(value)) {
      if (isJsonObject(child)) {
        const found = findMemStatsObject(child, depth + 1);
        if (found) return found;
      }
    }
  }
  // A bare MemStats object: several keys that name MemStats fields.
  let known = 0;
  for (const key of Object.keys(value))
    if (memStatsFieldForName(key) && jsonNumber(value[key]) !== undefined) known++;
  return known >= 3 ? { memstats: value, vars: value } : undefined;
}

function readMemStatsObject(memstats: JsonObject, sample: MemStatsSample): void {
  for (const [key, raw] of Object.entries(memstats)) {
    const field = memStatsFieldForName(key);
    const numeric = jsonNumber(raw);
    if (field && numeric !== undefined) sample.fields[field] = numeric;
  }
  // Alloc and HeapAlloc are the same number in Go; fill one from the other when a source has one.
  if (sample.fields.Alloc === undefined && sample.fields.HeapAlloc !== undefined) {
    sample.fields.Alloc = sample.fields.HeapAlloc;
  }
  if (sample.fields.HeapAlloc === undefined && sample.fields.Alloc !== undefined) {
    sample.fields.HeapAlloc = sample.fields.Alloc;
  }
  const lastGc = jsonBigInt(memstats["LastGC"]);
  if (lastGc !== undefined) sample.exact = { ...sample.exact, lastGcNs: lastGc };
  const pauseNs = memstats["PauseNs"];
  const pauseEnd = memstats["PauseEnd"];
  const numGc = sample.fields.NumGC;
  if (Array.isArray(pauseNs) && Array.isArray(pauseEnd) && numGc !== undefined && numGc > 0) {
    const ringSize = Math.min(pauseNs.length, pauseEnd.length, PAUSE_RING_SIZE);
    const count = Math.min(numGc, ringSize);
    const ends: bigint[] = [];
    const lengths: number[] = [];
    // GC number g (1-based) sits at index (g-1) % 256; walk from the oldest kept to the newest.
    for (let gc = numGc - count + 1; gc <= numGc; gc++) {
      const index = (gc - 1) % ringSize;
      const end = jsonBigInt(pauseEnd[index]);
      const length = jsonNumber(pauseNs[index]);
      if (end === undefined || length === undefined || end === 0n) continue;
      ends.push(end);
      lengths.push(length);
    }
    if (ends.length > 0) {
      sample.exact = { ...sample.exact, pauseEndNs: ends };
      sample.pauseNs = lengths;
    }
  }
}

function readCompanions(vars: JsonObject, sample: MemStatsSample): void {
  for (const [key, raw] of Object.entries(vars)) {
    const signal = companionSignalForName(key);
    const numeric = jsonNumber(raw);
    if (signal && numeric !== undefined && Number.isFinite(numeric)) sample[signal] = numeric;
  }
}

function findTimestamp(outer: JsonObject, vars: JsonObject): number | undefined {
  for (const object of outer === vars ? [outer] : [outer, vars]) {
    for (const [key, raw] of Object.entries(object)) {
      if (!TIMESTAMP_KEYS.has(normalizeMetricName(key))) continue;
      const ms = timestampValueToMs(raw);
      if (ms !== undefined) return ms;
    }
  }
  return undefined;
}

function timestampFromText(text: string): number | undefined {
  if (!text) return undefined;
  const lastLine = text.slice(text.lastIndexOf("\n") + 1);
  const split = splitLogTimestamp(lastLine);
  return split.ms ?? parseDateTimeMs(lastLine)?.ms;
}
