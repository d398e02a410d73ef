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
 * Samples come out in one of two forms: Sample objects (`decodeProfile`, the model), or columns of
 * typed arrays (`decodeProfileColumns`), which hold the same information without an object per
 * sample: for a profile of 100k+ deep samples, allocating and collecting those objects costs more
 * than decoding the bytes, and reports only need the columns.
 *
 * Speed: a large heap profile is mostly samples, and a sample is mostly its packed location IDs and
 * values, so the sample loop reads those inline (one-byte keys, varints below 2^28) and hands
 * anything unusual (long keys, unpacked fields, unknown fields, huge values) to the general
 * ProtoReader path, which also words the errors. Everything else goes through the reader, whose
 * own fast path reads the same short varints. Arrays are built at their final size.
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

/** A decoded profile whose samples are in columns; `profile.samples` is empty. */
export interface ColumnarProfile {
  profile: Profile;
  columns: ProfileSampleColumns;
}

/** Decodes profile.proto bytes into the model, samples as objects. */
export function decodeProfile(bytes: Uint8Array): Profile {
  return decodeWith(bytes, "objects").profile;
}

/**
 * Decodes profile.proto bytes with the samples in columns instead of objects: the same validation
 * and the same information as `decodeProfile`, at a fraction of the memory and time for large
 * profiles (no per-sample objects). `profile.samples` is left empty.
 */
export function decodeProfileColumns(bytes: Uint8Array): ColumnarProfile {
  const { profile, columns } = decodeWith(bytes, "columns");
  return { profile, columns: columns! };
}

function decodeWith(
  bytes: Uint8Array,
  samplesAs: "objects" | "columns",
): { profile: Profile; columns: ProfileSampleColumns | undefined } {
  if (bytes.length === 0) throw new ProfileDecodeError("empty profile (0 bytes)");
  const reader = new ProtoReader(bytes);
  const end = bytes.length;

  // Sample ranges can number in the hundreds of thousands: a typed array, grown by doubling.
  let sampleRanges = new Int32Array(1024);
  let sampleCount = 0;
  let sampleBytes = 0;
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

  // First pass: where everything lies (samples, being most of the bytes, go into a typed array).
  while (reader.pos < end) {
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
        sampleBytes += stop - reader.pos;
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
  const stride = sampleTypes.length;
  if (sampleCount > 0 && stride === 0) {
    throw new ProfileDecodeError("malformed profile: samples without sample types");
  }
  let samples: Sample[] = [];
  let columns: ProfileSampleColumns | undefined;
  if (samplesAs === "objects") {
    samples = SampleDecoder.forObjects(reader, locations, stride, str).decodeObjects(
      sampleRanges,
      sampleCount,
    );
  } else {
    columns = SampleDecoder.forColumns(
      reader,
      locations,
      stride,
      str,
      sampleCount,
      sampleBytes,
    ).decodeColumns(sampleRanges, sampleCount);
  }

  const comments: string[] = new Array(commentIndexes.length);
  for (let i = 0; i < commentIndexes.length; i++) comments[i] = str(commentIndexes[i]!);

  const profile: Profile = {
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
  return { profile, columns };
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
  /** Position in `list` by ID, for IDs below its length; -1 where no object has that ID. */
  readonly positions: Int32Array;
  private readonly sparse = new Map<number, number>();

  constructor(
    count: number,
    private readonly kind: string,
  ) {
    this.positions = new Int32Array(count + 1).fill(-1);
  }

  add(item: T): void {
    const id = item.id;
    if (id === 0) throw new ProfileDecodeError(`malformed profile: found ${this.kind} with reserved id 0`);
    if (this.positionOf(id) >= 0) {
      throw new ProfileDecodeError(`malformed profile: multiple ${this.kind}s with id ${id}`);
    }
    if (id < this.positions.length) this.positions[id] = this.list.length;
    else this.sparse.set(id, this.list.length);
    this.list.push(item);
  }

  positionOf(id: number): number {
    return id < this.positions.length ? this.positions[id]! : (this.sparse.get(id) ?? -1);
  }

  get(id: number): T | undefined {
    const position = this.positionOf(id);
    return position < 0 ? undefined : this.list[position];
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
  /** Positions in profile.locations. */
  locationIndex: Int32Array;
  /** Sample i's labels are labelSets[labelSet[i]]; set 0 is "no labels". */
  labelSet: Int32Array;
  labelSets: SampleLabels[];
  /** 1 for samples labelled pprof::base=true (from a --diff-base); undefined when there are none. */
  diffBase: Uint8Array | undefined;
}

/** The label maps of a sample: shared, read-only (see ReadonlyLabelMap). */
export interface SampleLabels {
  labels: Map<string, string[]>;
  numLabels: Map<string, bigint[]>;
  numUnits: Map<string, string[]>;
}

/**
 * Decodes Sample messages, into columns (`decodeColumns`) or straight into Sample objects
 * (`decodeObjects`, which keeps only the current sample's frames, so no columns are held).
 * The common encoding (what Go and pprof write: packed location IDs, packed values, labels, all with
 * one-byte keys) is read inline, IDs straight to location positions through the dense ID table;
 * anything else goes through `readFieldSlowly`, field by field.
 */
class SampleDecoder {
  private frames: Int32Array;
  private frameCount = 0;
  private readonly values: Float64Array;
  private valuesRead = 0;
  private valueBase = 0;
  /** Exact values of the current sample, once one of them does not fit a double. */
  private exact: bigint[] | undefined;
  private readonly labels = new LabelScratch();
  private readonly bigints = new SmallBigintCache();

  constructor(
    private readonly reader: ProtoReader,
    private readonly locations: IdIndex<Location>,
    private readonly stride: number,
    private readonly str: (i: number) => string,
    /** Room for this many frames and values at first (frames grow as needed). */
    frameCapacity: number,
    valueCapacity: number,
  ) {
    this.frames = new Int32Array(frameCapacity);
    this.values = new Float64Array(valueCapacity);
  }

  /** A decoder for columns: `sampleBytes` (the samples' size) bounds the frames and sizes them. */
  static forColumns(
    reader: ProtoReader,
    locations: IdIndex<Location>,
    stride: number,
    str: (i: number) => string,
    count: number,
    sampleBytes: number,
  ): SampleDecoder {
    // Location IDs are most of the samples' bytes, at one or two bytes each: a fair first size
    // (capped: a huge profile grows its frames instead of reserving them all up front).
    const frames = Math.min((sampleBytes >>> 1) + 64, 1 << 24);
    return new SampleDecoder(reader, locations, stride, str, frames, count * stride);
  }

  static forObjects(
    reader: ProtoReader,
    locations: IdIndex<Location>,
    stride: number,
    str: (i: number) => string,
  ): SampleDecoder {
    return new SampleDecoder(reader, locations, stride, str, 256, stride);
  }

  decodeColumns(ranges: Int32Array, count: number): ProfileSampleColumns {
    const stride = this.stride;
    const stackStart = new Int32Array(count + 1);
    const labelSet = new Int32Array(count);
    let exactValues: Map<number, bigint[]> | undefined;
    this.frameCount = 0;
    for (let s = 0; s < count; s++) {
      stackStart[s] = this.frameCount;
      this.decodeSample(ranges[2 * s]!, ranges[2 * s + 1]!, s * stride);
      this.checkValueCount(s);
      if (this.exact !== undefined) {
        exactValues ??= new Map();
        exactValues.set(s, this.exact);
      }
      if (this.labels.count !== 0) labelSet[s] = this.labels.resolve(this.str, this.bigints);
    }
    const frameCount = this.frameCount;
    const frames = this.frames;
    stackStart[count] = frameCount;
    const labelSets = this.labels.sets;
    return {
      count,
      stride,
      values: this.values,
      exactValues,
      stackStart,
      // A view while little is wasted; a copy when the first guess was far too big.
      locationIndex:
        frameCount * 4 >= frames.length * 3 ? frames.subarray(0, frameCount) : frames.slice(0, frameCount),
      labelSet,
      labelSets,
      diffBase: diffBaseColumn(labelSet, labelSets),
    };
  }

  decodeObjects(ranges: Int32Array, count: number): Sample[] {
    const locationList = this.locations.list;
    const values = this.values;
    const stride = this.stride;
    const samples: Sample[] = new Array(count);
    for (let s = 0; s < count; s++) {
      this.frameCount = 0;
      this.decodeSample(ranges[2 * s]!, ranges[2 * s + 1]!, 0);
      this.checkValueCount(s);
      const frames = this.frames;
      const frameCount = this.frameCount;
      const sampleLocations: Location[] = new Array(frameCount);
      for (let i = 0; i < frameCount; i++) sampleLocations[i] = locationList[frames[i]!]!;
      const set =
        this.labels.count === 0
          ? NO_SAMPLE_LABELS
          : this.labels.sets[this.labels.resolve(this.str, this.bigints)]!;
      const sample: Sample = {
        locations: sampleLocations,
        values: valuesAt(values, 0, stride),
        labels: set.labels,
        numLabels: set.numLabels,
        numUnits: set.numUnits,
      };
      if (this.exact !== undefined) sample.exactValues = this.exact;
      samples[s] = sample;
    }
    return samples;
  }

  private checkValueCount(sample: number): void {
    if (this.valuesRead !== this.stride) {
      throw new ProfileDecodeError(
        `malformed profile: sample ${sample} has ${this.valuesRead} values for ${this.stride} sample types`,
      );
    }
  }

  /**
   * Decodes the Sample message at bytes[pos, end): its location positions are appended to the
   * frames, its values written from values[base] on, its labels left in the label scratch.
   */
  private decodeSample(pos: number, end: number, base: number): void {
    const reader = this.reader;
    const bytes = reader.bytes;
    const stride = this.stride;
    const values = this.values;
    const positions = this.locations.positions;
    const positionCount = positions.length;
    let frames = this.frames;
    let frameCount = this.frameCount;
    let valuesRead = 0;
    let exact: bigint[] | undefined;
    this.labels.count = 0;
    while (pos < end) {
      const key = bytes[pos]!;
      if (key === 0x0a) {
        // Packed location IDs; IDs below 2^28 take at most 4 bytes, and each takes at least one.
        reader.pos = pos + 1;
        reader.end = end;
        const stop = reader.lengthDelimitedEnd();
        pos = reader.pos;
        if (frameCount + (stop - pos) > frames.length) frames = this.growFrames(frameCount + (stop - pos));
        while (pos < stop) {
          // The hottest loop of a decode: one pass per frame (6.4M for a 150k-sample heap
          // profile). Reading the IDs through ProtoReader, or through a helper shared with it that
          // returns value and length packed in one integer, measured 6-9% more instructions per
          // decode, so the varint is spelled out here and in the values loop below. `id` stays a
          // small integer (V8 keeps it in a register as int32); longer IDs and IDs outside the
          // dense table go through `framePositionSlowly`.
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
                if (byte >= 0x80) id = -1;
              }
            }
          }
          let at = id >= 0 && id < positionCount ? positions[id]! : -1;
          if (at < 0) {
            at = this.framePositionSlowly(id < 0 ? pos - 4 : -1, stop, id);
            if (id < 0) pos = reader.pos;
          }
          frames[frameCount++] = at;
        }
        if (pos !== stop) reader.truncated(stop);
      } else if (key === 0x12) {
        // Packed values: non-negative ones below 2^28 inline, the rest (negative values are
        // 10-byte two's complement) through the reader, which also says whether they fit a double.
        // (Bytes read past `stop` are only used if the varint really ends there; `pos` is checked.)
        reader.pos = pos + 1;
        reader.end = end;
        const stop = reader.lengthDelimitedEnd();
        pos = reader.pos;
        while (pos < stop) {
          const b0 = bytes[pos]!;
          let value: number;
          let big: bigint | undefined;
          if (b0 < 0x80) {
            value = b0;
            pos++;
          } else {
            const b1 = bytes[pos + 1]!;
            const b2 = bytes[pos + 2]!;
            const b3 = bytes[pos + 3]!;
            if (b1 < 0x80) {
              value = (b0 & 0x7f) | (b1 << 7);
              pos += 2;
            } else if (b2 < 0x80) {
              value = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14);
              pos += 3;
            } else if (b3 < 0x80) {
              value = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | ((b2 & 0x7f) << 14) | (b3 << 21);
              pos += 4;
            } else {
              reader.pos = pos;
              reader.end = stop;
              value = reader.int64();
              pos = reader.pos;
              if (!reader.lastInt64IsSafe()) big = reader.lastInt64Big();
            }
          }
          if (big !== undefined || exact !== undefined) {
            exact = withExact(exact, values, base, Math.min(valuesRead, stride), big ?? BigInt(value));
          }
          if (valuesRead < stride) values[base + valuesRead] = value;
          valuesRead++;
        }
        if (pos !== stop) reader.truncated(stop);
      } else if (key === 0x1a) {
        reader.pos = pos + 1;
        reader.end = end;
        readLabel(reader, this.labels);
        pos = reader.pos;
      } else {
        // Anything else, one field at a time.
        this.frames = frames;
        this.frameCount = frameCount;
        this.valuesRead = valuesRead;
        this.valueBase = base;
        this.exact = exact;
        reader.pos = pos;
        reader.end = end;
        this.readFieldSlowly();
        frames = this.frames;
        frameCount = this.frameCount;
        valuesRead = this.valuesRead;
        exact = this.exact;
        pos = reader.pos;
      }
    }
    this.frames = frames;
    this.frameCount = frameCount;
    this.valuesRead = valuesRead;
    this.exact = exact;
  }

  /**
   * The location position of an ID the inline loop did not resolve: one of 5+ bytes (read again
   * from `from`, leaving the reader after it) or one outside the dense table (`id`).
   */
  private framePositionSlowly(from: number, stop: number, id: number): number {
    if (from >= 0) {
      this.reader.pos = from;
      this.reader.end = stop;
      return locationPosition(this.locations, this.reader.uint64());
    }
    return locationPosition(this.locations, id);
  }

  private growFrames(needed: number): Int32Array {
    const grown = new Int32Array(Math.max(needed, this.frames.length * 2));
    grown.set(this.frames);
    this.frames = grown;
    return grown;
  }

  /** One field of a Sample through the general reader: unpacked IDs and values, unknown fields. */
  private readFieldSlowly(): void {
    const reader = this.reader;
    const end = reader.end;
    const key = reader.tag();
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1) {
      if (wire === WireType.LengthDelimited) {
        const stop = reader.lengthDelimitedEnd();
        reader.end = stop;
        while (reader.pos < stop) this.pushFrame(locationPosition(this.locations, reader.uint64()));
        reader.end = end;
      } else {
        expectWire(reader, wire, WireType.Varint, field, "Sample");
        this.pushFrame(locationPosition(this.locations, reader.uint64()));
      }
    } else if (field === 2) {
      if (wire === WireType.LengthDelimited) {
        const stop = reader.lengthDelimitedEnd();
        reader.end = stop;
        while (reader.pos < stop) this.pushValue();
        reader.end = end;
      } else {
        expectWire(reader, wire, WireType.Varint, field, "Sample");
        this.pushValue();
      }
    } else if (field === 3) {
      expectWire(reader, wire, WireType.LengthDelimited, field, "Sample");
      readLabel(reader, this.labels);
    } else {
      reader.skip(wire);
    }
  }

  private pushFrame(position: number): void {
    if (this.frameCount >= this.frames.length) this.growFrames(this.frameCount + 1);
    this.frames[this.frameCount++] = position;
  }

  /** Reads one int64 value with the reader and appends it to the current sample. */
  private pushValue(): void {
    const reader = this.reader;
    const value = reader.int64();
    const big = reader.lastInt64IsSafe() ? undefined : reader.lastInt64Big();
    const read = this.valuesRead;
    if (big !== undefined || this.exact !== undefined) {
      this.exact = withExact(
        this.exact,
        this.values,
        this.valueBase,
        Math.min(read, this.stride),
        big ?? BigInt(value),
      );
    }
    if (read < this.stride) this.values[this.valueBase + read] = value;
    this.valuesRead = read + 1;
  }
}

/** Appends an exact value, starting the exact list (from the values so far, all safe) if needed. */
function withExact(
  exact: bigint[] | undefined,
  values: Float64Array,
  base: number,
  count: number,
  value: bigint,
): bigint[] {
  if (exact === undefined) {
    exact = [];
    for (let i = 0; i < count; i++) exact.push(BigInt(values[base + i]!));
  }
  exact.push(value);
  return exact;
}

/** Which samples carry pprof::base=true, computed once per label set. */
function diffBaseColumn(labelSet: Int32Array, labelSets: SampleLabels[]): Uint8Array | undefined {
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
function valuesAt(values: Float64Array, base: number, stride: number): number[] {
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

/** Distinct label sets remembered for sharing; past this, new sets are built per sample. */
const LABEL_SET_CACHE_LIMIT = 1 << 16;

/**
 * One sample's raw labels, reused from sample to sample, and the label sets already resolved:
 * samples with the same raw labels (a heap profile's `bytes` block sizes, a goroutine's pprof labels)
 * share one set of read-only maps, which is most of the memory saved over new Maps per sample.
 */
class LabelScratch {
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

/** The position in the location list of the location with this ID; unknown IDs are an error. */
function locationPosition(locations: IdIndex<Location>, id: number): number {
  const position = locations.positionOf(id);
  if (position < 0) {
    throw new ProfileDecodeError(`malformed profile: a sample references unknown location id ${id}`);
  }
  return position;
}
