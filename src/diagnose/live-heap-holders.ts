/**
 * What holds the live heap now: the largest in-use allocating functions of the last decoded heap
 * profile, with their share of it. Every verdict says this — a heap that stays high after its workload
 * shrank is not a leak, but the reader still wants to know what keeps it.
 */
import type { HeapSiteTable } from "./heap-growth.js";
import type { LiveHeapSite } from "./types.js";

export const MAX_LIVE_HEAP_SITES = 10;

/** `table` should have one unit per function (mergeSitesByFunction), so each holder lists its lines. */
export function liveHeapBySite(table: HeapSiteTable, max = MAX_LIVE_HEAP_SITES): LiveHeapSite[] {
  let column = table.totals.length - 1;
  while (column >= 0 && !Number.isFinite(table.totals[column].inuseBytes)) column--;
  if (column < 0) return [];
  const total = table.totals[column].inuseBytes;
  return table.sites
    .filter((acc) => acc.bytes[column] > 0)
    .sort((a, b) => b.bytes[column] - a.bytes[column] || (a.site.key < b.site.key ? -1 : 1))
    .slice(0, max)
    .map((acc) => ({
      function: acc.site.function,
      file: acc.site.file,
      line: acc.site.line,
      lines: (acc.lines ?? [{ line: acc.site.line, bytes: acc.bytes }])
        .filter((l) => l.bytes[column] > 0)
        .map((l) => l.line),
      attribution: acc.site.attribution,
      inuseBytes: acc.bytes[column],
      inuseObjects: acc.objects[column],
      shareOfLiveHeap: total > 0 ? acc.bytes[column] / total : 0,
    }));
}
