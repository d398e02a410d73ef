/**
 * The required suites (test/required-suites.json) and what enforces them: the list matches the test
 * files that need Go programs or Chromium, and a real child vitest run of a Chromium suite with
 * Chromium hidden fails under CI=true (its closing line says so) and skips, named, elsewhere.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/go.js";
import { NEEDS_TOOLS } from "../support/test-layout.js";

const list = JSON.parse(readFileSync(path.join(repoRoot, "test/required-suites.json"), "utf8")) as {
  suites: Record<string, string>;
  exempt: Record<string, string>;
};

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === ".work" || name === "node_modules") continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...testFiles(full));
    else if (name.endsWith(".test.ts")) out.push(path.relative(repoRoot, full));
  }
  return out.sort();
}

describe("required suites", () => {
  it("lists exactly the test files that need Go or Chromium (or exempts them with a reason)", () => {
    const files = testFiles(path.join(repoRoot, "test"));
    for (const name of [...Object.keys(list.suites), ...Object.keys(list.exempt)]) {
      expect(existsSync(path.join(repoRoot, name)), `${name} is listed but does not exist`).toBe(true);
    }
    const needing = files.filter((f) => NEEDS_TOOLS.test(readFileSync(path.join(repoRoot, f), "utf8")));
    const listed = new Set([...Object.keys(list.suites), ...Object.keys(list.exempt)]);
    expect(needing.filter((f) => !listed.has(f))).toEqual([]);
    expect(Object.keys(list.suites).filter((f) => !needing.includes(f))).toEqual([]);
  });
});

interface ChildRun {
  /** The child's JSON report. */
  report: { testResults: { assertionResults: { status: string; ancestorTitles: string[] }[] }[] };
  code: number | null;
  closing: string;
  notes: string[];
  vitestOutput: string;
}

/** Runs vitest on one file in a child process with `env`, then count-tests on its report. */
async function childRun(file: string, env: NodeJS.ProcessEnv): Promise<ChildRun> {
  const dir = mkdtempSync(path.join(tmpdir(), "heapscope-child-vitest-"));
  const json = path.join(dir, "report.json");
  // The child is a run of its own, not a worker of this one.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST")));
  const childEnv = { ...base, ...env };
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, args, {
        cwd: repoRoot,
        env: childEnv,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
      });
      child.stderr.on("data", (c: Buffer) => {
        out += c.toString();
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, out }));
    });
  const vitest = await run([
    path.join(repoRoot, "node_modules/vitest/vitest.mjs"),
    "run",
    file,
    "--reporter=json",
    `--outputFile.json=${json}`,
  ]);
  const counted = await run([path.join(repoRoot, "scripts/count-tests.mjs"), json]);
  const lines = counted.out.trim().split("\n");
  return {
    report: JSON.parse(readFileSync(json, "utf8")),
    code: counted.code,
    closing: lines.at(-1) ?? "",
    notes: lines.slice(0, -1),
    vitestOutput: vitest.out,
  };
}

describe("a Chromium suite with Chromium hidden", () => {
  const suite = "test/e2e/ui/recording.test.ts";
  const hidden = { HEAPSCOPE_CHROMIUM: "/nonexistent/chromium" };

  it("fails under CI=true: the closing line counts its tests as failed and says what to install", async () => {
    const result = await childRun(suite, { ...hidden, CI: "true" });
    expect(result.code, result.vitestOutput).toBe(1);
    const match = /^0 passed, (\d+) failed, 0 skipped$/.exec(result.closing);
    expect(match, result.closing).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThanOrEqual(5);
    expect(result.notes.join("\n")).toContain(
      `failed: ${suite}: chromium is not installed at /nonexistent/chromium: apt-get install chromium`,
    );
  }, 180_000);

  it("skips elsewhere, named as a required suite that skipped, with the reason in its titles", async () => {
    const result = await childRun(suite, { ...hidden, CI: "" });
    expect(result.code, result.vitestOutput).toBe(0);
    expect(result.closing).toMatch(/^0 passed, 0 failed, [1-9]\d* skipped$/);
    expect(result.notes).toEqual([expect.stringContaining(`required suite skipped`)]);
    expect(result.notes[0]).toContain(suite);
    const tests = result.report.testResults.flatMap((f) => f.assertionResults);
    expect(tests.length).toBeGreaterThan(0);
    for (const test of tests) {
      expect(test.status).toBe("skipped");
      expect(test.ancestorTitles[0]).toContain(
        "(skipped: chromium is not installed at /nonexistent/chromium",
      );
    }
  }, 180_000);
});
