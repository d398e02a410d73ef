/** Compact summaries stored with each sample's raw payloads (heap totals, goroutine groups). */
import { createHash } from "node:crypto";
import { displayFrames, type GoroutineSnapshot } from "../model/goroutine.js";
import type { GoroutineSnapshotSummary, HeapProfileSummary } from "../model/recording.js";
import type { Profile } from "../profile/model.js";

const MAX_STACK_FRAMES = 32;
const MAX_TOP_GROUPS = 20;

/** Totals of a heap profile's sample types (inuse_space etc.; Go writes them already scaled). */
export function summarizeHeapProfile(profile: Profile): HeapProfileSummary {
  const index = (type: string) => profile.sampleTypes.findIndex((t) => t.type === type);
  const columns = {
    inuseBytes: index("inuse_space"),
    inuseObjects: index("inuse_objects"),
    allocBytes: index("alloc_space"),
    allocObjects: index("alloc_objects"),
  };
  const totals = { inuseBytes: 0, inuseObjects: 0, allocBytes: 0, allocObjects: 0 };
  for (const sample of profile.samples) {
    for (const key of Object.keys(columns) as (keyof typeof columns)[]) {
      const column = columns[key];
      if (column >= 0) totals[key] += sample.values[column] ?? 0;
    }
  }
  const totalOrNull = (key: keyof typeof columns) => (columns[key] >= 0 ? totals[key] : null);
  return {
    inuseBytes: totalOrNull("inuseBytes"),
    inuseObjects: totalOrNull("inuseObjects"),
    allocBytes: totalOrNull("allocBytes"),
    allocObjects: totalOrNull("allocObjects"),
    sampleCount: profile.samples.length,
  };
}

/** A compact summary of a goroutine snapshot: totals, states and the largest groups. */
export function summarizeGoroutines(snapshot: GoroutineSnapshot): GoroutineSnapshotSummary {
  const states: Record<string, number> = {};
  let hasStates = false;
  for (const group of snapshot.groups) {
    if (group.state === null) continue;
    hasStates = true;
    states[group.state] = (states[group.state] ?? 0) + group.count;
  }
  const summary: GoroutineSnapshotSummary = {
    total: snapshot.total,
    distinctStacks: snapshot.groups.length,
    leaked: snapshot.leaked,
    topGroups: snapshot.groups.slice(0, MAX_TOP_GROUPS).map((group) => ({
      key: createHash("sha256").update(group.key).digest("hex").slice(0, 16),
      count: group.count,
      state: group.state,
      waitMinutesMax: group.waitMinutes?.max ?? null,
      stack: displayFrames(group.frames)
        .slice(0, MAX_STACK_FRAMES)
        .map((frame) => frame.func),
      createdBy: group.createdBy?.func ?? null,
    })),
  };
  if (hasStates) summary.states = states;
  return summary;
}
