/**
 * Keyboard moves over the flame tree (preorder arrays, see data.ts): to the caller (the parent),
 * to the heaviest callee, to the previous or next sibling. Pure functions of the tree; the view
 * turns keys into them (FlameView.tsx).
 */
import { type FlameData, pathTo } from "./data.js";

export type FlameMove = "caller" | "callee" | "previous" | "next";

export function parentOf(data: FlameData, node: number): number {
  const path = pathTo(data, node);
  return path.length >= 2 ? path[path.length - 2]! : -1;
}

function childrenOf(data: FlameData, node: number): number[] {
  const out: number[] = [];
  const end = data.subtreeEnd[node]!;
  for (let child = node + 1; child < end; child = data.subtreeEnd[child]!) out.push(child);
  return out;
}

/** The node a move leads to from `node`, or `node` itself when there is nowhere to go. */
export function moveFrom(data: FlameData, node: number, move: FlameMove): number {
  if (move === "callee") {
    let best = -1;
    for (const child of childrenOf(data, node)) {
      if (best < 0 || data.weight[child]! > data.weight[best]!) best = child;
    }
    return best < 0 ? node : best;
  }
  const parent = parentOf(data, node);
  if (parent < 0) return node;
  if (move === "caller") return parent;
  const siblings = childrenOf(data, parent);
  const at = siblings.indexOf(node);
  const next = move === "next" ? siblings[at + 1] : siblings[at - 1];
  return next ?? node;
}

/** Whether `ancestor` is `node` or one of its ancestors. */
export function contains(data: FlameData, ancestor: number, node: number): boolean {
  return ancestor <= node && node < data.subtreeEnd[ancestor]!;
}

export const keyMoves: Record<string, FlameMove> = {
  ArrowUp: "caller",
  ArrowDown: "callee",
  ArrowLeft: "previous",
  ArrowRight: "next",
};
