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
  /** Object sizes the site held at its peak (any decoded snapshot): a shrinking site's former contents. */
  heldSizes: { bytes: number; objects: number }[];
  /** Upper end of the growth's 95 % confidence interval (below 0 when the site surely shrinks). */
  growthBytesHighPerSecond: number;
  /** Function-level units: each allocating line's growth and current in-use bytes. */
  lines: SiteLineGrowth[];
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

export interface SiteLineGrowth {
  file: string;
  line: number;
  growthBytesPerSecond: number;
  inuseBytes: number;
  inuseObjects: number;
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
  /** Object size → the most in-use objects of that size in any decoded snapshot (what the site held). */
  peakSizes: Map<number, number>;
  /** Function-level units (mergeSitesByFunction): the lines merged into this one. */
  lines?: SiteLine[];
}

/** One allocating line of a function-level unit, with its own in-use series. */
export interface SiteLine {
  file: string;
  line: number;
  bytes: Float64Array;
  objects: Float64Array;
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
    const columnSizes = new Map<SiteAccumulator, Map<number, number>>();
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
          peakSizes: new Map(),
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
      } else if (acc.site.stack.length === 0) {
        acc.site.stack = frames.slice(0, MAX_STACK_FRAMES);
      }
      const size = sample.numLabels.get("bytes")?.[0];
      if (size !== undefined && objects > 0) {
        let bySize = columnSizes.get(acc);
        if (!bySize) {
          bySize = new Map();
          columnSizes.set(acc, bySize);
        }
        bySize.set(Number(size), (bySize.get(Number(size)) ?? 0) + objects);
      }
      if (stackBytes) {
        const names = frames.map((f) => f.function);
        const stackKey = names.join("\n");
        const entry = stackBytes.get(stackKey);
        if (entry) entry.bytes += bytes;
        else stackBytes.set(stackKey, { stack: names, bytes });
      }
    }
    for (const [acc, bySize] of columnSizes) {
      for (const [size, objects] of bySize)
        acc.peakSizes.set(size, Math.max(acc.peakSizes.get(size) ?? 0, objects));
      if (column === count - 1) acc.sizes = bySize;
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

/** The decoded columns from the regime's start on, and how long they span. */
interface Regime {
  firstColumn: number;
  times: number[];
  spanSeconds: number;
}

function regimeOf(table: HeapSiteTable, regimeStartSeconds: number | undefined): Regime {
  const { times } = table;
  const regimeStart = regimeStartSeconds ?? times[0] ?? 0;
  const firstColumn = Math.max(
    0,
    times.findIndex((t) => t >= regimeStart - 1e-9),
  );
  const regimeTimes = times.slice(firstColumn);
  const spanSeconds = regimeTimes.length > 1 ? regimeTimes[regimeTimes.length - 1] - regimeTimes[0] : 0;
  return { firstColumn, times: regimeTimes, spanSeconds };
}

function sizeList(sizes: Map<number, number>): { bytes: number; objects: number }[] {
  return [...sizes.entries()]
    .map(([bytes, objects]) => ({ bytes, objects: Math.round(objects) }))
    .filter((s) => s.objects > 0)
    .sort((a, b) => b.objects - a.objects);
}

/** One site's change over the regime: Theil–Sen slope (negative when it shrinks) and Mann–Kendall p. */
function measureSite(acc: SiteAccumulator, table: HeapSiteTable, regime: Regime): SiteGrowth {
  const { times, samplingRateBytes } = table;
  const count = times.length;
  const bytesSeries = Array.from(acc.bytes.subarray(regime.firstColumn));
  const points = regime.times.map((t, i) => ({ tSeconds: t, value: bytesSeries[i] }));
  const ts = theilSenSlope(points);
  const objectPoints = regime.times.map((t, i) => ({
    tSeconds: t,
    value: acc.objects[regime.firstColumn + i],
  }));
  const tsObjects = theilSenSlope(objectPoints);
  const mk = mannKendall(bytesSeries, { autocorrelation: "none" });
  const sizes = sizeList(acc.sizes);
  const typicalSize = sizes.length > 0 ? sizes[0].bytes : 0;
  const quantum = Math.max(samplingRateBytes ?? 524288, typicalSize, 1);
  return {
    site: acc.site,
    growthBytesPerSecond: ts.slope,
    growthBytesLowPerSecond: ts.low,
    growthBytesHighPerSecond: ts.high,
    growthObjectsPerSecond: tsObjects.slope,
    pValue: mk.pValue,
    inuseBytes: acc.bytes[count - 1],
    inuseObjects: acc.objects[count - 1],
    startBytes: bytesSeries[0] ?? 0,
    shareOfGrowth: 0,
    objectSizes: sizes.slice(0, 8),
    heldSizes: sizeList(acc.peakSizes).slice(0, 8),
    retention: retentionOf(acc, regime.firstColumn, count - 1),
    retentionZ: retentionZOf(acc, regime.firstColumn, count - 1, quantum),
    sampledGrowthEvents: (Math.abs(ts.slope) * regime.spanSeconds) / quantum,
    series: Array.from(acc.bytes, (value, i) => ({ tSeconds: times[i], value })),
    lines: (acc.lines ?? []).map((line) => lineChange(line, regime)),
  };
}

function lineChange(line: SiteLine, regime: Regime): SiteLineGrowth {
  const points = regime.times.map((t, i) => ({ tSeconds: t, value: line.bytes[regime.firstColumn + i] }));
  return {
    file: line.file,
    line: line.line,
    growthBytesPerSecond: points.length >= 2 ? theilSenSlope(points).slope : 0,
    inuseBytes: line.bytes[line.bytes.length - 1] ?? 0,
    inuseObjects: line.objects[line.objects.length - 1] ?? 0,
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
  const regime = regimeOf(table, options.regimeStartSeconds);
  const growing: SiteGrowth[] = [];
  if (regime.times.length < 3) return growing;
  for (const acc of table.sites) {
    const series = acc.bytes.subarray(regime.firstColumn);
    const first = series[0] ?? 0;
    if (series[series.length - 1] <= first && Math.max(...series) <= first) continue;
    const measured = measureSite(acc, table, regime);
    if (measured.growthBytesPerSecond > 0) growing.push(measured);
  }
  const total = options.liveHeapSlope ?? 0;
  const positive = growing.reduce((sum, g) => sum + g.growthBytesPerSecond, 0);
  const denominator = total > 0 ? Math.max(total, 1) : positive;
  for (const g of growing)
    g.shareOfGrowth = denominator > 0 ? Math.min(1, g.growthBytesPerSecond / denominator) : 0;
  growing.sort((a, b) => b.growthBytesPerSecond - a.growthBytesPerSecond);
  return growing;
}

/**
 * Every site whose in-use bytes changed over the regime, growing or shrinking (slope ≠ 0), largest
 * change first. Shares are left at 0: the net growth is attributed by net-growth.ts.
 */
export function measureSiteChanges(table: HeapSiteTable, regimeStartSeconds?: number): SiteGrowth[] {
  const regime = regimeOf(table, regimeStartSeconds);
  if (regime.times.length < 3) return [];
  const changed: SiteGrowth[] = [];
  for (const acc of table.sites) {
    const series = acc.bytes.subarray(regime.firstColumn);
    if (series.every((v) => v === series[0])) continue;
    const measured = measureSite(acc, table, regime);
    if (measured.growthBytesPerSecond !== 0) changed.push(measured);
  }
  changed.sort((a, b) => Math.abs(b.growthBytesPerSecond) - Math.abs(a.growthBytesPerSecond));
  return changed;
}

/**
 * The same table with one unit per function: a function that allocates at several lines is one
 * suspect, listing its lines. Series are summed column by column; the representative site (stack,
 * file, line) is the line holding the most at the last snapshot.
 */
export function mergeSitesByFunction(table: HeapSiteTable): HeapSiteTable {
  const last = table.times.length - 1;
  const groups = new Map<string, SiteAccumulator[]>();
  for (const acc of table.sites) {
    const key = `${acc.site.function}\u0000${acc.site.attribution}`;
    const group = groups.get(key);
    if (group) group.push(acc);
    else groups.set(key, [acc]);
  }
  const sites: SiteAccumulator[] = [];
  for (const [key, group] of groups) {
    const held = (a: SiteAccumulator) => (last >= 0 ? a.bytes[last] : 0);
    const lead = group.reduce((best, a) => (held(a) > held(best) ? a : best));
    const merged: SiteAccumulator = {
      site: { ...lead.site, key },
      bytes: sumColumns(group.map((a) => a.bytes)),
      objects: sumColumns(group.map((a) => a.objects)),
      allocBytes: sumColumns(group.map((a) => a.allocBytes)),
      representativeBytes: lead.representativeBytes,
      sizes: sumSizes(group.map((a) => a.sizes)),
      peakSizes: sumSizes(group.map((a) => a.peakSizes)),
      lines: group
        .map((a) => ({ file: a.site.file, line: a.site.line, bytes: a.bytes, objects: a.objects }))
        .sort((a, b) => a.line - b.line),
    };
    sites.push(merged);
  }
  return { ...table, sites };
}

function sumColumns(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays[0]?.length ?? 0);
  for (const a of arrays) for (let i = 0; i < out.length; i++) out[i] += a[i];
  return out;
}

function sumSizes(maps: Map<number, number>[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of maps) for (const [size, objects] of m) out.set(size, (out.get(size) ?? 0) + objects);
  return out;
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
