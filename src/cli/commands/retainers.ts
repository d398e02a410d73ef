/** `heapscope retainers`: arguments, options and help. What it does is ../actions/retainers.ts, imported when it runs. */
import type { Command } from "commander";
import type { retainersAction } from "../actions/retainers.js";
import { addFormatOptions } from "../output.js";

export function define(command: Command): void {
  command
    .argument(
      "<source>",
      "a heap dump file, a hook address (http://127.0.0.1:PORT), or a recording with a dump",
    )
    .option(
      "--binary <file>",
      "the Go binary that wrote the dump: names globals and closures, types from DWARF (default: the binary a recording kept)",
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

A recording made by doctor --keep-dump also keeps the binary that wrote its dump, and retainers uses it
when no --binary is given. With a binary that has DWARF, holders gain their type and the field names along their path, and
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
  command.action(async (...args: Parameters<typeof retainersAction>) =>
    (await import("../actions/retainers.js")).retainersAction(...args),
  );
}
