/** One side of a benchmark run: its test binaries, built once with `go test -c`, and their runs. */
import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InputError } from "../errors.js";
import { BenchRunError, type CommandResult, lastLines, runCommand } from "./bench-commands.js";
import type { SplitGoTestArgs } from "./go-test-args.js";

export interface TestPackage {
  importPath: string;
  dir: string;
  binary: string;
}

export interface Side {
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

export async function buildSide(
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

export async function runBinary(
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
export async function goModuleRoot(goCommand: string, dir: string, env: NodeJS.ProcessEnv): Promise<string> {
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
