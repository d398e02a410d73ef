/** `heapscope gctrace`: arguments, options and help. What it does is ../actions/gctrace.ts, imported when it runs. */
import type { Command } from "commander";
import type { runGcTrace } from "../actions/gctrace.js";
import { addFormatOptions } from "../output.js";

export function define(command: Command): void {
  command
    .argument("[file]", "gctrace text: a file (optionally .gz), a heapscope recording, or - for stdin", "-")
    .option("-f, --follow", "keep reading a growing file, across rotation, until interrupted or idle")
    .option("--idle-timeout <seconds>", "with --follow: stop after this long without new data")
    .option("--interval <seconds>", "with --follow: print a one-line status this often")
    .option(
      "--limit <size>",
      "memory limit to project against, e.g. 2GiB, 512MiB (else a recording's container limit, or GOMEMLIMIT seen in the log)",
    )
    .option("--run <n>", "analyse process run n (1-based) instead of the automatic choice")
    .option("--window <seconds>", "GC CPU window length (default: run duration / 24, at least 1 s)")
    .option("--width <columns>", "sparkline width", "60")
    .option("--fail-on <verdict>", "exit 1 when the verdict is growing, or (inconclusive) not stable");
  addFormatOptions(command);
  command.addHelpText(
    "after",
    `
Capture the trace with GODEBUG=gctrace=1 (stderr). Every format since Go 1.5 is read, with scavenger
(scavtrace), pacer and application lines, logger prefixes, JSON log wrappers and Kubernetes CRI lines
mixed in. Several processes in one stream (go run/go test print the toolchain's gctrace too) are
reported separately; the run with the most cycles is analysed unless --run says otherwise.

The verdict (growing, stable, inconclusive) is judged on the live heap at mark start, in the regime
after the last change point (warm-up, step), with a Theil–Sen slope and a Mann–Kendall test corrected
for ties and autocorrelation.

Examples:
  $ GODEBUG=gctrace=1 ./server 2> gc.log; heapscope gctrace gc.log
  $ GODEBUG=gctrace=1 go test -run TestSoak ./... 2>&1 | heapscope gctrace - --json
  $ heapscope gctrace --follow /var/log/app/stderr.log --limit 2GiB --interval 30`,
  );
  command.action(async (...args: Parameters<typeof runGcTrace>) =>
    (await import("../actions/gctrace.js")).runGcTrace(...args),
  );
}
