/**
 * The Go source files of a module, read for the statement scan (formats/go-source): every `.go`
 * file under a directory, skipping tests (`_test.go`), `vendor/`, `testdata/` and directories
 * starting with `.` or `_` (which the go command ignores too). Bounded: at most MAX_FILES files of at
 * most MAX_FILE_BYTES each, so pointing --source-path at `/` cannot exhaust memory.
 * Paths are given relative to the directory, with forward slashes.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

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
