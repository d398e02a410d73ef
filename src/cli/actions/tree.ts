/** `heapscope tree`: what it does. Its arguments, options and help are in ../commands/tree.ts. */
import type { ReportFlags } from "../report-options.js";

/** `heapscope tree`. */
export async function treeAction(profiles: string[], flags: ReportFlags): Promise<void> {
  const { loadReport } = await import("../report-options.js");
  const report = await loadReport(profiles, flags, "tree");
  const { renderTree } = await import("../../render/pprof/tree.js");
  process.stdout.write(renderTree(report));
}
