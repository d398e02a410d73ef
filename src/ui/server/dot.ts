/**
 * DOT for the browser's call graph, from the report engine's trimmed graph (as pprof's -dot: node
 * labels "name / flat (p%) / of cum (p%)", here in the units module's figures; font size by flat,
 * edge width by weight, residual edges dashed). Colours use the UI's blue ↔ orange scale (orange: a
 * large positive cum). Every string is quoted and escaped, so a function name cannot inject DOT or
 * Graphviz escapes.
 */

import { formatPercent, formatQuantity } from "../../model/units.js";
import type { Graph } from "../../profile/graph.js";
import type { PreparedReport } from "../../profile/prepare.js";
import type { CallGraph } from "../shared/api-types.js";

/** A DOT double-quoted string; backslashes are doubled so Graphviz's \N, \G, \l... never apply. */
export function dotQuote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

/** Several lines as one DOT label (each line escaped, joined with DOT's newline escape). */
function dotLines(lines: string[]): string {
  return lines.map((line) => dotQuote(line).slice(1, -1)).join("\\n");
}

function fill(score: number): string {
  // score in [-1, 1]: cum / total. Light tints so labels stay readable.
  const t = Math.min(1, Math.abs(score));
  const neutral = [245, 245, 245];
  const end = score >= 0 ? [240, 150, 60] : [100, 160, 210];
  const mix = neutral.map((n, k) => Math.round(n + (end[k]! - n) * Math.sqrt(t)));
  return `#${mix.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

export function buildDot(graph: Graph, report: PreparedReport): CallGraph {
  const total = report.total;
  // The units module's figures, as every other view of the UI writes them (not pprof's "10.39MB").
  const value = (v: number) => formatQuantity(v, report.sampleUnit);
  const share = (v: number) => formatPercent(total === 0 ? 0 : v / total);
  const nodes = graph.nodes;
  const index = new Map<number, number>();
  nodes.forEach((n, k) => {
    index.set(n, k + 1);
  });
  let maxFlat = 0;
  for (const n of nodes) maxFlat = Math.max(maxFlat, Math.abs(graph.flatValue(n)));
  const out: string[] = [
    "digraph heapscope {",
    '  graph [rankdir=TB, nodesep=0.3, ranksep=0.4, fontname="Helvetica"];',
    '  node [shape=box, style=filled, fontname="Helvetica", color="#666666"];',
    '  edge [fontname="Helvetica", fontsize=10, color="#555555"];',
  ];
  for (const n of nodes) {
    const name = graph.name(n);
    const flat = graph.flatValue(n);
    const cum = graph.cumValue(n);
    const label = [name, `${value(flat)} (${share(flat)})`];
    if (cum !== flat) label.push(`of ${value(cum)} (${share(cum)})`);
    const fontSize = 8 + Math.round(16 * (maxFlat === 0 ? 0 : Math.sqrt(Math.abs(flat) / maxFlat)));
    out.push(
      `  N${index.get(n)} [label="${dotLines(label)}", tooltip=${dotQuote(name)}, fontsize=${fontSize}, fillcolor="${fill(total === 0 ? 0 : cum / total)}"];`,
    );
  }
  const { edges } = graph;
  let maxEdge = 0;
  const live: number[] = [];
  for (let e = 0; e < edges.count; e++) {
    if (!edges.alive[e] || !index.has(edges.src[e]!) || !index.has(edges.dst[e]!)) continue;
    live.push(e);
    maxEdge = Math.max(maxEdge, Math.abs(edges.weight[e]!));
  }
  for (const e of live) {
    const weight = edges.weight[e]!;
    const width = 1 + (maxEdge === 0 ? 0 : (4 * Math.abs(weight)) / maxEdge);
    const attrs = [
      `label=${dotQuote(` ${value(weight)}${edges.inline[e] ? " (inline)" : ""}`)}`,
      `penwidth=${width.toFixed(2)}`,
      `tooltip=${dotQuote(`${graph.name(edges.src[e]!)} → ${graph.name(edges.dst[e]!)}`)}`,
    ];
    if (edges.residual[e]) attrs.push("style=dashed");
    out.push(`  N${index.get(edges.src[e]!)} -> N${index.get(edges.dst[e]!)} [${attrs.join(", ")}];`);
  }
  out.push("}");
  return {
    dot: `${out.join("\n")}\n`,
    nodeCount: nodes.length,
    edgeCount: live.length,
    droppedNodes: graph.origCount - nodes.length + graph.droppedNodes,
  };
}
