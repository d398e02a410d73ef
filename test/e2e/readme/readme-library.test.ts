/**
 * README.md's "Library" example is real: it is extracted, compiled with tsc (strict) against the
 * built package's types (dist/*.d.ts, imported as "heapscope"), and run on a heap profile written by
 * a real Go program and a real gctrace log. Its output must be what the CLI prints for the same
 * inputs (`heapscope top --nodecount=5` and `heapscope gctrace`), which the pprof oracle and the
 * gctrace tests check in turn.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGoProgram, repoRoot } from "../../support/go.js";
import { freshDir, removeFreshDirs, run, runHeapscope } from "../pprof-oracle/oracle-support.js";

function readmeExample(): string {
  const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((part) => part.startsWith("Library\n"));
  if (!section) throw new Error('README.md has no "## Library" section');
  const code = /```ts\n([\s\S]*?)```/.exec(section);
  if (!code) throw new Error('README.md\'s "Library" section has no ```ts example');
  return code[1]!;
}

/** Compiles example.ts in `dir` (an ES module package where "heapscope" is this repository). */
function compile(dir: string): string[] {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    types: ["node"],
    typeRoots: [path.join(repoRoot, "node_modules/@types")],
    outDir: dir,
  };
  const program = ts.createProgram([path.join(dir, "example.ts")], options);
  const emitted = program.emit();
  return [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, "\n"),
  );
}

let dir: string;
let heapProfile: string;
const gcLog = path.join(repoRoot, "test/fixtures/gctrace/go1.23-gctrace-scavtrace.txt");

beforeAll(async () => {
  dir = freshDir("readme-library");
  const binary = await buildGoProgram(path.join(repoRoot, "test/e2e/pprof-oracle/programs/heapsites"));
  const profiles = path.join(dir, "profiles");
  mkdirSync(profiles);
  const made = await run(binary, [profiles]);
  expect(made.code, made.stderr).toBe(0);
  heapProfile = path.join(profiles, "heap-2.pb.gz");
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(repoRoot, path.join(dir, "node_modules/heapscope"), "dir");
  writeFileSync(path.join(dir, "example.ts"), readmeExample());
});

afterAll(removeFreshDirs);

describe("README.md's library example", () => {
  it("compiles against the built package's types and prints what the CLI prints", async () => {
    expect(compile(dir)).toEqual([]);
    const example = await run(process.execPath, [path.join(dir, "example.js"), heapProfile, gcLog], {
      cwd: dir,
    });
    expect(example.stderr).toBe("");
    expect(example.code).toBe(0);
    const top = await runHeapscope(["top", "--nodecount=5", heapProfile]);
    const gctrace = await runHeapscope(["gctrace", gcLog]);
    expect(top.code).toBe(0);
    expect(gctrace.code).toBe(0);
    expect(top.stdout).toContain("Showing top 5 nodes");
    expect(gctrace.stdout).toMatch(/^Verdict: /m);
    expect(example.stdout).toBe(top.stdout + gctrace.stdout);
  });
});
