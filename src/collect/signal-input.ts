/**
 * Inputs of the runtime-signal commands (`memstats`, `goroutines`): a file, `-` (stdin), or an
 * http(s) URL. URLs go through the shared HttpClient (deadline, size cap, same-origin redirects).
 * Files and stdin can be read as a stream of lines, so a large goroutine dump is never held whole.
 * Every failure becomes an InputError naming the input (one line, exit 2).
 */
import { createReadStream, statSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { gunzipSync } from "node:zlib";
import { InputError } from "../errors.js";
import { describeInputKind, isGzip, looksBinary, SNIFF_BYTES, sniffInput } from "../formats/sniff.js";
import { formatBytes } from "../model/units.js";
import { HttpClient, HttpFetchError } from "./http-client.js";

export interface SignalInputOptions {
  /** For URLs: deadline of the request (default 30 s). */
  timeoutMs?: number;
  /** Cap on the bytes read (default 512 MiB). */
  maxBytes?: number;
  stdin?: NodeJS.ReadableStream;
}

export const DEFAULT_SIGNAL_TIMEOUT_MS = 30_000;
export const DEFAULT_SIGNAL_MAX_BYTES = 512 * 1024 * 1024;

/** An input opened for reading: its first bytes (to sniff the format) and the rest as a stream. */
export interface OpenedSignalInput {
  name: string;
  isUrl: boolean;
  /** For URLs: when the response arrived (ms since the epoch), the capture time of the reading. */
  capturedAtMs?: number;
  /** Bytes from the start (at least 4 KiB unless the input is shorter). */
  head: Buffer;
  /** The whole input, head included, chunk by chunk. Can be consumed once. */
  chunks: AsyncIterable<Buffer>;
}

export function isHttpUrl(spec: string): boolean {
  return /^https?:\/\//i.test(spec);
}

export async function openSignalInput(
  spec: string,
  options: SignalInputOptions = {},
): Promise<OpenedSignalInput> {
  const maxBytes = options.maxBytes ?? DEFAULT_SIGNAL_MAX_BYTES;
  if (isHttpUrl(spec)) {
    const { body, capturedAtMs } = await fetchSignal(spec, spec, options);
    return { name: spec, isUrl: true, capturedAtMs, head: body, chunks: once(body) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec))
    throw new InputError(spec, "only http and https URLs are supported");
  let stream: NodeJS.ReadableStream;
  let name = spec;
  if (spec === "-") {
    stream = options.stdin ?? process.stdin;
    name = "stdin";
  } else {
    let size: number;
    try {
      const stat = statSync(spec);
      if (stat.isDirectory()) throw new InputError(spec, "is a directory, not a file");
      size = stat.size;
    } catch (error) {
      if (error instanceof InputError) throw error;
      const code = (error as { code?: string }).code;
      throw new InputError(
        spec,
        code === "ENOENT" ? "no such file" : `cannot read (${(error as Error).message})`,
      );
    }
    if (size > maxBytes) throw new InputError(spec, `larger than the ${formatBytes(maxBytes)} limit`);
    stream = createReadStream(spec, { highWaterMark: 1 << 20 });
  }
  return openStream(stream, name, maxBytes);
}

/** Reads an input whole (small inputs: MemStats documents, metrics). */
export async function readSignalInput(
  spec: string,
  options: SignalInputOptions = {},
): Promise<{ name: string; bytes: Buffer; capturedAtMs?: number; isUrl: boolean }> {
  const opened = await openSignalInput(spec, options);
  const parts: Buffer[] = [];
  for await (const chunk of opened.chunks) parts.push(chunk);
  return {
    name: opened.name,
    bytes: Buffer.concat(parts),
    isUrl: opened.isUrl,
    ...(opened.capturedAtMs !== undefined ? { capturedAtMs: opened.capturedAtMs } : {}),
  };
}

/** GETs a URL (status 200 required) and maps every failure to an InputError naming `name`. */
export async function fetchSignal(
  url: string,
  name: string,
  options: SignalInputOptions = {},
): Promise<{ body: Buffer; capturedAtMs: number; contentType: string }> {
  const client = new HttpClient({
    timeoutMs: options.timeoutMs ?? DEFAULT_SIGNAL_TIMEOUT_MS,
    maxResponseBytes: options.maxBytes ?? DEFAULT_SIGNAL_MAX_BYTES,
    retries: 0,
  });
  try {
    const response = await client.getOk(url);
    return { body: response.body, capturedAtMs: Date.now(), contentType: response.contentType };
  } catch (error) {
    if (error instanceof HttpFetchError) throw new InputError(name, error.message);
    throw new InputError(name, (error as Error).message);
  } finally {
    client.close();
  }
}

async function openStream(
  stream: NodeJS.ReadableStream,
  name: string,
  maxBytes: number,
): Promise<OpenedSignalInput> {
  const iterator = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const headParts: Buffer[] = [];
  let headSize = 0;
  let total = 0;
  let done = false;
  const fail = (error: unknown): never => {
    if (error instanceof InputError) throw error;
    throw new InputError(name, `cannot read (${(error as Error).message})`);
  };
  // Read until 4 KiB are in hand so the format can be sniffed.
  try {
    while (headSize < 4096) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      const chunk = typeof next.value === "string" ? Buffer.from(next.value) : next.value;
      headParts.push(chunk);
      headSize += chunk.length;
    }
  } catch (error) {
    fail(error);
  }
  total = headSize;
  if (total > maxBytes) throw new InputError(name, `larger than the ${formatBytes(maxBytes)} limit`);
  const head = Buffer.concat(headParts);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        const chunk = typeof next.value === "string" ? Buffer.from(next.value) : next.value;
        total += chunk.length;
        if (total > maxBytes) throw new InputError(name, `larger than the ${formatBytes(maxBytes)} limit`);
        yield chunk;
      }
    } catch (error) {
      fail(error);
    }
  }
  return { name, isUrl: false, head, chunks: rest() };
}

async function* once(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer;
}

/** Splits a byte stream into lines (UTF-8, `\n`; a final line without `\n` included). */
export async function* linesOf(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let carry = "";
  for await (const chunk of chunks) {
    const text = carry + decoder.write(chunk);
    let start = 0;
    for (;;) {
      const end = text.indexOf("\n", start);
      if (end < 0) break;
      yield text.slice(start, end);
      start = end + 1;
    }
    carry = text.slice(start);
  }
  carry += decoder.end();
  if (carry !== "") yield carry;
}

/** Cap on what gzip input may inflate to (a decompression bomb fails instead of exhausting memory). */
export const MAX_INFLATED_BYTES = 1024 ** 3;

/**
 * Inflates gzip bytes and returns them when they are text; undefined when they are binary (a
 * profile.proto) or not valid gzip (the caller reports what it expected instead).
 */
export function gunzipText(bytes: Buffer): Buffer | undefined {
  let inflated: Buffer;
  try {
    inflated = gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch {
    return undefined;
  }
  return inflated.length > 0 && !looksBinary(inflated) ? inflated : undefined;
}

/** What an input that is not text holds, in words: "a pprof profile (profile.proto)", "gzip data holding …". */
export function describeBinaryInput(bytes: Buffer): string {
  if (!isGzip(bytes)) return describeInputKind(sniffInput(bytes.subarray(0, SNIFF_BYTES)));
  try {
    const inflated = gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES });
    return `gzip data holding ${describeInputKind(sniffInput(inflated.subarray(0, SNIFF_BYTES)))}`;
  } catch {
    return "corrupt gzip data";
  }
}
