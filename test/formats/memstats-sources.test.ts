import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import {
  detectAndParseMemStats,
  detectAndParseMemStatsSeries,
  MEMSTATS_FIELDS,
  parseExpvarMemStats,
  parsePrometheusMemStats,
} from "../../src/formats/memstats.js";
import { readMemStatsLogLine } from "../../src/formats/memstats-log-lines.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/signals");
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), "utf8");

/** Digits of a JSON key's value as written in the file (no float rounding). */
function rawNumber(text: string, key: string): string {
  const m = new RegExp(`"${key}":(\\d+)`).exec(text);
  if (!m) throw new Error(`no ${key}`);
  return m[1];
}

describe("expvar /debug/vars (captured from Go 1.19, 1.21, 1.23)", () => {
  for (const version of ["1.19", "1.21", "1.23"]) {
    it(`Go ${version}: every MemStats field, LastGC and the pause ring exact`, () => {
      const text = fixture(`go${version}-debug-vars.json`);
      const sample = parseExpvarMemStats(text);
      for (const field of MEMSTATS_FIELDS) expect(sample.fields[field], field).toBeTypeOf("number");
      expect(sample.fields.HeapAlloc).toBe(Number(rawNumber(text, "HeapAlloc")));
      expect(sample.fields.NumGC).toBe(Number(rawNumber(text, "NumGC")));
      expect(sample.exact?.lastGcNs).toBe(BigInt(rawNumber(text, "LastGC")));
      // The newest PauseEnd is the end of the last GC, i.e. LastGC (both written by the same GC).
      const ends = sample.exact?.pauseEndNs ?? [];
      expect(ends).toHaveLength(sample.fields.NumGC!);
      expect(ends.at(-1)).toBe(sample.exact?.lastGcNs);
      expect([...ends].sort((a, b) => (a < b ? -1 : 1))).toEqual(ends);
      expect(sample.pauseNs).toHaveLength(ends.length);
      expect(sample.pauseNs!.reduce((a, b) => a + b, 0)).toBe(sample.fields.PauseTotalNs);
    });
  }

  it("orders the PauseEnd ring oldest first after it wrapped (NumGC > 256)", () => {
    const numGc = 300;
    const pauseEnd = Array.from({ length: 256 }, () => 0n);
    const pauseNs = Array.from({ length: 256 }, () => 0);
    for (let gc = 1; gc <= numGc; gc++) {
      pauseEnd[(gc - 1) % 256] = 1795630000000000000n + BigInt(gc);
      pauseNs[(gc - 1) % 256] = gc;
    }
    const text = `{"memstats":{"NumGC":${numGc},"LastGC":${pauseEnd[(numGc + 255) % 256]},"PauseEnd":[${pauseEnd.join(",")}],"PauseNs":[${pauseNs.join(",")}]}}`;
    const sample = parseExpvarMemStats(text);
    const ends = sample.exact!.pauseEndNs!;
    expect(ends).toHaveLength(256);
    expect(ends[0]).toBe(1795630000000000000n + BigInt(numGc - 255));
    expect(ends.at(-1)).toBe(1795630000000000000n + BigInt(numGc));
    expect(sample.pauseNs![0]).toBe(numGc - 255);
  });

  it("reads a goroutine count published next to memstats", () => {
    const sample = parseExpvarMemStats(
      '{"cmdline":["x"],"goroutines":42,"memstats":{"HeapAlloc":1,"NumGC":0}}',
    );
    expect(sample.goroutines).toBe(42);
  });

  it("rejects JSON without MemStats", () => {
    expect(() => parseExpvarMemStats('{"cmdline":["x"]}')).toThrow(/no MemStats/);
    expect(() => parseExpvarMemStats("not json")).toThrow(/not a \/debug\/vars JSON/);
  });
});

describe("expvar series", () => {
  const doc = (heap: number, numGc: number, lastGc: bigint): string =>
    `{"cmdline":["app"],"memstats":{"HeapAlloc":${heap},"NumGC":${numGc},"LastGC":${lastGc}}}`;

  it("JSON lines with a time field in each record", () => {
    const text = [
      `{"time":"2024-05-01T10:00:00Z","vars":${doc(100, 1, 1714557599000000000n)}}`,
      `{"time":"2024-05-01T10:00:10.5Z","vars":${doc(200, 2, 1714557609000000000n)}}`,
    ].join("\n");
    const series = detectAndParseMemStatsSeries(text, "vars.jsonl");
    expect(series.format).toBe("expvar");
    expect(series.timeSource).toBe("record");
    expect(series.samples.map((s) => s.atMs)).toEqual([
      Date.UTC(2024, 4, 1, 10, 0, 0),
      Date.UTC(2024, 4, 1, 10, 0, 10, 500),
    ]);
    expect(series.samples.map((s) => s.fields.HeapAlloc)).toEqual([100, 200]);
  });

  it("pretty-printed documents each preceded by a timestamp line, and an epoch key", () => {
    const pretty = `2024-05-01 10:00:00+02:00\n{\n"memstats": {"HeapAlloc": 5, "NumGC": 1}\n}\n2024-05-01 10:00:01+02:00\n{\n"memstats": {"HeapAlloc": 6, "NumGC": 1}\n}\n`;
    const series = detectAndParseMemStatsSeries(pretty, "x");
    expect(series.timeSource).toBe("record");
    expect(series.samples.map((s) => s.atMs)).toEqual([
      Date.UTC(2024, 4, 1, 8, 0, 0),
      Date.UTC(2024, 4, 1, 8, 0, 1),
    ]);
    const epoch = `{"ts":1714557600,"memstats":{"HeapAlloc":1}}\n{"ts":1714557601123,"memstats":{"HeapAlloc":2}}`;
    expect(detectAndParseMemStats(epoch, "x").map((s) => s.atMs)).toEqual([1714557600000, 1714557601123]);
  });

  it("without timestamps, falls back to LastGC as the time axis and says so", () => {
    const text = [doc(100, 1, 1714557599000000000n), doc(200, 2, 1714557609000000000n)].join("\n");
    const series = detectAndParseMemStatsSeries(text, "x");
    expect(series.timeSource).toBe("last-gc");
    expect(series.samples.map((s) => s.atMs)).toEqual([1714557599000, 1714557609000]);
    expect(series.notes.join(" ")).toMatch(/LastGC/);
  });

  it("a JSON array of documents, skipping records without MemStats", () => {
    const series = detectAndParseMemStatsSeries(`[${doc(1, 1, 5n)}, {"other": 1}, ${doc(2, 2, 6n)}]`, "x");
    expect(series.samples).toHaveLength(2);
    expect(series.skippedLines).toBe(1);
  });
});

describe("log lines", () => {
  it("the common `Alloc = %v MiB` snippet, one sample per line", () => {
    const text =
      "Alloc = 512 MiB\tTotalAlloc = 1024 MiB\tSys = 700 MiB\tNumGC = 12\n" +
      "some unrelated log line\n" +
      "Alloc = 513 MiB\tTotalAlloc = 1025 MiB\tSys = 700 MiB\tNumGC = 13\n";
    const series = detectAndParseMemStatsSeries(text, "app.log");
    expect(series.format).toBe("log-lines");
    expect(series.samples.map((s) => s.fields.HeapAlloc)).toEqual([512 * 2 ** 20, 513 * 2 ** 20]);
    expect(series.samples[1].fields.NumGC).toBe(13);
    expect(series.byteResolution).toBe(2 ** 20);
    expect(series.skippedLines).toBe(1);
    expect(series.timeSource).toBe("none");
  });

  it("fields spread over several lines with Go log timestamps; a repeated field starts a sample", () => {
    const text = [
      "2024/05/01 10:00:00 HeapAlloc = 1000",
      "2024/05/01 10:00:00 HeapObjects = 10",
      "2024/05/01 10:00:05 HeapAlloc = 2000",
      "2024/05/01 10:00:05 HeapObjects = 20",
    ].join("\n");
    const series = detectAndParseMemStatsSeries(text, "x");
    expect(series.timeSource).toBe("record");
    expect(series.samples.map((s) => [s.atMs, s.fields.HeapAlloc, s.fields.HeapObjects])).toEqual([
      [Date.UTC(2024, 4, 1, 10, 0, 0), 1000, 10],
      [Date.UTC(2024, 4, 1, 10, 0, 5), 2000, 20],
    ]);
  });

  it("slog key=value and gops memstats output", () => {
    const slog = readMemStatsLogLine(
      'time=2024-05-01T10:00:00.250Z level=INFO msg=mem heap_alloc=123456 heap_inuse=200000 num_gc=3 goroutines=17 rss="50MiB"',
    );
    expect(slog?.atMs).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 250));
    expect(Object.fromEntries(slog!.values.map((v) => [v.name, v.value]))).toEqual({
      HeapAlloc: 123456,
      HeapInuse: 200000,
      NumGC: 3,
      goroutines: 17,
      rssBytes: 50 * 2 ** 20,
    });
    const gops = [
      "alloc: 1.04MB (1093512 bytes)",
      "total-alloc: 1.04MB (1093512 bytes)",
      "heap-in-use: 2.00MB (2097152 bytes)",
      "stack-mspan-inuse: 16.00KB (16384 bytes)",
      "next-gc: when heap-alloc >= 4.00MB (4194304 bytes)",
      "num-gc: 3",
    ].join("\n");
    const [sample] = detectAndParseMemStats(gops, "gops.txt");
    expect(sample.fields).toMatchObject({
      Alloc: 1093512,
      HeapAlloc: 1093512,
      TotalAlloc: 1093512,
      HeapInuse: 2097152,
      MSpanInuse: 16384,
      NextGC: 4194304,
      NumGC: 3,
    });
  });
});

describe("Prometheus text (captured from client_golang v1.23.2 and OpenTelemetry runtime v0.72 on Go 1.26)", () => {
  it("client_golang default Go and process collectors", () => {
    const text = fixture("go1.26-client_golang-v1.23.2-metrics.txt");
    const series = detectAndParseMemStatsSeries(text, "metrics.txt");
    expect(series.format).toBe("prometheus");
    expect(series.samples).toHaveLength(1);
    const s = series.samples[0];
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)![1]);
    expect(s.fields.HeapAlloc).toBe(value("go_memstats_heap_alloc_bytes"));
    expect(s.fields.HeapInuse).toBe(value("go_memstats_heap_inuse_bytes"));
    expect(s.fields.TotalAlloc).toBe(value("go_memstats_alloc_bytes_total"));
    expect(s.fields.NumGC).toBe(value("go_gc_duration_seconds_count"));
    expect(s.fields.PauseTotalNs).toBeCloseTo(value("go_gc_duration_seconds_sum") * 1e9, 0);
    expect(s.fields.LastGC! / 1e9).toBeCloseTo(value("go_memstats_last_gc_time_seconds"), 3);
    expect(s.rssBytes).toBe(value("process_resident_memory_bytes"));
    expect(s.goroutines).toBe(value("go_goroutines"));
    expect(s.gogcPercent).toBe(100);
    expect(s.derived).toBeUndefined();
  });

  it("client_golang with every runtime/metrics metric, as OpenMetrics", () => {
    const text = fixture("go1.26-client_golang-v1.23.2-runtime-metrics-all-openmetrics.txt");
    const series = detectAndParseMemStatsSeries(text, "metrics-rm.txt");
    expect(series.format).toBe("openmetrics");
    const s = series.samples[0];
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)![1]);
    expect(s.liveHeapBytes).toBe(value("go_gc_heap_live_bytes"));
    // go_goroutines (NumGoroutine) wins over the scheduler's count, which includes system goroutines.
    expect(s.goroutines).toBe(value("go_goroutines"));
    expect(s.fields.NumForcedGC).toBe(value("go_gc_cycles_forced_gc_cycles_total"));
  });

  it("reconstructs MemStats from runtime/metrics names alone (as client_golang's memStatsFromRM)", () => {
    const text = fixture("go1.26-client_golang-v1.23.2-runtime-metrics-all-openmetrics.txt")
      .split("\n")
      .filter((line) => !/go_memstats_|go_gc_duration_seconds/.test(line))
      .join("\n");
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)![1]);
    const s = parsePrometheusMemStats(text);
    expect(s.fields.HeapAlloc).toBe(value("go_memory_classes_heap_objects_bytes"));
    expect(s.fields.HeapInuse).toBe(
      value("go_memory_classes_heap_objects_bytes") + value("go_memory_classes_heap_unused_bytes"),
    );
    expect(s.fields.HeapIdle).toBe(
      value("go_memory_classes_heap_free_bytes") + value("go_memory_classes_heap_released_bytes"),
    );
    expect(s.fields.Sys).toBe(value("go_memory_classes_total_bytes"));
    expect(s.fields.NumGC).toBe(value("go_gc_cycles_total_gc_cycles_total"));
    expect(s.fields.Mallocs).toBe(
      value("go_gc_heap_allocs_objects_total") + value("go_gc_heap_tiny_allocs_objects_total"),
    );
    expect(s.derived).toEqual(expect.arrayContaining(["HeapAlloc", "HeapInuse", "HeapIdle", "Sys", "NumGC"]));
  });

  it("OpenTelemetry: go.memory.* conventions and the deprecated process.runtime.go.* names", () => {
    const current = parsePrometheusMemStats(fixture("go1.26-otel-runtime-v0.72-prometheus.txt"));
    expect(current.fields.TotalAlloc).toBe(2.0104056e7);
    expect(current.fields.NextGC).toBe(4194304);
    expect(current.runtimeUsedBytes).toBe(9.632008e6 + 393216);
    expect(current.fields.StackSys).toBe(393216);
    expect(current.goroutines).toBe(15);
    const both = parsePrometheusMemStats(fixture("go1.26-otel-runtime-v0.72-with-deprecated-prometheus.txt"));
    expect(both.fields.HeapAlloc).toBe(3.405472e6);
    expect(both.fields.HeapReleased).toBe(3.080192e6);
    expect(both.fields.NumGC).toBe(5);
    expect(both.fields.PauseTotalNs).toBe(1.496831e6);
    // process_runtime_go_goroutines is runtime.NumGoroutine; go_goroutine_count counts system ones too.
    expect(both.goroutines).toBe(6);
  });

  it("metric-name prefixes, several scrapes with timestamp lines, and the not_in_go trap", () => {
    const scrape = (heap: number, goroutines: number) =>
      [
        "# HELP istio_agent_go_memstats_heap_alloc_bytes Number of heap bytes allocated and currently in use.",
        "# TYPE istio_agent_go_memstats_heap_alloc_bytes gauge",
        `istio_agent_go_memstats_heap_alloc_bytes ${heap}`,
        `istio_agent_go_goroutines ${goroutines}`,
        "istio_agent_go_sched_goroutines_not_in_go_goroutines 0",
      ].join("\n");
    const text = `# 2024-05-01T10:00:00Z\n${scrape(100, 5)}\n# 2024-05-01T10:00:15Z\n${scrape(150, 6)}\n`;
    const series = detectAndParseMemStatsSeries(text, "scrapes.txt");
    expect(series.timeSource).toBe("record");
    expect(series.samples.map((s) => [s.atMs, s.fields.HeapAlloc, s.goroutines])).toEqual([
      [Date.UTC(2024, 4, 1, 10, 0, 0), 100, 5],
      [Date.UTC(2024, 4, 1, 10, 0, 15), 150, 6],
    ]);
  });

  it("sample timestamps, escaped label values, and a second target ignored with a note", () => {
    const text = [
      'go_memstats_heap_alloc_bytes{instance="a:1",note="x\\"}y"} 10 1714557600000',
      'go_memstats_heap_alloc_bytes{instance="b:1",note="z"} 99 1714557600000',
      'go_memstats_heap_alloc_bytes{instance="a:1",note="x\\"}y"} 20 1714557615000',
    ].join("\n");
    const series = detectAndParseMemStatsSeries(text, "x");
    expect(series.samples.map((s) => [s.atMs, s.fields.HeapAlloc])).toEqual([
      [1714557600000, 10],
      [1714557615000, 20],
    ]);
    expect(series.notes.join(" ")).toMatch(/several targets/);
  });
});

describe("Prometheus query_range JSON", () => {
  const response = (name: string, values: [number, string][], instance = "app:8080") =>
    JSON.stringify({
      status: "success",
      data: {
        resultType: "matrix",
        result: [{ metric: { __name__: name, instance, job: "app" }, values }],
      },
    });

  it("joins several metrics on their timestamps", () => {
    const text = [
      response("go_memstats_heap_alloc_bytes", [
        [1714557600, "1000"],
        [1714557615, "2000"],
      ]),
      response("go_gc_duration_seconds_count", [
        [1714557600, "3"],
        [1714557615, "4"],
      ]),
      response("process_resident_memory_bytes", [
        [1714557600, "5e6"],
        [1714557615, "6e6"],
      ]),
    ].join("\n");
    const series = detectAndParseMemStatsSeries(text, "range.json");
    expect(series.format).toBe("query-range");
    expect(series.timeSource).toBe("record");
    expect(series.samples.map((s) => [s.atMs, s.fields.HeapAlloc, s.fields.NumGC, s.rssBytes])).toEqual([
      [1714557600000, 1000, 3, 5e6],
      [1714557615000, 2000, 4, 6e6],
    ]);
  });

  it("one result with several metrics (a {__name__=~...} query) and an instant vector", () => {
    const text = JSON.stringify({
      status: "success",
      data: {
        resultType: "vector",
        result: [
          { metric: { __name__: "go_memstats_heap_inuse_bytes" }, value: [1714557600.5, "42"] },
          { metric: { __name__: "go_memstats_heap_objects" }, value: [1714557600.5, "7"] },
        ],
      },
    });
    const [sample] = detectAndParseMemStats(text, "x");
    expect(sample).toMatchObject({ atMs: 1714557600500, fields: { HeapInuse: 42, HeapObjects: 7 } });
  });

  it("explains a response whose series lost their names", () => {
    const text = JSON.stringify({
      status: "success",
      data: { resultType: "matrix", result: [{ metric: { instance: "a" }, values: [[1, "2"]] }] },
    });
    expect(() => detectAndParseMemStats(text, "rate.json")).toThrow(/no __name__ label/);
  });
});

describe("detection and bad input", () => {
  it.each([
    ["", /empty input/],
    ["   \n", /empty input/],
    ["\u0000\u0001binary\u0002", /binary data/],
    ["goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.main+0x1\tmain.go:1\n", /not a MemStats source/],
    ["<html><body>404</body></html>", /not a MemStats source/],
    [
      '{"status":"error","errorType":"bad_data","error":"parse error"}',
      /Prometheus API error response: parse error/,
    ],
    ['{"cmdline":["x"]}', /no MemStats/],
  ])("%j → InputError", (text, problem) => {
    let error: unknown;
    try {
      detectAndParseMemStats(text, "input.txt");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^input\.txt: /);
    expect((error as Error).message).toMatch(problem);
  });
});
