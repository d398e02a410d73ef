/** `heapscope traces`: arguments, options and help. What it does is ../actions/traces.ts, imported when it runs. */
import type { Command } from "commander";
import type { tracesAction } from "../actions/traces.js";
import { addReportOptions } from "../report-options.js";

export function define(command: Command): void {
  command.argument("<profile...>", "profile files, - for stdin, URLs, or recording.db#N; several are merged");
  addReportOptions(command, "traces");
  command.addHelpText("after", "\nExample:\n  $ heapscope traces --focus=main.cache heap.pb.gz");
  command.action(async (...args: Parameters<typeof tracesAction>) =>
    (await import("../actions/traces.js")).tracesAction(...args),
  );
}
