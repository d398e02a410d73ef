/**
 * Small hand-made profiles for unit tests of the operations. Stacks are written root first, as
 * one reads them ("main.main;main.load;main.parse"); each name is one location with one line,
 * unless written "outer+inner" for a location with an inlined call (inner runs inside outer).
 */
import type { Location, Mapping, Profile, ProfileFunction, Sample } from "../../src/profile/model.js";
import { emptyProfile } from "../../src/profile/model.js";

export interface SyntheticSample {
  stack: string;
  values: number[];
  labels?: Record<string, string>;
  numLabels?: Record<string, number>;
}

export function syntheticProfile(
  samples: SyntheticSample[],
  sampleTypes: Array<[string, string]> = [
    ["alloc_objects", "count"],
    ["alloc_space", "bytes"],
    ["inuse_objects", "count"],
    ["inuse_space", "bytes"],
  ],
): Profile {
  const profile = emptyProfile();
  profile.sampleTypes = sampleTypes.map(([type, unit]) => ({ type, unit }));
  profile.periodType = { type: "space", unit: "bytes" };
  profile.period = 524288n;
  const mapping: Mapping = {
    id: 1,
    start: 0x400000n,
    limit: 0x800000n,
    offset: 0n,
    file: "/bin/app",
    buildId: "abc",
    hasFunctions: true,
    hasFilenames: true,
    hasLineNumbers: true,
    hasInlineFrames: true,
  };
  profile.mappings = [mapping];
  const functions = new Map<string, ProfileFunction>();
  const fn = (name: string) => {
    let f = functions.get(name);
    if (!f) {
      f = {
        id: functions.size + 1,
        name,
        systemName: name,
        filename: `/src/${name.split(".")[0]}.go`,
        startLine: 10,
      };
      functions.set(name, f);
      profile.functions.push(f);
    }
    return f;
  };
  const locations = new Map<string, Location>();
  const loc = (frame: string) => {
    let l = locations.get(frame);
    if (!l) {
      // "outer+inner": lines are innermost first.
      const names = frame.split("+").reverse();
      l = {
        id: locations.size + 1,
        mapping,
        address: 0x401000n + BigInt(locations.size * 16),
        lines: names.map((n, i) => ({ function: fn(n), line: 20 + i, column: 0 })),
        isFolded: false,
      };
      locations.set(frame, l);
      profile.locations.push(l);
    }
    return l;
  };
  profile.samples = samples.map(
    (s): Sample => ({
      locations: s.stack.split(";").reverse().map(loc),
      values: s.values.slice(),
      labels: new Map(Object.entries(s.labels ?? {}).map(([k, v]) => [k, [v]])),
      numLabels: new Map(Object.entries(s.numLabels ?? {}).map(([k, v]) => [k, [BigInt(v)]])),
      numUnits: new Map(Object.keys(s.numLabels ?? {}).map((k) => [k, [""]])),
    }),
  );
  return profile;
}

/** Stacks of a profile, root first, with the first value, for compact assertions. */
export function stacks(profile: Profile, valueIndex = 0): string[] {
  return profile.samples.map(
    (s) =>
      `${s.locations
        .slice()
        .reverse()
        .map((l) =>
          l.lines
            .map((line) => line.function?.name ?? "?")
            .reverse()
            .join("+"),
        )
        .join(";")} ${s.values[valueIndex]}`,
  );
}
