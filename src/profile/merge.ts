/**
 * Combining profiles the way pprof does (profile/merge.go, measurement.ScaleProfiles,
 * driver.combineProfiles): sample types are first reduced to the ones every profile has, units are
 * scaled to the finest common unit, then samples with identical stacks and labels are summed.
 * The result is compacted: only referenced locations, functions and mappings remain, renumbered
 * densely in order of first use, so `raw` output matches pprof's.
 */
import { UsageError } from "../errors.js";
import { compatibleUnits, scaleValue } from "./measurement.js";
import type { Line, Location, Mapping, Profile, ProfileFunction, Sample, ValueType } from "./model.js";
import { scaleProfileN } from "./scale.js";

/** Merges profiles into a new, compacted profile (pprof's profile.Merge). Inputs are not modified. */
export function mergeProfiles(sources: Profile[]): Profile {
  if (sources.length === 0) throw new UsageError("no profiles to merge");
  const merged = combineHeaders(sources);
  const merger = new ProfileMerger(merged);
  for (const source of sources) {
    merger.startSource();
    if (merger.mappingCount() === 0 && source.mappings.length > 0) merger.mapMapping(source.mappings[0]);
    for (const sample of source.samples) {
      if (!isZeroSample(sample)) merger.mapSample(sample);
    }
  }
  if (merged.samples.some(isZeroSample)) return mergeProfiles([merged]);
  return merged;
}

/** pprof's Compact: a merge of one profile, dropping unreferenced entities and zero samples. */
export function compactProfile(profile: Profile): Profile {
  return mergeProfiles([profile]);
}

export function isZeroSample(sample: Sample): boolean {
  for (const v of sample.values) if (v !== 0) return false;
  return true;
}

function valueTypeText(t: ValueType | undefined): string {
  return t ? `${t.type}/${t.unit}` : "<nil>";
}

function sameValueType(a: ValueType | undefined, b: ValueType | undefined): boolean {
  const x = a ?? { type: "", unit: "" };
  const y = b ?? { type: "", unit: "" };
  return x.type === y.type && x.unit === y.unit;
}

/** Throws when two profiles cannot be merged or compared (pprof's Profile.compatible). */
export function checkCompatible(a: Profile, b: Profile): void {
  if (!sameValueType(a.periodType, b.periodType)) {
    throw new UsageError(
      `incompatible period types ${valueTypeText(a.periodType)} and ${valueTypeText(b.periodType)}`,
    );
  }
  const sameTypes =
    a.sampleTypes.length === b.sampleTypes.length &&
    a.sampleTypes.every((t, i) => sameValueType(t, b.sampleTypes[i]));
  if (!sameTypes) {
    throw new UsageError(
      `incompatible sample types [${a.sampleTypes.map(valueTypeText).join(" ")}] and [${b.sampleTypes.map(valueTypeText).join(" ")}]`,
    );
  }
}

function combineHeaders(sources: Profile[]): Profile {
  const first = sources[0]!;
  for (const other of sources.slice(1)) checkCompatible(first, other);
  let timeNanos = 0n;
  let durationNanos = 0n;
  let period = 0n;
  const comments: string[] = [];
  const seenComments = new Set<string>();
  let docUrl = "";
  let defaultSampleType = "";
  for (const source of sources) {
    if (timeNanos === 0n || source.timeNanos < timeNanos) timeNanos = source.timeNanos;
    durationNanos += source.durationNanos;
    if (period === 0n || period < source.period) period = source.period;
    for (const comment of source.comments) {
      if (!seenComments.has(comment)) {
        comments.push(comment);
        seenComments.add(comment);
      }
    }
    if (defaultSampleType === "") defaultSampleType = source.defaultSampleType;
    if (docUrl === "") docUrl = source.docUrl;
  }
  return {
    sampleTypes: first.sampleTypes.map((t) => ({ ...t })),
    samples: [],
    mappings: [],
    locations: [],
    functions: [],
    dropFrames: first.dropFrames,
    keepFrames: first.keepFrames,
    timeNanos,
    durationNanos,
    periodType: first.periodType ? { ...first.periodType } : undefined,
    period,
    comments,
    defaultSampleType,
    docUrl,
  };
}

interface MappingInfo {
  mapping: Mapping | undefined;
  offset: bigint;
}

const u64 = (v: bigint) => BigInt.asUintN(64, v);

class ProfileMerger {
  private readonly samples = new Map<string, Sample>();
  private readonly locations = new Map<string, Location>();
  private readonly functions = new Map<string, ProfileFunction>();
  private readonly mappings = new Map<string, Mapping>();
  // Per-source memo tables, keyed by the source's own objects.
  private locationsBySource = new Map<Location, Location>();
  private functionsBySource = new Map<ProfileFunction, ProfileFunction>();
  private mappingsBySource = new Map<Mapping, MappingInfo>();

  constructor(private readonly out: Profile) {}

  startSource(): void {
    this.locationsBySource = new Map();
    this.functionsBySource = new Map();
    this.mappingsBySource = new Map();
  }

  mappingCount(): number {
    return this.mappings.size;
  }

  mapSample(src: Sample): void {
    const mappedLocations = src.locations.map((l) => this.mapLocation(l));
    const key = sampleKey(mappedLocations, src);
    const existing = this.samples.get(key);
    if (existing) {
      for (let i = 0; i < src.values.length; i++) existing.values[i]! += src.values[i]!;
      return;
    }
    const labels = new Map<string, string[]>();
    for (const [k, v] of src.labels) labels.set(k, v.slice());
    const numLabels = new Map<string, bigint[]>();
    const numUnits = new Map<string, string[]>();
    for (const [k, v] of src.numLabels) {
      numLabels.set(k, v.slice());
      numUnits.set(k, (src.numUnits.get(k) ?? []).slice());
    }
    const sample: Sample = {
      locations: mappedLocations,
      values: src.values.slice(),
      labels,
      numLabels,
      numUnits,
    };
    this.samples.set(key, sample);
    this.out.samples.push(sample);
  }

  mapLocation(src: Location): Location {
    const known = this.locationsBySource.get(src);
    if (known) return known;
    const info = this.mapMapping(src.mapping);
    const location: Location = {
      id: this.out.locations.length + 1,
      mapping: info.mapping,
      address: u64(src.address + info.offset),
      lines: src.lines.map((line) => this.mapLine(line)),
      isFolded: src.isFolded,
    };
    const key = locationKey(location);
    const existing = this.locations.get(key);
    if (existing) {
      this.locationsBySource.set(src, existing);
      return existing;
    }
    this.locationsBySource.set(src, location);
    this.locations.set(key, location);
    this.out.locations.push(location);
    return location;
  }

  mapMapping(src: Mapping | undefined): MappingInfo {
    if (!src) return { mapping: undefined, offset: 0n };
    const known = this.mappingsBySource.get(src);
    if (known) return known;
    const key = mappingKey(src);
    const existing = this.mappings.get(key);
    if (existing) {
      const info = {
        mapping: existing,
        offset: BigInt.asIntN(64, existing.start) - BigInt.asIntN(64, src.start),
      };
      this.mappingsBySource.set(src, info);
      return info;
    }
    const mapping: Mapping = { ...src, id: this.out.mappings.length + 1 };
    this.out.mappings.push(mapping);
    this.mappings.set(key, mapping);
    const info = { mapping, offset: 0n };
    this.mappingsBySource.set(src, info);
    return info;
  }

  private mapLine(src: Line): Line {
    return { function: this.mapFunction(src.function), line: src.line, column: src.column };
  }

  private mapFunction(src: ProfileFunction | undefined): ProfileFunction | undefined {
    if (!src) return undefined;
    const known = this.functionsBySource.get(src);
    if (known) return known;
    const key = `${src.startLine}\u0000${src.name}\u0000${src.systemName}\u0000${src.filename}`;
    const existing = this.functions.get(key);
    if (existing) {
      this.functionsBySource.set(src, existing);
      return existing;
    }
    const fn: ProfileFunction = {
      id: this.out.functions.length + 1,
      name: src.name,
      systemName: src.systemName,
      filename: src.filename,
      startLine: src.startLine,
    };
    this.functions.set(key, fn);
    this.functionsBySource.set(src, fn);
    this.out.functions.push(fn);
    return fn;
  }
}

/** Labels and numeric labels in pprof's merge key: keys sorted, every value, units only when given. */
function sampleKey(locations: Location[], sample: Sample): string {
  let key = "";
  for (const l of locations) key += `${l.id},`;
  key += "|";
  if (sample.labels.size > 0) {
    for (const k of sortedKeys(sample.labels)) {
      const values = sample.labels.get(k)!;
      key += `${JSON.stringify(k)}:${JSON.stringify(values)};`;
    }
  }
  key += "|";
  if (sample.numLabels.size > 0) {
    for (const k of sortedKeys(sample.numLabels)) {
      const values = sample.numLabels.get(k)!;
      const units = sample.numUnits.get(k) ?? [];
      const givenUnits = units.some((u) => u !== "") ? units : [];
      key += `${JSON.stringify(k)}:${values.join(",")}:${JSON.stringify(givenUnits)};`;
    }
  }
  return key;
}

function sortedKeys<T>(map: Map<string, T>): string[] {
  return [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * pprof's location key, including its quirk: the per-line slots overlap (index i*2, i*2+1, i*2+2
 * in an array of 3 per line), so it is reproduced literally to merge exactly the same locations.
 */
function locationKey(location: Location): string {
  let addr = location.address;
  let mappingId = 0;
  if (location.mapping) {
    addr = u64(addr - location.mapping.start);
    mappingId = location.mapping.id;
  }
  const slots: string[] = new Array(location.lines.length * 3).fill("");
  location.lines.forEach((line, i) => {
    if (line.function) slots[i * 2] = line.function.id.toString(16);
    slots[i * 2 + 1] = line.line.toString(16);
    slots[i * 2 + 2] = line.column.toString(16);
  });
  return `${addr}\u0000${mappingId}\u0000${location.isFolded ? 1 : 0}\u0000${slots.join("|")}`;
}

function mappingKey(mapping: Mapping): string {
  const rounding = 0x1000n;
  let size = u64(mapping.limit - mapping.start);
  size = u64(size + rounding - 1n);
  size = u64(size - (size % rounding));
  const buildIdOrFile = mapping.buildId !== "" ? mapping.buildId : mapping.file;
  return `${size}\u0000${mapping.offset}\u0000${buildIdOrFile}`;
}

/**
 * Keeps only the sample types every profile has, in the first profile's order, as pprof's
 * CompatibilizeSampleTypes does. Returns new profiles (inputs unchanged when nothing changes).
 */
export function compatibilizeSampleTypes(profiles: Profile[]): Profile[] {
  const counts = new Map<string, number>();
  for (const p of profiles) for (const t of p.sampleTypes) counts.set(t.type, (counts.get(t.type) ?? 0) + 1);
  const common = profiles[0]!.sampleTypes.map((t) => t.type).filter((t) => counts.get(t) === profiles.length);
  if (common.length === 0) throw new UsageError("profiles have empty common sample type list");
  return profiles.map((p) => {
    let defaultSampleType = common[0]!;
    const remap: number[] = [];
    let needToModify = false;
    common.forEach((type, i) => {
      if (type === p.defaultSampleType) defaultSampleType = p.defaultSampleType;
      const index = p.sampleTypes.findIndex((t) => t.type === type);
      if (index < 0) throw new UsageError(`"${type}" sample type is not found in profile`);
      remap.push(index);
      if (index !== i) needToModify = true;
    });
    if (!needToModify && common.length === p.sampleTypes.length) return p;
    return {
      ...p,
      defaultSampleType,
      sampleTypes: remap.map((i) => p.sampleTypes[i]!),
      samples: p.samples.map((s) => ({
        ...s,
        values: remap.map((i) => s.values[i]!),
        exactValues: undefined,
      })),
    };
  });
}

function trimS(text: string): string {
  return text.endsWith("s") ? text.slice(0, -1) : text;
}

function compatibleValueTypes(a: ValueType | undefined, b: ValueType | undefined): boolean {
  if (!a || !b) return true;
  if (trimS(a.type) !== trimS(b.type)) return false;
  return compatibleUnits(a.unit, b.unit);
}

/** The finest of a set of compatible value types (pprof's CommonValueType); undefined for ≤ 1. */
function commonValueType(types: ValueType[]): ValueType | undefined {
  if (types.length <= 1) return undefined;
  let min = types[0]!;
  for (const t of types.slice(1)) {
    if (!compatibleValueTypes(min, t)) {
      throw new UsageError(`incompatible types: {${min.type} ${min.unit}} {${t.type} ${t.unit}}`);
    }
    const [ratio] = scaleValue(1, t.unit, min.unit);
    if (ratio < 1) min = t;
  }
  return { ...min };
}

/** Scales profiles to common units before a merge (pprof's measurement.ScaleProfiles). */
export function scaleProfilesToCommonUnits(profiles: Profile[]): Profile[] {
  if (profiles.length === 0) return profiles;
  const periodTypes = profiles.flatMap((p) => (p.periodType ? [p.periodType] : []));
  let periodType: ValueType | undefined;
  try {
    periodType = commonValueType(periodTypes);
  } catch (error) {
    throw new UsageError(`period type: ${(error as Error).message}`);
  }
  const count = profiles[0]!.sampleTypes.length;
  for (const p of profiles.slice(1)) {
    if (p.sampleTypes.length !== count) {
      throw new UsageError(`inconsistent samples type count: ${count} != ${p.sampleTypes.length}`);
    }
  }
  const sampleTypes: Array<ValueType | undefined> = [];
  for (let i = 0; i < count; i++) {
    try {
      sampleTypes.push(commonValueType(profiles.map((p) => p.sampleTypes[i]!)));
    } catch (error) {
      throw new UsageError(`sample types: ${(error as Error).message}`);
    }
  }
  return profiles.map((p) => {
    let result = p;
    if (p.periodType && periodType && p.periodType.unit !== periodType.unit) {
      const [period] = scaleValue(Number(p.period), p.periodType.unit, periodType.unit);
      result = {
        ...result,
        period: BigInt(Math.trunc(period)),
        periodType: { ...p.periodType, unit: periodType.unit },
      };
    }
    const ratios = p.sampleTypes.map((t, i) => {
      const target = sampleTypes[i];
      return target ? scaleValue(1, t.unit, target.unit)[0] : 1;
    });
    const units = p.sampleTypes.map((t, i) => sampleTypes[i]?.unit ?? t.unit);
    if (units.some((u, i) => u !== p.sampleTypes[i]!.unit)) {
      result = { ...result, sampleTypes: p.sampleTypes.map((t, i) => ({ type: t.type, unit: units[i]! })) };
    }
    return scaleProfileN(result, ratios);
  });
}

/**
 * pprof's driver.combineProfiles: compatibilize, scale to common units, then merge (skipped for a
 * single profile, so its IDs stay as they were).
 */
export function combineProfiles(profiles: Profile[]): Profile {
  const compatible = scaleProfilesToCommonUnits(compatibilizeSampleTypes(profiles));
  if (compatible.length === 1) return compatible[0]!;
  return mergeProfiles(compatible);
}
