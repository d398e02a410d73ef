import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const doc = readFileSync(path.join(root, "ARCHITECTURE.md"), "utf8");

/** Code spans that name a file or folder: `src/model/`, `collect/sampler.ts`, `scripts/check-layers.mjs`. */
function namedPaths(text: string): string[] {
  const spans = [...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]);
  return [...new Set(spans.filter((s) => /^[\w.-]+(\/[\w.-]*)+$|^[\w-]+\.(ts|tsx|mjs|json|md)$/.test(s)))];
}

describe("ARCHITECTURE.md", () => {
  it("is short: at most 200 lines", () => {
    expect(doc.split("\n").length).toBeLessThanOrEqual(200);
  });

  it("names only paths that exist (from the repository root or from src/)", () => {
    const paths = namedPaths(doc);
    expect(paths.length).toBeGreaterThan(20);
    const missing = paths.filter(
      (p) => !existsSync(path.join(root, p)) && !existsSync(path.join(root, "src", p)),
    );
    expect(missing).toEqual([]);
  });

  it("draws every folder of src/ in its map", () => {
    const folders = [
      "model",
      "profile",
      "formats",
      "analysis",
      "diagnose",
      "render",
      "store",
      "collect",
      "cli",
      "ui",
    ];
    for (const folder of folders) expect(doc).toContain(`\`src/${folder}/\``);
  });
});
