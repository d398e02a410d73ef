/**
 * Builds the diagnosis core's input from what `doctor` was given: a recording (.hsrec), or heap
 * profiles (files, URLs, FILE#N) with an optional gctrace log. I/O lives here; src/diagnose is pure.
 *
 * Recordings can be day-long: heap profiles are loaded lazily (the core decodes at most a bounded
 * number, one at a time), goroutine series come from the stored summaries, and only the last
 * goroutine dump is decoded in full (for states and wait times).
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { readGoroutineDump, readGoroutineProfile } from "../analysis/goroutine-groups.js";
import type { DiagnosisInput, GoroutineSnapshotInput, HeapSnapshotInput } from "../diagnose/input.js";
import { type BuildInfo, readEmbeddedBuildInfo } from "../diagnose/module-path.js";
import { InputError } from "../errors.js";
import { parseGcTrace } from "../formats/gctrace/index.js";
import { parseProfileBytes } from "../formats/profile-bytes.js";
import { describeInputKind, looksBinary, SNIFF_BYTES, sniffInput } from "../formats/sniff.js";
import type { GoroutineSnapshot } from "../model/goroutine.js";
import type { MemStatsSample } from "../model/memstats.js";
import type { GoroutineSnapshotInfo, GoroutineSnapshotSummary } from "../model/recording.js";
import { openRecording, type RecordingReader } from "../store/recording-reader.js";
import { readProfileInput } from "./profile-source.js";

const MAX_SOURCE_BYTES = 4 << 20;
const MAX_BINARY_BYTES = 1 << 30;

/** Reads source files named in profiles, when they exist on this machine. */
export function localSourceReader(): (file: string) => string | undefined {
  return (file: string) => {
    if (!path.isAbsolute(file)) return undefined;
    try {
      const stat = statSync(file);
      if (!stat.isFile() || stat.size > MAX_SOURCE_BYTES) return undefined;
      return readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
  };
}

function summaryToSnapshot(
  summary: GoroutineSnapshotSummary,
  total: number,
  kind: string,
): GoroutineSnapshot {
  return {
    format: kind === "dump" ? "debug2" : "proto",
    total,
    groups: summary.topGroups.map((g) => ({
      count: g.count,
      state: g.state,
      waitMinutes:
        g.waitMinutesMax !== null && g.waitMinutesMax !== undefined
          ? { min: 0, max: g.waitMinutesMax }
          : null,
      lockedToThread: false,
      leaked: 0,
      frames: g.stack.map((func) => ({ func })),
      createdBy: g.createdBy ? { func: g.createdBy } : null,
      goroutineIds: [],
      key: g.stack.join("|"),
    })),
    skippedLines: 0,
    leaked: 0,
    dumps: 1,
  };
}

function decodeGoroutineSnapshot(
  reader: RecordingReader,
  info: GoroutineSnapshotInfo,
): GoroutineSnapshot | null {
  try {
    const bytes = reader.goroutineSnapshotBytes(info.id);
    if (info.kind === "dump")
      return readGoroutineDump(new TextDecoder().decode(bytes), { keepGoroutines: false });
    return readGoroutineProfile(parseProfileBytes(bytes, `goroutine snapshot ${info.id}`).profile);
  } catch {
    return null;
  }
}

export interface RecordingInputOptions {
  modulePath?: string;
  buildInfo?: BuildInfo;
  /** Recognised from the launched program's stderr (doctor -- CMD). */
  outOfMemoryEvidence?: string;
  launched?: boolean;
  requestedDurationSeconds?: number;
  /**
   * Judge the recording as it stood when the sample that started this many seconds after the first
   * one had been written (a look of doctor --duration auto, replayed on a finished recording): later
   * samples, what they fetched, gctrace cycles received after the next sample started, and the
   * target's exit are left out. Unset: the whole recording.
   */
  untilSeconds?: number;
}

/** What a recording limited to its first seconds keeps (see RecordingInputOptions.untilSeconds). */
export interface RecordingCutoff {
  /** Samples kept: ids up to and including this one. */
  lastSampleId: number;
  /** Anything timed (gctrace cycles, errors) is kept when received before this. */
  beforeMs: number;
}

/**
 * The cutoff for `untilSeconds` (pure): every sample started within that many seconds of the first
 * is kept; null when that is all of them (nothing to leave out).
 */
export function recordingCutoff(
  samples: readonly { id: number; startedMs: number }[],
  untilSeconds: number | undefined,
): RecordingCutoff | null {
  if (untilSeconds === undefined || samples.length === 0) return null;
  const limit = samples[0].startedMs + untilSeconds * 1000;
  // Half a millisecond of slack: the look computes the seconds from the same whole-millisecond times.
  const next = samples.findIndex((s) => s.startedMs > limit + 0.5);
  if (next <= 0) return null;
  return { lastSampleId: samples[next - 1].id, beforeMs: samples[next].startedMs };
}

/** A recording → DiagnosisInput. The reader must stay open until the diagnosis is done. */
export function inputFromRecording(
  reader: RecordingReader,
  options: RecordingInputOptions = {},
): DiagnosisInput {
  const allSamples = reader.samples();
  const cutoff = recordingCutoff(allSamples, options.untilSeconds);
  const kept = <T extends { sampleId: number }>(rows: T[]): T[] =>
    cutoff ? rows.filter((row) => row.sampleId <= cutoff.lastSampleId) : rows;
  const samples = cutoff ? allSamples.filter((s) => s.id <= cutoff.lastSampleId) : allSamples;
  const heapInfos = kept(reader.heapSnapshots());
  const t0 = Math.min(
    samples[0]?.startedMs ?? Number.POSITIVE_INFINITY,
    heapInfos[0]?.atMs ?? Number.POSITIVE_INFINITY,
    reader.startedMs ?? Number.POSITIVE_INFINITY,
  );
  const base = Number.isFinite(t0) ? t0 : 0;
  const seconds = (ms: number) => (ms - base) / 1000;

  const heapSnapshots: HeapSnapshotInput[] = heapInfos.map((info) => ({
    tSeconds: seconds(info.atMs),
    gcForced: info.gcForced,
    inuseBytes: info.inuseBytes,
    inuseObjects: info.inuseObjects,
    loadProfile:
      info.index === null
        ? undefined
        : () => {
            try {
              return parseProfileBytes(
                reader.heapSnapshotBytes(String(info.index)),
                `${reader.path}#${info.index}`,
              ).profile;
            } catch {
              return null;
            }
          },
  }));

  const profiles = kept(reader.goroutineSnapshots("profile"));
  const dumps = kept(reader.goroutineSnapshots("dump"));
  const series = profiles.length > 0 ? profiles : dumps;
  const goroutineSnapshots: GoroutineSnapshotInput[] = [];
  for (const info of series) {
    if (info.summary && info.total !== null) {
      goroutineSnapshots.push({
        tSeconds: seconds(info.atMs),
        snapshot: summaryToSnapshot(info.summary, info.total, info.kind),
      });
    }
  }
  // The last dump in full: states, wait times, creators and lines for the growing groups.
  const lastDump = [...dumps].reverse().find((d) => !d.thinned);
  if (lastDump) {
    const snapshot = decodeGoroutineSnapshot(reader, lastDump);
    if (snapshot) goroutineSnapshots.push({ tSeconds: seconds(lastDump.atMs) + 1e-3, snapshot });
  }
  goroutineSnapshots.sort((a, b) => a.tSeconds - b.tSeconds);

  const memStats = kept(reader.memstatsSamples()).map((record) => ({
    tSeconds: seconds(record.atMs),
    sample: record.sample as unknown as MemStatsSample,
  }));
  const rss = samples
    .filter((s) => s.rssBytes !== null)
    .map((s) => ({ tSeconds: seconds(s.finishedMs), rssBytes: s.rssBytes! }));
  const gcCycles = gcCycleInputs(reader, cutoff);

  const exit = cutoff ? null : reader.targetExit;
  const endedEarly = reader.endReason === "target-exited";
  let outOfMemory = false;
  let outOfMemoryEvidence: string | undefined;
  if (exit && options.outOfMemoryEvidence) {
    outOfMemory = true;
    outOfMemoryEvidence = options.outOfMemoryEvidence;
  } else if (exit && endedEarly && exit.signal === "SIGKILL") {
    outOfMemory = true;
    outOfMemoryEvidence = "killed by SIGKILL before the observation ended, as the kernel's OOM killer does";
  }
  const notes: string[] = [];
  const errors = reader.errors().filter((e) => !cutoff || e.atMs < cutoff.beforeMs);
  if (heapInfos.length === 0) {
    const heapError = errors.find((e) => e.source === "heap");
    notes.push(
      heapError
        ? `No heap profile could be fetched (${heapError.message}); serve net/http/pprof to get per-site suspects.`
        : "The recording holds no heap profiles (is net/http/pprof served?).",
    );
  }
  return {
    subject: reader.target.url ?? reader.target.command?.join(" ") ?? reader.path,
    requestedDurationSeconds: options.requestedDurationSeconds,
    heapSnapshots,
    goroutineSnapshots,
    memStats,
    rss,
    gcCycles,
    memoryLimit: reader.target.memoryLimit ?? null,
    targetExit: exit
      ? {
          tSeconds: seconds(exit.atMs),
          code: exit.code,
          signal: exit.signal,
          outOfMemory,
          outOfMemoryEvidence,
        }
      : null,
    modulePath: options.modulePath ?? options.buildInfo?.modulePath,
    buildInfo: options.buildInfo,
    readSource: localSourceReader(),
    notes,
    launched: options.launched,
  };
}

export function openRecordingForDoctor(file: string): RecordingReader {
  return openRecording(file);
}

/** Heap profiles in time order (+ an optional gctrace log) → DiagnosisInput. */
export async function inputFromProfiles(
  specs: string[],
  options: { gctrace?: string; modulePath?: string },
): Promise<DiagnosisInput> {
  const parsed = [];
  for (const spec of specs) parsed.push(await readProfileInput(spec));
  const notes: string[] = [];
  const times = parsed.map((p) => Number(p.profile.timeNanos) / 1e9);
  const haveTimes = times.every((t) => t > 0) && times.every((t, i) => i === 0 || t >= times[i - 1]);
  if (!haveTimes) {
    notes.push(
      "The profiles carry no usable timestamps; they are taken as one second apart, in the order given.",
    );
  }
  const t0 = haveTimes ? times[0] : 0;
  const heapSnapshots: HeapSnapshotInput[] = parsed.map((p, i) => {
    if (!p.profile.sampleTypes.some((t) => t.type === "inuse_space")) {
      throw new InputError(
        p.source,
        "not a heap profile (no inuse_space samples); doctor needs /debug/pprof/heap profiles",
      );
    }
    return {
      tSeconds: haveTimes ? times[i] - t0 : i,
      gcForced: false,
      loadProfile: () => p.profile,
    };
  });
  const input: DiagnosisInput = {
    subject:
      specs.length > 3
        ? `${specs[0]} … ${specs[specs.length - 1]} (${specs.length} profiles)`
        : specs.join(", "),
    heapSnapshots,
    goroutineSnapshots: [],
    memStats: [],
    rss: [],
    gcCycles: [],
    modulePath: options.modulePath,
    readSource: localSourceReader(),
    notes,
  };
  if (options.gctrace) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(options.gctrace);
    } catch (error) {
      throw new InputError(
        options.gctrace,
        `cannot read the gctrace log (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
    }
    const kind = sniffInput(bytes.subarray(0, SNIFF_BYTES));
    const trace = looksBinary(bytes) ? undefined : parseGcTrace(bytes.toString("utf8"));
    const run = trace?.runs[trace.targetRunIndex];
    if (!run || run.cycles.length === 0) {
      const what = kind === "text" || kind === "gctrace" ? "" : `: this is ${describeInputKind(kind)}`;
      throw new InputError(options.gctrace, `no gctrace lines (gc N @Xs ...) found${what}`);
    }
    input.gcCycles = run.cycles.map((cycle) => ({ tSeconds: cycle.atSeconds, cycle }));
  }
  return input;
}

/** The build info of the program a command line launches, when its binary can be found and read. */
export function buildInfoOfCommand(command: string[]): BuildInfo | undefined {
  const program = command[0];
  if (!program || path.basename(program) === "go") return undefined;
  const candidates = program.includes("/")
    ? [path.resolve(program)]
    : (process.env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, program));
  for (const candidate of candidates) {
    try {
      const stat = statSync(candidate);
      if (!stat.isFile() || stat.size > MAX_BINARY_BYTES) continue;
      return readEmbeddedBuildInfo(new Uint8Array(readFileSync(candidate)));
    } catch {
      // not there; try the next PATH entry
    }
  }
  return undefined;
}

/** The recording's gctrace cycles, with the heap sizes gctrace's own judgement needs. */
function gcCycleInputs(reader: RecordingReader, cutoff: RecordingCutoff | null): DiagnosisInput["gcCycles"] {
  return reader
    .gcCycles()
    .filter((c) => c.liveHeapBytes !== null && c.atSeconds !== null)
    .filter((c) => !cutoff || c.receivedMs < cutoff.beforeMs)
    .map((c) => ({
      tSeconds: c.atSeconds!,
      cycle: {
        liveHeapBytes: c.liveHeapBytes!,
        goalBytes: c.goalBytes ?? 0,
        forced: c.forced,
        // What gctrace judges (the live heap at mark start) needs the cycle's heap sizes.
        ...numericFields(c.fields, ["heapStartBytes", "heapEndBytes"]),
      },
    }));
}

function numericFields<K extends string>(
  fields: Record<string, unknown>,
  keys: K[],
): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const key of keys) {
    const value = fields[key];
    if (typeof value === "number" && Number.isFinite(value)) out[key] = value;
  }
  return out;
}
