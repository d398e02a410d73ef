import type { Command } from "commander";
import { addFormatOptions, resolveFormat, writeJson, writeOut } from "../output.js";

export function register(program: Command): void {
  const command = program
    .command("inspect")
    .description("show what a recording (.hsrec) holds: target, samples, snapshots, gaps, errors, thinning")
    .argument("<recording>", "recording file written by heapscope record")
    .option("--check", "also run SQLite's integrity check (reads the whole file)");
  addFormatOptions(command);
  command.addHelpText(
    "after",
    "\nExamples:\n  $ heapscope inspect soak.hsrec\n  $ heapscope inspect --json soak.hsrec | jq .heapSnapshots",
  );
  command.action(async (file: string, flags: { check?: boolean; format?: string; json?: boolean }) => {
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
        integrity: flags.check ? recording.integrityCheck() : undefined,
      });
      if (format === "json") writeJson(report);
      else writeOut(renderInspectReport(report, format));
    } finally {
      recording.close();
    }
  });
}
