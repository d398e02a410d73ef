/** `heapscope demo`: arguments, options and help. What it does is ../actions/demo.ts, imported when it runs. */
import type { Command } from "commander";
import type { demoAction } from "../actions/demo.js";
import { addFormatOptions } from "../output.js";

export function define(command: Command): void {
  command
    .option("--duration <duration>", "how long to observe the live demo", "20s")
    .option("--replay", "diagnose the bundled recording even when go is available")
    .option("--html <file>", "where to write the HTML report (default: in the temp directory)")
    .option("--markdown", "shorthand for --format markdown");
  addFormatOptions(command);
  command.addHelpText(
    "after",
    `
Example:
  $ heapscope demo
  $ heapscope demo --replay --json`,
  );
  command.action(async (...args: Parameters<typeof demoAction>) =>
    (await import("../actions/demo.js")).demoAction(...args),
  );
}
