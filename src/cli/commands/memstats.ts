/** `heapscope memstats`: arguments, options and help. What it does is ../actions/memstats.ts, imported when it runs. */
import type { Command } from "commander";
import type { memstatsAction } from "../actions/memstats.js";
import { addFormatOptions } from "../output.js";

export function define(command: Command): void {
  command
    .argument(
      "<source>",
      "a file (one reading or a series), - for stdin, or an http(s) URL of /debug/vars or /metrics (a bare host:port URL tries both)",
    )
    .option("--timeout <seconds>", "HTTP deadline for a URL", "30")
    .option("--gc-gap <seconds>", "report a stretch this long without GC while the heap grows", "60");
  addFormatOptions(command);
  command.addHelpText(
    "after",
    `
Sources: expvar /debug/vars (one document, or JSON lines captured over time with a "time"
field or a timestamp before each record), Prometheus or OpenMetrics text from client_golang
(go_memstats_*, runtime/metrics names, process_resident_memory_bytes) or OpenTelemetry
(process_runtime_go_*, go_memory_*), Prometheus /api/v1/query_range JSON, and log lines such as
"Alloc = 512 MiB  TotalAlloc = 1024 MiB  NumGC = 12".

For a series, the heap is trended from the live heap (go_gc_heap_live_bytes) when present, else from
the heap goal NextGC (unless it sits at its 4 MiB floor), else from HeapAlloc at readings taken after
a GC, because HeapAlloc also counts garbage not yet swept. A rise under 1 MiB is not called growth.

Examples:
  $ heapscope memstats http://127.0.0.1:6060/debug/vars
  $ heapscope memstats vars.jsonl --json
  $ heapscope memstats metrics-scrapes.txt --format markdown`,
  );
  command.action(async (...args: Parameters<typeof memstatsAction>) =>
    (await import("../actions/memstats.js")).memstatsAction(...args),
  );
}
