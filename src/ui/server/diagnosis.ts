/**
 * The doctor's verdict for the UI's doctor page: a recording is turned into the diagnosis core's
 * input by the doctor's own builder (so the page says what `heapscope doctor` says), `diagnose`
 * runs, and the result is projected to what the page lays out: the verdict header, one card per
 * suspect (with its series, holders and source lines), the program's holders. Source files are
 * read only under --source-path.
 */
import { inputFromRecording } from "../../collect/doctor-input.js";
import { diagnose } from "../../diagnose/diagnose.js";
import type { Diagnosis, Suspect } from "../../diagnose/types.js";
import { UsageError } from "../../errors.js";
import type { RecordingReader } from "../../store/recording-reader.js";
import type { DiagnosisView, SourceExcerpt, SuspectCard } from "../shared/api-types.js";
import type { SourceRoots } from "./source-files.js";
import type { UiDocument } from "./workspace.js";

/** Lines shown above and below a suspect's line. */
const SOURCE_CONTEXT = 3;
/** At most this many points of a suspect's series go to the sparkline. */
const SPARKLINE_POINTS = 120;
const MAX_HOLDERS = 8;

type ReadLines = (file: string) => string[] | undefined;

function sourceExcerpt(s: Suspect, readLines: ReadLines): SourceExcerpt | null {
  if (!s.file || s.line <= 0) return null;
  const lines = readLines(s.file);
  if (!lines || s.line > lines.length) return null;
  const first = Math.max(1, s.line - SOURCE_CONTEXT);
  const last = Math.min(lines.length, s.line + SOURCE_CONTEXT);
  const marked = (s.heap?.lines ?? [])
    .filter((l) => l.file === s.file && l.line >= first && l.line <= last)
    .map((l) => l.line);
  return { file: s.file, firstLine: first, lines: lines.slice(first - 1, last), focus: s.line, marked };
}

/** Every k-th point (and the last), so a day-long series stays a small payload. */
function downsample(points: Suspect["series"]): Array<[number, number]> {
  const step = Math.max(1, Math.ceil(points.length / SPARKLINE_POINTS));
  const out: Array<[number, number]> = [];
  for (let k = 0; k < points.length; k += step) out.push([points[k]!.tSeconds, points[k]!.value]);
  const tail = points[points.length - 1];
  if (tail && out[out.length - 1]?.[0] !== tail.tSeconds) out.push([tail.tSeconds, tail.value]);
  return out;
}

function suspectCard(s: Suspect, readLines: ReadLines): SuspectCard {
  return {
    kind: s.kind,
    function: s.function,
    file: s.file,
    line: s.line,
    growthBytesPerSecond: s.growthBytesPerSecond,
    inuseBytes: s.inuseBytes,
    shareOfGrowth: s.shareOfGrowth,
    role: s.heap?.role ?? null,
    goroutines: s.goroutines ?? null,
    growthGoroutinesPerSecond: s.growthGoroutinesPerSecond ?? null,
    state: s.state ?? null,
    hint: s.hint,
    stack: s.stack,
    series: downsample(s.series),
    heldBy: s.heap?.heldBy ?? [],
    heldByNote: s.heap?.heldByNote ?? null,
    source: sourceExcerpt(s, readLines),
  };
}

/** What the doctor page shows of a Diagnosis. */
export function diagnosisView(
  diagnosis: Diagnosis,
  readLines: ReadLines = () => undefined,
  sourceAvailable = false,
): DiagnosisView {
  return {
    verdict: diagnosis.verdict,
    summary: diagnosis.summary,
    reasons: diagnosis.reasons,
    toDecide: diagnosis.toDecide,
    decision: diagnosis.decision ?? null,
    observation: diagnosis.observation,
    suspects: diagnosis.suspects.map((s) => suspectCard(s, readLines)),
    holders: diagnosis.retention?.holders.slice(0, MAX_HOLDERS) ?? [],
    hints: diagnosis.hints,
    caveat: diagnosis.caveat,
    sourceAvailable,
  };
}

/** The default doctor for `heapscope ui RECORDING`, in this thread (diagnosis-pool.ts runs it in a worker). */
export function diagnoseDocument(doc: UiDocument, sources: SourceRoots): DiagnosisView {
  if (doc.kind !== "recording") {
    throw new UsageError(`the doctor panel is for recordings, not ${doc.kind} inputs`);
  }
  return diagnoseRecording(doc.recording, doc.name, sources);
}

/** A recording's doctor page, its source excerpts read only under the source roots. */
export function diagnoseRecording(
  recording: RecordingReader,
  subject: string,
  sources: SourceRoots,
): DiagnosisView {
  const readLines = (file: string) => {
    const content = sources.read(file);
    return "lines" in content ? content.lines : undefined;
  };
  const input = inputFromRecording(recording);
  input.subject = subject;
  input.readSource = (file: string) => readLines(file)?.join("\n");
  return diagnosisView(diagnose(input), readLines, sources.available);
}
