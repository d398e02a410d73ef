/**
 * Reads source files for the source view, only `.go` files that resolve (symlinks followed) to a
 * path under one of the `--source-path` roots. Profiles name files by the paths of the machine that
 * built the binary, so a path is also tried relative to each root with leading directories removed
 * (/build/src/github.com/a/b/main.go → ROOT/github.com/a/b/main.go, ROOT/a/b/main.go, ...).
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";

const MAX_SOURCE_BYTES = 8 * 1024 * 1024;

export type SourceRead = { lines: string[]; resolvedPath: string } | { error: string };

export class SourceRoots {
  private readonly roots: string[];
  private readonly cache = new Map<string, SourceRead>();

  constructor(roots: string[]) {
    this.roots = [];
    for (const root of roots) {
      try {
        this.roots.push(realpathSync(path.resolve(root)));
      } catch {
        // A root that does not exist cannot serve anything; the CLI reports it.
      }
    }
  }

  get available(): boolean {
    return this.roots.length > 0;
  }

  private inside(resolved: string): boolean {
    return this.roots.some(
      (root) => resolved === root || resolved.startsWith(root.endsWith(path.sep) ? root : root + path.sep),
    );
  }

  private candidates(profilePath: string): string[] {
    const normalized = profilePath.replaceAll("\\", "/");
    const parts = normalized.split("/").filter((p) => p !== "" && p !== "." && p !== "..");
    const out: string[] = [];
    if (path.isAbsolute(normalized)) out.push(path.normalize(normalized));
    for (const root of this.roots) {
      for (let k = 0; k < parts.length; k++) out.push(path.join(root, ...parts.slice(k)));
    }
    return out;
  }

  read(profilePath: string): SourceRead {
    const cached = this.cache.get(profilePath);
    if (cached) return cached;
    const result = this.readUncached(profilePath);
    this.cache.set(profilePath, result);
    return result;
  }

  private readUncached(profilePath: string): SourceRead {
    if (this.roots.length === 0) return { error: "no --source-path given" };
    if (!profilePath.endsWith(".go")) return { error: "only .go files are shown" };
    for (const candidate of this.candidates(profilePath)) {
      let resolved: string;
      try {
        resolved = realpathSync(candidate);
      } catch {
        continue;
      }
      if (!resolved.endsWith(".go") || !this.inside(resolved)) continue;
      try {
        const stat = statSync(resolved);
        if (!stat.isFile()) continue;
        if (stat.size > MAX_SOURCE_BYTES) return { error: "file too large to show" };
        const text = readFileSync(resolved, "utf8");
        return { lines: text.split(/\r?\n/), resolvedPath: resolved };
      } catch {}
    }
    return { error: "not found under --source-path" };
  }
}
