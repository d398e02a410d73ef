import path from "node:path";
import type { Command } from "commander";
import { addFormatOptions, resolveFormat, writeJson, writeOut } from "../output.js";

interface HookFlags {
  force?: boolean;
  format?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command("hook")
    .description("write the heap-dump hook (heapscope_hook.go) into a Go main package")
    .argument("[dir]", "directory of the program's main package", ".")
    .option("--force", "replace a heapscope_hook.go that differs from this version's");
  addFormatOptions(command, ["text", "json"]);
  command.addHelpText(
    "after",
    `
The file is compiled only with -tags heapscope and does nothing unless HEAPSCOPE_HOOK_DIR is set, so it
can stay in the tree. With the variables below, it serves one loopback endpoint that writes a heap
dump (runtime/debug.WriteHeapDump) to a new 0600 file in HEAPSCOPE_HOOK_DIR. A dump holds every secret
in the program's memory: keep the directory private and delete dumps once read.
Programs started as \`go run ./pkg\` do not need this file: heapscope adds the hook to the build.

  HEAPSCOPE_HOOK_DIR     existing directory for the dumps (required)
  HEAPSCOPE_HOOK_ADDR    loopback address, e.g. 127.0.0.1:7070 (:0 picks a port, written to DIR/heapscope-hook.json)
  HEAPSCOPE_HOOK_TOKEN   secret of 16+ characters, sent as "Authorization: Bearer TOKEN"
  HEAPSCOPE_HOOK_SIGNAL  1: SIGUSR2 writes a dump too and prints its path to stderr

Exit codes: 0 written or already up to date, 2 not a main package or bad input.

Example:
  $ heapscope hook ./cmd/server && go build -tags heapscope -o server ./cmd/server
  $ HEAPSCOPE_HOOK_DIR=$(mktemp -d) HEAPSCOPE_HOOK_ADDR=127.0.0.1:7070 HEAPSCOPE_HOOK_TOKEN=$TOKEN ./server
  $ curl -X POST -H "Authorization: Bearer $TOKEN" 'http://127.0.0.1:7070/heapscope/heapdump?gc=1'`,
  );
  command.action(async (dir: string, flags: HookFlags) => {
    const format = resolveFormat(flags, ["text", "json"]);
    const { writeHookFile, HOOK_BUILD_TAG } = await import("../../collect/hook-file.js");
    const result = writeHookFile(dir, { force: flags.force });
    const buildCommand = `go build -tags ${HOOK_BUILD_TAG} ${packageArgument(dir)}`;
    if (format === "json") {
      writeJson({ path: result.path, action: result.action, buildTag: HOOK_BUILD_TAG, buildCommand });
      return;
    }
    const what = { written: "wrote", replaced: "replaced", unchanged: "up to date:" }[result.action];
    writeOut(`${what} ${result.path}\nbuild it in with: ${buildCommand}\n`);
  });
}

/** How `go build` names the package in `dir`: `.`, `./cmd/x`, or the absolute path. */
function packageArgument(dir: string): string {
  const normalized = path.normalize(dir);
  const argument =
    path.isAbsolute(dir) || normalized === "." || normalized.startsWith("..")
      ? normalized
      : `./${normalized}`;
  return /^[\w./-]+$/.test(argument) ? argument : `'${argument.replaceAll("'", "'\\''")}'`;
}
