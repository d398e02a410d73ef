/**
 * Bad input to `heapscope memstats` and `heapscope goroutines` (built CLI, `npm run build` first):
 * one line on stderr naming the input, exit code 2, nothing on stdout.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeProfileGzip } from "../../src/formats/pprof-proto-encode.js";
import { emptyProfile } from "../../src/profile/model.js";
import { freePort, runCli, workDir } from "../support/go.js";

const dir = path.join(workDir, "signals-cli-errors");
const fixtures = path.resolve(import.meta.dirname, "../fixtures/signals");
const file = (name: string, content: string | Buffer): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

let hanging: Server;
let hangingUrl: string;
let notFoundUrl: string;
const openSockets = new Set<import("node:net").Socket>();

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  // Accepts connections and requests, never answers (until closed), or answers 404.
  hanging = createServer((request, response) => {
    if (request.url?.startsWith("/missing")) {
      response.statusCode = 404;
      response.end("404 page not found\n");
    }
  });
  hanging.on("connection", (socket) => {
    openSockets.add(socket);
    socket.on("close", () => openSockets.delete(socket));
  });
  await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  const { port } = hanging.address() as AddressInfo;
  hangingUrl = `http://127.0.0.1:${port}/debug/vars`;
  notFoundUrl = `http://127.0.0.1:${port}/missing`;
});

afterAll(async () => {
  for (const socket of openSockets) socket.destroy();
  await new Promise((resolve) => hanging.close(resolve));
});

async function expectOneLineError(args: string[], pattern: RegExp, input?: string | Buffer): Promise<void> {
  const result = await runCli(args, input === undefined ? {} : { input });
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe("");
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^heapscope: /);
  expect(lines[0]).toMatch(pattern);
}

function heapProfile(): Buffer {
  const profile = emptyProfile();
  profile.sampleTypes = [
    { type: "inuse_objects", unit: "count" },
    { type: "inuse_space", unit: "bytes" },
  ];
  return Buffer.from(encodeProfileGzip(profile));
}

describe.each(["memstats", "goroutines"])("heapscope %s: bad input", (command) => {
  it("missing file", async () => {
    await expectOneLineError([command, path.join(dir, "nope.txt")], /nope\.txt: no such file/);
  });

  it("empty file and empty stdin", async () => {
    await expectOneLineError([command, file("empty.txt", "")], /empty\.txt: empty input/);
    await expectOneLineError([command, "-"], /stdin: empty input/, "");
  });

  it("binary junk", async () => {
    const junk = randomBytes(8192);
    junk[0] = 0; // not gzip
    await expectOneLineError([command, file("junk.bin", junk)], /junk\.bin: binary data/);
  });

  it("gzip of something else", async () => {
    const pattern = command === "memstats" ? /not a MemStats source/ : /not a goroutine dump/;
    await expectOneLineError([command, file("text.gz", gzipSync("hello world\n".repeat(100)))], pattern);
    await expectOneLineError(
      [command, file("random.gz", gzipSync(randomBytes(4096)))],
      // Random bytes may fail protobuf decoding either way.
      /binary data|not a pprof profile|(corrupt|truncated) protobuf/,
    );
  });

  it("a directory", async () => {
    await expectOneLineError([command, dir], /is a directory/);
  });

  it("another format", async () => {
    const other =
      command === "memstats"
        ? readFileSync(path.join(fixtures, "go1.23-panic-gotraceback-all.txt"))
        : readFileSync(path.join(fixtures, "go1.23-debug-vars.json"));
    const pattern = command === "memstats" ? /not a MemStats source/ : /not a goroutine dump/;
    await expectOneLineError([command, file(`other-for-${command}.txt`, other)], pattern);
    await expectOneLineError(
      [command, file("page.html", "<html><body>hello</body></html>\n")],
      command === "memstats" ? /not a MemStats source/ : /not a goroutine dump/,
    );
  });

  it("unreachable URL", async () => {
    const port = await freePort();
    await expectOneLineError([command, `http://127.0.0.1:${port}/debug/vars`], /connection refused/);
  });

  it("hanging URL (--timeout)", async () => {
    await expectOneLineError([command, hangingUrl, "--timeout", "1"], /no complete response within 1 s/);
  });

  it("HTTP error status", async () => {
    await expectOneLineError([command, notFoundUrl], /HTTP 404/);
  });

  it("a scheme other than http(s)", async () => {
    await expectOneLineError([command, "ftp://127.0.0.1/vars"], /only http and https/);
  });

  it("bad flag values", async () => {
    await expectOneLineError(
      [command, file("x.txt", "x"), "--timeout", "soon"],
      /--timeout must be a positive/,
    );
  });
});

describe("gzipped text inputs are read", () => {
  it("memstats of vars.json.gz and goroutines of dump.txt.gz", async () => {
    const vars = file("vars.json.gz", gzipSync(readFileSync(path.join(fixtures, "go1.21-debug-vars.json"))));
    const memstats = await runCli(["memstats", vars, "--json"]);
    expect(memstats.code).toBe(0);
    expect(JSON.parse(memstats.stdout).format).toBe("expvar");
    const dump = file(
      "panic.txt.gz",
      gzipSync(readFileSync(path.join(fixtures, "go1.21-panic-gotraceback-all.txt"))),
    );
    const goroutines = await runCli(["goroutines", dump, "--json"]);
    expect(goroutines.code).toBe(0);
    expect(JSON.parse(goroutines.stdout)).toMatchObject({ format: "traceback", total: 2 });
  });
});

describe("heapscope goroutines: profiles and flags", () => {
  it("a heap profile is not a goroutine profile", async () => {
    await expectOneLineError(
      ["goroutines", file("heap.pb.gz", heapProfile())],
      /not a goroutine profile \(its sample types are inuse_objects, inuse_space\)/,
    );
  });

  it("an invalid --match regular expression", async () => {
    const dump = path.join(fixtures, "go1.23-panic-gotraceback-all.txt");
    await expectOneLineError(
      ["goroutines", dump, "--match", "main.(("],
      /--match: invalid regular expression/,
    );
  });

  it("a truncated goroutine profile", async () => {
    const proto = readFileSync(path.join(fixtures, "go1.26-goroutines.pb.gz"));
    await expectOneLineError(
      ["goroutines", file("truncated.pb.gz", proto.subarray(0, proto.length / 2))],
      /truncated|corrupt/,
    );
  });
});
