/**
 * MemStats printed by the program itself into its log, in the forms people write:
 *   `Alloc = 512 MiB\tTotalAlloc = 1024 MiB\tSys = 700 MiB\tNumGC = 12` (the common snippet),
 *   `2024/05/01 10:00:00 HeapAlloc: 123456 HeapObjects: 789`,
 *   `time=2024-05-01T10:00:00Z level=INFO msg=mem heap_alloc=123456 num_gc=3` (slog),
 *   gops `memstats` output (`heap-alloc: 1.04MB (1093512 bytes)`).
 * One sample is the run of lines up to the point where a field repeats.
 */
import { FormatError } from "../errors.js";
import {
  type CompanionSignal,
  MEMSTATS_FIELD_UNITS,
  type MemStatsField,
  type MemStatsSample,
  type MemStatsSeries,
} from "../model/memstats.js";
import { formatBytes } from "../model/units.js";
import { companionSignalForName, memStatsFieldForName } from "./memstats-names.js";
import { splitLogTimestamp } from "./memstats-time.js";

/** Go tools print "MB" for MiB (gctrace, gops); this reader does the same for KB/MB/GB. */
const UNIT_BYTES: Record<string, number> = {
  b: 1,
  byte: 1,
  bytes: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

const NAME_VALUE =
  /(?<![\w.-])([A-Za-z][\w.-]*?)"?\s*[=:]\s*"?(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"?(?:\s*(KiB|MiB|GiB|TiB|KB|MB|GB|TB|kB|bytes|byte|B)\b)?(?:\s*\((\d+) bytes\))?/g;

/** gops: `next-gc: when heap-alloc >= 4.00MB (4194304 bytes)`. */
const GOPS_NEXT_GC = /next-gc:\s*when heap-alloc >= [^(]*\((\d+) bytes\)/;

interface LineReading {
  atMs?: number;
  values: { name: MemStatsField | CompanionSignal; value: number; resolution?: number }[];
}

/** Reads one log line; undefined when it names no MemStats field. */
export function readMemStatsLogLine(line: string): LineReading | undefined {
  const { ms, rest } = splitLogTimestamp(line.replace(/\r$/, ""));
  const values: LineReading["values"] = [];
  const gopsNextGc = GOPS_NEXT_GC.exec(rest);
  if (gopsNextGc) values.push({ name: "NextGC", value: Number(gopsNextGc[1]) });
  for (const match of rest.matchAll(NAME_VALUE)) {
    const [, rawName, rawNumber, unit, exactBytes] = match;
    const lastSegment = rawName.includes(".") ? rawName.slice(rawName.lastIndexOf(".") + 1) : rawName;
    const field = memStatsFieldForName(rawName) ?? memStatsFieldForName(lastSegment);
    const companion = field
      ? undefined
      : (companionSignalForName(rawName) ?? companionSignalForName(lastSegment));
    const name = field ?? companion;
    if (!name) continue;
    const isBytes = field
      ? MEMSTATS_FIELD_UNITS[field] === "bytes"
      : name === "rssBytes" || name === "liveHeapBytes";
    let value = Number(rawNumber);
    let resolution: number | undefined;
    if (exactBytes !== undefined && isBytes) {
      value = Number(exactBytes);
    } else if (unit && isBytes) {
      const multiplier = UNIT_BYTES[unit.toLowerCase()] ?? 1;
      value *= multiplier;
      const decimals = rawNumber.includes(".") ? rawNumber.split(".")[1].replace(/[eE].*/, "").length : 0;
      resolution = multiplier / 10 ** decimals;
      if (resolution <= 1) resolution = undefined;
    }
    if (!Number.isFinite(value)) continue;
    values.push({ name, value, resolution });
  }
  if (values.length === 0) return undefined;
  return ms === undefined ? { values } : { atMs: ms, values };
}

export function parseMemStatsLogLines(text: string): MemStatsSeries {
  const samples: MemStatsSample[] = [];
  let current: MemStatsSample | undefined;
  let seen = new Set<string>();
  let skipped = 0;
  let byteResolution = 0;
  let anyMemStatsField = false;
  for (const line of text.split("\n")) {
    const reading = readMemStatsLogLine(line);
    if (!reading) {
      if (line.trim() !== "") skipped++;
      continue;
    }
    const repeats = reading.values.some((v) => seen.has(v.name));
    if (!current || repeats) {
      current = { fields: {} };
      samples.push(current);
      seen = new Set();
    }
    if (current.atMs === undefined && reading.atMs !== undefined) current.atMs = reading.atMs;
    for (const { name, value, resolution } of reading.values) {
      seen.add(name);
      if (resolution) byteResolution = Math.max(byteResolution, resolution);
      if (isCompanion(name)) {
        current[name] = value;
      } else {
        anyMemStatsField = true;
        current.fields[name] = value;
      }
    }
  }
  if (!anyMemStatsField)
    throw new FormatError("no MemStats fields found (expected lines such as `HeapAlloc = 123`)");
  for (const sample of samples) {
    const f = sample.fields;
    if (f.HeapAlloc === undefined && f.Alloc !== undefined) f.HeapAlloc = f.Alloc;
    if (f.Alloc === undefined && f.HeapAlloc !== undefined) f.Alloc = f.HeapAlloc;
  }
  const notes: string[] = [];
  let timeSource: MemStatsSeries["timeSource"] = "none";
  if (samples.every((s) => s.atMs !== undefined)) {
    timeSource = "record";
  } else {
    for (const s of samples) delete s.atMs;
    if (samples.length > 1)
      notes.push("The log lines carry no timestamp: only the order of the samples is known.");
  }
  if (byteResolution > 1) {
    notes.push(`Byte values are rounded in the log (step ${formatBytes(byteResolution)}).`);
  }
  return {
    format: "log-lines",
    timeSource,
    samples,
    notes,
    skippedLines: skipped,
    ...(byteResolution > 1 ? { byteResolution } : {}),
  };
}

function isCompanion(name: MemStatsField | CompanionSignal): name is CompanionSignal {
  return name === "goroutines" || name === "rssBytes" || name === "threads" || name === "liveHeapBytes";
}
