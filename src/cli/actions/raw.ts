/** `heapscope raw`: what it does. Its arguments, options and help are in ../commands/raw.ts. */
import type { ReportFlags } from "../report-options.js";

/** `heapscope raw`. */
export async function rawAction(profiles: string[], flags: ReportFlags): Promise<void> {
  const { loadReport } = await import("../report-options.js");
  const report = await loadReport(profiles, flags, "raw");
  const { renderRaw } = await import("../../render/pprof/raw.js");
  process.stdout.write(renderRaw(report.profile));
}
