/**
 * Where a profile comes from: a file, `-` (stdin), an http(s) URL (pprof's `host:port/path` shorthand
 * too), or `recording.db#N` / `recording.db#last` for a heap snapshot kept in a recording.
 * Everything that goes wrong becomes an InputError naming the input; outgoing HTTP has a timeout and
 * a size cap.
 */
import { closeSync, constants, existsSync, openSync, readSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { HeapscopeError, InputError } from "../errors.js";
import {
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  type ParsedProfile,
  parseProfileBytes,
} from "../formats/profile-bytes.js";
import { SNIFF_BYTES, sniffInput } from "../formats/sniff.js";
import { formatBytes, formatDurationMs } from "../model/units.js";

export type { ParsedProfile } from "../formats/profile-bytes.js";

export interface ProfileInputOptions {
  /** For URLs: ask for a delta profile over this many seconds (`?seconds=N`). */
  seconds?: number;
  /** For URLs: give up after this long (default 30 s, plus `seconds`). */
  timeoutMs?: number;
  /** Cap on the bytes read from a file, stdin or a response (default 1 GiB). */
  maxBytes?: number;
  /** Cap on the inflated size of gzip data (default 1 GiB). */
  maxDecompressedBytes?: number;
  /** Stream read for `-` (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_INPUT_BYTES = 1024 ** 3;

export async function readProfileInput(
  spec: string,
  options: ProfileInputOptions = {},
): Promise<ParsedProfile> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const parseOptions = {
    maxDecompressedBytes: options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
  };
  const parse = (bytes: Uint8Array, name: string): ParsedProfile => {
    try {
      return parseProfileBytes(bytes, name, parseOptions);
    } catch (error) {
      if (error instanceof HeapscopeError) throw new InputError(name, stripName(error.message, name));
      throw error;
    }
  };

  if (spec === "-")
    return parse(await readStream(options.stdin ?? process.stdin, maxBytes, "stdin"), "stdin");

  const url = asHttpUrl(spec);
  if (url) return parse(await fetchProfile(url, spec, options, maxBytes), spec);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new InputError(spec, "only http and https URLs are supported");
  }

  const hash = spec.lastIndexOf("#");
  if (hash > 0 && !existsSync(spec)) {
    const file = spec.slice(0, hash);
    const selector = spec.slice(hash + 1);
    if (existsSync(file)) return parse(await readRecordingSnapshot(spec, file, selector), spec);
  }
  return parse(await readLocalFile(spec, maxBytes), spec);
}

/** Same as readProfileInput: the library's name for it. */
export const readProfile = readProfileInput;

function stripName(message: string, name: string): string {
  return message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message;
}

/** An http(s) URL, or pprof's `host:port/path` shorthand when no such file exists. */
function asHttpUrl(spec: string): URL | undefined {
  if (/^https?:\/\//i.test(spec)) {
    try {
      return new URL(spec);
    } catch {
      throw new InputError(spec, "not a valid URL");
    }
  }
  if (/^[A-Za-z0-9.-]+:\d{1,5}(\/|$)/.test(spec) && !existsSync(spec)) {
    try {
      return new URL(`http://${spec}`);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function readLocalFile(path: string, maxBytes: number): Promise<Uint8Array> {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new InputError(path, "is a directory, not a profile");
    size = stat.size;
  } catch (error) {
    throw fileError(path, error);
  }
  if (size > maxBytes) throw new InputError(path, `file is larger than ${formatBytes(maxBytes)}`);
  try {
    const bytes = await readFile(path);
    if (bytes.length > maxBytes) throw new InputError(path, `file is larger than ${formatBytes(maxBytes)}`);
    if (bytes.length === 0) throw new InputError(path, "empty file");
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    throw fileError(path, error);
  }
}

function fileError(path: string, error: unknown): HeapscopeError {
  if (error instanceof HeapscopeError) return error;
  const code = (error as { code?: string }).code;
  switch (code) {
    case "ENOENT":
      return new InputError(path, "no such file");
    case "EACCES":
    case "EPERM":
      return new InputError(path, "permission denied");
    case "EISDIR":
      return new InputError(path, "is a directory, not a profile");
    default:
      return new InputError(path, error instanceof Error ? error.message : String(error));
  }
}

async function readStream(
  stream: NodeJS.ReadableStream,
  maxBytes: number,
  name: string,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
      const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
      total += bytes.length;
      if (total > maxBytes) throw new InputError(name, `input is larger than ${formatBytes(maxBytes)}`);
      chunks.push(bytes);
    }
  } catch (error) {
    if (error instanceof HeapscopeError) throw error;
    throw new InputError(name, error instanceof Error ? error.message : String(error));
  }
  if (total === 0) throw new InputError(name, "empty input");
  return concat(chunks, total);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

async function fetchProfile(
  url: URL,
  name: string,
  options: ProfileInputOptions,
  maxBytes: number,
): Promise<Uint8Array> {
  if (options.seconds !== undefined) {
    if (!(options.seconds > 0) || !Number.isFinite(options.seconds)) {
      throw new InputError(name, `invalid --seconds ${options.seconds}`);
    }
    url.searchParams.set("seconds", String(options.seconds));
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS + (options.seconds ?? 0) * 1000;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: "follow" });
    const finalProtocol = new URL(response.url || url.href).protocol;
    if (finalProtocol !== "http:" && finalProtocol !== "https:") {
      throw new InputError(name, `redirected to a ${finalProtocol} URL`);
    }
    if (!response.ok) {
      const detail = firstLine(await readBody(response, 4096, name).catch(() => new Uint8Array()));
      throw new InputError(
        name,
        `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}${detail ? ` (${detail})` : ""}`,
      );
    }
    const declared = Number(response.headers.get("content-length"));
    if (declared > maxBytes) {
      throw new InputError(name, `response is larger than ${formatBytes(maxBytes)}`);
    }
    const body = await readBody(response, maxBytes, name);
    if (body.length === 0) throw new InputError(name, "empty response");
    return body;
  } catch (error) {
    if (error instanceof HeapscopeError) throw error;
    if (timedOut) throw new InputError(name, `timed out after ${formatDurationMs(timeoutMs)}`);
    throw new InputError(name, describeFetchError(error));
  } finally {
    clearTimeout(timer);
  }
}

async function readBody(response: Response, maxBytes: number, name: string): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new InputError(name, `response is larger than ${formatBytes(maxBytes)}`);
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

function firstLine(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes).trim();
  const line = text.split("\n", 1)[0] ?? "";
  if (/^<!doctype|^<html/i.test(line)) return "";
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (error as { code?: string }).code;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "connection reset";
    case "UND_ERR_CONNECT_TIMEOUT":
      return "connection timed out";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
  }
  const message = cause?.message ?? (error instanceof Error ? error.message : String(error));
  return message;
}

async function readRecordingSnapshot(spec: string, file: string, selector: string): Promise<Uint8Array> {
  let module: { readRecordingHeapSnapshot?: (path: string, selector: string) => Uint8Array };
  try {
    module = await import("../store/recording-snapshots.js");
  } catch {
    throw new InputError(spec, "reading snapshots from a recording is not available in this build");
  }
  if (typeof module.readRecordingHeapSnapshot !== "function") {
    throw new InputError(spec, "reading snapshots from a recording is not available in this build");
  }
  try {
    return module.readRecordingHeapSnapshot(file, selector);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof HeapscopeError) throw new InputError(spec, error.message);
    throw new InputError(spec, error instanceof Error ? error.message : String(error));
  }
}

/**
 * `pprof ./app heap.pb.gz` names the binary first; Go profiles carry their symbols, so a leading
 * executable (an ELF/Mach-O/PE file, or any executable file that is not gzip) is dropped when more
 * arguments follow.
 */
export function splitProfileArgs(args: string[]): string[] {
  if (args.length < 2) return args;
  const first = args[0]!;
  if (first === "-" || asHttpUrl(first) !== undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(first)) return args;
  return isExecutable(first) ? args.slice(1) : args;
}

function isExecutable(path: string): boolean {
  let head: Uint8Array;
  let mode: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return false;
    mode = stat.mode;
    const fd = openSync(path, "r");
    try {
      head = new Uint8Array(SNIFF_BYTES);
      const read = readSync(fd, head, 0, SNIFF_BYTES, 0);
      head = head.subarray(0, read);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  const kind = sniffInput(head);
  if (kind === "executable") return true;
  // An executable file that is a profile (gzip, profile.proto, legacy text) is still a profile;
  // any other executable (a script, say) is the program.
  const profileLike = kind === "gzip" || kind === "pprof-proto" || kind === "pprof-legacy-heap";
  const executableBits = constants.S_IXUSR | constants.S_IXGRP | constants.S_IXOTH;
  return !profileLike && (mode & executableBits) !== 0;
}
