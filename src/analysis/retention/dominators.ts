/**
 * computeDominators(graph, entry): the dominator tree of a CSR graph (Lengauer–Tarjan with path
 * compression, O(E log V)), iterative throughout so a million-long linked list cannot overflow
 * the call stack, on typed arrays only.
 *
 * Node d dominates v when every path from the entry to v passes through d; idom[v] is the closest
 * such d. In an object graph whose entry is a super-root over all roots, the subtree of d is what
 * would be freed if d were: its retained size.
 */

export interface FlowGraph {
  nodeCount: number;
  edgeStart: Uint32Array;
  edgeTarget: Uint32Array;
}

export interface DominatorTree {
  /** Immediate dominator of each node; -1 for the entry and for unreachable nodes. */
  idom: Int32Array;
  /** Reachable nodes in depth-first preorder, entry first: every node comes after its dominator. */
  preorder: Uint32Array;
}

export function computeDominators(graph: FlowGraph, entry = 0): DominatorTree {
  const walk = depthFirst(graph, entry);
  const { vertex, count } = walk;
  const predecessors = predecessorsInPreorder(graph, walk);
  // Heaps have millions of nodes: the DFS's arrays are reused below, the preorder map as the forest's
  // ancestor links (and then as the result), the stacks as the compression path and bucket lists.
  const idomPre = semidominators(walk.parent, count, predecessors, {
    ancestor: walk.pre.fill(0),
    path: walk.stackNode,
    bucketNext: walk.stackEdge.fill(0),
  });
  const idom = new Int32Array(walk.pre.buffer, 0, graph.nodeCount).fill(-1);
  for (let k = 2; k <= count; k++) idom[vertex[k]!] = vertex[idomPre[k]!]!;
  return { idom, preorder: vertex.subarray(1, count + 1) };
}

interface DepthFirstWalk {
  /** Preorder number of each node, from 1 (0 = unreachable). */
  pre: Uint32Array;
  /** The node of each preorder number. */
  vertex: Uint32Array;
  /** DFS parent of each preorder number. */
  parent: Uint32Array;
  /** Edges from reachable nodes into each preorder number (every edge is scanned once here). */
  inDegree: Uint32Array;
  /** The preorder number of each edge's target, for edges from reachable nodes. */
  edgePre: Uint32Array;
  count: number;
  stackNode: Uint32Array;
  stackEdge: Uint32Array;
}

function depthFirst(graph: FlowGraph, entry: number): DepthFirstWalk {
  const { nodeCount, edgeStart, edgeTarget } = graph;
  // One longer than the nodes: reused as an array indexed by preorder numbers 1..count.
  const pre = new Uint32Array(nodeCount + 1);
  const vertex = new Uint32Array(nodeCount + 1);
  const parent = new Uint32Array(nodeCount + 1);
  const inDegree = new Uint32Array(nodeCount + 2);
  const stackNode = new Uint32Array(nodeCount + 1);
  const stackEdge = new Uint32Array(nodeCount + 1);
  const edgePre = new Uint32Array(edgeStart[nodeCount]!);
  let count = 1;
  pre[entry] = 1;
  vertex[1] = entry;
  stackNode[0] = entry;
  stackEdge[0] = edgeStart[entry]!;
  let depth = 1;
  while (depth > 0) {
    const v = stackNode[depth - 1]!;
    const end = edgeStart[v + 1]!;
    let k = stackEdge[depth - 1]!;
    for (; k < end; k++) {
      const seen = pre[edgeTarget[k]!]!;
      if (seen === 0) break;
      inDegree[seen]!++;
      edgePre[k] = seen;
    }
    if (k === end) {
      depth--;
      continue;
    }
    stackEdge[depth - 1] = k + 1;
    const w = edgeTarget[k]!;
    pre[w] = ++count;
    inDegree[count]!++;
    edgePre[k] = count;
    vertex[count] = w;
    parent[count] = pre[v]!;
    stackNode[depth] = w;
    stackEdge[depth] = edgeStart[w]!;
    depth++;
  }
  return { pre, vertex, parent, inDegree, edgePre, count, stackNode, stackEdge };
}

/** Incoming edges of each node, CSR. */
export function reverseEdges(graph: FlowGraph): { start: Uint32Array; source: Uint32Array } {
  const { nodeCount, edgeStart, edgeTarget } = graph;
  const start = new Uint32Array(nodeCount + 1);
  const edges = edgeStart[nodeCount]!;
  for (let k = 0; k < edges; k++) start[edgeTarget[k]! + 1]!++;
  for (let v = 0; v < nodeCount; v++) start[v + 1]! += start[v]!;
  const fill = start.slice(0, nodeCount);
  const source = new Uint32Array(edges);
  for (let v = 0; v < nodeCount; v++) {
    for (let k = edgeStart[v]!; k < edgeStart[v + 1]!; k++) source[fill[edgeTarget[k]!]!++] = v;
  }
  return { start, source };
}

/**
 * Incoming edges among reachable nodes, numbered by preorder at both ends, so the semidominator loop
 * walks them without translating node ids. Built in the DFS's in-degree array: its running sums are
 * the ends of each run, filled backwards until they are the starts.
 */
function predecessorsInPreorder(
  graph: FlowGraph,
  walk: DepthFirstWalk,
): { start: Uint32Array; source: Uint32Array } {
  const { edgeStart, nodeCount } = graph;
  const { pre, edgePre, count } = walk;
  const start = walk.inDegree;
  for (let k = 2; k <= count; k++) start[k]! += start[k - 1]!;
  const total = start[count]!;
  start[count + 1] = total;
  const source = new Uint32Array(total);
  // Nodes in id order, edges in order: only the writes into `source` jump around.
  for (let v = 0; v < nodeCount; v++) {
    const from = pre[v]!;
    if (from === 0) continue;
    for (let e = edgeStart[v]!; e < edgeStart[v + 1]!; e++) source[--start[edgePre[e]!]!] = from;
  }
  return { start, source };
}

const SAME_DOMINATOR = 0x80000000;

/**
 * Lengauer–Tarjan over preorder numbers 1..count (0 means none): semidominators from the highest
 * number down, each bucket settled as its parent is linked, then deferred idoms resolved upward
 * (marked with the top bit until then). Returns the immediate dominator's preorder number for each.
 */
function semidominators(
  parent: Uint32Array,
  count: number,
  predecessors: { start: Uint32Array; source: Uint32Array },
  scratch: { ancestor: Uint32Array; path: Uint32Array; bucketNext: Uint32Array },
): Uint32Array {
  const { ancestor, path, bucketNext } = scratch;
  // semi[k] holds k's DFS parent until k is processed (nothing reads it before), then its semidominator.
  const semi = parent;
  const best = new Uint32Array(count + 1);
  // bucketHead[x] is last used when x's smallest child is processed, before any idom[x] is known, so
  // one array holds both.
  const bucketHead = new Uint32Array(count + 1);
  const idom = bucketHead;
  for (let k = 1; k <= count; k++) best[k] = k;

  // The ancestor of v in the linked forest with the lowest semidominator, compressing the path.
  const lowest = (v: number): number => {
    if (ancestor[ancestor[v]!] === 0) return best[v]!;
    let top = 0;
    let x = v;
    while (ancestor[ancestor[x]!] !== 0) {
      path[top++] = x;
      x = ancestor[x]!;
    }
    while (top > 0) {
      const y = path[--top]!;
      const a = ancestor[y]!;
      if (semi[best[a]!]! < semi[best[y]!]!) best[y] = best[a]!;
      ancestor[y] = ancestor[a]!;
    }
    return best[v]!;
  };

  const { start, source } = predecessors;
  for (let k = count; k >= 2; k--) {
    const p = semi[k]!;
    let s = p;
    for (let e = start[k]!; e < start[k + 1]!; e++) {
      const v = source[e]!;
      const candidate = v <= k ? v : semi[lowest(v)]!;
      if (candidate < s) s = candidate;
    }
    semi[k] = s;
    bucketNext[k] = bucketHead[s]!;
    bucketHead[s] = k;
    ancestor[k] = p;
    let v = bucketHead[p]!;
    bucketHead[p] = 0;
    while (v !== 0) {
      const next = bucketNext[v]!;
      const y = lowest(v);
      idom[v] = semi[y] === semi[v] ? p : y + SAME_DOMINATOR;
      v = next;
    }
  }
  for (let k = 2; k <= count; k++) {
    const d = idom[k]!;
    if (d >= SAME_DOMINATOR) idom[k] = idom[d - SAME_DOMINATOR]!;
  }
  return idom;
}
