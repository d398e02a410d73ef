/**
 * Launches a retention test program through the hook overlay (`go run .` in its directory, its source
 * untouched), waits until it prints "ready", asks the hook for a heap dump after a GC and returns
 * the dump with the built binary's symbols.
 */
import { copyFileSync, readFileSync } from "node:fs";
import { requestHeapDump } from "../../../../src/collect/heapdump-hook.js";
import { prepareHookedLaunch } from "../../../../src/collect/hooked-launch.js";
import { loadBiasFor, readGoBinarySymbols } from "../../../../src/formats/elf/go-binary-symbols.js";
import { readHeapDump } from "../../../../src/formats/heapdump/read-heap-dump.js";
import type { HeapDump } from "../../../../src/model/heap-dump.js";
import type { SymbolResolver } from "../../../../src/model/symbols.js";
import { freePort, startProgram } from "../../../support/go.js";
import type { ToolchainCommand } from "../../../support/go-toolchains.js";

/** MemProfileRate the programs run with: every 4 KiB allocated is sampled, so the join has samples. */
export const TEST_PROFILE_RATE = 4096;

export interface DumpedProgram {
  dump: HeapDump;
  resolver: SymbolResolver;
  bytes: Uint8Array;
  dumpMs: number;
  /** The program's own heap profile (net/http/pprof, legacy text), fetched just before the dump. */
  heapProfileText: string;
}

/** The lines of `fn` in a legacy-text heap profile's stacks (inlined frames expanded, as pprof names sites). */
export function allocatingLines(heapProfileText: string, fn: string): { file: string; line: number }[] {
  const found = new Map<string, { file: string; line: number }>();
  for (const match of heapProfileText.matchAll(/^#\s+0x[0-9a-f]+\s+(\S+)\+0x[0-9a-f]+\s+(\S+):(\d+)$/gm)) {
    if (match[1] !== fn) continue;
    found.set(`${match[2]}:${match[3]}`, { file: match[2]!, line: Number(match[3]) });
  }
  return [...found.values()];
}

export async function dumpProgram(
  toolchain: ToolchainCommand,
  dir: string,
  args: string[],
  options: { copyBinaryTo?: string } = {},
): Promise<DumpedProgram> {
  const port = await freePort();
  const launch = await prepareHookedLaunch(
    [toolchain.go, "run", ".", "-addr", `127.0.0.1:${port}`, ...args],
    {
      cwd: dir,
      env: { ...process.env, ...toolchain.env, GODEBUG: `memprofilerate=${TEST_PROFILE_RATE}` },
    },
  );
  const program = startProgram(launch.command, launch.args, launch.env);
  let exited = false;
  void program.exited.then(() => (exited = true));
  try {
    const endpoint = await launch.waitForHook({ timeoutMs: 60_000, isRunning: () => !exited });
    const deadline = Date.now() + 30_000;
    while (!program.stdout().includes("ready") && Date.now() < deadline && !exited)
      await new Promise((r) => setTimeout(r, 20));
    if (!program.stdout().includes("ready")) throw new Error(`program never ready: ${program.stderr()}`);
    const profile = await fetch(`http://127.0.0.1:${port}/debug/pprof/heap?debug=1`, {
      signal: AbortSignal.timeout(30_000),
    });
    const heapProfileText = await profile.text();
    const file = await requestHeapDump(endpoint, { gc: true });
    const bytes = await file.readAndDelete();
    const dump = readHeapDump(bytes);
    if (options.copyBinaryTo) copyFileSync(launch.binary, options.copyBinaryTo);
    const symbols = readGoBinarySymbols(new Uint8Array(readFileSync(launch.binary)), launch.binary);
    const resolver = symbols.withLoadBias(loadBiasFor(symbols, dump.data?.start ?? 0));
    return { dump, resolver, bytes, dumpMs: file.dumpMs, heapProfileText };
  } finally {
    await program.stop();
    await launch.cleanup();
  }
}
