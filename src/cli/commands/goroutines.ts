/** `heapscope goroutines`: arguments, options and help. What it does is ../actions/goroutines.ts, imported when it runs. */
import type { Command } from "commander";
import type { goroutinesAction } from "../actions/goroutines.js";
import { addFormatOptions } from "../output.js";

export function define(command: Command): void {
  command
    .argument(
      "<dump>",
      "a goroutine dump: /debug/pprof/goroutine (proto, ?debug=1, ?debug=2), goroutineleak, or panic/SIGQUIT output; a file, - for stdin, or an http(s) URL",
    )
    .option("--base <dump>", "an earlier dump: show which groups grew and by how much")
    .option("--state <states>", "only groups in these states, comma-separated (e.g. 'chan receive,select')")
    .option(
      "--match <regex>",
      "only groups with a frame or creator function matching this regular expression",
    )
    .option(
      "--exact-args",
      "split groups whose frames differ in argument values (default: arguments are ignored)",
    )
    .option("--limit <n>", "most groups listed in text/markdown output", "20")
    .option("--depth <n>", "most frames listed per group in text/markdown output", "12")
    .option("--timeout <seconds>", "HTTP deadline for URLs", "30");
  addFormatOptions(command);
  command.addHelpText(
    "after",
    `
Goroutines are grouped by state, creator and stack (function and line of each frame). Argument
values are ignored by default: they are mostly pointers and would split identical goroutines.
debug=1 and proto dumps have no state or wait time (shown as null in JSON); use ?debug=2 for them.
A URL without a query (…/debug/pprof/goroutine) serves the proto form, which is read as well.

Examples:
  $ heapscope goroutines http://127.0.0.1:6060/debug/pprof/goroutine?debug=2
  $ heapscope goroutines crash.log --state 'chan receive' --match 'mypkg\\.'
  $ heapscope goroutines now.txt --base before.txt --json`,
  );
  command.action(async (...args: Parameters<typeof goroutinesAction>) =>
    (await import("../actions/goroutines.js")).goroutinesAction(...args),
  );
}
