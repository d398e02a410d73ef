import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { addFormatOptions, resolveFormat, writeJson, writeOut } from "../output.js";

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

export function register(program: Command): void {
  const command = program
    .command("retainers")
    .description("what holds a Go program's heap: roots by retained bytes, from a heap dump")
    .argument(
      "<source>",
      "a heap dump file, a hook address (http://127.0.0.1:PORT), or a recording with a dump",
    )
    .option(
      "--binary <file>",
      "the Go binary that wrote the dump: names globals and closures, types from DWARF",
    )
    .option(
      "--source-path <dir>",
      "the module's Go sources: the lines that reslice a holder, go.mod's version",
    )
    .option("--token <token>", "the hook's token (default $HEAPSCOPE_HOOK_TOKEN)")
    .option("--hook-dir <dir>", "the hook's dump directory (default $HEAPSCOPE_HOOK_DIR)")
    .option("--no-gc", "ask the hook for a dump without running a GC first (lists garbage too)")
    .option("--top <n>", "holders to list", "10");
  addFormatOptions(command, ["text", "json"]);
  command.addHelpText(
    "after",
    `
Each holder is a root — a global, a goroutine's frames, a closure, a finalizer — with the bytes that
would become unreachable if it let go (its dominator subtree), its share of the reachable heap, and the
shortest path to the largest object it keeps. Alike roots are grouped (96 goroutines blocked in one
function are one holder). Runtime roots are listed apart: they are never the program's holder.
A heap dump holds every secret in the program's memory: heapscope reads a hook's dump once and
deletes it; it stores none.

With a --binary that has DWARF, holders gain their type and the field names along their path, and
slices that keep objects beyond their len or pin large arrays are findings, each with a fix for the
module's Go version and the statements to change (found under --source-path).

--json: {reachableBytes, heapAlloc, roots, holders, runtimeHolders, sharedBytes, limits, types,
sliceFindings, ...}; holders[] gain type, path[].field, slice and sourceLines.
Exit codes: 0 done, 2 bad input (not a dump, a --binary that did not write the dump, no token,
a --source-path that is not a directory).

Example:
  $ heapscope retainers heap.dump --binary ./server
  $ heapscope retainers heap.dump --binary ./server --source-path . --json
  $ HEAPSCOPE_HOOK_TOKEN=... HEAPSCOPE_HOOK_DIR=/tmp/hs heapscope retainers http://127.0.0.1:7070 --json`,
  );
  command.action(async (source: string, flags: RetainersFlags) => {
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
    const binary = flags.binary ?? loaded.binaryPath;
    const { summary } = analyzeHeapDumpRetention(dump, {
      top,
      ...(binary ? { binary } : {}),
      ...(sourcePath ? { sourcePath } : {}),
    });
    if (format === "json") writeJson(retentionJson(summary));
    else writeOut(retainersTextLines(summary, top).join("\n"));
  });
}
