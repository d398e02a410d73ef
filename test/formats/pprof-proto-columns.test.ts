/**
 * decodeProfileColumns: the samples of real Go profiles in columns, checked against pprof-format's
 * independent decode (the oracle) and against the columns another module derives from Sample objects
 * (columnsFromProfile), plus the encodings Go never writes (unpacked fields, huge values, sparse IDs).
 */
import { Profile as PprofFormatProfile } from "pprof-format";
import { beforeAll, describe, expect, it } from "vitest";
import { ProfileDecodeError } from "../../src/errors.js";
import {
  decodeProfile,
  decodeProfileColumns,
  type ProfileSampleColumns,
} from "../../src/formats/pprof-proto-decode.js";
import { encodeProfile } from "../../src/formats/pprof-proto-encode.js";
import { columnsFromProfile } from "../../src/profile/columns.js";
import type { Location, Profile, ProfileFunction } from "../../src/profile/model.js";
import { comparableFromPprofFormat } from "./support/comparable.js";
import { type HeapgenRun, heapgenRuns, readGunzipped } from "./support/heapgen.js";
import { encodeLoose } from "./support/loose-encoder.js";

let runs: HeapgenRun[];

beforeAll(async () => {
  runs = await heapgenRuns();
});

const sortedEntries = <V>(map: Map<string, V[]>): [string, V[]][] =>
  [...map].map(([k, v]): [string, V[]] => [k, [...v]]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Sample i of the columns, in the oracle's terms: location IDs and exact values. */
function sampleAt(profile: Profile, columns: ProfileSampleColumns, i: number) {
  const ids: bigint[] = [];
  for (let k = columns.stackStart[i]!; k < columns.stackStart[i + 1]!; k++) {
    ids.push(BigInt(profile.locations[columns.locationIndex[k]!]!.id));
  }
  const exact = columns.exactValues?.get(i);
  const values: bigint[] = [];
  for (let t = 0; t < columns.stride; t++) {
    values.push(exact ? exact[t]! : BigInt(columns.values[i * columns.stride + t]!));
  }
  return { ids, values };
}

describe("decodeProfileColumns on real Go profiles", () => {
  it("holds the same stacks and values as pprof-format's decode, sample by sample", () => {
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs) {
      for (const file of [run.heapProto, run.allocsProto, run.diffProto]) {
        const bytes = readGunzipped(file);
        const { profile, columns } = decodeProfileColumns(bytes);
        const oracle = comparableFromPprofFormat(PprofFormatProfile.decode(bytes));
        expect(profile.samples).toEqual([]);
        expect(columns.count, file).toBe(oracle.samples.length);
        expect(columns.stride).toBe(oracle.sampleTypes.length);
        expect(columns.stackStart).toHaveLength(columns.count + 1);
        for (let i = 0; i < columns.count; i++) {
          const ours = sampleAt(profile, columns, i);
          expect(ours.ids, `${file} sample ${i}`).toEqual(oracle.samples[i]!.locationIds);
          expect(ours.values, `${file} sample ${i}`).toEqual(oracle.samples[i]!.values);
          const set = columns.labelSets[columns.labelSet[i]!]!;
          expect(sortedEntries(set.numLabels)).toEqual(oracle.samples[i]!.numLabels);
          expect(sortedEntries(set.labels)).toEqual(oracle.samples[i]!.labels);
        }
      }
    }
  });

  it("equals the columns derived from decodeProfile's Sample objects, diff-base marks included", () => {
    let diffBaseSamples = 0;
    for (const run of runs) {
      for (const file of [run.heapProto, run.diffProto]) {
        const bytes = readGunzipped(file);
        const { columns } = decodeProfileColumns(bytes);
        const derived = columnsFromProfile(decodeProfile(bytes));
        expect(columns.count).toBe(derived.count);
        expect([...columns.stackStart]).toEqual([...derived.stackStart]);
        expect([...columns.locationIndex]).toEqual([...derived.locationIndex]);
        expect([...columns.values]).toEqual([...derived.values]);
        expect(columns.diffBase ? [...columns.diffBase] : undefined).toEqual(
          derived.diffBase ? [...derived.diffBase] : undefined,
        );
        diffBaseSamples += columns.diffBase?.reduce((sum, b) => sum + b, 0) ?? 0;
      }
    }
    // The diff profiles really have base samples, so the marks were compared, not just absent.
    expect(diffBaseSamples).toBeGreaterThan(0);
  });

  it("shares one label set among the samples with equal labels", () => {
    const { columns } = decodeProfileColumns(readGunzipped(runs[0]!.heapProto));
    // Heap samples are labelled with their block size, which few distinct sizes cover.
    expect(columns.labelSets.length).toBeGreaterThan(1);
    expect(columns.labelSets.length).toBeLessThan(columns.count);
    expect(columns.labelSets[0]!.labels.size + columns.labelSets[0]!.numLabels.size).toBe(0);
  });
});

/** A small profile with sparse IDs, an int64 beyond 2^53 and a negative value. */
function unusualProfile(): Profile {
  const fn: ProfileFunction = { id: 7, name: "main.f", systemName: "main.f", filename: "f.go", startLine: 1 };
  const near: Location = {
    id: 3,
    mapping: undefined,
    address: 0n,
    lines: [{ function: fn, line: 2, column: 0 }],
    isFolded: false,
  };
  const far: Location = { ...near, id: 2 ** 40 + 5 };
  const huge = (1n << 60n) + 1n;
  return {
    sampleTypes: [
      { type: "a", unit: "count" },
      { type: "b", unit: "bytes" },
    ],
    samples: [
      {
        locations: [near, far, near],
        values: [Number(huge), -5],
        exactValues: [huge, -5n],
        labels: new Map([["k", ["v"]]]),
        numLabels: new Map(),
        numUnits: new Map(),
      },
      { locations: [far], values: [1, 2], labels: new Map(), numLabels: new Map(), numUnits: new Map() },
    ],
    mappings: [],
    locations: [near, far],
    functions: [fn],
    dropFrames: "",
    keepFrames: "",
    timeNanos: 0n,
    durationNanos: 0n,
    periodType: undefined,
    period: 0n,
    comments: [],
    defaultSampleType: "",
    docUrl: "",
  };
}

describe("decodeProfileColumns on encodings Go does not write", () => {
  for (const packed of [true, false, "mixed"] as const) {
    it(`reads sparse IDs, exact values and labels (${packed === "mixed" ? "mixed" : packed ? "packed" : "unpacked"})`, () => {
      const original = unusualProfile();
      const { profile, columns } = decodeProfileColumns(
        encodeLoose(original, { packed, seed: 3, unknownFields: true }),
      );
      expect(columns.count).toBe(2);
      expect(sampleAt(profile, columns, 0)).toEqual({
        ids: [3n, 2n ** 40n + 5n, 3n],
        values: [(1n << 60n) + 1n, -5n],
      });
      expect(sampleAt(profile, columns, 1)).toEqual({ ids: [2n ** 40n + 5n], values: [1n, 2n] });
      expect(columns.exactValues?.has(0)).toBe(true);
      expect(columns.exactValues?.has(1)).toBe(false);
      expect(columns.labelSets[columns.labelSet[0]!]!.labels.get("k")).toEqual(["v"]);
      expect(columns.labelSet[1]).toBe(0);
    });
  }

  it("refuses a sample that names an unknown location, or has too few values", () => {
    const profile = unusualProfile();
    const stray = { ...profile.locations[0]!, id: 99 };
    const unknown = encodeProfile({ ...profile, samples: [{ ...profile.samples[1]!, locations: [stray] }] });
    expect(() => decodeProfileColumns(unknown)).toThrow(ProfileDecodeError);
    expect(() => decodeProfileColumns(unknown)).toThrow(/unknown location id 99/);
    const short = encodeProfile({ ...profile, samples: [{ ...profile.samples[1]!, values: [1] }] });
    expect(() => decodeProfileColumns(short)).toThrow(/1 values for 2 sample types/);
  });
});
