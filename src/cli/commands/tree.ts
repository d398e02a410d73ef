/** `heapscope tree`: arguments, options and help. What it does is ../actions/tree.ts, imported when it runs. */
import type { Command } from "commander";
import type { treeAction } from "../actions/tree.js";
import { addReportOptions } from "../report-options.js";

export function define(command: Command): void {
  command.argument("<profile...>", "profile files, - for stdin, URLs, or recording.db#N; several are merged");
  addReportOptions(command, "tree");
  command.addHelpText("after", "\nExample:\n  $ heapscope tree --nodecount=30 heap.pb.gz");
  command.action(async (...args: Parameters<typeof treeAction>) =>
    (await import("../actions/tree.js")).treeAction(...args),
  );
}
