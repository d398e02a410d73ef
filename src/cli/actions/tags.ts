/** `heapscope tags`: what it does. Its arguments, options and help are in ../commands/tags.ts. */
import type { ReportFlags } from "../report-options.js";

/** `heapscope tags`. */
export async function tagsAction(profiles: string[], flags: ReportFlags): Promise<void> {
  const { loadReport } = await import("../report-options.js");
  const report = await loadReport(profiles, flags, "tags");
  const { renderTags } = await import("../../render/pprof/tags.js");
  process.stdout.write(renderTags(report));
}
