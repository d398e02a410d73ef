/**
 * One heap-dump analysis in a process of its own (so its peak RSS is heapscope's alone), run by
 * bench/heapdump.ts: `node --import tsx bench/heapdump-worker.ts DUMP`. Reads the dump in 4 MiB
 * chunks (the file is never held whole), then times each phase and prints one JSON line.
 */
import { closeSync, openSync, readSync } from "node:fs";
import {
  allocationBuckets,
  buildObjectGraph,
  computeReachability,
  computeRetention,
  computeShortestPaths,
  holdersByRoot,
  objectAt,
  retainingPath,
  rootsRetainingSamples,
  sampledSites,
} from "../src/analysis/retention/index.js";
import { HeapDumpReader } from "../src/formats/heapdump/read-heap-dump.js";

export interface PhaseTiming {
  wallMs: number;
  cpuMs: number;
  /** The process's peak RSS so far, at the end of the phase. */
  peakRssMiB: number;
}

export interface WorkerResult {
  phases: Record<"read" | "graph" | "reachability" | "dominators" | "paths", PhaseTiming>;
  totalWallMs: number;
  peakRssMiB: number;
  objects: number;
  pointers: number;
  edges: number;
  roots: number;
  reachableBytes: number;
  heapAlloc: number;
  sites: { site: string; samples: number; holder: string; claim: string; pathLength: number }[];
}

const CHUNK = 4 << 20;

function timed<T>(phases: Record<string, PhaseTiming>, name: string, run: () => T): T {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = run();
  const used = process.cpuUsage(cpu);
  phases[name] = {
    wallMs: performance.now() - started,
    cpuMs: (used.user + used.system) / 1000,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  return result;
}

function analyze(file: string): WorkerResult {
  const phases = {} as WorkerResult["phases"];
  const started = performance.now();
  const dump = timed(phases, "read", () => {
    const reader = new HeapDumpReader();
    const buffer = new Uint8Array(CHUNK);
    const fd = openSync(file, "r");
    try {
      for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) reader.push(buffer.subarray(0, n));
    } finally {
      closeSync(fd);
    }
    return reader.finish();
  });
  const graph = timed(phases, "graph", () => buildObjectGraph(dump));
  const reach = timed(phases, "reachability", () => computeReachability(graph, dump.memStats));
  const retention = timed(phases, "dominators", () => {
    const result = computeRetention(graph);
    holdersByRoot(graph, result);
    return result;
  });
  const sites = timed(phases, "paths", () => {
    const paths = computeShortestPaths(graph);
    const allocations = { buckets: dump.buckets, bucketOfObject: allocationBuckets(dump, graph) };
    return sampledSites(dump)
      .slice(0, 10)
      .map((site) => {
        const joined = rootsRetainingSamples(dump, graph, retention, site.buckets);
        const top = joined.holders[0];
        // The path of the site's first sampled object that a root reaches.
        let pathLength = 0;
        const samples = dump.allocSamples;
        for (let s = 0; s < samples.count && pathLength === 0; s++) {
          if (!site.buckets.has(samples.bucket[s]!)) continue;
          const object = objectAt(graph, samples.address[s]!);
          if (object >= 0) pathLength = retainingPath(graph, paths, object, allocations)?.steps.length ?? 0;
        }
        return {
          site: `${site.site.function} ${site.site.file.split("/").pop()}:${site.site.line}`,
          samples: site.samples,
          holder: top === undefined ? "-" : top.holder === "shared" ? "shared" : top.holder.label,
          claim: top?.claim ?? "-",
          pathLength,
        };
      });
  });
  return {
    phases,
    totalWallMs: performance.now() - started,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    objects: dump.objects.count,
    pointers: dump.objects.pointers.value.length,
    edges: graph.edgeTarget.length,
    roots: graph.rootCount,
    reachableBytes: reach.reachableBytes,
    heapAlloc: dump.memStats?.heapAlloc ?? 0,
    sites,
  };
}

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write("usage: node --import tsx bench/heapdump-worker.ts DUMP\n");
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(analyze(file))}\n`);
