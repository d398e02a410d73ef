/** `heapscope tags`: arguments, options and help. What it does is ../actions/tags.ts, imported when it runs. */
import type { Command } from "commander";
import type { tagsAction } from "../actions/tags.js";
import { addReportOptions } from "../report-options.js";

export function define(command: Command): void {
  command.argument("<profile...>", "profile files, - for stdin, URLs, or recording.db#N; several are merged");
  addReportOptions(command, "tags");
  command.addHelpText("after", "\nExample:\n  $ heapscope tags --sample-index=alloc_space heap.pb.gz");
  command.action(async (...args: Parameters<typeof tagsAction>) =>
    (await import("../actions/tags.js")).tagsAction(...args),
  );
}
