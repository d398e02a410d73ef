import type { Command } from "commander";
import { InputError } from "../../errors.js";
import { isGzip, looksBinary } from "../../formats/sniff.js";
import { addFormatOptions, resolveFormat, writeJson, writeOut } from "../output.js";
import { parsePositiveNumber } from "../parse-options.js";

interface MemStatsFlags {
  format?: string;
  json?: boolean;
  timeout?: string;
  gcGap?: string;
}

export function register(program: Command): void {
  const command = program
    .command("memstats")
    .description(
      "MemStats health and trends of a Go program: /debug/vars JSON, Prometheus /metrics, query_range JSON or log lines",
    )
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
  command.action(async (source: string, flags: MemStatsFlags) => {
    const format = resolveFormat(flags);
    const timeoutMs = parsePositiveNumber(flags.timeout ?? "30", "--timeout", { seconds: true }) * 1000;
    const noGcWarningSeconds = parsePositiveNumber(flags.gcGap ?? "60", "--gc-gap", { seconds: true });
    const [{ detectAndParseMemStatsSeries }, { analyzeMemStats }, render, input] = await Promise.all([
      import("../../formats/memstats.js"),
      import("../../analysis/memstats-health.js"),
      import("../../render/memstats-report.js"),
      import("../../collect/signal-input.js"),
    ]);

    const reading = await readMemStatsSource(source, timeoutMs, input);
    // Series are often kept gzipped (vars.jsonl.gz).
    if (isGzip(reading.bytes)) reading.bytes = input.gunzipText(reading.bytes) ?? reading.bytes;
    if (looksBinary(reading.bytes)) {
      throw new InputError(
        reading.name,
        `${input.describeBinaryInput(reading.bytes)}, not MemStats (expected /debug/vars JSON, /metrics text or log lines)`,
      );
    }
    const series = detectAndParseMemStatsSeries(reading.bytes.toString("utf8"), reading.name);
    if (
      reading.capturedAtMs !== undefined &&
      series.samples.length === 1 &&
      series.samples[0].atMs === undefined
    ) {
      series.samples[0].atMs = reading.capturedAtMs;
      series.timeSource = "capture";
    }
    if (reading.note) series.notes.unshift(reading.note);
    const health = analyzeMemStats(series, { noGcWarningSeconds });
    const meta = { source: reading.name };
    if (format === "json") writeJson(render.memStatsReportJson(health, meta));
    else if (format === "markdown") writeOut(render.renderMemStatsMarkdown(health, meta));
    else writeOut(render.renderMemStatsText(health, meta));
  });
}

type SignalInputModule = typeof import("../../collect/signal-input.js");

/** A URL of a bare host (`http://127.0.0.1:6060`) tries /debug/vars, then /metrics. */
async function readMemStatsSource(
  source: string,
  timeoutMs: number,
  input: SignalInputModule,
): Promise<{ name: string; bytes: Buffer; capturedAtMs?: number; note?: string }> {
  if (input.isHttpUrl(source)) {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      throw new InputError(source, "not a valid URL");
    }
    if (url.pathname === "/" && url.search === "") {
      let firstError: unknown;
      for (const path of ["/debug/vars", "/metrics"]) {
        const candidate = new URL(path, url).href;
        try {
          const { body, capturedAtMs } = await input.fetchSignal(candidate, source, { timeoutMs });
          return { name: candidate, bytes: body, capturedAtMs, note: `Read from ${candidate}.` };
        } catch (error) {
          firstError ??= error;
        }
      }
      throw firstError;
    }
  }
  return input.readSignalInput(source, { timeoutMs });
}
