/**
 * Where `heapscope retainers` gets a heap dump: a dump file, a running program's hook
 * (http://127.0.0.1:PORT, token from --token or HEAPSCOPE_HOOK_TOKEN, dump directory from --hook-dir or
 * HEAPSCOPE_HOOK_DIR: the hook writes the dump there and heapscope reads and deletes it), or a recording
 * made with --keep-dump (its latest dump). Also the binary check: a --binary whose data and BSS
 * segments are not the dump's did not write it, and its names would be wrong.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { InputError } from "../errors.js";
import {
  compareDumpSegments,
  type GoBinarySymbols,
  loadBiasFor,
  readGoBinarySymbols,
} from "../formats/elf/go-binary-symbols.js";
import { isHeapDump } from "../formats/heapdump/read-heap-dump.js";
import type { HeapDump } from "../model/heap-dump.js";
import { looksLikeRecording, openRecording } from "../store/recording-reader.js";
import { HOOK_ENV, isLoopbackAddress, requestHeapDump } from "./heapdump-hook.js";

export interface HeapDumpSourceOptions {
  token?: string;
  hookDir?: string;
  /** Run runtime.GC() before a hook dump (default true). */
  gc?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface LoadedHeapDump {
  bytes: Uint8Array;
  /** "file", "hook" or "recording". */
  origin: "file" | "hook" | "recording";
  /** The binary the recording names, if any. */
  binaryPath?: string;
  dumpMs?: number;
}

export async function loadHeapDumpSource(
  source: string,
  options: HeapDumpSourceOptions = {},
): Promise<LoadedHeapDump> {
  if (/^https?:\/\//.test(source)) return fromHook(source, options);
  if (!existsSync(source)) throw new InputError(source, "no such file");
  if (statSync(source).isDirectory()) throw new InputError(source, "is a directory, not a heap dump");
  if (looksLikeRecording(source)) {
    const recording = openRecording(source);
    try {
      const dumps = recording.heapDumps();
      const last = dumps[dumps.length - 1];
      if (!last) throw new InputError(source, "the recording holds no heap dump (record with --keep-dump)");
      const loaded: LoadedHeapDump = { bytes: recording.heapDumpBytes(last), origin: "recording" };
      if (last.binaryPath) loaded.binaryPath = last.binaryPath;
      return loaded;
    } finally {
      recording.close();
    }
  }
  const bytes = new Uint8Array(readFileSync(source));
  if (isHeapDump(bytes)) return { bytes, origin: "file" };
  throw new InputError(source, 'not a Go heap dump (no "go1.7 heap dump" header) nor a recording');
}

async function fromHook(source: string, options: HeapDumpSourceOptions): Promise<LoadedHeapDump> {
  const env = options.env ?? process.env;
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw new InputError(source, "not a valid URL");
  }
  const addr = url.host;
  if (!isLoopbackAddress(addr)) throw new InputError(source, "the hook listens on loopback only (127.0.0.1)");
  const token = options.token ?? env[HOOK_ENV.token];
  if (!token) throw new InputError(source, `needs the hook's token: --token or ${HOOK_ENV.token}`);
  const dumpDir = options.hookDir ?? env[HOOK_ENV.dir];
  if (!dumpDir)
    throw new InputError(source, `needs the hook's dump directory: --hook-dir or ${HOOK_ENV.dir}`);
  const file = await requestHeapDump(
    { addr, token, dumpDir, pid: 0, goVersion: "" },
    { gc: options.gc ?? true, timeoutMs: 300_000 },
  );
  return { bytes: await file.readAndDelete(), origin: "hook", dumpMs: file.dumpMs };
}

/** The names of `binary`, checked against the dump; InputError when the binary did not write it. */
export function symbolsForDump(binary: string, dump: HeapDump): GoBinarySymbols {
  if (!existsSync(binary)) throw new InputError(binary, "no such file");
  const symbols = readGoBinarySymbols(new Uint8Array(readFileSync(binary)), binary);
  const resolver = symbols.withLoadBias(loadBiasFor(symbols, dump.data?.start ?? 0));
  const range = (s: { start: number; size: number } | undefined) =>
    s ? { start: s.start, end: s.start + s.size } : undefined;
  const segments: Parameters<typeof compareDumpSegments>[1] = {};
  const data = range(dump.data);
  const bss = range(dump.bss);
  if (data) segments.data = data;
  if (bss) segments.bss = bss;
  const mismatches = compareDumpSegments(resolver, segments);
  if (mismatches.length > 0) {
    const m = mismatches[0]!;
    const hex = (n: number) => `0x${n.toString(16)}`;
    const where = m.binary ? `${hex(m.binary.start)}-${hex(m.binary.end)}` : "absent";
    throw new InputError(
      binary,
      `did not write this heap dump: its ${m.segment} is ${where}, the dump's ${hex(m.dump.start)}-${hex(m.dump.end)}`,
    );
  }
  return resolver;
}
