/**
 * Memory the heap profile cannot show: resident memory beyond what the Go runtime holds (cgo, mmap,
 * other native allocations), goroutine stacks, and the runtime's own figures that explain RSS
 * (fragmentation, idle memory kept for reuse).
 *
 * Off-heap memory ≥ RSS − (Sys − HeapReleased). `Sys − HeapReleased` is what the runtime holds from
 * the OS, but pages it reserved count in RSS only once written: a heap that preallocates (a zeroed
 * arena, a big make) holds far more than is resident, and RSS then climbs towards it as the pages are
 * first written. RSS below runtime-held memory is therefore untouched pages, not negative memory, and
 * RSS climbing while still below it is the heap being touched, not growth outside it. So the off-heap
 * series is the difference floored at zero and at its first value: it grows only when RSS rises ABOVE
 * what the runtime holds (or above the starting excess, for binary and C pages already resident).
 */
import type { MemStatsSample } from "../model/memstats.js";
import type { HeapSite } from "./heap-growth.js";
import type { MemStatsInput, RssInput } from "./input.js";
import { frameOrigin, type ModuleContext } from "./module-path.js";
import { downsample, type SeriesPoint, type SignalJudgement } from "./signal-trend.js";
import type { MemoryFigures, Suspect } from "./types.js";

const MAX_PAIRING_GAP_SECONDS = 3;

function field(sample: MemStatsSample, name: string): number | undefined {
  const value = (sample.fields as Record<string, number | undefined>)[name];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function goHeldBytes(sample: MemStatsSample): number | undefined {
  const sys = field(sample, "Sys");
  const released = field(sample, "HeapReleased");
  if (sys !== undefined && released !== undefined) return sys - released;
  return sample.runtimeUsedBytes;
}

/**
 * RSS minus what the Go runtime holds, paired by time, floored at zero and at its first value (see the
 * top of the file).
 */
export function offHeapSeries(rss: RssInput[], memStats: MemStatsInput[]): SeriesPoint[] {
  const readings = rssMinusHeld(rss, memStats);
  if (readings.length === 0) return readings;
  const floor = Math.max(0, readings[0].value);
  return readings.map((p) => ({ tSeconds: p.tSeconds, value: Math.max(p.value, floor) }));
}

/** RSS − (Sys − HeapReleased), paired by time; negative while pages the runtime holds are untouched. */
export function rssMinusHeld(rss: RssInput[], memStats: MemStatsInput[]): SeriesPoint[] {
  const held = memStats
    .map((m) => ({ tSeconds: m.tSeconds, value: goHeldBytes(m.sample) }))
    .filter((p): p is SeriesPoint => p.value !== undefined)
    .sort((a, b) => a.tSeconds - b.tSeconds);
  const rssPoints: SeriesPoint[] = rss.map((r) => ({ tSeconds: r.tSeconds, value: r.rssBytes }));
  // A source without /proc may still report RSS in its metrics (process_resident_memory_bytes).
  if (rssPoints.length === 0) {
    for (const m of memStats)
      if (m.sample.rssBytes !== undefined) rssPoints.push({ tSeconds: m.tSeconds, value: m.sample.rssBytes });
  }
  rssPoints.sort((a, b) => a.tSeconds - b.tSeconds);
  if (held.length === 0 || rssPoints.length === 0) return [];
  const out: SeriesPoint[] = [];
  let j = 0;
  for (const point of rssPoints) {
    while (
      j + 1 < held.length &&
      Math.abs(held[j + 1].tSeconds - point.tSeconds) <= Math.abs(held[j].tSeconds - point.tSeconds)
    )
      j++;
    if (Math.abs(held[j].tSeconds - point.tSeconds) > MAX_PAIRING_GAP_SECONDS) continue;
    out.push({ tSeconds: point.tSeconds, value: point.value - held[j].value });
  }
  return out;
}

export function rssSeries(rss: RssInput[], memStats: MemStatsInput[]): SeriesPoint[] {
  if (rss.length > 0) return rss.map((r) => ({ tSeconds: r.tSeconds, value: r.rssBytes }));
  return memStats
    .filter((m) => m.sample.rssBytes !== undefined)
    .map((m) => ({ tSeconds: m.tSeconds, value: m.sample.rssBytes! }));
}

/** A MemStats field over time. */
export function memStatsFieldSeries(memStats: MemStatsInput[], name: string): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (const m of memStats) {
    const value = field(m.sample, name);
    if (value !== undefined) out.push({ tSeconds: m.tSeconds, value });
  }
  return out;
}

/**
 * HeapAlloc read right after a forced GC (NumForcedGC advanced since the previous reading): then it is
 * the live heap plus what was allocated in the few milliseconds since, byte-exact rather than sampled.
 */
export function heapAllocAfterForcedGc(memStats: MemStatsInput[]): SeriesPoint[] {
  const sorted = [...memStats].sort((a, b) => a.tSeconds - b.tSeconds);
  const out: SeriesPoint[] = [];
  let previousForced: number | undefined;
  for (const m of sorted) {
    const forced = field(m.sample, "NumForcedGC");
    const alloc = field(m.sample, "HeapAlloc");
    if (
      forced !== undefined &&
      alloc !== undefined &&
      previousForced !== undefined &&
      forced > previousForced
    ) {
      out.push({ tSeconds: m.tSeconds, value: alloc });
    }
    if (forced !== undefined) previousForced = forced;
  }
  return out;
}

export function latestFigures(memStats: MemStatsInput[], rss: RssInput[]): MemoryFigures {
  const last = [...memStats].sort((a, b) => a.tSeconds - b.tSeconds).at(-1)?.sample;
  const lastRss = [...rss].sort((a, b) => a.tSeconds - b.tSeconds).at(-1)?.rssBytes ?? last?.rssBytes ?? null;
  if (!last) {
    return {
      rssBytes: lastRss,
      goHeldBytes: null,
      untouchedBytes: null,
      heapAllocBytes: null,
      heapInuseBytes: null,
      fragmentation: null,
      retainedIdleBytes: null,
      stackInuseBytes: null,
      nextGcBytes: null,
      numGc: null,
      gogcPercent: null,
      memoryLimitBytes: null,
    };
  }
  const heapAlloc = field(last, "HeapAlloc") ?? null;
  const heapInuse = field(last, "HeapInuse") ?? null;
  const idle = field(last, "HeapIdle");
  const released = field(last, "HeapReleased");
  const held = goHeldBytes(last) ?? null;
  return {
    rssBytes: lastRss,
    goHeldBytes: held,
    untouchedBytes: held !== null && lastRss !== null && lastRss < held ? held - lastRss : null,
    heapAllocBytes: heapAlloc,
    heapInuseBytes: heapInuse,
    fragmentation:
      heapAlloc !== null && heapInuse !== null && heapInuse > 0
        ? Math.max(0, (heapInuse - heapAlloc) / heapInuse)
        : null,
    retainedIdleBytes: idle !== undefined && released !== undefined ? idle - released : null,
    stackInuseBytes: field(last, "StackInuse") ?? null,
    nextGcBytes: field(last, "NextGC") ?? null,
    numGc: field(last, "NumGC") ?? null,
    gogcPercent: last.gogcPercent ?? null,
    memoryLimitBytes: last.memoryLimitBytes ?? null,
  };
}

/** The off-heap suspect, named after a program frame that maps memory or calls C, when one grows. */
export function offHeapSuspect(offHeap: SignalJudgement, sites: HeapSite[], module: ModuleContext): Suspect {
  // Growing sites first, then any site the profiles ever showed: mmap and cgo calls allocate little
  // on the Go heap (a map entry, a slice header), so their site may be sampled only now and then.
  const native = sites.find(
    (s) =>
      s.attribution === "own" &&
      s.stack.some((f) =>
        /(^syscall\.|^golang\.org\/x\/sys\/unix\.).*[Mm]map|_Cfunc_|^runtime\.cgocall$/.test(f.function),
      ),
  );
  return {
    kind: "off-heap",
    function: native?.function ?? "",
    stack: native ? native.stack.map((f) => f.function) : [],
    file: native?.file ?? "",
    line: native?.line ?? 0,
    growthBytesPerSecond: offHeap.slopePerSecond,
    growthObjectsPerSecond: 0,
    inuseBytes: Math.max(0, offHeap.lastValue),
    shareOfGrowth: 1,
    hint: native
      ? `${native.function} maps memory or calls C and its regions are not released: unmap/free them.`
      : "Memory grows outside the Go heap (cgo, mmap): compare /proc/PID/smaps over time to find the growing mappings.",
    attribution: native && frameOrigin(native.function, module) === "own" ? "own" : "library",
    pValue: offHeap.pValue,
    series: downsample(offHeap.series, 60),
  };
}
