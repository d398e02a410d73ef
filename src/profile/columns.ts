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
 * columns. `decodeWithoutSamples` decodes everything else (it is given the bytes with the sample
 * fields cut out), so headers, locations and validation stay the regular decoder's. Returns
 * undefined for anything unusual, so the caller can fall back to the regular path and its errors.
 */
export function decodeColumnarProfile(
  bytes: Uint8Array,
  decodeWithoutSamples: (bytes: Uint8Array) => Profile,
): { profile: Profile; columns: SampleColumns } | undefined {
  const reader = new WideVarint(bytes);
  const sampleRanges: number[] = [];
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
    if (wire === 2) {
      const length = reader.uint64();
      const start = reader.pos;
      const end = start + length;
      if (length < 0 || end > bytes.length) return undefined;
      reader.pos = end;
      if (field === 2) {
        sampleRanges.push(start, end);
        continue;
      }
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
  const columns = decodeSampleColumns(bytes, sampleRanges, profile, baseKeyIndex, trueIndex);
  return columns ? { profile, columns } : undefined;
}

function equalsAscii(bytes: Uint8Array, start: number, end: number, text: number[]): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[start + i] !== text[i]) return false;
  return true;
}

function decodeSampleColumns(
  bytes: Uint8Array,
  ranges: number[],
  profile: Profile,
  baseKeyIndex: number,
  trueIndex: number,
): SampleColumns | undefined {
  const count = ranges.length / 2;
  const stride = profile.sampleTypes.length;
  const values = new Float64Array(count * stride);
  const stackStart = new Int32Array(count + 1);
  let locationIndex = new Int32Array(Math.max(16, count * 8));
  let frames = 0;
  let diffBase: Uint8Array | undefined;
  // Location ID → index + 1 (0 = unknown), dense when the IDs are.
  let maxId = 0;
  for (const l of profile.locations) if (l.id > maxId) maxId = l.id;
  const dense = maxId <= profile.locations.length * 4 + 1024;
  const denseIndex = new Int32Array(dense ? maxId + 1 : 0);
  const sparseIndex = new Map<number, number>();
  profile.locations.forEach((l, i) => {
    if (dense) denseIndex[l.id] = i + 1;
    else sparseIndex.set(l.id, i + 1);
  });
  const wide = new WideVarint(bytes);
  const length = bytes.length;
  for (let i = 0; i < count; i++) {
    stackStart[i] = frames;
    let pos = ranges[2 * i]!;
    const end = ranges[2 * i + 1]!;
    let valueCount = 0;
    while (pos < end) {
      // Field keys of a sample fit in one byte.
      const key = bytes[pos++]!;
      if (key >= 0x80) return undefined;
      const field = key >>> 3;
      const wire = key & 7;
      if (field === 1 || field === 2) {
        let stop = pos;
        if (wire === 2) {
          let len = 0;
          let shift = 0;
          let b: number;
          do {
            b = bytes[pos++]!;
            len |= (b & 0x7f) << shift;
            shift += 7;
          } while (b >= 0x80 && shift < 28);
          if (b >= 0x80) return undefined;
          stop = pos + len;
          if (stop > end) return undefined;
        } else if (wire !== 0) {
          return undefined;
        }
        do {
          // Fast varint: up to 4 bytes (< 2^28); longer ones go through WideVarint.
          let b = bytes[pos]!;
          let v: number;
          if (b < 0x80) {
            v = b;
            pos++;
          } else {
            let lo = b & 0x7f;
            b = bytes[pos + 1]!;
            lo |= (b & 0x7f) << 7;
            if (b < 0x80) {
              v = lo;
              pos += 2;
            } else {
              b = bytes[pos + 2]!;
              lo |= (b & 0x7f) << 14;
              if (b < 0x80) {
                v = lo;
                pos += 3;
              } else {
                b = bytes[pos + 3]!;
                lo |= (b & 0x7f) << 21;
                if (b < 0x80) {
                  v = lo;
                  pos += 4;
                } else {
                  wide.pos = pos;
                  v = field === 1 ? wide.uint64() : wide.int64();
                  pos = wide.pos;
                  if (wide.failed) return undefined;
                }
              }
            }
          }
          if (field === 1) {
            const index = dense ? (v < denseIndex.length ? denseIndex[v]! : 0) : (sparseIndex.get(v) ?? 0);
            if (index === 0) return undefined;
            if (frames === locationIndex.length) {
              const grown = new Int32Array(locationIndex.length * 2);
              grown.set(locationIndex);
              locationIndex = grown;
            }
            locationIndex[frames++] = index - 1;
          } else {
            if (valueCount >= stride) return undefined;
            values[i * stride + valueCount++] = v;
          }
        } while (wire === 2 && pos < stop);
        if (pos > end) return undefined;
      } else {
        wide.pos = pos;
        if (field === 3 && wire === 2) {
          const len = wide.uint64();
          const labelEnd = wide.pos + len;
          if (labelEnd > end) return undefined;
          if (baseKeyIndex > 0 && trueIndex > 0) {
            let labelKey = 0;
            let labelStr = 0;
            while (wide.pos < labelEnd) {
              const labelTag = wide.uint64();
              if ((labelTag & 7) !== 0) return undefined;
              const value = wide.uint64();
              if (labelTag >>> 3 === 1) labelKey = value;
              else if (labelTag >>> 3 === 2) labelStr = value;
            }
            if (labelKey === baseKeyIndex && labelStr === trueIndex) {
              diffBase ??= new Uint8Array(count);
              diffBase[i] = 1;
            }
          }
          wide.pos = labelEnd;
        } else if (wire === 0) {
          wide.uint64();
        } else if (wire === 2) {
          wide.pos += wide.uint64();
        } else {
          return undefined;
        }
        if (wide.failed || wide.pos > end) return undefined;
        pos = wide.pos;
      }
    }
    if (pos > length) return undefined;
    // pprof rejects samples whose value count differs from the sample types; leave that to it.
    if (valueCount !== stride) return undefined;
  }
  stackStart[count] = frames;
  return { count, stride, values, stackStart, locationIndex: locationIndex.subarray(0, frames), diffBase };
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
