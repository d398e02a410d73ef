/**
 * The layout of test/: unit suites mirror src/ (test/formats/gctrace/ tests src/formats/gctrace/),
 * and every suite that builds or runs Go programs, Chromium or Prometheus lives under test/e2e/<area>/
 * with its Go programs. test/architecture/test-layout.test.ts checks the tree with layoutProblems;
 * test/ci/required-suites.test.ts uses NEEDS_TOOLS to check test/required-suites.json.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/**
 * What a test file calls when it builds or runs Go programs (heap profiles from heapgen and heap
 * dumps from test/e2e/programs/heapdumps included), runs the go command or go tool pprof, or
 * launches Chromium or Prometheus.
 */
export const NEEDS_TOOLS =
  /\b(?:(?:buildGoProgram|buildProgram|runGo|goCommand|ensureGoToolchain|heapgenRuns|goTestBench|buildTestBinary|buildBenchmathRef|ensureBenchstat|launchChromium|dumpProgram|prepareHookedLaunch|startFleet|startProgram|runScenario|pprof)\(|\.each\(goToolchains\)|\bgoToolchains\.)/;

/** Top-level folders of test/ that are not mirrors of src/, and why they are allowed. */
export const NON_MIRROR_FOLDERS: Record<string, string> = {
  e2e: "suites that build or run Go programs, Chromium or Prometheus, by area",
  support: "helpers shared by suites",
  fixtures: "captured inputs (real outputs of Go programs and tools)",
  golden: "golden reports and the suites that compare them",
  architecture: "checks of the repository's structure",
  ci: "checks of the test and benchmark scripts (scripts/, bench/)",
};

/** A folder named this inside a mirror holds that folder's helpers, not a mirror of src/. */
export const HELPER_FOLDER = "support";

const SKIPPED = new Set([".work", "node_modules"]);

function walk(dir: string, onDir: (rel: string) => void, onFile: (rel: string) => void, rel = ""): void {
  for (const name of readdirSync(dir).sort()) {
    if (SKIPPED.has(name)) continue;
    const full = path.join(dir, name);
    const child = rel ? `${rel}/${name}` : name;
    if (statSync(full).isDirectory()) {
      onDir(child);
      walk(full, onDir, onFile, child);
    } else onFile(child);
  }
}

/** Everything wrong with the layout of `root`/test against `root`/src, one line each. */
export function layoutProblems(root: string): string[] {
  const testRoot = path.join(root, "test");
  const problems: string[] = [];
  const dirs: string[] = [];
  const files: string[] = [];
  walk(
    testRoot,
    (d) => dirs.push(d),
    (f) => files.push(f),
  );
  for (const dir of dirs) {
    const parts = dir.split("/");
    if (parts[0]! in NON_MIRROR_FOLDERS) continue;
    const helper = parts.indexOf(HELPER_FOLDER);
    const mirrored = helper === -1 ? parts : parts.slice(0, helper);
    if (helper !== -1 && mirrored.length < parts.length - 1) continue; // inside a helper folder: checked at its top
    const src = path.join(root, "src", ...mirrored);
    if (!existsSync(src) || !statSync(src).isDirectory()) {
      problems.push(`test/${dir}/: src/${mirrored.join("/")}/ does not exist (test/ mirrors src/)`);
    }
  }
  for (const file of files) {
    if (file.startsWith("e2e/")) continue;
    if (file.endsWith(".test.ts") && NEEDS_TOOLS.test(readFileSync(path.join(testRoot, file), "utf8"))) {
      problems.push(
        `test/${file}: builds Go programs or starts Chromium/Prometheus, so it belongs under test/e2e/`,
      );
    }
    if (path.basename(file) === "go.mod") {
      problems.push(
        `test/${file}: a Go program outside test/e2e/ (programs move with the suites that run them)`,
      );
    }
  }
  return problems;
}
