/**
 * The dominator tree against a naive definition on random graphs: d dominates v when v becomes
 * unreachable from the entry once d is removed; the immediate dominator is the strict dominator that
 * all the others dominate. Also the shapes heaps have that stress an implementation: a long linked
 * list (no recursion may blow the stack), diamonds, cycles back to the entry, unreachable parts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeDominators, type FlowGraph } from "../../../src/analysis/retention/dominators.js";

function csr(nodeCount: number, edges: [number, number][]): FlowGraph {
  const edgeStart = new Uint32Array(nodeCount + 1);
  for (const [from] of edges) edgeStart[from + 1]!++;
  for (let v = 0; v < nodeCount; v++) edgeStart[v + 1]! += edgeStart[v]!;
  const fill = edgeStart.slice(0, nodeCount);
  const edgeTarget = new Uint32Array(edges.length);
  for (const [from, to] of edges) edgeTarget[fill[from]!++] = to;
  return { nodeCount, edgeStart, edgeTarget };
}

function reachableWithout(graph: FlowGraph, removed: number): boolean[] {
  const seen = new Array<boolean>(graph.nodeCount).fill(false);
  if (removed === 0) return seen;
  const stack = [0];
  seen[0] = true;
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (let k = graph.edgeStart[v]!; k < graph.edgeStart[v + 1]!; k++) {
      const w = graph.edgeTarget[k]!;
      if (w !== removed && !seen[w]) {
        seen[w] = true;
        stack.push(w);
      }
    }
  }
  return seen;
}

/** idom by the definition, -1 for the entry and unreachable nodes. */
function naiveIdom(graph: FlowGraph): number[] {
  const n = graph.nodeCount;
  const reachable = reachableWithout(graph, -1);
  // dominators[v] = nodes whose removal cuts v off (plus v itself)
  const dominators: Set<number>[] = [];
  for (let v = 0; v < n; v++) dominators.push(new Set(reachable[v] ? [v] : []));
  for (let d = 0; d < n; d++) {
    const seen = reachableWithout(graph, d);
    for (let v = 0; v < n; v++) if (reachable[v] && v !== d && !seen[v]) dominators[v]!.add(d);
  }
  return dominators.map((doms, v) => {
    if (!reachable[v] || v === 0) return -1;
    const strict = [...doms].filter((d) => d !== v);
    // The immediate dominator is dominated by every other strict dominator.
    const idom = strict.find((d) => strict.every((other) => dominators[d]!.has(other)));
    return idom ?? -1;
  });
}

const randomGraph = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc
    .array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), {
      maxLength: n * 3,
    })
    .map((edges) => ({ n, edges })),
);

describe("computeDominators", () => {
  it("equals the naive definition on random graphs", () => {
    fc.assert(
      fc.property(randomGraph, ({ n, edges }) => {
        const graph = csr(n, edges);
        const tree = computeDominators(graph);
        expect(Array.from(tree.idom)).toEqual(naiveIdom(graph));
        // preorder holds exactly the reachable nodes, each after its dominator
        const position = new Map(Array.from(tree.preorder, (v, i) => [v, i]));
        const reachable = reachableWithout(graph, -1);
        expect(tree.preorder.length).toBe(reachable.filter(Boolean).length);
        for (const v of tree.preorder) {
          if (v !== 0) expect(position.get(tree.idom[v]!)!).toBeLessThan(position.get(v)!);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("equals the naive definition on dense small graphs and on graphs with many back edges", () => {
    const dense = fc.integer({ min: 2, max: 12 }).chain((n) =>
      fc
        .array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), {
          minLength: n,
          maxLength: n * n,
        })
        .map((edges) => ({ n, edges })),
    );
    fc.assert(
      fc.property(dense, ({ n, edges }) => {
        const graph = csr(n, edges);
        expect(Array.from(computeDominators(graph).idom)).toEqual(naiveIdom(graph));
      }),
      { numRuns: 400 },
    );
  });

  it("handles a 1M-node linked list without recursion", () => {
    const n = 1_000_000;
    const edges: [number, number][] = [];
    for (let v = 0; v + 1 < n; v++) edges.push([v, v + 1]);
    const tree = computeDominators(csr(n, edges));
    expect(tree.preorder.length).toBe(n);
    expect(tree.idom[n - 1]).toBe(n - 2);
    expect(tree.idom[1]).toBe(0);
  });

  it("a diamond: the join is dominated by the fork, not by either branch", () => {
    const tree = computeDominators(
      csr(5, [
        [0, 1],
        [1, 2],
        [1, 3],
        [2, 4],
        [3, 4],
        [4, 1],
      ]),
    );
    expect(Array.from(tree.idom)).toEqual([-1, 0, 1, 1, 1]);
  });
});
