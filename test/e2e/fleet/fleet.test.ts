/**
 * heapscope fleet against a real Prometheus 2.42 scraping real Go programs every second
 * (scenario.ts): verdicts, ranking, restarts, deploy attribution with its negative controls, the
 * drill-down, every output format, splitting of answers over the size cap, agreement with
 * `heapscope memstats` on each instance's own query_range JSON, and the errors a user meets.
 *
 * Cost: about 80 s of observation (the programs leak 1.5–3 MiB/s) plus ~15 s of doctor, once for
 * the whole file; the other cases query the same Prometheus.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLEET_METRICS } from "../../../src/collect/prometheus/queries.js";
import { freePort, runCli } from "../../support/go.js";
import { type Fleet, startFleet } from "./scenario.js";

interface JsonInstance {
  rank: number;
  labels: Record<string, string>;
  verdict: string;
  basis: string | null;
  growthBytesPerHour: number | null;
  timeToLimitSeconds: number | null;
  urgencySeconds: number | null;
  limit: { source: string; bytes: number } | null;
  changePoint: string | null;
  changePointSeconds: number | null;
  version: string | null;
  attribution: { from: string | null; to: string; changedAtSeconds: number } | null;
  runs: { verdict: string; version: string | null; startedBy: string; levelBytes: number | null }[];
}

interface JsonReport {
  query: {
    startSeconds: number;
    endSeconds: number;
    stepSeconds: number;
    scrapeIntervalSeconds: number;
    scrapeIntervalSource: string;
    warnings: string[];
  };
  summary: string[];
  instances: JsonInstance[];
  unjudged: { labels: Record<string, string>; reason: string }[];
  versions: { job: string; version: string; instances: number; growing: number; attributed: number }[];
  drillDown: {
    labels: Record<string, string>;
    verdict: string | null;
    suspects: { function: string }[];
    error: string | null;
  }[];
  found: { signal: string; instancesWith: number }[];
  missing: { signal: string; instancesWith: number }[];
}

let fleet: Fleet;
let range: string[];
let report: JsonReport;
const work = mkdtempSync(path.join(tmpdir(), "heapscope-fleet-test-"));

const byName = (name: keyof Fleet["ports"]) => {
  const found = report.instances.find((i) => i.labels["instance"] === `127.0.0.1:${fleet.ports[name]}`);
  if (!found) throw new Error(`instance ${name} not in the report`);
  return found;
};

beforeAll(async () => {
  fleet = await startFleet();
  // From before the first scrape: every instance's series starts inside the range.
  const start = Math.floor(fleet.startedAtMs / 1000) - 20;
  const end = Math.floor(Date.now() / 1000);
  range = ["--range", `${end - start}s`, "--end", String(end)];
  const result = await runCli(
    [
      "fleet",
      "--prometheus",
      fleet.prometheus.url,
      ...range,
      "--json",
      "--html",
      path.join(work, "fleet.html"),
      "--doctor",
      "2",
      "--pprof-url",
      "http://{instance}/debug/pprof",
      "--doctor-duration",
      "30s",
    ],
    { timeoutMs: 180_000 },
  );
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  report = JSON.parse(result.stdout);
}, 400_000);

afterAll(async () => {
  await fleet?.stop();
});

describe("fleet on a real Prometheus", () => {
  it("reads the scrape interval and sets the step", () => {
    expect(report.query.scrapeIntervalSeconds).toBe(1);
    expect(report.query.scrapeIntervalSource).toBe("/api/v1/targets");
    expect(report.query.stepSeconds).toBe(2);
  });

  it("judges the leaking instances growing and the healthy ones not", () => {
    for (const name of ["a", "c", "e", "f", "g"] as const) expect(byName(name).verdict, name).toBe("growing");
    for (const name of ["b", "d"] as const) expect(byName(name).verdict, name).not.toBe("growing");
    expect(report.instances).toHaveLength(7);
  });

  it("ranks growing instances first, by urgency, with growth per hour and time to the limit", () => {
    const growing = report.instances.filter((i) => i.verdict === "growing");
    expect(growing.map((i) => i.rank).sort()).toEqual([1, 2, 3, 4, 5]);
    const urgencies = [...growing].sort((a, b) => a.rank - b.rank).map((i) => i.urgencySeconds!);
    expect(urgencies).toEqual([...urgencies].sort((a, b) => a - b));
    for (const i of growing) expect(i.growthBytesPerHour!).toBeGreaterThan(1024 ** 3);
    // c leaks 3 MiB/s from a small heap; g 0.5 MiB/s with 512 MiB of GOMEMLIMIT ahead.
    expect(byName("c").rank).toBeLessThan(byName("g").rank);
    const g = byName("g");
    expect(g.limit?.source).toBe("GOMEMLIMIT");
    expect(g.limit?.bytes).toBe(512 * 1024 ** 2);
    expect(g.timeToLimitSeconds!).toBeGreaterThan(0);
    expect(g.timeToLimitSeconds!).toBeLessThan(3600);
  });

  it("states each instance's memory basis", () => {
    expect(byName("b").basis).toBe("liveHeap");
    expect(byName("g").basis).toBe("heapGoal");
    expect(byName("a").basis).toBe("heapGoal");
    const live = report.found.find((s) => s.signal === "live heap")!;
    expect(live.instancesWith).toBe(1);
    expect(report.missing.find((s) => s.signal === "container limit")?.instancesWith).toBe(0);
    expect(report.unjudged.map((u) => u.labels["job"])).toEqual(["sidecar"]);
    expect(report.unjudged[0].reason).toMatch(/no Go runtime series/);
  });

  it("judges each process run on its own: a restart is not memory going down", () => {
    const f = byName("f");
    expect(f.runs.map((r) => [r.verdict, r.startedBy])).toEqual([
      ["growing", "series-start"],
      ["growing", "start-time"],
    ]);
    expect(f.runs[0].levelBytes!).toBeGreaterThan(0);
    const a = byName("a");
    expect(a.runs.map((r) => [r.verdict === "growing", r.version])).toEqual([
      [false, "1.8.2"],
      [true, "1.8.3"],
    ]);
    expect(byName("d").runs.map((r) => r.version)).toEqual(["2.0", "2.1"]);
    expect(byName("d").runs.every((r) => r.verdict !== "growing")).toBe(true);
  });

  it("attributes growth to the deploy only where a version change precedes it", () => {
    const a = byName("a");
    expect(a.attribution).toMatchObject({ from: "1.8.2", to: "1.8.3" });
    expect(a.attribution!.changedAtSeconds).toBeLessThanOrEqual(a.changePointSeconds! + 2);
    expect(byName("c").attribution).toMatchObject({ from: null, to: "1.8.3" });
    // Negative controls: batch grows from 35 s (the deploy's moment) with no version change; f
    // restarts on the same version; ledger changes version without growing.
    const e = byName("e");
    expect(e.attribution).toBeNull();
    // Its growth is dated to when it began (35 s), not to the start of its series.
    expect(e.changePointSeconds, JSON.stringify(e)).toBeGreaterThan(fleet.startedAtMs / 1000 + 20);
    expect(byName("f").attribution).toBeNull();
    expect(byName("g").attribution).toBeNull();
    expect(byName("d").attribution).toBeNull();
    const checkout = report.summary.find((s) => s.startsWith("checkout:"))!;
    expect(checkout).toMatch(
      /^checkout: growth began with 1\.8\.3 on 2 of 2 instances; 1\.8\.2 instances (are flat|do not grow)/,
    );
    expect(report.summary.find((s) => s.startsWith("batch:"))).toMatch(
      /2 growing instances \(3\.0\) with no version change/,
    );
    expect(report.summary.some((s) => s.startsWith("ledger:"))).toBe(false);
    expect(report.versions.find((v) => v.job === "ledger" && v.version === "2.1")).toMatchObject({
      growing: 0,
      attributed: 0,
    });
  });

  it("drills down into the worst instances: doctor names the leaking function", () => {
    expect(report.drillDown).toHaveLength(2);
    for (const drill of report.drillDown) {
      expect(drill.error).toBeNull();
      expect(drill.verdict).toBe("leak");
      expect(drill.suspects[0].function).toBe("main.(*orderCache).remember");
    }
  });

  it("gives memstats' verdict on each instance's own query_range JSON", async () => {
    const { startSeconds, endSeconds, stepSeconds } = report.query;
    for (const instance of report.instances) {
      const params = new URLSearchParams({
        query: `{__name__=~"${FLEET_METRICS.join("|")}",instance="${instance.labels["instance"]}"}`,
        start: String(startSeconds),
        end: String(endSeconds),
        step: String(stepSeconds),
      });
      const response = await fetch(`${fleet.prometheus.url}/api/v1/query_range?${params}`);
      const file = path.join(work, `${instance.labels["instance"].replace(/\W/g, "_")}.json`);
      writeFileSync(file, await response.text());
      const memstats = await runCli(["memstats", file, "--json"]);
      expect(memstats.code).toBe(0);
      const health = JSON.parse(memstats.stdout);
      const heap = health.trends.find((t: { usedForHeapVerdict: boolean }) => t.usedForHeapVerdict);
      expect(health.heapVerdict, instance.labels["instance"]).toBe(instance.verdict);
      expect(heap.signal).toBe(instance.basis);
      expect(heap.slopePerSecond * 3600).toBeCloseTo(instance.growthBytesPerHour!, 6);
    }
  }, 120_000);

  it("splits answers over the size cap and comes to the same verdicts", async () => {
    const result = await runCli([
      "fleet",
      "--prometheus",
      fleet.prometheus.url,
      ...range,
      "--json",
      "--max-response",
      "24KiB",
    ]);
    expect(result.stderr).toBe("");
    const split: JsonReport = JSON.parse(result.stdout);
    const verdicts = (r: JsonReport) =>
      Object.fromEntries(r.instances.map((i) => [i.labels["instance"], [i.verdict, i.rank]]));
    expect(verdicts(split)).toEqual(verdicts(report));
    expect((split.query as unknown as { requests: number }).requests).toBeGreaterThan(10);
  });

  it("writes text, Markdown and HTML with every label escaped", async () => {
    const text = await runCli(["fleet", "--prometheus", fleet.prometheus.url, ...range]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/checkout: growth began with 1\.8\.3 on 2 of 2 instances/);
    expect(text.stdout).toMatch(/scrape interval 1 s from \/api\/v1\/targets/);
    const markdown = await runCli(["fleet", "--prometheus", fleet.prometheus.url, ...range, "--markdown"]);
    expect(markdown.stdout).toMatch(/^\| # \| instance \| verdict/m);
    const html = readFileSync(path.join(work, "fleet.html"), "utf8");
    expect(html.match(/<svg /g)?.length).toBe(7);
    expect(html).toContain("<polyline");
    expect(html).not.toMatch(/<script/i);
  });

  it("--version-label reads the version from a label of the series, not part of the instance", async () => {
    const result = await runCli([
      "fleet",
      "--prometheus",
      fleet.prometheus.url,
      ...range,
      "--json",
      "--selector",
      '{job="ledger"}',
      "--version-label",
      "release",
    ]);
    const ledger: JsonReport = JSON.parse(result.stdout);
    expect(ledger.instances).toHaveLength(1);
    expect(ledger.instances[0].version).toBe("ledger-2024.05");
    expect(ledger.instances[0].labels).toEqual({ job: "ledger", instance: `127.0.0.1:${fleet.ports.d}` });
    expect(byName("d").labels["release"]).toBe("ledger-2024.05");
  });

  it("--fail-on growing exits 1", async () => {
    const result = await runCli([
      "fleet",
      "--prometheus",
      fleet.prometheus.url,
      ...range,
      "--fail-on",
      "growing",
      "--selector",
      '{job="batch"}',
    ]);
    expect(result.code).toBe(1);
    const healthy = await runCli([
      "fleet",
      "--prometheus",
      fleet.prometheus.url,
      ...range,
      "--fail-on",
      "growing",
      "--selector",
      '{job="ledger"}',
    ]);
    expect(healthy.code).toBe(0);
  });
});

describe("fleet errors", () => {
  it("Prometheus unreachable: one line, exit 2", async () => {
    const port = await freePort();
    const result = await runCli(["fleet", "--prometheus", `http://127.0.0.1:${port}`, "--range", "1m"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: connection refused/);
  });

  it("a selector Prometheus refuses: its error JSON in one line", async () => {
    const result = await runCli([
      "fleet",
      "--prometheus",
      fleet.prometheus.url,
      ...range,
      "--selector",
      '{job=~"("}',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/refused \/api\/v1\/series: HTTP 400 bad_data: .*/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a selector that matches nothing", async () => {
    const result = await runCli([
      "fleet",
      "--prometheus",
      fleet.prometheus.url,
      ...range,
      "--selector",
      '{job="nope"}',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no series match \{job="nope"\}/);
  });

  it("a metric name as selector, and a URL that is not Prometheus", async () => {
    const named = await runCli([
      "fleet",
      "--prometheus",
      fleet.prometheus.url,
      "--selector",
      "go_goroutines",
    ]);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/--selector takes label matchers/);
    const port = fleet.ports.a;
    const wrong = await runCli(["fleet", "--prometheus", `http://127.0.0.1:${port}/metrics`, ...range]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/something other than the Prometheus API's JSON/);
  });

  it("warnings of a partial response are reported", async () => {
    const proxy = await warningProxy(fleet.prometheus.url);
    try {
      const result = await runCli([
        "fleet",
        "--prometheus",
        proxy.url,
        ...range,
        "--selector",
        '{job="ledger"}',
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /Prometheus warned \(the answers may be partial\):\n {2}partial response: store 10\.0\.0\.7:10901 unavailable/,
      );
    } finally {
      proxy.server.close();
    }
  });
});

/**
 * In front of the real Prometheus, adds a warning to every answer, as a Thanos querier does when a
 * store is down (`partial_response`).
 */
async function warningProxy(target: string): Promise<{ url: string; server: Server }> {
  const port = await freePort();
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const forward = request(
      { host: upstream.hostname, port: upstream.port, path: incoming.url, method: "GET" },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () => {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          body.warnings = ["partial response: store 10.0.0.7:10901 unavailable"];
          outgoing.writeHead(answer.statusCode ?? 500, { "content-type": "application/json" });
          outgoing.end(JSON.stringify(body));
        });
      },
    );
    forward.end();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, server };
}
