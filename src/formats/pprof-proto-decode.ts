/**
 * Decodes profile.proto bytes (already gunzipped) into the resolved profile model.
 *
 * Faithful to what google/pprof accepts (`profile.ParseUncompressed` + `CheckValid`): string_table[0]
 * must be "", string indexes must be in range, IDs must be nonzero and unique, samples need one value
 * per sample type and may only reference existing locations, lines must name existing functions.
 * Location mappings may be missing (mapping_id 0 or unknown → undefined), line arrays may be empty,
 * IDs may be sparse, repeated scalars may be packed or not.
 *
 * Two passes over the top-level message: the first decodes the string table and notes where each
 * sub-message lies (the string table usually comes after the messages that index it), the second
 * builds objects in dependency order: functions and mappings, then locations, then samples.
 *
 * Speed: a large heap profile is mostly samples, and a sample is mostly its packed location IDs, so
 * the top-level scan and the sample loop read the bytes inline (one-byte keys, short varints) and
 * hand anything unusual (long keys, unpacked fields, unknown fields, huge values) to the general
 * ProtoReader path, which also words the errors. Arrays are built at their final size.
 */
import { ProfileDecodeError } from "../errors.js";
import type {
  Line,
  Location,
  Mapping,
  Profile,
  ProfileFunction,
  Sample,
  ValueType,
} from "../profile/model.js";
import { ProtoReader, WireType } from "./protobuf-reader.js";

const utf8 = new TextDecoder("utf-8");

/** Byte ranges of repeated sub-messages, as [start0, end0, start1, end1, ...]. */
type Ranges = number[];

/** Top-level keys (field << 3 | wire type 2) of the repeated messages read on the fast path. */
const SAMPLE_KEY = 0x12;
const LOCATION_KEY = 0x22;
const STRING_KEY = 0x32;

export function decodeProfile(bytes: Uint8Array): Profile {
  if (bytes.length === 0) throw new ProfileDecodeError("empty profile (0 bytes)");
  const reader = new ProtoReader(bytes);
  const end = bytes.length;

  // Sample ranges can number in the hundreds of thousands: a typed array, grown by doubling.
  let sampleRanges = new Int32Array(1024);
  let sampleCount = 0;
  const sampleTypeRanges: Ranges = [];
  const mappingRanges: Ranges = [];
  const locationRanges: Ranges = [];
  const functionRanges: Ranges = [];
  const strings: string[] = [];
  let periodTypeRange: [number, number] | undefined;
  let dropFramesIndex = 0;
  let keepFramesIndex = 0;
  let timeNanos = 0n;
  let durationNanos = 0n;
  let period = 0n;
  const commentIndexes: number[] = [];
  let defaultSampleTypeIndex = 0;
  let docUrlIndex = 0;

  let pos = 0;
  while (pos < end) {
    const key = bytes[pos]!;
    // Fast path: samples, locations and strings with a length below 2^21 (at most 3 bytes).
    if ((key === SAMPLE_KEY || key === LOCATION_KEY || key === STRING_KEY) && pos + 4 <= end) {
      let start = pos + 1;
      let length = bytes[start++]!;
      if (length >= 0x80) {
        const b1 = bytes[start++]!;
        length = (length & 0x7f) | ((b1 & 0x7f) << 7);
        if (b1 >= 0x80) {
          const b2 = bytes[start++]!;
          length |= b2 << 14;
          if (b2 >= 0x80) length = -1;
        }
      }
      if (length >= 0 && length <= end - start) {
        const stop = start + length;
        if (key === SAMPLE_KEY) {
          if (sampleCount * 2 + 2 > sampleRanges.length) sampleRanges = growInt32(sampleRanges);
          sampleRanges[sampleCount * 2] = start;
          sampleRanges[sampleCount * 2 + 1] = stop;
          sampleCount++;
        } else if (key === LOCATION_KEY) {
          locationRanges.push(start, stop);
        } else {
          strings.push(decodeUtf8(bytes, start, stop));
          if (strings.length === 1 && length !== 0) throw notEmptyFirstString();
        }
        pos = stop;
        continue;
      }
    }
    // The general path: any field, and the errors.
    reader.pos = pos;
    const tag = reader.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1:
        pushRange(reader, wire, field, "Profile", sampleTypeRanges);
        break;
      case 2: {
        expectWire(reader, wire, WireType.LengthDelimited, field, "Profile");
        const stop = reader.lengthDelimitedEnd();
        if (sampleCount * 2 + 2 > sampleRanges.length) sampleRanges = growInt32(sampleRanges);
        sampleRanges[sampleCount * 2] = reader.pos;
        sampleRanges[sampleCount * 2 + 1] = stop;
        sampleCount++;
        reader.pos = stop;
        break;
      }
      case 3:
        pushRange(reader, wire, field, "Profile", mappingRanges);
        break;
      case 4:
        pushRange(reader, wire, field, "Profile", locationRanges);
        break;
      case 5:
        pushRange(reader, wire, field, "Profile", functionRanges);
        break;
      case 6: {
        expectWire(reader, wire, WireType.LengthDelimited, field, "Profile");
        const stop = reader.lengthDelimitedEnd();
        strings.push(decodeUtf8(bytes, reader.pos, stop));
        reader.pos = stop;
        if (strings.length === 1 && strings[0] !== "") throw notEmptyFirstString();
        break;
      }
      case 7:
        dropFramesIndex = readIndex(reader, wire, field, "Profile");
        break;
      case 8:
        keepFramesIndex = readIndex(reader, wire, field, "Profile");
        break;
      case 9: {
        expectWire(reader, wire, WireType.Varint, field, "Profile");
        const value = reader.int64Big();
        // A second time_nanos means several profiles were concatenated (pprof refuses these too).
        if (timeNanos !== 0n) throw new ProfileDecodeError("concatenated profiles detected");
        timeNanos = value;
        break;
      }
      case 10:
        expectWire(reader, wire, WireType.Varint, field, "Profile");
        durationNanos = reader.int64Big();
        break;
      case 11: {
        expectWire(reader, wire, WireType.LengthDelimited, field, "Profile");
        const stop = reader.lengthDelimitedEnd();
        periodTypeRange = [reader.pos, stop];
        reader.pos = stop;
        break;
      }
      case 12:
        expectWire(reader, wire, WireType.Varint, field, "Profile");
        period = reader.int64Big();
        break;
      case 13:
        readRepeatedInt64(reader, wire, field, "Profile", commentIndexes);
        break;
      case 14:
        defaultSampleTypeIndex = readIndex(reader, wire, field, "Profile");
        break;
      case 15:
        docUrlIndex = readIndex(reader, wire, field, "Profile");
        break;
      default:
        reader.skip(wire);
    }
    pos = reader.pos;
  }
  if (strings.length === 0) {
    throw new ProfileDecodeError("malformed profile: no string table");
  }

  const str = (index: number): string => {
    const value = strings[index];
    if (value === undefined || !Number.isInteger(index)) {
      throw new ProfileDecodeError(
        `malformed profile: string index ${index} out of range (the table has ${strings.length})`,
      );
    }
    return value;
  };

  const functions = decodeFunctions(reader, functionRanges, str);
  const mappings = decodeMappings(reader, mappingRanges, str);
  const locations = decodeLocations(reader, locationRanges, mappings, functions);
  const sampleTypes: ValueType[] = [];
  for (let i = 0; i < sampleTypeRanges.length; i += 2) {
    sampleTypes.push(decodeValueType(reader, sampleTypeRanges[i]!, sampleTypeRanges[i + 1]!, str));
  }
  const samples = decodeSamples(reader, sampleRanges, sampleCount, locations, sampleTypes.length, str);

  const comments: string[] = new Array(commentIndexes.length);
  for (let i = 0; i < commentIndexes.length; i++) comments[i] = str(commentIndexes[i]!);

  return {
    sampleTypes,
    samples,
    mappings: mappings.list,
    locations: locations.list,
    functions: functions.list,
    dropFrames: str(dropFramesIndex),
    keepFrames: str(keepFramesIndex),
    timeNanos,
    durationNanos,
    periodType: periodTypeRange
      ? decodeValueType(reader, periodTypeRange[0], periodTypeRange[1], str)
      : undefined,
    period,
    comments,
    defaultSampleType: str(defaultSampleTypeIndex),
    docUrl: str(docUrlIndex),
  };
}

function notEmptyFirstString(): ProfileDecodeError {
  return new ProfileDecodeError('malformed profile: string_table[0] must be "" (it is not)');
}

function growInt32(array: Int32Array): Int32Array {
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

function wireName(wire: number): string {
  return ["varint", "fixed64", "length-delimited", "start-group", "end-group", "fixed32"][wire] ?? `#${wire}`;
}

function expectWire(
  reader: ProtoReader,
  wire: number,
  expected: number,
  field: number,
  message: string,
): void {
  if (wire !== expected) {
    throw new ProfileDecodeError(
      `corrupt protobuf at byte ${reader.pos}: ${message} field ${field} is ${wireName(wire)}, expected ${wireName(expected)}`,
    );
  }
}

function pushRange(reader: ProtoReader, wire: number, field: number, message: string, ranges: Ranges): void {
  expectWire(reader, wire, WireType.LengthDelimited, field, message);
  const end = reader.lengthDelimitedEnd();
  ranges.push(reader.pos, end);
  reader.pos = end;
}

/** A string-table index (an int64 field). */
function readIndex(reader: ProtoReader, wire: number, field: number, message: string): number {
  expectWire(reader, wire, WireType.Varint, field, message);
  return reader.int64();
}

/** A repeated int64 field, packed or not, appended to `out` as numbers. */
function readRepeatedInt64(
  reader: ProtoReader,
  wire: number,
  field: number,
  message: string,
  out: number[],
): void {
  if (wire === WireType.LengthDelimited) {
    const end = reader.lengthDelimitedEnd();
    const outer = reader.end;
    reader.end = end;
    while (reader.pos < end) out.push(reader.int64());
    reader.end = outer;
    return;
  }
  expectWire(reader, wire, WireType.Varint, field, message);
  out.push(reader.int64());
}

/** Objects indexed by ID: an array while IDs are small, a Map for the rest (like pprof's postDecode). */
class IdIndex<T extends { id: number }> {
  readonly list: T[] = [];
  /** Objects by ID, for IDs below its length (holes where an ID is unused). */
  readonly dense: (T | undefined)[];
  private readonly sparse = new Map<number, T>();

  constructor(
    count: number,
    private readonly kind: string,
  ) {
    this.dense = new Array(count + 1);
  }

  add(item: T): void {
    const id = item.id;
    if (id === 0) throw new ProfileDecodeError(`malformed profile: found ${this.kind} with reserved id 0`);
    if (this.get(id) !== undefined) {
      throw new ProfileDecodeError(`malformed profile: multiple ${this.kind}s with id ${id}`);
    }
    if (id < this.dense.length) this.dense[id] = item;
    else this.sparse.set(id, item);
    this.list.push(item);
  }

  get(id: number): T | undefined {
    return id < this.dense.length ? this.dense[id] : this.sparse.get(id);
  }
}

function decodeValueType(
  reader: ProtoReader,
  start: number,
  end: number,
  str: (i: number) => string,
): ValueType {
  reader.pos = start;
  reader.end = end;
  let type = 0;
  let unit = 0;
  while (reader.pos < end) {
    const key = reader.tag();
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1) type = readIndex(reader, wire, field, "ValueType");
    else if (field === 2) unit = readIndex(reader, wire, field, "ValueType");
    else reader.skip(wire);
  }
  return { type: str(type), unit: str(unit) };
}

function decodeFunctions(
  reader: ProtoReader,
  ranges: Ranges,
  str: (i: number) => string,
): IdIndex<ProfileFunction> {
  const index = new IdIndex<ProfileFunction>(ranges.length / 2, "function");
  for (let r = 0; r < ranges.length; r += 2) {
    const end = ranges[r + 1]!;
    reader.pos = ranges[r]!;
    reader.end = end;
    let id = 0;
    let name = 0;
    let systemName = 0;
    let filename = 0;
    let startLine = 0;
    while (reader.pos < end) {
      const key = reader.tag();
      const field = key >>> 3;
      const wire = key & 7;
      switch (field) {
        case 1:
          expectWire(reader, wire, WireType.Varint, field, "Function");
          id = reader.uint64();
          break;
        case 2:
          name = readIndex(reader, wire, field, "Function");
          break;
        case 3:
          systemName = readIndex(reader, wire, field, "Function");
          break;
        case 4:
          filename = readIndex(reader, wire, field, "Function");
          break;
        case 5:
          startLine = readIndex(reader, wire, field, "Function");
          break;
        default:
          reader.skip(wire);
      }
    }
    index.add({ id, name: str(name), systemName: str(systemName), filename: str(filename), startLine });
  }
  return index;
}

function decodeMappings(reader: ProtoReader, ranges: Ranges, str: (i: number) => string): IdIndex<Mapping> {
  const index = new IdIndex<Mapping>(ranges.length / 2, "mapping");
  for (let r = 0; r < ranges.length; r += 2) {
    const end = ranges[r + 1]!;
    reader.pos = ranges[r]!;
    reader.end = end;
    const mapping: Mapping = {
      id: 0,
      start: 0n,
      limit: 0n,
      offset: 0n,
      file: "",
      buildId: "",
      hasFunctions: false,
      hasFilenames: false,
      hasLineNumbers: false,
      hasInlineFrames: false,
    };
    let file = 0;
    let buildId = 0;
    while (reader.pos < end) {
      const key = reader.tag();
      const field = key >>> 3;
      const wire = key & 7;
      if (field >= 1 && field <= 10) expectWire(reader, wire, WireType.Varint, field, "Mapping");
      switch (field) {
        case 1:
          mapping.id = reader.uint64();
          break;
        case 2:
          mapping.start = reader.uint64Big();
          break;
        case 3:
          mapping.limit = reader.uint64Big();
          break;
        case 4:
          mapping.offset = reader.uint64Big();
          break;
        case 5:
          file = reader.int64();
          break;
        case 6:
          buildId = reader.int64();
          break;
        case 7:
          mapping.hasFunctions = reader.bool();
          break;
        case 8:
          mapping.hasFilenames = reader.bool();
          break;
        case 9:
          mapping.hasLineNumbers = reader.bool();
          break;
        case 10:
          mapping.hasInlineFrames = reader.bool();
          break;
        default:
          reader.skip(wire);
      }
    }
    mapping.file = str(file);
    mapping.buildId = str(buildId);
    index.add(mapping);
  }
  return index;
}

function decodeLocations(
  reader: ProtoReader,
  ranges: Ranges,
  mappings: IdIndex<Mapping>,
  functions: IdIndex<ProfileFunction>,
): IdIndex<Location> {
  const index = new IdIndex<Location>(ranges.length / 2, "location");
  for (let r = 0; r < ranges.length; r += 2) {
    const end = ranges[r + 1]!;
    reader.pos = ranges[r]!;
    reader.end = end;
    let id = 0;
    let mappingId = 0;
    let address = 0n;
    let isFolded = false;
    let lines: Line[] | undefined;
    while (reader.pos < end) {
      const key = reader.tag();
      const field = key >>> 3;
      const wire = key & 7;
      switch (field) {
        case 1:
          expectWire(reader, wire, WireType.Varint, field, "Location");
          id = reader.uint64();
          break;
        case 2:
          expectWire(reader, wire, WireType.Varint, field, "Location");
          mappingId = reader.uint64();
          break;
        case 3:
          expectWire(reader, wire, WireType.Varint, field, "Location");
          address = reader.uint64Big();
          break;
        case 4: {
          expectWire(reader, wire, WireType.LengthDelimited, field, "Location");
          const lineEnd = reader.lengthDelimitedEnd();
          reader.end = lineEnd;
          let functionId = 0;
          let lineNumber = 0;
          let column = 0;
          while (reader.pos < lineEnd) {
            const lineKey = reader.tag();
            const lineField = lineKey >>> 3;
            const lineWire = lineKey & 7;
            if (lineField === 1) {
              expectWire(reader, lineWire, WireType.Varint, lineField, "Line");
              functionId = reader.uint64();
            } else if (lineField === 2) {
              lineNumber = readIndex(reader, lineWire, lineField, "Line");
            } else if (lineField === 3) {
              column = readIndex(reader, lineWire, lineField, "Line");
            } else {
              reader.skip(lineWire);
            }
          }
          reader.end = end;
          const fn = functionId === 0 ? undefined : functions.get(functionId);
          if (fn === undefined) {
            throw new ProfileDecodeError(
              `malformed profile: location ${id || "(id not yet read)"} has a line with ${
                functionId === 0 ? "no function" : `unknown function id ${functionId}`
              }`,
            );
          }
          const line: Line = { function: fn, line: lineNumber, column };
          if (lines === undefined) lines = [line];
          else lines.push(line);
          break;
        }
        case 5:
          expectWire(reader, wire, WireType.Varint, field, "Location");
          isFolded = reader.bool();
          break;
        default:
          reader.skip(wire);
      }
    }
    // pprof leaves a location's mapping unset when mapping_id is 0 or names no mapping.
    const mapping = mappingId === 0 ? undefined : mappings.get(mappingId);
    index.add({ id, mapping, address, lines: lines ?? [], isFolded });
  }
  return index;
}

/**
 * Samples, the bulk of a profile. The common encoding (what Go and pprof write: packed location IDs,
 * packed values, labels, all with one-byte keys) is read inline; IDs go straight from the bytes to
 * Location objects through the dense ID table, into a scratch array that is copied out at its final
 * size. Anything else goes through `readSampleField`, field by field.
 */
function decodeSamples(
  reader: ProtoReader,
  ranges: Int32Array,
  sampleCount: number,
  locations: IdIndex<Location>,
  valueCount: number,
  str: (i: number) => string,
): Sample[] {
  if (sampleCount > 0 && valueCount === 0) {
    throw new ProfileDecodeError("malformed profile: samples without sample types");
  }
  const bytes = reader.bytes;
  const byId = locations.dense;
  const state = new SampleState(valueCount);
  const samples: Sample[] = new Array(sampleCount);
  const labels = new LabelScratch();
  const smallBigints = new SmallBigintCache();
  for (let s = 0; s < sampleCount; s++) {
    let pos = ranges[2 * s]!;
    const end = ranges[2 * s + 1]!;
    const frames = state.frames;
    const values = state.values;
    let frameCount = 0;
    let valuesRead = 0;
    state.exactValues = undefined;
    labels.count = 0;
    while (pos < end) {
      const key = bytes[pos]!;
      if (key === 0x0a) {
        // Packed location IDs; IDs below 2^28 take at most 4 bytes.
        reader.pos = pos + 1;
        reader.end = end;
        const stop = reader.lengthDelimitedEnd();
        pos = reader.pos;
        while (pos < stop) {
          let byte = bytes[pos++]!;
          let id = byte & 0x7f;
          if (byte >= 0x80) {
            byte = bytes[pos++]!;
            id |= (byte & 0x7f) << 7;
            if (byte >= 0x80) {
              byte = bytes[pos++]!;
              id |= (byte & 0x7f) << 14;
              if (byte >= 0x80) {
                byte = bytes[pos++]!;
                id |= (byte & 0x7f) << 21;
                if (byte >= 0x80) {
                  reader.pos = pos - 4;
                  reader.end = stop;
                  id = reader.uint64();
                  pos = reader.pos;
                }
              }
            }
          }
          let location = byId[id];
          if (location === undefined) location = resolveLocation(locations, id);
          if (frameCount < frames.length) frames[frameCount] = location;
          else frames.push(location);
          frameCount++;
        }
        if (pos !== stop) reader.truncated(stop);
      } else if (key === 0x12 && state.exactValues === undefined) {
        // Packed values: small non-negative ones inline, the rest (negative values are 10-byte
        // two's complement) through the reader, which also says whether they fit a double.
        reader.pos = pos + 1;
        reader.end = end;
        const stop = reader.lengthDelimitedEnd();
        pos = reader.pos;
        while (pos < stop) {
          const b0 = bytes[pos]!;
          let value: number;
          if (b0 < 0x80) {
            value = b0;
            pos++;
          } else {
            const b1 = bytes[pos + 1]!;
            if (b1 < 0x80) {
              value = (b0 & 0x7f) | (b1 << 7);
              pos += 2;
            } else {
              reader.pos = pos;
              reader.end = stop;
              value = reader.int64();
              pos = reader.pos;
              if (!reader.lastInt64IsSafe()) {
                state.frameCount = frameCount;
                state.valuesRead = valuesRead;
                state.pushValue(value, reader.lastInt64Big());
                valuesRead = state.valuesRead;
                continue;
              }
            }
          }
          if (valuesRead < values.length) values[valuesRead] = value;
          else values.push(value);
          valuesRead++;
          if (state.exactValues !== undefined) state.exactValues.push(BigInt(value));
        }
      } else if (key === 0x1a) {
        reader.pos = pos + 1;
        reader.end = end;
        readLabel(reader, labels);
        pos = reader.pos;
      } else {
        // Anything else, one field at a time.
        state.frameCount = frameCount;
        state.valuesRead = valuesRead;
        reader.pos = pos;
        reader.end = end;
        readSampleField(reader, state, locations, labels);
        frameCount = state.frameCount;
        valuesRead = state.valuesRead;
        pos = reader.pos;
      }
    }
    if (valuesRead !== valueCount) {
      throw new ProfileDecodeError(
        `malformed profile: sample ${s} has ${valuesRead} values for ${valueCount} sample types`,
      );
    }
    const sampleLabels = labels.count === 0 ? NO_SAMPLE_LABELS : labels.resolve(str, smallBigints);
    const sampleLocations: Location[] = new Array(frameCount);
    for (let i = 0; i < frameCount; i++) sampleLocations[i] = frames[i]!;
    const sample: Sample = {
      locations: sampleLocations,
      values: copyValues(values, valuesRead),
      labels: sampleLabels.labels,
      numLabels: sampleLabels.numLabels,
      numUnits: sampleLabels.numUnits,
    };
    if (state.exactValues !== undefined) sample.exactValues = state.exactValues;
    samples[s] = sample;
  }
  return samples;
}

function copyValues(values: number[], count: number): number[] {
  switch (count) {
    case 1:
      return [values[0]!];
    case 2:
      return [values[0]!, values[1]!];
    case 3:
      return [values[0]!, values[1]!, values[2]!];
    case 4:
      return [values[0]!, values[1]!, values[2]!, values[3]!];
    default:
      return values.slice(0, count);
  }
}

/**
 * Scratch space for the sample being decoded, reused across samples: frames and values are kept
 * packed (never holey) so that `slice` copies them out at their exact size in one go.
 */
class SampleState {
  readonly frames: Location[] = [];
  readonly values: number[] = [];
  frameCount = 0;
  valuesRead = 0;
  /** Exact values of the current sample, once one of them does not fit a double. */
  exactValues: bigint[] | undefined;

  constructor(valueCount: number) {
    for (let i = 0; i < valueCount; i++) this.values.push(0);
  }

  pushFrame(location: Location): void {
    if (this.frameCount < this.frames.length) this.frames[this.frameCount] = location;
    else this.frames.push(location);
    this.frameCount++;
  }

  /** Appends a value; `exact` is its exact reading when the number is not. */
  pushValue(value: number, exact: bigint | undefined): void {
    const count = this.valuesRead;
    if (count < this.values.length) this.values[count] = value;
    else this.values.push(value);
    this.valuesRead = count + 1;
    if (this.exactValues !== undefined) {
      this.exactValues.push(exact ?? BigInt(value));
    } else if (exact !== undefined) {
      const exactValues: bigint[] = [];
      for (let i = 0; i < count; i++) exactValues.push(BigInt(this.values[i]!));
      exactValues.push(exact);
      this.exactValues = exactValues;
    }
  }
}

/** One field of a Sample through the general reader: unpacked IDs and values, unknown fields. */
function readSampleField(
  reader: ProtoReader,
  state: SampleState,
  locations: IdIndex<Location>,
  labels: LabelScratch,
): void {
  const end = reader.end;
  const key = reader.tag();
  const field = key >>> 3;
  const wire = key & 7;
  if (field === 1) {
    if (wire === WireType.LengthDelimited) {
      const stop = reader.lengthDelimitedEnd();
      reader.end = stop;
      while (reader.pos < stop) state.pushFrame(resolveLocation(locations, reader.uint64()));
      reader.end = end;
    } else {
      expectWire(reader, wire, WireType.Varint, field, "Sample");
      state.pushFrame(resolveLocation(locations, reader.uint64()));
    }
  } else if (field === 2) {
    if (wire === WireType.LengthDelimited) {
      const stop = reader.lengthDelimitedEnd();
      reader.end = stop;
      while (reader.pos < stop) readValue(reader, state);
      reader.end = end;
    } else {
      expectWire(reader, wire, WireType.Varint, field, "Sample");
      readValue(reader, state);
    }
  } else if (field === 3) {
    expectWire(reader, wire, WireType.LengthDelimited, field, "Sample");
    readLabel(reader, labels);
  } else {
    reader.skip(wire);
  }
}

function readValue(reader: ProtoReader, state: SampleState): void {
  const value = reader.int64();
  state.pushValue(value, reader.lastInt64IsSafe() ? undefined : reader.lastInt64Big());
}

/** Reads a Label message (the reader is just past its key) into the sample's label scratch. */
function readLabel(reader: ProtoReader, labels: LabelScratch): void {
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
class SmallBigintCache {
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

/** The three label maps of a sample. */
interface SampleLabels {
  labels: Map<string, string[]>;
  numLabels: Map<string, bigint[]>;
  numUnits: Map<string, string[]>;
}

/** Distinct label sets remembered for sharing; past this, new sets are built per sample. */
const LABEL_SET_CACHE_LIMIT = 1 << 16;

/**
 * One sample's raw labels, reused from sample to sample, and the label sets already resolved:
 * samples with the same raw labels (a heap profile's `bytes` block sizes, a goroutine's pprof labels)
 * share one set of read-only maps, which is most of the memory saved over new Maps per sample.
 */
class LabelScratch {
  count = 0;
  private keys: number[] = [];
  private strs: number[] = [];
  private nums: (number | bigint)[] = [];
  private units: number[] = [];
  private readonly resolved = new Map<string, SampleLabels>();
  private readonly singleNumeric = new Map<number, Map<number | bigint, SampleLabels>>();

  add(key: number, strIndex: number, num: number | bigint, unit: number): void {
    const i = this.count++;
    this.keys[i] = key;
    this.strs[i] = strIndex;
    this.nums[i] = num;
    this.units[i] = unit;
  }

  resolve(str: (i: number) => string, bigints: SmallBigintCache): SampleLabels {
    if (this.count === 1 && this.strs[0] === 0 && this.units[0] === 0) {
      // The common case, a Go heap sample's `bytes` label: looked up without building a key string.
      let byNumber = this.singleNumeric.get(this.keys[0]!);
      if (byNumber === undefined) {
        byNumber = new Map();
        this.singleNumeric.set(this.keys[0]!, byNumber);
      }
      let labels = byNumber.get(this.nums[0]!);
      if (labels === undefined) {
        labels = this.build(str, bigints);
        if (byNumber.size < LABEL_SET_CACHE_LIMIT) byNumber.set(this.nums[0]!, labels);
      }
      return labels;
    }
    let cacheKey = "";
    for (let i = 0; i < this.count; i++) {
      cacheKey += `${this.keys[i]},${this.strs[i]},${this.nums[i]},${this.units[i]};`;
    }
    let labels = this.resolved.get(cacheKey);
    if (labels === undefined) {
      labels = this.build(str, bigints);
      if (this.resolved.size < LABEL_SET_CACHE_LIMIT) this.resolved.set(cacheKey, labels);
    }
    return labels;
  }

  /**
   * pprof's rules: a label with a string value is a string label; otherwise it is numeric when it has
   * a number or a unit (a label with neither is dropped). Units are padded with "" to parallel the
   * numbers; keys that never had a unit get no `numUnits` entry.
   */
  private build(str: (i: number) => string, bigints: SmallBigintCache): SampleLabels {
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
    return {
      labels: labels.length === 0 ? NO_STRING_LABELS : new ReadonlyLabelMap(freezeValues(labels)),
      numLabels: numLabels.length === 0 ? NO_NUMERIC_LABELS : new ReadonlyLabelMap(freezeValues(numLabels)),
      numUnits: numUnits.length === 0 ? NO_STRING_LABELS : new ReadonlyLabelMap(freezeValues(numUnits)),
    };
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

/**
 * Decoded label maps are read-only and may be shared between samples: `set`, `delete` and `clear`
 * throw, and the value arrays are frozen. Operations that change labels build new maps
 * (`new Map(sample.labels)`), which also leaves the decoded profile as it was.
 */
export class ReadonlyLabelMap<V> extends Map<string, V> {
  private sealed = false;

  constructor(entries?: Iterable<readonly [string, V]>) {
    super(entries ?? []);
    this.sealed = true;
  }

  override set(key: string, value: V): this {
    if (this.sealed)
      throw new TypeError(`read-only label map: copy it (new Map(map)) before setting "${key}"`);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    if (this.sealed)
      throw new TypeError(`read-only label map: copy it (new Map(map)) before deleting "${key}"`);
    return super.delete(key);
  }

  override clear(): void {
    if (this.sealed) throw new TypeError("read-only label map: copy it (new Map(map)) before clearing it");
    super.clear();
  }
}

/** The label maps of samples without labels of that kind. */
export const NO_STRING_LABELS: Map<string, string[]> = new ReadonlyLabelMap<string[]>();
export const NO_NUMERIC_LABELS: Map<string, bigint[]> = new ReadonlyLabelMap<bigint[]>();
const NO_SAMPLE_LABELS: SampleLabels = {
  labels: NO_STRING_LABELS,
  numLabels: NO_NUMERIC_LABELS,
  numUnits: NO_STRING_LABELS,
};

function resolveLocation(locations: IdIndex<Location>, id: number): Location {
  const location = locations.get(id);
  if (location === undefined) {
    throw new ProfileDecodeError(`malformed profile: a sample references unknown location id ${id}`);
  }
  return location;
}
