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
  const { pre, vertex, parent, count } = depthFirst(graph, entry);
  const predecessors = reverseEdges(graph);
  const idomPre = semidominators(pre, vertex, parent, count, predecessors);
  const idom = new Int32Array(graph.nodeCount).fill(-1);
  for (let k = 2; k <= count; k++) idom[vertex[k]!] = vertex[idomPre[k]!]!;
  return { idom, preorder: vertex.slice(1, count + 1) };
}

/** Preorder numbers from 1 (0 = unreachable), the node of each number, and each number's DFS parent. */
function depthFirst(graph: FlowGraph, entry: number) {
  const { nodeCount, edgeStart, edgeTarget } = graph;
  const pre = new Uint32Array(nodeCount);
  const vertex = new Uint32Array(nodeCount + 1);
  const parent = new Uint32Array(nodeCount + 1);
  const stackNode = new Uint32Array(nodeCount);
  const stackEdge = new Uint32Array(nodeCount);
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
    while (k < end && pre[edgeTarget[k]!] !== 0) k++;
    if (k === end) {
      depth--;
      continue;
    }
    stackEdge[depth - 1] = k + 1;
    const w = edgeTarget[k]!;
    pre[w] = ++count;
    vertex[count] = w;
    parent[count] = pre[v]!;
    stackNode[depth] = w;
    stackEdge[depth] = edgeStart[w]!;
    depth++;
  }
  return { pre, vertex, parent, count };
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
 * Lengauer–Tarjan over preorder numbers 1..count (0 means none): semidominators from the highest
 * number down, each bucket settled as its parent is linked, then deferred idoms resolved upward.
 * Returns the immediate dominator's preorder number for each preorder number.
 */
function semidominators(
  pre: Uint32Array,
  vertex: Uint32Array,
  parent: Uint32Array,
  count: number,
  predecessors: { start: Uint32Array; source: Uint32Array },
): Uint32Array {
  const semi = new Uint32Array(count + 1);
  const best = new Uint32Array(count + 1);
  const ancestor = new Uint32Array(count + 1);
  const idom = new Uint32Array(count + 1);
  const sameDom = new Uint32Array(count + 1);
  const bucketHead = new Uint32Array(count + 1);
  const bucketNext = new Uint32Array(count + 1);
  const path = new Uint32Array(count + 1);
  for (let k = 1; k <= count; k++) {
    semi[k] = k;
    best[k] = k;
  }

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
    const w = vertex[k]!;
    const p = parent[k]!;
    let s = p;
    for (let e = start[w]!; e < start[w + 1]!; e++) {
      const v = pre[source[e]!]!;
      if (v === 0) continue;
      const candidate = v <= k ? v : semi[lowest(v)]!;
      if (candidate < s) s = candidate;
    }
    semi[k] = s;
    bucketNext[k] = bucketHead[s]!;
    bucketHead[s] = k;
    ancestor[k] = p;
    for (let v = bucketHead[p]!; v !== 0; v = bucketNext[v]!) {
      const y = lowest(v);
      if (semi[y] === semi[v]) idom[v] = p;
      else sameDom[v] = y;
    }
    bucketHead[p] = 0;
  }
  for (let k = 2; k <= count; k++) if (sameDom[k] !== 0) idom[k] = idom[sameDom[k]!]!;
  return idom;
}
