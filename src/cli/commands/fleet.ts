/** `heapscope fleet`: arguments, options and help. What it does is ../actions/fleet.ts, imported when it runs. */
import type { Command } from "commander";
import type { runFleet } from "../actions/fleet.js";
import { addFormatOptions } from "../output.js";

/** What --fail-on accepts: an instance's state. */
export const FAIL_ON = ["growing", "undecided", "insufficient", "bounded", "unjudged"];

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function define(command: Command): void {
  command
    .option("--prometheus <url>", "Prometheus (or Thanos, Mimir, VictoriaMetrics) base URL")
    .option("--selector <matchers>", `label matchers of the instances, such as '{job="checkout"}'`)
    .option("--range <duration>", "how far back to look", "6h")
    .option("--end <time>", "end of the range: RFC 3339, Unix seconds, or now", "now")
    .option("--step <duration>", "query step; auto = max(2 × scrape interval, range / 720)", "auto")
    .option(
      "--header <header>",
      'extra request header for Prometheus, "Name: value" (repeatable)',
      collect,
      [],
    )
    .option("--cacert <file>", "PEM CA certificate to trust for an https Prometheus")
    .option("--timeout <seconds>", "deadline of each Prometheus request", "60")
    .option("--max-response <size>", "largest Prometheus answer read; larger ones are split", "64MiB")
    .option("--concurrency <n>", "Prometheus requests in flight", "2")
    .option(
      "--version-label <name>",
      "read the version from this label (default: version of any *_build_info)",
    )
    .option("--doctor <n>", "run doctor on the N worst instances (needs --pprof-url)", "0")
    .option(
      "--pprof-url <template>",
      "pprof base URL of an instance from its labels, e.g. 'http://{instance}/debug/pprof'",
    )
    .option("--doctor-duration <duration>", "longest doctor observation per instance", "2m")
    .option("--doctor-concurrency <n>", "doctor runs at once", "2")
    .option("--no-goroutines", "do not judge goroutine counts (faster on large fleets)")
    .option("--html <file>", "also write an HTML page of small multiples (every instance's memory)")
    .option(
      "--ui",
      "also serve the report in the web UI (/fleet, and its JSON on /api/fleet); prints the URL",
    )
    .option(
      "--ui-host <addr>",
      "address for the --ui server (beyond loopback a token is required)",
      "127.0.0.1",
    )
    .option("--ui-port <port>", "port for the --ui server (default: a free port)", "0")
    .option(
      "--fail-on <verdicts>",
      `exit 1 when an instance is one of these: ${FAIL_ON.join(", ")} (comma-separated)`,
    )
    .option("--markdown", "shorthand for --format markdown")
    .option("-v, --verbose", "every instance's reason, not only the growing ones'");
  addFormatOptions(command);
  command.addHelpText(
    "after",
    `
Examples:
  $ heapscope fleet --prometheus http://prometheus:9090 --selector '{job="checkout"}' --range 6h
  $ heapscope fleet --prometheus http://127.0.0.1:9090 --range 24h --end 2024-05-01T12:00:00Z --json
  $ heapscope fleet --prometheus http://127.0.0.1:9090 --doctor 3 --pprof-url 'http://{instance}/debug/pprof'
  $ heapscope fleet --prometheus https://thanos.example --header "Authorization: Bearer $TOKEN" --fail-on growing

Each instance is judged on its best memory series (live heap, heap goal unless pinned, HeapAlloc's
troughs, RSS) with the same trend engine and policy as \`heapscope memstats\`; a restart starts a new
process run, judged on its own. Growth is attributed to a version only when a version change precedes it.

Exit codes: 0, 1 when --fail-on matches, 2 on bad input or when Prometheus cannot be read.`,
  );
  command.action(async (...args: Parameters<typeof runFleet>) =>
    (await import("../actions/fleet.js")).runFleet(...args),
  );
}
