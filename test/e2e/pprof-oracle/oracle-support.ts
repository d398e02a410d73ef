/**
 * Running `go tool pprof` and heapscope side by side: the pprof binary that `go tool pprof` runs
 * (found once with `go tool -n pprof`, so the go command's own start-up is not paid per case),
 * fixtures written by real Go programs, and a bounded-concurrency runner.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { buildGoProgram, GO_DEFAULT, type GoToolchain, repoRoot, runGo, workDir } from "../../support/go.js";

export const programsDir = path.join(repoRoot, "test/e2e/pprof-oracle/programs");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
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
  });
}

/** The pprof binary `go tool pprof` of `toolchain` runs. */
export async function pprofBinary(toolchain: GoToolchain): Promise<string> {
  const { stdout } = await runGo(["tool", "-n", "pprof"], { toolchain });
  const binary = stdout.trim();
  // Releases that build their tools on demand print the path before building: build it once here.
  if (!existsSync(binary)) await runGo(["tool", "pprof", "-h"], { toolchain }).catch(() => undefined);
  if (!existsSync(binary))
    throw new Error(`go tool -n pprof of ${toolchain} named ${binary}, which is missing`);
  return binary;
}

/** pprof with a private HOME, so nothing it might save or look up leaks between runs. */
export function runPprof(binary: string, args: string[], home: string): Promise<RunResult> {
  return run(binary, args, { env: { HOME: home, PPROF_TMPDIR: home, PPROF_BINARY_PATH: home } });
}

/** The built CLI as a separate process (bin/heapscope.js → dist/). */
export function runHeapscope(args: string[]): Promise<RunResult> {
  return run(process.execPath, [path.join(repoRoot, "bin/heapscope.js"), ...args]);
}

let inProcessQueue: Promise<unknown> = Promise.resolve();

/**
 * The CLI's own entry point (src/cli/main.ts `main`) called in this process with stdout and stderr
 * captured: the same code path as the binary minus node's start-up, which would otherwise dominate
 * the matrix's run time. Calls are serialized because the capture is process-wide.
 */
export function runHeapscopeInProcess(args: string[]): Promise<RunResult> {
  const task = inProcessQueue.then(async () => {
    const { main } = await import("../../../src/cli/main.js");
    const out: string[] = [];
    const err: string[] = [];
    const capture = (sink: string[]) =>
      ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
        sink.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
        const cb = typeof encoding === "function" ? encoding : callback;
        if (typeof cb === "function") cb();
        return true;
      }) as typeof process.stdout.write;
    const writeOut = process.stdout.write;
    const writeErr = process.stderr.write;
    process.exitCode = undefined;
    process.stdout.write = capture(out);
    process.stderr.write = capture(err);
    let code: number;
    try {
      code = await main(["node", "heapscope", ...args]);
    } finally {
      process.stdout.write = writeOut;
      process.stderr.write = writeErr;
      process.exitCode = undefined;
    }
    return { code, stdout: out.join(""), stderr: err.join("") };
  });
  inProcessQueue = task.catch(() => undefined);
  return task;
}

const createdDirs: string[] = [];
let dirCounter = 0;

/** A fresh directory for this run's profiles (nothing is reused from earlier runs). */
export function freshDir(name: string): string {
  const dir = path.join(workDir, "pprof-oracle", `${name}-${process.pid}-${Date.now()}-${dirCounter++}`);
  mkdirSync(dir, { recursive: true });
  createdDirs.push(dir);
  return dir;
}

/** Removes the directories freshDir made in this process (call from afterAll). */
export function removeFreshDirs(): void {
  for (const dir of createdDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function buildProgram(name: string, toolchain: GoToolchain = GO_DEFAULT): Promise<string> {
  return buildGoProgram(path.join(programsDir, name), { toolchain });
}

/** Runs tasks with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Drops the `Time:` header line(s), the one part of the output allowed to differ. */
export function withoutTimeLines(text: string): string {
  return text
    .split("\n")
    .filter((line) => !line.startsWith("Time: "))
    .join("\n");
}

/**
 * For reports pprof prints in a nondeterministic order (ties between distinct nodes that print the
 * same name): the lines as a sorted multiset, with the order-dependent sum% column masked.
 */
export function orderInsensitive(text: string): string {
  return withoutTimeLines(text)
    .split("\n")
    .map((line) => line.replace(/^(\s*\S+ +(?:\S+%| {2}100%) )(?:\S+%| {2}100%)/, "$1<sum%>"))
    .sort()
    .join("\n");
}

/** A compact unified-style diff of the first differing lines. */
export function firstDifferences(expected: string, actual: string, max = 8): string {
  const a = expected.split("\n");
  const b = actual.split("\n");
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < max * 2; i++) {
    if (a[i] !== b[i]) {
      out.push(`  line ${i + 1}`);
      out.push(`    pprof:     ${JSON.stringify(a[i] ?? "<none>")}`);
      out.push(`    heapscope: ${JSON.stringify(b[i] ?? "<none>")}`);
    }
  }
  return out.join("\n");
}

/**
 * What an error message means, so both sides' refusals compare although the words differ (pprof
 * quotes Go's regexp errors, heapscope JavaScript's). Each pattern names its parts; the meaning is
 * the pattern's name and the parts. null: the text means nothing this table knows.
 */
const errorMeanings: { meaning: string; patterns: RegExp[] }[] = [
  { meaning: "no match", patterns: [/no matches found for regexp: (?<regexp>.*)$/m] },
  { meaning: "invalid regexp", patterns: [/parsing (?<option>\w+) regexp/] },
  {
    meaning: "unknown sample index",
    patterns: [/sample_index "?(?<index>[^" ]+)"? (?:must be one of|is outside the range)/],
  },
  {
    meaning: "invalid option value",
    patterns: [
      /invalid value "(?<value>[^"]*)" for flag -(?<option>\w+)/,
      /--(?<option>[\w-]+) must be an? \w+, not "(?<value>[^"]*)"/,
    ],
  },
];

export function errorMeaning(stderr: string): string | null {
  for (const { meaning, patterns } of errorMeanings) {
    for (const pattern of patterns) {
      const groups = pattern.exec(stderr)?.groups;
      if (!groups) continue;
      const parts = Object.entries(groups)
        .map(([k, v]) => [k, k === "option" ? v.replaceAll("-", "_") : v] as const)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`);
      return `${meaning} (${parts.join(", ")})`;
    }
  }
  return null;
}
