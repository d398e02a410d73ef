/**
 * test/ mirrors src/: every folder outside test/e2e/ (and the few non-mirror folders) names a src/
 * folder, and suites that build or run Go programs, Chromium or Prometheus live under test/e2e/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/go.js";
import { layoutProblems } from "../support/test-layout.js";

describe("test layout", () => {
  it("test/ mirrors src/, with Go, Chromium and Prometheus suites under test/e2e/", () => {
    expect(layoutProblems(repoRoot)).toEqual([]);
  });

  describe("on a tree that breaks it", () => {
    const scratch = mkdtempSync(path.join(tmpdir(), "heapscope-test-layout-"));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));
    // A call to `name`, spelled so that this file itself does not read as one.
    const call = (name: string) => `const it = await ${name}(dir);\n`;
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
      writeFileSync(path.join(scratch, file), text);
    };
    beforeAll(() => {
      write("src/formats/gctrace/parse.ts", "export const x = 1;\n");
      write("src/cli/main.ts", "export const y = 1;\n");
      // fine: mirrors, helpers, e2e suites and their programs, non-mirror folders
      write(
        "test/formats/gctrace/parse.test.ts",
        'import { x } from "../../../src/formats/gctrace/parse.js";\n',
      );
      write("test/formats/support/helper.ts", "export const h = 1;\n");
      write("test/formats/gctrace/support/deep/helper.mjs", "export const h = 1;\n");
      write("test/e2e/gctrace/real.test.ts", call("buildGoProgram"));
      write("test/e2e/gctrace/programs/leak/go.mod", "module leak\n");
      write("test/fixtures/gctrace/trace.txt", "gc 1 @0.1s\n");
      write("test/support/programs.ts", "export const programs = [];\n");
      // wrong: folders that mirror nothing, a Go suite and a Go program outside test/e2e/
      write("test/gctrace/old.test.ts", "it('x', () => {});\n");
      write("test/cli/commands/gctrace.test.ts", "it('x', () => {});\n");
      write("test/formats/real.test.ts", call("buildGoProgram"));
      write("test/cli/browser.test.ts", call("launchChromium"));
      write("test/formats/gctrace/programs/leak/go.mod", "module leak\n");
    });

    it("names each folder that mirrors nothing, each suite needing tools and each Go program outside test/e2e/", () => {
      expect(layoutProblems(scratch)).toEqual([
        "test/cli/commands/: src/cli/commands/ does not exist (test/ mirrors src/)",
        "test/formats/gctrace/programs/: src/formats/gctrace/programs/ does not exist (test/ mirrors src/)",
        "test/formats/gctrace/programs/leak/: src/formats/gctrace/programs/leak/ does not exist (test/ mirrors src/)",
        "test/gctrace/: src/gctrace/ does not exist (test/ mirrors src/)",
        "test/cli/browser.test.ts: builds Go programs or starts Chromium/Prometheus, so it belongs under test/e2e/",
        "test/formats/gctrace/programs/leak/go.mod: a Go program outside test/e2e/ (programs move with the suites that run them)",
        "test/formats/real.test.ts: builds Go programs or starts Chromium/Prometheus, so it belongs under test/e2e/",
      ]);
    });
  });
});
