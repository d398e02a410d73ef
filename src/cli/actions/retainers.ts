/** `heapscope retainers`: what it does. Its arguments, options and help are in ../commands/retainers.ts. */
import { UsageError } from "../../errors.js";
import { resolveFormat, writeJson, writeOut } from "../output.js";

interface RetainersFlags {
  binary?: string;
  token?: string;
  hookDir?: string;
  top?: string;
  sourcePath?: string;
  gc?: boolean;
  format?: string;
  json?: boolean;
}

/** `heapscope retainers`. */
export async function retainersAction(source: string, flags: RetainersFlags): Promise<void> {
  const format = resolveFormat(flags, ["text", "json"]);
  const top = Number(flags.top ?? "10");
  if (!Number.isInteger(top) || top < 1)
    throw new UsageError(`--top: expected a positive integer, got ${flags.top}`);
  const { loadHeapDumpSource } = await import("../../collect/heap-dump-source.js");
  const { analyzeHeapDumpRetention } = await import("../../collect/heap-dump-retention.js");
  const { checkSourcePath } = await import("../../collect/go-source-files.js");
  const { readHeapDumpChecked } = await import("./retainers-read.js");
  const { retainersTextLines, retentionJson } = await import("../../render/retention-report.js");
  const sourcePath = flags.sourcePath ? checkSourcePath(flags.sourcePath) : undefined;
  const loaded = await loadHeapDumpSource(source, {
    ...(flags.token ? { token: flags.token } : {}),
    ...(flags.hookDir ? { hookDir: flags.hookDir } : {}),
    gc: flags.gc !== false,
  });
  const dump = readHeapDumpChecked(loaded.bytes, source);
  // An explicit --binary wins over the one a recording kept (and is refused if it did not write the dump).
  const binary = flags.binary ?? loaded.binary ?? loaded.binaryPath;
  const { summary } = analyzeHeapDumpRetention(dump, {
    top,
    ...(binary ? { binary } : {}),
    ...(sourcePath ? { sourcePath } : {}),
  });
  if (format === "json") writeJson(retentionJson(summary));
  else writeOut(retainersTextLines(summary, top).join("\n"));
}
