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

export function decodeProfile(bytes: Uint8Array): Profile {
  if (bytes.length === 0) throw new ProfileDecodeError("empty profile (0 bytes)");
  const reader = new ProtoReader(bytes);

  const sampleTypeRanges: Ranges = [];
  const sampleRanges: Ranges = [];
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

  while (reader.pos < reader.end) {
    const key = reader.tag();
    const field = key >>> 3;
    const wire = key & 7;
    switch (field) {
      case 1:
        pushRange(reader, wire, field, "Profile", sampleTypeRanges);
        break;
      case 2:
        pushRange(reader, wire, field, "Profile", sampleRanges);
        break;
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
        const end = reader.lengthDelimitedEnd();
        strings.push(decodeUtf8(bytes, reader.pos, end));
        reader.pos = end;
        if (strings.length === 1 && strings[0] !== "") {
          throw new ProfileDecodeError('malformed profile: string_table[0] must be "" (it is not)');
        }
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
        const end = reader.lengthDelimitedEnd();
        periodTypeRange = [reader.pos, end];
        reader.pos = end;
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
  if (reader.pos !== reader.end) reader.truncated(reader.end);
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
  const samples = decodeSamples(reader, sampleRanges, locations, sampleTypes.length, str);

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
  private readonly dense: (T | undefined)[];
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
    const lines: Line[] = [];
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
          lines.push({ function: fn, line: lineNumber, column });
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
    index.add({ id, mapping, address, lines, isFolded });
  }
  return index;
}

function decodeSamples(
  reader: ProtoReader,
  ranges: Ranges,
  locations: IdIndex<Location>,
  valueCount: number,
  str: (i: number) => string,
): Sample[] {
  const sampleCount = ranges.length / 2;
  if (sampleCount > 0 && valueCount === 0) {
    throw new ProfileDecodeError("malformed profile: samples without sample types");
  }
  const bytes = reader.bytes;
  const samples: Sample[] = new Array(sampleCount);
  const labels = new LabelScratch();
  const smallBigints = new SmallBigintCache();
  for (let s = 0; s < sampleCount; s++) {
    const end = ranges[2 * s + 1]!;
    reader.pos = ranges[2 * s]!;
    reader.end = end;
    let sampleLocations: Location[] | undefined;
    let values: number[] | undefined;
    let valuesRead = 0;
    let exactValues: bigint[] | undefined;
    labels.count = 0;
    while (reader.pos < end) {
      const key = reader.tag();
      const field = key >>> 3;
      const wire = key & 7;
      if (field === 1) {
        if (wire === WireType.LengthDelimited) {
          const packedEnd = reader.lengthDelimitedEnd();
          reader.end = packedEnd;
          if (sampleLocations === undefined) {
            // Sized up front: growing arrays element by element is most of the garbage otherwise.
            sampleLocations = new Array(countVarints(bytes, reader.pos, packedEnd));
            let i = 0;
            while (reader.pos < packedEnd) sampleLocations[i++] = resolveLocation(locations, reader.uint64());
          } else {
            while (reader.pos < packedEnd) sampleLocations.push(resolveLocation(locations, reader.uint64()));
          }
          reader.end = end;
        } else {
          expectWire(reader, wire, WireType.Varint, field, "Sample");
          const location = resolveLocation(locations, reader.uint64());
          if (sampleLocations === undefined) sampleLocations = [location];
          else sampleLocations.push(location);
        }
      } else if (field === 2) {
        if (wire === WireType.LengthDelimited) {
          const packedEnd = reader.lengthDelimitedEnd();
          reader.end = packedEnd;
          if (values === undefined) values = new Array(countVarints(bytes, reader.pos, packedEnd));
          while (reader.pos < packedEnd) {
            const value = reader.int64();
            if (valuesRead < values.length) values[valuesRead] = value;
            else values.push(value);
            valuesRead++;
            if (exactValues !== undefined) exactValues.push(reader.lastInt64Big());
            else if (!reader.lastInt64IsSafe())
              exactValues = exactSoFar(values, valuesRead, reader.lastInt64Big());
          }
          reader.end = end;
        } else {
          expectWire(reader, wire, WireType.Varint, field, "Sample");
          const value = reader.int64();
          if (values === undefined) values = [];
          if (valuesRead < values.length) values[valuesRead] = value;
          else values.push(value);
          valuesRead++;
          if (exactValues !== undefined) exactValues.push(reader.lastInt64Big());
          else if (!reader.lastInt64IsSafe())
            exactValues = exactSoFar(values, valuesRead, reader.lastInt64Big());
        }
      } else if (field === 3) {
        expectWire(reader, wire, WireType.LengthDelimited, field, "Sample");
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
      } else {
        reader.skip(wire);
      }
    }
    if (valuesRead !== valueCount) {
      throw new ProfileDecodeError(
        `malformed profile: sample ${s} has ${valuesRead} values for ${valueCount} sample types`,
      );
    }
    const sampleLabels = labels.count === 0 ? NO_SAMPLE_LABELS : labels.resolve(str, smallBigints);
    const sample: Sample = {
      locations: sampleLocations ?? [],
      values: values!,
      labels: sampleLabels.labels,
      numLabels: sampleLabels.numLabels,
      numUnits: sampleLabels.numUnits,
    };
    if (exactValues !== undefined) sample.exactValues = exactValues;
    samples[s] = sample;
  }
  return samples;
}

/** How many varints lie in bytes[start, end): one per byte without the continuation bit. */
function countVarints(bytes: Uint8Array, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) if (bytes[i]! < 0x80) count++;
  return count;
}

function exactSoFar(values: number[], count: number, last: bigint): bigint[] {
  const exact: bigint[] = new Array(count);
  for (let i = 0; i < count - 1; i++) exact[i] = BigInt(values[i]!);
  exact[count - 1] = last;
  return exact;
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
