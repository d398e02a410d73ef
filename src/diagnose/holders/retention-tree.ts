/**
 * retentionTree(context): the dominator tree of a heap dump aggregated into a few thousand nodes, for
 * an icicle chart. Level 1 groups holders the way `heapscope retainers` does (alike roots together,
 * closures the runtime keeps credited to the closure's function, objects several roots keep together
 * as one "shared" group); below a holder, the objects it dominates are grouped level by level by
 * allocation site (sampled objects) or else by object size, so a million alike records are one node.
 *
 * Each node's bytes are what its members retain (dominator subtrees), so children never exceed their
 * parent and siblings are sorted largest first. Groups are expanded largest first until the node
 * budget is spent; past `maxChildren` (or the budget) a node's smaller children are merged into one
 * "other" node, and groups deeper than `maxDepth` (a million-long linked list) stay leaves.
 */
import { isRuntimeSymbol, nodeObject } from "../../analysis/retention/index.js";
import type { RootDescription } from "../../model/object-graph.js";
import { formatBytes, formatCount } from "../../model/units.js";
import type { Profile } from "../../profile/model.js";
import type { HolderRootKind, RetentionPathStep } from "../types.js";
import { pathTo, type RetentionContext } from "./retention-analysis.js";
import { groupKey, groupLabel } from "./root-groups.js";
import { rootName } from "./typed-holders.js";

export type RetentionNodeKind = "all" | "holder" | "root" | "shared" | "site" | "size" | "other";

export interface RetentionTree {
  /** Nodes in preorder (node 0 is the whole reachable heap); children sorted by bytes, largest first. */
  parent: Int32Array;
  name: string[];
  kind: RetentionNodeKind[];
  /** The root kind of holder and root nodes; null elsewhere. */
  rootKind: Array<HolderRootKind | null>;
  /** The allocation site's function of a site node; null elsewhere. */
  site: Array<string | null>;
  /** `file:line` of a site node's first sampled allocation; null elsewhere. */
  siteLine: Array<string | null>;
  bytes: Float64Array;
  objects: Float64Array;
  /** Members (roots or objects) each node stands for. */
  members: Float64Array;
  /** A graph node of the group whose retaining path stands for it: the member retaining most. */
  representative: Int32Array;
  /** True when some groups were merged or left unexpanded because of the budget or depth. */
  truncated: boolean;
}

export interface RetentionTreeOptions {
  /** Most nodes in the result (default 20 000). */
  budget?: number;
  /** Most children of one node before the rest merge into "other" (default 100). */
  maxChildren?: number;
  /** Levels below the holders that are expanded (default 64). */
  maxDepth?: number;
  /**
   * The function of each source line (`file:line`), from a heap profile of the same program: a dump's
   * allocation stacks name the function a call was inlined into (main.main at a line of main.ingest),
   * a profile's names the inlined one, as pprof and the doctor's suspects do.
   */
  lineFunctions?: ReadonlyMap<string, string>;
}

/** `file:line` → function, from every line of every location of a profile (inlined frames included). */
export function lineFunctions(profile: Profile): Map<string, string> {
  const result = new Map<string, string>();
  for (const location of profile.locations)
    for (const { function: fn, line } of location.lines)
      if (fn) result.set(`${fn.filename}:${line}`, fn.name);
  return result;
}

interface Group {
  parent: number;
  name: string;
  kind: RetentionNodeKind;
  rootKind: HolderRootKind | null;
  site: string | null;
  siteLine: string | null;
  bytes: number;
  objects: number;
  memberCount: number;
  members: number[];
  representative: number;
  depth: number;
  children: number[];
}

interface Pending {
  key: string | number;
  kind: RetentionNodeKind;
  first: RootDescription | null;
  bucket: number;
  size: number;
  members: number[];
  bytes: number;
  objects: number;
  representative: number;
}

export function retentionTree(context: RetentionContext, options: RetentionTreeOptions = {}): RetentionTree {
  const builder = new TreeBuilder(context, options);
  return builder.build();
}

class TreeBuilder {
  private readonly groups: Group[] = [];
  private readonly budget: number;
  private readonly maxChildren: number;
  private readonly maxDepth: number;
  private readonly childStart: Uint32Array;
  private readonly childList: Uint32Array;
  /** Retained bytes/objects less what hoisted closure units (their own holders) keep. */
  private readonly bytes: Float64Array;
  private readonly objects: Float64Array;
  private readonly hoisted = new Set<number>();
  /** 1 for objects that are holder units (closures the runtime keeps). */
  private readonly unitObject: Uint8Array;
  /** Site id of each bucket: -2 not looked at yet, -1 none. */
  private readonly siteOfBucket: Int32Array;
  private readonly siteIds = new Map<string, number>();
  /** Sites by id: the function and the `file:line` of the first bucket seen with it. */
  private readonly sites: Array<{ fn: string; line: string }> = [];
  private truncated = false;
  private readonly lineFunctions: ReadonlyMap<string, string> | undefined;

  constructor(
    private readonly context: RetentionContext,
    options: RetentionTreeOptions,
  ) {
    this.budget = Math.max(2, options.budget ?? 20_000);
    this.maxChildren = Math.max(1, options.maxChildren ?? 100);
    this.maxDepth = options.maxDepth ?? 64;
    this.lineFunctions = options.lineFunctions;
    this.siteOfBucket = new Int32Array(context.dump.buckets.length).fill(-2);
    const { graph, retention } = context;
    const idom = retention.dominators.idom;
    this.childStart = new Uint32Array(graph.nodeCount + 1);
    for (let v = 1; v < graph.nodeCount; v++) if (idom[v]! >= 0) this.childStart[idom[v]! + 1]!++;
    for (let v = 0; v < graph.nodeCount; v++) this.childStart[v + 1]! += this.childStart[v]!;
    this.childList = new Uint32Array(this.childStart[graph.nodeCount]!);
    const fill = this.childStart.slice(0, graph.nodeCount);
    for (let v = 1; v < graph.nodeCount; v++) if (idom[v]! >= 0) this.childList[fill[idom[v]!]!++] = v;
    this.bytes = retention.retainedBytes.slice();
    this.objects = new Float64Array(retention.retainedObjects);
    this.unitObject = new Uint8Array(graph.nodeCount);
    for (const [node, unit] of context.units) {
      if (node < graph.firstObjectNode) continue;
      this.unitObject[node] = 1;
      if (unit.parentNode !== 0) this.hoisted.add(node);
    }
    // A closure the runtime keeps is a holder of its own: take it out of its dominators' figures, up
    // to the nearest hoisted closure (whose own figure, taken out above it, already excludes it).
    for (const node of this.hoisted) {
      for (let d = idom[node]!; d > 0; d = idom[d]!) {
        this.bytes[d]! -= retention.retainedBytes[node]!;
        this.objects[d]! -= retention.retainedObjects[node]!;
        if (this.hoisted.has(d)) break;
      }
    }
  }

  build(): RetentionTree {
    this.groups.push({
      parent: -1,
      name: "all reachable memory",
      kind: "all",
      rootKind: null,
      site: null,
      siteLine: null,
      bytes: this.bytes[0]!,
      objects: this.objects[0]!,
      memberCount: 1,
      members: [0],
      representative: 0,
      depth: 0,
      children: [],
    });
    const queue = new MaxHeap();
    queue.push(0, this.bytes[0]!);
    while (queue.size > 0 && this.groups.length < this.budget) {
      const id = queue.pop();
      for (const child of this.expand(id)) {
        const group = this.groups[child]!;
        if (group.kind !== "other" && group.depth <= this.maxDepth) queue.push(child, group.bytes);
        else if (group.kind !== "other") this.truncated = true;
      }
      this.groups[id]!.members = [];
    }
    if (queue.size > 0) this.truncated = true;
    return this.preorder();
  }

  /** Adds the children of group `id`; returns their ids. */
  private expand(id: number): number[] {
    const group = this.groups[id]!;
    const byKey = new Map<string | number, Pending>();
    const add = (child: number) => this.classify(child, id === 0, byKey);
    for (const member of group.members) {
      for (let k = this.childStart[member]!; k < this.childStart[member + 1]!; k++) {
        const child = this.childList[k]!;
        if (this.unitObject[child] === 0 || !this.hoisted.has(child)) add(child);
      }
    }
    if (id === 0) for (const node of this.hoisted) add(node);
    const pending = [...byKey.values()].sort(
      (a, b) => b.bytes - a.bytes || String(a.key).localeCompare(String(b.key)),
    );
    const room = Math.min(this.maxChildren, this.budget - this.groups.length);
    const keep = pending.length <= room ? pending.length : Math.max(0, room - 1);
    const ids: number[] = [];
    for (let i = 0; i < keep; i++) ids.push(this.addGroup(id, pending[i]!));
    if (keep < pending.length) {
      this.truncated = true;
      ids.push(this.addOther(id, pending.slice(keep)));
    }
    // "other" takes its place by size too: siblings are always largest first.
    group.children = ids.sort((a, b) => this.groups[b]!.bytes - this.groups[a]!.bytes);
    return ids;
  }

  private classify(child: number, topLevel: boolean, byKey: Map<string | number, Pending>): void {
    const { graph } = this.context;
    // Roots that keep nothing (idle goroutines' frames, empty globals) are no holders.
    if (this.bytes[child]! <= 0 && this.objects[child]! <= 0) return;
    const unit =
      child < graph.firstObjectNode
        ? graph.roots[child - 1]!
        : this.unitObject[child] === 1
          ? this.context.units.get(child)
          : undefined;
    // Objects group under numeric keys (size ≥ 0, site < 0): no string is made per object.
    let key: string | number;
    let kind: RetentionNodeKind;
    let bucket = -1;
    if (unit) {
      key = `root:${groupKey(unit)}`;
      kind = topLevel ? "holder" : "root";
    } else if (topLevel) {
      key = "shared";
      kind = "shared";
    } else {
      bucket = this.context.bucketOfObject[nodeObject(graph, child)]!;
      const site = bucket >= 0 ? this.siteIdOf(bucket) : -1;
      if (site >= 0) {
        key = -1 - site;
        kind = "site";
      } else {
        key = graph.nodeSize[child]!;
        kind = "size";
        bucket = -1;
      }
    }
    let pending = byKey.get(key);
    if (!pending) {
      pending = {
        key,
        kind,
        first: unit ?? null,
        bucket,
        size: graph.nodeSize[child]!,
        members: [],
        bytes: 0,
        objects: 0,
        representative: child,
      };
      byKey.set(key, pending);
    }
    pending.members.push(child);
    pending.bytes += this.bytes[child]!;
    pending.objects += this.objects[child]!;
    if (this.bytes[child]! > this.bytes[pending.representative]!) pending.representative = child;
  }

  /** The interned site of a bucket (its first frame outside the runtime), or -1. */
  private siteIdOf(bucket: number): number {
    let id = this.siteOfBucket[bucket]!;
    if (id === -2) {
      const frames = this.context.dump.buckets[bucket]!.frames;
      const frame = frames.find((f) => !isRuntimeSymbol(f.function)) ?? frames[0];
      id = -1;
      if (frame) {
        const line = `${frame.file}:${frame.line}`;
        const fn = this.lineFunctions?.get(line) ?? frame.function;
        id = this.siteIds.get(fn) ?? this.sites.length;
        if (id === this.sites.length) {
          this.sites.push({ fn, line });
          this.siteIds.set(fn, id);
        }
      }
      this.siteOfBucket[bucket] = id;
    }
    return id;
  }

  private addGroup(parent: number, p: Pending): number {
    const site = p.kind === "site" ? this.sites[this.siteIdOf(p.bucket)]! : null;
    const name =
      p.first !== null
        ? p.members.length === 1
          ? rootName(this.context, p.first.node, p.first.label) // `*main.metrics` for `bss+0x570`, with types
          : groupLabel(p.first, p.members.length)
        : p.kind === "shared"
          ? `held by several roots together (${formatCount(p.objects)} objects)`
          : p.kind === "site"
            ? site!.fn
            : `${formatBytes(p.size)} objects (${formatCount(p.members.length)})`;
    return this.push({
      parent,
      name,
      kind: p.kind,
      rootKind: p.first?.kind ?? null,
      site: site?.fn ?? null,
      siteLine: site?.line ?? null,
      bytes: p.bytes,
      objects: p.objects,
      memberCount: p.members.length,
      members: p.members,
      representative: p.representative,
      depth: this.groups[parent]!.depth + 1,
      children: [],
    });
  }

  private addOther(parent: number, rest: Pending[]): number {
    let bytes = 0;
    let objects = 0;
    let members = 0;
    let representative = rest[0]!.representative;
    for (const p of rest) {
      bytes += p.bytes;
      objects += p.objects;
      members += p.members.length;
      if (this.bytes[p.representative]! > this.bytes[representative]!) representative = p.representative;
    }
    return this.push({
      parent,
      name: `other (${formatCount(objects)} objects)`,
      kind: "other",
      rootKind: null,
      site: null,
      siteLine: null,
      bytes,
      objects,
      memberCount: members,
      members: [],
      representative,
      depth: this.groups[parent]!.depth + 1,
      children: [],
    });
  }

  private push(group: Group): number {
    this.groups.push(group);
    return this.groups.length - 1;
  }

  /** The groups in preorder, children in the order expand sorted them. */
  private preorder(): RetentionTree {
    const n = this.groups.length;
    const tree: RetentionTree = {
      parent: new Int32Array(n),
      name: new Array(n),
      kind: new Array(n),
      rootKind: new Array(n),
      site: new Array(n),
      siteLine: new Array(n),
      bytes: new Float64Array(n),
      objects: new Float64Array(n),
      members: new Float64Array(n),
      representative: new Int32Array(n),
      truncated: this.truncated,
    };
    const order = new Int32Array(n);
    const stack = [0];
    let next = 0;
    while (stack.length > 0) {
      const id = stack.pop()!;
      const g = this.groups[id]!;
      const at = next++;
      order[id] = at;
      tree.parent[at] = g.parent < 0 ? -1 : order[g.parent]!;
      tree.name[at] = g.name;
      tree.kind[at] = g.kind;
      tree.rootKind[at] = g.rootKind;
      tree.site[at] = g.site;
      tree.siteLine[at] = g.siteLine;
      tree.bytes[at] = g.bytes;
      tree.objects[at] = g.objects;
      tree.members[at] = g.memberCount;
      tree.representative[at] = g.representative;
      for (let i = g.children.length - 1; i >= 0; i--) stack.push(g.children[i]!);
    }
    return tree;
  }
}

/** Group ids by priority (bytes), largest first. */
class MaxHeap {
  private readonly ids: number[] = [];
  private readonly keys: number[] = [];

  get size(): number {
    return this.ids.length;
  }

  push(id: number, key: number): void {
    let i = this.ids.length;
    this.ids.push(id);
    this.keys.push(key);
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (this.keys[up]! >= key) break;
      this.ids[i] = this.ids[up]!;
      this.keys[i] = this.keys[up]!;
      i = up;
    }
    this.ids[i] = id;
    this.keys[i] = key;
  }

  pop(): number {
    const top = this.ids[0]!;
    const lastId = this.ids.pop()!;
    const lastKey = this.keys.pop()!;
    const n = this.ids.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && this.keys[child + 1]! > this.keys[child]!) child++;
        if (this.keys[child]! <= lastKey) break;
        this.ids[i] = this.ids[child]!;
        this.keys[i] = this.keys[child]!;
        i = child;
      }
      this.ids[i] = lastId;
      this.keys[i] = lastKey;
    }
    return top;
  }
}

export interface GroupPath {
  /** The root chain, outermost first. */
  roots: RootDescription[];
  steps: RetentionPathStep[];
}

/**
 * The shortest retaining path that stands for a tree node: to its representative object, or, for a
 * root, to the object it keeps that retains most (through a goroutine's frames to the frame's object).
 */
export function groupPath(context: RetentionContext, node: number): GroupPath {
  const { graph, retention, paths } = context;
  let target = node;
  for (let guard = 0; target > 0 && target < graph.firstObjectNode && guard < 1000; guard++) {
    let best = -1;
    for (let k = graph.edgeStart[target]!; k < graph.edgeStart[target + 1]!; k++) {
      const w = graph.edgeTarget[k]!;
      if (retention.dominators.idom[w] !== target) continue;
      if (best < 0 || retention.retainedBytes[w]! > retention.retainedBytes[best]!) best = w;
    }
    if (best < 0) break;
    target = best;
  }
  const roots: RootDescription[] = [];
  let up = target;
  while (up >= graph.firstObjectNode && paths.parent[up]! >= 0) up = paths.parent[up]!;
  for (let r = up; r > 0 && r < graph.firstObjectNode; r = graph.roots[r - 1]!.parentNode)
    roots.push(graph.roots[r - 1]!);
  roots.reverse();
  return { roots, steps: target >= graph.firstObjectNode ? pathTo(context, target) : [] };
}
