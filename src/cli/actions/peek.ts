/** `heapscope peek`: what it does. Its arguments, options and help are in ../commands/peek.ts. */
import type { ReportFlags } from "../report-options.js";

/** `heapscope peek`. */
export async function peekAction(regex: string, profiles: string[], flags: ReportFlags): Promise<void> {
  const { loadReport } = await import("../report-options.js");
  const report = await loadReport(profiles, flags, "peek", regex);
  const { renderTree } = await import("../../render/pprof/tree.js");
  process.stdout.write(renderTree(report));
}
