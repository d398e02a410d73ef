/**
 * The library API is curated: test/index-api.names.txt lists every name the built package exports
 * (dist/index.d.ts, types included; `type X` marks a type-only export), sorted. Adding or removing
 * one is a decision: update the list in the same change. At run time the module must export exactly
 * the value names of the list.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/go.js";

const MAX_NAMES = 80;
const listFile = path.join(repoRoot, "test/index-api.names.txt");

function declaredExports(): string[] {
  const file = path.join(repoRoot, "dist/index.d.ts");
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: ["node"],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`${file} is missing: build first (npx tsc -p tsconfig.json)`);
  const module = checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${file} is not a module`);
  return checker
    .getExportsOfModule(module)
    .map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return target.flags & ts.SymbolFlags.Value ? symbol.getName() : `type ${symbol.getName()}`;
    })
    .sort();
}

describe("the library API (dist/index.js)", () => {
  const names = declaredExports();

  it("exports exactly the committed list", () => {
    const committed = readFileSync(listFile, "utf8")
      .split("\n")
      .filter((line) => line !== "");
    expect(names).toEqual(committed);
  });

  it(`stays small: at most ${MAX_NAMES} names, types included`, () => {
    expect(names.length).toBeGreaterThan(0);
    expect(names.length).toBeLessThanOrEqual(MAX_NAMES);
  });

  it("has at run time the value names its declarations list", async () => {
    const module = (await import(path.join(repoRoot, "dist/index.js"))) as Record<string, unknown>;
    expect(Object.keys(module).sort()).toEqual(names.filter((n) => !n.startsWith("type ")));
    for (const name of Object.keys(module)) expect(module[name], name).toBeDefined();
  });
});
