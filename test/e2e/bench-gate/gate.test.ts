/**
 * The CI gate end to end on real `go test -bench -benchmem` output from the modules in programs/:
 * a one-allocation regression fails, the same code twice passes, an improvement passes, a change
 * below the floor passes, one regression among twenty benchmarks fails exactly that row, and
 * 20 noisy A/A pairs with sec/op gating at 10 % fail at most twice. Every table is checked against
 * benchstat itself.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compareBenchmarks } from "../../../src/analysis/bench-compare.js";
import { evaluateGate } from "../../../src/analysis/bench-gate.js";
import { parseGoBench } from "../../../src/formats/go-bench.js";
import { defaultGatePolicy } from "../../../src/model/bench-gate-policy.js";
import { comparisonLabel, formatDelta, percentRange, shortName } from "../../../src/render/bench-format.js";
import { runCli } from "../../support/go.js";
import {
  benchstatCsv,
  buildTestBinary,
  ensureBenchstat,
  goTestBench,
  runTestBinary,
  workTemp,
  writeTemp,
} from "./support.js";

interface JsonSide {
  median: number;
  n: number;
  ciLow: number | null;
  ciHigh: number | null;
}
interface JsonRow {
  name: string;
  package: string;
  unit: string;
  method: "exact" | "u-test";
  base: JsonSide;
  new: JsonSide;
  deltaPercent: number | null;
  p: number;
  alpha: number;
  significant: boolean;
  change: string;
  status: "ok" | "warn" | "fail";
  reason?: string;
}
interface JsonReport {
  status: "ok" | "warn" | "fail";
  rows: JsonRow[];
  geomeans: {
    package: string;
    unit: string;
    base: number | null;
    new: number | null;
    deltaPercent: number | null;
  }[];
  missing: { side: string; name: string; package: string; hint?: string }[];
  notes: { level: string; message: string }[];
}

const files: Record<string, string> = {};
let benchstat: string;

async function compareJson(base: string, next: string, ...flags: string[]) {
  const result = await runCli(["bench", "compare", "--json", "--no-config", ...flags, base, next]);
  expect(result.stderr).toBe("");
  return { code: result.code, report: JSON.parse(result.stdout) as JsonReport };
}

function close(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Checks every row and geomean against benchstat: rows compared exactly (constant allocations)
 * against benchstat run with `Unit allocs/op assume=exact` and `Unit B/op assume=exact`
 * prepended, U-test rows against plain benchstat.
 */
async function expectSameAsBenchstat(baseFile: string, newFile: string, report: JsonReport): Promise<void> {
  const plain = await benchstatCsv(benchstat, baseFile, newFile);
  const header = "Unit allocs/op assume=exact\nUnit B/op assume=exact\n";
  const exactBase = writeTemp(`exact-${path.basename(baseFile)}`, header + readFileSync(baseFile, "utf8"));
  const exactNew = writeTemp(`exact-new-${path.basename(newFile)}`, header + readFileSync(newFile, "utf8"));
  const exact = await benchstatCsv(benchstat, exactBase, exactNew);
  const plainRows = plain.filter((r) => r.name !== "geomean");
  expect(report.rows.length).toBe(plainRows.length);
  for (const row of report.rows) {
    const source = row.method === "exact" ? exact : plain;
    const theirs = source.find(
      (r) => r.config.pkg === row.package && r.unit === row.unit && r.name === shortName(row.name),
    );
    const what = `${row.package} ${row.name} ${row.unit} (${row.method})`;
    expect(theirs, what).toBeDefined();
    const side = (s: JsonSide) => ({
      center: s.median,
      n: s.n,
      lo: s.ciLow ?? -Infinity,
      hi: s.ciHigh ?? Infinity,
    });
    const mine = { p: row.p, alpha: row.alpha, base: side(row.base), new: side(row.new) };
    expect(
      close(mine.base.center, theirs!.baseCenter),
      `${what} base center ${mine.base.center} vs ${theirs!.baseCenter}`,
    ).toBe(true);
    expect(close(mine.new.center, theirs!.newCenter), `${what} new center`).toBe(true);
    expect(percentRange(mine.base.center, mine.base.lo, mine.base.hi), `${what} base CI`).toBe(
      theirs!.baseCI,
    );
    expect(percentRange(mine.new.center, mine.new.lo, mine.new.hi), `${what} new CI`).toBe(theirs!.newCI);
    expect(formatDelta(mine as never), `${what} delta`).toBe(theirs!.delta);
    expect(comparisonLabel(mine as never), `${what} p and n`).toBe(theirs!.label);
  }
  for (const gm of report.geomeans) {
    const theirs = plain.find(
      (r) => r.config.pkg === gm.package && r.unit === gm.unit && r.name === "geomean",
    );
    expect(theirs, `geomean ${gm.package} ${gm.unit}`).toBeDefined();
    expect(close(gm.base ?? undefined, theirs!.baseCenter), `geomean ${gm.unit} base`).toBe(true);
    expect(close(gm.new ?? undefined, theirs!.newCenter), `geomean ${gm.unit} new`).toBe(true);
    const delta =
      gm.deltaPercent === null ? "?" : `${gm.deltaPercent >= 0 ? "+" : ""}${gm.deltaPercent.toFixed(2)}%`;
    expect(delta, `geomean ${gm.unit} delta`).toBe(theirs!.delta);
  }
}

const failing = (report: JsonReport) => report.rows.filter((r) => r.status === "fail");

beforeAll(async () => {
  benchstat = await ensureBenchstat();
  const runs: [string, string, Parameters<typeof goTestBench>[1]][] = [
    ["base", "gatebench", {}],
    ["same", "gatebench", {}],
    ["regress", "gatebench", { tags: "regress" }],
    ["smallgrow", "gatebench", { tags: "smallgrow" }],
    ["many-base", "manybench", { benchtime: "200x" }],
    ["many-regress", "manybench", { benchtime: "200x", tags: "regress" }],
  ];
  for (const [name, module, options] of runs) {
    files[name] = writeTemp(`${name}.txt`, await goTestBench(module, options));
  }
}, 600_000);

describe("bench compare gate on real benchmarks", () => {
  it("fails a real one-allocation regression at -count 10, on exactly that row", async () => {
    const { code, report } = await compareJson(files.base!, files.regress!);
    expect(code).toBe(1);
    expect(report.status).toBe("fail");
    expect(failing(report).map((r) => `${r.name} ${r.unit}`)).toEqual([
      `BenchmarkEncode${suffix(report)} allocs/op`,
    ]);
    const row = failing(report)[0]!;
    expect(row.base.median).toBe(1);
    expect(row.new.median).toBe(2);
    expect(row.base.n).toBe(10);
    expect(row.method).toBe("exact");
    expect(row.deltaPercent).toBe(100);
    // B/op grew 48 → 80 (+67 %), but 32 B is under the 64 B floor.
    const bytes = report.rows.find((r) => r.name === row.name && r.unit === "B/op")!;
    expect(bytes.status).toBe("ok");
    expect(bytes.change).toBe("worse");
    await expectSameAsBenchstat(files.base!, files.regress!, report);
  });

  it("passes the same code run twice", async () => {
    const { code, report } = await compareJson(files.base!, files.same!);
    expect(code).toBe(0);
    expect(report.status).not.toBe("fail");
    expect(report.rows.filter((r) => r.status !== "ok")).toEqual([]);
    expect(report.rows.length).toBeGreaterThanOrEqual(20);
    await expectSameAsBenchstat(files.base!, files.same!, report);
  });

  it("passes an improvement and reports it as better", async () => {
    const { code, report } = await compareJson(files.regress!, files.base!);
    expect(code).toBe(0);
    expect(failing(report)).toEqual([]);
    const row = report.rows.find((r) => r.name.startsWith("BenchmarkEncode") && r.unit === "allocs/op")!;
    expect(row.change).toBe("better");
    expect(row.deltaPercent).toBe(-50);
    await expectSameAsBenchstat(files.regress!, files.base!, report);
  });

  it("passes a significant change below the absolute floor", async () => {
    const { code, report } = await compareJson(files.base!, files.smallgrow!);
    expect(code).toBe(0);
    const row = report.rows.find((r) => r.name.startsWith("BenchmarkFormat") && r.unit === "B/op")!;
    expect([row.base.median, row.new.median]).toEqual([16, 48]);
    expect(row.significant).toBe(true);
    expect(row.deltaPercent).toBe(200);
    expect(row.status).toBe("ok");
    // Lowering the floor below 32 B turns the same change into a failure.
    const strict = await compareJson(files.base!, files.smallgrow!, "--bytes-floor", "16");
    expect(strict.code).toBe(1);
    expect(failing(strict.report).map((r) => r.unit)).toEqual(["B/op"]);
  });

  it("fails exactly the one regressed benchmark among twenty", async () => {
    const { code, report } = await compareJson(files["many-base"]!, files["many-regress"]!);
    expect(code).toBe(1);
    expect(report.rows.filter((r) => r.unit === "allocs/op").length).toBe(20);
    expect(failing(report).map((r) => `${r.name} ${r.unit}`)).toEqual([
      `BenchmarkChain/workload=02${suffix(report)} allocs/op`,
    ]);
    // Its B/op grew by 16 bytes only: worse, but under the floor.
    const bytes = report.rows.find((r) => r.name.includes("workload=02") && r.unit === "B/op")!;
    expect(bytes.status).toBe("ok");
    await expectSameAsBenchstat(files["many-base"]!, files["many-regress"]!, report);
  });

  it("prints a benchstat-like text table and the verdict", async () => {
    const result = await runCli(["bench", "compare", "--no-config", files.base!, files.regress!]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^pkg: example\.com\/gatebench$/m);
    expect(result.stdout).toMatch(/│\s+allocs\/op\s+│/);
    expect(result.stdout).toMatch(/^Encode\S*\s+1\.000 ± 0%\s+2\.000 ± 0%\s+\+100\.00% \(n=10\)\s+FAIL$/m);
    expect(result.stdout).toMatch(/^geomean/m);
    expect(result.stdout).toMatch(/FAIL: 1 failed/);
  });
});

function suffix(report: JsonReport): string {
  const match = /-\d+$/.exec(report.rows[0]!.name);
  return match ? match[0] : "";
}

describe("noisy A/A pairs with sec/op gating", () => {
  it("fails at most 2 of 20 pairs at a 10 % time threshold", async () => {
    const binary = await buildTestBinary("noisybench");
    const args = [
      "-test.run=^$",
      "-test.bench=Noisy",
      "-test.benchmem",
      "-test.benchtime=100x",
      "-test.count=1",
    ];
    const policy = defaultGatePolicy();
    policy.thresholds["sec/op"] = { warnPercent: 5, failPercent: 10 };
    let failures = 0;
    const allTimes: number[] = [];
    for (let pair = 0; pair < 20; pair++) {
      // Interleaved rounds, as bench run does: A, B, B, A, …
      const a: string[] = [];
      const b: string[] = [];
      for (let round = 0; round < 10; round++) {
        const order = round % 2 === 0 ? [a, b] : [b, a];
        for (const side of order) side.push(await runTestBinary(binary, args));
      }
      const base = parseGoBench(a.join(""));
      const next = parseGoBench(b.join(""));
      const report = evaluateGate(compareBenchmarks(base, next), policy);
      const time = report.rows.find((r) => r.unit === "sec/op")!;
      expect(time.base.n).toBe(10);
      allTimes.push(...time.base.values, ...time.new.values);
      if (report.status === "fail") failures++;
    }
    // The benchmark is really noisy: the spread of its samples is far beyond float jitter.
    const sorted = [...allTimes].sort((x, y) => x - y);
    const spread = sorted[sorted.length - 1]! / sorted[0]!;
    expect(spread).toBeGreaterThan(1.05);
    expect(failures).toBeLessThanOrEqual(2);
  }, 300_000);
});

describe("gate policy, warnings and outputs", () => {
  it("still fails a constant allocation regression at -count 3, and warns where the U test is blind", async () => {
    const base = writeTemp("c3-base.txt", await goTestBench("gatebench", { count: 3, packages: ["."] }));
    const next = writeTemp(
      "c3-new.txt",
      await goTestBench("gatebench", { count: 3, tags: "regress", packages: ["."] }),
    );
    const { code, report } = await compareJson(base, next, "--time-fail", "50");
    expect(code).toBe(1);
    expect(failing(report).map((r) => r.unit)).toContain("allocs/op");
    const time = report.rows.find((r) => r.unit === "sec/op")!;
    expect(time.base.ciLow).toBeNull();
    expect(report.notes.some((n) => n.message.includes("fewer than 6 samples"))).toBe(true);
    if (!time.significant) {
      expect(report.notes.some((n) => n.level === "warn" && n.message.includes("too few samples"))).toBe(
        true,
      );
    }
  }, 300_000);

  it("fails a zero-allocation path that starts allocating, whatever the percentages and floor", async () => {
    const base = writeTemp(
      "zero-base.txt",
      await goTestBench("gatebench", { count: 5, bench: "Sum", packages: ["."] }),
    );
    const next = writeTemp(
      "zero-new.txt",
      await goTestBench("gatebench", { count: 5, bench: "Sum", tags: "zeroalloc", packages: ["."] }),
    );
    const lenient = [
      "--allocs-warn",
      "off",
      "--allocs-fail",
      "1000",
      "--allocs-floor",
      "10",
      "--bytes-fail",
      "off",
      "--bytes-warn",
      "off",
    ];
    const { code, report } = await compareJson(base, next, ...lenient);
    expect(code).toBe(1);
    const row = failing(report)[0]!;
    expect(row.unit).toBe("allocs/op");
    expect([row.base.median, row.new.median]).toEqual([0, 1]);
    expect(row.deltaPercent).toBeNull();
    expect(row.reason).toMatch(/^zero-allocation benchmark now allocates/);
    const config = writeTemp(
      "zero-off/.heapscope.json",
      JSON.stringify({ bench: { zeroAllocations: false } }),
    );
    const allowed = await runCli(["bench", "compare", "--json", ...lenient, base, next], {
      cwd: path.dirname(config),
    });
    expect(allowed.code).toBe(0);
  });

  it("lists benchmarks missing on one side and fails on them only when asked", async () => {
    const subset = writeTemp(
      "subset.txt",
      await goTestBench("gatebench", { bench: "Sum|Format", packages: ["."] }),
    );
    const warned = await compareJson(files.base!, subset);
    expect(warned.code).toBe(0);
    expect(warned.report.status).toBe("warn");
    const missingNames = warned.report.missing.map((m) => m.name.replace(/-\d+$/, "")).sort();
    expect(missingNames).toEqual(
      [
        "BenchmarkConcat",
        "BenchmarkEncode",
        "BenchmarkIndex/size=64",
        "BenchmarkIndex/size=8",
        "BenchmarkPack",
      ].sort(),
    );
    expect(warned.report.missing.every((m) => m.side === "base")).toBe(true);
    const strict = await compareJson(files.base!, subset, "--fail-on-missing");
    expect(strict.code).toBe(1);
    expect(strict.report.status).toBe("fail");
    const ignored = await compareJson(files.base!, subset, "--on-missing", "ignore");
    expect(ignored.report.status).toBe("ok");
  });

  it("does not pair different GOMAXPROCS or cpu: lines unless --ignore-config", async () => {
    const procs1 = writeTemp("procs1.txt", await goTestBench("gatebench", { cpu: "1", packages: ["."] }));
    const procs2 = writeTemp(
      "procs2.txt",
      await goTestBench("gatebench", { cpu: "2", tags: "regress", packages: ["."] }),
    );
    const apart = await compareJson(procs1, procs2);
    expect(apart.report.rows).toEqual([]);
    expect(apart.report.missing.length).toBe(12);
    expect(apart.report.missing.find((m) => m.name === "BenchmarkEncode")!.hint).toMatch(
      /GOMAXPROCS differs.*--ignore-config/,
    );
    // Comparing nothing is not a pass.
    expect(apart.code).toBe(1);
    expect(
      apart.report.notes.some(
        (n) => n.level === "fail" && n.message.startsWith("no benchmark was present in both"),
      ),
    ).toBe(true);
    const paired = await compareJson(procs1, procs2, "--ignore-config");
    expect(paired.code).toBe(1);
    expect(failing(paired.report).map((r) => `${r.name} ${r.unit}`)).toEqual(["BenchmarkEncode allocs/op"]);

    // The same machine under another name: only the cpu: line differs.
    const otherCpu = writeTemp(
      "other-cpu.txt",
      readFileSync(files.regress!, "utf8").replace(/^cpu: .*$/gm, "cpu: Some Other CPU @ 2.0GHz"),
    );
    const cpuApart = await compareJson(files.base!, otherCpu);
    expect(cpuApart.report.rows).toEqual([]);
    expect(cpuApart.report.notes.some((n) => /configuration differs \(cpu:/.test(n.message))).toBe(true);
    const cpuPaired = await compareJson(files.base!, otherCpu, "--ignore-config");
    expect(cpuPaired.code).toBe(1);
    expect(cpuPaired.report.notes.some((n) => n.message.startsWith("comparing across configurations"))).toBe(
      true,
    );
  });

  it("reads go test -json input and reaches the same verdict", async () => {
    const jsonRegress = writeTemp(
      "regress.json",
      await goTestBench("gatebench", { tags: "regress", json: true }),
    );
    const { code, report } = await compareJson(files.base!, jsonRegress);
    expect(code).toBe(1);
    expect(failing(report).map((r) => r.unit)).toEqual(["allocs/op"]);
  });

  it("takes thresholds and per-benchmark overrides from .heapscope.json; flags beat file defaults", async () => {
    const lenient = writeTemp(
      "lenient/.heapscope.json",
      JSON.stringify({ bench: { thresholds: { "allocs/op": { warn: "500%", fail: 1000 } } } }),
    );
    const cwd = path.dirname(lenient);
    const passed = await runCli(["bench", "compare", "--json", files.base!, files.regress!], { cwd });
    expect(passed.code).toBe(0);
    expect((JSON.parse(passed.stdout) as JsonReport).rows.every((r) => r.status === "ok")).toBe(true);
    const flagged = await runCli(
      ["bench", "compare", "--json", "--allocs-fail", "30", files.base!, files.regress!],
      { cwd },
    );
    expect(flagged.code).toBe(1);
    const explicitConfig = await runCli([
      "bench",
      "compare",
      "--json",
      "--config",
      lenient,
      files.base!,
      files.regress!,
    ]);
    expect(explicitConfig.code).toBe(0);

    const override = writeTemp(
      "override/.heapscope.json",
      JSON.stringify({
        bench: { overrides: [{ match: "^BenchmarkEncode", thresholds: { "allocs/op": { fail: 150 } } }] },
      }),
    );
    const warned = await runCli(["bench", "compare", "--json", files.base!, files.regress!], {
      cwd: path.dirname(override),
    });
    expect(warned.code).toBe(0);
    const report = JSON.parse(warned.stdout) as JsonReport;
    expect(report.status).toBe("warn");
    const encode = report.rows.find((r) => r.name.startsWith("BenchmarkEncode") && r.unit === "allocs/op")!;
    expect(encode.status).toBe("warn");

    const off = writeTemp(
      "override-off/.heapscope.json",
      JSON.stringify({
        bench: {
          overrides: [{ match: "Encode", package: "gatebench$", thresholds: { "allocs/op": "off" } }],
        },
      }),
    );
    const offResult = await runCli(["bench", "compare", "--json", files.base!, files.regress!], {
      cwd: path.dirname(off),
    });
    expect(offResult.code).toBe(0);
    // A package pattern that does not match leaves the default in force.
    const otherPackage = writeTemp(
      "override-other/.heapscope.json",
      JSON.stringify({
        bench: { overrides: [{ match: "Encode", package: "^codec$", thresholds: { "allocs/op": "off" } }] },
      }),
    );
    const otherResult = await runCli(["bench", "compare", "--json", files.base!, files.regress!], {
      cwd: path.dirname(otherPackage),
    });
    expect(otherResult.code).toBe(1);
  });

  it("writes a Markdown PR comment: verdict first, failing rows first, details collapsed", async () => {
    const result = await runCli([
      "bench",
      "compare",
      "--format",
      "markdown",
      "--no-config",
      files.base!,
      files.regress!,
    ]);
    expect(result.code).toBe(1);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^❌ \*\*Benchmark gate failed\*\*: 1 failing/);
    const firstTableRow = lines.findIndex((l) => l.startsWith("| ❌"));
    const details = lines.findIndex((l) => l.startsWith("<details>"));
    expect(firstTableRow).toBeGreaterThan(0);
    expect(firstTableRow).toBeLessThan(details);
    expect(lines[firstTableRow]).toContain("BenchmarkEncode");
    expect(result.stdout).toContain("</details>");
  });

  it("escapes untrusted benchmark names in Markdown and GitHub annotations", async () => {
    const base = writeTemp("odd-base.txt", await goTestBench("oddnames", { count: 5, benchtime: "100x" }));
    const next = writeTemp(
      "odd-new.txt",
      await goTestBench("oddnames", { count: 5, benchtime: "100x", tags: "grow" }),
    );
    const summary = writeTemp("odd-summary.md", "");
    const result = await runCli(["bench", "compare", "--format", "markdown", "--no-config", base, next], {
      env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary },
    });
    expect(result.code).toBe(1);
    const markdown = result.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::"))
      .join("\n");
    expect(markdown).not.toContain("<img");
    expect(markdown).toContain("&lt;img");
    expect(result.stdout).toContain("a\\|b");
    expect(result.stdout).toContain("\\`tick\\`\\*star\\*");
    const annotations = result.stdout.split("\n").filter((l) => l.startsWith("::"));
    expect(annotations.filter((l) => l.startsWith("::error ")).length).toBe(5);
    for (const line of annotations) {
      // Exactly one command per line: the data part never contains an unescaped "::error".
      const data = line.slice(line.indexOf("::", 2) + 2);
      expect(data).not.toMatch(/%0A::error/);
    }
    expect(result.stdout).toContain("percent%250A::error::x");
    const summaryText = readFileSync(summary, "utf8");
    expect(summaryText).toMatch(/^❌ \*\*Benchmark gate failed\*\*/);
    expect(summaryText).toContain("&lt;img");
  });

  it("annotates warnings under GitHub Actions and keeps JSON on stdout clean", async () => {
    const summary = writeTemp("json-summary.md", "");
    const result = await runCli(["bench", "compare", "--json", "--no-config", files.base!, files.regress!], {
      env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary },
    });
    expect(result.code).toBe(1);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
    expect(result.stderr).toMatch(/^::error title=Benchmark regression%3A BenchmarkEncode\S* allocs\/op::/m);
    expect(readFileSync(summary, "utf8")).toContain("Benchmark gate failed");
  });

  it("reads - as stdin", async () => {
    const result = await runCli(["bench", "compare", "--json", "--no-config", files.base!, "-"], {
      input: readFileSync(files.regress!),
    });
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as JsonReport).status).toBe("fail");
  });
});

describe("bad input and usage", () => {
  const oneLine = (stderr: string) => {
    expect(stderr.trim().split("\n").length).toBe(1);
    expect(stderr).toMatch(/^heapscope: /);
    expect(stderr).not.toMatch(/at .*\.js:\d+/);
  };

  it("exits 2 with one line for missing, empty, binary, gzip and foreign files", async () => {
    const empty = writeTemp("empty.txt", "");
    const binary = writeTemp("junk.bin", Buffer.from([0, 1, 2, 3, 255, 254, 0, 7]));
    const gzip = writeTemp("profile.pb.gz", Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]));
    const foreign = path.resolve(import.meta.dirname, "../../fixtures/signals/go1.23-gctrace-scavtrace.txt");
    const cases: [string, RegExp][] = [
      [path.join(workTemp(), "does-not-exist.txt"), /no such file/],
      [empty, /empty input/],
      [binary, /binary data/],
      [gzip, /gzip data/],
      [foreign, /no benchmark results found/],
      [workTemp(), /is a directory/],
    ];
    for (const [input, message] of cases) {
      const result = await runCli(["bench", "compare", "--no-config", files.base!, input]);
      expect(result.code, input).toBe(2);
      expect(result.stderr).toMatch(message);
      oneLine(result.stderr);
    }
  });

  it("exits 2 on usage errors", async () => {
    const cases: string[][] = [
      ["bench", "compare", "-", "-"],
      ["bench", "compare", "--format", "yaml", files.base!, files.same!],
      ["bench", "compare", "--threshold", "allocs/op", files.base!, files.same!],
      ["bench", "compare", "--allocs-fail", "lots", files.base!, files.same!],
      ["bench", "compare", "--on-missing", "maybe", files.base!, files.same!],
      ["bench", "compare", "--alpha", "2", files.base!, files.same!],
      ["bench", "compare", files.base!],
    ];
    for (const args of cases) {
      const result = await runCli(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr.trim().length).toBeGreaterThan(0);
    }
    const badConfig = writeTemp("bad-config/.heapscope.json", "{ not json");
    const result = await runCli(["bench", "compare", files.base!, files.same!], {
      cwd: path.dirname(badConfig),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\.heapscope\.json: not valid JSON/);
    const badRegex = writeTemp(
      "bad-regex/.heapscope.json",
      JSON.stringify({ bench: { overrides: [{ match: "(", thresholds: {} }] } }),
    );
    const regexResult = await runCli(["bench", "compare", files.base!, files.same!], {
      cwd: path.dirname(badRegex),
    });
    expect(regexResult.code).toBe(2);
    expect(regexResult.stderr).toMatch(/invalid regular expression/);
  });
});
