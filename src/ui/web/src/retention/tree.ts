/**
 * The retention tree as the icicle reads it: the wire's columns plus each node's depth, left edge
 * (in bytes, from its parent's edge and its earlier siblings) and children, and the look-ups the
 * view needs (holder root by name, allocation-site nodes by function, keyboard moves).
 */
import type { RetentionTreeWire } from "../../../shared/retention-wire.js";

export interface IcicleTree {
  wire: RetentionTreeWire;
  count: number;
  depth: Int32Array;
  /** Left edge in bytes. */
  left: Float64Array;
  bytes: Float64Array;
  parent: Int32Array;
  children: number[][];
  maxDepth: number;
}

export function icicleTree(wire: RetentionTreeWire): IcicleTree {
  const count = wire.nodes.parent.length;
  const depth = new Int32Array(count);
  const left = new Float64Array(count);
  const bytes = Float64Array.from(wire.nodes.bytes);
  const parent = Int32Array.from(wire.nodes.parent);
  const children: number[][] = Array.from({ length: count }, () => []);
  const nextLeft = new Float64Array(count);
  let maxDepth = 0;
  // Preorder: a parent comes before its children, and siblings come in order.
  for (let v = 1; v < count; v++) {
    const p = parent[v]!;
    depth[v] = depth[p]! + 1;
    if (children[p]!.length === 0) nextLeft[p] = left[p]!;
    left[v] = nextLeft[p]!;
    nextLeft[p]! += bytes[v]!;
    children[p]!.push(v);
    if (depth[v]! > maxDepth) maxDepth = depth[v]!;
  }
  return { wire, count, depth, left, bytes, parent, children, maxDepth };
}

/**
 * The holder (level-1 node) named `root`; else, since a suspect's
 * holder counts only the roots keeping that suspect ("main.worker (12 goroutines)" where the whole heap
 * has "main.worker (96 goroutines)"), the largest holder of the same function. -1 for none.
 */
export function findHolder(tree: IcicleTree, root: string): number {
  if (!root) return -1;
  const holders = tree.children[0] ?? [];
  const names = tree.wire.nodes.name;
  const head = functionPart(root);
  return (
    holders.find((v) => names[v] === root) ??
    holders.find((v) => head !== "" && functionPart(names[v]!) === head) ??
    -1
  );
}

/** A holder label's function: what comes before " (" or ": " (`main.worker (96 goroutines)` → main.worker). */
function functionPart(label: string): string {
  const cut = label.search(/ \(|: /);
  const head = cut >= 0 ? label.slice(0, cut) : label;
  return head.replace(/^(finalizers|closures) /, "");
}

/** Site nodes whose function is `site`, under `within` (0: anywhere), largest first. */
export function findSite(tree: IcicleTree, site: string, within = 0): number[] {
  if (!site) return [];
  const found: number[] = [];
  for (let v = 0; v < tree.count; v++) {
    if (tree.wire.nodes.site[v] !== site || !isUnder(tree, v, within)) continue;
    found.push(v);
  }
  return found.sort((a, b) => tree.bytes[b]! - tree.bytes[a]!);
}

export function isUnder(tree: IcicleTree, node: number, ancestor: number): boolean {
  for (let v = node; v >= 0; v = tree.parent[v]!) if (v === ancestor) return true;
  return false;
}

/** Nodes whose name matches the search (case-insensitive substring). */
export function searchTree(tree: IcicleTree, text: string): Uint8Array | null {
  if (!text) return null;
  const needle = text.toLowerCase();
  const match = new Uint8Array(tree.count);
  for (let v = 0; v < tree.count; v++) {
    const name = tree.wire.nodes.name[v]!.toLowerCase();
    const site = tree.wire.nodes.site[v]?.toLowerCase() ?? "";
    if (name.includes(needle) || site.includes(needle)) match[v] = 1;
  }
  return match;
}

/** The node an arrow key moves to from `node`: up to the parent, down to the largest child, sideways to a sibling. */
export function moveSelection(tree: IcicleTree, node: number, key: string): number {
  const p = tree.parent[node]!;
  switch (key) {
    case "ArrowUp":
      return p >= 0 ? p : node;
    case "ArrowDown":
      return tree.children[node]![0] ?? node;
    case "ArrowLeft":
    case "ArrowRight": {
      if (p < 0) return node;
      const siblings = tree.children[p]!;
      const at = siblings.indexOf(node) + (key === "ArrowRight" ? 1 : -1);
      return siblings[at] ?? node;
    }
    default:
      return node;
  }
}

/** What a node is, in words: runtime roots are said to be the runtime's. */
export function describeKind(tree: IcicleTree, node: number): string {
  const { kind, rootKind } = tree.wire.nodes;
  switch (kind[node]) {
    case "all":
      return "all reachable memory";
    case "holder":
    case "root":
      return rootKind[node] === "runtime" ? "runtime-internal root" : `${rootKind[node]} root`;
    case "shared":
      return "objects kept by several roots together";
    case "site":
      return "allocation site";
    case "size":
      return "unsampled objects of one size";
    default:
      return "smaller groups merged";
  }
}
