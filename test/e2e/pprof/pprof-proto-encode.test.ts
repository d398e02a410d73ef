/**
 * encodeProfile: `go tool pprof` must read heapscope's output exactly as it reads the original, and a
 * profile pprof itself wrote must come back byte for byte.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeProfile } from "../../../src/formats/pprof-proto-decode.js";
import { encodeProfile, encodeProfileGzip } from "../../../src/formats/pprof-proto-encode.js";
import { workDir } from "../../support/go.js";
import { type HeapgenRun, heapgenRuns, pprof, readGunzipped } from "../support/heapgen.js";

let runs: HeapgenRun[];
const outDir = path.join(workDir, "encode-test");

beforeAll(async () => {
  runs = await heapgenRuns();
  mkdirSync(outDir, { recursive: true });
});

function reencode(file: string, name: string, gzip: boolean): string {
  const profile = decodeProfile(readGunzipped(file));
  const out = path.join(outDir, `${name}${gzip ? ".pb.gz" : ".pb"}`);
  writeFileSync(out, gzip ? encodeProfileGzip(profile) : encodeProfile(profile));
  return out;
}

describe("encodeProfile", () => {
  it("gives the same `go tool pprof -raw` and `-top` output as the original", async () => {
    for (const run of runs) {
      for (const [kind, file] of [
        ["heap", run.heapProto],
        ["allocs", run.allocsProto],
        ["diff", run.diffProto],
      ] as const) {
        const name = `${run.name}-${kind}`;
        const copy = reencode(file, name, kind !== "heap");
        const [rawOriginal, rawCopy] = await Promise.all([pprof(["-raw", file]), pprof(["-raw", copy])]);
        expect(rawCopy, name).toBe(rawOriginal);
        expect(rawOriginal).toMatch(/Samples:/);
        const index = kind === "diff" ? "-sample_index=alloc_space" : "-sample_index=inuse_space";
        const [topOriginal, topCopy] = await Promise.all([
          pprof(["-top", index, file]),
          pprof(["-top", index, copy]),
        ]);
        expect(topCopy, name).toBe(topOriginal);
      }
    }
  });

  it("writes a profile pprof wrote byte for byte as pprof did", async () => {
    for (const run of runs) {
      // diff.pb.gz comes from `go tool pprof -proto`; so does this normalized copy of heap.pb.gz.
      const normalized = path.join(outDir, `${run.name}-pprof-normalized.pb.gz`);
      await pprof(["-proto", "-output", normalized, run.heapProto]);
      for (const file of [run.diffProto, normalized]) {
        const bytes = readGunzipped(file);
        const encoded = encodeProfile(decodeProfile(bytes));
        expect(Buffer.from(encoded).equals(Buffer.from(bytes)), `${run.name} ${path.basename(file)}`).toBe(
          true,
        );
      }
    }
  });
});
