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

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InputError, UsageError } from "../errors.js";
import { git } from "./bench-commands.js";
import { type BenchProfile, profileBenchmarks } from "./bench-memprofiles.js";
import { TemporaryWorkspace } from "./bench-workspace.js";
import { type SplitGoTestArgs, splitGoTestArgs } from "./go-test-args.js";
import { buildSide, goModuleRoot, runBinary, type Side } from "./go-test-binaries.js";

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

export type { BenchProfile };

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

export async function runBenchComparison(options: BenchRunOptions): Promise<BenchRunResult> {
  const goCommand = options.go ?? "go";
  const env = { ...process.env, ...options.env };
  const progress = options.onProgress ?? (() => {});
  const split = splitGoTestArgs(options.goTestArgs);
  const dir = path.resolve(options.dir);
  const trees = await locateTrees(dir, goCommand, options.baseRef, env);
  const notes = [...trees.notes];
  const workspace = new TemporaryWorkspace(trees.gitRoot);
  try {
    // The go command's own work directories go inside ours: an interrupted go leaves its
    // go-build* directory behind, and this way the cleanup takes it too.
    const goTemp = path.join(workspace.root, "gotmp");
    mkdirSync(goTemp);
    env.GOTMPDIR = goTemp;
    progress(`checking out ${trees.baseRef} into a temporary worktree`);
    const baseTree = await workspace.addWorktree(trees.baseCommit, env);
    const sides: [Side, Side] = [
      newSide("base", path.join(baseTree, trees.relativeModule)),
      newSide("new", trees.moduleRoot),
    ];
    for (const side of sides) {
      await buildSide(side, goCommand, split, path.join(workspace.root, `bin-${side.name}`), env, progress);
    }
    notes.push(...packageNotes(sides, dir, split));
    await runRounds(sides, options, split, env, progress);
    const [base, next] = sides;
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
    const shortCommit = trees.baseCommit.slice(0, 12);
    return {
      profiles,
      baseText,
      newText,
      baseRef: trees.baseRef,
      baseCommit: trees.baseCommit,
      baseLabel: trees.baseRef === trees.baseCommit ? shortCommit : `${trees.baseRef} (${shortCommit})`,
      newLabel: trees.dirty ? "working tree" : `working tree (${trees.headCommit.slice(0, 12)})`,
      dirty: trees.dirty,
      notes,
    };
  } finally {
    progress("removing the temporary worktree");
    workspace.cleanup();
  }
}

/** Where the two sides come from: the repository, the module in it, the base commit. */
interface Trees {
  gitRoot: string;
  moduleRoot: string;
  /** The module's directory relative to the repository root (the same in the base checkout). */
  relativeModule: string;
  dirty: boolean;
  baseRef: string;
  baseCommit: string;
  headCommit: string;
  notes: string[];
}

async function locateTrees(
  dir: string,
  goCommand: string,
  requestedBase: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Trees> {
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
  const baseRef = requestedBase ?? (dirty ? "HEAD" : "HEAD~1");
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
  return { gitRoot, moduleRoot, relativeModule, dirty, baseRef, baseCommit, headCommit, notes };
}

function newSide(name: Side["name"], moduleDir: string): Side {
  return { name, moduleDir, packages: [], output: [], outputByPackage: new Map() };
}

/** Notes on packages with tests on one side only; an error when neither side has any. */
function packageNotes([base, next]: [Side, Side], dir: string, split: SplitGoTestArgs): string[] {
  const notes: string[] = [];
  const baseOnly = base.packages.filter((p) => !next.packages.some((q) => q.importPath === p.importPath));
  const newOnly = next.packages.filter((p) => !base.packages.some((q) => q.importPath === p.importPath));
  if (baseOnly.length > 0)
    notes.push(`packages with tests only in base: ${baseOnly.map((p) => p.importPath).join(", ")}`);
  if (newOnly.length > 0)
    notes.push(`packages with tests only in new: ${newOnly.map((p) => p.importPath).join(", ")}`);
  if (base.packages.length === 0 && next.packages.length === 0) {
    throw new InputError(dir, `no packages with tests match ${split.packages.join(" ")}`);
  }
  return notes;
}

/** `options.count` rounds, each running every benchmark once per side, in ABBA order. */
async function runRounds(
  [base, next]: [Side, Side],
  options: BenchRunOptions,
  split: SplitGoTestArgs,
  env: NodeJS.ProcessEnv,
  progress: (message: string) => void,
): Promise<void> {
  const userSetCount = split.testFlags.some((f) => f.startsWith("-test.count"));
  const binaryArgs = [
    "-test.run=^$",
    `-test.bench=${options.bench}`,
    "-test.benchmem",
    ...(userSetCount ? [] : ["-test.count=1"]),
    ...split.testFlags,
  ];
  for (let round = 0; round < options.count; round++) {
    // The side that goes first alternates every round.
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
}
