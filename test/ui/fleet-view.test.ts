/**
 * fleet --ui: the report's JSON on /api/fleet and its small multiples on /fleet, served by the UI
 * server behind its guards, with a page policy that allows no script, and labels escaped.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { judgeFleet } from "../../src/diagnose/fleet/fleet.js";
import type { FleetInstanceInput } from "../../src/diagnose/fleet/types.js";
import { renderFleetHtml } from "../../src/render/fleet-html.js";
import { fleetJson } from "../../src/render/fleet-json.js";
import { startUiServer, type UiServer } from "../../src/ui/server/server.js";

const MiB = 1024 * 1024;
const HOSTILE = '<script>alert("x")</script>';

function instance(name: string, leakPerSecond: number): FleetInstanceInput {
  const samples = Array.from({ length: 120 }, (_, k) => ({
    atMs: (1_700_000_000 + k * 30) * 1000,
    fields: {
      NextGC: Math.round(100 * MiB + k * 30 * leakPerSecond + ((k * 7919) % 13) * 0.2 * MiB),
      NumGC: k,
    },
    processStartSeconds: 1_600_000_000,
  }));
  return {
    key: `instance="${name}",job="${HOSTILE}"`,
    labels: { job: HOSTILE, instance: name },
    series: { format: "query-range", timeSource: "record", samples, notes: [], skippedLines: 0 },
    versions: [
      { version: `v1${HOSTILE}`, firstSeconds: 1_700_000_000, lastSeconds: 1_700_003_570, source: "x" },
    ],
    metrics: ["go_memstats_next_gc_bytes"],
  };
}

let server: UiServer;
const report = judgeFleet({
  query: {
    prometheus: "http://prometheus:9090",
    selector: "{}",
    startSeconds: 1_700_000_000,
    endSeconds: 1_700_003_570,
    stepSeconds: 30,
    stepSource: "test",
    scrapeIntervalSeconds: 15,
    scrapeIntervalSource: "test",
    requests: 0,
    warnings: [],
  },
  instances: [instance("10.0.0.1:8080", 20 * 1024), instance("10.0.0.2:8080", 0)],
  unjudged: [],
  notes: [],
});

beforeAll(async () => {
  server = await startUiServer({
    warm: false,
    fleet: { json: () => fleetJson(report), html: () => renderFleetHtml(report) },
  });
});
afterAll(async () => {
  await server?.close();
});

describe("fleet in the web UI", () => {
  it("serves the report as JSON", async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/api/fleet`);
    expect(response.status).toBe(200);
    const json = await response.json();
    expect(json.instances.map((i: { verdict: string }) => i.verdict)).toEqual(["growing", "bounded"]);
  });

  it("serves the small multiples with no script allowed and every label escaped", async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/fleet`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toMatch(
      /^default-src 'none'; style-src 'unsafe-inline'/,
    );
    expect(response.headers.get("content-security-policy")).not.toMatch(/script-src/);
    const html = await response.text();
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html.match(/<svg /g)).toHaveLength(2);
  });

  it("answers 404 without a report, and refuses a foreign Host", async () => {
    const bare = await startUiServer({ warm: false });
    try {
      expect((await fetch(`http://127.0.0.1:${bare.port}/api/fleet`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${bare.port}/fleet`)).status).toBe(404);
    } finally {
      await bare.close();
    }
    // A DNS-rebinding page names its own host (fetch cannot set Host; node:http can).
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: "127.0.0.1", port: server.port, path: "/fleet", headers: { host: "evil.example" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});
