/** `heapscope top`: arguments, options and help. What it does is ../actions/top.ts, imported when it runs. */
import type { Command } from "commander";
import type { topAction } from "../actions/top.js";
import { addFormatOptions } from "../output.js";
import { addReportOptions } from "../report-options.js";

export function define(command: Command): void {
  command.argument("<profile...>", "profile files, - for stdin, URLs, or recording.db#N; several are merged");
  addReportOptions(command, "top");
  addFormatOptions(command);
  command.addHelpText(
    "after",
    "\nExamples:\n  $ heapscope top heap.pb.gz\n  $ heapscope top --sample-index=alloc_space --nodecount=20 http://127.0.0.1:6060/debug/pprof/allocs\n  $ heapscope top --diff-base before.pb.gz after.pb.gz\n\nA heap profile's in-use figures are as of the last completed GC: two profiles taken between the same\ntwo GCs show no difference. A URL ending in ?gc=1 makes the program run one first.",
  );
  command.action(async (...args: Parameters<typeof topAction>) =>
    (await import("../actions/top.js")).topAction(...args),
  );
}
