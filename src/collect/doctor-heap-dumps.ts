/**
 * Heap dumps for `doctor -- go run ...`: the program is built with the hook (hooked-launch.ts), and at
 * the end of the observation, before it is stopped, the hook is asked for `dumps` dumps (after a GC);
 * the last is kept in memory for the retention analysis, each is deleted from disk once read, and a
 * dump goes into the recording only with --keep-dump (it holds every secret of the program), and then
 * with the binary that wrote it: heapscope deletes its build, and only that binary names the dump's
 * globals and closures and types its objects.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type GoDwarfResult, readGoDwarfInBackground } from "./go-dwarf-read.js";
import { isGoCommand } from "./go-run-command.js";
import { requestHeapDump } from "./heapdump-hook.js";
import { type HookedLaunch, prepareHookedLaunch } from "./hooked-launch.js";
import type { BeforeStopContext } from "./record-session.js";

export interface DoctorDump {
  bytes: Uint8Array;
  goVersion: string;
  /** GC + dump inside the program, as the hook measured it. */
  dumpMs: number;
  gcMs: number;
  /** Wall time heapscope spent getting it (request, write, read). */
  wallMs: number;
  binary: string;
}

/** True for a command doctor launches with the hook: `go run ...`. */
export function hookable(commandArgs: readonly string[]): boolean {
  return commandArgs.length >= 2 && isGoCommand(commandArgs[0]!) && commandArgs[1] === "run";
}

export async function prepareDoctorHook(
  commandArgs: readonly string[],
  env: NodeJS.ProcessEnv,
  onBuildOutput?: (text: string) => void,
): Promise<HookedLaunch> {
  return prepareHookedLaunch(commandArgs, { env, ...(onBuildOutput ? { onBuildOutput } : {}) });
}

export class DoctorDumps {
  private last: DoctorDump | null = null;
  private failure: string | null = null;
  /** The built binary's DWARF, read in a worker thread while the program is observed. */
  readonly dwarf: Promise<GoDwarfResult>;

  constructor(
    private readonly launch: HookedLaunch,
    private readonly options: { dumps: number; keep: boolean; sourcePath?: string | undefined },
  ) {
    this.dwarf = readGoDwarfInBackground(launch.binary);
  }

  /** Where the module's sources are: --source-path, or the module heapscope built. */
  get sourcePath(): string | undefined {
    return this.options.sourcePath ?? this.launch.sourceDir;
  }

  /** The record session's beforeStop. */
  readonly beforeStop = async (context: BeforeStopContext): Promise<void> => {
    if (!context.targetRunning) {
      this.failure = "the program had exited before the heap dump";
      return;
    }
    try {
      const endpoint = await this.launch.waitForHook({ timeoutMs: 10_000 });
      for (let i = 0; i < this.options.dumps; i++) {
        const started = performance.now();
        const file = await requestHeapDump(endpoint, { gc: true, timeoutMs: 300_000 });
        const bytes = await file.readAndDelete();
        const dump: DoctorDump = {
          bytes,
          goVersion: file.goVersion,
          dumpMs: file.dumpMs,
          gcMs: file.gcMs,
          wallMs: performance.now() - started,
          binary: this.launch.binary,
        };
        if (this.options.keep)
          context.keepHeapDump(bytes, { goVersion: file.goVersion, binary: this.binaryToKeep() });
        this.last = dump;
      }
    } catch (error) {
      this.failure = `no heap dump: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
    }
  };

  private kept: { name: string; bytes: Uint8Array } | undefined;

  /** The binary, read once for all the dumps kept (the recording stores it once). */
  private binaryToKeep(): { name: string; bytes: Uint8Array } {
    this.kept ??= {
      name: path.basename(this.launch.binary),
      bytes: new Uint8Array(readFileSync(this.launch.binary)),
    };
    return this.kept;
  }

  get result(): DoctorDump | null {
    return this.last;
  }

  /** Why there is no dump, when there is none. */
  get problem(): string | null {
    return this.last ? null : (this.failure ?? "no heap dump was taken");
  }
}
