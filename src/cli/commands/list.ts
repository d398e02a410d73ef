/** `heapscope list`: arguments, options and help. What it does is ../actions/list.ts, imported when it runs. */
import type { Command } from "commander";
import type { listAction } from "../actions/list.js";
import { addReportOptions } from "../report-options.js";

export function define(command: Command): void {
  command
    .argument("<regex>", "functions to list (Go regular expression, unanchored)")
    .argument("<profile...>", "profile files, - for stdin, URLs, or recording.db#N; several are merged");
  addReportOptions(command, "list");
  command.addHelpText(
    "after",
    "\nOnly .go files under --source-path (default: the current directory) are read.\n\nExample:\n  $ heapscope list 'main\\.loadCache' heap.pb.gz",
  );
  command.action(async (...args: Parameters<typeof listAction>) =>
    (await import("../actions/list.js")).listAction(...args),
  );
}
