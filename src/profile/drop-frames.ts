/**
 * The profile's own drop_frames / keep_frames, applied the way pprof does when it loads a profile
 * (`profile/prune.go`: RemoveUninteresting → Prune), unless the user asked for all frames.
 *
 * Both are regular expressions matched against the whole simplified function name (`^(re)$`).
 * In each location, the outermost inlined line whose function matches drop (and not keep) is found:
 * if it is the location's outermost line the whole location is pruned, otherwise only the lines
 * inside it go. Then each sample, read from the root, drops everything leafward of the first pruned
 * location that comes after some unpruned ("user") frame: frames before the first user frame stay,
 * so a stack that is all runtime is not emptied.
 */
import { compileGoRegexp } from "./go-regexp.js";
import type { Location, Profile } from "./model.js";

/** Applies `profile.dropFrames`/`keepFrames` in place and returns the profile. No-op when unset. */
export function applyDropFrames(profile: Profile): Profile {
  if (profile.dropFrames === "") return profile;
  const drop = compileWholeName(profile.dropFrames);
  // pprof ignores the error of an invalid pattern and leaves the profile as it is.
  if (drop === undefined) return profile;
  let keep: RegExp | undefined;
  if (profile.keepFrames !== "") {
    keep = compileWholeName(profile.keepFrames);
    if (keep === undefined) return profile;
  }
  pruneFrames(profile, drop, keep);
  return profile;
}

/** pprof's Prune: removes the frames at and below (leafward of) a frame matching `drop` but not `keep`. */
export function pruneFrames(profile: Profile, drop: RegExp, keep: RegExp | undefined): void {
  const decisionByName = new Map<string, boolean>();
  const matches = (name: string): boolean => {
    let decision = decisionByName.get(name);
    if (decision === undefined) {
      const simplified = simplifyFunctionName(name);
      decision = drop.test(simplified) && (keep === undefined || !keep.test(simplified));
      decisionByName.set(name, decision);
    }
    return decision;
  };

  const prune = new Set<Location>();
  const pruneBeneath = new Set<Location>();
  for (const location of profile.locations) {
    const lines = location.lines;
    let i = lines.length - 1;
    for (; i >= 0; i--) {
      const name = lines[i]!.function?.name;
      if (name && matches(name)) break;
    }
    if (i < 0) continue;
    pruneBeneath.add(location);
    if (i === lines.length - 1) prune.add(location);
    else location.lines = lines.slice(i + 1);
  }
  if (pruneBeneath.size === 0) return;

  for (const sample of profile.samples) {
    const stack = sample.locations;
    let foundUser = false;
    for (let i = stack.length - 1; i >= 0; i--) {
      const location = stack[i]!;
      const pruned = prune.has(location);
      if (!pruned && !pruneBeneath.has(location)) {
        foundUser = true;
        continue;
      }
      if (!foundUser) continue;
      sample.locations = pruned ? stack.slice(i + 1) : stack.slice(i);
      break;
    }
  }
}

/** A pprof (RE2) pattern anchored to the whole name, or undefined when it does not compile. */
export function compileWholeName(pattern: string): RegExp | undefined {
  try {
    return compileGoRegexp(`^(${pattern})$`, "drop_frames");
  } catch {
    return undefined;
  }
}

const RESERVED_NAMES = ["(anonymous namespace)", "operator()"];

/**
 * pprof's simplifyFunc: drops a leading "." (PPC64 ELFv1) and cuts the name at the first "(" that does
 * not start a reserved name, so C++ argument lists go. Go method names are cut too
 * ("main.(*T).m" → "main."), which is what pprof matches against.
 */
export function simplifyFunctionName(name: string): string {
  let result = name.startsWith(".") ? name.slice(1) : name;
  let from = 0;
  while (true) {
    const open = result.indexOf("(", from);
    const reservedAt = earliestReserved(result, from);
    if (reservedAt !== undefined && (open === -1 || reservedAt.index <= open)) {
      from = reservedAt.index + reservedAt.length;
      continue;
    }
    if (open === -1) return result;
    result = result.slice(0, open);
    return result;
  }
}

function earliestReserved(text: string, from: number): { index: number; length: number } | undefined {
  let best: { index: number; length: number } | undefined;
  for (const reserved of RESERVED_NAMES) {
    const index = text.indexOf(reserved, from);
    if (index !== -1 && (best === undefined || index < best.index)) best = { index, length: reserved.length };
  }
  return best;
}
