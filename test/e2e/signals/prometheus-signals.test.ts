/**
 * Real Prometheus expositions: prometheus/client_golang v1.23.2 (Go and process collectors, and the
 * runtime/metrics opt-in as OpenMetrics; programs built with Go 1.26.8 and 1.27.3) and OpenTelemetry's runtime instrumentation v0.72 through
 * the OpenTelemetry Prometheus exporter. Each scrape is read between two runtime.ReadMemStats calls
 * of the program itself, with GC off and the program quiet: counters must sit between the two
 * readings, GC counts must be equal.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseExpvarMemStats, parsePrometheusMemStats } from "../../../src/formats/memstats.js";
import type { MemStatsField, MemStatsSample } from "../../../src/model/memstats.js";
import {
  buildGoProgram,
  freePort,
  GO_DEFAULT,
  type GoToolchain,
  PINNED_TOOLCHAINS,
  type RunningProgram,
  runCli,
  startProgram,
  waitForHttp,
} from "../../support/go.js";

async function text(url: string, accept?: string): Promise<string> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(30_000),
    ...(accept ? { headers: { accept } } : {}),
  });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

/** A metric reading lies between the program's own readings just before and just after it. */
function expectBracketed(
  field: MemStatsField,
  before: MemStatsSample,
  reading: MemStatsSample,
  after: MemStatsSample,
) {
  expect(reading.fields[field], field).toBeDefined();
  expect(reading.fields[field]!, field).toBeGreaterThanOrEqual(before.fields[field]!);
  expect(reading.fields[field]!, field).toBeLessThanOrEqual(after.fields[field]!);
}

async function startQuiet(
  dir: string,
  env: NodeJS.ProcessEnv = {},
  toolchain: GoToolchain = GO_DEFAULT,
): Promise<{ program: RunningProgram; base: string }> {
  const binary = await buildGoProgram(dir, { toolchain });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const program = startProgram(binary, ["-addr", `127.0.0.1:${port}`, "-mode", "leak"], env);
  await waitForHttp(`${base}/snapshot`, 60_000);
  await new Promise((r) => setTimeout(r, 1500));
  await text(`${base}/quiesce`);
  await text(`${base}/gcoff`);
  await new Promise((r) => setTimeout(r, 500));
  return { program, base };
}

describe.each(PINNED_TOOLCHAINS)("client_golang v1.23.2 exposition against ReadMemStats, %s", (toolchain) => {
  let program: RunningProgram;
  let base: string;

  beforeAll(async () => {
    const dir = path.resolve(import.meta.dirname, "programs/prometheus-signals");
    ({ program, base } = await startQuiet(dir, {}, toolchain));
  }, 300_000);
  afterAll(async () => {
    await program?.stop();
  });

  it("default registry (go_memstats_*, go_gc_duration_seconds, process collector)", async () => {
    const before = parseExpvarMemStats(await text(`${base}/snapshot`));
    const scrape = parsePrometheusMemStats(await text(`${base}/metrics`));
    const after = parseExpvarMemStats(await text(`${base}/snapshot`));
    expect(scrape.fields.NumGC).toBe(before.fields.NumGC);
    expect(after.fields.NumGC).toBe(before.fields.NumGC);
    // Seconds as a double: exact to well under a microsecond at today's epoch.
    expect(Math.abs(scrape.fields.LastGC! - Number(before.exact!.lastGcNs!))).toBeLessThan(1000);
    expect(Math.abs(scrape.fields.PauseTotalNs! - before.fields.PauseTotalNs!)).toBeLessThan(1);
    // (HeapSys is left out: client_golang sums it from runtime/metrics classes, which differ from
    // ReadMemStats' HeapSys by a few spans.)
    for (const field of [
      "HeapAlloc",
      "TotalAlloc",
      "Mallocs",
      "Frees",
      "HeapObjects",
      "Sys",
      "HeapInuse",
    ] as const) {
      expectBracketed(field, before, scrape, after);
    }
    // GC is off: the heap goal is a meaningless huge number, and GOGC reads -1.
    expect(scrape.gogcPercent).toBe(-1);
    // Only HTTP connection goroutines come and go in the quiet program: at most two per connection
    // (serve + background read), and the test's fetches keep at most two connections.
    expect(Math.abs(scrape.goroutines! - before.goroutines!)).toBeLessThanOrEqual(4);
    expect(scrape.rssBytes).toBeGreaterThan(0);
    expect(scrape.derived).toBeUndefined();
  });

  it("runtime/metrics as OpenMetrics: the live heap, and MemStats rebuilt from runtime/metrics alone", async () => {
    const before = parseExpvarMemStats(await text(`${base}/snapshot`));
    const exposition = await text(`${base}/metrics-rm`, "application/openmetrics-text; version=1.0.0");
    const after = parseExpvarMemStats(await text(`${base}/snapshot`));
    expect(exposition).toMatch(/^# EOF$/m);
    const scrape = parsePrometheusMemStats(exposition);
    expect(scrape.liveHeapBytes).toBeGreaterThan(0);
    // The live heap was marked by the last GC; everything allocated since is on top.
    expect(scrape.liveHeapBytes!).toBeLessThanOrEqual(before.fields.HeapAlloc!);
    const rmOnly = parsePrometheusMemStats(
      exposition
        .split("\n")
        .filter((l) => !/go_memstats_|go_gc_duration_seconds/.test(l))
        .join("\n"),
    );
    expect(rmOnly.fields.NumGC).toBe(before.fields.NumGC);
    for (const field of ["HeapAlloc", "TotalAlloc", "HeapInuse", "HeapObjects"] as const) {
      expectBracketed(field, before, rmOnly, after);
    }
    expect(rmOnly.derived).toEqual(expect.arrayContaining(["HeapAlloc", "HeapInuse", "HeapIdle", "HeapSys"]));
  });

  it("heapscope memstats on the /metrics URL", async () => {
    const result = await runCli(["memstats", `${base}/metrics`, "--json"]);
    expect(result.stderr).toBe("");
    const report = JSON.parse(result.stdout);
    expect(report.format).toBe("prometheus");
    expect(report.timeSource).toBe("capture");
    expect(report.latest.rssBytes).toBeGreaterThan(0);
    expect(typeof report.health.outsideGoHeapBytes).toBe("number");
    expect(report.latest.fields.NumGC).toBe(parseExpvarMemStats(await text(`${base}/snapshot`)).fields.NumGC);
  });
});

describe("OpenTelemetry runtime instrumentation v0.72 exported to Prometheus", () => {
  let program: RunningProgram;
  let base: string;

  beforeAll(async () => {
    ({ program, base } = await startQuiet(path.resolve(import.meta.dirname, "programs/otel-signals"), {
      OTEL_GO_X_DEPRECATED_RUNTIME_METRICS: "true",
    }));
  }, 300_000);
  afterAll(async () => {
    await program?.stop();
  });

  it("go.memory.* and process.runtime.go.* names against ReadMemStats", async () => {
    const before = parseExpvarMemStats(await text(`${base}/snapshot`));
    const exposition = await text(`${base}/metrics`);
    const after = parseExpvarMemStats(await text(`${base}/snapshot`));
    expect(exposition).toMatch(/^go_memory_used_bytes\{/m);
    expect(exposition).toMatch(/^process_runtime_go_mem_heap_alloc_bytes\{/m);
    const scrape = parsePrometheusMemStats(exposition);
    expect(scrape.fields.NumGC).toBe(before.fields.NumGC);
    for (const field of ["HeapAlloc", "HeapInuse", "HeapObjects", "TotalAlloc"] as const) {
      expectBracketed(field, before, scrape, after);
    }
    // go.memory.allocations counts heap allocations without the tiny ones, so it is not Mallocs.
    expect(scrape.fields.Mallocs).toBeUndefined();
    expect(scrape.fields.HeapReleased).toBeDefined();
    // process.runtime.go.goroutines is runtime.NumGoroutine() (± the HTTP connection goroutines).
    expect(Math.abs(scrape.goroutines! - before.goroutines!)).toBeLessThanOrEqual(4);
    // go.memory.used ≈ what the runtime holds (Sys − HeapReleased), from runtime/metrics.
    const held = before.fields.Sys! - before.fields.HeapReleased!;
    expect(scrape.runtimeUsedBytes!).toBeGreaterThan(held * 0.5);
    expect(scrape.runtimeUsedBytes!).toBeLessThan(held * 1.5);
  });
});
