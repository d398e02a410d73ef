/**
 * Samples in columns: what the graph reports read. A profile with 100k+ samples as objects (each
 * with its label maps) costs more in allocation and garbage collection than the whole report, so
 * reports iterate typed arrays instead: values row-major, and each sample's stack as indices into
 * `profile.locations` (leaf first).
 *
 * Columns come either from a Profile's sample objects (columnsFromProfile, after any operation on
 * it) or straight from profile.proto bytes (decodeProfileColumns in src/formats/pprof-proto-decode.ts,
 * whose ProfileSampleColumns are a SampleColumns), which skips sample objects altogether.
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
  /** Indices into profile.locations: 16-bit when they all fit (at most 65,536 locations). */
  locationIndex: Int32Array | Uint16Array;
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
