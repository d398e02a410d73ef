/** `heapscope export`: arguments, options and help. What it does is ../actions/export.ts, imported when it runs. */
import type { Command } from "commander";
import type { exportAction } from "../actions/export.js";

export function define(command: Command): void {
  command
    .argument("<recording>", "recording file written by heapscope record")
    .requiredOption("--dir <dir>", "directory to write into (created if missing)")
    .addHelpText(
      "after",
      "\nExample:\n  $ heapscope export soak.hsrec --dir soak/ && go tool pprof -top soak/heap-0001.pb.gz",
    )
    .action(async (...args: Parameters<typeof exportAction>) =>
      (await import("../actions/export.js")).exportAction(...args),
    );
}
