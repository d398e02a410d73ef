/**
 * Property tests: arbitrary profiles, with negative and beyond-2^53 values, sparse IDs, empty line
 * arrays, locations without mappings, labels of every kind and any Unicode, survive
 * encodeProfile → decodeProfile unchanged, and decode the same from an independent writer that
 * packs or unpacks repeated fields, shuffles top-level fields and adds unknown ones.
 */
import fc from "fast-check";
import { Profile as PprofFormatProfile } from "pprof-format";
import { describe, expect, it } from "vitest";
import { decodeProfile } from "../../src/formats/pprof-proto-decode.js";
import { encodeProfile } from "../../src/formats/pprof-proto-encode.js";
import type { Location, Mapping, Profile, ProfileFunction, Sample } from "../../src/profile/model.js";
import { comparableFromModel, comparableFromPprofFormat } from "./support/comparable.js";
import { encodeLoose } from "./support/loose-encoder.js";

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** int64 values weighted towards the edges: small, around ±2^53, and the extremes. */
const int64 = fc.oneof(
  fc.bigInt({ min: -1000n, max: 1000n }),
  fc.bigInt({ min: (1n << 53n) - 5n, max: (1n << 53n) + 5n }),
  fc.bigInt({ min: -(1n << 53n) - 5n, max: -(1n << 53n) + 5n }),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  fc.constantFrom(INT64_MIN, INT64_MAX, -1n, 0n),
);
const uint64 = fc.oneof(
  fc.bigInt({ min: 0n, max: 1n << 32n }),
  fc.bigInt({ min: 0n, max: UINT64_MAX }),
  fc.constantFrom(0n, UINT64_MAX, 1n << 63n),
);
const safeInt = fc.oneof(fc.integer({ min: -100, max: 100_000 }), fc.maxSafeInteger(), fc.maxSafeNat());
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: "binary", maxLength: 8 }));
const nonEmptyText = text.filter((s) => s !== "");
/** IDs: nonzero, unique, sparse (some beyond the dense range, some huge). */
const ids = (maxLength: number) =>
  fc.uniqueArray(fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 2 ** 53 - 1 })), {
    maxLength,
  });

const profileArbitrary: fc.Arbitrary<Profile> = fc
  .record({
    sampleTypes: fc.array(fc.record({ type: text, unit: text }), { minLength: 1, maxLength: 4 }),
    functionIds: ids(8),
    mappingIds: ids(4),
    locationIds: ids(10),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    dropFrames: text,
    keepFrames: text,
    timeNanos: int64,
    durationNanos: int64,
    periodType: fc.option(
      fc.record({ type: text, unit: text }).filter((t) => t.type !== "" || t.unit !== ""),
      { nil: undefined },
    ),
    period: int64,
    comments: fc.array(text, { maxLength: 3 }),
    defaultSampleType: text,
    docUrl: text,
  })
  .chain((base) => {
    const functionArb = (id: number) =>
      fc
        .record({ name: text, systemName: text, filename: text, startLine: safeInt })
        .map((f): ProfileFunction => ({ id, ...f }));
    const mappingArb = (id: number) =>
      fc
        .record({
          start: uint64,
          limit: uint64,
          offset: uint64,
          file: text,
          buildId: text,
          flags: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        })
        .map(
          (m): Mapping => ({
            id,
            start: m.start,
            limit: m.limit,
            offset: m.offset,
            file: m.file,
            buildId: m.buildId,
            hasFunctions: m.flags[0]!,
            hasFilenames: m.flags[1]!,
            hasLineNumbers: m.flags[2]!,
            hasInlineFrames: m.flags[3]!,
          }),
        );
    return fc
      .record({
        functions: fc.tuple(...base.functionIds.map(functionArb)),
        mappings: fc.tuple(...base.mappingIds.map(mappingArb)),
      })
      .chain(({ functions, mappings }) => {
        const locationArb = (id: number) =>
          fc
            .record({
              mapping: mappings.length
                ? fc.option(fc.constantFrom(...mappings), { nil: undefined })
                : fc.constant(undefined),
              address: uint64,
              lines: functions.length
                ? fc.array(
                    fc.record({ function: fc.constantFrom(...functions), line: safeInt, column: safeInt }),
                    {
                      maxLength: 4,
                    },
                  )
                : fc.constant<{ function: ProfileFunction; line: number; column: number }[]>([]),
              isFolded: fc.boolean(),
            })
            .map((l): Location => ({ id, ...l }));
        return fc.tuple(...base.locationIds.map(locationArb)).chain((locations) => {
          const sampleArb = fc
            .record({
              locations: locations.length
                ? fc.array(fc.constantFrom(...locations), { maxLength: 6 })
                : fc.constant<Location[]>([]),
              values: fc.array(int64, {
                minLength: base.sampleTypes.length,
                maxLength: base.sampleTypes.length,
              }),
              labels: fc.array(fc.tuple(text, fc.array(nonEmptyText, { minLength: 1, maxLength: 2 })), {
                maxLength: 3,
              }),
              numLabels: fc.array(
                fc.tuple(
                  text,
                  fc.array(fc.tuple(int64, fc.option(text, { nil: undefined })), {
                    minLength: 1,
                    maxLength: 3,
                  }),
                ),
                { maxLength: 2 },
              ),
            })
            .map((s) => toSample(s));
          return fc.array(sampleArb, { maxLength: 8 }).map(
            (samples): Profile => ({
              sampleTypes: base.sampleTypes,
              samples,
              mappings,
              locations,
              functions,
              dropFrames: base.dropFrames,
              keepFrames: base.keepFrames,
              timeNanos: base.timeNanos,
              durationNanos: base.durationNanos,
              periodType: base.periodType,
              period: base.period,
              comments: base.comments,
              defaultSampleType: base.defaultSampleType,
              docUrl: base.docUrl,
            }),
          );
        });
      });
  });

/**
 * Builds a sample in the canonical form decoding yields: labels with an empty value or a zero number
 * without unit do not exist in profile.proto, and keys without any unit have no numUnits entry.
 */
function toSample(s: {
  locations: Location[];
  values: bigint[];
  labels: [string, string[]][];
  numLabels: [string, [bigint, string | undefined][]][];
}): Sample {
  const labels = new Map<string, string[]>();
  for (const [key, values] of s.labels) labels.set(key, [...(labels.get(key) ?? []), ...values]);
  const numLabels = new Map<string, bigint[]>();
  const numUnits = new Map<string, string[]>();
  for (const [key, entries] of s.numLabels) {
    for (const [value, unit] of entries) {
      if (value === 0n && !unit) continue;
      const values = numLabels.get(key) ?? [];
      const units = numUnits.get(key) ?? [];
      while (units.length < values.length) units.push("");
      values.push(value);
      units.push(unit ?? "");
      numLabels.set(key, values);
      numUnits.set(key, units);
    }
  }
  for (const [key, units] of [...numUnits]) {
    if (units.every((u) => u === "")) numUnits.delete(key);
    else while (units.length < numLabels.get(key)!.length) units.push("");
  }
  const values = s.values.map(Number);
  const sample: Sample = { locations: s.locations, values, labels, numLabels, numUnits };
  if (s.values.some((v) => !Number.isSafeInteger(Number(v)))) sample.exactValues = s.values;
  return sample;
}

const comparable = (p: Profile) => ({ ...comparableFromModel(p), docUrl: p.docUrl });

describe("profile.proto round trips", () => {
  it("encodeProfile → decodeProfile returns the same profile", () => {
    fc.assert(
      fc.property(profileArbitrary, (profile) => {
        const decoded = decodeProfile(encodeProfile(profile));
        expect(comparable(decoded)).toEqual(comparable(profile));
        // Object identity is resolved: lines point at function objects of the decoded profile.
        for (const location of decoded.locations) {
          for (const line of location.lines) expect(decoded.functions).toContain(line.function);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("decodes an independent writer's packed and unpacked, reordered output the same", () => {
    fc.assert(
      fc.property(
        profileArbitrary,
        fc.constantFrom(true, false, "mixed" as const),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        (profile, packed, seed, unknownFields) => {
          const decoded = decodeProfile(encodeLoose(profile, { packed, seed, unknownFields }));
          expect(comparable(decoded)).toEqual(comparable(profile));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("matches pprof-format on heapscope's encoding", () => {
    fc.assert(
      fc.property(profileArbitrary, (profile) => {
        const bytes = encodeProfile(profile);
        expect(comparableFromModel(decodeProfile(bytes))).toEqual(
          comparableFromPprofFormat(PprofFormatProfile.decode(bytes)),
        );
      }),
      { numRuns: 150 },
    );
  });

  it("keeps exact values only when a value is beyond 2^53", () => {
    fc.assert(
      fc.property(profileArbitrary, (profile) => {
        for (const sample of decodeProfile(encodeProfile(profile)).samples) {
          const unsafe = sample.values.some((v) => !Number.isSafeInteger(v));
          expect(sample.exactValues !== undefined).toBe(unsafe);
        }
      }),
      { numRuns: 100 },
    );
  });
});
