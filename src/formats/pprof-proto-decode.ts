/**
 * Decodes profile.proto bytes (already gunzipped) into the resolved profile model.
 *
 * Faithful to what google/pprof accepts (`profile.ParseUncompressed` + `CheckValid`): string_table[0]
 * must be "", string indexes must be in range, IDs must be nonzero and unique, samples need one value
 * per sample type and may only reference existing locations, lines must name existing functions.
 * Location mappings may be missing (mapping_id 0 or unknown → undefined), line arrays may be empty,
 * IDs may be sparse, repeated scalars may be packed or not.
 *
 * Two passes over the top-level message: the first (pprof-proto/profile-layout.ts) decodes the
 * string table and notes where each sub-message lies (the string table usually comes after the
 * messages that index it), the second builds objects in dependency order: functions and mappings,
 * then locations (pprof-proto/metadata-messages.ts), then samples (pprof-proto/sample-decoder.ts).
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
import type { Location, Profile, Sample, ValueType } from "../profile/model.js";
import type { IdIndex } from "./pprof-proto/id-index.js";
import {
  decodeFunctions,
  decodeLocations,
  decodeMappings,
  decodeValueType,
} from "./pprof-proto/metadata-messages.js";
import { locateProfileFields, type ProfileLayout, stringLookup } from "./pprof-proto/profile-layout.js";
import type { ProfileSampleColumns } from "./pprof-proto/sample-columns.js";
import { SampleDecoder } from "./pprof-proto/sample-decoder.js";
import { ProtoReader } from "./protobuf-reader.js";

export { NO_NUMERIC_LABELS, NO_STRING_LABELS, ReadonlyLabelMap } from "./pprof-proto/readonly-label-map.js";
export {
  type ProfileSampleColumns,
  type SampleLabels,
  samplesFromColumns,
} from "./pprof-proto/sample-columns.js";

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
  const layout = locateProfileFields(reader, bytes);
  const str = stringLookup(layout.strings);
  const functions = decodeFunctions(reader, layout.functionRanges, str);
  const mappings = decodeMappings(reader, layout.mappingRanges, str);
  const locations = decodeLocations(reader, layout.locationRanges, mappings, functions);
  const sampleTypes: ValueType[] = [];
  for (let i = 0; i < layout.sampleTypeRanges.length; i += 2) {
    sampleTypes.push(
      decodeValueType(reader, layout.sampleTypeRanges[i]!, layout.sampleTypeRanges[i + 1]!, str),
    );
  }
  if (layout.sampleCount > 0 && sampleTypes.length === 0) {
    throw new ProfileDecodeError("malformed profile: samples without sample types");
  }
  let samples: Sample[] = [];
  let columns: ProfileSampleColumns | undefined;
  if (samplesAs === "objects")
    samples = decodeSampleObjects(reader, layout, locations, sampleTypes.length, str);
  else columns = decodeSampleColumns(reader, layout, locations, sampleTypes.length, str);
  const comments: string[] = new Array(layout.commentIndexes.length);
  for (let i = 0; i < layout.commentIndexes.length; i++) comments[i] = str(layout.commentIndexes[i]!);
  const periodTypeRange = layout.periodTypeRange;
  const profile: Profile = {
    sampleTypes,
    samples,
    mappings: mappings.list,
    locations: locations.list,
    functions: functions.list,
    dropFrames: str(layout.dropFramesIndex),
    keepFrames: str(layout.keepFramesIndex),
    timeNanos: layout.timeNanos,
    durationNanos: layout.durationNanos,
    periodType: periodTypeRange
      ? decodeValueType(reader, periodTypeRange[0], periodTypeRange[1], str)
      : undefined,
    period: layout.period,
    comments,
    defaultSampleType: str(layout.defaultSampleTypeIndex),
    docUrl: str(layout.docUrlIndex),
  };
  return { profile, columns };
}

function decodeSampleObjects(
  reader: ProtoReader,
  layout: ProfileLayout,
  locations: IdIndex<Location>,
  stride: number,
  str: (i: number) => string,
): Sample[] {
  return SampleDecoder.forObjects(reader, locations, stride, str).decodeObjects(
    layout.sampleRanges,
    layout.sampleCount,
  );
}

function decodeSampleColumns(
  reader: ProtoReader,
  layout: ProfileLayout,
  locations: IdIndex<Location>,
  stride: number,
  str: (i: number) => string,
): ProfileSampleColumns {
  return SampleDecoder.forColumns(
    reader,
    locations,
    stride,
    str,
    layout.sampleCount,
    layout.sampleBytes,
  ).decodeColumns(layout.sampleRanges, layout.sampleCount);
}
