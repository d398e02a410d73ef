/**
 * The profile model: profile.proto, resolved. IDs are kept (they are not necessarily dense), and
 * references are resolved to objects so operations never look IDs up again.
 *
 * 64-bit integers: values that are always small in practice (line numbers, IDs) are `number`.
 * Fields that can exceed 2^53 (time_nanos, duration, period, addresses, mapping bounds, numeric labels)
 * are `bigint`, so they stay exact. Sample values are `number` for speed (they are summed, scaled and
 * sorted everywhere); when a decoded value does not fit in a double exactly, the decoder also keeps
 * the exact values in `Sample.exactValues`, which the encoder prefers while they still agree.
 */

export interface ValueType {
  type: string;
  unit: string;
}

export interface Mapping {
  id: number;
  start: bigint;
  limit: bigint;
  offset: bigint;
  file: string;
  buildId: string;
  hasFunctions: boolean;
  hasFilenames: boolean;
  hasLineNumbers: boolean;
  hasInlineFrames: boolean;
}

export interface ProfileFunction {
  id: number;
  name: string;
  systemName: string;
  filename: string;
  startLine: number;
}

/** One frame of a location. `lines[0]` is the innermost inlined function, the last is the caller. */
export interface Line {
  function: ProfileFunction | undefined;
  line: number;
  column: number;
}

export interface Location {
  id: number;
  mapping: Mapping | undefined;
  address: bigint;
  lines: Line[];
  isFolded: boolean;
}

export interface Sample {
  /** Leaf first. */
  locations: Location[];
  values: number[];
  /** Exact int64 values, present only when some decoded value is not a safe integer. */
  exactValues?: bigint[];
  /** String labels: key → values (Go profiles use one value per key, the format allows several). */
  labels: Map<string, string[]>;
  /** Numeric labels: key → values, exact. */
  numLabels: Map<string, bigint[]>;
  /** Units of the numeric labels, parallel to `numLabels` values ("" when unset). */
  numUnits: Map<string, string[]>;
}

export interface Profile {
  sampleTypes: ValueType[];
  samples: Sample[];
  mappings: Mapping[];
  locations: Location[];
  functions: ProfileFunction[];
  dropFrames: string;
  keepFrames: string;
  timeNanos: bigint;
  durationNanos: bigint;
  periodType: ValueType | undefined;
  period: bigint;
  comments: string[];
  defaultSampleType: string;
  docUrl: string;
}

export function emptyProfile(): Profile {
  return {
    sampleTypes: [],
    samples: [],
    mappings: [],
    locations: [],
    functions: [],
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
