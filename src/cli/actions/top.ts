/** `heapscope top`: what it does. Its arguments, options and help are in ../commands/top.ts. */
import { resolveFormat, writeJson, writeOut } from "../output.js";
import type { ReportFlags } from "../report-options.js";

/** `heapscope top`. */
export async function topAction(
  profiles: string[],
  flags: ReportFlags & { format?: string; json?: boolean },
): Promise<void> {
  const format = resolveFormat(flags);
  const { loadReport } = await import("../report-options.js");
  const report = await loadReport(profiles, flags, "top");
  const { buildTopReport, renderTopMarkdown, topJson } = await import("../../render/pprof/top.js");
  const top = buildTopReport(report);
  if (format === "json") writeJson(topJson(top));
  else if (format === "markdown") writeOut(renderTopMarkdown(top));
  else process.stdout.write(top.text);
}
