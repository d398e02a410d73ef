/** `heapscope hook`: arguments, options and help. What it does is ../actions/hook.ts, imported when it runs. */
import type { Command } from "commander";
import type { hookAction } from "../actions/hook.js";
import { addFormatOptions } from "../output.js";

export function define(command: Command): void {
  command
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
  command.action(async (...args: Parameters<typeof hookAction>) =>
    (await import("../actions/hook.js")).hookAction(...args),
  );
}
