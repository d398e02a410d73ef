/**
 * Discovery while a launched program is still coming up: a probe that got no HTTP answer (reset,
 * refused, timeout) is not a verdict on that endpoint, so discovery is asked again; a 404 is one.
 */
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { discoverEndpoints } from "../../src/collect/endpoint-discovery.js";
import { HttpClient } from "../../src/collect/http-client.js";
import { RecordSession, type StartedEvent } from "../../src/collect/record-session.js";
import { encodeProfileGzip } from "../../src/formats/pprof-proto-encode.js";
import { emptyProfile, type Profile } from "../../src/profile/model.js";
import { openRecording } from "../../src/store/recording-reader.js";
import { freePort } from "../support/go.js";
import { tempDir } from "../support/recording-helpers.js";

const latePprofServer = path.join(import.meta.dirname, "support/late-pprof/server.mjs");
const servers: Server[] = [];

afterEach(async () => {
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

function profileBytes(sampleTypes: Profile["sampleTypes"], values: number[]): Buffer {
  const profile = emptyProfile();
  profile.sampleTypes = sampleTypes;
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
    { locations: [location], values, labels: new Map(), numLabels: new Map(), numUnits: new Map() },
  ];
  return Buffer.from(encodeProfileGzip(profile));
}

class Collect extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString("utf8");
    callback();
  }
}

describe("endpoint discovery races", () => {
  it("finds heap and goroutine of a launched program whose pprof routes answer after /debug/vars", async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, "heap.pb.gz"),
      profileBytes(
        [
          { type: "alloc_objects", unit: "count" },
          { type: "alloc_space", unit: "bytes" },
          { type: "inuse_objects", unit: "count" },
          { type: "inuse_space", unit: "bytes" },
        ],
        [4, 4096, 2, 2048],
      ),
    );
    writeFileSync(
      path.join(dir, "goroutine.pb.gz"),
      profileBytes([{ type: "goroutine", unit: "count" }], [3]),
    );
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const programOutput = new Collect();
    const session = new RecordSession({
      out: path.join(dir, "race.hsrec"),
      url,
      command: [process.execPath, latePprofServer, String(port), dir, "800"],
      intervalMs: 300,
      durationMs: 900,
      stdout: programOutput,
      stderr: "ignore",
      waitForUrlMs: 60_000,
      stopGraceMs: 2000,
    });
    let started: StartedEvent | undefined;
    session.on("started", (info) => {
      started = info;
    });
    const result = await session.run();

    // The race happened: some pprof request was cut off before the routes came up.
    expect(programOutput.text).toMatch(/^reset \/debug\/pprof\//m);
    const probes = Object.fromEntries(started!.probes.map((probe) => [probe.name, probe]));
    expect(probes.heap?.found, probes.heap?.detail).toBe(true);
    expect(probes.goroutine?.found, probes.goroutine?.detail).toBe(true);
    expect(probes.vars?.found).toBe(true);
    expect(result.summary.heapSnapshots).toBeGreaterThan(0);
    const recording = openRecording(result.path);
    try {
      expect(recording.target.endpoints.heap).toBe(`${url}/debug/pprof/heap`);
      expect(recording.heapSnapshots()[0]!.inuseBytes).toBe(2048);
    } finally {
      recording.close();
    }
  }, 60_000);

  it("takes a 404 as an answer: no retry, the endpoint is not served", async () => {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push((req.url ?? "").split("?")[0]!);
      if (req.url === "/debug/vars") res.end('{"memstats": {"HeapAlloc": 1}}');
      else {
        res.statusCode = 404;
        res.end("404 page not found\n");
      }
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const client = new HttpClient({ retries: 0 });
    try {
      const discovery = await discoverEndpoints(client, { baseUrl: base });
      expect(discovery.incomplete).toBe(false);
      expect(discovery.endpoints).toEqual({ vars: `${base}/debug/vars` });
      expect(discovery.probes.find((p) => p.name === "heap")).toMatchObject({
        found: false,
        detail: "HTTP 404",
      });
      expect(discovery.probes.some((probe) => probe.connectionFailed)).toBe(false);
    } finally {
      client.close();
    }

    requests.length = 0;
    const session = new RecordSession({
      out: path.join(tempDir(), "404.hsrec"),
      url: base,
      intervalMs: 200,
      durationMs: 200,
      retries: 0,
    });
    let started: StartedEvent | undefined;
    session.on("started", (info) => {
      started = info;
    });
    await session.run();
    expect(started!.probes.find((p) => p.name === "heap")?.found).toBe(false);
    // One discovery pass: the index was asked once.
    expect(requests.filter((r) => r === "/debug/pprof/")).toHaveLength(1);
  });

  it("marks probes that got no HTTP answer as incomplete", async () => {
    const port = await freePort();
    const client = new HttpClient({ retries: 0 });
    try {
      const discovery = await discoverEndpoints(client, {
        baseUrl: `http://127.0.0.1:${port}`,
        timeoutMs: 2000,
      });
      expect(discovery.reachable).toBe(false);
      expect(discovery.incomplete).toBe(true);
      expect(discovery.probes.every((probe) => probe.connectionFailed)).toBe(true);
    } finally {
      client.close();
    }
  });
});
