/**
 * The report commands' fast path (one local file, no sample filters: samples decoded straight into
 * columns, src/cli/report-options.ts) as a user meets it. Bad files must end exactly as on the
 * regular path (the same one `heapscope: FILE: …` line, exit 2), and the profiles the fast path
 * hands to the regular steps (a legacy text profile, drop_frames, no mappings) must still print what
 * `go tool pprof` prints.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeProfile } from "../../../src/formats/pprof-proto-decode.js";
import { encodeProfileGzip } from "../../../src/formats/pprof-proto-encode.js";
import { type HeapgenRun, heapgenRuns, pprof, readGunzipped } from "../support/heapgen.js";
import { freshDir, removeFreshDirs, runHeapscopeInProcess, withoutTimeLines } from "./oracle-support.js";

let run: HeapgenRun;
let dir = "";

beforeAll(async () => {
  run = (await heapgenRuns())[0]!;
  dir = freshDir("fast-path");
}, 300_000);

afterAll(removeFreshDirs);

function write(name: string, bytes: Uint8Array | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** `top` on the fast path and, through a filter that keeps every sample, on the regular path. */
async function bothPaths(file: string, flags: string[] = []) {
  const fast = await runHeapscopeInProcess(["top", ...flags, file]);
  const regular = await runHeapscopeInProcess(["top", "--focus=.", ...flags, file]);
  return { fast, regular };
}

describe("report fast path: bad files", () => {
  const cases: Array<{ name: string; bytes: () => Uint8Array | Buffer; flags?: string[]; error: RegExp }> = [
    {
      name: "bomb.pb.gz",
      bytes: () => gzipSync(Buffer.alloc(32 << 20)),
      flags: ["--max-decompressed=1MiB"],
      error: /: decompressed size exceeds 1 MiB \(--max-decompressed\)$/,
    },
    {
      name: "cut.pb.gz",
      bytes: () => {
        const gz = readFileSync(run.heapProto);
        return gz.subarray(0, gz.length >> 1);
      },
      error: /: corrupt gzip data \(truncated\)$/,
    },
    {
      name: "cut-proto.pb.gz",
      bytes: () => {
        const raw = readGunzipped(run.heapProto);
        return gzipSync(raw.subarray(0, raw.length - 7));
      },
      error: /: truncated protobuf at byte \d+/,
    },
    {
      name: "junk.bin",
      bytes: () => Buffer.from([0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]),
      error: /: not a pprof profile \(/,
    },
    {
      name: "goroutines.gz",
      bytes: () => gzipSync("goroutine profile: total 3\n3 @ 0x1 0x2\n#\t0x1\tmain.main+0x1\t/m.go:3\n"),
      error: /: not a pprof profile \(this is a goroutine dump\)$/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: one line, exit 2, as on the regular path`, async () => {
      const file = write(c.name, c.bytes());
      const { fast, regular } = await bothPaths(file, c.flags);
      expect(fast.code).toBe(2);
      expect(fast.stdout).toBe("");
      const lines = fast.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]!.startsWith(`heapscope: ${file}: `)).toBe(true);
      expect(lines[0]).toMatch(c.error);
      expect(fast).toEqual(regular);
    });
  }
});

describe("report fast path: profiles it hands to the regular steps", () => {
  async function expectPprofTop(file: string, flags: string[] = []) {
    const [ours, theirs] = await Promise.all([
      runHeapscopeInProcess(["top", ...flags, file]),
      pprof(["-top", ...flags, file]),
    ]);
    expect(ours.code, ours.stderr).toBe(0);
    expect(withoutTimeLines(ours.stdout)).toBe(withoutTimeLines(theirs));
  }

  it("a plain heap profile (columns all the way)", async () => {
    await expectPprofTop(run.heapProto);
  });

  it("a legacy ?debug=1 text heap profile, as on the regular path", async () => {
    // pprof cannot name these frames without the binary; heapscope reads the names in the text.
    const { fast, regular } = await bothPaths(run.heapText);
    expect(fast.code, fast.stderr).toBe(0);
    expect(fast.stdout).toMatch(/main\.makeBuffer/);
    expect(fast.stdout).toBe(regular.stdout.replace("Active filters:\n   focus=.\n", ""));
  });

  it("a profile with drop_frames", async () => {
    const profile = decodeProfile(readGunzipped(run.heapProto));
    // Cuts the stacks through main.deep at level2: its flat moves up to main.level1.
    profile.dropFrames = "main\\.level2|strings\\..*";
    await expectPprofTop(write("dropframes.pb.gz", encodeProfileGzip(profile)));
  });

  it("a profile without mappings", async () => {
    const profile = decodeProfile(readGunzipped(run.heapProto));
    profile.mappings = [];
    for (const location of profile.locations) location.mapping = undefined;
    const file = write("nomappings.pb.gz", encodeProfileGzip(profile));
    await expectPprofTop(file);
    // pprof gives such a profile an empty mapping, which shows in address granularity.
    await expectPprofTop(file, ["-addresses"]);
  });
});
