/**
 * The benchmark-format parser (src/formats/go-bench.ts) on the format's edge cases. Real
 * `go test -bench` output (plain, -v, -json, -cpu lists, several packages, ReportMetric/SetBytes
 * units) is in test/e2e/bench-gate/go-bench-format.test.ts.
 */
import { describe, expect, it } from "vitest";
import { parseConfigLine, parseGoBench, tidyUnitName, unitClass } from "../../src/formats/go-bench.js";

describe("benchmark format rules", () => {
  it("follows the config-line grammar: lower-case key, colon, space or tab, empty deletes", () => {
    expect(parseConfigLine("goos: linux")).toEqual({ key: "goos", value: "linux" });
    expect(parseConfigLine("cpu:\tAMD EPYC 7B13")).toEqual({ key: "cpu", value: "AMD EPYC 7B13" });
    expect(parseConfigLine("commit:")).toEqual({ key: "commit", value: "" });
    expect(parseConfigLine("Goos: linux")).toBeUndefined();
    expect(parseConfigLine("my key: value")).toBeUndefined();
    expect(parseConfigLine("http://example.com")).toBeUndefined();
    expect(parseConfigLine("ok  \texample.com/x\t0.07s")).toBeUndefined();
    const text = [
      "goos: linux",
      "pkg: a",
      "note: first",
      "BenchmarkA 10 5 ns/op",
      "note:",
      "pkg: b",
      "BenchmarkA 10 6 ns/op",
    ].join("\n");
    const file = parseGoBench(text);
    expect(file.results.map((r) => r.config)).toEqual([
      { goos: "linux", pkg: "a", note: "first" },
      { goos: "linux", pkg: "b" },
    ]);
  });

  it("reads Unit metadata lines and reports conflicts", () => {
    const file = parseGoBench(
      [
        "Unit allocs/op assume=exact",
        "Unit ns/op better=lower",
        "Unit allocs/op assume=exact",
        "Unit allocs/op assume=nothing",
        "Unit B/op nonsense",
        "BenchmarkA 10 5 ns/op 3 allocs/op",
      ].join("\n"),
    );
    expect(file.units.get("allocs/op\u0000assume")?.value).toBe("exact");
    // Unit metadata applies to the tidied unit.
    expect(file.units.get("sec/op\u0000better")?.value).toBe("lower");
    expect(file.issues.map((i) => i.message)).toEqual([
      "metadata assume of unit allocs/op already set to exact",
      "expected key=value",
    ]);
  });

  it("tidies units like benchstat", () => {
    expect(tidyUnitName("ns/op")).toEqual(["sec/op", 1e-9]);
    expect(tidyUnitName("MB/s")).toEqual(["B/s", 1e6]);
    expect(tidyUnitName("L1-miss-ns/op")).toEqual(["L1-miss-sec/op", 1e-9]);
    expect(tidyUnitName("ops/ns")).toEqual(["ops/ns", 1]);
    expect(tidyUnitName("entries/op")).toEqual(["entries/op", 1]);
    expect(unitClass("B/op")).toBe("binary");
    expect(unitClass("B/s")).toBe("binary");
    expect(unitClass("allocs/op")).toBe("decimal");
    expect(unitClass("ops/B")).toBe("decimal");
  });

  it("skips name-only lines and functions testing would not run", () => {
    const file = parseGoBench(["BenchmarkA", "Benchmarking 10 5 ns/op", "Benchmark_x 10 5 ns/op"].join("\n"));
    expect(file.results.map((r) => r.name)).toEqual(["Benchmark_x"]);
    expect(file.issues).toEqual([]);
  });
});
