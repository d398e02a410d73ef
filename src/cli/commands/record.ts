/** `heapscope record`: arguments, options and help. What it does is ../actions/record.ts, imported when it runs. */
import type { Command } from "commander";
import type { recordAction } from "../actions/record.js";
import { addFormatOptions } from "../output.js";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function define(command: Command): void {
  command
    .argument("[command...]", "program to launch and record (after --); its gctrace is recorded too")
    .option("--url <url>", "base URL of the target's debug server, e.g. http://127.0.0.1:6060")
    .option("--interval <duration>", "time between samples", "10s")
    .option("--duration <duration>", "stop after this long (default: until Ctrl-C or the program exits)")
    .option("--out <file>", "recording file to write (default heapscope-YYYYMMDD-HHMMSS.hsrec)")
    .option("--force", "replace --out if it exists")
    .option(
      "--gc <when>",
      "fetch the heap profile with gc=1 (a full GC first, so it is current): auto = only when it would be stale, always",
      "auto",
    )
    .option("--no-gc", "never use gc=1 (leave the target's GC alone)")
    .option(
      "--dump-every <n>",
      "take a debug=2 goroutine dump every Nth sample (and the first and last); 0 = first and last only",
      "30",
    )
    .option("--header <header>", 'extra request header, "Name: value" (repeatable)', collect, [])
    .option("--cacert <file>", "PEM CA certificate to trust for https targets")
    .option("--pprof-prefix <path>", "where net/http/pprof is mounted, if not /debug/pprof")
    .option("--heap-url <url>", "heap profile URL, if not under the pprof prefix")
    .option("--goroutine-url <url>", "goroutine profile URL")
    .option(
      "--goroutineleak-url <url>",
      "goroutineleak profile URL (Go 1.26+ with GOEXPERIMENT=goroutineleakprofile)",
    )
    .option("--vars-url <url>", "expvar URL, if not /debug/vars")
    .option("--metrics-url <url>", "Prometheus metrics URL, if not /metrics")
    .option("--timeout <duration>", "per-request timeout", "30s")
    .option("--max-response <size>", "largest response accepted", "512MiB")
    .option("--max-size <size>", "recording size cap; older heap snapshots are thinned beyond it", "1GiB")
    .option("--keep-vars", "also store raw /debug/vars and /metrics (they may hold secrets)")
    .option("--show-gctrace", "pass the launched program's gctrace lines through to stderr")
    .option("--wait <duration>", "how long to wait for a launched program's --url to answer", "2m")
    .option(
      "--pid <pid>",
      "read RSS of this process (default: the launched program, or the listener of a local --url)",
    )
    .option("-q, --quiet", "no status output")
    .option("--ui", "watch the recording live in the web UI (prints its URL)")
    .option(
      "--ui-host <addr>",
      "address for the --ui server (beyond loopback a token is required)",
      "127.0.0.1",
    )
    .option("--ui-port <port>", "port for the --ui server (default: a free port)", "0");
  addFormatOptions(command, ["text", "json"]);
  command.addHelpText(
    "after",
    `
Examples:
  $ heapscope record --url http://127.0.0.1:6060 --duration 10m --out soak.hsrec
  $ heapscope record --url https://svc:8443 --header "Authorization: Bearer $TOKEN" --cacert ca.pem
  $ heapscope record --url http://127.0.0.1:6060 --duration 5m -- go run ./cmd/server
  $ heapscope inspect soak.hsrec && heapscope top --diff-base soak.hsrec#1 soak.hsrec#last

gc=1: Go's heap profile shows the heap as of the last completed GC. With --gc auto (default) a
sample asks for gc=1 only if no GC ran since the previous sample and the program has allocated more
than 5% of its heap since the last one; --gc always forces a GC every sample (costly on big heaps).

Signals: Ctrl-C stops the recording (the file is complete); a second Ctrl-C stops at once.
A launched program shares the terminal, so Ctrl-C reaches it directly; heapscope does not send it
again, gives it 10s to exit, then SIGTERM (SIGKILL 10s later). With --duration, the program gets
SIGTERM at the end. When heapscope exits, the program is stopped. SIGTERM to heapscope also stops
the recording normally.`,
  );
  command.action(async (...args: Parameters<typeof recordAction>) =>
    (await import("../actions/record.js")).recordAction(...args),
  );
}
