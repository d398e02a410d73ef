/**
 * When the sampler's heap request gets gc=1 (the target then runs a full GC first): the GcMode
 * policy, and what it remembers between samples to tell whether a heap profile is stale.
 */
import type { MemStatsSample } from "../model/memstats.js";
import type { EndpointUrls, HeapProfileSummary, MemStatsEntry } from "../model/recording.js";

/**
 * When the heap profile is fetched with gc=1:
 * - "always": every sample; each snapshot is exactly current, at the price of one full GC per
 *   interval (on a 200 MB pointer-rich heap that is about a second of CPU time per sample).
 * - "auto" (default): only when the profile would otherwise be stale. Go's heap profile shows the
 *   heap as of the last completed GC, so a GC since the previous sample already makes it current
 *   within one interval; and if no GC ran but the program allocated less than
 *   AUTO_GC_STALE_FRACTION of its heap since the last GC, the profile is current to within that.
 *   Decided from MemStats (NumGC, TotalAlloc, HeapAlloc) read just before the heap request, or
 *   gctrace. Without either, the profile is fetched without gc=1 and fetched again with it when its
 *   cumulative allocation totals show no GC since the previous snapshot. The first sample always
 *   uses gc=1.
 * - "never": leave the target's GC alone.
 */
export type GcMode = "auto" | "always" | "never";

/** In "auto" mode, allocation since the last GC above this fraction of HeapAlloc makes a profile stale. */
export const AUTO_GC_STALE_FRACTION = 0.05;

export interface GcDecision {
  /** "unless-fresh": fetch without gc=1, and again with it if the profile shows no GC since the last. */
  force: boolean | "unless-fresh";
  numGc: number | null;
  totalAlloc: number | null;
}

/** The MemStats fields the gc=1 policy reads, from the first source that has NumGC. */
export function gcFields(memstats: MemStatsEntry[]): MemStatsSample["fields"] | undefined {
  return memstats.find((m) => m.sample.fields.NumGC !== undefined)?.sample.fields;
}

export class HeapGcPolicy {
  /** For "auto" gc: GC count after the previous heap fetch, and TotalAlloc at the last GC known. */
  private numGcAfterLastHeap: number | null = null;
  private totalAllocAtLastGc: number | null = null;
  private previousTotalAlloc: number | null = null;
  /** alloc_space total of the previous heap snapshot (cumulative; grows only when a GC publishes). */
  private lastHeapAllocBytes: number | null = null;

  constructor(
    private readonly mode: GcMode,
    /** GC cycles the target has completed, from its gctrace (launch mode), if known. */
    private readonly gcCyclesSeen?: () => number | null,
  ) {}

  /**
   * "auto" reads MemStats before the heap request from the second snapshot on (the first is always
   * forced), when there are MemStats to read.
   */
  wantsMemStatsBeforeHeap(endpoints: EndpointUrls): boolean {
    if (this.mode !== "auto" || !(endpoints.vars || endpoints.metrics)) return false;
    return this.numGcAfterLastHeap !== null || this.lastHeapAllocBytes !== null;
  }

  /** Whether this sample's heap request gets gc=1, from MemStats read just before it (if any). */
  decide(memstats: MemStatsEntry[]): GcDecision {
    const fields = gcFields(memstats);
    const numGc = fields?.NumGC ?? this.gcCyclesSeen?.() ?? null;
    const totalAlloc = fields?.TotalAlloc ?? null;
    const heapAlloc = fields?.HeapAlloc ?? null;
    if (this.mode !== "auto") return { force: this.mode === "always", numGc, totalAlloc };
    const previous = this.numGcAfterLastHeap;
    let force: GcDecision["force"] = true;
    if (numGc !== null && previous !== null) {
      if (numGc > previous) {
        // A GC ran since the last snapshot: the profile is as of that GC. It ran after the previous
        // sample read TotalAlloc, so counting from there overstates what it has not seen (safe side).
        this.totalAllocAtLastGc = this.previousTotalAlloc;
        force = false;
      } else if (totalAlloc !== null && heapAlloc !== null && this.totalAllocAtLastGc !== null) {
        force = totalAlloc - this.totalAllocAtLastGc > AUTO_GC_STALE_FRACTION * heapAlloc;
      }
    } else if (numGc === null && this.lastHeapAllocBytes !== null) {
      force = "unless-fresh";
    }
    return { force, numGc, totalAlloc };
  }

  /**
   * A heap profile's cumulative allocation totals change only when a GC publishes new data, so a
   * larger total than the last snapshot's means a GC ran since (and the profile is as of it).
   */
  isFresh(summary: HeapProfileSummary): boolean {
    return (
      summary.allocBytes !== null &&
      this.lastHeapAllocBytes !== null &&
      summary.allocBytes > this.lastHeapAllocBytes
    );
  }

  /** `memstatsAfter`: MemStats read right after this heap request (empty when read before it). */
  afterHeapFetch(
    decision: GcDecision,
    forced: boolean,
    summary: HeapProfileSummary,
    memstatsAfter: MemStatsEntry[],
  ): void {
    this.lastHeapAllocBytes = summary.allocBytes;
    const after = gcFields(memstatsAfter);
    if (after?.NumGC !== undefined) {
      // Read after the request: a forced GC is already counted.
      this.numGcAfterLastHeap = after.NumGC;
      if (forced) this.totalAllocAtLastGc = after.TotalAlloc ?? decision.totalAlloc;
      return;
    }
    if (decision.numGc === null) return;
    this.numGcAfterLastHeap = decision.numGc + (forced ? 1 : 0);
    if (forced) this.totalAllocAtLastGc = decision.totalAlloc;
  }

  /** Remembers the sample's TotalAlloc (from its MemStats, else from the decision's). */
  afterSample(decision: GcDecision, memstats: MemStatsEntry[]): void {
    const latest = gcFields(memstats);
    if (latest) this.previousTotalAlloc = latest.TotalAlloc ?? null;
    else if (decision.totalAlloc !== null) this.previousTotalAlloc = decision.totalAlloc;
  }
}
