/**
 * decodeProfileColumns: the samples of real Go profiles in columns, checked against pprof-format's
 * independent decode (the oracle) and against the columns another module derives from Sample objects
 * (columnsFromProfile), plus the encodings Go never writes (unpacked fields, huge values, sparse IDs).
 */
import { Profile as PprofFormatProfile } from "pprof-format";
import { beforeAll, describe, expect, it } from "vitest";
import { ProfileDecodeError } from "../../../src/errors.js";
import {
  decodeProfile,
  decodeProfileColumns,
  type ProfileSampleColumns,
  samplesFromColumns,
} from "../../../src/formats/pprof-proto-decode.js";
import { encodeProfile } from "../../../src/formats/pprof-proto-encode.js";
import { columnsFromProfile } from "../../../src/profile/columns.js";
import type { Location, Profile, ProfileFunction } from "../../../src/profile/model.js";
import { comparableFromModel, comparableFromPprofFormat } from "../../formats/support/comparable.js";
import { encodeLoose } from "../../formats/support/loose-encoder.js";
import { type HeapgenRun, heapgenRuns, readGunzipped } from "../support/heapgen.js";

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

  it("turns back into the Sample objects decodeProfile builds (samplesFromColumns)", () => {
    for (const run of runs) {
      const bytes = readGunzipped(run.diffProto);
      const { profile, columns } = decodeProfileColumns(bytes);
      const objects = decodeProfile(bytes);
      profile.samples = samplesFromColumns(profile.locations, columns);
      expect(comparableFromModel(profile)).toEqual(comparableFromModel(objects));
    }
  });

  it("accepts and refuses exactly what decodeProfile does, on damaged profiles", () => {
    // A deterministic PRNG (mulberry32), so a failure replays.
    let state = 7;
    const random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const seeds = runs.flatMap((run) => [readGunzipped(run.heapProto), readGunzipped(run.diffProto)]);
    const outcomes = { decoded: 0, refused: 0 };
    // Bounded by time too, so it stays quick on a loaded machine.
    const deadline = Date.now() + 5000;
    for (let i = 0; i < 400 && (i < 40 || Date.now() < deadline); i++) {
      const bytes = Uint8Array.from(seeds[i % seeds.length]!);
      for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
        bytes[Math.floor(random() * bytes.length)]! ^= 1 << Math.floor(random() * 8);
      }
      const damaged = random() < 0.3 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
      let objects: Profile | ProfileDecodeError;
      try {
        objects = decodeProfile(damaged);
      } catch (error) {
        expect(error).toBeInstanceOf(ProfileDecodeError);
        objects = error as ProfileDecodeError;
      }
      if (objects instanceof ProfileDecodeError) {
        expect(() => decodeProfileColumns(damaged), `mutation ${i}`).toThrow(ProfileDecodeError);
        outcomes.refused++;
      } else {
        const { profile, columns } = decodeProfileColumns(damaged);
        profile.samples = samplesFromColumns(profile.locations, columns);
        expect(comparableFromModel(profile), `mutation ${i}`).toEqual(comparableFromModel(objects));
        outcomes.decoded++;
      }
    }
    expect(outcomes.decoded).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it("shares one label set among the samples with equal labels", () => {
    for (const run of runs) {
      const bytes = readGunzipped(run.heapProto);
      const { columns } = decodeProfileColumns(bytes);
      const objects = decodeProfile(bytes);
      // Samples whose labels are equal point at one set, and distinct labels get distinct sets.
      const setOfLabels = new Map<string, number>();
      for (let i = 0; i < columns.count; i++) {
        const sample = objects.samples[i]!;
        const key = JSON.stringify([
          [...sample.labels],
          [...sample.numLabels].map(([k, v]) => [k, v.map(String)]),
        ]);
        const set = columns.labelSet[i]!;
        expect(setOfLabels.get(key) ?? set).toBe(set);
        setOfLabels.set(key, set);
      }
      expect(new Set(setOfLabels.values()).size).toBe(setOfLabels.size);
      expect(columns.labelSets[0]!.labels.size + columns.labelSets[0]!.numLabels.size).toBe(0);
    }
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

  // Labels as Go writes them are read inline; numbers beyond 4 varint bytes, negative numbers and
  // units fall back to the general reader or take its other branches: both must agree with pprof-format.
  it("reads labels on both sides of the inline path's limits as pprof-format does", () => {
    const base = unusualProfile();
    const numbers = [0n, 1n, 127n, 128n, (1n << 28n) - 1n, 1n << 28n, -1n, (1n << 62n) + 3n];
    const original: Profile = {
      ...base,
      samples: numbers.map((n, i) => ({
        locations: [base.locations[0]!],
        values: [i + 1, 2],
        labels: i % 3 === 0 ? new Map([["tag", [`v${i}`]]]) : new Map(),
        numLabels: new Map([
          ["bytes", [n]],
          ...(i % 2 === 0 ? ([["size", [n, 5n]]] as [string, bigint[]][]) : []),
        ]),
        numUnits: i % 2 === 0 ? new Map([["size", ["kilobytes", ""]]]) : new Map(),
      })),
    };
    const bytes = encodeProfile(original);
    const { profile, columns } = decodeProfileColumns(bytes);
    profile.samples = samplesFromColumns(profile.locations, columns);
    expect(comparableFromModel(profile)).toEqual(comparableFromPprofFormat(PprofFormatProfile.decode(bytes)));
    // pprof drops a numeric label of 0 without a unit.
    expect(profile.samples.map((sample) => sample.numLabels.get("bytes"))).toEqual(
      numbers.map((n) => (n === 0n ? undefined : [n])),
    );
  });

  // Frames are 16-bit while every location position fits (up to 65,536 locations), 32-bit beyond.
  for (const locationCount of [0x10000, 0x10001]) {
    it(`keeps every frame of a profile with ${locationCount} locations`, () => {
      const base = unusualProfile();
      const fn = base.functions[0]!;
      const locations: Location[] = Array.from({ length: locationCount }, (_, i) => ({
        id: i + 1,
        mapping: undefined,
        address: BigInt(0x1000 + i),
        lines: [{ function: fn, line: 1 + (i % 50), column: 0 }],
        isFolded: false,
      }));
      const last = locations.length - 1;
      const stacks = [[last, 0, last - 1], [0x7fff, 0x8000, 0xffff], [last]];
      const original: Profile = {
        ...base,
        locations,
        samples: stacks.map((stack, i) => ({
          locations: stack.map((position) => locations[position]!),
          values: [i + 1, 10 * (i + 1)],
          labels: new Map(),
          numLabels: new Map(),
          numUnits: new Map(),
        })),
      };
      const bytes = encodeProfile(original);
      const { profile, columns } = decodeProfileColumns(bytes);
      expect(columns.locationIndex).toBeInstanceOf(locationCount <= 0x10000 ? Uint16Array : Int32Array);
      stacks.forEach((stack, i) => {
        expect(sampleAt(profile, columns, i).ids).toEqual(stack.map((position) => BigInt(position + 1)));
      });
      profile.samples = samplesFromColumns(profile.locations, columns);
      expect(comparableFromModel(profile)).toEqual(comparableFromModel(decodeProfile(bytes)));
    });
  }

  it("refuses a packed varint that runs past the end of its field", () => {
    const profile = (sample: number[]) =>
      new Uint8Array([
        ...[0x0a, 0x04, 0x08, 0x01, 0x10, 0x02], // sample_type {type: 1, unit: 2}
        ...[0x12, sample.length, ...sample],
        ...[0x22, 0x02, 0x08, 0x01], // location {id: 1}
        ...[0x32, 0x00, 0x32, 0x01, 0x61, 0x32, 0x01, 0x62], // strings "", "a", "b"
      ]);
    // Well formed: value 1, location 1.
    const ok = decodeProfileColumns(profile([0x12, 0x01, 0x01, 0x0a, 0x01, 0x01]));
    expect(sampleAt(ok.profile, ok.columns, 0)).toEqual({ ids: [1n], values: [1n] });
    // The value's continuation byte (0x80) points past the packed field, into the next field.
    expect(() => decodeProfileColumns(profile([0x12, 0x01, 0x80, 0x01, 0x0a, 0x01, 0x01]))).toThrow(
      ProfileDecodeError,
    );
    // The same for a location ID.
    expect(() => decodeProfileColumns(profile([0x0a, 0x01, 0x81, 0x01, 0x12, 0x01, 0x01]))).toThrow(
      ProfileDecodeError,
    );
  });

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
