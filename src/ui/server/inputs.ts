/**
 * What `heapscope ui FILE...` accepts, recognised from the content: a recording (SQLite), a profile
 * (profile.proto, gzipped or not, or legacy heap text; also URLs and FILE#N recording snapshots),
 * a goroutine dump, a gctrace log, a MemStats series, or a Go heap dump. Anything else is one clear InputError.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { readGoroutineDump } from "../../analysis/goroutine-groups.js";
import { readProfileInput } from "../../collect/profile-source.js";
import { HeapscopeError, InputError } from "../../errors.js";
import { parseGcTrace } from "../../formats/gctrace/index.js";
import { detectAndParseMemStatsSeries } from "../../formats/memstats.js";
import { parseProfileBytes } from "../../formats/profile-bytes.js";
import { describeInputKind, SNIFF_BYTES, sniffInput, sniffText } from "../../formats/sniff.js";
import { formatBytes } from "../../model/units.js";
import type { Profile } from "../../profile/model.js";
import { openRecording } from "../../store/recording-reader.js";
import type { NewDocument } from "./workspace.js";

const MAX_TEXT_BYTES = 512 * 1024 * 1024;

function describeProfile(profile: Profile): string {
  const types = profile.sampleTypes.map((t) => t.type).join(", ");
  const kind = profile.sampleTypes.some((t) => t.type.startsWith("inuse_") || t.type.startsWith("alloc_"))
    ? "heap profile"
    : profile.sampleTypes.some((t) => t.type === "goroutine")
      ? "goroutine profile"
      : "profile";
  return `${kind}: ${types || "no sample types"}; ${profile.samples.length} samples`;
}

export function profileDocument(name: string, profile: Profile): NewDocument {
  return { kind: "profile", name, profile, description: describeProfile(profile) };
}

function headBytes(path: string, length: number): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const buffer = new Uint8Array(length);
    const read = readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** A recording as a UI document (read-only; a recording still being written can be watched). */
export function recordingDocument(
  path: string,
  options: { live?: boolean; binary?: string } = {},
): NewDocument {
  if (options.binary !== undefined && !existsSync(options.binary))
    throw new InputError(options.binary, "no such file");
  const recording = openRecording(path);
  const summary = recording.summary();
  return {
    kind: "recording",
    name: path,
    recording,
    live: options.live,
    ...(options.binary !== undefined ? { binary: options.binary } : {}),
    description: options.live
      ? "recording in progress"
      : `recording: ${summary.heapSnapshots} heap snapshots, ${summary.memstatsSamples} MemStats samples, ${summary.gcCycles} GC cycles${summary.complete ? "" : " (incomplete)"}`,
  };
}

/** A heap dump file as a UI document: only its size is read now; the retention view reads it. */
export function heapDumpDocument(path: string, size: number, binary?: string): NewDocument {
  if (binary !== undefined && !existsSync(binary)) throw new InputError(binary, "no such file");
  return {
    kind: "heapdump",
    name: path,
    path,
    ...(binary !== undefined ? { binary } : {}),
    description: `Go heap dump, ${formatBytes(size)}${binary ? "" : " (no --binary: globals unnamed)"}`,
  };
}

export async function loadUiInput(
  spec: string,
  options: { timeoutMs?: number; binary?: string } = {},
): Promise<NewDocument> {
  if (/^https?:\/\//i.test(spec) || spec === "-" || (spec.includes("#") && !existsSync(spec))) {
    const parsed = await readProfileInput(spec, { timeoutMs: options.timeoutMs });
    return profileDocument(spec, parsed.profile);
  }
  if (!existsSync(spec)) throw new InputError(spec, "no such file");
  const stat = statSync(spec);
  if (stat.isDirectory()) throw new InputError(spec, "is a directory");
  if (stat.size === 0) throw new InputError(spec, "empty file");
  const kind = sniffInput(headBytes(spec, SNIFF_BYTES));
  switch (kind) {
    case "recording":
      return recordingDocument(spec, options.binary !== undefined ? { binary: options.binary } : {});
    case "gzip":
    case "pprof-proto":
    case "binary":
      // The profile decoder says what is wrong with binary data that is not a profile.
      return profileDocument(spec, (await readProfileInput(spec)).profile);
    case "go-heap-dump":
      return heapDumpDocument(spec, stat.size, options.binary);
  }
  if (stat.size > MAX_TEXT_BYTES)
    throw new InputError(spec, `text input larger than ${formatBytes(MAX_TEXT_BYTES)}`);
  return textDocument(spec, readFileSync(spec, "utf8"));
}

/** A text input as a document, by its kind; a log whose start says nothing is tried as gctrace, then MemStats. */
function textDocument(spec: string, text: string): NewDocument {
  const kind = sniffText(text);
  switch (kind) {
    case "pprof-legacy-heap":
      try {
        return profileDocument(spec, parseProfileBytes(new TextEncoder().encode(text), spec).profile);
      } catch (error) {
        if (error instanceof HeapscopeError) throw new InputError(spec, error.message);
        throw error;
      }
    case "goroutine-dump": {
      const snapshot = readGoroutineDump(text);
      return {
        kind: "goroutines",
        name: spec,
        snapshot,
        description: `goroutine dump: ${snapshot.total} goroutines in ${snapshot.groups.length} groups`,
      };
    }
    case "go-bench":
      throw new InputError(spec, `${describeInputKind(kind)}; compare benchmark runs with heapscope bench`);
  }
  const trace = parseGcTrace(text);
  if (trace.cycleLines > 0) {
    const run = trace.runs[trace.targetRunIndex];
    return {
      kind: "gctrace",
      name: spec,
      trace,
      description: `gctrace log: ${run?.cycleCount ?? trace.cycleLines} GC cycles`,
    };
  }
  try {
    const series = detectAndParseMemStatsSeries(text, spec);
    if (series.samples.length > 0) {
      return {
        kind: "memstats",
        name: spec,
        series,
        description: `MemStats (${series.format}): ${series.samples.length} samples`,
      };
    }
  } catch (error) {
    if (!(error instanceof HeapscopeError)) throw error;
  }
  throw new InputError(spec, "not a profile, recording, gctrace log, MemStats series or goroutine dump");
}
