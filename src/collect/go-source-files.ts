/**
 * The Go source files of a module, read for the statement scan (formats/go-source): every `.go`
 * file under a directory, skipping tests (`_test.go`), `vendor/`, `testdata/` and directories
 * starting with `.` or `_` (which the go command ignores too). Bounded: at most MAX_FILES files of at
 * most MAX_FILE_BYTES each, so pointing --source-path at `/` cannot exhaust memory.
 * Paths are given relative to the directory, with forward slashes. Also: the module root and go.mod
 * version above a directory, and the check of a --source-path.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { goLineOfGoMod } from "../diagnose/module-path.js";
import { InputError } from "../errors.js";

export const MAX_FILES = 20_000;
export const MAX_FILE_BYTES = 2 << 20;

export interface GoSourceFiles {
  files: { file: string; text: string }[];
  /** Files left out for their size or for the file limit. */
  skipped: number;
}

export function readGoSourceFiles(root: string): GoSourceFiles {
  const files: { file: string; text: string }[] = [];
  let skipped = 0;
  const visit = (dir: string) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === "vendor" || entry.name === "testdata" || /^[._]/.test(entry.name)) continue;
        visit(full);
      } else if (entry.isFile() && entry.name.endsWith(".go") && !entry.name.endsWith("_test.go")) {
        if (files.length >= MAX_FILES || statSync(full).size > MAX_FILE_BYTES) {
          skipped++;
          continue;
        }
        files.push({
          file: path.relative(root, full).split(path.sep).join("/"),
          text: readFileSync(full, "utf8"),
        });
      }
    }
  };
  visit(root);
  return { files, skipped };
}

/** The `go` line of the go.mod in `dir` or the nearest directory above it. */
export function moduleGoVersion(dir: string): [number, number] | undefined {
  let current = path.resolve(dir);
  for (let depth = 0; depth < 32; depth++) {
    const goMod = path.join(current, "go.mod");
    if (existsSync(goMod)) return goLineOfGoMod(readFileSync(goMod, "utf8"));
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
  return undefined;
}

/** The module root above `dir` (the directory holding go.mod), or `dir` itself without one. */
export function moduleRootOf(dir: string): string {
  let current = path.resolve(dir);
  for (let depth = 0; depth < 32; depth++) {
    if (existsSync(path.join(current, "go.mod"))) return current;
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return path.resolve(dir);
}

/** --source-path must name a directory: one line otherwise. */
export function checkSourcePath(dir: string): string {
  if (!existsSync(dir)) throw new InputError(dir, "--source-path: no such directory");
  if (!statSync(dir).isDirectory()) throw new InputError(dir, "--source-path: not a directory");
  return path.resolve(dir);
}
