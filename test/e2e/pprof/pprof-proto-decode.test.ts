/**
 * decodeProfile on real Go heap profiles, checked field by field against pprof-format 2.3 (the
 * oracle, with its unsigned reading of int64 corrected) and against `go tool pprof -raw`.
 */
import { Profile as PprofFormatProfile } from "pprof-format";
import { beforeAll, describe, expect, it } from "vitest";
import { ProfileDecodeError } from "../../../src/errors.js";
import { decodeProfile, NO_STRING_LABELS } from "../../../src/formats/pprof-proto-decode.js";
import { comparableFromModel, comparableFromPprofFormat } from "../../formats/support/comparable.js";
import { type HeapgenRun, heapgenRuns, pprof, readGunzipped } from "../support/heapgen.js";

let runs: HeapgenRun[];

beforeAll(async () => {
  runs = await heapgenRuns();
});

describe("decodeProfile on real Go profiles", () => {
  it("agrees with pprof-format on every field of heap, allocs and a diff profile", () => {
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs) {
      for (const file of [run.heapProto, run.allocsProto, run.diffProto]) {
        const bytes = readGunzipped(file);
        const ours = comparableFromModel(decodeProfile(bytes));
        const oracle = comparableFromPprofFormat(PprofFormatProfile.decode(bytes));
        expect(ours, `${run.name} ${file}`).toEqual(oracle);
      }
    }
  });

  it("reads what a Go heap profile holds: four sample types, bytes labels, inlined lines, a main mapping", () => {
    for (const run of runs) {
      const profile = decodeProfile(readGunzipped(run.heapProto));
      expect(profile.sampleTypes.map((t) => `${t.type}/${t.unit}`)).toEqual([
        "alloc_objects/count",
        "alloc_space/bytes",
        "inuse_objects/count",
        "inuse_space/bytes",
      ]);
      expect(profile.periodType).toEqual({ type: "space", unit: "bytes" });
      expect(profile.period).toBe(run.period);
      expect(profile.timeNanos).toBeGreaterThan(1_600_000_000n * 1_000_000_000n);
      expect(profile.samples.length).toBeGreaterThan(3);
      for (const sample of profile.samples) {
        expect(sample.values).toHaveLength(4);
        expect(sample.locations.length).toBeGreaterThan(0);
      }
      // The runtime labels each sample with its block size (when it has allocations).
      const blockSizes = profile.samples.flatMap((s) => s.numLabels.get("bytes") ?? []);
      expect(blockSizes.length).toBeGreaterThan(profile.samples.length / 2);
      expect(blockSizes.every((size) => size > 0n)).toBe(true);
      const names = new Set(profile.functions.map((f) => f.name));
      const expected = ["main.(*cache).fill", "main.deep", "main.level1", "main.main", "main.churn"];
      // At Go's default rate (one sample per 512 KiB) a smaller site can go unsampled in a given run;
      // finer rates must show every one.
      const found = expected.filter((name) => names.has(name));
      if (run.period >= 512 * 1024) expect(found.length, run.name).toBeGreaterThanOrEqual(3);
      else expect(found, run.name).toEqual(expected);
      // makeBuffer is inlined into deep: one location carries both lines, innermost first.
      const inlined = profile.locations
        .filter((l) => l.lines.length > 1)
        .map((l) => l.lines.map((x) => x.function?.name));
      expect(inlined).toContainEqual(["main.makeBuffer", "main.deep"]);
      expect(profile.mappings[0]!.file).toMatch(/heapgen/);
      expect(profile.mappings[0]!.hasFunctions).toBe(true);
    }
  });

  it("reads the diff profile's negative values and pprof::base labels with their sign", async () => {
    for (const run of runs) {
      const profile = decodeProfile(readGunzipped(run.diffProto));
      const base = profile.samples.filter((s) => s.labels.get("pprof::base")?.[0] === "true");
      expect(base.length).toBeGreaterThan(0);
      expect(base.some((s) => s.values.some((v) => v < 0))).toBe(true);
      // pprof's own reading of the same file: total of the inuse_space column of -raw.
      const raw = await pprof(["-raw", run.diffProto]);
      const rawTotal = rawColumnTotal(raw, 3);
      const ourTotal = profile.samples.reduce((sum, s) => sum + BigInt(s.values[3]!), 0n);
      expect(ourTotal).toBe(rawTotal);
    }
  });

  it("shares read-only label maps between samples and refuses in-place changes", () => {
    const profile = decodeProfile(readGunzipped(runs[0]!.heapProto));
    const sample = profile.samples[0]!;
    expect(sample.labels).toBe(NO_STRING_LABELS);
    expect(() => sample.labels.set("k", ["v"])).toThrow(TypeError);
    expect(() => sample.numLabels.set("bytes", [1n])).toThrow(TypeError);
    expect(() => sample.numLabels.get("bytes")!.push(1n)).toThrow(TypeError);
    const copy = new Map(sample.labels);
    copy.set("k", ["v"]);
    expect(copy.get("k")).toEqual(["v"]);
  });

  it("rejects a string table whose first entry is not empty, like pprof", async () => {
    // A minimal profile: string_table = ["x"].
    const bytes = new Uint8Array([0x32, 0x01, 0x78]);
    expect(() => decodeProfile(bytes)).toThrow(ProfileDecodeError);
    expect(() => decodeProfile(bytes)).toThrow(/string_table\[0\] must be ""/);
  });
});

/** Sums one value column of `go tool pprof -raw` sample lines ("v0 v1 v2 v3: ids"). */
function rawColumnTotal(raw: string, column: number): bigint {
  let total = 0n;
  let inSamples = false;
  for (const line of raw.split("\n")) {
    if (line.startsWith("Samples:")) inSamples = true;
    else if (line.startsWith("Locations")) break;
    else if (inSamples && /^\s*-?\d+(\s+-?\d+)*:/.test(line)) {
      const values = line.split(":")[0]!.trim().split(/\s+/);
      total += BigInt(values[column]!);
    }
  }
  return total;
}
