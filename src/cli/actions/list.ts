/** `heapscope list`: what it does. Its arguments, options and help are in ../commands/list.ts. */
import type { ReportFlags } from "../report-options.js";

/** `heapscope list`. */
export async function listAction(regex: string, profiles: string[], flags: ReportFlags): Promise<void> {
  const { loadReport, createSourceReader } = await import("../report-options.js");
  const report = await loadReport(profiles, flags, "list", regex);
  const { renderList } = await import("../../render/pprof/list.js");
  process.stdout.write(renderList(report, createSourceReader(flags.sourcePath, flags.trimPath)));
}
