/**
 * Which roots retain the objects allocated at a site: the dump's alloc samples (sampled objects tied
 * to their allocation stack) joined with the dominator tree.
 *
 *   bucketsAtSite(dump, site)                      the memory-profile buckets whose stack passes the
 *                                                  site (file:line, as pprof names a location line)
 *   rootsRetainingSamples(dump, graph, retention, buckets, { rate, minSamples })
 *
 * Bucket frames are physical: a frame's function is the function the code was compiled into, its
 * file:line the innermost inlined position. So a site is matched by file and line; the function
 * alone is used only for a site without a line.
 *
 * Estimates scale sampled objects as pprof scales heap samples (runtime/pprof's scaleHeapSample:
 * count and bytes divided by 1 − e^(−size/rate), per bucket). A holder's estimate is given only when
 * at least `minSamples` sampled objects stand behind it (default 10: a Poisson count of 10 has a
 * relative standard error near 30 %); below that the holder says "too-few-samples" and gives only
 * the raw sample count. With MemProfileRate = 1 every object is sampled, the counts are exact and one
 * sample is enough.
 */

import { scaleHeapSample } from "../../formats/pprof-legacy-heap-text.js";
import type { HeapDump, MemProfileBucket } from "../../model/heap-dump.js";
import type { ObjectGraph, RootDescription } from "../../model/object-graph.js";
import { findRank } from "./address-index.js";
import type { Retention } from "./retained-size.js";

export const DEFAULT_MEM_PROFILE_RATE = 512 * 1024;
export const DEFAULT_MIN_SAMPLES = 10;

/**
 * Whether a holder's scaled estimate is settled enough to state: its relative standard error is at
 * most that of `minSamples` small sampled objects (1/√minSamples). An object of size s is sampled
 * with probability p = 1 − e^(−s/rate) and stands for 1/p objects, so the estimate's variance is
 * Σ count·s²(1 − p)/p² (Horvitz–Thompson). Objects far above the rate are sampled almost surely and
 * add almost nothing to it; a few small sampled objects beside them no longer turn a nearly exact
 * figure into "too few samples", and many small ones alone still need about `minSamples`.
 */
export function estimateSettled(
  perBucket: ReadonlyMap<number, number>,
  bucketSize: ReadonlyMap<number, number>,
  rate: number,
  minSamples: number,
): boolean {
  if (rate <= 1) return true;
  let estimate = 0;
  let variance = 0;
  for (const [id, count] of perBucket) {
    const size = bucketSize.get(id) ?? 0;
    const p = -Math.expm1(-size / rate);
    if (!(p > 0)) continue;
    estimate += (count * size) / p;
    variance += (count * size * size * (1 - p)) / (p * p);
  }
  return estimate > 0 && variance * minSamples <= estimate * estimate;
}

export interface AllocationSite {
  file?: string;
  line?: number;
  function?: string;
}

/**
 * Buckets whose stack matches `site`. `frame: "leaf"` (default) looks only at the allocation site
 * proper, the first frame outside the runtime, as pprof's leaf; "any" at every frame (pprof's cum).
 */
export function bucketsAtSite(
  dump: HeapDump,
  site: AllocationSite,
  options: { frame?: "leaf" | "any" } = {},
): Set<number> {
  const ids = new Set<number>();
  const anyFrame = options.frame === "any";
  for (const bucket of dump.buckets) {
    const frames = anyFrame ? bucket.frames : [leafFrame(bucket)];
    if (frames.some((frame) => frame !== undefined && frameMatches(frame, site))) ids.add(bucket.id);
  }
  return ids;
}

/** The allocation site proper: the first frame outside the runtime (pprof's leaf), else the first. */
function leafFrame(bucket: MemProfileBucket): MemProfileBucket["frames"][number] | undefined {
  return bucket.frames.find((f) => !f.function.startsWith("runtime.")) ?? bucket.frames[0];
}

function frameMatches(frame: MemProfileBucket["frames"][number], site: AllocationSite): boolean {
  if (site.line !== undefined) {
    if (frame.line !== site.line) return false;
    if (site.file === undefined) return site.function === undefined || frame.function === site.function;
    return frame.file === site.file || frame.file.endsWith(`/${site.file}`);
  }
  if (site.file !== undefined && frame.file !== site.file && !frame.file.endsWith(`/${site.file}`))
    return false;
  return site.function === undefined || frame.function === site.function;
}

export interface SampleHolder {
  /** The nearest root dominating the sampled objects; "shared" when several roots hold them together. */
  holder: RootDescription | "shared";
  /** Sampled objects behind this claim. */
  samples: number;
  /** Heap bytes of the sampled objects (their slots). */
  sampledBytes: number;
  claim: "estimate" | "too-few-samples";
  /** Scaled like pprof's inuse_objects / inuse_space; absent with too few samples. */
  estimatedObjects?: number;
  estimatedBytes?: number;
}

export interface SampleRetention {
  rate: number;
  minSamples: number;
  /** Sampled objects of the site found in the dump. */
  samples: number;
  /** Sampled objects no root reaches (garbage not yet collected). */
  unreachableSamples: number;
  /** Samples whose address lies in no heap object (a damaged or inconsistent dump). */
  unmatchedSamples: number;
  /** The reachable sampled objects of the site, scaled (whatever the number of samples). */
  estimatedObjects: number;
  estimatedBytes: number;
  /** Largest estimate (or sample count) first. */
  holders: SampleHolder[];
}

export function rootsRetainingSamples(
  dump: HeapDump,
  graph: ObjectGraph,
  retention: Retention,
  buckets: Set<number>,
  options: { rate?: number; minSamples?: number } = {},
): SampleRetention {
  const rate = options.rate ?? DEFAULT_MEM_PROFILE_RATE;
  const minSamples = rate <= 1 ? 1 : (options.minSamples ?? DEFAULT_MIN_SAMPLES);
  const bucketSize = new Map<number, number>();
  for (const b of dump.buckets) if (buckets.has(b.id)) bucketSize.set(b.id, b.size);
  const tally = tallyByHolder(dump, graph, retention, bucketSize);
  const scale = (perBucket: Map<number, number>) => {
    let objects = 0;
    let bytes = 0;
    for (const [id, count] of perBucket) {
      const [o, b] = scaleHeapSample(BigInt(count), BigInt(count * bucketSize.get(id)!), BigInt(rate));
      objects += Number(o);
      bytes += Number(b);
    }
    return { objects, bytes };
  };
  const holders: SampleHolder[] = [];
  for (const [holder, perBucket] of tally.counts) {
    let samples = 0;
    for (const count of perBucket.values()) samples += count;
    const base = {
      holder: holder === 0 ? ("shared" as const) : graph.roots[holder - 1]!,
      samples,
      sampledBytes: tally.slotBytes.get(holder)!,
    };
    if (!estimateSettled(perBucket, bucketSize, rate, minSamples)) {
      holders.push({ ...base, claim: "too-few-samples" });
      continue;
    }
    const estimate = scale(perBucket);
    holders.push({
      ...base,
      claim: "estimate",
      estimatedObjects: estimate.objects,
      estimatedBytes: estimate.bytes,
    });
  }
  // The site's total is scaled per bucket over every reachable sample, not summed from the holders'
  // truncated parts.
  const total = scale(tally.reachableByBucket);
  const { samples, unreachableSamples, unmatchedSamples } = tally;
  holders.sort((a, b) => (b.estimatedBytes ?? 0) - (a.estimatedBytes ?? 0) || b.samples - a.samples);
  return {
    rate,
    minSamples,
    samples,
    unreachableSamples,
    unmatchedSamples,
    estimatedObjects: total.objects,
    estimatedBytes: total.bytes,
    holders,
  };
}

/** The site's samples counted by holder (the nearest dominating root, 0 = shared) and bucket. */
function tallyByHolder(
  dump: HeapDump,
  graph: ObjectGraph,
  retention: Retention,
  bucketSize: Map<number, number>,
) {
  const counts = new Map<number, Map<number, number>>();
  const slotBytes = new Map<number, number>();
  const reachableByBucket = new Map<number, number>();
  let samples = 0;
  let unreachableSamples = 0;
  let unmatchedSamples = 0;
  const { address, bucket } = dump.allocSamples;
  for (let s = 0; s < dump.allocSamples.count; s++) {
    const id = bucket[s]!;
    if (!bucketSize.has(id)) continue;
    const rank = findRank(graph.addressIndex, address[s]!);
    if (rank < 0) {
      unmatchedSamples++;
      continue;
    }
    samples++;
    const node = graph.firstObjectNode + rank;
    const holder = retention.holder[node]!;
    if (holder < 0) {
      unreachableSamples++;
      continue;
    }
    let perBucket = counts.get(holder);
    if (!perBucket) counts.set(holder, (perBucket = new Map()));
    perBucket.set(id, (perBucket.get(id) ?? 0) + 1);
    reachableByBucket.set(id, (reachableByBucket.get(id) ?? 0) + 1);
    slotBytes.set(holder, (slotBytes.get(holder) ?? 0) + graph.nodeSize[node]!);
  }
  return { counts, slotBytes, reachableByBucket, samples, unreachableSamples, unmatchedSamples };
}

export interface SampledSite {
  /** The allocation site proper: the first frame outside the runtime (pprof's leaf). */
  site: { function: string; file: string; line: number };
  buckets: Set<number>;
  /** Sampled objects of the site present in the dump (reachable or not). */
  samples: number;
  /** The samples scaled like pprof's inuse_space. */
  estimatedBytes: number;
}

/** The allocation sites of the dump's sampled objects, largest estimate first. */
export function sampledSites(dump: HeapDump, options: { rate?: number } = {}): SampledSite[] {
  const rate = options.rate ?? DEFAULT_MEM_PROFILE_RATE;
  const perBucket = new Map<number, number>();
  const { bucket } = dump.allocSamples;
  for (let s = 0; s < dump.allocSamples.count; s++)
    perBucket.set(bucket[s]!, (perBucket.get(bucket[s]!) ?? 0) + 1);
  const sites = new Map<string, SampledSite>();
  for (const b of dump.buckets) {
    const count = perBucket.get(b.id);
    if (count === undefined) continue;
    const leaf = leafFrame(b);
    if (leaf === undefined) continue;
    const key = `${leaf.function}\u0000${leaf.file}\u0000${leaf.line}`;
    let site = sites.get(key);
    if (!site) {
      site = { site: { ...leaf }, buckets: new Set(), samples: 0, estimatedBytes: 0 };
      sites.set(key, site);
    }
    site.buckets.add(b.id);
    site.samples += count;
    site.estimatedBytes += Number(scaleHeapSample(BigInt(count), BigInt(count * b.size), BigInt(rate))[1]);
  }
  return [...sites.values()].sort((a, b) => b.estimatedBytes - a.estimatedBytes || b.samples - a.samples);
}
