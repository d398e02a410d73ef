// Checks that imports in src/ run one way, down the layers ARCHITECTURE.md draws. Prints each import that
// runs back up (or into a folder nothing may import) and exits 1 when there is one.
// Usage: node scripts/check-layers.mjs [--json]
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

const root = path.resolve(import.meta.dirname, "..");
const src = path.join(root, "src");

/**
 * Layers from the bottom up. A file may import files of its own layer and of lower layers only.
 * Layers that share a rank are peers and may not import each other (listed in `peersApart`).
 */
export const LAYERS = [
  { name: "base", paths: ["errors.ts", "version.ts"], rank: 0 },
  { name: "model", paths: ["model/"], rank: 1 },
  { name: "profile", paths: ["profile/"], rank: 2 },
  { name: "formats", paths: ["formats/"], rank: 3 },
  { name: "analysis", paths: ["analysis/"], rank: 4 },
  { name: "diagnose", paths: ["diagnose/"], rank: 5 },
  { name: "render", paths: ["render/"], rank: 6 },
  { name: "ui-shared", paths: ["ui/shared/"], rank: 6 },
  { name: "store", paths: ["store/"], rank: 7 },
  { name: "collect", paths: ["collect/"], rank: 8 },
  { name: "ui-web", paths: ["ui/web/"], rank: 9 },
  { name: "ui-server", paths: ["ui/server/"], rank: 9 },
  { name: "cli", paths: ["cli/"], rank: 10 },
  { name: "library", paths: ["index.ts"], rank: 11 },
];

function layerOf(relative) {
  let best;
  for (const layer of LAYERS) {
    for (const p of layer.paths) {
      if (p.endsWith("/") ? relative.startsWith(p) : relative === p) {
        if (!best || p.length > best.match) best = { layer, match: p.length };
      }
    }
  }
  return best?.layer;
}

function* sourceFiles(dir) {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|tsx)$/.test(name) && !name.endsWith(".d.ts")) yield full;
  }
}

export function findViolations(srcDir = src) {
  const violations = [];
  const unplaced = [];
  for (const file of sourceFiles(srcDir)) {
    const relative = path.relative(srcDir, file).split(path.sep).join("/");
    const from = layerOf(relative);
    if (!from) {
      unplaced.push(relative);
      continue;
    }
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith(".")) continue;
      const target = path
        .relative(srcDir, path.resolve(path.dirname(file), ref.fileName))
        .split(path.sep)
        .join("/")
        .replace(/\.js$/, ".ts");
      if (target.startsWith("..")) continue;
      const to = layerOf(target) ?? layerOf(target.replace(/\.ts$/, ".tsx"));
      if (!to) continue;
      const ok = to === from || to.rank < from.rank;
      if (!ok) violations.push({ file: relative, imports: target, from: from.name, to: to.name });
    }
  }
  return { violations, unplaced };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { violations, unplaced } = findViolations();
  if (process.argv.includes("--json")) console.log(JSON.stringify({ violations, unplaced }, null, 2));
  else {
    for (const v of violations)
      console.log(`${v.file} (${v.from}) imports ${v.imports} (${v.to}): runs back up`);
    for (const u of unplaced) console.log(`${u}: in no layer`);
  }
  process.exit(violations.length + unplaced.length > 0 ? 1 : 0);
}
