import type { Command } from "commander";
import { addReportOptions, type ReportFlags } from "../report-options.js";

export function register(program: Command): void {
  const command = program
    .command("traces")
    .description("every sample with its labels and stack, byte-identical to `go tool pprof -traces`")
    .argument("<profile...>", "profile files, - for stdin, URLs, or recording.db#N; several are merged");
  addReportOptions(command, "traces");
  command.addHelpText("after", "\nExample:\n  $ heapscope traces --focus=main.cache heap.pb.gz");
  command.action(async (profiles: string[], flags: ReportFlags) => {
    const { loadReport } = await import("../report-options.js");
    const report = await loadReport(profiles, flags, "traces");
    const { renderTraces } = await import("../../render/pprof/traces.js");
    process.stdout.write(renderTraces(report));
  });
}
