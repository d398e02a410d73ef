/**
 * Goroutine suspects: growing goroutine groups (goroutine-growth.ts) as suspects, with net/http's
 * connection goroutines named after the program function that issues the requests.
 */
import type { GoroutineGroupGrowth } from "./goroutine-growth.js";
import type { HeapSite } from "./heap-growth.js";
import type { GoroutineSuspectFacts } from "./hints.js";
import { frameOrigin, type ModuleContext } from "./module-path.js";
import { downsample } from "./signal-trend.js";
import type { Suspect } from "./types.js";

export interface NamedGroup extends GoroutineGroupGrowth {
  /** For net/http connection goroutines: the program's function that issued the requests. */
  requester?: string;
}

/**
 * net/http client connections leak as pairs of readLoop/writeLoop goroutines whose stacks hold no
 * frame of the program. The code that leaks them is the caller of the HTTP client: find it among the
 * growing heap sites that allocate through net/http's Client or Transport, and name the goroutine
 * suspect after it. The two loops of one leak are merged into one suspect.
 */
export function mergeTransportGroups(
  groups: GoroutineGroupGrowth[],
  sites: HeapSite[],
  module: ModuleContext,
): NamedGroup[] {
  const isTransport = (g: GoroutineGroupGrowth): boolean =>
    g.stack.some((f) => /^net\/http\.\(\*persistConn\)\.(readLoop|writeLoop)$/.test(f.func));
  const transportGroups = groups.filter(isTransport);
  if (transportGroups.length === 0) return groups;
  // Sites whose in-use memory grows first, then any that allocate through the HTTP client.
  const requesterSite = sites.find(
    (s) =>
      s.attribution === "own" &&
      s.stack.some((f) =>
        /^net\/http\.(\(\*(Client|Transport)\)\.|Get$|Post$|Head$|PostForm$)/.test(f.function),
      ),
  );
  const others = groups.filter((g) => !isTransport(g));
  const lead = transportGroups[0];
  const merged: NamedGroup = {
    ...lead,
    growthPerSecond: transportGroups.reduce((sum, g) => sum + g.growthPerSecond, 0),
    count: transportGroups.reduce((sum, g) => sum + g.count, 0),
    startCount: transportGroups.reduce((sum, g) => sum + g.startCount, 0),
    shareOfGrowth: Math.min(
      1,
      transportGroups.reduce((sum, g) => sum + g.shareOfGrowth, 0),
    ),
    pValue: Math.min(...transportGroups.map((g) => g.pValue)),
  };
  if (requesterSite && frameOrigin(requesterSite.function, module) === "own") {
    merged.function = requesterSite.function;
    merged.file = requesterSite.file;
    merged.line = requesterSite.line;
    merged.requester = requesterSite.function;
  }
  return [merged, ...others].sort((a, b) => b.growthPerSecond - a.growthPerSecond);
}

export function goroutineFacts(group: NamedGroup): GoroutineSuspectFacts {
  return {
    function: group.function,
    frames: group.stack,
    state: group.state,
    waitMinutes: group.waitMinutesMax,
    createdBy: group.createdBy?.func ?? null,
    growthPerSecond: group.growthPerSecond,
    requester: group.requester,
  };
}

/** A goroutine group as a suspect; its memory is its stacks, estimated per goroutine. */
export function goroutineSuspect(
  group: NamedGroup,
  stackBytesPerGoroutine: number,
  hint: string,
  module: ModuleContext,
): Suspect {
  return {
    kind: "goroutines",
    function: group.function,
    stack: group.stack.map((f) => f.func),
    file: group.file,
    line: group.line,
    growthBytesPerSecond: group.growthPerSecond * stackBytesPerGoroutine,
    growthObjectsPerSecond: 0,
    inuseBytes: group.count * stackBytesPerGoroutine,
    shareOfGrowth: group.shareOfGrowth,
    hint,
    attribution: frameOrigin(group.function, module) === "own" ? "own" : "library",
    pValue: group.pValue,
    goroutines: group.count,
    growthGoroutinesPerSecond: group.growthPerSecond,
    state: group.state,
    waitMinutes: group.waitMinutesMax,
    createdBy: group.createdBy?.func ?? null,
    series: downsample(group.series, 60),
  };
}
