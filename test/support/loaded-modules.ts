/**
 * Runs the built CLI (bin/heapscope.js → dist/) in a child process that records every module it
 * loads, so a test can say what a command line costs at start-up.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot } from "./go.js";

export interface TracedRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Loaded modules other than node's own: paths relative to the repository (node_modules/… for packages). */
  modules: string[];
}

export async function runTracingLoads(args: string[]): Promise<TracedRun> {
  const dir = mkdtempSync(path.join(tmpdir(), "heapscope-loads-"));
  const traceFile = path.join(dir, "loads.txt");
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          [
            "--import",
            path.join(repoRoot, "test/support/trace-loads.mjs"),
            path.join(repoRoot, "bin/heapscope.js"),
            ...args,
          ],
          { env: { ...process.env, NO_COLOR: "1", HEAPSCOPE_TRACE_LOADS: traceFile }, cwd: repoRoot },
        );
        let out = "";
        let err = "";
        child.stdout.on("data", (c: Buffer) => (out += c.toString()));
        child.stderr.on("data", (c: Buffer) => (err += c.toString()));
        child.on("error", reject);
        child.on("close", (exit) => resolve({ code: exit ?? -1, stdout: out, stderr: err }));
      },
    );
    const modules = new Set<string>();
    for (const url of readFileSync(traceFile, "utf8").split("\n")) {
      if (!url.startsWith("file:")) continue; // node: built-ins
      const file = new URL(url).pathname;
      const packageAt = file.lastIndexOf("/node_modules/");
      const name = packageAt >= 0 ? file.slice(packageAt + 1) : path.relative(repoRoot, file);
      if (!name.startsWith("test/support/trace-loads")) modules.add(name);
    }
    return { code, stdout, stderr, modules: [...modules].sort() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
