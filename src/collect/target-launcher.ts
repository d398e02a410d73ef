/**
 * Launches the program to record (`heapscope record -- CMD ARGS...`).
 *
 * - GODEBUG gets `gctrace=1` added to whatever the user set; a gctrace setting of their own is kept.
 * - stdout is passed through; stderr is read line by line: every byte goes to the gctrace parser,
 *   and lines that are not gctrace output are passed through (gctrace lines too with showGcTrace).
 * - Signals: the child stays in heapscope's process group, so a Ctrl-C typed at the terminal reaches
 *   it directly; heapscope must not send a second SIGINT (see `interrupt`). `stop()` sends SIGTERM
 *   to the real program (under `go run`, the compiled binary: the go command does not forward
 *   SIGTERM and would leave it orphaned), then SIGKILL after a grace period. `killNow()` is for
 *   heapscope's own exit path, so the child never outlives it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { InputError } from "../errors.js";
import type { TargetExit } from "../model/recording.js";
import { findProgramProcess } from "./rss.js";

export interface LaunchOptions {
  command: string[];
  /** Environment for the child (default: heapscope's); GODEBUG gets gctrace=1 added. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where the child's stdout goes (default process.stdout); "ignore" drops it. */
  stdout?: Writable | "ignore";
  /** Where the child's non-gctrace stderr lines go (default process.stderr); "ignore" drops them. */
  stderr?: Writable | "ignore";
  /** Pass gctrace lines through as well. */
  showGcTrace?: boolean;
  /** Every chunk of the child's stderr, decoded, in order (for the gctrace parser). */
  onStderrText?: (text: string) => void;
  /** Each complete stderr line, called before `onStderrText` for the chunk that completed it. */
  onStderrLine?: (line: string) => void;
}

/** GODEBUG with gctrace=1 appended, unless the user already chose a gctrace setting. */
export function godebugWithGcTrace(godebug: string | undefined): string {
  const current = (godebug ?? "").trim();
  if (/(^|,)\s*gctrace=/.test(current)) return current;
  return current === "" ? "gctrace=1" : `${current.replace(/,+$/, "")},gctrace=1`;
}

/** A line the runtime prints because of gctrace (hidden from the pass-through by default). */
export function isGcTraceOutputLine(line: string): boolean {
  return /^\s*gc #?\d+ @[\d.]+s \d+%: /.test(line) || /^\s*GC forced\s*$/.test(line);
}

/** How long a partial stderr line waits for its newline before it is passed through anyway. */
const PARTIAL_LINE_FLUSH_MS = 150;

export class LaunchedTarget {
  readonly pid: number;
  /** Resolves when the launched process exits (the process heapscope started, not a grandchild). */
  readonly exited: Promise<TargetExit>;
  private exit: TargetExit | null = null;
  private knownProgramPid: number | null = null;
  private stderrDone!: Promise<void>;
  /** The program's exit as `go run` reported it on stderr (`exit status 3`, `signal: killed`). */
  private goRunReport: { code: number | null; signal: string | null } | null = null;

  constructor(child: ChildProcess, options: LaunchOptions) {
    this.pid = child.pid!;
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        const atMs = Date.now();
        this.exit = { code, signal, atMs };
        // Under `go run`, the go command exits 1 whatever the program did, after printing how the
        // program ended; that is the exit worth recording (the go command's own code is kept too).
        void this.drainStderr(1000).then(() => {
          const reported = this.knownProgramPid !== null ? this.goRunReport : null;
          if (reported) this.exit = { ...reported, atMs, launcherCode: code };
          resolve(this.exit!);
        });
      });
    });
    const stdoutTarget = options.stdout ?? process.stdout;
    if (child.stdout) {
      if (stdoutTarget === "ignore") child.stdout.resume();
      else child.stdout.on("data", (chunk: Buffer) => stdoutTarget.write(chunk));
    }
    this.stderrDone = new Promise((resolve) => {
      if (!child.stderr) return resolve();
      const splitter = new StderrSplitter({
        ...options,
        onStderrLine: (line) => {
          const report = parseGoRunExitLine(line);
          if (report) this.goRunReport = report;
          options.onStderrLine?.(line);
        },
      });
      child.stderr.on("data", (chunk: Buffer) => splitter.push(chunk));
      child.stderr.on("end", () => {
        splitter.end();
        resolve();
      });
      child.stderr.on("error", () => resolve());
    });
  }

  get running(): boolean {
    return this.exit === null;
  }

  get exitStatus(): TargetExit | null {
    return this.exit;
  }

  /**
   * The process whose memory to read: the launched one, or under `go run` (or a shell wrapper) the
   * program it started, once it exists. Remembered once found.
   */
  programPid(): number | null {
    if (this.knownProgramPid !== null) return this.knownProgramPid;
    if (!this.running) return null;
    const found = findProgramProcess(this.pid);
    if (found !== null && found !== this.pid) this.knownProgramPid = found;
    return found;
  }

  /** Resolves once stderr has been read to its end (or after `timeoutMs`). */
  async drainStderr(timeoutMs = 2000): Promise<void> {
    await Promise.race([this.stderrDone, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /** Sends SIGINT to the program (for an interrupt that did not come from the terminal). */
  interrupt(): void {
    this.signalProgram("SIGINT");
  }

  /** SIGTERM to the program, SIGKILL after `graceMs`; resolves with how it exited. */
  async stop(graceMs = 10_000): Promise<TargetExit> {
    if (!this.running) return this.exit!;
    this.signalProgram("SIGTERM");
    // Under go run, the go command exits by itself once its child has; nudge it if it does not.
    const launcherNudge = setTimeout(() => this.sendSignal(this.pid, "SIGTERM"), Math.min(3000, graceMs));
    const killer = setTimeout(() => this.killNow(), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(launcherNudge);
      clearTimeout(killer);
    }
  }

  /** SIGKILL to the program and the launched process, synchronously (safe in an exit handler). */
  killNow(): void {
    const program = this.knownProgramPid;
    if (program !== null) this.sendSignal(program, "SIGKILL");
    if (this.running) this.sendSignal(this.pid, "SIGKILL");
  }

  private signalProgram(signal: NodeJS.Signals): void {
    const program = this.programPid();
    if (program !== null && program !== this.pid) this.sendSignal(program, signal);
    else if (this.running) this.sendSignal(this.pid, signal);
  }

  private sendSignal(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

const GO_SIGNAL_NAMES: Record<string, string> = {
  terminated: "SIGTERM",
  killed: "SIGKILL",
  interrupt: "SIGINT",
  hangup: "SIGHUP",
  quit: "SIGQUIT",
  aborted: "SIGABRT",
  "segmentation fault": "SIGSEGV",
  "broken pipe": "SIGPIPE",
  "bus error": "SIGBUS",
  "user defined signal 1": "SIGUSR1",
  "user defined signal 2": "SIGUSR2",
};

/** `exit status 3` / `signal: killed`, as the go command reports its child's end. */
export function parseGoRunExitLine(line: string): { code: number | null; signal: string | null } | null {
  const status = /^exit status (\d+)$/.exec(line.trim());
  if (status) return { code: Number(status[1]), signal: null };
  const signal = /^signal: (.+)$/.exec(line.trim());
  if (signal) return { code: null, signal: GO_SIGNAL_NAMES[signal[1]!] ?? signal[1]! };
  return null;
}

/** Splits stderr into lines for the pass-through while feeding every byte to the gctrace parser. */
class StderrSplitter {
  private readonly decoder = new StringDecoder("utf8");
  /** The current unterminated line. */
  private partial = "";
  /** How much of `partial` was already passed through (a prompt shown before its newline came). */
  private shown = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly target: Writable | "ignore";
  private readonly showGcTrace: boolean;
  private readonly onText: ((text: string) => void) | undefined;
  private readonly onLine: ((line: string) => void) | undefined;

  constructor(options: LaunchOptions) {
    this.target = options.stderr ?? process.stderr;
    this.showGcTrace = options.showGcTrace ?? false;
    this.onText = options.onStderrText;
    this.onLine = options.onStderrLine;
  }

  push(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    if (text === "") return;
    this.partial += text;
    const lastNewline = this.partial.lastIndexOf("\n");
    if (lastNewline >= 0) {
      const complete = this.partial.slice(0, lastNewline + 1);
      this.partial = this.partial.slice(lastNewline + 1);
      for (const line of complete.split(/(?<=\n)/)) this.completeLine(line);
    }
    this.onText?.(text);
    this.scheduleFlush();
  }

  end(): void {
    clearTimeout(this.timer);
    const rest = this.decoder.end();
    this.partial += rest;
    if (this.partial) this.completeLine(this.partial);
    this.partial = "";
    if (rest) this.onText?.(rest);
  }

  private completeLine(line: string): void {
    this.onLine?.(line.replace(/\r?\n$/, ""));
    const shown = this.shown;
    this.shown = 0;
    if (this.target === "ignore") return;
    if (shown === 0 && !this.showGcTrace && isGcTraceOutputLine(line)) return;
    this.target.write(line.slice(shown));
  }

  /** A prompt without a newline still shows; a half-written gctrace line waits for its end. */
  private scheduleFlush(): void {
    clearTimeout(this.timer);
    if (this.partial.length === this.shown) return;
    this.timer = setTimeout(() => {
      if (this.target === "ignore" || this.partial.length === this.shown) return;
      if (this.shown === 0 && /^\s*(gc\b|GC\b)/.test(this.partial)) return;
      this.target.write(this.partial.slice(this.shown));
      this.shown = this.partial.length;
    }, PARTIAL_LINE_FLUSH_MS);
    this.timer.unref();
  }
}

/** Starts `options.command`; rejects with InputError when it cannot be started (not found, not executable). */
export function launchTarget(options: LaunchOptions): Promise<LaunchedTarget> {
  const [file, ...args] = options.command;
  if (!file) return Promise.reject(new InputError("command", "nothing to run after --"));
  const env = { ...(options.env ?? process.env) };
  env.GODEBUG = godebugWithGcTrace(env.GODEBUG);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env,
      cwd: options.cwd,
      // Not detached: the child shares heapscope's process group and terminal, so Ctrl-C reaches it.
      stdio: ["inherit", options.stdout === "ignore" ? "ignore" : "pipe", "pipe"],
    });
    child.once("error", (error: Error & { code?: string }) => {
      const problem =
        error.code === "ENOENT"
          ? "command not found"
          : error.code === "EACCES"
            ? "permission denied (not executable?)"
            : error.message;
      reject(new InputError(file, problem));
    });
    child.once("spawn", () => resolve(new LaunchedTarget(child, options)));
  });
}
