/**
 * Where `heapscope retainers` gets a heap dump: a dump file, a running program's hook
 * (http://127.0.0.1:PORT, token from --token or HEAPSCOPE_HOOK_TOKEN, dump directory from --hook-dir or
 * HEAPSCOPE_HOOK_DIR: the hook writes the dump there and heapscope reads and deletes it), or a recording
 * made with --keep-dump (its latest dump, with the binary that wrote it when the recording kept one).
 * Also the binary check: a binary whose data and BSS segments are not the dump's did not write it,
 * and its names would be wrong.
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
import type { StoredHeapDumpInfo } from "../store/heap-dump-table.js";
import { looksLikeRecording, openRecording, type RecordingReader } from "../store/recording-reader.js";
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
  /** The binary the recording kept beside the dump (doctor --keep-dump). */
  binary?: KeptBinary;
  dumpMs?: number;
}

/** A binary's bytes, kept in a recording; `name` says where it came from in messages. */
export interface KeptBinary {
  name: string;
  bytes: Uint8Array;
}

/** What names a dump: a binary's path (--binary), or a binary a recording kept. */
export type DumpBinary = string | KeptBinary;

export function dumpBinaryName(binary: DumpBinary): string {
  return typeof binary === "string" ? binary : binary.name;
}

export function dumpBinaryBytes(binary: DumpBinary): Uint8Array {
  if (typeof binary !== "string") return binary.bytes;
  if (!existsSync(binary)) throw new InputError(binary, "no such file");
  return new Uint8Array(readFileSync(binary));
}

/** The binary a recording kept beside its dump `info`, or undefined when it kept none. */
export function keptBinary(
  recording: RecordingReader,
  info: StoredHeapDumpInfo,
  source: string,
): KeptBinary | undefined {
  if (!info.binary) return undefined;
  return {
    name: `${source} (kept binary ${info.binary.name})`,
    bytes: recording.dumpBinaryBytes(info.binary),
  };
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
      const binary = keptBinary(recording, last, source);
      if (binary) loaded.binary = binary;
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
export function symbolsForDump(binary: DumpBinary, dump: HeapDump): GoBinarySymbols {
  const name = dumpBinaryName(binary);
  const symbols = readGoBinarySymbols(dumpBinaryBytes(binary), name);
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
      name,
      `did not write this heap dump: its ${m.segment} is ${where}, the dump's ${hex(m.dump.start)}-${hex(m.dump.end)}`,
    );
  }
  return resolver;
}
