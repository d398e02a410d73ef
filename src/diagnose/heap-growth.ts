/**
 * Per-site in-use growth across heap snapshots. An allocation site is the frame a person can change:
 * the first frame (from the leaf) in the program's own module, with its line. Each snapshot's
 * inuse_space and inuse_objects are summed by site; each site's series is then regressed on time with
 * Theil–Sen and tested with Mann–Kendall, like the live heap itself.
 *
 * Only a bounded number of snapshots is decoded (evenly spread over the observation), so a day-long
 * recording costs the same as a short one; one profile is held in memory at a time.
 */
import { mannKendall, theilSenSlope } from "../analysis/trend.js";
import type { Profile, Sample } from "../profile/model.js";
import type { HeapSnapshotInput } from "./input.js";
import { attributionFrameIndex, frameOrigin, type ModuleContext } from "./module-path.js";
import type { SeriesPoint } from "./signal-trend.js";

/** At most this many snapshots are decoded for per-site series. */
export const MAX_SITE_SNAPSHOTS = 120;
const MAX_STACK_FRAMES = 32;

export interface StackFrame {
  function: string;
  file: string;
  line: number;
  /** First line of the function (0 when unknown), for reading its source. */
  startLine?: number;
}

export interface HeapSite {
  key: string;
  function: string;
  file: string;
  line: number;
  /** `own`: a frame of the program's module; `library`: no such frame, so the nearest library frame. */
  attribution: "own" | "library";
  /** Function names of a representative stack, leaf first. */
  stack: StackFrame[];
}

export interface SiteGrowth {
  site: HeapSite;
  growthBytesPerSecond: number;
  growthBytesLowPerSecond: number;
  growthObjectsPerSecond: number;
  pValue: number;
  /** In-use bytes and objects at the last snapshot. */
  inuseBytes: number;
  inuseObjects: number;
  /** In-use bytes at the start of the regime. */
  startBytes: number;
  /** Share of the live heap's growth this site explains (0..1). */
  shareOfGrowth: number;
  /** Object sizes (the `bytes` label) of the site's in-use objects at the last snapshot, largest count first. */
  objectSizes: { bytes: number; objects: number }[];
  /**
   * In-use growth over the regime divided by what the site allocated in it (alloc_space): about 1 when
   * everything allocated stays (a leak), about 0 when the site replaces what it frees (a full cache,
   * churn). Sampled profiles make a turning-over site's in-use bytes wander; this ratio tells the two apart.
   */
  retention: number;
  /**
   * In-use growth over the regime in units of what turnover alone could produce: a site that frees
   * everything it allocates can still wander by about quantum × √(samples allocated + samples in use)
   * in a sampled profile. Above ~4 the site keeps memory even when it also frees most of what it
   * allocates (a request buffer kept on one path in forty).
   */
  retentionZ: number;
  /** About how many profile samples the growth rests on; few means the sampling rate hides it. */
  sampledGrowthEvents: number;
  /** The site's in-use bytes over time (for sparklines). */
  series: SeriesPoint[];
}

/** Per-site series of the decoded snapshots, before any judgement. */
export interface HeapSiteTable {
  /** Time of each decoded snapshot. */
  times: number[];
  /** Total in-use bytes and objects of each decoded snapshot (NaN when its profile was gone). */
  totals: { tSeconds: number; inuseBytes: number; inuseObjects: number }[];
  /** MemProfileRate the profiles were taken with (their `period`), when stated. */
  samplingRateBytes: number | null;
  sites: SiteAccumulator[];
  /** Per-stack in-use change from the first to the last decoded snapshot (growth flame graph). */
  growthStacks: { stack: string[]; bytes: number }[];
}

export interface SiteAccumulator {
  site: HeapSite;
  bytes: Float64Array;
  objects: Float64Array;
  /** Cumulative allocated bytes (alloc_space) per snapshot. */
  allocBytes: Float64Array;
  /** Bytes of the representative stack's sample, to keep the largest. */
  representativeBytes: number;
  /** Object size (the `bytes` label) → in-use objects, at the last snapshot. */
  sizes: Map<number, number>;
}

/** Picks at most `max` snapshots with profiles, evenly spread in time, always the first and last. */
export function pickSnapshots(snapshots: HeapSnapshotInput[], max: number): HeapSnapshotInput[] {
  const withProfiles = snapshots.filter((s) => s.loadProfile !== undefined);
  if (withProfiles.length <= max) return withProfiles;
  const picked: HeapSnapshotInput[] = [];
  const step = (withProfiles.length - 1) / (max - 1);
  let last = -1;
  for (let i = 0; i < max; i++) {
    const index = Math.round(i * step);
    if (index !== last) picked.push(withProfiles[index]);
    last = index;
  }
  return picked;
}

export function sampleTypeIndex(profile: Profile, type: string): number {
  return profile.sampleTypes.findIndex((t) => t.type === type);
}

/** Function names and positions of a sample, leaf first, inlined frames expanded. */
export function sampleFrames(sample: Sample): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const location of sample.locations) {
    if (location.lines.length === 0) {
      frames.push({ function: `0x${location.address.toString(16)}`, file: "", line: 0 });
      continue;
    }
    for (const line of location.lines) {
      frames.push({
        function: line.function?.name ?? "?",
        file: line.function?.filename ?? "",
        line: line.line,
        startLine: line.function?.startLine ?? 0,
      });
    }
  }
  return frames;
}

/** The frame a sample's memory is attributed to, and whether it is the program's own. */
export function attributionOf(frames: StackFrame[], module: ModuleContext): { index: number; own: boolean } {
  const names = frames.map((f) => f.function);
  const own = attributionFrameIndex(names, module);
  if (own >= 0) return { index: own, own: true };
  // No frame of the program: name the goroutine's outermost library frame (the subsystem that holds it,
  // e.g. net/http.(*conn).serve) rather than a leaf helper such as bufio.NewReaderSize.
  for (let i = frames.length - 1; i >= 0; i--) {
    const origin = frameOrigin(frames[i].function, module);
    if (origin !== "runtime" && origin !== "unknown") return { index: i, own: false };
  }
  // Only runtime frames (goroutine creation runs on the system stack): skip the allocator itself.
  const beyondAllocator = frames.findIndex((f) => !RUNTIME_ALLOCATOR.test(f.function));
  return { index: Math.max(0, beyondAllocator), own: false };
}

const RUNTIME_ALLOCATOR =
  /^runtime\.(mallocgc\w*|newobject|newarray|makeslice\w*|growslice|makechan|makemap\w*|mapassign\w*|rawstring\w*|rawbyteslice|rawruneslice|concatstring\w*|slicebytetostring|stringtoslice\w*|persistentalloc\w*|systemstack)$/;

export function collectHeapSites(snapshots: HeapSnapshotInput[], module: ModuleContext): HeapSiteTable {
  const chosen = pickSnapshots(snapshots, MAX_SITE_SNAPSHOTS);
  const count = chosen.length;
  const sites = new Map<string, SiteAccumulator>();
  const totals: HeapSiteTable["totals"] = [];
  const times: number[] = [];
  let samplingRate: number | null = null;
  let firstStacks: Map<string, { stack: string[]; bytes: number }> | null = null;
  let lastStacks: Map<string, { stack: string[]; bytes: number }> | null = null;

  chosen.forEach((snapshot, column) => {
    const profile = snapshot.loadProfile?.() ?? null;
    times.push(snapshot.tSeconds);
    if (!profile) {
      totals.push({ tSeconds: snapshot.tSeconds, inuseBytes: Number.NaN, inuseObjects: Number.NaN });
      return;
    }
    const spaceIndex = sampleTypeIndex(profile, "inuse_space");
    const objectsIndex = sampleTypeIndex(profile, "inuse_objects");
    const allocIndex = sampleTypeIndex(profile, "alloc_space");
    if (profile.periodType?.type === "space" && profile.period > 0n) samplingRate = Number(profile.period);
    const stackBytes =
      column === 0 || column === count - 1 ? new Map<string, { stack: string[]; bytes: number }>() : null;
    let totalBytes = 0;
    let totalObjects = 0;
    for (const sample of profile.samples) {
      const bytes = spaceIndex >= 0 ? sample.values[spaceIndex] : 0;
      const objects = objectsIndex >= 0 ? sample.values[objectsIndex] : 0;
      const allocated = allocIndex >= 0 ? sample.values[allocIndex] : 0;
      if (bytes === 0 && objects === 0 && allocated === 0) continue;
      totalBytes += bytes;
      totalObjects += objects;
      const frames = sampleFrames(sample);
      const { index, own } = attributionOf(frames, module);
      const frame = frames[index] ?? { function: "?", file: "", line: 0 };
      const key = `${frame.function}\u0000${frame.file}:${frame.line}`;
      let acc = sites.get(key);
      if (!acc) {
        acc = {
          site: {
            key,
            function: frame.function,
            file: frame.file,
            line: frame.line,
            attribution: own ? "own" : "library",
            stack: [],
          },
          bytes: new Float64Array(count),
          objects: new Float64Array(count),
          allocBytes: new Float64Array(count),
          representativeBytes: -1,
          sizes: new Map(),
        };
        sites.set(key, acc);
      }
      acc.bytes[column] += bytes;
      acc.objects[column] += objects;
      acc.allocBytes[column] += allocated;
      if (column === count - 1) {
        if (bytes > acc.representativeBytes) {
          acc.representativeBytes = bytes;
          acc.site.stack = frames.slice(0, MAX_STACK_FRAMES);
        }
        const size = sample.numLabels.get("bytes")?.[0];
        if (size !== undefined) acc.sizes.set(Number(size), (acc.sizes.get(Number(size)) ?? 0) + objects);
      } else if (acc.site.stack.length === 0) {
        acc.site.stack = frames.slice(0, MAX_STACK_FRAMES);
      }
      if (stackBytes) {
        const names = frames.map((f) => f.function);
        const stackKey = names.join("\n");
        const entry = stackBytes.get(stackKey);
        if (entry) entry.bytes += bytes;
        else stackBytes.set(stackKey, { stack: names, bytes });
      }
    }
    if (column === 0) firstStacks = stackBytes;
    if (column === count - 1) lastStacks = stackBytes;
    totals.push({ tSeconds: snapshot.tSeconds, inuseBytes: totalBytes, inuseObjects: totalObjects });
  });

  return {
    times,
    totals,
    samplingRateBytes: samplingRate,
    sites: [...sites.values()],
    growthStacks: diffStacks(firstStacks, lastStacks),
  };
}

/**
 * Growth of every site over the regime (from `regimeStartSeconds`), largest first. `liveHeapSlope`
 * (bytes/s of the whole live heap) is the denominator of each site's share of the growth.
 */
export function rankSiteGrowth(
  table: HeapSiteTable,
  options: { regimeStartSeconds?: number; liveHeapSlope?: number } = {},
): SiteGrowth[] {
  const { times, samplingRateBytes: samplingRate } = table;
  const count = times.length;
  const regimeStart = options.regimeStartSeconds ?? times[0] ?? 0;
  const firstColumn = Math.max(
    0,
    times.findIndex((t) => t >= regimeStart - 1e-9),
  );
  const growing: SiteGrowth[] = [];
  const regimeTimes = times.slice(firstColumn);
  const regimeSpan = regimeTimes.length > 1 ? regimeTimes[regimeTimes.length - 1] - regimeTimes[0] : 0;
  for (const acc of table.sites) {
    const bytesSeries = Array.from(acc.bytes.subarray(firstColumn));
    const first = bytesSeries[0] ?? 0;
    const last = bytesSeries[bytesSeries.length - 1] ?? 0;
    if (regimeTimes.length < 3 || (last <= first && Math.max(...bytesSeries) <= first)) continue;
    const points = regimeTimes.map((t, i) => ({ tSeconds: t, value: bytesSeries[i] }));
    const ts = theilSenSlope(points);
    if (!(ts.slope > 0)) continue;
    const objectPoints = regimeTimes.map((t, i) => ({ tSeconds: t, value: acc.objects[firstColumn + i] }));
    const tsObjects = theilSenSlope(objectPoints);
    const mk = mannKendall(bytesSeries, { autocorrelation: "none" });
    const sizes = [...acc.sizes.entries()]
      .map(([bytes, objects]) => ({ bytes, objects: Math.round(objects) }))
      .filter((s) => s.objects > 0)
      .sort((a, b) => b.objects - a.objects);
    const typicalSize = sizes.length > 0 ? sizes[0].bytes : 0;
    const quantum = Math.max(samplingRate ?? 524288, typicalSize, 1);
    growing.push({
      site: acc.site,
      growthBytesPerSecond: ts.slope,
      growthBytesLowPerSecond: ts.low,
      growthObjectsPerSecond: tsObjects.slope,
      pValue: mk.pValue,
      inuseBytes: acc.bytes[count - 1],
      inuseObjects: acc.objects[count - 1],
      startBytes: first,
      shareOfGrowth: 0,
      objectSizes: sizes.slice(0, 8),
      retention: retentionOf(acc, firstColumn, count - 1),
      retentionZ: retentionZOf(acc, firstColumn, count - 1, quantum),
      sampledGrowthEvents: (ts.slope * regimeSpan) / quantum,
      series: Array.from(acc.bytes, (value, i) => ({ tSeconds: times[i], value })),
    });
  }
  const total = options.liveHeapSlope ?? 0;
  const positive = growing.reduce((sum, g) => sum + g.growthBytesPerSecond, 0);
  const denominator = total > 0 ? Math.max(total, 1) : positive;
  for (const g of growing)
    g.shareOfGrowth = denominator > 0 ? Math.min(1, g.growthBytesPerSecond / denominator) : 0;
  growing.sort((a, b) => b.growthBytesPerSecond - a.growthBytesPerSecond);

  return growing;
}

function retentionZOf(acc: SiteAccumulator, from: number, to: number, quantum: number): number {
  const kept = acc.bytes[to] - acc.bytes[from];
  const allocatedSamples = Math.max(0, acc.allocBytes[to] - acc.allocBytes[from]) / quantum;
  const startSamples = Math.max(0, acc.bytes[from]) / quantum;
  return kept / (quantum * Math.sqrt(Math.max(allocatedSamples + startSamples, 1)));
}

function retentionOf(acc: SiteAccumulator, from: number, to: number): number {
  const allocated = acc.allocBytes[to] - acc.allocBytes[from];
  const kept = acc.bytes[to] - acc.bytes[from];
  if (!(allocated > 0)) return kept > 0 ? 1 : 0;
  return Math.max(-1, Math.min(1, kept / allocated));
}

/** Per-stack in-use change from the first to the last decoded snapshot (for the growth flame graph). */
function diffStacks(
  first: Map<string, { stack: string[]; bytes: number }> | null,
  last: Map<string, { stack: string[]; bytes: number }> | null,
): { stack: string[]; bytes: number }[] {
  if (!last) return [];
  const out: { stack: string[]; bytes: number }[] = [];
  for (const [key, entry] of last) {
    const delta = entry.bytes - (first?.get(key)?.bytes ?? 0);
    if (delta > 0) out.push({ stack: entry.stack, bytes: delta });
  }
  out.sort((a, b) => b.bytes - a.bytes);
  return out.slice(0, 2000);
}
