/**
 * Helpers for the CI-gate tests: run real `go test -bench` in the small modules under programs/,
 * build the benchmath reference helper, install and run benchstat, parse its CSV.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll } from "vitest";
import { buildGoProgram, type GoToolchain, runGo } from "../../support/go.js";

const execFileAsync = promisify(execFile);

export const benchGateDir = import.meta.dirname;
export const programsDir = path.join(benchGateDir, "programs");

export interface GoTestBenchOptions {
  tags?: string;
  count?: number;
  benchtime?: string;
  bench?: string;
  json?: boolean;
  verbose?: boolean;
  cpu?: string;
  packages?: string[];
  /** Toolchain (default: the tests' default, go1.26.8). */
  toolchain?: GoToolchain;
}

/** Runs real `go test -run '^$' -bench … -benchmem` in programs/<module> and returns stdout. */
export async function goTestBench(module: string, options: GoTestBenchOptions = {}): Promise<string> {
  const args = ["test", "-run", "^$", "-bench", options.bench ?? ".", "-benchmem"];
  args.push("-count", String(options.count ?? 10), "-benchtime", options.benchtime ?? "1000x");
  if (options.tags) args.push("-tags", options.tags);
  if (options.json) args.push("-json");
  if (options.verbose) args.push("-v");
  if (options.cpu) args.push("-cpu", options.cpu);
  args.push(...(options.packages ?? ["./..."]));
  const { stdout } = await runGo(args, {
    toolchain: options.toolchain,
    cwd: path.join(programsDir, module),
    maxBuffer: 64 << 20,
  });
  return stdout;
}

/** Builds `go test -c` for one package of a module and returns the binary path. */
export async function buildTestBinary(module: string, tags = ""): Promise<string> {
  const out = path.join(workTemp(), `${module}${tags ? `-${tags}` : ""}.test`);
  const args = ["test", "-c", "-o", out];
  if (tags) args.push("-tags", tags);
  args.push(".");
  await runGo(args, { cwd: path.join(programsDir, module) });
  return out;
}

export async function runTestBinary(binary: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(binary, args, { cwd: path.dirname(binary), maxBuffer: 16 << 20 });
  return stdout;
}

let tempRoot: string | undefined;

// Each test file that imports these helpers removes its temporary inputs when it ends.
afterAll(() => {
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
  tempRoot = undefined;
});

/** A per-process temporary directory for inputs the tests write. */
export function workTemp(): string {
  if (!tempRoot) {
    const base = path.join(benchGateDir, "..", ".work");
    mkdirSync(base, { recursive: true });
    tempRoot = mkdtempSync(path.join(base, "bench-gate-"));
  }
  return tempRoot;
}

export function writeTemp(name: string, content: string | Buffer): string {
  const file = path.join(workTemp(), name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

/** Builds the Go helper that calls golang.org/x/perf/benchmath (fetched from the module proxy). */
export function buildBenchmathRef(): Promise<string> {
  return buildGoProgram(path.join(benchGateDir, "benchmath-ref"));
}

export async function runBenchmathRef<T>(binary: string, input: unknown): Promise<T> {
  const child = execFile(binary, [], { maxBuffer: 64 << 20 });
  const output = new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (c) => {
      out += c;
    });
    child.stderr?.on("data", (c) => {
      err += c;
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`benchmath-ref: ${err}`))));
  });
  child.stdin?.end(JSON.stringify(input));
  return JSON.parse(await output) as T;
}

/** Path of benchstat, installing it with `go install golang.org/x/perf/cmd/benchstat@latest` if missing. */
export async function ensureBenchstat(): Promise<string> {
  const { stdout } = await runGo(["env", "GOPATH"]);
  const gopath = stdout.trim().split(path.delimiter)[0]!;
  const binary = path.join(gopath, "bin", os.platform() === "win32" ? "benchstat.exe" : "benchstat");
  if (!existsSync(binary)) {
    await runGo(["install", "golang.org/x/perf/cmd/benchstat@latest"], { maxBuffer: 16 << 20 });
  }
  return binary;
}

/** One row of a benchstat CSV table. */
export interface BenchstatRow {
  /** Configuration lines seen before the table (pkg, goos, …). */
  config: Record<string, string>;
  unit: string;
  name: string;
  baseCenter: number | undefined;
  baseCI: string;
  newCenter: number | undefined;
  newCI: string;
  delta: string;
  label: string;
}

function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

/** Runs `benchstat -format csv base new` and returns its rows (geomean rows named "geomean"). */
export async function benchstatCsv(
  benchstat: string,
  baseFile: string,
  newFile: string,
): Promise<BenchstatRow[]> {
  const { stdout } = await execFileAsync(benchstat, ["-format", "csv", baseFile, newFile], {
    maxBuffer: 16 << 20,
  });
  const rows: BenchstatRow[] = [];
  const config: Record<string, string> = {};
  let unit = "";
  let expectUnit = false;
  for (const line of stdout.split("\n")) {
    if (line === "") continue;
    const cells = parseCsvLine(line);
    if (cells.length === 1) {
      const match = /^([^:]+): (.*)$/.exec(cells[0]!);
      if (match) config[match[1]!] = match[2]!;
      continue;
    }
    if (cells[0] === "" && !expectUnit) {
      expectUnit = true; // the column-key row (file names)
      continue;
    }
    if (expectUnit) {
      unit = cells[1]!;
      expectUnit = false;
      continue;
    }
    const num = (s: string | undefined) => (s === undefined || s === "" ? undefined : Number(s));
    rows.push({
      config: { ...config },
      unit,
      name: cells[0]!,
      baseCenter: num(cells[1]),
      baseCI: cells[2] ?? "",
      newCenter: num(cells[3]),
      newCI: cells[4] ?? "",
      delta: cells[5] ?? "",
      label: cells[6] ?? "",
    });
  }
  return rows;
}
