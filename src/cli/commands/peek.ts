/** `heapscope peek`: arguments, options and help. What it does is ../actions/peek.ts, imported when it runs. */
import type { Command } from "commander";
import type { peekAction } from "../actions/peek.js";
import { addReportOptions } from "../report-options.js";

export function define(command: Command): void {
  command
    .argument("<regex>", "functions to show (Go regular expression, unanchored)")
    .argument("<profile...>", "profile files, - for stdin, URLs, or recording.db#N; several are merged");
  addReportOptions(command, "peek");
  command.addHelpText("after", "\nExample:\n  $ heapscope peek 'main\\.(load|cache)' heap.pb.gz");
  command.action(async (...args: Parameters<typeof peekAction>) =>
    (await import("../actions/peek.js")).peekAction(...args),
  );
}
