/**
 * The hook file must build wherever a user's program might: with Go 1.19, the default Go and the
 * newest, for Windows too (where syscall has no SIGUSR2; the other tests build it for Linux), in a
 * module whose go line is old (language version 1.12: no newer syntax such as 0o literals).
 * A cold build cache compiles the standard library for Windows once per toolchain (about a minute each).
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOOK_FILE_NAME, hookSourcePath } from "../../../src/collect/hook-file.js";
import { workDir } from "../../support/go.js";
import { goToolchains } from "../../support/go-toolchains.js";

const execFileAsync = promisify(execFile);
let moduleDir: string;

beforeAll(() => {
  mkdirSync(workDir, { recursive: true });
  moduleDir = mkdtempSync(path.join(workDir, "hook-portability-"));
  writeFileSync(path.join(moduleDir, "go.mod"), "module example.com/old\n\ngo 1.12\n");
  writeFileSync(path.join(moduleDir, "main.go"), "package main\n\nfunc main() {}\n");
  cpSync(hookSourcePath, path.join(moduleDir, HOOK_FILE_NAME));
});
afterAll(() => rmSync(moduleDir, { recursive: true, force: true }));

describe.each(goToolchains)("the hook file under $label", (toolchain) => {
  it.each(["windows/amd64"])("builds and vets for %s", async (target) => {
    const [goos, goarch] = target.split("/");
    const env = { ...process.env, ...toolchain.env, GOOS: goos, GOARCH: goarch, CGO_ENABLED: "0" };
    const options = { cwd: moduleDir, env, maxBuffer: 16 << 20 };
    await execFileAsync(
      toolchain.go,
      ["build", "-tags", "heapscope", "-o", path.join(moduleDir, `out-${goos}`), "."],
      options,
    );
    const vet = await execFileAsync(toolchain.go, ["vet", "-tags", "heapscope", "."], options);
    expect(vet.stderr).toBe("");
  });
});
