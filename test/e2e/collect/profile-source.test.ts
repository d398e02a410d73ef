/**
 * readProfileInput: files, stdin, http(s) URLs (served by a local server: a profile, a 404, a server
 * that never answers, an oversized body), recording snapshots (`FILE#N`), and splitProfileArgs.
 * Then bad inputs through the built CLI (`heapscope top`; `npm run build` first, as scripts/test.sh
 * does): one line on stderr, exit 2, no stack trace.
 */
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProfileInput, splitProfileArgs } from "../../../src/collect/profile-source.js";
import { InputError } from "../../../src/errors.js";
import { RecordingWriter } from "../../../src/store/recording-writer.js";
import { buildGoProgram, freePort, repoRoot, runCli } from "../../support/go.js";
import { type HeapgenRun, heapgenRuns, pprof } from "../support/heapgen.js";

let run: HeapgenRun;
let profileBytes: Buffer;
let dir: string;
let server: Server;
let baseUrl: string;
const requests: string[] = [];
const hanging: ServerResponse[] = [];

beforeAll(async () => {
  run = (await heapgenRuns())[0]!;
  profileBytes = readFileSync(run.heapProto);
  dir = mkdtempSync(path.join(tmpdir(), "heapscope-source-"));
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests.push(request.url ?? "");
    const url = new URL(request.url ?? "/", "http://x");
    if (url.pathname === "/debug/pprof/heap") {
      response.writeHead(200, { "content-type": "application/octet-stream" });
      response.end(profileBytes);
    } else if (url.pathname === "/hang") {
      hanging.push(response); // never answered
    } else if (url.pathname === "/big") {
      response.writeHead(200);
      response.end(Buffer.alloc(256 * 1024, 1));
    } else if (url.pathname === "/text") {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<html><body>hello</body></html>");
    } else {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("Unknown profile\n");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const response of hanging) response.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function inputError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected an InputError");
}

describe("readProfileInput", () => {
  it("reads a file, and names missing, empty and directory inputs", async () => {
    const parsed = await readProfileInput(run.heapProto);
    expect(parsed.source).toBe(run.heapProto);
    expect(parsed.profile.samples.length).toBeGreaterThan(0);
    const missing = path.join(dir, "nope.pb.gz");
    expect(await inputError(readProfileInput(missing))).toBe(`${missing}: no such file`);
    const empty = path.join(dir, "empty.pb.gz");
    writeFileSync(empty, "");
    expect(await inputError(readProfileInput(empty))).toBe(`${empty}: empty file`);
    expect(await inputError(readProfileInput(dir))).toBe(`${dir}: is a directory, not a profile`);
    const junk = path.join(dir, "junk.bin");
    writeFileSync(junk, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02]));
    expect(await inputError(readProfileInput(junk))).toMatch(new RegExp(`^${junk}: not a pprof profile \\(`));
    expect(await inputError(readProfileInput(run.heapProto, { maxBytes: 100 }))).toBe(
      `${run.heapProto}: file is larger than 100 B`,
    );
  });

  it("reads stdin for -", async () => {
    const stdin = new PassThrough();
    stdin.end(profileBytes);
    const parsed = await readProfileInput("-", { stdin });
    expect(parsed.source).toBe("stdin");
    expect(parsed.profile.samples.length).toBeGreaterThan(0);
    const empty = new PassThrough();
    empty.end();
    expect(await inputError(readProfileInput("-", { stdin: empty }))).toBe("stdin: empty input");
  });

  it("fetches a URL, asking for a delta profile with seconds", async () => {
    const parsed = await readProfileInput(`${baseUrl}/debug/pprof/heap`);
    expect(parsed.profile.samples.length).toBeGreaterThan(0);
    await readProfileInput(`${baseUrl}/debug/pprof/heap?gc=1`, { seconds: 3 });
    expect(requests).toContain("/debug/pprof/heap?gc=1&seconds=3");
    // pprof's host:port/path shorthand.
    const shorthand = `${baseUrl.slice("http://".length)}/debug/pprof/heap`;
    expect((await readProfileInput(shorthand)).profile.samples.length).toBeGreaterThan(0);
  });

  it("names HTTP failures: status, refused connection, timeout, size cap, other schemes", async () => {
    expect(await inputError(readProfileInput(`${baseUrl}/debug/pprof/nothing`))).toBe(
      `${baseUrl}/debug/pprof/nothing: HTTP 404 Not Found (Unknown profile)`,
    );
    const closed = `http://127.0.0.1:${await freePort()}/debug/pprof/heap`;
    expect(await inputError(readProfileInput(closed))).toBe(`${closed}: connection refused`);
    const started = Date.now();
    expect(await inputError(readProfileInput(`${baseUrl}/hang`, { timeoutMs: 300 }))).toBe(
      `${baseUrl}/hang: timed out after 300 ms`,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await inputError(readProfileInput(`${baseUrl}/big`, { maxBytes: 64 * 1024 }))).toBe(
      `${baseUrl}/big: response is larger than 64 KiB`,
    );
    expect(await inputError(readProfileInput(`${baseUrl}/text`))).toBe(
      `${baseUrl}/text: not a pprof profile (this is an HTML page)`,
    );
    expect(await inputError(readProfileInput("ftp://127.0.0.1/heap"))).toBe(
      "ftp://127.0.0.1/heap: only http and https URLs are supported",
    );
  });

  it("stops a decompression bomb at the configured cap", async () => {
    const bomb = path.join(dir, "bomb.pb.gz");
    writeFileSync(bomb, gzipSync(Buffer.alloc(32 << 20)));
    expect(await inputError(readProfileInput(bomb, { maxDecompressedBytes: 1 << 20 }))).toBe(
      `${bomb}: decompressed size exceeds 1 MiB (--max-decompressed)`,
    );
  });

  it("reads heap snapshot N of a recording with FILE#N and FILE#last", async () => {
    const file = path.join(dir, "rec.hsrec");
    const writer = RecordingWriter.create(file, {
      target: {
        url: baseUrl,
        endpoints: { heap: `${baseUrl}/debug/pprof/heap` },
        headerNames: [],
        command: null,
        cmdline: null,
        pid: null,
        goVersion: null,
        hostname: "test",
      },
      settings: {
        intervalMs: 1000,
        durationMs: null,
        forceGc: true,
        dumpEvery: 30,
        keepVars: false,
        maxSizeBytes: 1 << 30,
        requestTimeoutMs: 30_000,
      },
      heapscopeVersion: "test",
    });
    const snapshots = [readFileSync(run.heapProto), readFileSync(run.allocsProto)];
    snapshots.forEach((bytes, i) => {
      writer.writeSample({
        startedMs: 1000 * (i + 1),
        finishedMs: 1000 * (i + 1) + 5,
        final: false,
        heap: { bytes, gcForced: true, summary: null },
        memstats: [],
        errors: [],
      });
    });
    writer.finish({ complete: true, reason: "test" });
    const first = await readProfileInput(`${file}#1`);
    const last = await readProfileInput(`${file}#last`);
    expect(first.source).toBe(`${file}#1`);
    expect(first.profile.defaultSampleType).toBe("");
    expect(last.profile.defaultSampleType).toBe("alloc_space");
    expect(await inputError(readProfileInput(`${file}#9`))).toMatch(new RegExp(`^${file}#9: `));
  });
});

describe("splitProfileArgs", () => {
  it("drops a leading executable when profiles follow, and keeps profiles", async () => {
    const binary = await buildGoProgram(path.join(repoRoot, "test/e2e/programs/heapgen"));
    expect(splitProfileArgs([binary, run.heapProto])).toEqual([run.heapProto]);
    expect(splitProfileArgs([binary])).toEqual([binary]);
    expect(splitProfileArgs([run.heapProto, run.allocsProto])).toEqual([run.heapProto, run.allocsProto]);
    const script = path.join(dir, "app.sh");
    writeFileSync(script, "#!/bin/sh\necho hi\n");
    chmodSync(script, 0o755);
    expect(splitProfileArgs([script, run.heapProto])).toEqual([run.heapProto]);
    // An executable profile (a download with odd permissions) is still a profile.
    const executableProfile = path.join(dir, "exec.pb.gz");
    copyFileSync(run.heapProto, executableProfile);
    chmodSync(executableProfile, 0o755);
    expect(splitProfileArgs([executableProfile, run.allocsProto])).toEqual([
      executableProfile,
      run.allocsProto,
    ]);
    expect(splitProfileArgs([`${baseUrl}/debug/pprof/heap`, run.heapProto])).toHaveLength(2);
  });
});

describe("bad input through the CLI", () => {
  async function expectOneLineError(args: string[], pattern: RegExp, input?: Buffer): Promise<void> {
    const result = await runCli(args, { input, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^heapscope: /);
    expect(lines[0], result.stderr).toMatch(pattern);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }

  it("reports files that are missing, not profiles, or damaged", async () => {
    const write = (name: string, bytes: Uint8Array | string) => {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      return file;
    };
    const inflated = gunzipSync(readFileSync(run.heapProto));
    await expectOneLineError(["top", path.join(dir, "missing.pb.gz")], /missing\.pb\.gz: no such file$/);
    await expectOneLineError(["top", write("notes.txt", "just some notes\n")], /not a pprof profile/);
    await expectOneLineError(
      ["top", write("corrupt.pb.gz", Buffer.from([0x1f, 0x8b, 8, 0, 9, 9, 9, 9, 9, 9]))],
      /corrupt gzip data/,
    );
    await expectOneLineError(
      ["top", write("truncated.pb.gz", gzipSync(inflated.subarray(0, inflated.length - 9)))],
      /truncated protobuf at byte \d+/,
    );
    await expectOneLineError(
      ["top", write("varint.pb.gz", gzipSync(Buffer.from([0x0a, ...new Array(10).fill(0xff), 0x01])))],
      /varint longer than 10 bytes/,
    );
    await expectOneLineError(
      ["top", write("length.pb.gz", gzipSync(Buffer.from([0x12, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00])))],
      /length 2147483648/,
    );
    await expectOneLineError(
      ["top", write("strings.pb.gz", gzipSync(Buffer.from([0x32, 0x01, 0x78])))],
      /string_table\[0\] must be ""/,
    );
    await expectOneLineError(["top", write("empty.pb.gz", "")], /empty file/);
    await expectOneLineError(["top", "-"], /^heapscope: stdin: not a pprof profile/, Buffer.from("hello\n"));
    // pprof itself reads none of these.
    await expect(pprof(["-top", path.join(dir, "strings.pb.gz")])).rejects.toThrow();
  });

  it("reports unreachable and hanging URLs", async () => {
    const closed = `http://127.0.0.1:${await freePort()}/debug/pprof/heap`;
    await expectOneLineError(["top", closed], /connection refused$/);
    await expectOneLineError(["top", "--timeout", "0.5", `${baseUrl}/hang`], /hang: timed out after 500 ms$/);
    await expectOneLineError(
      ["top", `${baseUrl}/debug/pprof/nothing`],
      /HTTP 404 Not Found \(Unknown profile\)$/,
    );
  });

  it("reads a good profile through the same path", async () => {
    const result = await runCli(["top", run.heapProto]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(await pprof(["-top", run.heapProto]));
  });
});
