import type { Command } from "commander";
import { addReportOptions, type ReportFlags } from "../report-options.js";

export function register(program: Command): void {
  const command = program
    .command("peek")
    .description("callers and callees of functions matching a regex, byte-identical to `go tool pprof -peek`")
    .argument("<regex>", "functions to show (Go regular expression, unanchored)")
    .argument("<profile...>", "profile files, - for stdin, URLs, or recording.db#N; several are merged");
  addReportOptions(command, "peek");
  command.addHelpText("after", "\nExample:\n  $ heapscope peek 'main\\.(load|cache)' heap.pb.gz");
  command.action(async (regex: string, profiles: string[], flags: ReportFlags) => {
    const { loadReport } = await import("../report-options.js");
    const report = await loadReport(profiles, flags, "peek", regex);
    const { renderTree } = await import("../../render/pprof/tree.js");
    process.stdout.write(renderTree(report));
  });
}
