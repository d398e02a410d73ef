/** A sample's Label messages, resolved to label sets shared by the samples with the same labels. */
import type { ProtoReader } from "../protobuf-reader.js";
import { WireType } from "../protobuf-reader.js";
import {
  NO_NUMERIC_LABELS,
  NO_SAMPLE_LABELS,
  NO_STRING_LABELS,
  ReadonlyLabelMap,
} from "./readonly-label-map.js";
import type { SampleLabels } from "./sample-columns.js";
import { expectWire, readIndex } from "./wire-fields.js";

/** Reads a Label message (the reader is just past its key) into the sample's label scratch. */
export function readLabel(reader: ProtoReader, labels: LabelScratch): void {
  const end = reader.end;
  const labelEnd = reader.lengthDelimitedEnd();
  reader.end = labelEnd;
  let labelKey = 0;
  let labelStr = 0;
  let labelNum = 0;
  let labelNumBig: bigint | undefined;
  let labelUnit = 0;
  while (reader.pos < labelEnd) {
    const labelTag = reader.tag();
    const labelField = labelTag >>> 3;
    const labelWire = labelTag & 7;
    if (labelField === 1) labelKey = readIndex(reader, labelWire, labelField, "Label");
    else if (labelField === 2) labelStr = readIndex(reader, labelWire, labelField, "Label");
    else if (labelField === 3) {
      expectWire(reader, labelWire, WireType.Varint, labelField, "Label");
      labelNum = reader.int64();
      labelNumBig = reader.lastInt64IsSafe() ? undefined : reader.lastInt64Big();
    } else if (labelField === 4) labelUnit = readIndex(reader, labelWire, labelField, "Label");
    else reader.skip(labelWire);
  }
  reader.end = end;
  labels.add(labelKey, labelStr, labelNumBig ?? labelNum, labelUnit);
}

/** BigInts for small label numbers (block sizes repeat across a heap profile's samples), shared. */
export class SmallBigintCache {
  private readonly cache = new Map<number, bigint>();

  get(value: number | bigint): bigint {
    if (typeof value === "bigint") return value;
    let big = this.cache.get(value);
    if (big === undefined) {
      big = BigInt(value);
      if (this.cache.size < 65536) this.cache.set(value, big);
    }
    return big;
  }
}

/** Distinct label sets remembered for sharing; past this, new sets are built per sample. */
const LABEL_SET_CACHE_LIMIT = 1 << 16;

/**
 * One sample's raw labels, reused from sample to sample, and the label sets already resolved:
 * samples with the same raw labels (a heap profile's `bytes` block sizes, a goroutine's pprof labels)
 * share one set of read-only maps, which is most of the memory saved over new Maps per sample.
 */
export class LabelScratch {
  count = 0;
  /** The resolved label sets; set 0 is "no labels". */
  readonly sets: SampleLabels[] = [NO_SAMPLE_LABELS];
  private keys: number[] = [];
  private strs: number[] = [];
  private nums: (number | bigint)[] = [];
  private units: number[] = [];
  private readonly resolved = new Map<string, number>();
  private readonly singleNumeric = new Map<number, Map<number | bigint, number>>();

  add(key: number, strIndex: number, num: number | bigint, unit: number): void {
    const i = this.count++;
    this.keys[i] = key;
    this.strs[i] = strIndex;
    this.nums[i] = num;
    this.units[i] = unit;
  }

  /** The index in `sets` of the current labels' set, resolved and added if new. */
  resolve(str: (i: number) => string, bigints: SmallBigintCache): number {
    if (this.count === 1 && this.strs[0] === 0 && this.units[0] === 0) {
      // The common case, a Go heap sample's `bytes` label: looked up without building a key string.
      let byNumber = this.singleNumeric.get(this.keys[0]!);
      if (byNumber === undefined) {
        byNumber = new Map();
        this.singleNumeric.set(this.keys[0]!, byNumber);
      }
      let index = byNumber.get(this.nums[0]!);
      if (index === undefined) {
        index = this.build(str, bigints);
        if (byNumber.size < LABEL_SET_CACHE_LIMIT) byNumber.set(this.nums[0]!, index);
      }
      return index;
    }
    let cacheKey = "";
    for (let i = 0; i < this.count; i++) {
      cacheKey += `${this.keys[i]},${this.strs[i]},${this.nums[i]},${this.units[i]};`;
    }
    let index = this.resolved.get(cacheKey);
    if (index === undefined) {
      index = this.build(str, bigints);
      if (this.resolved.size < LABEL_SET_CACHE_LIMIT) this.resolved.set(cacheKey, index);
    }
    return index;
  }

  /**
   * pprof's rules: a label with a string value is a string label; otherwise it is numeric when it has
   * a number or a unit (a label with neither is dropped). Units are padded with "" to parallel the
   * numbers; keys that never had a unit get no `numUnits` entry. Returns the new set's index.
   */
  private build(str: (i: number) => string, bigints: SmallBigintCache): number {
    const labels: [string, string[]][] = [];
    const numLabels: [string, bigint[]][] = [];
    const numUnits: [string, string[]][] = [];
    for (let i = 0; i < this.count; i++) {
      const key = str(this.keys[i]!);
      const strIndex = this.strs[i]!;
      const num = this.nums[i]!;
      const unitIndex = this.units[i]!;
      if (strIndex !== 0) {
        entryFor(labels, key).push(str(strIndex));
      } else if (num !== 0 || unitIndex !== 0) {
        const keyValues = entryFor(numLabels, key);
        if (unitIndex !== 0) {
          const keyUnits = entryFor(numUnits, key);
          while (keyUnits.length < keyValues.length) keyUnits.push("");
          keyUnits.push(str(unitIndex));
        }
        keyValues.push(bigints.get(num));
      }
    }
    for (const [key, keyUnits] of numUnits) {
      const count = entryFor(numLabels, key).length;
      while (keyUnits.length < count) keyUnits.push("");
    }
    this.sets.push({
      labels: labels.length === 0 ? NO_STRING_LABELS : new ReadonlyLabelMap(freezeValues(labels)),
      numLabels: numLabels.length === 0 ? NO_NUMERIC_LABELS : new ReadonlyLabelMap(freezeValues(numLabels)),
      numUnits: numUnits.length === 0 ? NO_STRING_LABELS : new ReadonlyLabelMap(freezeValues(numUnits)),
    });
    return this.sets.length - 1;
  }
}

function entryFor<V>(entries: [string, V[]][], key: string): V[] {
  for (const entry of entries) if (entry[0] === key) return entry[1];
  const values: V[] = [];
  entries.push([key, values]);
  return values;
}

function freezeValues<V>(entries: [string, V[]][]): [string, V[]][] {
  for (const entry of entries) Object.freeze(entry[1]);
  return entries;
}
