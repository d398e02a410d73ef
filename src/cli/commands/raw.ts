import type { Command } from "commander";
import { addReportOptions, type ReportFlags } from "../report-options.js";

export function register(program: Command): void {
  const command = program
    .command("raw")
    .description(
      "the profile's samples, locations and mappings as text, byte-identical to `go tool pprof -raw`",
    )
    .argument("<profile...>", "profile files, - for stdin, URLs, or recording.db#N; several are merged");
  addReportOptions(command, "raw");
  command.addHelpText("after", "\nExample:\n  $ heapscope raw heap.pb.gz | less");
  command.action(async (profiles: string[], flags: ReportFlags) => {
    const { loadReport } = await import("../report-options.js");
    const report = await loadReport(profiles, flags, "raw");
    const { renderRaw } = await import("../../render/pprof/raw.js");
    process.stdout.write(renderRaw(report.profile));
  });
}
