/**
 * Prepares a program to run with the heap-dump hook, without editing its source.
 *
 * `go run ./cmd/svc ARGS` becomes `go build -tags heapscope -overlay OV -o TMP/bin/svc ./cmd/svc`
 * followed by `TMP/bin/svc ARGS`: the overlay adds assets/go/heapscope_hook.go to the main package's
 * directory for this build only, and building (rather than `go run`, which links with -s -w) keeps
 * `.symtab`, so globals can be named. `go run a.go b.go` gets the hook file added to its list. A
 * user's own -tags and -overlay are merged, not replaced. A command that is not `go run` must be a
 * binary that already contains the hook (built after `heapscope hook`); it only gets the environment.
 *
 * Use:
 *   const launch = await prepareHookedLaunch(["go", "run", "./cmd/svc", "-port", "0"]);
 *   try {
 *     const target = await launchTarget({ command: [launch.command, ...launch.args], env: launch.env, cwd: launch.cwd });
 *     const endpoint = await launch.waitForHook({ isRunning: () => target.running });
 *     const dump = await requestHeapDump(endpoint);
 *     const bytes = await dump.readAndDelete();
 *   } finally {
 *     await launch.cleanup(); // the build directory, the binary and any dump left behind
 *   }
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { InputError, UsageError } from "../errors.js";
import { readGoBinarySymbols } from "../formats/elf/go-binary-symbols.js";
import {
  defaultExecutableName,
  type GoRunCommand,
  isGoCommand,
  parseGoRunCommand,
} from "./go-run-command.js";
import { moduleRootOf } from "./go-source-files.js";
import {
  type HookEndpoint,
  hookEnvironment,
  newHookToken,
  type WaitForHookOptions,
  waitForHookEndpoint,
} from "./heapdump-hook.js";
import { HOOK_BUILD_TAG, HOOK_FILE_NAME, HOOK_FUNCTION_NAME, hookSourcePath } from "./hook-file.js";

export interface HookedLaunchOptions {
  /** Working directory of the command (default: heapscope's). */
  cwd?: string;
  /** Environment of the command (default process.env); the hook's variables are added. */
  env?: NodeJS.ProcessEnv;
  /** Where the hook listens (default 127.0.0.1:0, a free port). */
  hookAddr?: string;
  /** Parent of the private temporary directory (default os.tmpdir()). */
  tempRoot?: string;
  /** Receives `go build`'s output as it comes (compile errors, download progress). */
  onBuildOutput?: (text: string) => void;
  signal?: AbortSignal;
}

export interface HookedLaunch {
  /** What to execute: the freshly built binary, or the user's own. */
  command: string;
  args: string[];
  /** The full environment for the program, with HEAPSCOPE_HOOK_* set. */
  env: NodeJS.ProcessEnv;
  cwd: string | undefined;
  /** The ELF file to read globals and function names from. */
  binary: string;
  /** Private directory (mode 0700) the hook writes its dumps and its ready file into. */
  dumpDir: string;
  token: string;
  /** How long `go build` took, when heapscope built the program. */
  buildMs?: number;
  /** The module (or, outside one, the package directory) heapscope built: its Go sources. */
  sourceDir?: string;
  /** Waits until the launched program's hook listens. */
  waitForHook(options?: WaitForHookOptions): Promise<HookEndpoint>;
  /** Removes the temporary directory: the built binary, the overlay and any dump still there. */
  cleanup(): Promise<void>;
  /** The same, synchronously, for an exit handler. */
  cleanupSync(): void;
}

/** Builds (for `go run`) or checks (for a binary) the program `argv` names; see the module comment. */
export async function prepareHookedLaunch(
  argv: readonly string[],
  options: HookedLaunchOptions = {},
): Promise<HookedLaunch> {
  const [program, ...programArgs] = argv;
  if (!program) throw new UsageError("nothing to run");
  const env = options.env ?? process.env;
  const goRun = isGoCommand(program) ? parseGoRunCommand(argv, env) : undefined;
  const root = mkdtempSync(path.join(options.tempRoot ?? os.tmpdir(), "heapscope-hook-"));
  const dumpDir = path.join(root, "dumps");
  const cleanupSync = () => rmSync(root, { recursive: true, force: true });
  try {
    mkdirSync(dumpDir, { mode: 0o700 });
    const token = newHookToken();
    const launch = goRun
      ? await buildWithHook(goRun, root, options)
      : { command: program, args: programArgs, binary: checkHookedBinary(program, options.cwd, env) };
    return {
      ...launch,
      env: { ...env, ...hookEnvironment({ dumpDir, token, addr: options.hookAddr }) },
      cwd: options.cwd,
      dumpDir,
      token,
      waitForHook: (waitOptions) => waitForHookEndpoint(dumpDir, token, waitOptions),
      cleanup: () => rm(root, { recursive: true, force: true }),
      cleanupSync,
    };
  } catch (error) {
    cleanupSync();
    throw error;
  }
}

/** `go build` of the `go run` target with the hook added; returns how to run the result. */
async function buildWithHook(
  goRun: GoRunCommand,
  root: string,
  options: HookedLaunchOptions,
): Promise<{ command: string; args: string[]; binary: string; buildMs: number; sourceDir: string }> {
  const goCwd = path.resolve(options.cwd ?? process.cwd(), goRun.chdir ?? ".");
  // -C must be the first flag after the subcommand.
  const run = ([subcommand, ...rest]: string[]) =>
    runGo(goRun.go, [subcommand!, ...(goRun.chdir ? ["-C", goRun.chdir] : []), ...rest], options);
  let packageDir: string;
  let moduleDir = "";
  let exeName: string;
  let packageArgs: string[];
  if (goRun.target.kind === "files") {
    const first = goRun.target.files[0]!;
    packageDir = path.resolve(goCwd, path.dirname(first));
    exeName = path.basename(first, ".go");
    // Same directory spelling as the first file: the go command requires one directory for all.
    const alreadyListed = goRun.target.files.some((file) => path.basename(file) === HOOK_FILE_NAME);
    packageArgs = alreadyListed
      ? goRun.target.files
      : [...goRun.target.files, path.join(path.dirname(first), HOOK_FILE_NAME)];
  } else {
    const listed = await run([
      "list",
      ...goRun.buildFlags,
      ...userTagsAndOverlay(goRun, goCwd),
      "-f",
      "{{.Name}}\t{{.ImportPath}}\t{{.Dir}}\t{{with .Module}}{{.Dir}}{{end}}",
      "--",
      goRun.target.pattern,
    ]);
    const lines = listed.trim().split("\n");
    if (lines.length !== 1) {
      throw new InputError(
        goRun.target.pattern,
        `matches ${lines.length} packages; go run needs exactly one`,
      );
    }
    const [name, importPath, dir, module] = lines[0]!.split("\t");
    if (name !== "main") throw new InputError(goRun.target.pattern, `package ${name} is not a main package`);
    packageDir = dir!;
    moduleDir = module ?? "";
    exeName = defaultExecutableName(importPath!);
    packageArgs = [goRun.target.pattern];
  }
  const overlayPath = path.join(root, "overlay.json");
  writeFileSync(overlayPath, JSON.stringify(mergedOverlay(goRun, goCwd, packageDir)), { mode: 0o600 });
  const binary = path.join(root, "bin", exeName);
  mkdirSync(path.dirname(binary), { mode: 0o700 });
  const tags = [...goRun.tags.filter((tag) => tag !== HOOK_BUILD_TAG), HOOK_BUILD_TAG];
  const started = Date.now();
  await run([
    "build",
    ...goRun.buildFlags,
    `-tags=${tags.join(",")}`,
    `-overlay=${overlayPath}`,
    "-o",
    binary,
    "--",
    ...packageArgs,
  ]);
  const buildMs = Date.now() - started;
  const args = [...goRun.programArgs];
  const sourceDir = moduleDir || moduleRootOf(packageDir);
  if (goRun.exec) {
    const [execProgram, ...execArgs] = goRun.exec.trim().split(/\s+/);
    return { command: execProgram!, args: [...execArgs, binary, ...args], binary, buildMs, sourceDir };
  }
  return { command: binary, args, binary, buildMs, sourceDir };
}

/** The user's own -tags and -overlay, for `go list` (which must see the package as the build will). */
function userTagsAndOverlay(goRun: GoRunCommand, goCwd: string): string[] {
  const flags: string[] = [];
  if (goRun.tags.length > 0) flags.push(`-tags=${goRun.tags.join(",")}`);
  if (goRun.overlay) flags.push(`-overlay=${path.resolve(goCwd, goRun.overlay)}`);
  return flags;
}

/** The user's overlay (paths made absolute) plus the hook file in the package directory. */
function mergedOverlay(
  goRun: GoRunCommand,
  goCwd: string,
  packageDir: string,
): { Replace: Record<string, string> } {
  const replace: Record<string, string> = {};
  if (goRun.overlay) {
    const file = path.resolve(goCwd, goRun.overlay);
    let parsed: { Replace?: Record<string, unknown> };
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new InputError(file, `cannot read the -overlay file (${(error as Error).message})`);
    }
    for (const [from, to] of Object.entries(parsed.Replace ?? {})) {
      // An empty replacement deletes the file in the overlay; keep it empty.
      replace[path.resolve(goCwd, from)] = typeof to === "string" && to !== "" ? path.resolve(goCwd, to) : "";
    }
  }
  replace[path.join(packageDir, HOOK_FILE_NAME)] = hookSourcePath;
  return { Replace: replace };
}

/** Runs the go command; resolves with stdout, rejects with the first line of its complaint. */
function runGo(go: string, args: string[], options: HookedLaunchOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      go,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 64 << 20, signal: options.signal },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") return reject(new InputError(go, "command not found"));
        const lines = stderr.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));
        const more = lines.length > 1 ? ` (and ${lines.length - 1} more lines)` : "";
        reject(new InputError(`go ${args[0]}`, `${lines[0] ?? error.message}${more}`));
      },
    );
    if (options.onBuildOutput)
      child.stderr?.on("data", (chunk: Buffer | string) => options.onBuildOutput!(String(chunk)));
  });
}

/** A program that is not `go run` must already contain the hook: look for its function in the binary. */
function checkHookedBinary(program: string, cwd: string | undefined, env: NodeJS.ProcessEnv): string {
  const file = resolveExecutable(program, cwd, env);
  if (!file) throw new InputError(program, "command not found");
  const symbols = readGoBinarySymbols(new Uint8Array(readFileSync(file)), file);
  if (!symbols.hasFunction(HOOK_FUNCTION_NAME)) {
    throw new InputError(
      file,
      "was built without the heap-dump hook: run `heapscope hook DIR` in its main package and build with -tags heapscope, or launch it as `go run ./pkg`",
    );
  }
  return file;
}

function resolveExecutable(
  program: string,
  cwd: string | undefined,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const candidates = program.includes("/")
    ? [path.resolve(cwd ?? process.cwd(), program)]
    : (env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, program));
  return candidates.find((candidate) => {
    try {
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}
