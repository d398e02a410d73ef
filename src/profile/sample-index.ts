/**
 * Choosing which sample value a report shows, as pprof's `-sample_index` does: a number, a type
 * name (a legacy "inuse_" prefix also matches the bare "space"/"objects" types), or, when empty,
 * the profile's default_sample_type, else the last type.
 */
import { UsageError } from "../errors.js";
import type { Profile } from "./model.js";

export function resolveSampleIndex(profile: Profile, sampleIndex: string | undefined): number {
  const types = profile.sampleTypes;
  if (types.length === 0) throw new UsageError("profile has no samples");
  if (sampleIndex === undefined || sampleIndex === "") {
    const preferred = profile.defaultSampleType;
    if (preferred !== "") {
      const index = types.findIndex((t) => t.type === preferred);
      if (index >= 0) return index;
    }
    return types.length - 1;
  }
  if (/^[+-]?\d+$/.test(sampleIndex)) {
    const index = Number(sampleIndex);
    if (index < 0 || index >= types.length) {
      throw new UsageError(`sample_index ${sampleIndex} is outside the range [0..${types.length - 1}]`);
    }
    return index;
  }
  const withoutInuse = sampleIndex.startsWith("inuse_") ? sampleIndex.slice(6) : sampleIndex;
  const index = types.findIndex((t) => t.type === sampleIndex || t.type === withoutInuse);
  if (index >= 0) return index;
  throw new UsageError(
    `sample_index "${sampleIndex}" must be one of: [${types.map((t) => t.type).join(" ")}]`,
  );
}

export interface SampleIndexFlags {
  sampleIndex?: string;
  inuseSpace?: boolean;
  inuseObjects?: boolean;
  allocSpace?: boolean;
  allocObjects?: boolean;
}

/**
 * Folds pprof's alias flags into one sample index, the way pprof does: an explicit
 * `--sample-index` wins, then the first alias set in pprof's order; the rest are ignored (reported
 * in `ignored`).
 */
export function sampleIndexFromFlags(flags: SampleIndexFlags): { sampleIndex: string; ignored: string[] } {
  let sampleIndex = flags.sampleIndex ?? "";
  const ignored: string[] = [];
  const aliases: Array<[boolean | undefined, string]> = [
    [flags.inuseSpace, "inuse_space"],
    [flags.inuseObjects, "inuse_objects"],
    [flags.allocSpace, "alloc_space"],
    [flags.allocObjects, "alloc_objects"],
  ];
  for (const [set, name] of aliases) {
    if (!set) continue;
    if (sampleIndex === "") sampleIndex = name;
    else ignored.push(`-${name}`);
  }
  return { sampleIndex, ignored };
}
