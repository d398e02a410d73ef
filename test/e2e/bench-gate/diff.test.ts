/**
 * `heapscope diff` on real allocation profiles written by `go test -memprofile
 * -memprofilerate=1` for one benchmark, checked against `go tool pprof -top`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  allocationSites,
  diffAllocationSites,
  isRuntimeFrame,
} from "../../../src/analysis/bench-alloc-sites.js";
import { parseProfileBytes } from "../../../src/formats/profile-bytes.js";
import { repoRoot, runCli, runGo } from "../../support/go.js";
import { buildTestBinary, programsDir, runTestBinary, writeTemp } from "./support.js";

interface DiffJson {
  status: string;
  reports: {
    status: string;
    sampleType: string;
    perOp: boolean;
    floor: number;
    rows: {
      function: string;
      file: string;
      line: number;
      base: number;
      new: number;
      delta: number;
      status: string;
      newSite: boolean;
    }[];
    notes: string[];
  }[];
}

const profiles: Record<string, string> = {};
const extraAllocationLine =
  readFileSync(path.join(programsDir, "gatebench", "gatebench.go"), "utf8")
    .split("\n")
    .findIndex((l) => l.includes("r.extra = &[4]int")) + 1;

async function memprofile(binary: string, name: string, bench: string): Promise<string> {
  const file = writeTemp(`${name}.pb.gz`, "");
  await runTestBinary(binary, [
    "-test.run=^$",
    `-test.bench=${bench}`,
    "-test.benchtime=1000x",
    "-test.benchmem",
    `-test.memprofile=${file}`,
    "-test.memprofilerate=1",
  ]);
  return file;
}

beforeAll(async () => {
  const base = await buildTestBinary("gatebench");
  const regress = await buildTestBinary("gatebench", "regress");
  profiles.base = await memprofile(base, "encode-base", "^BenchmarkEncode$");
  profiles.same = await memprofile(base, "encode-same", "^BenchmarkEncode$");
  profiles.regress = await memprofile(regress, "encode-regress", "^BenchmarkEncode$");
  profiles.index = await memprofile(base, "index-base", "^BenchmarkIndex$/^size=64$");
}, 300_000);

async function pprofFlat(file: string, sampleIndex: string, fn: string): Promise<number> {
  const { stdout } = await runGo(
    ["tool", "pprof", `-sample_index=${sampleIndex}`, "-unit=B", "-top", "-nodecount=1000", file],
    { maxBuffer: 16 << 20 },
  );
  const line = stdout.split("\n").find((l) => l.trim().endsWith(fn) || l.includes(`${fn} (inline)`));
  if (!line) throw new Error(`${fn} not in pprof -top output:\n${stdout}`);
  return Number(line.trim().split(/\s+/)[0]!.replace(/B$/, ""));
}

describe("heapscope diff", () => {
  it("names the regressed function and line, per op, and fails past the threshold", async () => {
    const result = await runCli([
      "diff",
      "--json",
      "--base-ops",
      "1001",
      "--new-ops",
      "1001",
      "--fail-if-grows",
      "20",
      profiles.base!,
      profiles.regress!,
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    const out = JSON.parse(result.stdout) as DiffJson;
    expect(out.status).toBe("fail");
    expect(out.reports.map((r) => r.sampleType)).toEqual(["alloc_objects", "alloc_space"]);
    const objects = out.reports[0]!;
    expect(objects.perOp).toBe(true);
    const top = objects.rows[0]!;
    expect(top.function).toBe("example.com/gatebench.Encode");
    expect(top.base).toBeCloseTo(1, 9);
    expect(top.new).toBeCloseTo(2, 9);
    expect(top.status).toBe("fail");
    expect(path.basename(top.file)).toBe("gatebench.go");
    expect(top.line).toBe(extraAllocationLine);
    expect(objects.rows.filter((r) => r.status === "fail").map((r) => r.function)).toEqual([
      "example.com/gatebench.Encode",
    ]);
    // +32 B per op is under the 64 B floor of alloc_space.
    const space = out.reports[1]!;
    expect(space.rows[0]!.function).toBe("example.com/gatebench.Encode");
    expect(space.rows[0]!.delta).toBeCloseTo(32, 9);
    expect(space.status).toBe("ok");
  });

  it("agrees with go tool pprof on the raw values of a site", async () => {
    for (const [file, type] of [
      [profiles.base!, "alloc_objects"],
      [profiles.regress!, "alloc_objects"],
      [profiles.regress!, "alloc_space"],
    ] as const) {
      const parsed = parseProfileBytes(readFileSync(file), file);
      const index = parsed.profile.sampleTypes.findIndex((t) => t.type === type);
      const mine = allocationSites(parsed.profile, index).get("example.com/gatebench.Encode")!.value;
      const theirs = await pprofFlat(file, type, "example.com/gatebench.Encode");
      expect(mine, `${path.basename(file)} ${type}`).toBe(theirs);
    }
  });

  it("charges runtime allocations (map growth) to the calling function", () => {
    const parsed = parseProfileBytes(readFileSync(profiles.index!), profiles.index!);
    const index = parsed.profile.sampleTypes.findIndex((t) => t.type === "alloc_space");
    const sites = allocationSites(parsed.profile, index, 1001);
    const indexSite = sites.get("example.com/gatebench.Index");
    expect(indexSite).toBeDefined();
    expect(indexSite!.value).toBeGreaterThan(2000);
    expect([...sites.keys()].filter((k) => k.startsWith("internal/runtime/maps"))).toEqual([]);
    expect(isRuntimeFrame("internal/runtime/maps.newarray")).toBe(true);
    expect(isRuntimeFrame("runtime.mallocgc")).toBe(true);
    expect(isRuntimeFrame("example.com/runtime.Foo")).toBe(false);
  });

  it("passes the same code profiled twice", async () => {
    const result = await runCli([
      "diff",
      "--json",
      "--base-ops",
      "1001",
      "--new-ops",
      "1001",
      "--fail-if-grows",
      "20",
      profiles.base!,
      profiles.same!,
    ]);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as DiffJson).status).toBe("ok");
  });

  it("compares raw totals with a note when no operation count is known", () => {
    const base = parseProfileBytes(readFileSync(profiles.base!), "base").profile;
    const next = parseProfileBytes(readFileSync(profiles.regress!), "new").profile;
    const report = diffAllocationSites(base, next, { sampleType: "alloc_objects", failIfGrowsPercent: 50 });
    expect(report.perOp).toBe(false);
    expect(report.rows[0]!.delta).toBe(1001);
    expect(report.status).toBe("fail");
    expect(report.notes.some((n) => n.includes("raw totals"))).toBe(true);
  });

  it("prints text with the site table and GitHub annotations with repository-relative files", async () => {
    const summary = writeTemp("diff-summary.md", "");
    const result = await runCli(
      [
        "diff",
        "--base-ops",
        "1001",
        "--new-ops",
        "1001",
        "--fail-if-grows",
        "20",
        profiles.base!,
        profiles.regress!,
      ],
      { env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary }, cwd: repoRoot },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^alloc_objects per op \(1001 and 1001 ops\)/m);
    expect(result.stdout).toMatch(
      /\+1\s+\+100\.0%\s+example\.com\/gatebench\.Encode \(gatebench\.go:\d+\)\s+FAIL/,
    );
    expect(result.stdout).toContain(
      `::error file=test/e2e/bench-gate/programs/gatebench/gatebench.go,line=${extraAllocationLine},title=Allocation site grew%3A example.com/gatebench.Encode::`,
    );
    expect(readFileSync(summary, "utf8")).toContain("example.com/gatebench.Encode");
  });

  it("exits 2 with one line for bad input and usage", async () => {
    const notProfile = writeTemp("not-a-profile.txt", "goos: linux\nBenchmarkX 10 5 ns/op\n");
    for (const args of [
      ["diff", profiles.base!, notProfile],
      ["diff", profiles.base!, path.join(repoRoot, "no-such.pb.gz")],
      ["diff", "--sample-index", "cpu", profiles.base!, profiles.regress!],
      ["diff", "--fail-if-grows", "much", profiles.base!, profiles.regress!],
      ["diff", "-", "-"],
    ]) {
      const result = await runCli(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr.trim().split("\n").length).toBe(1);
      expect(result.stderr).toMatch(/^heapscope: /);
    }
  });
});
