/**
 * Samples in columns: what the graph reports read. A profile with 100k+ samples as objects (each
 * with its label maps) costs more in allocation and garbage collection than the whole report, so
 * reports iterate typed arrays instead: values row-major, and each sample's stack as indices into
 * `profile.locations` (leaf first).
 *
 * Columns come either from a decoded Profile (after any operation on it) or straight from
 * profile.proto bytes (decodeColumnarProfile), which skips sample objects altogether.
 */
import type { Profile } from "./model.js";
import { isDiffBaseSample } from "./scale.js";

export interface SampleColumns {
  count: number;
  /** Values per sample (= profile.sampleTypes.length). */
  stride: number;
  /** values[i * stride + t] is sample i's value of type t. */
  values: Float64Array;
  /** Sample i's stack is locationIndex[stackStart[i] .. stackStart[i + 1]), leaf first. */
  stackStart: Int32Array;
  /** Indices into profile.locations. */
  locationIndex: Int32Array;
  /** 1 for samples labelled pprof::base=true (from a --diff-base); undefined when there are none. */
  diffBase: Uint8Array | undefined;
}

/** Location ID → index in profile.locations. */
export function locationIndexer(profile: Profile): (id: number) => number {
  const locations = profile.locations;
  let maxId = 0;
  for (const l of locations) if (l.id > maxId) maxId = l.id;
  if (maxId <= locations.length * 4 + 1024) {
    const dense = new Int32Array(maxId + 1).fill(-1);
    locations.forEach((l, i) => {
      dense[l.id] = i;
    });
    return (id) => (id >= 0 && id < dense.length ? dense[id]! : -1);
  }
  const sparse = new Map(locations.map((l, i) => [l.id, i]));
  return (id) => sparse.get(id) ?? -1;
}

/** Columns of a decoded profile's samples. Locations not in profile.locations are skipped. */
export function columnsFromProfile(profile: Profile): SampleColumns {
  const samples = profile.samples;
  const count = samples.length;
  const stride = profile.sampleTypes.length;
  const values = new Float64Array(count * stride);
  const stackStart = new Int32Array(count + 1);
  let frames = 0;
  for (const s of samples) frames += s.locations.length;
  const locationIndex = new Int32Array(frames);
  const indexOf = locationIndexer(profile);
  let diffBase: Uint8Array | undefined;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const s = samples[i]!;
    stackStart[i] = pos;
    const v = s.values;
    for (let t = 0; t < stride; t++) values[i * stride + t] = v[t] ?? 0;
    for (const l of s.locations) {
      const index = indexOf(l.id);
      if (index >= 0) locationIndex[pos++] = index;
    }
    if (s.labels.size > 0 && isDiffBaseSample(s)) {
      diffBase ??= new Uint8Array(count);
      diffBase[i] = 1;
    }
  }
  stackStart[count] = pos;
  return { count, stride, values, stackStart, locationIndex: locationIndex.subarray(0, pos), diffBase };
}

/**
 * Decodes uncompressed profile.proto bytes into a Profile without samples plus the samples as
 * columns, in one pass over the bytes. `decodeWithoutSamples` decodes everything else (it is given
 * the bytes with the sample fields cut out), so headers, locations and validation stay the regular
 * decoder's. Returns undefined for anything unusual, so the caller can fall back to the regular
 * path and its errors.
 */
export function decodeColumnarProfile(
  bytes: Uint8Array,
  decodeWithoutSamples: (bytes: Uint8Array) => Profile,
): { profile: Profile; columns: SampleColumns } | undefined {
  // Pass 1 over the top-level fields: where the samples are (to size the columns once), how many
  // sample types there are, which string indices spell "pprof::base" and "true", and the bytes of
  // every other field, for the regular decoder.
  const reader = new WideVarint(bytes);
  let sampleRanges: Int32Array = new Int32Array(2048);
  let sampleCount = 0;
  let sampleBytes = 0;
  let sampleTypeCount = 0;
  const kept: number[] = [];
  let stringIndex = 0;
  let baseKeyIndex = -1;
  let trueIndex = -1;
  const baseKey = [..."pprof::base"].map((c) => c.charCodeAt(0));
  const trueText = [..."true"].map((c) => c.charCodeAt(0));
  while (reader.pos < bytes.length) {
    const fieldStart = reader.pos;
    const key = reader.uint64();
    const field = key >>> 3;
    const wire = key & 7;
    // Field 0 does not exist in protobuf: not a profile (the regular decoder says so).
    if (field === 0 || reader.failed) return undefined;
    if (wire === 2) {
      const length = reader.uint64();
      const start = reader.pos;
      const end = start + length;
      if (reader.failed || end > bytes.length) return undefined;
      reader.pos = end;
      if (field === 2) {
        if (2 * sampleCount + 2 > sampleRanges.length)
          sampleRanges = growInt32(sampleRanges, sampleRanges.length * 2);
        sampleRanges[2 * sampleCount] = start;
        sampleRanges[2 * sampleCount + 1] = end;
        sampleCount++;
        sampleBytes += length;
        continue;
      }
      if (field === 1) sampleTypeCount++;
      if (field === 6) {
        if (equalsAscii(bytes, start, end, baseKey)) baseKeyIndex = stringIndex;
        else if (equalsAscii(bytes, start, end, trueText)) trueIndex = stringIndex;
        stringIndex++;
      }
    } else if (wire === 0) {
      reader.uint64();
    } else if (wire === 1) {
      reader.pos += 8;
    } else if (wire === 5) {
      reader.pos += 4;
    } else {
      return undefined;
    }
    if (reader.pos > bytes.length || reader.failed) return undefined;
    kept.push(fieldStart, reader.pos);
  }
  // The regular decoder reads everything but the samples, so the locations are known before them.
  let keptLength = 0;
  for (let i = 0; i < kept.length; i += 2) keptLength += kept[i + 1]! - kept[i]!;
  const stripped = new Uint8Array(keptLength);
  let offset = 0;
  for (let i = 0; i < kept.length; i += 2) {
    stripped.set(bytes.subarray(kept[i]!, kept[i + 1]!), offset);
    offset += kept[i + 1]! - kept[i]!;
  }
  let profile: Profile;
  try {
    profile = decodeWithoutSamples(stripped);
  } catch {
    return undefined;
  }
  // Pass 2: the samples, into columns sized from pass 1, location IDs mapped to indices on the fly.
  const samples = new SampleDecoder(
    bytes,
    sampleCount,
    sampleBytes,
    sampleTypeCount,
    denseLocationIndex(profile),
  );
  for (let i = 0; i < sampleCount; i++) {
    if (!samples.decode(sampleRanges[2 * i]!, sampleRanges[2 * i + 1]!)) return undefined;
  }
  samples.baseKeyIndex = baseKeyIndex;
  samples.trueIndex = trueIndex;
  const columns = samples.finish(profile);
  return columns ? { profile, columns } : undefined;
}

/** Location ID → index + 1 (0 for unknown IDs), when the IDs are dense enough for an array. */
function denseLocationIndex(profile: Profile): Int32Array | undefined {
  let maxId = 0;
  for (const l of profile.locations) if (l.id > maxId) maxId = l.id;
  if (maxId > profile.locations.length * 4 + 1024) return undefined;
  const index = new Int32Array(maxId + 1);
  profile.locations.forEach((l, i) => {
    index[l.id] = i + 1;
  });
  return index;
}

function equalsAscii(bytes: Uint8Array, start: number, end: number, text: number[]): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[start + i] !== text[i]) return false;
  return true;
}

/**
 * Decodes Sample messages into growing typed arrays: location IDs (mapped to indices once the
 * locations are known), values, and which samples carry pprof::base=true. Small methods on one
 * class, so V8 optimizes the per-sample work early even though a CLI run executes it only once.
 */
class SampleDecoder {
  count = 0;
  /** Location IDs of all samples. */
  private ids: Int32Array;
  private frames = 0;
  private stackStart: Int32Array;
  private values: Float64Array;
  private valueCount = 0;
  private valueStart: Int32Array;
  private labelStarts: number[] = [];
  baseKeyIndex = -1;
  trueIndex = -1;
  private readonly wide: WideVarint;

  /** Sized for `count` samples in `sampleBytes` bytes with `stride` values each (more is allowed). */
  constructor(
    private readonly bytes: Uint8Array,
    count: number,
    sampleBytes: number,
    stride: number,
    /** When given, IDs are stored as location indices right away (see denseLocationIndex). */
    private readonly idIndex: Int32Array | undefined,
  ) {
    // Each ID takes at least one byte of its sample, so the samples' bytes bound their number.
    this.ids = new Int32Array(sampleBytes + 16);
    this.stackStart = new Int32Array(count + 2);
    this.values = new Float64Array(Math.max(64, count * stride + 64));
    this.valueStart = new Int32Array(count + 2);
    this.wide = new WideVarint(bytes);
  }

  /** Decodes one Sample message; false when it is not one this decoder handles. */
  decode(start: number, end: number): boolean {
    const i = this.count;
    if (i + 1 >= this.stackStart.length) {
      this.stackStart = growInt32(this.stackStart, this.stackStart.length * 2);
      this.valueStart = growInt32(this.valueStart, this.valueStart.length * 2);
    }
    if (this.valueCount + 64 > this.values.length)
      this.values = growFloat64(this.values, this.values.length * 2);
    if (this.frames + (end - start) > this.ids.length) {
      this.ids = growInt32(this.ids, Math.max(this.ids.length * 2, this.frames + (end - start)));
    }
    const bytes = this.bytes;
    const ids = this.ids;
    const idIndex = this.idIndex;
    const values = this.values;
    let frames = this.frames;
    let valueCount = this.valueCount;
    this.stackStart[i] = frames;
    this.valueStart[i] = valueCount;
    let pos = start;
    while (pos < end) {
      const key = bytes[pos++]!;
      const wire = key & 7;
      if (key === 0x0a || key === 0x08) {
        // location_id, packed (0x0a) or one (0x08): IDs below 2^28 take at most 4 bytes.
        let stop = pos + 1;
        if (key === 0x0a) {
          let length = 0;
          let shift = 0;
          let b: number;
          do {
            b = bytes[pos++]!;
            length |= (b & 0x7f) << shift;
            shift += 7;
          } while (b >= 0x80 && shift < 28);
          stop = pos + length;
          if (b >= 0x80 || stop > end) return false;
        }
        while (pos < stop) {
          let b = bytes[pos++]!;
          let id = b & 0x7f;
          if (b >= 0x80) {
            b = bytes[pos++]!;
            id |= (b & 0x7f) << 7;
            if (b >= 0x80) {
              b = bytes[pos++]!;
              id |= (b & 0x7f) << 14;
              if (b >= 0x80) {
                b = bytes[pos++]!;
                id |= (b & 0x7f) << 21;
                if (b >= 0x80) return false;
              }
            }
          }
          if (idIndex !== undefined) {
            const index = id < idIndex.length ? idIndex[id]! : 0;
            if (index === 0) return false;
            ids[frames++] = index - 1;
          } else {
            ids[frames++] = id;
          }
          if (key === 0x08) break;
        }
        if (pos > end) return false;
      } else if (key === 0x12 || key === 0x10) {
        // value, packed or one. Small non-negative values (< 2^28) are read inline; large or
        // negative ones (10-byte two's complement) through the general reader.
        let stop = pos + 1;
        if (key === 0x12) {
          this.wide.pos = pos;
          const length = this.wide.uint64();
          pos = this.wide.pos;
          stop = pos + length;
          if (stop > end) return false;
        }
        while (pos < stop) {
          if (valueCount === values.length) return false;
          const b0 = bytes[pos]!;
          if (b0 < 0x80) {
            values[valueCount++] = b0;
            pos++;
          } else {
            const b1 = bytes[pos + 1]!;
            const b2 = bytes[pos + 2]!;
            const b3 = bytes[pos + 3]!;
            if (b1 < 0x80) {
              values[valueCount++] = (b0 & 0x7f) | (b1 << 7);
              pos += 2;
            } else if (b2 < 0x80) {
              values[valueCount++] = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14);
              pos += 3;
            } else if (b3 < 0x80) {
              values[valueCount++] = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | ((b2 & 0x7f) << 14) | (b3 << 21);
              pos += 4;
            } else {
              this.wide.pos = pos;
              values[valueCount++] = this.wide.int64();
              if (this.wide.failed) return false;
              pos = this.wide.pos;
            }
          }
          if (key === 0x10) break;
        }
        if (pos > end) return false;
      } else if (key === 0x1a) {
        this.wide.pos = pos;
        const length = this.wide.uint64();
        const labelStart = this.wide.pos;
        pos = labelStart + length;
        if (pos > end) return false;
        // Only pprof::base matters here, a string label; numeric labels (key, num, unit) are
        // skipped. Which string indices it uses is known once the string table is read.
        if (hasStringValue(bytes, labelStart, pos)) this.labelStarts.push(i, labelStart, pos);
      } else {
        if (key >= 0x80) return false;
        this.wide.pos = pos;
        if (wire === 0) this.wide.uint64();
        else if (wire === 2) this.wide.pos += this.wide.uint64();
        else return false;
        if (this.wide.failed) return false;
        pos = this.wide.pos;
      }
    }
    this.frames = frames;
    this.valueCount = valueCount;
    this.count = i + 1;
    return pos === end;
  }

  /** Maps IDs to location indices and checks the value counts; undefined when anything is off. */
  finish(profile: Profile): SampleColumns | undefined {
    const count = this.count;
    const stride = profile.sampleTypes.length;
    this.stackStart[count] = this.frames;
    this.valueStart[count] = this.valueCount;
    // pprof rejects samples whose value count differs from the sample types; leave that to it.
    if (this.valueCount !== count * stride) return undefined;
    for (let i = 0; i < count; i++) if (this.valueStart[i] !== i * stride) return undefined;
    let locationIndex = this.ids.subarray(0, this.frames);
    if (this.idIndex === undefined) {
      // Sparse IDs were kept as read; map them now.
      const indexOf = locationIndexer(profile);
      const ids = locationIndex;
      locationIndex = new Int32Array(this.frames);
      let lastId = -1;
      let lastIndex = -1;
      for (let k = 0; k < this.frames; k++) {
        const id = ids[k]!;
        if (id !== lastId) {
          lastId = id;
          lastIndex = indexOf(id);
          if (lastIndex < 0) return undefined;
        }
        locationIndex[k] = lastIndex;
      }
    }
    let diffBase: Uint8Array | undefined;
    if (this.baseKeyIndex > 0 && this.trueIndex > 0) {
      const reader = this.wide;
      const starts = this.labelStarts;
      for (let j = 0; j < starts.length; j += 3) {
        reader.pos = starts[j + 1]!;
        const end = starts[j + 2]!;
        let labelKey = 0;
        let labelStr = 0;
        while (reader.pos < end) {
          const tag = reader.uint64();
          if ((tag & 7) !== 0) return undefined;
          const value = reader.uint64();
          if (tag >>> 3 === 1) labelKey = value;
          else if (tag >>> 3 === 2) labelStr = value;
        }
        if (labelKey === this.baseKeyIndex && labelStr === this.trueIndex) {
          diffBase ??= new Uint8Array(count);
          diffBase[starts[j]!] = 1;
        }
      }
    }
    return {
      count,
      stride,
      values: this.values.subarray(0, this.valueCount),
      stackStart: this.stackStart.subarray(0, count + 1),
      locationIndex,
      diffBase,
    };
  }
}

/** Whether a Label message has a `str` field (tag 0x10), reading only its varint-coded fields. */
function hasStringValue(bytes: Uint8Array, start: number, end: number): boolean {
  let pos = start;
  while (pos < end) {
    const tag = bytes[pos++]!;
    if (tag === 0x10) return true;
    if ((tag & 7) !== 0 || tag >= 0x80) return true; // unusual: let finish() look at it
    while (pos < end && bytes[pos]! >= 0x80) pos++;
    pos++;
  }
  return false;
}

function growInt32(array: Int32Array, length: number): Int32Array {
  const grown = new Int32Array(length);
  grown.set(array);
  return grown;
}

function growFloat64(array: Float64Array, length: number): Float64Array {
  const grown = new Float64Array(length);
  grown.set(array);
  return grown;
}

const TWO_POW_32 = 4294967296;

/** A minimal varint reader for the hot sample loop; sets `failed` instead of throwing. */
class WideVarint {
  pos = 0;
  failed = false;
  private hi = 0;
  private lo = 0;
  constructor(private readonly bytes: Uint8Array) {}

  /** Unsigned varint as a number (inexact above 2^53). */
  uint64(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    let byte = bytes[pos++]!;
    if (byte < 0x80) {
      this.pos = pos;
      this.hi = 0;
      return byte;
    }
    let lo = byte & 0x7f;
    let shift = 7;
    while (shift < 28) {
      byte = bytes[pos++]!;
      lo |= (byte & 0x7f) << shift;
      shift += 7;
      if (byte < 0x80) {
        this.pos = pos;
        this.hi = 0;
        return lo >>> 0;
      }
    }
    // Bytes 5..10: bits 28 and up.
    byte = bytes[pos++]!;
    lo |= (byte & 0x0f) << 28;
    let hi = (byte & 0x7f) >> 4;
    if (byte >= 0x80) {
      let hiShift = 3;
      for (let i = 0; i < 5; i++) {
        byte = bytes[pos++]!;
        hi |= (byte & 0x7f) << hiShift;
        hiShift += 7;
        if (byte < 0x80) break;
        if (i === 4) this.failed = true;
      }
    }
    if (byte === undefined) this.failed = true;
    this.pos = pos;
    this.hi = hi;
    this.lo = lo;
    return (hi >>> 0) * TWO_POW_32 + (lo >>> 0);
  }

  /** Two's-complement int64 varint as a number. */
  int64(): number {
    const value = this.uint64();
    if (this.hi === 0) return value;
    return (this.hi | 0) * TWO_POW_32 + (this.lo >>> 0);
  }
}
