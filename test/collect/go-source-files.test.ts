/**
 * Reading a module's Go sources for the statement scan: every .go file the go command would build,
 * not tests, vendored or testdata code, nor directories the go command ignores (leading . or _);
 * files over the size cap are counted as skipped, not read.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_FILE_BYTES, readGoSourceFiles } from "../../src/collect/go-source-files.js";
import { workDir } from "../support/go.js";

describe("readGoSourceFiles", () => {
  let root = "";
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("reads the module's own .go files, relative to the directory, and nothing the go command leaves out", () => {
    mkdirSync(workDir, { recursive: true });
    root = mkdtempSync(path.join(workDir, "go-sources-"));
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    };
    write("main.go", "package main\n");
    write("internal/queue/queue.go", "package queue\n");
    write("main_test.go", "package main\n");
    write("vendor/example.com/x/x.go", "package x\n");
    write("testdata/prog.go", "package main\n");
    write(".git/hooks.go", "package hooks\n");
    write("_old/old.go", "package old\n");
    write("README.md", "# not Go\n");
    write("big/huge.go", `package big\n${"/".repeat(MAX_FILE_BYTES)}\n`);
    const { files, skipped } = readGoSourceFiles(root);
    expect(files.map((f) => f.file)).toEqual(["internal/queue/queue.go", "main.go"]);
    expect(files[1]!.text).toBe("package main\n");
    expect(skipped).toBe(1);
  });
});
