/**
 * The first pass over the top-level Profile message: decodes the string table and the scalar
 * fields, and notes where each sub-message lies (the string table usually comes after the
 * messages that index it, so they are decoded in a second pass).
 */
import { ProfileDecodeError } from "../../errors.js";
import { type ProtoReader, WireType } from "../protobuf-reader.js";
import { expectWire, pushRange, type Ranges, readIndex, readRepeatedInt64 } from "./wire-fields.js";

const utf8 = new TextDecoder("utf-8");

export interface ProfileLayout {
  /** Sample message ranges as [start0, end0, ...]: typed, as they can number in the hundreds of thousands. */
  sampleRanges: Int32Array;
  sampleCount: number;
  /** Bytes of all Sample messages together. */
  sampleBytes: number;
  sampleTypeRanges: Ranges;
  mappingRanges: Ranges;
  locationRanges: Ranges;
  functionRanges: Ranges;
  periodTypeRange: [number, number] | undefined;
  strings: string[];
  dropFramesIndex: number;
  keepFramesIndex: number;
  timeNanos: bigint;
  durationNanos: bigint;
  period: bigint;
  commentIndexes: number[];
  defaultSampleTypeIndex: number;
  docUrlIndex: number;
}

/** Reads the Profile message from the reader's position to the end of `bytes`. */
export function locateProfileFields(reader: ProtoReader, bytes: Uint8Array): ProfileLayout {
  const layout = emptyLayout();
  const end = bytes.length;
  // Samples, being most of the bytes, are noted inline; their ranges grow by doubling.
  let sampleRanges = layout.sampleRanges;
  let sampleCount = 0;
  let sampleBytes = 0;
  while (reader.pos < end) {
    const tag = reader.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 2) {
      expectWire(reader, wire, WireType.LengthDelimited, field, "Profile");
      const stop = reader.lengthDelimitedEnd();
      if (sampleCount * 2 + 2 > sampleRanges.length) sampleRanges = growInt32(sampleRanges);
      sampleRanges[sampleCount * 2] = reader.pos;
      sampleRanges[sampleCount * 2 + 1] = stop;
      sampleCount++;
      sampleBytes += stop - reader.pos;
      reader.pos = stop;
    } else {
      readProfileField(reader, bytes, field, wire, layout);
    }
  }
  if (layout.strings.length === 0) {
    throw new ProfileDecodeError("malformed profile: no string table");
  }
  layout.sampleRanges = sampleRanges;
  layout.sampleCount = sampleCount;
  layout.sampleBytes = sampleBytes;
  return layout;
}

function emptyLayout(): ProfileLayout {
  return {
    sampleRanges: new Int32Array(1024),
    sampleCount: 0,
    sampleBytes: 0,
    sampleTypeRanges: [],
    mappingRanges: [],
    locationRanges: [],
    functionRanges: [],
    periodTypeRange: undefined,
    strings: [],
    dropFramesIndex: 0,
    keepFramesIndex: 0,
    timeNanos: 0n,
    durationNanos: 0n,
    period: 0n,
    commentIndexes: [],
    defaultSampleTypeIndex: 0,
    docUrlIndex: 0,
  };
}

/** A Profile field other than a sample: noted in `layout`. */
function readProfileField(
  reader: ProtoReader,
  bytes: Uint8Array,
  field: number,
  wire: number,
  layout: ProfileLayout,
): void {
  switch (field) {
    case 1:
      pushRange(reader, wire, field, "Profile", layout.sampleTypeRanges);
      break;
    case 3:
      pushRange(reader, wire, field, "Profile", layout.mappingRanges);
      break;
    case 4:
      pushRange(reader, wire, field, "Profile", layout.locationRanges);
      break;
    case 5:
      pushRange(reader, wire, field, "Profile", layout.functionRanges);
      break;
    case 6: {
      expectWire(reader, wire, WireType.LengthDelimited, field, "Profile");
      const stop = reader.lengthDelimitedEnd();
      const strings = layout.strings;
      strings.push(decodeUtf8(bytes, reader.pos, stop));
      reader.pos = stop;
      if (strings.length === 1 && strings[0] !== "") throw notEmptyFirstString();
      break;
    }
    case 7:
      layout.dropFramesIndex = readIndex(reader, wire, field, "Profile");
      break;
    case 8:
      layout.keepFramesIndex = readIndex(reader, wire, field, "Profile");
      break;
    case 9: {
      expectWire(reader, wire, WireType.Varint, field, "Profile");
      const value = reader.int64Big();
      // A second time_nanos means several profiles were concatenated (pprof refuses these too).
      if (layout.timeNanos !== 0n) throw new ProfileDecodeError("concatenated profiles detected");
      layout.timeNanos = value;
      break;
    }
    case 10:
      expectWire(reader, wire, WireType.Varint, field, "Profile");
      layout.durationNanos = reader.int64Big();
      break;
    case 11: {
      expectWire(reader, wire, WireType.LengthDelimited, field, "Profile");
      const stop = reader.lengthDelimitedEnd();
      layout.periodTypeRange = [reader.pos, stop];
      reader.pos = stop;
      break;
    }
    case 12:
      expectWire(reader, wire, WireType.Varint, field, "Profile");
      layout.period = reader.int64Big();
      break;
    case 13:
      readRepeatedInt64(reader, wire, field, "Profile", layout.commentIndexes);
      break;
    case 14:
      layout.defaultSampleTypeIndex = readIndex(reader, wire, field, "Profile");
      break;
    case 15:
      layout.docUrlIndex = readIndex(reader, wire, field, "Profile");
      break;
    default:
      reader.skip(wire);
  }
}

/** A lookup in the string table that fails with pprof's error for an index out of range. */
export function stringLookup(strings: string[]): (index: number) => string {
  return (index: number): string => {
    const value = strings[index];
    if (value === undefined || !Number.isInteger(index)) {
      throw new ProfileDecodeError(
        `malformed profile: string index ${index} out of range (the table has ${strings.length})`,
      );
    }
    return value;
  };
}

function notEmptyFirstString(): ProfileDecodeError {
  return new ProfileDecodeError('malformed profile: string_table[0] must be "" (it is not)');
}

function growInt32(array: Int32Array): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(array.length * 2);
  grown.set(array);
  return grown;
}

/** Decodes UTF-8; short ASCII strings (most of a profile's) skip the TextDecoder call. */
function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length === 0) return "";
  if (length <= 24) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  return utf8.decode(bytes.subarray(start, end));
}
