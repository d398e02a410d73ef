import type { Command } from "commander";
import { addReportOptions, type ReportFlags } from "../report-options.js";

export function register(program: Command): void {
  const command = program
    .command("list")
    .description("annotated source of functions matching a regex, byte-identical to `go tool pprof -list`")
    .argument("<regex>", "functions to list (Go regular expression, unanchored)")
    .argument("<profile...>", "profile files, - for stdin, URLs, or recording.db#N; several are merged");
  addReportOptions(command, "list");
  command.addHelpText(
    "after",
    "\nOnly .go files under --source-path (default: the current directory) are read.\n\nExample:\n  $ heapscope list 'main\\.loadCache' heap.pb.gz",
  );
  command.action(async (regex: string, profiles: string[], flags: ReportFlags) => {
    const { loadReport, createSourceReader } = await import("../report-options.js");
    const report = await loadReport(profiles, flags, "list", regex);
    const { renderList } = await import("../../render/pprof/list.js");
    process.stdout.write(renderList(report, createSourceReader(flags.sourcePath, flags.trimPath)));
  });
}
