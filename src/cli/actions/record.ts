/** `heapscope record`: what it does. Its arguments, options and help are in ../commands/record.ts. */
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import type { LiveStats, RecordResult, RecordSessionOptions } from "../../collect/record-session.js";
import { InputError } from "../../errors.js";
import { formatBytes, formatDurationMs } from "../../model/units.js";
import { describeExit } from "../../render/inspect-report.js";
import { isInteractive, resolveFormat, writeJson } from "../output.js";
import {
  parseByteSize,
  parseDurationMs,
  parseEnum,
  parseHeader,
  parseNonNegativeInteger,
  parsePort,
  parsePositiveInteger,
} from "../parse-options.js";

interface RecordFlags {
  url?: string;
  interval: string;
  duration?: string;
  out?: string;
  force?: boolean;
  gc: string | false;
  dumpEvery: string;
  header: string[];
  cacert?: string;
  pprofPrefix?: string;
  heapUrl?: string;
  goroutineUrl?: string;
  goroutineleakUrl?: string;
  varsUrl?: string;
  metricsUrl?: string;
  timeout: string;
  maxResponse: string;
  maxSize: string;
  keepVars?: boolean;
  showGctrace?: boolean;
  wait: string;
  pid?: string;
  quiet?: boolean;
  format?: string;
  json?: boolean;
  ui?: boolean;
  uiHost: string;
  uiPort: string;
}

async function buildSessionOptions(commandArgs: string[], flags: RecordFlags): Promise<RecordSessionOptions> {
  const endpoints = {
    heap: flags.heapUrl,
    goroutine: flags.goroutineUrl,
    goroutineLeak: flags.goroutineleakUrl,
    vars: flags.varsUrl,
    metrics: flags.metricsUrl,
  };
  for (const key of Object.keys(endpoints) as (keyof typeof endpoints)[]) {
    if (endpoints[key] === undefined) delete endpoints[key];
  }
  const headers: Record<string, string> = {};
  for (const header of flags.header) {
    const [name, value] = parseHeader(header, "--header");
    headers[name] = value;
  }
  let ca: Buffer | undefined;
  if (flags.cacert) {
    try {
      ca = readFileSync(flags.cacert);
    } catch (error) {
      throw new InputError(
        flags.cacert,
        `cannot read the CA certificate (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
    }
    if (!ca.toString("latin1").includes("-----BEGIN CERTIFICATE-----")) {
      throw new InputError(flags.cacert, "not a PEM certificate (expected -----BEGIN CERTIFICATE-----)");
    }
  }
  const pid = flags.pid === undefined ? undefined : parsePositiveInteger(flags.pid, "--pid");
  const dumpEvery = parseNonNegativeInteger(flags.dumpEvery, "--dump-every");
  return {
    out: flags.out ?? defaultOutName(new Date()),
    overwrite: Boolean(flags.force),
    url: flags.url,
    pprofPrefix: flags.pprofPrefix,
    endpoints,
    headers,
    ca,
    intervalMs: parseDurationMs(flags.interval, "--interval"),
    durationMs: flags.duration === undefined ? null : parseDurationMs(flags.duration, "--duration"),
    gc: flags.gc === false ? "never" : parseEnum(flags.gc, "--gc", ["auto", "always", "never"] as const),
    dumpEvery,
    keepVars: Boolean(flags.keepVars),
    maxSizeBytes: parseByteSize(flags.maxSize, "--max-size"),
    requestTimeoutMs: parseDurationMs(flags.timeout, "--timeout"),
    maxResponseBytes: parseByteSize(flags.maxResponse, "--max-response"),
    command: commandArgs.length > 0 ? commandArgs : undefined,
    showGcTrace: Boolean(flags.showGctrace),
    waitForUrlMs: parseDurationMs(flags.wait, "--wait"),
    pid,
  };
}

/**
 * Runs a recording with status output and signal handling. Status goes to stderr: on a terminal a
 * live line (redrawn around the program's own output), otherwise a plain line per minute and on
 * gaps, nothing with --quiet. The summary goes to stderr (stdout carries the program's output),
 * or as JSON to stdout with --json.
 */
async function runRecordCommand(
  options: RecordSessionOptions,
  output: { quiet: boolean; format: "text" | "json" | "markdown"; ui?: { host: string; port: number } },
): Promise<void> {
  const { RecordSession } = await import("../../collect/record-session.js");
  const status = new StatusOutput(output.quiet ? "quiet" : isInteractive() ? "live" : "plain");
  const session = new RecordSession({
    ...options,
    stdout: status.wrap(process.stdout),
    stderr: status.wrap(process.stderr),
  });
  const target = options.url ?? options.command?.join(" ") ?? "target";
  session.on("launched", ({ pid }) => status.note(`launched ${options.command!.join(" ")} (pid ${pid})`));
  session.on("started", ({ path, probes }) => {
    const found = probes.filter((p) => p.found).map((p) => p.name);
    const missing = probes.filter((p) => !p.found).map((p) => `${p.name} (${p.detail})`);
    status.note(
      `recording ${target} to ${path}` +
        (probes.length
          ? `
  sampling: ${found.join(", ") || "nothing over HTTP"}`
          : "") +
        (missing.length
          ? `
  not served: ${missing.join(", ")}`
          : ""),
    );
  });
  session.on("sample", (event) => status.update(event.stats));
  let ui: { close(): Promise<void> } | undefined;
  if (output.ui) {
    const { startUiServer } = await import("../../ui/server/server.js");
    const { watchRecordSession } = await import("../../ui/server/live.js");
    const server = await startUiServer({
      live: true,
      host: output.ui.host,
      port: output.ui.port,
      warm: false,
    });
    watchRecordSession(server, session);
    ui = server;
    process.stderr.write(`heapscope ui: ${server.url}\n`);
  }
  // gctrace can print many cycles a second; redraw for them at most a few times a second.
  session.on("gcCycle", () => status.update(session.stats, true));
  session.on("gap", (gap) =>
    status.note(
      gap.open ? `target not answering (${gap.reason}); retrying every interval` : "target answers again",
    ),
  );
  session.on("collectError", () => status.update(session.stats, true));
  session.on("targetExit", (exit) => status.note(`program ${describeExit(exit)}`));

  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1) status.note("stopping… (Ctrl-C again to stop at once)");
    // On a terminal the program got the same Ctrl-C (same process group): do not send it twice.
    session.stop({ terminalInterrupt: Boolean(process.stdin.isTTY) });
  };
  const onTerminate = () => session.stop();
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onTerminate);
  process.on("SIGHUP", onTerminate);
  const ticker = setInterval(() => status.update(session.stats), 1000);
  ticker.unref();
  let result: RecordResult;
  try {
    result = await session.run();
  } finally {
    clearInterval(ticker);
    status.clear();
    await ui?.close();
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onTerminate);
    process.off("SIGHUP", onTerminate);
  }
  if (output.format === "json") {
    writeJson(result.summary);
    return;
  }
  if (output.quiet) return;
  const s = result.summary;
  const lines = [
    `recorded ${s.samples} samples over ${formatDurationMs((s.lastSampleMs ?? 0) - (s.firstSampleMs ?? 0))} to ${result.path}`,
    `  ${s.heapSnapshots} heap snapshots, ${s.goroutineSnapshots} goroutine profiles, ${s.goroutineDumps} dumps, ` +
      `${s.memstatsSamples} memstats, ${s.gcCycles} gc cycles, ${s.errors} errors, ${s.gaps} gaps`,
  ];
  if (result.targetExit) lines.push(`  program ${describeExit(result.targetExit)}`);
  if (result.urlNeverAnswered) lines.push(`  ${options.url} never answered: gctrace and RSS only`);
  lines.push(`  next: heapscope inspect ${result.path}`);
  process.stderr.write(`${lines.join("\n")}\n`);
}

/** Status output on stderr; the live line is cleared before anything else is written. */
class StatusOutput {
  private lineShown = false;
  private lastPlainMs = 0;
  private lastDrawMs = 0;
  private last: LiveStats | null = null;

  constructor(private readonly mode: "live" | "plain" | "quiet") {}

  note(text: string): void {
    if (this.mode === "quiet") return;
    this.clear();
    process.stderr.write(`heapscope: ${text}\n`);
    if (this.last) this.update(this.last);
  }

  update(stats: LiveStats, throttle = false): void {
    this.last = stats;
    if (this.mode === "live") {
      if (throttle && Date.now() - this.lastDrawMs < 250) return;
      this.lastDrawMs = Date.now();
      const line = formatStatusLine(stats);
      const width = process.stderr.columns || 120;
      process.stderr.write(`\r\x1b[2K${line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line}`);
      this.lineShown = true;
    } else if (this.mode === "plain" && Date.now() - this.lastPlainMs >= 60_000 && stats.samples > 0) {
      this.lastPlainMs = Date.now();
      process.stderr.write(`heapscope: ${formatStatusLine(stats)}\n`);
    }
  }

  clear(): void {
    if (this.lineShown) {
      process.stderr.write("\r\x1b[2K");
      this.lineShown = false;
    }
  }

  /** A stream for the program's output that keeps the live line below it. */
  wrap(stream: NodeJS.WriteStream): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        const redraw = this.lineShown;
        this.clear();
        stream.write(chunk, () => callback());
        if (redraw && this.last && String(chunk).endsWith("\n")) this.update(this.last);
      },
    });
  }
}

export function formatStatusLine(stats: LiveStats): string {
  const parts = [
    formatDurationMs(stats.elapsedMs),
    `${stats.samples} samples`,
    stats.liveHeapBytes === null ? null : `heap ${formatBytes(stats.liveHeapBytes)}`,
    stats.goroutines === null ? null : `${stats.goroutines} goroutines`,
    stats.rssBytes === null ? null : `RSS ${formatBytes(stats.rssBytes)}`,
    stats.gcCycles ? `${stats.gcCycles} GCs` : null,
    stats.unreachable ? "NOT ANSWERING" : null,
    stats.lastError ? `${stats.errors} errors, last: ${stats.lastError}` : null,
  ];
  return parts.filter(Boolean).join(" · ");
}

/** `heapscope-20250101-120000.hsrec` in the current directory. */
export function defaultOutName(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `heapscope-${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}.hsrec`;
}

/** `heapscope record`. */
export async function recordAction(commandArgs: string[], flags: RecordFlags): Promise<void> {
  const format = resolveFormat(flags, ["text", "json"]);
  const options = await buildSessionOptions(commandArgs, flags);
  const ui = flags.ui ? { host: flags.uiHost, port: parsePort(flags.uiPort, "--ui-port") } : undefined;
  await runRecordCommand(options, { quiet: Boolean(flags.quiet), format, ui });
}
