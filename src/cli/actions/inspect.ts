/** `heapscope inspect`: what it does. Its arguments, options and help are in ../commands/inspect.ts. */
import { resolveFormat, writeJson, writeOut } from "../output.js";

/** `heapscope inspect`. */
export async function inspectAction(
  file: string,
  flags: { check?: boolean; format?: string; json?: boolean },
): Promise<void> {
  const format = resolveFormat(flags);
  const { openRecording } = await import("../../store/recording-reader.js");
  const { buildInspectReport, renderInspectReport } = await import("../../render/inspect-report.js");
  const recording = openRecording(file);
  try {
    const report = buildInspectReport({
      summary: recording.summary(),
      heapSnapshots: recording.heapSnapshots(),
      errors: recording.errors(),
      gaps: recording.gaps(),
      heapDumps: recording.heapDumps(),
      integrity: flags.check ? recording.integrityCheck() : undefined,
    });
    if (format === "json") writeJson(report);
    else writeOut(renderInspectReport(report, format));
  } finally {
    recording.close();
  }
}
