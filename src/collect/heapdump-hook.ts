/**
 * Talking to the heap-dump hook (assets/go/heapscope_hook.go) in a running Go program.
 *
 * Protocol:
 * - The program starts with HEAPSCOPE_HOOK_DIR (an existing private directory for the dumps),
 *   HEAPSCOPE_HOOK_ADDR (a loopback host:port; port 0 picks a free one) and HEAPSCOPE_HOOK_TOKEN
 *   (16+ characters). The hook listens and publishes `DIR/heapscope-hook.json`
 *   (`{"addr":"127.0.0.1:PORT","pid":N,"goVersion":"go1.26.8"}`, written by rename, so it is complete
 *   when it exists), then prints `heapscope-hook: listening on ADDR` to stderr.
 * - `POST /heapscope/heapdump[?gc=1]` with `Authorization: Bearer TOKEN` makes the program run a GC
 *   (with gc=1), write a heap dump to a new file in DIR (mode 0600, created exclusively) and answer
 *   `{"path","bytes","dumpNs","gcNs","goVersion","pid"}`. A wrong or missing token gets 401, another
 *   method 405, a failed dump 500 with `{"error"}`.
 * A dump holds every secret of the program: it is read once, then deleted; it is never copied.
 */
import { randomBytes } from "node:crypto";
import { lstat, open, readFile, realpath, rm } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { InputError } from "../errors.js";

export const HOOK_ENV = {
  dir: "HEAPSCOPE_HOOK_DIR",
  addr: "HEAPSCOPE_HOOK_ADDR",
  token: "HEAPSCOPE_HOOK_TOKEN",
  signal: "HEAPSCOPE_HOOK_SIGNAL",
} as const;
/** Written by the hook into its dump directory once it listens. */
export const HOOK_READY_FILE = "heapscope-hook.json";
export const HOOK_DUMP_PATH = "/heapscope/heapdump";
/** Every line the hook prints to stderr starts with this. */
export const HOOK_LOG_PREFIX = "heapscope-hook: ";
/** Names the hook gives its dump files. */
const DUMP_FILE_NAME = /^heapdump-\d+-\d+\.bin$/;
/** The hook's answers are a few hundred bytes; anything larger is not the hook. */
const MAX_ANSWER_BYTES = 64 * 1024;
/** The largest typed array Node 20 allocates. */
const MAX_IN_MEMORY_BYTES = 2 ** 32;

/** A fresh secret for one launch: 32 random bytes, hex. */
export function newHookToken(): string {
  return randomBytes(32).toString("hex");
}

/** The environment that turns the hook on. */
export function hookEnvironment(options: {
  dumpDir: string;
  token: string;
  addr?: string;
}): Record<string, string> {
  return {
    [HOOK_ENV.dir]: options.dumpDir,
    [HOOK_ENV.addr]: options.addr ?? "127.0.0.1:0",
    [HOOK_ENV.token]: options.token,
  };
}

/** A hook that is listening. */
export interface HookEndpoint {
  /** host:port on loopback. */
  addr: string;
  /** The process the hook runs in. */
  pid: number;
  goVersion: string;
  token: string;
  dumpDir: string;
}

export interface WaitForHookOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Polled while waiting: returning false stops the wait (the program exited). */
  isRunning?: () => boolean;
}

/** Waits for the hook's ready file in `dumpDir` and returns the endpoint it names. */
export async function waitForHookEndpoint(
  dumpDir: string,
  token: string,
  options: WaitForHookOptions = {},
): Promise<HookEndpoint> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const readyFile = path.join(dumpDir, HOOK_READY_FILE);
  for (;;) {
    const text = await readSmallFile(readyFile);
    if (text !== undefined) return { ...parseReadyFile(readyFile, text), token, dumpDir };
    if (options.signal?.aborted)
      throw new InputError("heap-dump hook", "cancelled while waiting for it to start");
    if (options.isRunning && !options.isRunning()) {
      throw new InputError("heap-dump hook", "the program exited before its hook started listening");
    }
    if (Date.now() >= deadline) {
      throw new InputError(
        "heap-dump hook",
        `did not start within ${Math.round(timeoutMs / 1000)} s (was the program built with -tags heapscope and the hook file?)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function readSmallFile(file: string): Promise<string | undefined> {
  try {
    const bytes = await readFile(file);
    return bytes.length > MAX_ANSWER_BYTES ? "" : bytes.toString("utf8");
  } catch {
    return undefined;
  }
}

function parseReadyFile(file: string, text: string): { addr: string; pid: number; goVersion: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError(file, "not the hook's JSON");
  }
  const record = value as { addr?: unknown; pid?: unknown; goVersion?: unknown };
  if (typeof record.addr !== "string" || !isLoopbackAddress(record.addr) || typeof record.pid !== "number") {
    throw new InputError(file, "does not name a loopback address and a process id");
  }
  return { addr: record.addr, pid: record.pid, goVersion: String(record.goVersion ?? "") };
}

/** 127.x.x.x:PORT or [::1]:PORT. */
export function isLoopbackAddress(addr: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d{1,5}$/.test(addr) || /^\[::1\]:\d{1,5}$/.test(addr);
}

/** A dump the hook wrote. Read it once with `readAndDelete` (or drop it with `delete`). */
export class HeapDumpFile {
  private consumed = false;
  constructor(
    /** Absolute path inside the hook's dump directory. */
    readonly path: string,
    readonly bytes: number,
    /** How long WriteHeapDump took: the program was stopped for about this long. */
    readonly dumpMs: number,
    /** How long the GC before it took (0 without gc). */
    readonly gcMs: number,
    readonly goVersion: string,
    readonly pid: number,
  ) {}

  /**
   * The dump's bytes; the file is deleted as soon as they are in memory (also when reading fails).
   * Read in chunks into one array, so dumps up to the 4 GiB a typed array can hold work
   * (readFile stops at 2 GiB).
   */
  async readAndDelete(): Promise<Uint8Array> {
    if (this.consumed) throw new InputError(this.path, "heap dump was already read and deleted");
    this.consumed = true;
    try {
      return await readWholeFile(this.path);
    } finally {
      await rm(this.path, { force: true });
    }
  }

  async delete(): Promise<void> {
    this.consumed = true;
    await rm(this.path, { force: true });
  }
}

async function readWholeFile(file: string): Promise<Uint8Array> {
  const handle = await open(file, "r");
  try {
    const size = (await handle.stat()).size;
    if (size > MAX_IN_MEMORY_BYTES) {
      throw new InputError(
        file,
        `heap dump of ${(size / 2 ** 30).toFixed(1)} GiB is larger than the 4 GiB heapscope can read`,
      );
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(bytes, offset, Math.min(size - offset, 1 << 30), offset);
      if (bytesRead === 0)
        throw new InputError(file, `heap dump shrank while being read (${offset} of ${size} bytes)`);
      offset += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

export interface HeapDumpRequestOptions {
  /** Run runtime.GC() first, so the dump holds only what is still reachable (default true). */
  gc?: boolean;
  /** Deadline for GC + dump + answer (default 5 minutes: a large heap takes seconds per GiB). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Asks the hook for a heap dump and returns the file it wrote. */
export async function requestHeapDump(
  endpoint: HookEndpoint,
  options: HeapDumpRequestOptions = {},
): Promise<HeapDumpFile> {
  const query = options.gc === false ? "" : "?gc=1";
  const url = `http://${endpoint.addr}${HOOK_DUMP_PATH}${query}`;
  const answer = await postForJson(url, endpoint.token, options.timeoutMs ?? 300_000, options.signal);
  const record = answer.body as Record<string, unknown>;
  if (answer.status === 401) throw new InputError(url, "the hook refused heapscope's token (HTTP 401)");
  if (answer.status !== 200) {
    const problem = typeof record?.error === "string" ? record.error : "no explanation";
    throw new InputError(url, `the hook failed to write a heap dump (HTTP ${answer.status}: ${problem})`);
  }
  if (typeof record?.path !== "string" || typeof record.bytes !== "number") {
    throw new InputError(url, "the hook's answer has no dump path and size");
  }
  const file = await checkedDumpPath(record.path, endpoint.dumpDir, url);
  return new HeapDumpFile(
    file,
    record.bytes,
    Number(record.dumpNs ?? 0) / 1e6,
    Number(record.gcNs ?? 0) / 1e6,
    String(record.goVersion ?? endpoint.goVersion),
    Number(record.pid ?? endpoint.pid),
  );
}

/** The dump must be a regular file the hook named in its own directory: heapscope deletes it later. */
async function checkedDumpPath(reported: string, dumpDir: string, url: string): Promise<string> {
  const dir = await realpath(dumpDir);
  const reportedDir = await realpath(path.dirname(path.resolve(dumpDir, reported))).catch(() => "");
  const resolved = path.join(reportedDir, path.basename(reported));
  if (reportedDir !== dir || !DUMP_FILE_NAME.test(path.basename(resolved))) {
    throw new InputError(url, `the hook reported a dump outside its directory: ${JSON.stringify(reported)}`);
  }
  const stat = await lstat(resolved).catch(() => undefined);
  if (!stat?.isFile()) throw new InputError(url, `the reported dump ${resolved} is not a regular file`);
  return resolved;
}

function postForJson(
  url: string,
  token: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const fail = (problem: string) => reject(new InputError(url, problem));
    const request = http.request(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-length": 0, "user-agent": "heapscope" },
      agent: false,
      signal,
    });
    const timer = setTimeout(() => {
      request.destroy();
      fail(`no answer within ${Math.round(timeoutMs / 1000)} s`);
    }, timeoutMs);
    request.on("error", (error) => {
      clearTimeout(timer);
      fail(signal?.aborted ? "cancelled" : `cannot reach the hook (${error.message})`);
    });
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          request.destroy();
          clearTimeout(timer);
          fail(`answer larger than ${MAX_ANSWER_BYTES} bytes: not the heapscope hook`);
          return;
        }
        chunks.push(chunk);
      });
      response.on("end", () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString("utf8");
        try {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          fail(`HTTP ${response.statusCode}: the answer is not JSON`);
        }
      });
    });
    request.end();
  });
}
