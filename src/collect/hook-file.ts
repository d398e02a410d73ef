/**
 * The heap-dump hook's Go source (assets/go/heapscope_hook.go, shipped in the npm package) and
 * writing it into a user's main package for `heapscope hook [DIR]`.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.js";

export const HOOK_FILE_NAME = "heapscope_hook.go";
/** The build tag the hook file needs: it is left out of every build without it. */
export const HOOK_BUILD_TAG = "heapscope";
/** A function only the hook defines: finding it in a binary's function table means the hook is in. */
export const HOOK_FUNCTION_NAME = "main.heapscopeHookStart";

/** Where the hook source is in the package (the same relative path from src/collect and dist/collect). */
export const hookSourcePath = path.resolve(import.meta.dirname, "../../assets/go", HOOK_FILE_NAME);

export function readHookSource(): string {
  return readFileSync(hookSourcePath, "utf8");
}

/** The package clause of Go source, skipping comments (the first non-comment token must be `package`). */
export function packageNameOf(source: string): string | undefined {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, " ");
  return /^\s*package\s+([\p{L}_][\p{L}\p{N}_]*)/u.exec(withoutComments)?.[1];
}

/** The non-test .go files of `dir` whose package clause says `main`. */
export function mainPackageFiles(dir: string): string[] {
  const names = readdirSync(dir).filter(
    (name) => name.endsWith(".go") && !name.endsWith("_test.go") && name !== HOOK_FILE_NAME,
  );
  return names.filter((name) => {
    try {
      // The package clause is near the top; a licence header rarely exceeds a few KiB.
      const head = readFileSync(path.join(dir, name))
        .subarray(0, 64 * 1024)
        .toString("utf8");
      return packageNameOf(head) === "main";
    } catch {
      return false;
    }
  });
}

export interface HookFileResult {
  /** Path of heapscope_hook.go. */
  path: string;
  /** "written" (new), "replaced" (an older hook, with force), or "unchanged" (already identical). */
  action: "written" | "replaced" | "unchanged";
}

/**
 * Writes the hook into `dir`, which must hold a main package. An existing different heapscope_hook.go
 * is replaced only with `force` (it may be a hand-edited copy).
 */
export function writeHookFile(dir: string, options: { force?: boolean } = {}): HookFileResult {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(dir);
  } catch {
    throw new InputError(dir, "no such directory");
  }
  if (!stat.isDirectory()) throw new InputError(dir, "not a directory");
  if (mainPackageFiles(dir).length === 0) {
    throw new InputError(
      dir,
      "no `package main` .go file here: give the directory of the program's main package",
    );
  }
  const target = path.join(dir, HOOK_FILE_NAME);
  const source = readHookSource();
  let existing: string | undefined;
  try {
    existing = readFileSync(target, "utf8");
  } catch {
    existing = undefined;
  }
  if (existing === source) return { path: target, action: "unchanged" };
  if (existing !== undefined && !options.force) {
    throw new InputError(target, "exists and differs from this heapscope's hook; use --force to replace it");
  }
  writeFileSync(target, source, { mode: 0o644 });
  return { path: target, action: existing === undefined ? "written" : "replaced" };
}
