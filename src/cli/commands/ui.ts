/** `heapscope ui`: arguments, options and help. What it does is ../actions/ui.ts, imported when it runs. */
import type { Command } from "commander";
import type { uiAction } from "../actions/ui.js";

export function define(command: Command): void {
  command
    .argument(
      "<input...>",
      "profiles (files, URLs, recording#N), a recording, a gctrace log, a MemStats series, a goroutine dump or a Go heap dump",
    )
    .option(
      "--binary <file>",
      "the Go binary that wrote a heap dump input (or a recording's kept dump, instead of the binary the recording kept): names globals and closures, types from DWARF",
    )
    .option("--port <n>", "port to listen on (default: a free port)")
    .option("--host <addr>", "address to bind (default 127.0.0.1); other addresses require the printed token")
    .option("--no-open", "do not open a browser")
    .option("--source-path <paths>", "directories (colon-separated) whose .go files the source view may show")
    .addHelpText(
      "after",
      "\nExamples:\n  $ heapscope ui heap.pb.gz\n  $ heapscope ui before.pb.gz after.pb.gz --source-path .\n  $ heapscope ui recording.hsrec --host 0.0.0.0 --port 8080 --no-open\n  $ heapscope ui heap.dump --binary ./server",
    )
    .action(async (...args: Parameters<typeof uiAction>) =>
      (await import("../actions/ui.js")).uiAction(...args),
    );
}
