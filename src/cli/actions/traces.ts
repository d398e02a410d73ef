/** `heapscope traces`: what it does. Its arguments, options and help are in ../commands/traces.ts. */
import type { ReportFlags } from "../report-options.js";

/** `heapscope traces`. */
export async function tracesAction(profiles: string[], flags: ReportFlags): Promise<void> {
  const { loadReport } = await import("../report-options.js");
  const report = await loadReport(profiles, flags, "traces");
  const { renderTraces } = await import("../../render/pprof/traces.js");
  process.stdout.write(renderTraces(report));
}
