import type { Command } from "commander";
import { addFormatOptions, resolveFormat, writeJson, writeOut } from "../output.js";
import { addReportOptions, type ReportFlags } from "../report-options.js";

export function register(program: Command): void {
  const command = program
    .command("top")
    .description("flat/cumulative table of a heap profile, byte-identical to `go tool pprof -top`")
    .argument("<profile...>", "profile files, - for stdin, URLs, or recording.db#N; several are merged");
  addReportOptions(command, "top");
  addFormatOptions(command);
  command.addHelpText(
    "after",
    "\nExamples:\n  $ heapscope top heap.pb.gz\n  $ heapscope top --sample-index=alloc_space --nodecount=20 http://127.0.0.1:6060/debug/pprof/allocs\n  $ heapscope top --diff-base before.pb.gz after.pb.gz",
  );
  command.action(async (profiles: string[], flags: ReportFlags & { format?: string; json?: boolean }) => {
    const format = resolveFormat(flags);
    const { loadReport } = await import("../report-options.js");
    const report = await loadReport(profiles, flags, "top");
    const { buildTopReport, renderTopMarkdown, topJson } = await import("../../render/pprof/top.js");
    const top = buildTopReport(report);
    if (format === "json") writeJson(topJson(top));
    else if (format === "markdown") writeOut(renderTopMarkdown(top));
    else process.stdout.write(top.text);
  });
}
