import type { Command } from "commander";
import { addReportOptions, type ReportFlags } from "../report-options.js";

export function register(program: Command): void {
  const command = program
    .command("tree")
    .description("each function with its callers and callees, byte-identical to `go tool pprof -tree`")
    .argument("<profile...>", "profile files, - for stdin, URLs, or recording.db#N; several are merged");
  addReportOptions(command, "tree");
  command.addHelpText("after", "\nExample:\n  $ heapscope tree --nodecount=30 heap.pb.gz");
  command.action(async (profiles: string[], flags: ReportFlags) => {
    const { loadReport } = await import("../report-options.js");
    const report = await loadReport(profiles, flags, "tree");
    const { renderTree } = await import("../../render/pprof/tree.js");
    process.stdout.write(renderTree(report));
  });
}
