/**
 * `heapscope bench run`: benchmarks the working tree against a git ref on one machine.
 *
 * 1. The base ref is checked out into a temporary `git worktree` (removed afterwards — on success,
 *    on error and on SIGINT/SIGTERM/SIGHUP).
 * 2. Each side's test binaries are built once with `go test -c`, one per package with tests.
 * 3. The binaries run with `-test.run='^$' -test.bench=… -test.benchmem`, one sample per benchmark
 *    per round, alternating which side goes first (ABBA), so drift of the machine (thermal,
 *    neighbours, frequency) falls on both sides alike instead of on whichever ran second.
 *
 * The outputs are ordinary `go test -bench` text, compared by the caller like `bench compare`.
 */

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { HeapscopeError, InputError, UsageError } from "../errors.js";
import { parseGoBenchText, splitGomaxprocs } from "../formats/go-bench.js";
import { encodeProfileGzip } from "../formats/pprof-proto-encode.js";
import { parseProfileBytes } from "../formats/profile-bytes.js";

export interface BenchRunOptions {
  /** Directory inside the Go module (and git repository) to benchmark. */
  dir: string;
  /** Git ref for the baseline; default HEAD when the tree is dirty, else HEAD~1. */
  baseRef?: string;
  /** Rounds: each round runs every benchmark once per side. */
  count: number;
  /** -test.bench pattern. */
  bench: string;
  /** What followed `--`: package patterns, build flags and test flags, go test style. */
  goTestArgs: string[];
  go?: string;
  /** Write base.txt and new.txt here too. */
  saveDir?: string;
  env?: NodeJS.ProcessEnv;
  onProgress?: (message: string) => void;
  /**
   * After the rounds, profile every benchmark alone on both sides (`-test.bench=^X$
   * -test.benchtime=Nx -test.memprofilerate=1`), so each profile holds one benchmark's exact
   * allocations; written to DIR/{base,new}/<package>/<benchmark>.pb.gz with their operation count.
   */
  memprofile?: { dir: string; iterations: number };
}

/** One benchmark's allocation profile from `memprofile`. */
export interface BenchProfile {
  side: "base" | "new";
  package: string;
  /** Benchmark name without the -N GOMAXPROCS suffix. */
  name: string;
  file: string;
  /** Iterations the profile covers: b.N plus the 1-iteration probe `testing` runs first. */
  ops: number;
}

export interface BenchRunResult {
  baseText: string;
  newText: string;
  baseRef: string;
  baseCommit: string;
  baseLabel: string;
  newLabel: string;
  dirty: boolean;
  /** Things the user should know (dirty tree, packages on one side only). */
  notes: string[];
  profiles: BenchProfile[];
}

/** Runs a benchmark run failure as a one-line error with exit code 2. */
export class BenchRunError extends HeapscopeError {}

// `go test` flags that belong to the test binary (as -test.<name>), and whether they take a value.
const TEST_FLAGS: Record<string, boolean> = {
  bench: true,
  benchtime: true,
  benchmem: false,
  count: true,
  cpu: true,
  failfast: false,
  fullpath: false,
  parallel: true,
  run: true,
  short: false,
  skip: true,
  timeout: true,
  v: false,
  shuffle: true,
  memprofilerate: true,
  blockprofile: true,
  blockprofilerate: true,
  mutexprofile: true,
  mutexprofilefraction: true,
  cpuprofile: true,
  memprofile: true,
  trace: true,
  outputdir: true,
};

// Build flags that go to `go list` and `go test -c`, and whether they take a value.
const BUILD_FLAGS: Record<string, boolean> = {
  tags: true,
  race: false,
  msan: false,
  asan: false,
  gcflags: true,
  ldflags: true,
  asmflags: true,
  trimpath: false,
  mod: true,
  modfile: true,
  overlay: true,
  pgo: true,
  buildvcs: true,
  a: false,
  p: true,
  toolexec: true,
  compiler: true,
  gccgoflags: true,
  installsuffix: true,
  linkshared: false,
  cover: false,
  covermode: true,
  coverpkg: true,
  work: false,
};

export interface SplitGoTestArgs {
  packages: string[];
  buildFlags: string[];
  testFlags: string[];
}

/** Sorts go test style arguments into packages, build flags and test-binary flags. */
export function splitGoTestArgs(args: readonly string[]): SplitGoTestArgs {
  const out: SplitGoTestArgs = { packages: [], buildFlags: [], testFlags: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("-") || arg === "-") {
      out.packages.push(arg);
      continue;
    }
    const match = /^--?(?:test\.)?([a-zA-Z0-9_]+)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`go test argument "${arg}" is not a flag heapscope understands`);
    const name = match[1]!;
    let value = match[2];
    if (name in TEST_FLAGS) {
      if (TEST_FLAGS[name] && value === undefined) {
        value = args[++i];
        if (value === undefined) throw new UsageError(`go test flag -${name} needs a value`);
      }
      out.testFlags.push(value === undefined ? `-test.${name}` : `-test.${name}=${value}`);
    } else if (name in BUILD_FLAGS) {
      if (BUILD_FLAGS[name] && value === undefined) {
        value = args[++i];
        if (value === undefined) throw new UsageError(`go build flag -${name} needs a value`);
      }
      out.buildFlags.push(value === undefined ? `-${name}` : `-${name}=${value}`);
    } else {
      throw new UsageError(`unknown go test flag -${name}`);
    }
  }
  if (out.packages.length === 0) out.packages.push("./...");
  return out;
}

interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Child processes this run started, so an interrupt can stop exactly them. */
const activeChildren = new Set<ChildProcess>();
/** Set once SIGINT/SIGTERM/SIGHUP arrived: no new process may start after it. */
let interruptReceived = false;

function runCommand(
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
async function stopChildren(): Promise<void> {
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

function lastLines(text: string, count = 6): string {
  const lines = text.trim().split("\n");
  return lines.slice(-count).join(" | ");
}

async function git(args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
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

interface TestPackage {
  importPath: string;
  dir: string;
  binary: string;
}

interface Side {
  name: "base" | "new";
  moduleDir: string;
  packages: TestPackage[];
  output: string[];
  /** Output per package import path, to know which benchmarks each binary has. */
  outputByPackage: Map<string, string[]>;
}

async function listTestPackages(
  goCommand: string,
  moduleDir: string,
  split: SplitGoTestArgs,
  env: NodeJS.ProcessEnv,
  sideName: string,
): Promise<{ importPath: string; dir: string }[]> {
  const format = "{{.ImportPath}}\t{{.Dir}}\t{{len .TestGoFiles}}\t{{len .XTestGoFiles}}";
  let result: CommandResult;
  try {
    result = await runCommand(goCommand, ["list", ...split.buildFlags, "-f", format, ...split.packages], {
      cwd: moduleDir,
      env,
    });
  } catch (error) {
    throw new BenchRunError(`cannot run ${goCommand}: ${(error as Error).message}`);
  }
  if (result.code !== 0) {
    throw new InputError(
      `${sideName} tree`,
      `go list ${split.packages.join(" ")} failed: ${lastLines(result.stderr)}`,
    );
  }
  const packages: { importPath: string; dir: string }[] = [];
  for (const line of result.stdout.split("\n")) {
    const [importPath, dir, tests, xtests] = line.split("\t");
    if (!importPath || !dir) continue;
    if (Number(tests) + Number(xtests) > 0) packages.push({ importPath, dir });
  }
  return packages;
}

async function buildSide(
  side: Side,
  goCommand: string,
  split: SplitGoTestArgs,
  binDir: string,
  env: NodeJS.ProcessEnv,
  progress: (message: string) => void,
): Promise<void> {
  const listed = await listTestPackages(goCommand, side.moduleDir, split, env, side.name);
  mkdirSync(binDir, { recursive: true });
  let index = 0;
  for (const pkg of listed) {
    progress(`building ${side.name}: ${pkg.importPath}`);
    const binary = path.join(binDir, `pkg${index++}.test`);
    const result = await runCommand(
      goCommand,
      ["test", "-c", "-o", binary, ...split.buildFlags, pkg.importPath],
      {
        cwd: side.moduleDir,
        env,
      },
    );
    if (result.code !== 0) {
      throw new InputError(
        `${side.name} tree`,
        `go test -c ${pkg.importPath} failed: ${lastLines(result.stderr)}`,
      );
    }
    side.packages.push({ importPath: pkg.importPath, dir: pkg.dir, binary });
  }
}

async function runBinary(
  side: Side,
  pkg: TestPackage,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const result = await runCommand(pkg.binary, args, { cwd: pkg.dir, env });
  if (result.signal === "SIGINT" || result.signal === "SIGTERM") {
    throw new BenchRunError(`interrupted while running the ${side.name} benchmarks of ${pkg.importPath}`);
  }
  if (result.code !== 0) {
    throw new InputError(
      `${side.name} tree`,
      `benchmarks of ${pkg.importPath} failed (exit ${result.code ?? result.signal}): ${lastLines(result.stdout + result.stderr)}`,
    );
  }
  return result.stdout;
}

/** Absolute path of the Go module (or workspace) root for `dir`. */
async function goModuleRoot(goCommand: string, dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  let result: CommandResult;
  try {
    result = await runCommand(goCommand, ["env", "GOMOD", "GOWORK"], { cwd: dir, env });
  } catch (error) {
    throw new BenchRunError(`cannot run ${goCommand}: ${(error as Error).message}`);
  }
  if (result.code !== 0) throw new InputError(dir, `go env failed: ${lastLines(result.stderr)}`);
  const [gomod = "", gowork = ""] = result.stdout.split("\n").map((s) => s.trim());
  if (gowork && gowork !== "off") return path.dirname(gowork);
  if (gomod && gomod !== os.devNull && gomod !== "/dev/null" && gomod !== "NUL") return path.dirname(gomod);
  throw new InputError(dir, "not inside a Go module or workspace (no go.mod found)");
}

/** Benchmark names (without -N) in go test output, in order. */
function benchmarkNames(outputs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const output of outputs) {
    for (const result of parseGoBenchText(output).results) names.add(splitGomaxprocs(result.name)[0]);
  }
  return [...names];
}

/** A -test.bench pattern that selects exactly one (sub-)benchmark: each level anchored and escaped. */
export function exactBenchPattern(name: string): string {
  return name
    .split("/")
    .map((part) => `^${part.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")}$`)
    .join("/");
}

function fileSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9._=-]+/g, "_").slice(0, 180);
}

// Test flags that would change what a per-benchmark profile measures.
const PROFILE_OVERRIDDEN =
  /^-test\.(bench|benchtime|count|run|memprofile|memprofilerate|cpuprofile|blockprofile|mutexprofile|trace|outputdir)(=|$)/;

async function profileBenchmarks(
  sides: Side[],
  settings: { dir: string; iterations: number },
  testFlags: string[],
  env: NodeJS.ProcessEnv,
  progress: (message: string) => void,
): Promise<BenchProfile[]> {
  const profiles: BenchProfile[] = [];
  const iterations = Math.max(1, Math.floor(settings.iterations));
  // testing runs every benchmark once with b.N = 1 before the b.N = N run (skipped when N = 1).
  const ops = iterations > 1 ? iterations + 1 : 1;
  const kept = testFlags.filter((f) => !PROFILE_OVERRIDDEN.test(f));
  for (const side of sides) {
    for (const pkg of side.packages) {
      for (const name of benchmarkNames(side.outputByPackage.get(pkg.importPath) ?? [])) {
        progress(`profiling ${side.name} ${pkg.importPath} ${name}`);
        const file = path.join(
          path.resolve(settings.dir),
          side.name,
          fileSafe(pkg.importPath),
          `${fileSafe(name)}.pb.gz`,
        );
        mkdirSync(path.dirname(file), { recursive: true });
        await runBinary(
          side,
          pkg,
          [
            "-test.run=^$",
            `-test.bench=${exactBenchPattern(name)}`,
            `-test.benchtime=${iterations}x`,
            "-test.count=1",
            "-test.benchmem",
            `-test.memprofile=${file}`,
            "-test.memprofilerate=1",
            ...kept,
          ],
          env,
        );
        // Record the operation count in the profile, so `heapscope diff` compares per op.
        const parsed = parseProfileBytes(readFileSync(file), file);
        parsed.profile.comments.push(`heapscope-ops=${ops}`, `heapscope-benchmark=${pkg.importPath} ${name}`);
        writeFileSync(file, encodeProfileGzip(parsed.profile));
        profiles.push({ side: side.name, package: pkg.importPath, name, file, ops });
      }
    }
  }
  return profiles;
}

/**
 * Owns the temporary directory and the git worktree: `cleanup()` is idempotent and synchronous,
 * so it can run from a signal handler or process exit as well as from `finally`.
 */
class TemporaryWorkspace {
  readonly root: string;
  private worktree: string | undefined;
  private done = false;
  private interrupted = false;
  private readonly handlers: [NodeJS.Signals, () => void][] = [];
  private readonly onExit = () => this.cleanup();

  constructor(private readonly gitRoot: string) {
    this.root = mkdtempSync(path.join(os.tmpdir(), "heapscope-bench-"));
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as NodeJS.Signals[]) {
      const handler = () => {
        if (this.interrupted) return;
        this.interrupted = true;
        // Pass the interrupt on (a terminal would have sent it to them too) and give the go
        // command a moment to delete its own temporary files before the worktree goes.
        void stopChildren().finally(() => {
          this.cleanup();
          process.exit(signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 129);
        });
      };
      process.on(signal, handler);
      this.handlers.push([signal, handler]);
    }
    process.on("exit", this.onExit);
  }

  async addWorktree(commit: string, env?: NodeJS.ProcessEnv): Promise<string> {
    const target = path.join(this.root, "base");
    this.worktree = target;
    await git(["worktree", "add", "--detach", "--quiet", target, commit], this.gitRoot, env);
    return target;
  }

  cleanup(): void {
    if (this.done) return;
    this.done = true;
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
    process.off("exit", this.onExit);
    if (this.worktree) {
      try {
        execFileSync("git", ["worktree", "remove", "--force", this.worktree], {
          cwd: this.gitRoot,
          stdio: "ignore",
        });
      } catch {
        // Fall through: removing the directory and pruning still unregisters it.
      }
    }
    try {
      rmSync(this.root, { recursive: true, force: true });
    } catch {
      // A temporary directory we cannot delete is left to the OS.
    }
    if (this.worktree) {
      try {
        execFileSync("git", ["worktree", "prune"], { cwd: this.gitRoot, stdio: "ignore" });
      } catch {
        // Nothing more to do.
      }
    }
  }
}

export async function runBenchComparison(options: BenchRunOptions): Promise<BenchRunResult> {
  const goCommand = options.go ?? "go";
  const env = { ...process.env, ...options.env };
  const progress = options.onProgress ?? (() => {});
  const split = splitGoTestArgs(options.goTestArgs);
  const dir = path.resolve(options.dir);

  const gitRoot = await git(["rev-parse", "--show-toplevel"], dir, env).catch(() => {
    throw new InputError(dir, "not inside a git repository; bench run needs git to check out the base");
  });
  const moduleRoot = await goModuleRoot(goCommand, dir, env);
  const relativeModule = path.relative(gitRoot, moduleRoot);
  if (relativeModule.startsWith("..")) {
    throw new InputError(dir, `the Go module root ${moduleRoot} is outside the git repository ${gitRoot}`);
  }
  const status = await git(["status", "--porcelain", "--untracked-files=normal"], gitRoot, env);
  const dirty = status !== "";
  const baseRef = options.baseRef ?? (dirty ? "HEAD" : "HEAD~1");
  const baseCommit = await git(
    ["rev-parse", "--verify", "--quiet", `${baseRef}^{commit}`],
    gitRoot,
    env,
  ).catch(() => {
    throw new UsageError(`--base ${baseRef}: not a commit in ${gitRoot}`);
  });
  const headCommit = await git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], gitRoot, env).catch(
    () => "",
  );
  const notes: string[] = [];
  if (dirty) notes.push("the working tree has uncommitted changes; they are part of new");
  if (!dirty && headCommit === baseCommit) {
    notes.push(`base ${baseRef} is the same commit as the working tree; this is an A/A comparison`);
  }

  const workspace = new TemporaryWorkspace(gitRoot);
  try {
    // The go command's own work directories go inside ours: an interrupted go leaves its
    // go-build* directory behind, and this way the cleanup takes it too.
    const goTemp = path.join(workspace.root, "gotmp");
    mkdirSync(goTemp);
    env.GOTMPDIR = goTemp;
    progress(`checking out ${baseRef} into a temporary worktree`);
    const baseTree = await workspace.addWorktree(baseCommit, env);
    const sides: Side[] = [
      {
        name: "base",
        moduleDir: path.join(baseTree, relativeModule),
        packages: [],
        output: [],
        outputByPackage: new Map(),
      },
      { name: "new", moduleDir: moduleRoot, packages: [], output: [], outputByPackage: new Map() },
    ];
    for (const side of sides) {
      await buildSide(side, goCommand, split, path.join(workspace.root, `bin-${side.name}`), env, progress);
    }
    const [base, next] = sides as [Side, Side];
    const baseOnly = base.packages.filter((p) => !next.packages.some((q) => q.importPath === p.importPath));
    const newOnly = next.packages.filter((p) => !base.packages.some((q) => q.importPath === p.importPath));
    if (baseOnly.length > 0)
      notes.push(`packages with tests only in base: ${baseOnly.map((p) => p.importPath).join(", ")}`);
    if (newOnly.length > 0)
      notes.push(`packages with tests only in new: ${newOnly.map((p) => p.importPath).join(", ")}`);
    if (base.packages.length === 0 && next.packages.length === 0) {
      throw new InputError(dir, `no packages with tests match ${split.packages.join(" ")}`);
    }

    const userSetCount = split.testFlags.some((f) => f.startsWith("-test.count"));
    const binaryArgs = [
      "-test.run=^$",
      `-test.bench=${options.bench}`,
      "-test.benchmem",
      ...(userSetCount ? [] : ["-test.count=1"]),
      ...split.testFlags,
    ];
    for (let round = 0; round < options.count; round++) {
      // ABBA order: the side that goes first alternates every round.
      const order = round % 2 === 0 ? [base, next] : [next, base];
      for (const side of order) {
        for (const pkg of side.packages) {
          progress(`round ${round + 1}/${options.count}: ${side.name} ${pkg.importPath}`);
          const output = await runBinary(side, pkg, binaryArgs, env);
          side.output.push(output);
          side.outputByPackage.set(pkg.importPath, [
            ...(side.outputByPackage.get(pkg.importPath) ?? []),
            output,
          ]);
        }
      }
    }
    const baseText = base.output.join("");
    const newText = next.output.join("");
    if (options.saveDir) {
      mkdirSync(options.saveDir, { recursive: true });
      writeFileSync(path.join(options.saveDir, "base.txt"), baseText);
      writeFileSync(path.join(options.saveDir, "new.txt"), newText);
    }
    const profiles = options.memprofile
      ? await profileBenchmarks(sides, options.memprofile, split.testFlags, env, progress)
      : [];
    const shortCommit = baseCommit.slice(0, 12);
    return {
      profiles,
      baseText,
      newText,
      baseRef,
      baseCommit,
      baseLabel: baseRef === baseCommit ? shortCommit : `${baseRef} (${shortCommit})`,
      newLabel: dirty ? "working tree" : `working tree (${headCommit.slice(0, 12)})`,
      dirty,
      notes,
    };
  } finally {
    progress("removing the temporary worktree");
    workspace.cleanup();
  }
}
