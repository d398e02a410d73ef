import type { Command } from "commander";
import { addReportOptions, type ReportFlags } from "../report-options.js";

export function register(program: Command): void {
  const command = program
    .command("tags")
    .description(
      "totals per label value (for heap profiles: allocation sizes), byte-identical to `go tool pprof -tags`",
    )
    .argument("<profile...>", "profile files, - for stdin, URLs, or recording.db#N; several are merged");
  addReportOptions(command, "tags");
  command.addHelpText("after", "\nExample:\n  $ heapscope tags --sample-index=alloc_space heap.pb.gz");
  command.action(async (profiles: string[], flags: ReportFlags) => {
    const { loadReport } = await import("../report-options.js");
    const report = await loadReport(profiles, flags, "tags");
    const { renderTags } = await import("../../render/pprof/tags.js");
    process.stdout.write(renderTags(report));
  });
}
