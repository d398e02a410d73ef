/**
 * The benchmark-format parser on real `go test -bench` output (plain, -v, -json, -cpu lists,
 * several packages, ReportMetric/SetBytes units). The format's edge cases are in
 * test/formats/go-bench.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type GoBenchFile, parseGoBench, splitGomaxprocs } from "../../../src/formats/go-bench.js";
import { GO_OLDEST } from "../../support/go.js";
import { requireTool } from "../../support/required-tools.js";
import { goTestBench } from "./support.js";

function valuesByKey(file: GoBenchFile): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of file.results) {
    for (const m of r.measurements) {
      const key = `${r.config.pkg}|${r.name}|${m.unit}`;
      out.set(key, [...(out.get(key) ?? []), m.value]);
    }
  }
  return out;
}

describe("go test -bench output", () => {
  let plain: string;
  let verbose: string;
  let json: string;
  let cpus: string;

  beforeAll(async () => {
    plain = await goTestBench("gatebench", { count: 3, benchtime: "100x" });
    verbose = await goTestBench("gatebench", { count: 2, benchtime: "100x", verbose: true });
    json = await goTestBench("gatebench", { count: 2, benchtime: "100x", json: true });
    cpus = await goTestBench("gatebench", { count: 1, benchtime: "100x", cpu: "1,2", packages: ["."] });
  }, 300_000);

  it("reads every result of a multi-package run with its package, units and tidied values", () => {
    const file = parseGoBench(plain);
    expect(file.fromJson).toBe(false);
    expect(file.issues).toEqual([]);
    // 6 benchmarks in the root package + 1 in codec, 3 runs each.
    expect(file.results.length).toBe(21);
    const packages = new Set(file.results.map((r) => r.config.pkg));
    expect(packages).toEqual(new Set(["example.com/gatebench", "example.com/gatebench/codec"]));
    for (const r of file.results) {
      expect(r.config.goos).toBeTruthy();
      expect(r.config.goarch).toBeTruthy();
      expect(r.iterations).toBe(100);
    }
    const encode = file.results.find((r) => r.name.startsWith("BenchmarkEncode"))!;
    const units = encode.measurements.map((m) => m.unit);
    expect(units).toEqual(["sec/op", "B/op", "allocs/op"]);
    const time = encode.measurements[0]!;
    expect(time.origUnit).toBe("ns/op");
    expect(time.value).toBeCloseTo(time.origValue! * 1e-9, 20);
    expect(encode.measurements[2]!.value).toBe(1);
    // SetBytes → MB/s → B/s; ReportMetric → custom unit in alphabetical position.
    const concat = file.results.find((r) => r.name.startsWith("BenchmarkConcat"))!;
    expect(concat.measurements.map((m) => m.unit)).toEqual(["sec/op", "B/s", "B/op", "allocs/op"]);
    expect(concat.measurements[1]!.value).toBe(concat.measurements[1]!.origValue! * 1e6);
    const index = file.results.find((r) => r.name.startsWith("BenchmarkIndex/size=64"))!;
    expect(index.measurements.find((m) => m.unit === "entries/op")!.value).toBe(64);
    // PASS, ok and the like are skipped, not errors.
    expect(file.skippedLines).toBeGreaterThanOrEqual(4);
  });

  it("reads -v output (name-only lines before each result) to the same benchmarks", () => {
    const file = parseGoBench(verbose);
    expect(verbose).toMatch(/^BenchmarkSum$/m);
    expect(file.issues).toEqual([]);
    expect(file.results.length).toBe(14);
    const plainKeys = new Set(valuesByKey(parseGoBench(plain)).keys());
    expect(new Set(valuesByKey(file).keys())).toEqual(plainKeys);
  });

  it("reassembles go test -json output whose result lines are split across events", () => {
    const events = json
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { Action: string; Output?: string; Test?: string });
    // The stream really has split lines: an Output event holding a benchmark name without its values.
    expect(events.some((e) => e.Output !== undefined && /^Benchmark\S+\s*\t$/.test(e.Output))).toBe(true);
    const file = parseGoBench(json);
    expect(file.fromJson).toBe(true);
    expect(file.issues).toEqual([]);
    expect(file.results.length).toBe(14);
    const values = valuesByKey(file);
    const plainValues = valuesByKey(parseGoBench(plain));
    expect(new Set(values.keys())).toEqual(new Set(plainValues.keys()));
    // Allocation counts are deterministic, so both runs agree on them exactly.
    for (const [key, list] of values) {
      if (!key.endsWith("|allocs/op")) continue;
      expect(new Set(list), key).toEqual(new Set(plainValues.get(key)));
    }
  });

  it("keeps -N suffixes from -cpu lists apart (procs=1 has none)", () => {
    const file = parseGoBench(cpus);
    const names = file.results.map((r) => r.name);
    expect(names).toContain("BenchmarkSum");
    expect(names).toContain("BenchmarkSum-2");
    expect(names).toContain("BenchmarkIndex/size=8");
    expect(names).toContain("BenchmarkIndex/size=8-2");
    expect(splitGomaxprocs("BenchmarkIndex/size=8-2")).toEqual(["BenchmarkIndex/size=8", 2]);
    expect(splitGomaxprocs("BenchmarkSum")).toEqual(["BenchmarkSum", undefined]);
  });

  it("survives junk, panics, CRLF and logs around real output", () => {
    const lines = plain.split("\n");
    const junk = [
      "2024-06-01T10:00:00Z some CI log line",
      "Benchmarking is fun",
      "    gatebench_test.go:12: a b.Log line: with colon",
      "--- BENCH: BenchmarkX",
      "panic: runtime error: index out of range [3] with length 3",
      "goroutine 1 [running]:",
      "\u0000\u0001binary",
      ...lines.slice(0, 10),
      "BenchmarkBroken-2   12   notanumber ns/op",
      "BenchmarkHalf-2   12   5",
      ...lines.slice(10),
    ];
    const file = parseGoBench(junk.join("\r\n"));
    expect(file.results.length).toBe(21);
    expect(file.issues.map((i) => i.message)).toEqual([
      'parsing measurement: invalid syntax in "notanumber"',
      "missing units",
    ]);
    expect(file.issues[0]!.line).toBe(18);
  });
});

const go119 = requireTool("go1.19");

describe.skipIf(go119.skip)(`go test -bench output of Go 1.19${go119.note}`, () => {
  it("parses plain and -json output of an older toolchain to the same benchmarks and units", async () => {
    const plain = await goTestBench("gatebench", { count: 2, benchtime: "100x", toolchain: GO_OLDEST });
    const json = await goTestBench("gatebench", {
      count: 2,
      benchtime: "100x",
      toolchain: GO_OLDEST,
      json: true,
    });
    const fromPlain = parseGoBench(plain);
    const fromJson = parseGoBench(json);
    expect(fromPlain.issues).toEqual([]);
    expect(fromJson.issues).toEqual([]);
    expect(fromPlain.results.length).toBe(14);
    expect(fromJson.results.length).toBe(14);
    const keys = (file: GoBenchFile) => new Set(valuesByKey(file).keys());
    expect(keys(fromJson)).toEqual(keys(fromPlain));
    expect([...keys(fromPlain)]).toContain(
      "example.com/gatebench|BenchmarkIndex/size=8" + suffixOf(fromPlain) + "|entries/op",
    );
  }, 300_000);
});

function suffixOf(file: GoBenchFile): string {
  return /-\d+$/.exec(file.results[0]!.name)?.[0] ?? "";
}
