/**
 * The child processes of a benchmark run (git, go, test binaries): run to completion with their
 * output captured, and stopped together when the run is interrupted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { HeapscopeError } from "../errors.js";

/** A failure of the benchmark run itself (git, go, an interrupt): one line, exit code 2. */
export class BenchRunError extends HeapscopeError {}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Child processes this run started, so an interrupt can stop exactly them. */
const activeChildren = new Set<ChildProcess>();
/** Set once SIGINT/SIGTERM/SIGHUP arrived: no new process may start after it. */
let interruptReceived = false;

export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    if (interruptReceived) {
      reject(new BenchRunError("interrupted"));
      return;
    }
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    activeChildren.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (error) => {
      activeChildren.delete(child);
      reject(error);
    });
    child.on("close", (code, signal) => {
      activeChildren.delete(child);
      resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

/**
 * Sends SIGINT to every child this run started, as a terminal would, and waits for them to exit
 * (SIGKILL after 15 s for one that ignores it).
 */
export async function stopChildren(): Promise<void> {
  interruptReceived = true;
  const children = [...activeChildren];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
          child.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill("SIGINT");
        }),
    ),
  );
}

export function lastLines(text: string, count = 6): string {
  const lines = text.trim().split("\n");
  return lines.slice(-count).join(" | ");
}

export async function git(args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
  let result: CommandResult;
  try {
    result = await runCommand("git", args, { cwd, env });
  } catch (error) {
    throw new BenchRunError(`cannot run git: ${(error as Error).message}`);
  }
  if (result.code !== 0) {
    throw new BenchRunError(`git ${args.join(" ")}: ${lastLines(result.stderr || result.stdout, 2)}`);
  }
  return result.stdout.trim();
}
