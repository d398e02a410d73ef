/**
 * The fleet's ranking, worst first: instances growing now, then those that grew in an earlier
 * process run (the last run too short to tell: often an OOM kill and a restart), undecided,
 * insufficient, bounded. Growing instances are ordered by urgency: the time until their memory
 * limit where one is known, else the time until their memory doubles at the current rate.
 */
import type { FleetInstance } from "./types.js";

function rankClass(instance: FleetInstance): number {
  if (instance.verdict === "growing") return 0;
  if (instance.earlierRunGrew) return 1;
  if (instance.verdict === "undecided") return 2;
  if (instance.verdict === "insufficient") return 3;
  return 4;
}

function urgencySeconds(instance: FleetInstance): number | null {
  if (instance.verdict !== "growing") return null;
  if (instance.timeToLimitSeconds !== null) return instance.timeToLimitSeconds;
  const relative = instance.relativeGrowthPerHour;
  return relative !== null && relative > 0 ? 3600 / relative : null;
}

/** Sorts in place and sets `rank` (1 = worst) and `urgencySeconds`. */
export function rankInstances(instances: FleetInstance[]): FleetInstance[] {
  for (const instance of instances) instance.urgencySeconds = urgencySeconds(instance);
  const key = (i: FleetInstance) => i.urgencySeconds ?? Number.POSITIVE_INFINITY;
  instances.sort(
    (a, b) =>
      rankClass(a) - rankClass(b) ||
      key(a) - key(b) ||
      (b.relativeGrowthPerHour ?? 0) - (a.relativeGrowthPerHour ?? 0) ||
      a.key.localeCompare(b.key),
  );
  instances.forEach((instance, i) => {
    instance.rank = i + 1;
  });
  return instances;
}
