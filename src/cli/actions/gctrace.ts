/**
 * `heapscope gctrace FILE|-`: reads GODEBUG=gctrace=1 output (a file, stdin, or a growing file with
 * --follow, across rotation) in bounded memory and reports GC CPU, pauses, heap goal, forced cycles,
 * scavenger activity and whether the live heap grows.
 */

import { once } from "node:events";
import { createReadStream, type ReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { finished } from "node:stream/promises";
import { createGunzip, type Gunzip } from "node:zlib";
import { type GcTraceAnalysis, GcTraceAnalyzer } from "../../analysis/gc-stats.js";
import { InputError, UsageError } from "../../errors.js";
import { describeInputKind, isGzip, looksBinary, sniffInput } from "../../formats/sniff.js";
import { formatBytes, formatDurationMs } from "../../model/units.js";
import { gcTraceReportJson, renderGcTraceMarkdown, renderGcTraceText } from "../../render/gctrace-report.js";
import { looksLikeRecording, openRecording } from "../../store/recording-reader.js";
import { isInteractive, resolveFormat, writeJson, writeOut } from "../output.js";
import { parseByteSize, parsePositiveInteger, parsePositiveNumber } from "../parse-options.js";

interface GcTraceFlags {
  format?: string;
  json?: boolean;
  follow?: boolean;
  idleTimeout?: string;
  interval?: string;
  limit?: string;
  run?: string;
  window?: string;
  width?: string;
  failOn?: string;
}

const POLL_MS = 250;
const READ_CHUNK = 1 << 20;

/** `heapscope gctrace`: read the input (a file, stdin, --follow, or a recording), analyse, report. */
export async function runGcTrace(file: string, flags: GcTraceFlags): Promise<void> {
  const format = resolveFormat(flags);
  const limitBytes = flags.limit !== undefined ? parseByteSize(flags.limit, "--limit") : undefined;
  const runIndex = flags.run !== undefined ? parsePositiveInteger(flags.run, "--run") - 1 : undefined;
  const cpuWindowSeconds =
    flags.window !== undefined ? parsePositiveNumber(flags.window, "--window", { seconds: true }) : undefined;
  const width = parsePositiveInteger(flags.width ?? "60", "--width");
  const failOn = flags.failOn;
  if (failOn !== undefined && failOn !== "growing" && failOn !== "inconclusive") {
    throw new UsageError(`--fail-on must be growing or inconclusive, not "${failOn}"`);
  }
  if (file === "-" && process.stdin.isTTY) {
    throw new UsageError("gctrace needs a file, or gctrace text piped into stdin (see --help)");
  }
  const name = file === "-" ? "stdin" : file;
  const analyzer = new GcTraceAnalyzer();
  const options: {
    limitBytes?: number;
    limitSource?: string;
    runIndex?: number;
    cpuWindowSeconds?: number;
  } = { limitBytes, runIndex, cpuWindowSeconds };

  await readGcTraceInput(file, name, flags, analyzer, options);
  analyzer.end();
  const analysis = analyzer.analysis(name, options);
  if (!analysis) {
    if (runIndex !== undefined && analyzer.cycleLines > 0) {
      throw new UsageError(`--run ${runIndex + 1}: no such process run`);
    }
    throw new InputError(
      name,
      "no gctrace lines (gc N @…s N%: …) found; capture stderr of a program run with GODEBUG=gctrace=1",
    );
  }
  if (format === "json") writeJson(gcTraceReportJson(analysis));
  else if (format === "markdown") writeOut(renderGcTraceMarkdown(analysis));
  else writeOut(renderGcTraceText(analysis, { color: isInteractive(process.stdout), width }));
  const verdict = analysis.summary.verdict;
  if (
    (failOn === "growing" && verdict === "growing") ||
    (failOn === "inconclusive" && verdict !== "stable")
  ) {
    process.exitCode = 1;
  }
}

/** Feeds the analyzer from the input: a followed file, a recording's gctrace lines, or a file/stdin. */
async function readGcTraceInput(
  file: string,
  name: string,
  flags: GcTraceFlags,
  analyzer: GcTraceAnalyzer,
  options: { limitBytes?: number; limitSource?: string },
): Promise<void> {
  if (flags.follow) {
    if (file === "-") throw new UsageError("--follow needs a file, not stdin");
    const idleMs =
      flags.idleTimeout !== undefined
        ? parsePositiveNumber(flags.idleTimeout, "--idle-timeout", { seconds: true }) * 1000
        : undefined;
    const intervalMs =
      flags.interval !== undefined
        ? parsePositiveNumber(flags.interval, "--interval", { seconds: true }) * 1000
        : undefined;
    await followFile(file, analyzer, {
      idleMs,
      onTick: intervalMs
        ? { everyMs: intervalMs, run: () => writeOut(statusLine(analyzer.analysis(name, options))) }
        : isInteractive()
          ? {
              everyMs: 5000,
              run: () => process.stderr.write(`\r${statusLine(analyzer.analysis(name, options))}`),
            }
          : undefined,
    });
    if (!intervalMs && isInteractive()) process.stderr.write("\n");
  } else if (file !== "-" && looksLikeRecording(file)) {
    // A heapscope recording: its gctrace lines, and the container limit the target ran under.
    const reader = openRecording(file);
    try {
      const lines = reader.gcCycles({ allProcesses: true }).flatMap((c) => (c.line ? [c.line] : []));
      analyzer.push(`${lines.join("\n")}\n`);
      const limit = reader.target.memoryLimit;
      if (limit && options.limitBytes === undefined) {
        options.limitBytes = limit.bytes;
        options.limitSource = `container limit, ${limit.source}`;
      }
    } finally {
      reader.close();
    }
  } else {
    await readAll(file, name, analyzer);
  }
}

function statusLine(analysis: GcTraceAnalysis | null): string {
  const time = new Date().toISOString().slice(11, 19);
  if (!analysis) return `${time} waiting for gctrace lines…`;
  const s = analysis.summary;
  return `${time} gc ${s.lastCycle} live ${formatBytes(s.liveHeap.lastBytes)} goal ${formatBytes(s.heapGoal.lastBytes)} GC CPU ${s.gcCpu.percent.toFixed(1)}% p99 pause ${formatDurationMs(s.pauses.p99Ms)}: ${s.verdict}`;
}

/** Streams a file or stdin into the analyzer; gzip is detected by its magic bytes. */
async function readAll(file: string, name: string, analyzer: GcTraceAnalyzer): Promise<void> {
  if (file !== "-") {
    const info = await stat(file).catch((error) => {
      throw new InputError(name, describeFsError(error));
    });
    if (info.isDirectory()) throw new InputError(name, "is a directory, not a gctrace file");
  }
  const source: NodeJS.ReadableStream =
    file === "-" ? process.stdin : createReadStream(file, { highWaterMark: READ_CHUNK });
  let bytes = 0;
  let checked = false;
  let failure: unknown = null;
  const feed = (chunk: Buffer): void => {
    if (failure) return;
    if (!checked) {
      checked = true;
      if (looksBinary(chunk)) {
        failure = notGcTrace(name, chunk);
        return;
      }
    }
    bytes += chunk.length;
    analyzer.push(chunk);
  };
  let gunzip: Gunzip | null = null;
  let first = true;
  try {
    for await (const raw of source as AsyncIterable<Buffer | string>) {
      const chunk = typeof raw === "string" ? Buffer.from(raw) : raw;
      if (first) {
        first = false;
        if (isGzip(chunk)) {
          gunzip = createGunzip();
          gunzip.on("data", feed);
        }
      }
      if (gunzip) {
        if (!gunzip.write(chunk)) await once(gunzip, "drain");
      } else {
        feed(chunk);
      }
      if (failure) break;
    }
    if (gunzip) {
      gunzip.end();
      await finished(gunzip);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "Z_DATA_ERROR" || code === "Z_BUF_ERROR") throw new InputError(name, "corrupt gzip data");
    throw new InputError(name, describeFsError(error));
  } finally {
    if (file !== "-") (source as ReadStream).destroy();
  }
  if (failure) throw failure;
  if (bytes === 0) throw new InputError(name, "empty input");
}

function notGcTrace(name: string, head: Uint8Array): InputError {
  return new InputError(
    name,
    `${describeInputKind(sniffInput(head))}, not gctrace text (GODEBUG=gctrace=1 output)`,
  );
}

/**
 * Reads `file` as it grows, polling; follows rotation (the path now names another file: the old one
 * is read to its end first) and truncation (copytruncate: start again from 0). Stops on SIGINT,
 * SIGTERM or after `idleMs` without new data.
 */
async function followFile(
  file: string,
  analyzer: GcTraceAnalyzer,
  options: { idleMs?: number; onTick?: { everyMs: number; run: () => void } },
): Promise<void> {
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let handle: Awaited<ReturnType<typeof open>> | null = null;
  let inode = -1;
  let position = 0;
  let lastData = Date.now();
  let lastTick = Date.now();
  let checked = false;
  const buffer = Buffer.alloc(READ_CHUNK);
  const readAvailable = async (): Promise<number> => {
    if (!handle) return 0;
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return total;
      const chunk = buffer.subarray(0, bytesRead);
      if (!checked) {
        checked = true;
        if (looksBinary(chunk)) throw notGcTrace(file, chunk);
      }
      analyzer.push(Buffer.from(chunk));
      position += bytesRead;
      total += bytesRead;
    }
  };
  try {
    while (!stopped) {
      let info: Awaited<ReturnType<typeof stat>> | null = null;
      try {
        info = await stat(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT")
          throw new InputError(file, describeFsError(error));
      }
      if (info && info.ino !== inode) {
        // Rotated (or first open): finish the old file, then start the new one from its beginning.
        if (handle) {
          if ((await readAvailable()) > 0) lastData = Date.now();
          await handle.close();
        }
        handle = await open(file, "r").catch((error) => {
          throw new InputError(file, describeFsError(error));
        });
        inode = info.ino;
        position = 0;
      } else if (info && handle && info.size < position) {
        position = 0; // truncated in place (copytruncate)
      }
      if ((await readAvailable()) > 0) lastData = Date.now();
      const now = Date.now();
      if (options.onTick && now - lastTick >= options.onTick.everyMs) {
        lastTick = now;
        options.onTick.run();
      }
      if (options.idleMs !== undefined && now - lastData >= options.idleMs) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await handle?.close();
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory, not a gctrace file";
  return error instanceof Error ? error.message : String(error);
}
