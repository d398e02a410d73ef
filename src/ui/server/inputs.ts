/**
 * What `heapscope ui FILE...` accepts, recognised from the content: a recording (SQLite), a profile
 * (profile.proto, gzipped or not, or legacy heap text; also URLs and FILE#N recording snapshots),
 * a goroutine dump, a gctrace log, or a MemStats series. Anything else is one clear InputError.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { readProfileInput } from "../../collect/profile-source.js";
import { HeapscopeError, InputError } from "../../errors.js";
import { parseGcTrace } from "../../formats/gctrace/stream-parser.js";
import { looksLikeGoroutineDump, parseGoroutineDump } from "../../formats/goroutine-dump.js";
import { detectAndParseMemStatsSeries } from "../../formats/memstats.js";
import { parseProfileBytes } from "../../formats/profile-bytes.js";
import type { Profile } from "../../profile/model.js";
import { isRecordingHeader, openRecording } from "../../store/recording-reader.js";
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

function looksText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 4096);
  let suspicious = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b < 0x09 || (b > 0x0d && b < 0x20)) suspicious++;
  }
  return suspicious <= Math.max(2, head.length * 0.02);
}

/** A recording as a UI document (read-only; a recording still being written can be watched). */
export function recordingDocument(path: string, options: { live?: boolean } = {}): NewDocument {
  const recording = openRecording(path);
  const summary = recording.summary();
  return {
    kind: "recording",
    name: path,
    recording,
    live: options.live,
    description: options.live
      ? "recording in progress"
      : `recording: ${summary.heapSnapshots} heap snapshots, ${summary.memstatsSamples} MemStats samples, ${summary.gcCycles} GC cycles${summary.complete ? "" : " (incomplete)"}`,
  };
}

export async function loadUiInput(spec: string, options: { timeoutMs?: number } = {}): Promise<NewDocument> {
  if (/^https?:\/\//i.test(spec) || spec === "-" || (spec.includes("#") && !existsSync(spec))) {
    const parsed = await readProfileInput(spec, { timeoutMs: options.timeoutMs });
    return profileDocument(spec, parsed.profile);
  }
  if (!existsSync(spec)) throw new InputError(spec, "no such file");
  const stat = statSync(spec);
  if (stat.isDirectory()) throw new InputError(spec, "is a directory");
  if (stat.size === 0) throw new InputError(spec, "empty file");
  const head = headBytes(spec, 4096);
  if (isRecordingHeader(head)) return recordingDocument(spec);
  const isGzip = head[0] === 0x1f && head[1] === 0x8b;
  if (isGzip || !looksText(head)) {
    const parsed = await readProfileInput(spec);
    return profileDocument(spec, parsed.profile);
  }
  if (stat.size > MAX_TEXT_BYTES) throw new InputError(spec, "text input larger than 512 MiB");
  const text = readFileSync(spec, "utf8");
  const firstLine = text.slice(0, 256).trimStart();
  if (/^(heap profile:|heap_v2\/)/.test(firstLine)) {
    try {
      return profileDocument(spec, parseProfileBytes(new TextEncoder().encode(text), spec).profile);
    } catch (error) {
      if (error instanceof HeapscopeError) throw new InputError(spec, error.message);
      throw error;
    }
  }
  if (looksLikeGoroutineDump(text)) {
    const snapshot = parseGoroutineDump(text);
    return {
      kind: "goroutines",
      name: spec,
      snapshot,
      description: `goroutine dump: ${snapshot.total} goroutines in ${snapshot.groups.length} groups`,
    };
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
