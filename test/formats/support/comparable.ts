/**
 * Plain, ID-based views of a profile for deep comparison: one from heapscope's model, one from
 * pprof-format's raw decode (resolved independently here, with pprof's label rules and the signed
 * reading of int64 fields that pprof-format lacks).
 */
import type { Profile as PprofFormatProfile } from "pprof-format";
import type { Profile } from "../../../src/profile/model.js";

export interface ComparableProfile {
  sampleTypes: { type: string; unit: string }[];
  samples: {
    locationIds: bigint[];
    values: bigint[];
    labels: [string, string[]][];
    numLabels: [string, bigint[]][];
    numUnits: [string, string[]][];
  }[];
  mappings: {
    id: bigint;
    start: bigint;
    limit: bigint;
    offset: bigint;
    file: string;
    buildId: string;
    flags: boolean[];
  }[];
  locations: {
    id: bigint;
    mappingId: bigint;
    address: bigint;
    lines: { functionId: bigint; line: bigint; column: bigint }[];
    isFolded: boolean;
  }[];
  functions: { id: bigint; name: string; systemName: string; filename: string; startLine: bigint }[];
  dropFrames: string;
  keepFrames: string;
  timeNanos: bigint;
  durationNanos: bigint;
  periodType: { type: string; unit: string } | undefined;
  period: bigint;
  comments: string[];
  defaultSampleType: string;
}

const sortedEntries = <V>(map: Map<string, V>): [string, V][] =>
  [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export function comparableFromModel(p: Profile): ComparableProfile {
  return {
    sampleTypes: p.sampleTypes.map((t) => ({ type: t.type, unit: t.unit })),
    samples: p.samples.map((s) => ({
      locationIds: s.locations.map((l) => BigInt(l.id)),
      values: s.exactValues ? [...s.exactValues] : s.values.map((v) => BigInt(v)),
      labels: sortedEntries(s.labels).map(([k, v]) => [k, [...v]]),
      numLabels: sortedEntries(s.numLabels).map(([k, v]) => [k, [...v]]),
      numUnits: sortedEntries(s.numUnits).map(([k, v]) => [k, [...v]]),
    })),
    mappings: p.mappings.map((m) => ({
      id: BigInt(m.id),
      start: m.start,
      limit: m.limit,
      offset: m.offset,
      file: m.file,
      buildId: m.buildId,
      flags: [m.hasFunctions, m.hasFilenames, m.hasLineNumbers, m.hasInlineFrames],
    })),
    locations: p.locations.map((l) => ({
      id: BigInt(l.id),
      mappingId: BigInt(l.mapping?.id ?? 0),
      address: l.address,
      lines: l.lines.map((line) => ({
        functionId: BigInt(line.function?.id ?? 0),
        line: BigInt(line.line),
        column: BigInt(line.column),
      })),
      isFolded: l.isFolded,
    })),
    functions: p.functions.map((f) => ({
      id: BigInt(f.id),
      name: f.name,
      systemName: f.systemName,
      filename: f.filename,
      startLine: BigInt(f.startLine),
    })),
    dropFrames: p.dropFrames,
    keepFrames: p.keepFrames,
    timeNanos: p.timeNanos,
    durationNanos: p.durationNanos,
    periodType: p.periodType ? { ...p.periodType } : undefined,
    period: p.period,
    comments: [...p.comments],
    defaultSampleType: p.defaultSampleType,
  };
}

/** pprof-format reads every varint as unsigned; int64 fields need their sign back. */
const int64 = (value: number | bigint): bigint => BigInt.asIntN(64, BigInt(value));
const uint64 = (value: number | bigint): bigint => BigInt.asUintN(64, BigInt(value));

export function comparableFromPprofFormat(p: PprofFormatProfile): ComparableProfile {
  const strings = p.stringTable.strings;
  const str = (index: number | bigint): string => {
    const value = strings[Number(index)];
    if (value === undefined) throw new Error(`string index ${index} out of range`);
    return value;
  };
  const functionIds = new Set(p.function.map((f) => uint64(f.id)));
  const mappingIds = new Set(p.mapping.map((m) => uint64(m.id)));
  return {
    sampleTypes: p.sampleType.map((t) => ({ type: str(t.type), unit: str(t.unit) })),
    samples: p.sample.map((s) => {
      const labels = new Map<string, string[]>();
      const numLabels = new Map<string, bigint[]>();
      const numUnits = new Map<string, string[]>();
      for (const label of s.label) {
        const key = str(label.key);
        if (int64(label.str) !== 0n) {
          labels.set(key, [...(labels.get(key) ?? []), str(label.str)]);
        } else if (int64(label.num) !== 0n || int64(label.numUnit) !== 0n) {
          const values = numLabels.get(key) ?? [];
          if (int64(label.numUnit) !== 0n) {
            const units = numUnits.get(key) ?? [];
            while (units.length < values.length) units.push("");
            units.push(str(label.numUnit));
            numUnits.set(key, units);
          }
          values.push(int64(label.num));
          numLabels.set(key, values);
        }
      }
      for (const [key, units] of numUnits) {
        while (units.length < numLabels.get(key)!.length) units.push("");
      }
      return {
        locationIds: s.locationId.map(uint64),
        values: s.value.map(int64),
        labels: sortedEntries(labels),
        numLabels: sortedEntries(numLabels),
        numUnits: sortedEntries(numUnits),
      };
    }),
    mappings: p.mapping.map((m) => ({
      id: uint64(m.id),
      start: uint64(m.memoryStart),
      limit: uint64(m.memoryLimit),
      offset: uint64(m.fileOffset),
      file: str(m.filename),
      buildId: str(m.buildId),
      flags: [m.hasFunctions, m.hasFilenames, m.hasLineNumbers, m.hasInlineFrames],
    })),
    locations: p.location.map((l) => ({
      id: uint64(l.id),
      // A mapping_id that names no mapping resolves to none, as in pprof.
      mappingId: mappingIds.has(uint64(l.mappingId)) ? uint64(l.mappingId) : 0n,
      address: uint64(l.address),
      lines: l.line.map((line) => ({
        functionId: functionIds.has(uint64(line.functionId)) ? uint64(line.functionId) : 0n,
        line: int64(line.line),
        column: int64(line.column),
      })),
      isFolded: l.isFolded,
    })),
    functions: p.function.map((f) => ({
      id: uint64(f.id),
      name: str(f.name),
      systemName: str(f.systemName),
      filename: str(f.filename),
      startLine: int64(f.startLine),
    })),
    dropFrames: str(p.dropFrames),
    keepFrames: str(p.keepFrames),
    timeNanos: int64(p.timeNanos),
    durationNanos: int64(p.durationNanos),
    periodType: p.periodType ? { type: str(p.periodType.type), unit: str(p.periodType.unit) } : undefined,
    period: int64(p.period),
    comments: p.comment.map((c) => str(c)),
    defaultSampleType: str(p.defaultSampleType),
  };
}
