/**
 * The input sniffer (formats/sniff.ts) on real inputs of every kind: profiles and dumps written by
 * the Go runtime, a recording written by heapscope, gctrace logs, MemStats and Prometheus
 * expositions, goroutine dumps (test/fixtures and test/fixtures/gctrace hold the captures that
 * shared/samples has), real `go test -bench` output and a real executable. The binary-or-text rule
 * as properties is in test/formats/sniff.test.ts.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeProfile } from "../../../src/formats/pprof-proto-decode.js";
import { encodeProfile } from "../../../src/formats/pprof-proto-encode.js";
import {
  describeInputKind,
  type InputKind,
  isGoHeapDump,
  isGzip,
  isRecordingHeader,
  SNIFF_BYTES,
  sniffInput,
  sniffText,
} from "../../../src/formats/sniff.js";
import { RecordingWriter } from "../../../src/store/recording-writer.js";
import { buildGoProgram } from "../../support/go.js";
import { goTestBench } from "../bench-gate/support.js";
import { type HeapgenRun, heapgenRuns } from "../support/heapgen.js";

const repo = path.resolve(import.meta.dirname, "../../..");

const fixtures = path.join(repo, "test/fixtures/signals");

const gctraceFixtures = path.join(repo, "test/fixtures/gctrace");

const scratch = path.join(repo, "test/.work/sniff", String(process.pid));

/** What sniffInput says of a file, from the prefix a caller would read. */
function sniffFile(file: string): InputKind {
  const bytes = readFileSync(file);
  return sniffInput(bytes.subarray(0, SNIFF_BYTES));
}

let heapgen: HeapgenRun;

let heapDump: string;

let executable: string;

beforeAll(async () => {
  mkdirSync(scratch, { recursive: true });
  heapgen = (await heapgenRuns())[0]!;
  executable = await buildGoProgram(path.join(import.meta.dirname, "programs/heapdump"));
  heapDump = path.join(scratch, "heap.dump");
  execFileSync(executable, ["-out", heapDump]);
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("binary kinds, from files the Go runtime and heapscope wrote", () => {
  it("a gzipped profile.proto is gzip, and inflated it is a pprof profile", () => {
    expect(sniffFile(heapgen.heapProto)).toBe("gzip");
    expect(sniffInput(gunzipSync(readFileSync(heapgen.heapProto)))).toBe("pprof-proto");
    expect(sniffInput(gunzipSync(readFileSync(heapgen.allocsProto)))).toBe("pprof-proto");
    // pprof's own encoder (the diff profile went through go tool pprof -proto), and heapscope's.
    expect(sniffInput(gunzipSync(readFileSync(heapgen.diffProto)))).toBe("pprof-proto");
    const decoded = decodeProfile(gunzipSync(readFileSync(heapgen.heapProto)));
    expect(sniffInput(encodeProfile(decoded))).toBe("pprof-proto");
  });

  it("a goroutine profile (proto) is a pprof profile once inflated", () => {
    const file = path.join(fixtures, "go1.26-goroutines.pb.gz");
    expect(sniffFile(file)).toBe("gzip");
    expect(sniffInput(gunzipSync(readFileSync(file)))).toBe("pprof-proto");
  });

  it("a heap dump from runtime/debug.WriteHeapDump", () => {
    expect(sniffFile(heapDump)).toBe("go-heap-dump");
    expect(isGoHeapDump(readFileSync(heapDump))).toBe(true);
  });

  it("a heapscope recording (SQLite)", () => {
    const file = path.join(scratch, "r.hsrec");
    RecordingWriter.create(file, {
      target: {
        url: "http://127.0.0.1:6060",
        endpoints: {},
        headerNames: [],
        command: null,
        cmdline: null,
        pid: null,
        goVersion: null,
        hostname: "test",
      },
      settings: {
        intervalMs: 10_000,
        durationMs: null,
        forceGc: false,
        dumpEvery: 0,
        keepVars: false,
        maxSizeBytes: 1 << 20,
        requestTimeoutMs: 30_000,
      },
      heapscopeVersion: "test",
    }).finish({ complete: true, reason: "test" });
    expect(sniffFile(file)).toBe("recording");
    expect(isRecordingHeader(readFileSync(file))).toBe(true);
  });

  it("a Go executable", () => {
    expect(sniffFile(executable)).toBe("executable");
  });

  // Every field up to the end of the prefix must parse, so a few hundred random bytes never pass.
  it("random bytes are not taken for a profile.proto", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 256, maxLength: SNIFF_BYTES }), (bytes) => {
        expect(sniffInput(bytes)).not.toBe("pprof-proto");
      }),
      { numRuns: 5000 },
    );
  });

  it("zero-filled messages between valid tags are not a profile.proto (a shrunk counterexample)", () => {
    const zeros = (n: number) => Array.from({ length: n }, () => 0);
    const bytes = [
      0x32,
      27,
      ...zeros(27),
      0x0a,
      48,
      ...zeros(48),
      0x5a,
      65,
      ...zeros(65),
      0x0a,
      110,
      ...zeros(110),
    ];
    expect(sniffInput(Uint8Array.from(bytes))).toBe("binary");
  });

  it("random bytes are binary; nothing is empty", () => {
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    random[0] = 0x42;
    expect(sniffInput(random)).toBe("binary");
    expect(sniffInput(new Uint8Array(0))).toBe("empty");
    expect(isGzip(Buffer.from([0x1f]))).toBe(false);
  });
});

describe("text kinds, from real captures", () => {
  const cases: [string, InputKind][] = [
    ...readdirSync(fixtures)
      .filter((f) => /goroutines|goroutineleak-debug|panic|sigquit/.test(f) && f.endsWith(".txt"))
      .map((f): [string, InputKind] => [path.join(fixtures, f), "goroutine-dump"]),
    ...readdirSync(gctraceFixtures).map((f): [string, InputKind] => [
      path.join(gctraceFixtures, f),
      "gctrace",
    ]),
    ...readdirSync(fixtures)
      .filter((f) => f.endsWith("debug-vars.json"))
      .map((f): [string, InputKind] => [path.join(fixtures, f), "memstats-json"]),
    ...readdirSync(fixtures)
      .filter((f) => /client_golang|otel-runtime/.test(f))
      .map((f): [string, InputKind] => [path.join(fixtures, f), "prometheus-text"]),
  ];

  it.each(cases.map(([file, kind]) => [path.relative(repo, file), kind, file]))(
    "%s is %s",
    (_, kind, file) => {
      expect(sniffFile(file)).toBe(kind);
    },
  );

  it("a legacy text heap profile (/debug/pprof/heap?debug=1)", () => {
    expect(sniffFile(heapgen.heapText)).toBe("pprof-legacy-heap");
  });

  it("real go test -bench output, as text and as go test -json", async () => {
    const text = await goTestBench("gatebench", { count: 1, benchtime: "1x" });
    expect(sniffInput(Buffer.from(text))).toBe("go-bench");
    const json = await goTestBench("gatebench", { count: 1, benchtime: "1x", json: true });
    expect(sniffInput(Buffer.from(json))).toBe("go-bench");
  }, 300_000);

  it("Prometheus query_range JSON (the API's documented response shape)", () => {
    const response = {
      status: "success",
      data: {
        resultType: "matrix",
        result: [{ metric: { __name__: "go_memstats_heap_alloc_bytes" }, values: [[1700000000, "1024"]] }],
      },
    };
    expect(sniffText(JSON.stringify(response))).toBe("query-range-json");
    expect(sniffText(JSON.stringify(response, null, 2))).toBe("query-range-json");
    expect(sniffText('{"status":"error","errorType":"bad_data","error":"x"}')).toBe("query-range-json");
  });

  it("MemStats log lines, gctrace behind log prefixes and colour codes, and plain text", () => {
    expect(sniffText("2024/05/01 10:00:00 HeapAlloc = 123 HeapInuse = 456\n")).toBe("memstats-log");
    const gcLine =
      "gc 3 @0.120s 1%: 0.010+0.20+0.003 ms clock, 0.04+0.1/0.2/0.3+0.01 ms cpu, 4->4->1 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 4 P";
    expect(sniffText(`\u001b[32mINFO\u001b[0m serving on :8080\n2024-05-01T10:00:00Z ${gcLine}\n`)).toBe(
      "gctrace",
    );
    expect(sniffFile(path.join(repo, "README.md"))).toBe("text");
    expect(sniffText('{"some":"json"}')).toBe("text");
    expect(sniffText("  \n")).toBe("empty");
  });

  it("names every kind in words", () => {
    expect(describeInputKind("go-heap-dump")).toMatch(/heap dump/);
    expect(describeInputKind("recording")).toBe("a heapscope recording");
  });
});
