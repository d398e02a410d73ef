/**
 * Sample and frame filters with pprof's exact semantics (profile/filter.go, profile/prune.go,
 * driver/driver_focus.go). Regular expressions are unanchored and match a frame's function name,
 * its file name, or the location's mapping file.
 *
 * Every function returns a new profile. Locations whose lines change become new Location objects
 * (same IDs) and the samples that use them are rewritten to point at them.
 */
import { UsageError } from "../errors.js";
import { scaleValue } from "./measurement.js";
import type { Line, Location, Profile, Sample } from "./model.js";

function lineMatches(line: Line, re: RegExp): boolean {
  const fn = line.function;
  return fn !== undefined && (re.test(fn.name) || re.test(fn.filename));
}

/** A location matches when any of its lines (function or file) or its mapping file matches. */
export function locationMatches(location: Location, re: RegExp): boolean {
  for (const line of location.lines) if (lineMatches(line, re)) return true;
  return location.mapping !== undefined && re.test(location.mapping.file);
}

function withLines(location: Location, lines: Line[]): Location {
  return { ...location, lines };
}

/** Rewrites sample location lists through `replaced` (old object → new object). */
function remapLocations(locations: Location[], replaced: Map<Location, Location>): Location[] {
  if (replaced.size === 0) return locations;
  let out: Location[] | undefined;
  for (let i = 0; i < locations.length; i++) {
    const next = replaced.get(locations[i]!);
    if (next) {
      out ??= locations.slice();
      out[i] = next;
    }
  }
  return out ?? locations;
}

function replaceLocationList(profile: Profile, replaced: Map<Location, Location>): Location[] {
  if (replaced.size === 0) return profile.locations;
  return profile.locations.map((l) => replaced.get(l) ?? l);
}

export interface NameFilters {
  focus?: RegExp;
  ignore?: RegExp;
  hide?: RegExp;
  show?: RegExp;
}

export interface NameFilterResult {
  profile: Profile;
  focusMatched: boolean;
  ignoreMatched: boolean;
  hideMatched: boolean;
  showMatched: boolean;
}

/**
 * Keeps samples with a frame matching `focus` and none matching `ignore`; removes lines matching
 * `hide`, or all lines not matching `show` (pprof's FilterSamplesByName).
 */
export function filterSamplesByName(profile: Profile, filters: NameFilters): NameFilterResult {
  const { focus, ignore, hide, show } = filters;
  const result = {
    profile,
    focusMatched: false,
    ignoreMatched: false,
    hideMatched: false,
    showMatched: false,
  };
  if (!focus && !ignore && !hide && !show) {
    result.focusMatched = true;
    return result;
  }
  const focusOrIgnore = new Map<Location, boolean>();
  const hidden = new Set<Location>();
  const replaced = new Map<Location, Location>();
  for (const original of profile.locations) {
    if (ignore && locationMatches(original, ignore)) {
      result.ignoreMatched = true;
      focusOrIgnore.set(original, false);
    } else if (!focus || locationMatches(original, focus)) {
      result.focusMatched = true;
      focusOrIgnore.set(original, true);
    }
    let lines = original.lines;
    if (hide && locationMatches(original, hide)) {
      result.hideMatched = true;
      lines =
        original.mapping !== undefined && hide.test(original.mapping.file)
          ? []
          : lines.filter((l) => !lineMatches(l, hide));
      if (lines.length === 0) hidden.add(original);
    }
    if (show) {
      if (!(original.mapping !== undefined && show.test(original.mapping.file))) {
        lines = lines.filter((l) => l.function === undefined || lineMatches(l, show));
      }
      if (lines.length === 0) hidden.add(original);
      else result.showMatched = true;
    }
    if (lines !== original.lines) replaced.set(original, withLines(original, lines));
  }
  const samples: Sample[] = [];
  for (const sample of profile.samples) {
    if (!focusedAndNotIgnored(sample.locations, focusOrIgnore)) continue;
    let locations = sample.locations;
    if (hidden.size > 0) {
      locations = locations.filter((l) => !hidden.has(l));
      if (locations.length === 0) continue;
    }
    locations = remapLocations(locations, replaced);
    samples.push(locations === sample.locations ? sample : { ...sample, locations });
  }
  result.profile = { ...profile, samples, locations: replaceLocationList(profile, replaced) };
  return result;
}

function focusedAndNotIgnored(locations: Location[], marks: Map<Location, boolean>): boolean {
  let focused = false;
  for (const l of locations) {
    const mark = marks.get(l);
    if (mark === true) focused = true;
    else if (mark === false) return false;
  }
  return focused;
}

/**
 * Drops the frames rootward of the highest frame matching `re` and samples without a match
 * (pprof's ShowFrom). Within a location, inlined callers above the last matching line go too.
 */
export function showFrom(profile: Profile, re: RegExp): { profile: Profile; matched: boolean } {
  let matched = false;
  const matching = new Set<Location>();
  const replaced = new Map<Location, Location>();
  for (const original of profile.locations) {
    if (original.mapping !== undefined && re.test(original.mapping.file)) {
      matching.add(original);
      matched = true;
      continue;
    }
    for (let i = original.lines.length - 1; i >= 0; i--) {
      if (lineMatches(original.lines[i]!, re)) {
        if (i + 1 !== original.lines.length)
          replaced.set(original, withLines(original, original.lines.slice(0, i + 1)));
        matching.add(original);
        matched = true;
        break;
      }
    }
  }
  const samples: Sample[] = [];
  for (const sample of profile.samples) {
    for (let i = sample.locations.length - 1; i >= 0; i--) {
      if (matching.has(sample.locations[i]!)) {
        const locations = remapLocations(sample.locations.slice(0, i + 1), replaced);
        samples.push({ ...sample, locations });
        break;
      }
    }
  }
  return { profile: { ...profile, samples, locations: replaceLocationList(profile, replaced) }, matched };
}

const bracketRe = /\(anonymous namespace\)|operator\(\)|\(/g;

/** pprof's simplifyFunc: drops a leading "." and everything from the first "(" of an argument list. */
export function simplifyFunctionName(name: string): string {
  let text = name.startsWith(".") ? name.slice(1) : name;
  bracketRe.lastIndex = 0;
  for (let m = bracketRe.exec(text); m !== null; m = bracketRe.exec(text)) {
    if (m[0] !== "(anonymous namespace)" && m[0] !== "operator()") {
      text = text.slice(0, m.index);
      break;
    }
  }
  return text;
}

/**
 * Drops the callees of the leaf-most frame matching `re`, so its cost lands on that frame
 * (pprof's PruneFrom). Names are matched without their argument lists.
 */
export function pruneFrom(profile: Profile, re: RegExp): Profile {
  const pruneBeneath = new Set<Location>();
  const replaced = new Map<Location, Location>();
  for (const original of profile.locations) {
    for (let i = 0; i < original.lines.length; i++) {
      const fn = original.lines[i]!.function;
      if (fn && fn.name !== "" && re.test(simplifyFunctionName(fn.name))) {
        pruneBeneath.add(original);
        if (i > 0) replaced.set(original, withLines(original, original.lines.slice(i)));
        break;
      }
    }
  }
  const samples = profile.samples.map((sample) => {
    let locations = sample.locations;
    for (let i = 0; i < locations.length; i++) {
      if (pruneBeneath.has(locations[i]!)) {
        locations = locations.slice(i);
        break;
      }
    }
    locations = remapLocations(locations, replaced);
    return locations === sample.locations ? sample : { ...sample, locations };
  });
  return { ...profile, samples, locations: replaceLocationList(profile, replaced) };
}

export type SamplePredicate = (sample: Sample) => boolean;

/** Keeps samples matching `focus` and not matching `ignore` (pprof's FilterSamplesByTag). */
export function filterSamplesByTag(
  profile: Profile,
  focus: SamplePredicate | undefined,
  ignore: SamplePredicate | undefined,
): { profile: Profile; focusMatched: boolean; ignoreMatched: boolean } {
  let focusMatched = false;
  let ignoreMatched = false;
  const samples: Sample[] = [];
  for (const s of profile.samples) {
    const focused = focus ? focus(s) : true;
    const ignored = ignore ? ignore(s) : false;
    focusMatched ||= focused;
    ignoreMatched ||= ignored;
    if (focused && !ignored) samples.push(s);
  }
  return { profile: { ...profile, samples }, focusMatched, ignoreMatched };
}

/**
 * Units of numeric labels (pprof's NumLabelUnits): the first unit seen per key, else inferred from
 * the key ("request" and "alignment" are bytes, anything else is named after the key).
 */
export function numLabelUnits(profile: Profile): {
  units: Map<string, string>;
  ignored: Map<string, string[]>;
} {
  const units = new Map<string, string>();
  const ignoredSets = new Map<string, Set<string>>();
  const keys = new Set<string>();
  for (const s of profile.samples) {
    if (s.numLabels.size === 0) continue;
    for (const key of s.numLabels.keys()) {
      keys.add(key);
      for (const unit of s.numUnits.get(key) ?? []) {
        if (unit === "") continue;
        const want = units.get(key);
        if (want === undefined) units.set(key, unit);
        else if (want !== unit) {
          let set = ignoredSets.get(key);
          if (!set) ignoredSets.set(key, (set = new Set()));
          set.add(unit);
        }
      }
    }
  }
  for (const key of keys) {
    if ((units.get(key) ?? "") === "") {
      units.set(key, key === "alignment" || key === "request" ? "bytes" : key);
    }
  }
  const ignored = new Map<string, string[]>();
  for (const [key, set] of ignoredSets) ignored.set(key, [...set].sort());
  return { units, ignored };
}

export interface CompiledTagFilter {
  predicate: SamplePredicate;
  /** pprof's note on stderr when the value was read as a numeric range. */
  note?: string;
}

const rangeRe = /([+-]?[0-9]+)([A-Za-z]+)?/g;

/**
 * Parses a numeric tag range ("32kb", ":64kb", "4mb:", "12kb:64mb"); undefined when the text is
 * not one, in which case it is a list of regular expressions.
 */
export function parseTagRange(filter: string): ((value: bigint, unit: string) => boolean) | undefined {
  const ranges: RegExpExecArray[] = [];
  rangeRe.lastIndex = 0;
  for (let m = rangeRe.exec(filter); m !== null && ranges.length < 2; m = rangeRe.exec(filter))
    ranges.push(m);
  if (ranges.length === 0) return undefined;
  const first = ranges[0]!;
  const [scaled, unit] = scaleValue(Number.parseInt(first[1]!, 10), first[2] ?? "", first[2] ?? "");
  const scaleLabel = (v: bigint, u: string) => scaleValue(Number(v), u, unit);
  if (ranges.length === 1) {
    const match = first[0];
    if (filter === match) {
      return (v, u) => {
        const [sv, su] = scaleLabel(v, u);
        return su === unit && sv === scaled;
      };
    }
    if (filter === `${match}:`) {
      return (v, u) => {
        const [sv, su] = scaleLabel(v, u);
        return su === unit && sv >= scaled;
      };
    }
    if (filter === `:${match}`) {
      return (v, u) => {
        const [sv, su] = scaleLabel(v, u);
        return su === unit && sv <= scaled;
      };
    }
    return undefined;
  }
  const second = ranges[1]!;
  if (filter !== `${first[0]}:${second[0]}`) return undefined;
  const [scaled2, unit2] = scaleValue(Number.parseInt(second[1]!, 10), second[2] ?? "", unit);
  if (unit2 !== unit) return undefined;
  return (v, u) => {
    const [sv, su] = scaleLabel(v, u);
    return su === unit && sv >= scaled && sv <= scaled2;
  };
}

/**
 * Compiles a `--tagfocus`/`--tagignore` value: `[key=]value`, where value is a numeric range or a
 * comma-separated list of regular expressions. Without a key, each regex must match some
 * `key:value` string label.
 */
export function compileTagFilter(
  name: string,
  spec: string,
  units: Map<string, string>,
  compile: (source: string, what: string) => RegExp,
): CompiledTagFilter {
  let value = spec;
  let wantKey = "";
  const eq = spec.indexOf("=");
  if (eq >= 0) {
    wantKey = spec.slice(0, eq);
    value = spec.slice(eq + 1);
  }
  const numeric = parseTagRange(value);
  if (numeric) {
    const note = `${name}:Interpreted '${value}' as range, not regexp`;
    const anyMatches = (values: bigint[], unit: string) => values.some((v) => numeric(v, unit));
    if (wantKey === "") {
      return {
        note,
        predicate: (s) => {
          for (const [key, values] of s.numLabels) if (anyMatches(values, units.get(key) ?? "")) return true;
          return false;
        },
      };
    }
    return {
      note,
      predicate: (s) => {
        const values = s.numLabels.get(wantKey);
        return values !== undefined && anyMatches(values, units.get(wantKey) ?? "");
      },
    };
  }
  const regexps = value.split(",").map((part) => compile(part, name));
  if (wantKey === "") {
    return {
      predicate: (s) =>
        regexps.every((re) => {
          for (const [key, values] of s.labels) {
            for (const v of values) if (re.test(`${key}:${v}`)) return true;
          }
          return false;
        }),
    };
  }
  return {
    predicate: (s) => {
      const values = s.labels.get(wantKey);
      if (values === undefined) return false;
      return regexps.some((re) => values.some((v) => re.test(v)));
    },
  };
}

/** Throws a usage error naming the option when a regex cannot be compiled. */
export function requireRegexp(
  value: string | undefined,
  what: string,
  compile: (s: string, w: string) => RegExp,
) {
  if (value === undefined || value === "") return undefined;
  try {
    return compile(value, what);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`parsing ${what} regexp: ${(error as Error).message}`);
  }
}
