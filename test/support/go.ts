/**
 * Helpers for tests that build and run real Go programs.
 * Programs live in folders with a main package (a go.mod beside the .go files); binaries are cached
 * under test/.work/bin keyed by the toolchain and the source hash, so repeated runs do not rebuild.
 * Toolchains are always named (./go-toolchains.ts).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { ensureGoToolchain, GO_DEFAULT, type GoToolchain, goCommand, goEnv } from "./go-toolchains.js";

export * from "./go-toolchains.js";

const execFileAsync = promisify(execFile);
export const repoRoot = path.resolve(import.meta.dirname, "../..");
export const workDir = path.join(repoRoot, "test/.work");

function sourceHash(dir: string, toolchain: GoToolchain, env: NodeJS.ProcessEnv = {}): string {
  // The environment that changes the binary (GOEXPERIMENT, GOOS, tags...) is part of the key, and so
  // is the directory: the binary records its source paths (a moved program must not reuse a binary
  // whose paths name the old place).
  const hash = createHash("sha256")
    .update(toolchain)
    .update(path.resolve(dir))
    .update(JSON.stringify(Object.entries(env).sort()));
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith(".go") || name === "go.mod" || name === "go.sum") {
      hash.update(name).update(readFileSync(path.join(dir, name)));
    }
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * Builds the Go main package in `dir` with `toolchain` (default go1.26.8) and returns the binary
 * path. Rejects, saying what to install, when the toolchain is not available.
 */
export async function buildGoProgram(
  dir: string,
  options: { toolchain?: GoToolchain; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const toolchain = options.toolchain ?? GO_DEFAULT;
  const out = path.join(
    workDir,
    "bin",
    `${path.basename(dir)}-${toolchain}-${sourceHash(dir, toolchain, options.env)}`,
  );
  if (existsSync(out)) return out;
  await ensureGoToolchain(toolchain);
  mkdirSync(path.dirname(out), { recursive: true });
  // Build under a private name, then rename: parallel test files may build the same program.
  const partial = `${out}.${process.pid}.tmp`;
  await execFileAsync(goCommand(toolchain).command, ["build", "-o", partial, "."], {
    cwd: dir,
    env: goEnv(toolchain, options.env),
    maxBuffer: 16 << 20,
  });
  renameSync(partial, out);
  return out;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200 or the timeout passes. */
export async function waitForHttp(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

export interface RunningProgram {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: () => Promise<void>;
}

/** Starts a built Go program; `stop()` kills it (SIGKILL after 3 s of SIGTERM). */
export function startProgram(
  binary: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): RunningProgram {
  const child = spawn(binary, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stdout = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs the built heapscope CLI (dist/) and returns its output and exit code. */
export async function runCli(
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "bin/heapscope.js"), ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
  });
}
