/** `heapscope inspect`: arguments, options and help. What it does is ../actions/inspect.ts, imported when it runs. */
import type { Command } from "commander";
import type { inspectAction } from "../actions/inspect.js";
import { addFormatOptions } from "../output.js";

export function define(command: Command): void {
  command
    .argument("<recording>", "recording file written by heapscope record")
    .option("--check", "also run SQLite's integrity check (reads the whole file)");
  addFormatOptions(command);
  command.addHelpText(
    "after",
    "\nExamples:\n  $ heapscope inspect soak.hsrec\n  $ heapscope inspect --json soak.hsrec | jq .heapSnapshots",
  );
  command.action(async (...args: Parameters<typeof inspectAction>) =>
    (await import("../actions/inspect.js")).inspectAction(...args),
  );
}
