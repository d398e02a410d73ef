/**
 * Scaling sample values (pprof's Profile.ScaleN / Scale / Normalize) and whole-profile label edits.
 * Every function returns a new profile; samples that change are new objects.
 */

import { checkCompatible } from "./merge.js";
import type { Profile, Sample } from "./model.js";

/** Go's math.Round: halves away from zero. */
export function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * Multiplies each sample value by its type's ratio, rounding like pprof (int64(math.Round(v*r))),
 * and keeps only samples where some scaled value is nonzero.
 */
export function scaleProfileN(profile: Profile, ratios: number[]): Profile {
  if (ratios.length !== profile.sampleTypes.length) {
    throw new Error(`mismatched scale ratios, got ${ratios.length}, want ${profile.sampleTypes.length}`);
  }
  if (ratios.every((r) => r === 1)) return profile;
  const samples: Sample[] = [];
  for (const s of profile.samples) {
    let keep = false;
    const values = s.values.slice();
    for (let i = 0; i < values.length; i++) {
      const ratio = ratios[i]!;
      if (ratio !== 1) {
        const v = goRound(values[i]! * ratio) + 0; // + 0 turns -0 into 0
        values[i] = v;
        keep = keep || v !== 0;
      }
    }
    if (keep) samples.push({ ...s, values, exactValues: undefined });
  }
  return { ...profile, samples };
}

export function scaleProfile(profile: Profile, ratio: number): Profile {
  if (ratio === 1) return profile;
  return scaleProfileN(
    profile,
    profile.sampleTypes.map(() => ratio),
  );
}

/**
 * Scales `profile` so each sample type sums to the same total as in `base` (pprof's Normalize,
 * used by `-normalize` before subtracting a base).
 */
export function normalizeProfile(profile: Profile, base: Profile): Profile {
  checkCompatible(profile, base);
  const n = profile.sampleTypes.length;
  const baseSums = new Array<number>(n).fill(0);
  const sourceSums = new Array<number>(n).fill(0);
  for (const s of base.samples) for (let i = 0; i < n; i++) baseSums[i]! += s.values[i] ?? 0;
  for (const s of profile.samples) for (let i = 0; i < n; i++) sourceSums[i]! += s.values[i] ?? 0;
  const ratios = baseSums.map((b, i) => (sourceSums[i] === 0 ? 0 : b / sourceSums[i]!));
  return scaleProfileN(profile, ratios);
}

/** Sets a string label on every sample (pprof's SetLabel). */
export function setLabel(profile: Profile, key: string, values: string[]): Profile {
  return {
    ...profile,
    samples: profile.samples.map((s) => {
      const labels = new Map(s.labels);
      labels.set(key, values.slice());
      return { ...s, labels };
    }),
  };
}

/** Removes a string label from every sample (pprof's RemoveLabel). */
export function removeLabel(profile: Profile, key: string): Profile {
  if (!profile.samples.some((s) => s.labels.has(key))) return profile;
  return {
    ...profile,
    samples: profile.samples.map((s) => {
      if (!s.labels.has(key)) return s;
      const labels = new Map(s.labels);
      labels.delete(key);
      return { ...s, labels };
    }),
  };
}

export const diffBaseLabel = "pprof::base";

/** True for samples that came from a `--diff-base` profile. */
export function isDiffBaseSample(sample: Sample): boolean {
  return sample.labels.get(diffBaseLabel)?.includes("true") ?? false;
}
