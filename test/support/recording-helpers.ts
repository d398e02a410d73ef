/** Helpers for recording tests: a read-only view of a recording being written, and a background CLI. */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { repoRoot } from "./go.js";

export function tempDir(prefix = "heapscope-record-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Runs `fn` on a separate read-only connection to the recording (null when it cannot be opened yet). */
export function peek<T>(file: string, fn: (db: Database.Database) => T): T | null {
  if (!existsSync(file)) return null;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return fn(db);
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

export function countRows(file: string, table: string, where = ""): number {
  return (
    peek(file, (db) => db.prepare(`SELECT COUNT(*) FROM ${table} ${where}`).pluck().get() as number) ?? 0
  );
}

/** Polls until `predicate` holds; returns its last truthy value. */
export async function waitUntil<T>(
  what: string,
  predicate: () => T | null | undefined | false,
  timeoutMs = 60_000,
  diagnostics: () => string = () => "",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = predicate();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}\n${diagnostics()}`);
}

export interface BackgroundCli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the built CLI without waiting for it (for signals and mid-recording checks). */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = repoRoot): BackgroundCli {
  const child = spawn(process.execPath, [path.join(repoRoot, "bin/heapscope.js"), ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr!.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Kills a still-running background process (test cleanup). */
export function killIfRunning(child: ChildProcess | undefined): void {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}
