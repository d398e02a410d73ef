/** A profile's samples in columns, and Sample objects made from them. */
import type { Location, Sample } from "../../profile/model.js";

/**
 * A profile's samples in columns: what reports read, and what `decodeProfile` builds its Sample
 * objects from. Compact (typed arrays, shared label sets) and complete: every location, value and
 * label of every sample, with IDs already resolved to positions in `profile.locations`.
 * Structurally a `SampleColumns` (src/profile/columns.ts), so reports can use it as it is.
 */
export interface ProfileSampleColumns {
  count: number;
  /** Values per sample (= profile.sampleTypes.length). */
  stride: number;
  /** values[i * stride + t] is sample i's value of type t (as a double; see `exactValues`). */
  values: Float64Array;
  /** Exact values of the samples (by index) where some value is beyond 2^53; usually undefined. */
  exactValues: Map<number, bigint[]> | undefined;
  /** Sample i's stack is locationIndex[stackStart[i] .. stackStart[i + 1]), leaf first. */
  stackStart: Int32Array;
  /** Positions in profile.locations: 16-bit when the profile has at most 65,536 locations. */
  locationIndex: LocationIndexArray;
  /** Sample i's labels are labelSets[labelSet[i]]; set 0 is "no labels". */
  labelSet: Int32Array;
  labelSets: SampleLabels[];
  /** 1 for samples labelled pprof::base=true (from a --diff-base); undefined when there are none. */
  diffBase: Uint8Array | undefined;
}

/**
 * Frames as positions in profile.locations. Most profiles have at most 65,536 locations, and their
 * frames fit 16 bits: half the memory to write (a profile's frames are most of its decoded size, and
 * first writes to fresh pages are much of a decode's time) and to read back.
 */
export type LocationIndexArray = Int32Array | Uint16Array;

/** The label maps of a sample: shared, read-only (see ReadonlyLabelMap). */
export interface SampleLabels {
  labels: Map<string, string[]>;
  numLabels: Map<string, bigint[]>;
  numUnits: Map<string, string[]>;
}

/** Which samples carry pprof::base=true, computed once per label set. */
export function diffBaseColumn(labelSet: Int32Array, labelSets: SampleLabels[]): Uint8Array | undefined {
  const isBase = labelSets.map((set) => set.labels.get("pprof::base")?.includes("true") ?? false);
  if (!isBase.includes(true)) return undefined;
  const column = new Uint8Array(labelSet.length);
  for (let i = 0; i < labelSet.length; i++) if (isBase[labelSet[i]!]) column[i] = 1;
  return column;
}

/** Sample objects from columns, sharing the label maps of equal label sets. */
export function samplesFromColumns(locations: Location[], columns: ProfileSampleColumns): Sample[] {
  const { count, stride, values, stackStart, locationIndex, labelSet, labelSets, exactValues } = columns;
  const samples: Sample[] = new Array(count);
  for (let s = 0; s < count; s++) {
    const first = stackStart[s]!;
    const frameCount = stackStart[s + 1]! - first;
    const sampleLocations: Location[] = new Array(frameCount);
    for (let i = 0; i < frameCount; i++) sampleLocations[i] = locations[locationIndex[first + i]!]!;
    const set = labelSets[labelSet[s]!]!;
    const sample: Sample = {
      locations: sampleLocations,
      values: valuesAt(values, s * stride, stride),
      labels: set.labels,
      numLabels: set.numLabels,
      numUnits: set.numUnits,
    };
    if (exactValues !== undefined) {
      const exact = exactValues.get(s);
      if (exact !== undefined) sample.exactValues = exact;
    }
    samples[s] = sample;
  }
  return samples;
}

/** One sample's values as a new array; literals for the usual counts (Go heap profiles have 4). */
export function valuesAt(values: Float64Array, base: number, stride: number): number[] {
  switch (stride) {
    case 1:
      return [values[base]!];
    case 2:
      return [values[base]!, values[base + 1]!];
    case 4:
      return [values[base]!, values[base + 1]!, values[base + 2]!, values[base + 3]!];
    default: {
      const out: number[] = [];
      for (let i = 0; i < stride; i++) out.push(values[base + i]!);
      return out;
    }
  }
}
