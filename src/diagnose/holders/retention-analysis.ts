/**
 * analyzeRetention(dump, resolver?): who holds the live heap of a Go heap dump, root by root.
 *
 * Runs the retention analyses (graph, reachability, dominators, shortest paths), credits closures the
 * runtime keeps (a time.AfterFunc callback) to the closure's function, and groups alike roots into
 * one holder: the frames of 96 goroutines blocked in one function hold their memory together as far
 * as the user is concerned. The result's `context` answers heldBy questions for allocation sites
 * (held-by.ts) without redoing the work.
 */
import {
  allocationBuckets,
  attributeRuntimeClosures,
  buildObjectGraph,
  computeReachability,
  computeRetention,
  computeShortestPaths,
  isRuntimeSymbol,
  nodeObject,
  type Retention,
  retainingPath,
  type ShortestPaths,
} from "../../analysis/retention/index.js";
import { typedPath } from "../../analysis/retention/typed-paths.js";
import type { HeapDump, MemProfileBucket } from "../../model/heap-dump.js";
import type { ObjectGraph, RootDescription } from "../../model/object-graph.js";
import type { SymbolResolver } from "../../model/symbols.js";
import type { TypedRetentionContext } from "../typed-holder-json.js";
import type { Holder, HolderRootKind, RetentionPathStep, RetentionSummary } from "../types.js";
import { groupUnits, type HolderUnit } from "./root-groups.js";

export interface RetentionContext {
  dump: HeapDump;
  graph: ObjectGraph;
  retention: Retention;
  paths: ShortestPaths;
  /** Each node's holder unit node: a root, or a closure object the runtime keeps; 0 shared, -1 unreachable. */
  holder: Int32Array;
  /** Holder units by node (roots and runtime-kept closures). */
  units: Map<number, RootDescription>;
  bucketOfObject: Int32Array;
  reachableBytes: number;
  /** 1 for each node the roots reach. */
  reachable: Uint8Array;
  /** For each listed holder: its (largest) root node and the object its path leads to. */
  holderNodes: Map<Holder, { rootNode: number; objectNode: number }>;
  /** Types from DWARF, once typed-holders.ts added them. */
  typed?: TypedRetentionContext;
}

export interface RetentionOptions {
  /** Holders to list (default 10). */
  top?: number;
  resolver?: SymbolResolver;
}

export function analyzeRetention(
  dump: HeapDump,
  options: RetentionOptions = {},
): { summary: RetentionSummary; context: RetentionContext } {
  const graph = buildObjectGraph(dump, options.resolver);
  const reach = computeReachability(graph, dump.memStats);
  const retention = computeRetention(graph);
  const paths = computeShortestPaths(graph);
  const closures = attributeRuntimeClosures(dump, graph, retention, options.resolver);
  const units = new Map<number, RootDescription>();
  for (const root of graph.roots) units.set(root.node, root);
  for (const [node, closure] of closures.closures) units.set(node, closure);
  const context: RetentionContext = {
    dump,
    graph,
    retention,
    paths,
    holder: closures.holder,
    units,
    bucketOfObject: allocationBuckets(dump, graph),
    reachableBytes: reach.reachableBytes,
    reachable: reach.reachable,
    holderNodes: new Map(),
  };
  const all = groupUnits(holderUnits(context), context.reachableBytes);
  const top = options.top ?? 10;
  const toHolder = (g: (typeof all)[number]): Holder => {
    const holder: Holder = {
      root: g.label,
      rootKind: g.kind,
      retainedBytes: g.bytes,
      objects: g.objects,
      share: g.share,
      roots: g.count,
      path: pathTo(context, g.largestObjectNode),
    };
    context.holderNodes.set(holder, { rootNode: g.rootNode, objectNode: g.largestObjectNode });
    return holder;
  };
  const roots = { global: 0, stack: 0, closure: 0, finalizer: 0, runtime: 0 };
  for (const root of graph.roots) if (root.parentNode === 0 || root.kind !== "stack") roots[root.kind]++;
  roots.closure += closures.closures.size;
  const summary: RetentionSummary = {
    reachableBytes: reach.reachableBytes,
    reachableObjects: reach.reachableObjects,
    heapAlloc: reach.heapAlloc ?? null,
    unreachableBytes: reach.unreachableBytes,
    sharedBytes: retention.retainedBytes[0]! - sumUnits(context),
    roots,
    holders: all
      .filter((g) => g.kind !== "runtime")
      .slice(0, top)
      .map(toHolder),
    runtimeHolders: all
      .filter((g) => g.kind === "runtime")
      .slice(0, top)
      .map(toHolder),
    limits: retentionLimits(dump, options.resolver, reach.unreachableBytes),
    goVersion: dump.params.goVersion,
    dumpBytes: dump.fileSize,
  };
  return { summary, context };
}

/**
 * What each unit keeps alone: its retained bytes less what its child units keep (a goroutine's
 * frames, a runtime root's closures), so the units' figures add up without counting anything twice.
 */
function holderUnits(context: RetentionContext): HolderUnit[] {
  const { retention, units } = context;
  const bytes = new Map<number, number>();
  const objects = new Map<number, number>();
  for (const [node] of units) {
    bytes.set(node, retention.retainedBytes[node]!);
    objects.set(node, retention.retainedObjects[node]!);
  }
  for (const [node, unit] of units) {
    if (unit.parentNode === 0) continue;
    bytes.set(unit.parentNode, bytes.get(unit.parentNode)! - retention.retainedBytes[node]!);
    objects.set(unit.parentNode, objects.get(unit.parentNode)! - retention.retainedObjects[node]!);
  }
  const largest = largestKeptObject(context);
  const result: HolderUnit[] = [];
  for (const [node, root] of units) {
    const b = bytes.get(node)!;
    if (objects.get(node)! <= 0 || b <= 0) continue;
    result.push({ root, bytes: b, objects: objects.get(node)!, largestObjectNode: largest.get(node) ?? -1 });
  }
  return result;
}

function sumUnits(context: RetentionContext): number {
  let total = 0;
  for (const [, unit] of context.units)
    if (unit.parentNode === 0) total += context.retention.retainedBytes[unit.node]!;
  return total;
}

/** For each unit, the largest object it keeps (the path shown leads to it). */
function largestKeptObject(context: RetentionContext): Map<number, number> {
  const { graph, holder } = context;
  const best = new Map<number, number>();
  for (let v = graph.firstObjectNode; v < graph.nodeCount; v++) {
    const h = holder[v]!;
    if (h <= 0) continue;
    const current = best.get(h);
    if (current === undefined || graph.nodeSize[v]! > graph.nodeSize[current]!) best.set(h, v);
  }
  return best;
}

/** The shortest retaining path to object node `node`, root first; [] for none. */
export function pathTo(context: RetentionContext, node: number): RetentionPathStep[] {
  if (node < context.graph.firstObjectNode) return [];
  const path = retainingPath(context.graph, context.paths, nodeObject(context.graph, node), {
    buckets: context.dump.buckets,
    bucketOfObject: context.bucketOfObject,
  });
  if (path === null) return [];
  const steps: RetentionPathStep[] = path.steps.map((step) => ({
    bytes: step.size,
    site: step.allocation ? siteOf(step.allocation) : null,
    offset: step.fieldOffset,
  }));
  if (context.typed) {
    const typed = typedPath(context.typed.typed, context.graph, path).steps;
    steps.forEach((step, i) => {
      step.field = typed[i]?.field ?? null;
      step.type = typed[i]?.type ?? null;
      if (typed[i]?.mapInternal) step.mapInternal = true;
    });
  }
  return steps;
}

function siteOf(bucket: MemProfileBucket): string | null {
  const frame = bucket.frames.find((f) => !isRuntimeSymbol(f.function)) ?? bucket.frames[0];
  return frame ? `${frame.function} (${frame.file}:${frame.line})` : null;
}

const MIB = 1024 * 1024;

function retentionLimits(dump: HeapDump, resolver: SymbolResolver | undefined, garbage: number): string[] {
  const limits = [
    "roots the heap dump does not record are not seen: runtime.AddCleanup functions and weak pointers (weak.Pointer, unique.Handle) keep objects no holder here accounts for",
  ];
  if (!resolver)
    limits.push(
      "no binary symbols: globals are named by segment offset and closures by code address, and without DWARF types paths have no field names and slices are not examined",
    );
  if (!dump.bytes) limits.push("object contents were not read: closures the runtime keeps are not named");
  if (garbage > MIB)
    limits.push(
      `the dump lists ${(garbage / MIB).toFixed(1)} MiB of garbage not yet collected (taken without a GC)`,
    );
  return limits;
}

export type { HolderRootKind };
