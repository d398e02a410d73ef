/**
 * heldBy(context, site): which roots keep a heap suspect's objects alive, from the dump's alloc
 * samples (sampled objects tied to their allocation stacks) joined with the dominator tree. Each
 * sampled object counts for its nearest dominating root (or closure the runtime keeps); an object
 * several roots keep together counts for none, and the note says how much that is.
 *
 * Figures are scaled like pprof's inuse_space (per bucket, 1 − e^(−size/rate)); a holder whose
 * estimate is less precise than one from `minSamples` small sampled objects says "too few samples"
 * instead (estimateSettled: objects far above the rate were sampled almost surely and count as exact).
 */
import {
  bucketsAtSite,
  DEFAULT_MIN_SAMPLES,
  estimateSettled,
  findRank,
} from "../../analysis/retention/index.js";
import { scaleHeapSample } from "../../formats/pprof-legacy-heap-text.js";
import type { RootDescription } from "../../model/object-graph.js";
import type { SuspectHolder } from "../types.js";
import { pathTo, type RetentionContext } from "./retention-analysis.js";
import { groupKey, groupLabel } from "./root-groups.js";
import { rootName, typedDetail } from "./typed-holders.js";

export interface SuspectSite {
  function: string;
  /** The function's allocating lines (file as the profile names it). */
  lines: { file: string; line: number }[];
}

export interface HeldByOptions {
  /** MemProfileRate the target ran with (default Go's 512 KiB). */
  rate?: number;
  minSamples?: number;
}

interface GroupTally {
  first: RootDescription;
  members: Set<number>;
  samples: number;
  slotBytes: number;
  perBucket: Map<number, number>;
  largestNode: number;
}

export function heldBy(
  context: RetentionContext,
  site: SuspectSite,
  options: HeldByOptions = {},
): { heldBy: SuspectHolder[]; note?: string } {
  const rate = options.rate ?? 512 * 1024;
  const minSamples = rate <= 1 ? 1 : (options.minSamples ?? DEFAULT_MIN_SAMPLES);
  const buckets = siteBuckets(context, site);
  const bucketSize = new Map<number, number>();
  for (const b of context.dump.buckets) if (buckets.has(b.id)) bucketSize.set(b.id, b.size);
  const { groups, reachableSlotBytes, shared, samples } = tallyGroups(context, bucketSize);
  if (samples === 0) return { heldBy: [], note: "no sampled objects of this function in the heap dump" };
  const result: SuspectHolder[] = [];
  for (const g of groups.values()) {
    const label = groupLabel(g.first, g.members.size);
    const base = {
      root: g.members.size === 1 ? rootName(context, g.first.node, label) : label,
      rootKind: g.first.kind,
      path: pathTo(context, g.largestNode),
      samples: g.samples,
      ...typedDetail(context, g.first.node, g.largestNode),
    };
    if (!estimateSettled(g.perBucket, bucketSize, rate, minSamples)) {
      result.push({ ...base, retainedBytes: null, objects: null, share: null, claim: "too few samples" });
      continue;
    }
    let bytes = 0;
    let objects = 0;
    for (const [id, count] of g.perBucket) {
      const [o, b] = scaleHeapSample(BigInt(count), BigInt(count * bucketSize.get(id)!), BigInt(rate));
      objects += Number(o);
      bytes += Number(b);
    }
    const share = reachableSlotBytes > 0 ? g.slotBytes / reachableSlotBytes : 0;
    result.push({ ...base, retainedBytes: bytes, objects, share, claim: "estimate" });
  }
  result.sort((a, b) => (b.share ?? -1) - (a.share ?? -1) || b.samples - a.samples);
  const note =
    shared.bytes > 0 && reachableSlotBytes > 0
      ? `${Math.round((100 * shared.bytes) / reachableSlotBytes)} % of its sampled bytes are kept by several roots together (no single holder)`
      : undefined;
  return note ? { heldBy: result, note } : { heldBy: result };
}

function siteBuckets(context: RetentionContext, site: SuspectSite): Set<number> {
  const ids = new Set<number>();
  const add = (found: Set<number>) => {
    for (const id of found) ids.add(id);
  };
  if (site.lines.length === 0) add(bucketsAtSite(context.dump, { function: site.function }));
  for (const line of site.lines) {
    const exact = bucketsAtSite(context.dump, { file: line.file, line: line.line });
    // Older runtimes (Go 1.19) name a dump bucket's frame by its return address, which can fall on
    // the next line; taken only when no frame names the line itself.
    add(exact.size > 0 ? exact : bucketsAtSite(context.dump, { file: line.file, line: line.line + 1 }));
  }
  return ids;
}

function tallyGroups(context: RetentionContext, bucketSize: Map<number, number>) {
  const { dump, graph, holder, units } = context;
  const groups = new Map<string, GroupTally>();
  const shared = { samples: 0, bytes: 0 };
  let reachableSlotBytes = 0;
  let samples = 0;
  const { address, bucket } = dump.allocSamples;
  for (let s = 0; s < dump.allocSamples.count; s++) {
    const id = bucket[s]!;
    if (!bucketSize.has(id)) continue;
    const rank = findRank(graph.addressIndex, address[s]!);
    if (rank < 0) continue;
    samples++;
    const node = graph.firstObjectNode + rank;
    const h = holder[node]!;
    if (h < 0) continue;
    const size = graph.nodeSize[node]!;
    reachableSlotBytes += size;
    const unit = units.get(h);
    if (h === 0 || unit === undefined) {
      shared.samples++;
      shared.bytes += size;
      continue;
    }
    const key = groupKey(unit);
    let g = groups.get(key);
    if (!g) {
      g = {
        first: unit,
        members: new Set(),
        samples: 0,
        slotBytes: 0,
        perBucket: new Map(),
        largestNode: node,
      };
      groups.set(key, g);
    }
    g.members.add(h);
    g.samples++;
    g.slotBytes += size;
    g.perBucket.set(id, (g.perBucket.get(id) ?? 0) + 1);
    if (size > graph.nodeSize[g.largestNode]!) g.largestNode = node;
  }
  return { groups, reachableSlotBytes, shared, samples };
}
