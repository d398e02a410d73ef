/** `heapscope raw`: arguments, options and help. What it does is ../actions/raw.ts, imported when it runs. */
import type { Command } from "commander";
import type { rawAction } from "../actions/raw.js";
import { addReportOptions } from "../report-options.js";

export function define(command: Command): void {
  command.argument("<profile...>", "profile files, - for stdin, URLs, or recording.db#N; several are merged");
  addReportOptions(command, "raw");
  command.addHelpText("after", "\nExample:\n  $ heapscope raw heap.pb.gz | less");
  command.action(async (...args: Parameters<typeof rawAction>) =>
    (await import("../actions/raw.js")).rawAction(...args),
  );
}
