/**
 * The doctor's verdict for the UI's panel: a recording is turned into the diagnosis core's input
 * (profiles decoded lazily, one at a time), `diagnose` runs, and the result is projected to what
 * the panel lays out. Suspects name a frame so the panel can link into the flame graph.
 */
import { diagnose } from "../../diagnose/diagnose.js";
import type { DiagnosisInput, GoroutineSnapshotInput } from "../../diagnose/input.js";
import type { Diagnosis } from "../../diagnose/types.js";
import { UsageError } from "../../errors.js";
import type { GcCycle } from "../../formats/gctrace.js";
import { goroutineSnapshotFromProfile, parseGoroutineDump } from "../../formats/goroutine-dump.js";
import type { MemStatsSample } from "../../formats/memstats-fields.js";
import { parseProfileBytes } from "../../formats/profile-bytes.js";
import type { RecordingReader } from "../../store/recording-reader.js";
import type { DiagnosisView } from "../shared/api-types.js";
import type { SourceRoots } from "./source-files.js";
import type { UiDocument } from "./workspace.js";

/** The diagnosis input of a recording; times are seconds since the recording's first data. */
export function recordingDiagnosisInput(
  name: string,
  recording: RecordingReader,
  readSource?: (file: string) => string | undefined,
): DiagnosisInput {
  const samples = recording.samples();
  const snapshots = recording.heapSnapshots();
  const memstats = recording.memstatsSamples();
  const goroutines = recording.goroutineSnapshots();
  const origin = Math.min(
    ...[recording.startedMs, samples[0]?.startedMs, snapshots[0]?.atMs, memstats[0]?.atMs].filter(
      (v): v is number => typeof v === "number",
    ),
  );
  const t = (ms: number) => (ms - origin) / 1000;
  const decoder = new TextDecoder();
  const goroutineInputs: GoroutineSnapshotInput[] = [];
  // Counting goroutines needs one source: prefer the profiles (every sample), else the dumps.
  const kinds = goroutines.some((g) => g.kind === "profile" && !g.thinned) ? ["profile"] : ["dump"];
  for (const g of goroutines) {
    if (g.thinned || !kinds.includes(g.kind)) continue;
    try {
      const bytes = recording.goroutineSnapshotBytes(g.id);
      const snapshot =
        g.kind === "dump"
          ? parseGoroutineDump(decoder.decode(bytes), { keepGoroutines: false })
          : goroutineSnapshotFromProfile(parseProfileBytes(bytes, `${name} goroutines`).profile);
      goroutineInputs.push({ tSeconds: t(g.atMs), snapshot });
    } catch {
      // A snapshot that does not parse is left out; the others still tell the trend.
    }
  }
  const exit = recording.targetExit;
  return {
    subject: name,
    heapSnapshots: snapshots.map((s) => ({
      tSeconds: t(s.atMs),
      gcForced: s.gcForced,
      inuseBytes: s.inuseBytes,
      inuseObjects: s.inuseObjects,
      loadProfile:
        s.thinned || s.index === null
          ? undefined
          : () =>
              parseProfileBytes(recording.heapSnapshotBytes(String(s.index)), `${name}#${s.index}`).profile,
    })),
    goroutineSnapshots: goroutineInputs,
    memStats: memstats.map((m) => ({ tSeconds: t(m.atMs), sample: m.sample as unknown as MemStatsSample })),
    rss: samples
      .filter((s) => s.rssBytes !== null)
      .map((s) => ({ tSeconds: t(s.startedMs), rssBytes: s.rssBytes! })),
    gcCycles: recording
      .gcCycles()
      .map((c) => ({ tSeconds: c.atSeconds ?? t(c.receivedMs), cycle: c.fields as unknown as GcCycle })),
    targetExit: exit
      ? { tSeconds: t(exit.atMs), code: exit.code, signal: exit.signal, outOfMemory: false }
      : null,
    readSource,
  };
}

function formatRate(bytesPerSecond: number): string {
  const perMinute = bytesPerSecond * 60;
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = Math.abs(perMinute);
  let u = 0;
  while (value >= 1024 && u < units.length - 1) {
    value /= 1024;
    u++;
  }
  return `${perMinute < 0 ? "-" : "+"}${value.toFixed(value >= 100 ? 0 : 1)} ${units[u]}/min`;
}

/** What the panel shows of a Diagnosis. */
export function diagnosisView(diagnosis: Diagnosis): DiagnosisView {
  return {
    verdict: diagnosis.verdict,
    headline: diagnosis.summary,
    confidence: diagnosis.toDecide,
    suspects: diagnosis.suspects.map((s) => ({
      title:
        s.kind === "goroutines"
          ? `${s.function}: ${s.goroutines ?? "?"} goroutines${s.state ? ` (${s.state})` : ""}`
          : `${s.function}: ${formatRate(s.growthBytesPerSecond)} (${Math.round(s.shareOfGrowth * 100)}% of the growth)`,
      detail: s.hint,
      functionName: s.function || null,
      evidence: [`${s.file}:${s.line}`, ...s.stack.slice(0, 6).map((frame) => `  ${frame}`)],
    })),
    hints: [
      ...diagnosis.reasons,
      ...diagnosis.hints.map((h) => `${h.title}: ${h.hypothesis} ${h.fix}`),
      diagnosis.caveat,
    ].filter((line) => line !== ""),
    raw: diagnosis,
  };
}

/** The default doctor for `heapscope ui RECORDING`. */
export function diagnoseDocument(doc: UiDocument, sources: SourceRoots): DiagnosisView {
  if (doc.kind !== "recording") {
    throw new UsageError(`the doctor panel is for recordings, not ${doc.kind} inputs`);
  }
  const readSource = (file: string) => {
    const content = sources.read(file);
    return "lines" in content ? content.lines.join("\n") : undefined;
  };
  return diagnosisView(diagnose(recordingDiagnosisInput(doc.name, doc.recording, readSource)));
}
