/**
 * Decoding the Sample messages, which are most of a large heap profile's bytes: the hot loops of
 * the decoder.
 */
import { ProfileDecodeError } from "../../errors.js";
import type { Location, Sample } from "../../profile/model.js";
import { type ProtoReader, WireType } from "../protobuf-reader.js";
import type { IdIndex } from "./id-index.js";
import { NO_SAMPLE_LABELS } from "./readonly-label-map.js";
import {
  diffBaseColumn,
  type LocationIndexArray,
  type ProfileSampleColumns,
  valuesAt,
} from "./sample-columns.js";
import { LabelScratch, readLabel, SmallBigintCache } from "./sample-labels.js";
import { expectWire } from "./wire-fields.js";

/**
 * Decodes Sample messages, into columns (`decodeColumns`) or straight into Sample objects
 * (`decodeObjects`, which keeps only the current sample's frames, so no columns are held).
 * The common encoding (what Go and pprof write: packed location IDs, packed values, labels, all with
 * one-byte keys) is read inline, IDs straight to location positions through the dense ID table;
 * anything else goes through `readFieldSlowly`, field by field.
 */
export class SampleDecoder {
  private frames: LocationIndexArray;
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
    this.frames =
      locations.list.length <= 0x10000 ? new Uint16Array(frameCapacity) : new Int32Array(frameCapacity);
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
    // Every location ID takes at least one of the samples' bytes, so this room never has to grow
    // (below the cap; a huge profile grows its frames instead of reserving them all up front).
    // The unused tail is never written, so its pages are never touched and cost no memory.
    const frames = Math.min(sampleBytes + 64, 1 << 24);
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
      // A view: the room past the last frame was never written (see forColumns).
      locationIndex: frames.subarray(0, frameCount),
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
    this.valuesRead = 0;
    this.valueBase = base;
    this.exact = undefined;
    this.labels.count = 0;
    while (pos < end) {
      const key = bytes[pos]!;
      if (key === 0x0a) {
        pos = this.readPackedLocations(pos + 1, end);
      } else if (key === 0x12) {
        pos = this.readPackedValues(pos + 1, end);
      } else if (key === 0x1a) {
        const after = this.readLabelQuickly(pos + 1, end);
        if (after >= 0) {
          pos = after;
          continue;
        }
        reader.pos = pos + 1;
        reader.end = end;
        readLabel(reader, this.labels);
        pos = reader.pos;
      } else {
        // Anything else, one field at a time.
        reader.pos = pos;
        reader.end = end;
        this.readFieldSlowly();
        pos = reader.pos;
      }
    }
  }

  /**
   * Packed location IDs (the length is at `pos`), appended to the frames as location positions;
   * returns the position after them. IDs below 2^28 take at most 4 bytes, and each takes at least one.
   */
  private readPackedLocations(pos: number, end: number): number {
    const reader = this.reader;
    const bytes = reader.bytes;
    const positions = this.locations.positions;
    const positionCount = positions.length;
    reader.pos = pos;
    reader.end = end;
    const stop = reader.lengthDelimitedEnd();
    pos = reader.pos;
    let frames = this.frames;
    let frameCount = this.frameCount;
    if (frameCount + (stop - pos) > frames.length) frames = this.growFrames(frameCount + (stop - pos));
    while (pos < stop) {
      // The hottest loop of a decode: one pass per frame. The varint is spelled out here (and in
      // the values loop) rather than read through ProtoReader or a shared helper, which costs
      // measurably more per frame. `id` stays a small integer (V8 keeps it in a register as int32);
      // longer IDs and IDs outside the dense table go through `framePositionSlowly`.
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
    this.frameCount = frameCount;
    return pos;
  }

  /**
   * A Label message (its length at `pos`) as Go writes it, read inline: shorter than 128 bytes, and
   * only varint fields 1-4 (key, str, num, num_unit) of at most 4 bytes each (indexes, and numbers
   * from 0 to 2^28 - 1 such as a heap sample's block size). Returns the position after it, or -1,
   * having changed nothing, for anything else (a negative or larger number, an unknown field, bad
   * bytes), which `readLabel` then reads or rejects. Per sample this saves most of a label's cost.
   */
  private readLabelQuickly(pos: number, end: number): number {
    const bytes = this.reader.bytes;
    const length = bytes[pos]!;
    const stop = pos + 1 + length;
    if (length >= 0x80 || stop > end) return -1;
    pos++;
    let key = 0;
    let str = 0;
    let num = 0;
    let unit = 0;
    while (pos < stop) {
      const tag = bytes[pos++]!;
      if (tag !== 0x08 && tag !== 0x10 && tag !== 0x18 && tag !== 0x20) return -1;
      let byte = bytes[pos++]!;
      let value = byte & 0x7f;
      if (byte >= 0x80) {
        byte = bytes[pos++]!;
        value |= (byte & 0x7f) << 7;
        if (byte >= 0x80) {
          byte = bytes[pos++]!;
          value |= (byte & 0x7f) << 14;
          if (byte >= 0x80) {
            byte = bytes[pos++]!;
            value |= (byte & 0x7f) << 21;
            if (byte >= 0x80) return -1;
          }
        }
      }
      if (tag === 0x08) key = value;
      else if (tag === 0x10) str = value;
      else if (tag === 0x18) num = value;
      else unit = value;
    }
    if (pos !== stop) return -1;
    this.labels.add(key, str, num, unit);
    return stop;
  }

  /**
   * Packed values (the length is at `pos`), written from values[valueBase + valuesRead] on; returns
   * the position after them. Non-negative values below 2^28 are read inline, the rest (negative
   * values are 10-byte two's complement) through the reader, which also says whether they fit a
   * double. (Bytes read past `stop` are only used if the varint really ends there; `pos` is checked.)
   */
  private readPackedValues(pos: number, end: number): number {
    const reader = this.reader;
    const bytes = reader.bytes;
    const stride = this.stride;
    const values = this.values;
    const base = this.valueBase;
    let valuesRead = this.valuesRead;
    let exact = this.exact;
    reader.pos = pos;
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
    this.valuesRead = valuesRead;
    this.exact = exact;
    return pos;
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

  private growFrames(needed: number): LocationIndexArray {
    const length = Math.max(needed, this.frames.length * 2);
    const grown = this.frames instanceof Uint16Array ? new Uint16Array(length) : new Int32Array(length);
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

/** The position in the location list of the location with this ID; unknown IDs are an error. */
function locationPosition(locations: IdIndex<Location>, id: number): number {
  const position = locations.positionOf(id);
  if (position < 0) {
    throw new ProfileDecodeError(`malformed profile: a sample references unknown location id ${id}`);
  }
  return position;
}
