/**
 * Retention analyses over a Go heap dump: what is reachable, what holds it, and through which path.
 *
 *   const dump = readHeapDump(bytes);                       // formats/heapdump
 *   const graph = buildObjectGraph(dump, resolver?);        // objects + named roots, CSR
 *   const reach = computeReachability(graph, dump.memStats);
 *   const retention = computeRetention(graph);              // dominators, retained sizes, holders
 *   const report = holdersByRoot(graph, retention);
 *   const paths = computeShortestPaths(graph);
 *   retainingPath(graph, paths, objectIndex, { buckets: dump.buckets, bucketOfObject: allocationBuckets(dump, graph) });
 *   rootsRetainingSamples(dump, graph, retention, bucketsAtSite(dump, { file: "main.go", line: 42 }));
 *
 * All pure functions over typed arrays; none keeps a JS object per heap object.
 */
export { buildAddressIndex, findObject, findRank } from "./address-index.js";
export { computeDominators, type DominatorTree, type FlowGraph } from "./dominators.js";
export {
  type HoldersReport,
  holdersByRoot,
  type RootHolder,
  rootsReaching,
  type SharedObject,
} from "./holders.js";
export { buildObjectGraph, nodeAddress, nodeAt, nodeObject, objectAt, objectNode } from "./object-graph.js";
export { computeReachability, type Reachability } from "./reachability.js";
export { computeRetention, type Retention } from "./retained-size.js";
export {
  allocationBuckets,
  computeShortestPaths,
  type PathStep,
  type RetainingPath,
  retainingPath,
  type ShortestPaths,
} from "./retaining-path.js";
export { isRuntimeSymbol } from "./roots.js";
export { attributeRuntimeClosures, type RuntimeClosures } from "./runtime-closures.js";
export {
  type AllocationSite,
  bucketsAtSite,
  DEFAULT_MEM_PROFILE_RATE,
  DEFAULT_MIN_SAMPLES,
  estimateSettled,
  rootsRetainingSamples,
  type SampledSite,
  type SampleHolder,
  type SampleRetention,
  sampledSites,
} from "./sample-join.js";
