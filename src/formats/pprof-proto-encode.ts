/**
 * Encodes the profile model as profile.proto, laid out the way google/pprof's own encoder does
 * (`profile/encode.go`): strings interned in first-use order with "" at 0, string labels then numeric
 * labels with keys sorted, repeated scalars packed when there are more than two, zero-valued optional
 * fields omitted, default_sample_type always written. A profile written by `go tool pprof -proto`
 * therefore re-encodes to the same bytes.
 */
import { gzipSync } from "node:zlib";
import type { Profile, Sample, ValueType } from "../profile/model.js";

const utf8 = new TextEncoder();
const MAX_UINT64 = (1n << 64n) - 1n;

/** A growable byte buffer with protobuf writers. */
class ProtoWriter {
  bytes: Uint8Array;
  pos = 0;

  constructor(initialSize = 1 << 16) {
    this.bytes = new Uint8Array(initialSize);
  }

  ensure(extra: number): void {
    if (this.pos + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.pos + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
  }

  /** An integer as int64 (negatives in two's complement); doubles beyond ±2^53 go through bigint. */
  varint(value: number): void {
    if (value >= 0 && value < 0x80000000) {
      this.ensure(5);
      const bytes = this.bytes;
      let v = value;
      while (v >= 0x80) {
        bytes[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      bytes[this.pos++] = v;
      return;
    }
    this.varintBig(int64FromDouble(value));
  }

  /** An exact 64-bit value (signed or unsigned, taken modulo 2^64). */
  varintBig(value: bigint): void {
    const unsigned = value & MAX_UINT64;
    this.varint64(Number(unsigned & 0xffffffffn), Number(unsigned >> 32n));
  }

  private varint64(lo: number, hi: number): void {
    this.ensure(10);
    const bytes = this.bytes;
    while (hi !== 0 || lo >= 0x80) {
      bytes[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    bytes[this.pos++] = lo;
  }

  key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  int64Field(field: number, value: number): void {
    this.key(field, 0);
    this.varint(value);
  }

  int64FieldOpt(field: number, value: number): void {
    if (value !== 0) this.int64Field(field, value);
  }

  bigFieldOpt(field: number, value: bigint): void {
    if (value === 0n) return;
    this.key(field, 0);
    this.varintBig(value);
  }

  boolFieldOpt(field: number, value: boolean): void {
    if (value) this.int64Field(field, 1);
  }

  bytesField(field: number, data: Uint8Array): void {
    this.key(field, 2);
    this.varint(data.length);
    this.ensure(data.length);
    this.bytes.set(data, this.pos);
    this.pos += data.length;
  }

  /** Starts a length-delimited field; returns a mark for `endMessage`. One length byte is reserved. */
  beginMessage(field: number): number {
    this.key(field, 2);
    this.ensure(1);
    return this.pos++;
  }

  /** Writes the length reserved by `beginMessage`, moving the body when the length needs more bytes. */
  endMessage(mark: number): void {
    const bodyStart = mark + 1;
    const length = this.pos - bodyStart;
    if (length < 0x80) {
      this.bytes[mark] = length;
      return;
    }
    let size = 1;
    for (let v = length; v >= 0x80; v >>>= 7) size++;
    this.ensure(size - 1);
    this.bytes.copyWithin(mark + size, bodyStart, this.pos);
    this.pos += size - 1;
    let v = length;
    let at = mark;
    while (v >= 0x80) {
      this.bytes[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.bytes[at] = v;
  }

  /** Repeated int64 as pprof writes it: packed when more than two, else one field per value. */
  repeatedInt64(field: number, values: readonly number[]): void {
    if (values.length > 2) {
      const mark = this.beginMessage(field);
      for (const value of values) this.varint(value);
      this.endMessage(mark);
      return;
    }
    for (const value of values) this.int64Field(field, value);
  }

  repeatedBig(field: number, values: readonly bigint[]): void {
    if (values.length > 2) {
      const mark = this.beginMessage(field);
      for (const value of values) this.varintBig(value);
      this.endMessage(mark);
      return;
    }
    for (const value of values) {
      this.key(field, 0);
      this.varintBig(value);
    }
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.pos);
  }
}

/** Interns strings in first-use order, "" first, as pprof's preEncode does. */
class StringTableBuilder {
  readonly indexes = new Map<string, number>([["", 0]]);
  readonly strings: string[] = [""];

  index(value: string): number {
    let index = this.indexes.get(value);
    if (index === undefined) {
      index = this.strings.length;
      this.indexes.set(value, index);
      this.strings.push(value);
    }
    return index;
  }
}

interface EncodedLabel {
  key: number;
  str: number;
  num: bigint;
  unit: number;
}

export function encodeProfile(profile: Profile): Uint8Array {
  const table = new StringTableBuilder();
  // String indexes are assigned in pprof's order (sample types, sample labels, mappings, functions,
  // then the profile's own strings) so that the table matches its output byte for byte.
  const sampleTypeIndexes = profile.sampleTypes.map((t) => [table.index(t.type), table.index(t.unit)]);
  const sampleLabels: EncodedLabel[][] = profile.samples.map((s) => internLabels(s, table));
  const mappingIndexes = profile.mappings.map((m) => [table.index(m.file), table.index(m.buildId)]);
  const functionIndexes = profile.functions.map((f) => [
    table.index(f.name),
    table.index(f.systemName),
    table.index(f.filename),
  ]);
  const dropFrames = table.index(profile.dropFrames);
  const keepFrames = table.index(profile.keepFrames);
  const periodType = profile.periodType ? valueTypeIndexes(profile.periodType, table) : undefined;
  const comments = profile.comments.map((c) => table.index(c));
  const defaultSampleType = table.index(profile.defaultSampleType);
  const docUrl = table.index(profile.docUrl);

  const out = new ProtoWriter(Math.max(1 << 16, profile.samples.length * 48));

  for (const [type, unit] of sampleTypeIndexes) {
    const mark = out.beginMessage(1);
    out.int64FieldOpt(1, type!);
    out.int64FieldOpt(2, unit!);
    out.endMessage(mark);
  }

  const locationIds: number[] = [];
  for (let s = 0; s < profile.samples.length; s++) {
    const sample = profile.samples[s]!;
    const mark = out.beginMessage(2);
    locationIds.length = 0;
    for (const location of sample.locations) locationIds.push(location.id);
    out.repeatedInt64(1, locationIds);
    const exact = exactValuesIfCurrent(sample);
    if (exact) out.repeatedBig(2, exact);
    else out.repeatedInt64(2, sample.values);
    for (const label of sampleLabels[s]!) {
      const labelMark = out.beginMessage(3);
      out.int64FieldOpt(1, label.key);
      out.int64FieldOpt(2, label.str);
      out.bigFieldOpt(3, label.num);
      out.int64FieldOpt(4, label.unit);
      out.endMessage(labelMark);
    }
    out.endMessage(mark);
  }

  profile.mappings.forEach((mapping, i) => {
    const mark = out.beginMessage(3);
    out.int64FieldOpt(1, mapping.id);
    out.bigFieldOpt(2, mapping.start);
    out.bigFieldOpt(3, mapping.limit);
    out.bigFieldOpt(4, mapping.offset);
    out.int64FieldOpt(5, mappingIndexes[i]![0]!);
    out.int64FieldOpt(6, mappingIndexes[i]![1]!);
    out.boolFieldOpt(7, mapping.hasFunctions);
    out.boolFieldOpt(8, mapping.hasFilenames);
    out.boolFieldOpt(9, mapping.hasLineNumbers);
    out.boolFieldOpt(10, mapping.hasInlineFrames);
    out.endMessage(mark);
  });

  for (const location of profile.locations) {
    const mark = out.beginMessage(4);
    out.int64FieldOpt(1, location.id);
    out.int64FieldOpt(2, location.mapping ? location.mapping.id : 0);
    out.bigFieldOpt(3, location.address);
    for (const line of location.lines) {
      const lineMark = out.beginMessage(4);
      out.int64FieldOpt(1, line.function ? line.function.id : 0);
      out.int64FieldOpt(2, line.line);
      out.int64FieldOpt(3, line.column);
      out.endMessage(lineMark);
    }
    out.boolFieldOpt(5, location.isFolded);
    out.endMessage(mark);
  }

  profile.functions.forEach((fn, i) => {
    const [name, systemName, filename] = functionIndexes[i]!;
    const mark = out.beginMessage(5);
    out.int64FieldOpt(1, fn.id);
    out.int64FieldOpt(2, name!);
    out.int64FieldOpt(3, systemName!);
    out.int64FieldOpt(4, filename!);
    out.int64FieldOpt(5, fn.startLine);
    out.endMessage(mark);
  });

  for (const value of table.strings) out.bytesField(6, utf8.encode(value));
  out.int64FieldOpt(7, dropFrames);
  out.int64FieldOpt(8, keepFrames);
  out.bigFieldOpt(9, profile.timeNanos);
  out.bigFieldOpt(10, profile.durationNanos);
  if (periodType && (periodType[0] !== 0 || periodType[1] !== 0)) {
    const mark = out.beginMessage(11);
    out.int64FieldOpt(1, periodType[0]);
    out.int64FieldOpt(2, periodType[1]);
    out.endMessage(mark);
  }
  out.bigFieldOpt(12, profile.period);
  out.repeatedInt64(13, comments);
  out.int64Field(14, defaultSampleType);
  out.int64FieldOpt(15, docUrl);
  return out.finish();
}

/** The profile as gzip-compressed profile.proto, the form `/debug/pprof/*` serves and pprof writes. */
export function encodeProfileGzip(profile: Profile): Uint8Array {
  const compressed = gzipSync(encodeProfile(profile));
  return new Uint8Array(compressed.buffer, compressed.byteOffset, compressed.byteLength);
}

function valueTypeIndexes(valueType: ValueType, table: StringTableBuilder): [number, number] {
  return [table.index(valueType.type), table.index(valueType.unit)];
}

function internLabels(sample: Sample, table: StringTableBuilder): EncodedLabel[] {
  const encoded: EncodedLabel[] = [];
  if (sample.labels.size > 0) {
    for (const key of sortedKeys(sample.labels)) {
      for (const value of sample.labels.get(key)!) {
        encoded.push({ key: table.index(key), str: table.index(value), num: 0n, unit: 0 });
      }
    }
  }
  if (sample.numLabels.size > 0) {
    for (const key of sortedKeys(sample.numLabels)) {
      const keyIndex = table.index(key);
      const units = sample.numUnits.get(key);
      const values = sample.numLabels.get(key)!;
      for (let i = 0; i < values.length; i++) {
        const unit = units && units.length > 0 ? table.index(units[i] ?? "") : 0;
        encoded.push({ key: keyIndex, str: 0, num: values[i]!, unit });
      }
    }
  }
  return encoded;
}

/** Keys in Go's sort.Strings order (byte-wise UTF-8, which equals code point order). */
function sortedKeys(map: Map<string, unknown>): string[] {
  const keys = [...map.keys()];
  if (keys.length > 1) keys.sort(compareCodePoints);
  return keys;
}

function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * `exactValues` is used while it still agrees with `values` (an operation that scaled or summed the
 * values without updating it has made it stale; then the doubles win).
 */
function exactValuesIfCurrent(sample: Sample): bigint[] | undefined {
  const exact = sample.exactValues;
  if (!exact || exact.length !== sample.values.length) return undefined;
  for (let i = 0; i < exact.length; i++) {
    if (Number(exact[i]!) !== sample.values[i]) return undefined;
  }
  return exact;
}

const TWO_POW_63 = 2 ** 63;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** A double as int64: truncated toward zero and clamped (values are doubles after scaling). */
function int64FromDouble(value: number): bigint {
  if (Number.isNaN(value)) return 0n;
  if (value >= TWO_POW_63) return INT64_MAX;
  if (value < -TWO_POW_63) return INT64_MIN;
  return BigInt(Math.trunc(value));
}
