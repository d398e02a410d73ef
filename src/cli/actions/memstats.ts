/** `heapscope memstats`: what it does. Its arguments, options and help are in ../commands/memstats.ts. */
import { InputError } from "../../errors.js";
import { isGzip, looksBinary } from "../../formats/sniff.js";
import { resolveFormat, writeJson, writeOut } from "../output.js";
import { parsePositiveNumber } from "../parse-options.js";

interface MemStatsFlags {
  format?: string;
  json?: boolean;
  timeout?: string;
  gcGap?: string;
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

/** `heapscope memstats`. */
export async function memstatsAction(source: string, flags: MemStatsFlags): Promise<void> {
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
}
