/**
 * `heapscope bench run` in a real git repository holding a copy of programs/gatebench: the base
 * ref is built in a temporary worktree, both sides run interleaved, the comparison is gated, and
 * the worktree is gone afterwards — after success, after a build error and after Ctrl-C.
 */
import { execFileSync, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGoBench } from "../../../src/formats/go-bench.js";
import { parseProfileBytes } from "../../../src/formats/profile-bytes.js";
import { ensureGoToolchain, GO_DEFAULT, goEnv, repoRoot, runCli } from "../../support/go.js";
import { programsDir } from "./support.js";

interface RunReport {
  status: string;
  baseLabel: string;
  newLabel: string;
  rows: { name: string; unit: string; status: string; base: { n: number } }[];
  notes: { level: string; message: string }[];
}

let root: string;
let repo: string;
let tmp: string;

function git(...args: string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=heapscope test", "-c", "user.email=test@example.com", ...args],
    {
      cwd: repo,
      encoding: "utf8",
    },
  ).trim();
}

function worktrees(): string[] {
  return git("worktree", "list", "--porcelain")
    .split("\n")
    .filter((l) => l.startsWith("worktree "));
}

const regressedVariant = `//go:build !regress && !smallgrow && !zeroalloc

package gatebench

const encodeExtraAllocation = true
const formatBufferSize = 16
const sumAllocates = false
`;

/** Line of the allocation that `encodeExtraAllocation` switches on. */
function regressedSourceLine(): number {
  return (
    readFileSync(path.join(repo, "gatebench.go"), "utf8")
      .split("\n")
      .findIndex((l) => l.includes("r.extra = &[4]int")) + 1
  );
}

/** Environment for the CLI: a private TMPDIR so the test can see that nothing is left behind. */
function runEnv(): NodeJS.ProcessEnv {
  return goEnv(GO_DEFAULT, { TMPDIR: tmp });
}

beforeAll(async () => {
  await ensureGoToolchain(GO_DEFAULT);
  root = mkdtempSync(path.join(os.tmpdir(), "heapscope-bench-run-test-"));
  repo = path.join(root, "repo");
  tmp = path.join(root, "tmp");
  mkdirSync(tmp);
  cpSync(path.join(programsDir, "gatebench"), repo, { recursive: true });
  git("init", "--quiet");
  git("add", ".");
  git("commit", "--quiet", "-m", "baseline");
  git("commit", "--quiet", "--allow-empty", "-m", "second");
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("bench run", () => {
  it("fails a regression in the dirty working tree against HEAD and removes its worktree", async () => {
    const variant = path.join(repo, "variant_default.go");
    const original = readFileSync(variant, "utf8");
    writeFileSync(variant, regressedVariant);
    const saveDir = path.join(root, "saved");
    try {
      const result = await runCli(
        [
          "bench",
          "run",
          "--json",
          "--no-config",
          "--count",
          "4",
          "--save",
          saveDir,
          "--",
          "-benchtime=200x",
          "./...",
        ],
        { cwd: repo, env: runEnv(), timeoutMs: 300_000 },
      );
      expect(result.stderr).toBe("");
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as RunReport;
      expect(report.baseLabel).toMatch(/^HEAD \([0-9a-f]{12}\)$/);
      expect(report.newLabel).toBe("working tree");
      const failing = report.rows.filter((r) => r.status === "fail");
      expect(failing.map((r) => `${r.name.replace(/-\d+$/, "")} ${r.unit}`)).toEqual([
        "BenchmarkEncode allocs/op",
      ]);
      expect(failing[0]!.base.n).toBe(4);
      expect(report.notes.some((n) => n.message.includes("uncommitted changes"))).toBe(true);
      // Both packages ran on both sides, one sample per round.
      const base = parseGoBench(readFileSync(path.join(saveDir, "base.txt"), "utf8"));
      const next = parseGoBench(readFileSync(path.join(saveDir, "new.txt"), "utf8"));
      expect(new Set(base.results.map((r) => r.config.pkg))).toEqual(
        new Set(["example.com/gatebench", "example.com/gatebench/codec"]),
      );
      expect(base.results.length).toBe(7 * 4);
      expect(next.results.length).toBe(7 * 4);
      expect(next.results.every((r) => r.iterations === 200)).toBe(true);
    } finally {
      writeFileSync(variant, original);
    }
    expect(worktrees().length).toBe(1);
    expect(readdirSync(tmp)).toEqual([]);
  }, 300_000);

  it("with --memprofile, profiles each benchmark alone and names the allocation site behind the failure", async () => {
    const variant = path.join(repo, "variant_default.go");
    const original = readFileSync(variant, "utf8");
    writeFileSync(variant, regressedVariant);
    const profileDir = path.join(root, "profiles");
    try {
      const result = await runCli(
        [
          "bench",
          "run",
          "--json",
          "--no-config",
          "--count",
          "2",
          "--bench",
          "Encode|Sum",
          "--memprofile",
          profileDir,
          "--memprofile-benchtime",
          "200",
          "--",
          "-benchtime=200x",
          ".",
        ],
        { cwd: repo, env: runEnv(), timeoutMs: 300_000 },
      );
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as RunReport & {
        allocationSites: {
          benchmark: string;
          benchmarkUnit: string;
          sampleType: string;
          baseProfile: string;
          newProfile: string;
          rows: { function: string; line: number; delta: number }[];
        }[];
      };
      const allocs = report.allocationSites.find((s) => s.benchmarkUnit === "allocs/op")!;
      expect(allocs.benchmark).toMatch(/^BenchmarkEncode/);
      expect(allocs.sampleType).toBe("alloc_objects");
      expect(allocs.rows[0]!.function).toBe("example.com/gatebench.Encode");
      expect(allocs.rows[0]!.delta).toBeCloseTo(1, 6);
      const line = regressedSourceLine();
      expect(allocs.rows[0]!.line).toBe(line);
      // The profiles stay for `heapscope diff`, which reads their operation count.
      const profile = parseProfileBytes(readFileSync(allocs.newProfile), allocs.newProfile).profile;
      expect(profile.comments).toContain("heapscope-ops=201");
      expect(existsSync(path.join(profileDir, "base", "example.com_gatebench", "BenchmarkSum.pb.gz"))).toBe(
        true,
      );
      const diff = await runCli([
        "diff",
        "--json",
        "--fail-if-grows",
        "50",
        allocs.baseProfile,
        allocs.newProfile,
      ]);
      expect(diff.code).toBe(1);
    } finally {
      writeFileSync(variant, original);
    }
    expect(worktrees().length).toBe(1);
  }, 300_000);

  it("passes an A/A run of a clean tree against HEAD and says so", async () => {
    expect(git("status", "--porcelain")).toBe("");
    const result = await runCli(
      [
        "bench",
        "run",
        "--json",
        "--no-config",
        "--base",
        "HEAD",
        "--count",
        "4",
        "--bench",
        "Sum|Encode",
        "--",
        "-benchtime=200x",
        ".",
      ],
      { cwd: repo, env: runEnv(), timeoutMs: 300_000 },
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as RunReport;
    expect(report.rows.filter((r) => r.status === "fail")).toEqual([]);
    expect(report.rows.map((r) => r.name.replace(/-\d+$/, ""))).toEqual(
      expect.arrayContaining(["BenchmarkSum", "BenchmarkEncode"]),
    );
    expect(report.rows.some((r) => r.name.startsWith("BenchmarkFormat"))).toBe(false);
    expect(report.notes.some((n) => n.message.includes("A/A comparison"))).toBe(true);
    expect(worktrees().length).toBe(1);
  }, 300_000);

  it("compares a clean tree with HEAD~1 by default (the regression committed)", async () => {
    writeFileSync(path.join(repo, "variant_default.go"), regressedVariant);
    git("commit", "--quiet", "-am", "regress Encode");
    try {
      const result = await runCli(
        [
          "bench",
          "run",
          "--format",
          "text",
          "--no-config",
          "--count",
          "3",
          "--bench",
          "Encode",
          "--",
          "-benchtime=200x",
          ".",
        ],
        { cwd: repo, env: runEnv(), timeoutMs: 300_000 },
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/HEAD~1 \([0-9a-f]{12}\)/);
      expect(result.stdout).toMatch(/FAIL .*BenchmarkEncode\S* allocs\/op/);
    } finally {
      git("reset", "--quiet", "--hard", "HEAD~1");
    }
    expect(worktrees().length).toBe(1);
  }, 300_000);

  it("exits 2 with one line and cleans up when the working tree does not build", async () => {
    const broken = path.join(repo, "broken.go");
    writeFileSync(broken, "package gatebench\n\nfunc broken() int { return undefinedName }\n");
    try {
      const result = await runCli(["bench", "run", "--no-config", "--count", "1", "--", "."], {
        cwd: repo,
        env: runEnv(),
        timeoutMs: 300_000,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^heapscope: new tree: go test -c example\.com\/gatebench failed: .*undefinedName/,
      );
      expect(result.stderr.trim().split("\n").length).toBe(1);
    } finally {
      rmSync(broken);
    }
    expect(worktrees().length).toBe(1);
    expect(readdirSync(tmp)).toEqual([]);
  }, 300_000);

  it("exits 2 for a base ref that does not exist, outside git, or with an unknown flag", async () => {
    const badRef = await runCli(["bench", "run", "--base", "no-such-branch", "--count", "1"], {
      cwd: repo,
      env: runEnv(),
    });
    expect(badRef.code).toBe(2);
    expect(badRef.stderr).toMatch(/^heapscope: --base no-such-branch: not a commit/);
    const outside = mkdtempSync(path.join(root, "nogit-"));
    writeFileSync(path.join(outside, "go.mod"), "module example.com/nogit\n\ngo 1.22\n");
    const noGit = await runCli(["bench", "run", "--count", "1"], {
      cwd: outside,
      env: { ...runEnv(), GIT_CEILING_DIRECTORIES: root },
    });
    expect(noGit.code).toBe(2);
    expect(noGit.stderr).toMatch(/not inside a git repository/);
    const badFlag = await runCli(["bench", "run", "--count", "1", "--", "-frobnicate"], {
      cwd: repo,
      env: runEnv(),
    });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/unknown go test flag -frobnicate/);
    expect(worktrees().length).toBe(1);
  }, 120_000);

  it.skipIf(!existsSync("/usr/bin/script"))(
    "shows progress on a terminal and stays quiet otherwise",
    async () => {
      const command = [
        process.execPath,
        path.join(repoRoot, "bin/heapscope.js"),
        "bench",
        "run",
        "--no-config",
        "--base",
        "HEAD",
        "--count",
        "2",
        "--bench",
        "Sum",
        "--",
        "-benchtime=100x",
        ".",
      ]
        .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
        .join(" ");
      // util-linux script(1) gives the command a pseudo-terminal.
      const env = { ...runEnv() };
      delete env.CI;
      const output = execFileSync("/usr/bin/script", ["-qec", command, "/dev/null"], {
        cwd: repo,
        env,
        encoding: "utf8",
      });
      expect(output).toMatch(/round 1\/2: (base|new) example\.com\/gatebench/);
      expect(output).toMatch(/building base: example\.com\/gatebench/);
      expect(output).toMatch(/heapscope bench gate: PASS/);
      expect(worktrees().length).toBe(1);
    },
    300_000,
  );

  it("removes the worktree when interrupted with Ctrl-C (SIGINT)", async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, "bin/heapscope.js"),
        "bench",
        "run",
        "--no-config",
        "--count",
        "200",
        "--",
        "-benchtime=2000x",
        "./...",
      ],
      { cwd: repo, env: runEnv(), stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const deadline = Date.now() + 120_000;
    let sawWorktree = false;
    const worktreeCount = () => {
      try {
        return worktrees().length;
      } catch {
        return 0; // git worktree add is half-way; ask again
      }
    };
    while (Date.now() < deadline) {
      if (worktreeCount() === 2) {
        sawWorktree = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(sawWorktree, stderr).toBe(true);
    // Let it get into building or running, then interrupt it.
    await new Promise((r) => setTimeout(r, 1500));
    child.kill("SIGINT");
    const code = await exited;
    expect(code).toBe(130);
    expect(worktrees().length).toBe(1);
    expect(readdirSync(tmp)).toEqual([]);
    expect(
      existsSync(path.join(repo, ".git", "worktrees"))
        ? readdirSync(path.join(repo, ".git", "worktrees"))
        : [],
    ).toEqual([]);
  }, 300_000);
});
