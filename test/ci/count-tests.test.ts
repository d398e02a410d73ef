/**
 * scripts/count-tests.mjs, the closing line CI reads, on reports shaped as vitest 4 writes them
 * (testResults[].status "failed" with the tests of a failed setup reported "skipped", a file that
 * failed to import with no tests at all).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without type declarations
import { countReport } from "../../scripts/count-tests.mjs";
import { repoRoot } from "../support/go.js";

const execFileAsync = promisify(execFile);

type Status = "passed" | "failed" | "skipped" | "pending" | "todo";

function file(name: string, status: "passed" | "failed", tests: Status[], message = "") {
  return {
    name: path.join(repoRoot, name),
    status,
    message,
    startTime: 1000,
    endTime: 2000,
    assertionResults: tests.map((s, i) => ({
      title: `t${i}`,
      status: s,
      ancestorTitles: [],
      failureMessages: [],
    })),
  };
}

function report(testResults: ReturnType<typeof file>[], success = true) {
  return { numTotalTests: 0, success, testResults };
}

const required = new Set(["test/e2e/ui/recording.test.ts"]);

describe("count-tests", () => {
  it("counts every test of a file whose setup failed as failed, not skipped", () => {
    const result = countReport(
      report(
        [
          file(
            "test/e2e/ui/browser.test.ts",
            "failed",
            ["skipped", "skipped", "skipped"],
            "chromium is not installed",
          ),
          file("test/formats/a.test.ts", "passed", ["passed", "passed"]),
        ],
        false,
      ),
      { root: repoRoot },
    );
    expect([result.passed, result.failed, result.skipped, result.ok]).toEqual([2, 3, 0, false]);
    expect(result.notes).toEqual([
      "failed: test/e2e/ui/browser.test.ts: chromium is not installed (3 skipped test(s) counted as failed)",
    ]);
  });

  it("counts a failed file with no tests (it failed to import) as one failure", () => {
    const result = countReport(report([file("test/x.test.ts", "failed", [], "Cannot find module")], false), {
      root: repoRoot,
    });
    expect([result.passed, result.failed, result.skipped, result.ok]).toEqual([0, 1, 0, false]);
  });

  it("keeps deliberate skips in passing files, and counts what a failing file passed", () => {
    const result = countReport(
      report(
        [
          file("test/a.test.ts", "passed", ["passed", "skipped", "todo"]),
          file("test/b.test.ts", "failed", ["passed", "failed", "skipped"]),
        ],
        false,
      ),
      { root: repoRoot },
    );
    expect([result.passed, result.failed, result.skipped]).toEqual([2, 2, 2]);
  });

  it("fails a skip in a required suite under CI=true only, and names it elsewhere", () => {
    const runReport = report([file("test/e2e/ui/recording.test.ts", "passed", ["passed", "skipped"])]);
    const ci = countReport(runReport, { required, ci: true, root: repoRoot });
    expect([ci.passed, ci.failed, ci.skipped, ci.ok]).toEqual([1, 1, 0, false]);
    const local = countReport(runReport, { required, ci: false, root: repoRoot });
    expect([local.passed, local.failed, local.skipped, local.ok]).toEqual([1, 0, 1, true]);
    expect(local.notes).toEqual([
      "required suite skipped 1 test(s) (CI=true fails this): test/e2e/ui/recording.test.ts",
    ]);
  });

  it("under CI=true with --full, a required suite missing from the report is a failure", () => {
    const runReport = report([file("test/a.test.ts", "passed", ["passed"])]);
    expect(countReport(runReport, { required, ci: true, full: true, root: repoRoot }).failed).toBe(1);
    expect(countReport(runReport, { required, ci: true, full: false, root: repoRoot }).failed).toBe(0);
  });

  it("a run vitest failed outside any test, or that ran nothing, is not a pass", () => {
    const unhandled = countReport(report([file("test/a.test.ts", "passed", ["passed"])], false), {
      root: repoRoot,
    });
    expect([unhandled.failed, unhandled.ok]).toEqual([1, false]);
    expect(countReport(report([]), { root: repoRoot }).ok).toBe(false);
  });

  it("as a script: the closing line is last and the exit status says failed", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "heapscope-count-"));
    const json = path.join(dir, "report.json");
    writeFileSync(
      json,
      JSON.stringify(report([file("test/e2e/ui/browser.test.ts", "failed", ["skipped", "skipped"])], false)),
    );
    const run = await execFileAsync(process.execPath, [
      path.join(repoRoot, "scripts/count-tests.mjs"),
      json,
    ]).then(
      () => ({ code: 0, stdout: "" }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split("\n").at(-1)).toBe("0 passed, 2 failed, 0 skipped");
    const missing = await execFileAsync(process.execPath, [
      path.join(repoRoot, "scripts/count-tests.mjs"),
      path.join(dir, "absent.json"),
    ]).catch((error: { code: number; stdout: string }) => error);
    expect((missing as { code: number }).code).toBe(1);
    expect((missing as { stdout: string }).stdout.trim().split("\n").at(-1)).toBe(
      "0 passed, 1 failed, 0 skipped",
    );
  });
});
