/** `heapscope doctor`: arguments, options and help. What it does is ../actions/doctor.ts, imported when it runs. */
import type { Command } from "commander";
import type { runDoctorCommand } from "../actions/doctor.js";
import { addFormatOptions } from "../output.js";

/** With --duration auto: the longest observation. */
export const DEFAULT_MAX_DURATION = "5m";
/** MemProfileRate doctor gives a program it launches: fine enough to see slow per-site growth. */
export const DOCTOR_SAMPLE_RATE = 8192;

export function define(command: Command): void {
  command
    .argument(
      "[inputs...]",
      "a recording (.hsrec), three or more heap profiles in time order, or (after --) a program to launch and record",
    )
    .option(
      "--url <url>",
      "record this running program (its net/http/pprof and expvar) for --duration, then diagnose",
    )
    .option(
      "--duration <duration>",
      'how long to record with --url or a command: "auto" stops as soon as the verdict holds (10 s to --max-duration), or a fixed window such as 30s',
      "auto",
    )
    .option(
      "--max-duration <duration>",
      "with --duration auto: observe at most this long",
      DEFAULT_MAX_DURATION,
    )
    .option(
      "--interval <duration>",
      "time between samples (default: 1s with auto, widening after the first minute; duration/24, at least 0.5s, for a fixed window)",
    )
    .option("--out <file>", "keep the recording here (default: a temporary file, deleted afterwards)")
    .option(
      "--module <path>",
      "the program's module path (frames in it are the program's own); default: from build info",
    )
    .option("--gctrace <file>", "a GODEBUG=gctrace=1 log to add to heap profiles")
    .option("--html <file>", "also write a self-contained HTML report (charts, suspects, growth flame graph)")
    .option(
      "--fail-on <verdicts>",
      "exit 1 when the verdict is one of these (leak, or leak,inconclusive) — for soak tests in CI",
    )
    .option(
      "--sample-rate <bytes>",
      `MemProfileRate for a launched program (GODEBUG=memprofilerate); "default" keeps Go's 512 KiB`,
      String(DOCTOR_SAMPLE_RATE),
    )
    .option("--wait <duration>", "how long to wait for a launched program's --url to answer", "60s")
    .option("--show-output", "pass a launched program's output through to stderr")
    .option("--no-hook", "launch `go run` as given: no heap-dump hook, no holders")
    .option("--build <pkg>", "build this main package with the hook and run it (arguments after --)")
    .option("--dumps <n>", "heap dumps to take at the end of a hooked launch (the last is analysed)", "1")
    .option(
      "--keep-dump",
      "store the heap dump in the recording (--out): it holds every secret in the program's memory",
    )
    .option(
      "--source-path <dir>",
      "the module's Go sources, for the lines to change (default: the one built)",
    )
    .option("--markdown", "shorthand for --format markdown (for an issue or a pull request)")
    .option("--no-color", "no colours in the text report")
    .option("-v, --verbose", "every suspect and full stacks")
    .option("--ui", "also open the recording in the web UI (live while recording; prints its URL)")
    .option(
      "--ui-host <addr>",
      "address for the --ui server (beyond loopback a token is required)",
      "127.0.0.1",
    )
    .option("--ui-port <port>", "port for the --ui server (default: a free port)", "0");
  addFormatOptions(command);
  command.addHelpText(
    "after",
    `
Examples:
  $ heapscope doctor --url http://127.0.0.1:6060 -- ./server -addr 127.0.0.1:6060
  $ heapscope doctor --url http://127.0.0.1:6060 --duration 30s -- ./server -addr 127.0.0.1:6060
  $ heapscope doctor --url http://127.0.0.1:6060 --duration 2m --html report.html
  $ heapscope doctor soak.hsrec --fail-on leak,inconclusive
  $ heapscope doctor heap1.pb.gz heap2.pb.gz heap3.pb.gz --gctrace gc.log --markdown
  $ heapscope doctor --url http://127.0.0.1:6060 --duration 1m --ui

--ui: on a terminal the UI keeps serving after the verdict until Ctrl-C; otherwise (CI, pipes) it
closes with the command.

--duration auto (the default) judges the recording at 10, 15, 20, 25, 30 s, then 30 % further each
time, and stops at the first verdict that holds; each look spends a share of the significance level,
so repeated looks do not raise the false-leak rate. It samples every second for the first minute
(each sample forces a GC in the target), then less often. Every report says how long the verdict took.

Verdicts: leak, no-leak or inconclusive (with what would decide it). Exit codes: 0, 1 when --fail-on
matches, 2 on bad input.

\`-- go run ./cmd/svc ARGS\` is built with the heap-dump hook (an overlay; the source is not edited) and,
at the end of the observation, dumped once after a GC: the report then names the roots that hold the
memory (Holders) and, per heap suspect, what holds its objects (What holds it); with the binary's DWARF,
field names and types along paths, and slices that keep memory beyond their len or pin large arrays,
each with the line to change (in --source-path, default the built module). The dump is read once
and deleted; --keep-dump stores it in the recording, and a heap dump holds every secret of the
program (keys, tokens, user data): keep such a recording private.

A launched program gets GODEBUG=gctrace=1,memprofilerate=${DOCTOR_SAMPLE_RATE} so
per-site growth is resolved finely; --sample-rate default leaves it alone.`,
  );
  command.action(async (...args: Parameters<typeof runDoctorCommand>) =>
    (await import("../actions/doctor.js")).runDoctorCommand(...args),
  );
}
