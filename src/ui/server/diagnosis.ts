/**
 * The doctor's verdict for the UI's panel: a recording is turned into the diagnosis core's input by
 * the doctor's own builder (so the panel says what `heapscope doctor` says), `diagnose` runs, and
 * the result is projected to what the panel lays out. Suspects name a frame so the panel can link
 * into the flame graph. Source files are read only under --source-path.
 */
import { inputFromRecording } from "../../collect/doctor-input.js";
import { diagnose } from "../../diagnose/diagnose.js";
import type { Diagnosis } from "../../diagnose/types.js";
import { UsageError } from "../../errors.js";
import { formatSignedByteRate } from "../../model/units.js";
import type { DiagnosisView } from "../shared/api-types.js";
import type { SourceRoots } from "./source-files.js";
import type { UiDocument } from "./workspace.js";

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
          : `${s.function}: ${formatSignedByteRate(s.growthBytesPerSecond)} (${Math.round(s.shareOfGrowth * 100)}% of the growth)`,
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
  const input = inputFromRecording(doc.recording);
  input.subject = doc.name;
  input.readSource = readSource;
  return diagnosisView(diagnose(input));
}
