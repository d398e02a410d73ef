/**
 * The HTTP side of recording against misbehaving loopback servers: timeouts, size caps, retries,
 * redirects, garbage and hangs, custom mount points. Real Go targets are in record-url.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
  defaultEndpointUrls,
  discoverEndpoints,
  parsePprofIndex,
} from "../../src/collect/endpoint-discovery.js";
import { HttpClient, HttpFetchError } from "../../src/collect/http-client.js";
import { RecordSession } from "../../src/collect/record-session.js";
import { encodeProfileGzip } from "../../src/formats/pprof-proto-encode.js";
import { emptyProfile } from "../../src/profile/model.js";
import { openRecording } from "../../src/store/recording-reader.js";
import { tempDir } from "../support/recording-helpers.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Server[] = [];
const clients: HttpClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    ),
  );
});

async function serve(routes: Record<string, Handler>): Promise<string> {
  const server = createServer((req, res) => {
    const route = routes[(req.url ?? "").split("?")[0]!];
    if (route) route(req, res);
    else {
      res.statusCode = 404;
      res.end("404 page not found\n");
    }
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(options: ConstructorParameters<typeof HttpClient>[0] = {}): HttpClient {
  const c = new HttpClient({ retryDelayMs: 20, ...options });
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<HttpFetchError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpFetchError);
    return error as HttpFetchError;
  }
  throw new Error("expected the request to fail");
}

/** A tiny but valid heap profile, gzipped like Go serves it. */
function heapProfileBytes(): Buffer {
  const profile = emptyProfile();
  profile.sampleTypes = [
    { type: "alloc_objects", unit: "count" },
    { type: "alloc_space", unit: "bytes" },
    { type: "inuse_objects", unit: "count" },
    { type: "inuse_space", unit: "bytes" },
  ];
  const fn = { id: 1, name: "main.grow", systemName: "main.grow", filename: "main.go", startLine: 1 };
  const location = {
    id: 1,
    mapping: undefined,
    address: 0x1000n,
    lines: [{ function: fn, line: 3, column: 0 }],
    isFolded: false,
  };
  profile.functions = [fn];
  profile.locations = [location];
  profile.samples = [
    {
      locations: [location],
      values: [4, 4096, 2, 2048],
      labels: new Map(),
      numLabels: new Map(),
      numUnits: new Map(),
    },
  ];
  return Buffer.from(encodeProfileGzip(profile));
}

const PPROF_INDEX = "<html><a href='heap?debug=1'>heap</a> <a href='goroutine?debug=1'>goroutine</a></html>";

describe("HttpClient", () => {
  it("times out a hanging server, caps response sizes, and refuses non-http URLs", async () => {
    const base = await serve({
      "/hang": () => {},
      "/big": (_req, res) => res.end(Buffer.alloc(64 * 1024)),
      "/declared": (_req, res) => {
        res.setHeader("content-length", String(10 * 1024 * 1024));
        res.write("x");
      },
      // Chunked, no length: the cap is found mid-stream (a Prometheus answer).
      "/stream": (_req, res) => {
        for (let i = 0; i < 64; i++) res.write(Buffer.alloc(1024));
        res.end();
      },
    });
    const c = client({ timeoutMs: 300, maxResponseBytes: 1024, retries: 0 });
    expect((await failure(c.get(`${base}/hang`))).kind).toBe("timeout");
    expect((await failure(c.get(`${base}/big`))).kind).toBe("too-large");
    expect((await failure(c.get(`${base}/declared`))).kind).toBe("too-large");
    // With retries: an answer over the cap is not a dropped connection to retry.
    const retrying = client({ timeoutMs: 2000, maxResponseBytes: 4096 });
    expect((await failure(retrying.get(`${base}/stream`))).kind).toBe("too-large");
    expect((await failure(c.get("ftp://127.0.0.1/x"))).message).toMatch(/only http and https/);
    const notFound = await failure(c.getOk(`${base}/nothing`));
    expect(notFound.kind).toBe("status");
    expect(notFound.message).toBe("HTTP 404: 404 page not found");
  });

  it("retries connection failures and 503s with backoff, then gives up", async () => {
    let calls = 0;
    const base = await serve({
      "/flaky": (_req, res) => {
        calls++;
        res.statusCode = calls < 3 ? 503 : 200;
        res.end(calls < 3 ? "warming up" : "ok");
      },
    });
    const c = client({ retries: 2 });
    const response = await c.getOk(`${base}/flaky`);
    expect(response.body.toString()).toBe("ok");
    expect(calls).toBe(3);

    const closed = await serve({});
    const port = new URL(closed).port;
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const refused = await failure(client({ retries: 1 }).get(`http://127.0.0.1:${port}/`));
    expect(refused.kind).toBe("connect");
    expect(refused.message).toBe("connection refused");
  });

  it("follows redirects on the same host only, and sends extra headers", async () => {
    const base = await serve({
      "/old": (_req, res) => {
        res.statusCode = 302;
        res.setHeader("location", "/new");
        res.end();
      },
      "/new": (req, res) => res.end(`auth=${req.headers.authorization}`),
      "/away": (_req, res) => {
        res.statusCode = 307;
        res.setHeader("location", `${base.replace("127.0.0.1", "localhost")}/new`);
        res.end();
      },
    });
    const c = client({ headers: { Authorization: "Bearer t0k" } });
    expect((await c.getOk(`${base}/old`)).body.toString()).toBe("auth=Bearer t0k");
    const away = await failure(c.get(`${base}/away`));
    expect(away.kind).toBe("redirect");
    expect(away.message).toMatch(/redirect to another host refused/);
  });
});

describe("endpoint discovery", () => {
  it("reads the pprof index, honours a path prefix and per-endpoint URLs", async () => {
    expect(parsePprofIndex(PPROF_INDEX)).toEqual(new Set(["heap", "goroutine"]));
    expect(defaultEndpointUrls("http://h:1/debug/pprof/")).toMatchObject({
      heap: "http://h:1/debug/pprof/heap",
      vars: "http://h:1/debug/vars",
    });
    expect(defaultEndpointUrls("http://h:1/admin", "/internal/pprof")).toMatchObject({
      heap: "http://h:1/admin/internal/pprof/heap",
      metrics: "http://h:1/admin/metrics",
    });

    const base = await serve({
      "/internal/pprof/": (_req, res) => res.end(PPROF_INDEX),
      "/stats/vars": (_req, res) => res.end('{"memstats": {"HeapAlloc": 1}}'),
      "/metrics": (_req, res) => res.end("<html>not metrics</html>"),
    });
    const result = await discoverEndpoints(client(), {
      baseUrl: base,
      pprofPrefix: "/internal/pprof",
      overrides: { vars: `${base}/stats/vars` },
    });
    expect(result.reachable).toBe(true);
    expect(result.endpoints).toEqual({
      heap: `${base}/internal/pprof/heap`,
      goroutine: `${base}/internal/pprof/goroutine`,
      vars: `${base}/stats/vars`,
    });
    expect(result.probes.find((p) => p.name === "metrics")).toMatchObject({
      found: false,
      detail: "not Prometheus text",
    });
  });

  it("probes profiles directly when there is no index", async () => {
    const base = await serve({ "/debug/pprof/heap": (_req, res) => res.end(heapProfileBytes()) });
    const result = await discoverEndpoints(client(), { baseUrl: base });
    expect(result.endpoints).toEqual({ heap: `${base}/debug/pprof/heap` });
    expect(result.probes.find((p) => p.name === "goroutine")?.detail).toBe("HTTP 404");
  });
});

describe("recording a misbehaving target", () => {
  it("notes garbage and hangs in the recording and keeps sampling", async () => {
    let heapCalls = 0;
    let varsCalls = 0;
    const base = await serve({
      "/debug/pprof/": (_req, res) => res.end(PPROF_INDEX),
      "/debug/pprof/heap": (_req, res) => {
        heapCalls++;
        // Every other answer is a login page instead of a profile.
        res.end(heapCalls % 2 === 0 ? "<html><body>Please log in</body></html>" : heapProfileBytes());
      },
      "/debug/pprof/goroutine": () => {}, // hangs
      // Valid when discovered, junk afterwards.
      "/debug/vars": (_req, res) =>
        res.end(varsCalls++ === 0 ? '{"memstats": {"HeapAlloc": 1}}' : gzipSync("junk")),
    });
    const file = path.join(tempDir(), "garbage.hsrec");
    const session = new RecordSession({
      url: base,
      out: file,
      intervalMs: 300,
      durationMs: 6000,
      // Long enough that a loaded machine does not time out the endpoints that do answer (which
      // would open a gap); the goroutine endpoint never answers, so it still times out.
      requestTimeoutMs: 1500,
      retries: 0,
      gc: "always",
    });
    const liveErrors: string[] = [];
    session.on("collectError", (error) => liveErrors.push(`${error.source}:${error.kind}`));
    const result = await session.run();
    expect(result.summary.complete).toBe(true);
    expect(result.summary.gaps).toBe(0); // the target answers; it just answers badly
    expect(liveErrors).toContain("heap:garbage");
    expect(liveErrors).toContain("goroutine:timeout");
    expect(liveErrors).toContain("vars:garbage");
    expect(session.stats.lastError).not.toBeNull();

    const recording = openRecording(file);
    try {
      const heaps = recording.heapSnapshots();
      expect(heaps.length).toBeGreaterThanOrEqual(2);
      // Only real profiles became snapshots.
      expect(heaps.every((h) => h.inuseBytes === 2048 && h.inuseObjects === 2)).toBe(true);
      const errors = recording.errors();
      const garbage = errors.find((e) => e.source === "heap" && e.kind === "garbage")!;
      expect(garbage.message).toMatch(/Please log in/);
      expect(errors.some((e) => e.source === "goroutine" && e.kind === "timeout")).toBe(true);
      expect(recording.samples().length).toBeGreaterThanOrEqual(heaps.length);
    } finally {
      recording.close();
    }
  });
});

describe("gc=1 policy (--gc auto)", () => {
  /** A target whose heap profile's cumulative totals move only when the test says a GC ran. */
  function heapProfileWithAllocTotal(allocBytes: number): Buffer {
    const profile = emptyProfile();
    profile.sampleTypes = [
      { type: "alloc_objects", unit: "count" },
      { type: "alloc_space", unit: "bytes" },
      { type: "inuse_objects", unit: "count" },
      { type: "inuse_space", unit: "bytes" },
    ];
    profile.samples = [
      {
        locations: [],
        values: [1, allocBytes, 1, 1024],
        labels: new Map(),
        numLabels: new Map(),
        numUnits: new Map(),
      },
    ];
    return Buffer.from(encodeProfileGzip(profile));
  }

  async function recordWithAuto(base: string, samples: number): Promise<{ forced: boolean[] }> {
    const file = path.join(tempDir(), "auto.hsrec");
    const session = new RecordSession({ url: base, out: file, intervalMs: 100, retries: 0 });
    const forced: boolean[] = [];
    session.on("sample", (event) => {
      forced.push(Boolean(event.heapGcForced));
      if (forced.length === samples) session.stop({});
    });
    await session.run();
    return { forced: forced.slice(0, samples) };
  }

  it("pprof only: fetches without gc=1 while the profile moves, and with it when it has not", async () => {
    let allocTotal = 1000;
    let gcRequests = 0;
    let plainRequests = 0;
    let idle = false;
    const base = await serve({
      "/debug/pprof/": (_req, res) => res.end("<a href='heap?debug=1'>heap</a>"),
      "/debug/pprof/heap": (req, res) => {
        if ((req.url ?? "").includes("gc=1")) {
          gcRequests++;
          allocTotal += 500; // the forced GC publishes what was allocated
        } else {
          plainRequests++;
          if (!idle) allocTotal += 500; // a natural GC ran since the last request
        }
        res.end(heapProfileWithAllocTotal(allocTotal));
      },
    });
    const busy = await recordWithAuto(base, 5);
    expect(busy.forced).toEqual([true, false, false, false, false]);
    expect(gcRequests).toBe(1);

    idle = true;
    gcRequests = 0;
    plainRequests = 0;
    const quiet = await recordWithAuto(base, 4);
    // First sample forced; then each plain fetch shows nothing new, so it is fetched again with gc=1.
    expect(quiet.forced).toEqual([true, true, true, true]);
    expect(gcRequests).toBeGreaterThanOrEqual(4);
    expect(plainRequests).toBeGreaterThanOrEqual(3);
  });

  it("with MemStats: no gc=1 after a natural GC or when little was allocated; gc=1 when much was", async () => {
    let numGc = 10;
    let totalAlloc = 1_000_000;
    const heapAlloc = 100_000;
    let mode: "busy" | "idle" | "allocating" = "busy";
    const base = await serve({
      "/debug/pprof/": (_req, res) => res.end("<a href='heap?debug=1'>heap</a>"),
      "/debug/pprof/heap": (req, res) => {
        if ((req.url ?? "").includes("gc=1")) numGc++;
        res.end(heapProfileBytes());
      },
      "/debug/vars": (_req, res) => {
        if (mode === "busy") numGc++;
        if (mode === "allocating") totalAlloc += heapAlloc / 10; // 10% of the heap per sample, no GC
        if (mode === "idle") totalAlloc += heapAlloc / 100; // 1%
        res.end(JSON.stringify({ memstats: { NumGC: numGc, TotalAlloc: totalAlloc, HeapAlloc: heapAlloc } }));
      },
    });
    expect((await recordWithAuto(base, 4)).forced).toEqual([true, false, false, false]);
    mode = "idle";
    // 1% a sample: stale beyond 5% only after several samples without a GC.
    const idle = (await recordWithAuto(base, 8)).forced;
    expect(idle[0]).toBe(true);
    expect(idle.slice(1, 5)).toEqual([false, false, false, false]);
    expect(idle.slice(5)).toContain(true);
    mode = "allocating";
    expect((await recordWithAuto(base, 4)).forced).toEqual([true, true, true, true]);
  });
});
