/**
 * `heapscope tree` and `heapscope peek REGEX`: pprof's `-tree` and `-peek` reports
 * (report.printTree): each node with its callers above and callees below.
 */
import { UsageError } from "../../errors.js";
import { padLeft } from "../../profile/go-format.js";
import { sortEdges } from "../../profile/graph.js";
import { percentage } from "../../profile/measurement.js";
import type { PreparedReport } from "../../profile/prepare.js";
import { formatValue, newView, reportGraph, reportLabels, selectOutputUnit } from "./common.js";

const separator = "----------------------------------------------------------+-------------";
const legend = "      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t ";

/** The pprof-identical text; for `peek`, only nodes whose name matches the report's symbol. */
export function renderTree(report: PreparedReport): string {
  const view = newView(report);
  const graph = reportGraph(report);
  selectOutputUnit(view, graph);
  const out: string[] = [reportLabels(view, graph).join("\n"), separator, legend];
  const rx = report.kind === "peek" ? report.symbol : undefined;
  let flatSum = 0;
  let matched = 0;
  const { edges } = graph;
  for (const n of graph.nodes) {
    const name = graph.name(n);
    if (rx && !rx.test(name)) continue;
    matched++;
    const flat = graph.flatValue(n);
    const cum = graph.cumValue(n);
    out.push(separator);
    for (const e of sortEdges(graph.inEdges(n), graph)) {
      const weight = edges.weight[e]!;
      out.push(
        `${padLeft(formatValue(view, weight), 50)} ${percentage(weight, cum)} |   ${graph.name(edges.src[e]!)}${edges.inline[e] ? " (inline)" : ""}`,
      );
    }
    flatSum += flat;
    out.push(
      `${padLeft(formatValue(view, flat), 10)} ${percentage(flat, report.total)} ${percentage(flatSum, report.total)} ${padLeft(formatValue(view, cum), 10)} ${percentage(cum, report.total)}                | ${name}`,
    );
    for (const e of sortEdges(graph.outEdges(n), graph)) {
      const weight = edges.weight[e]!;
      out.push(
        `${padLeft(formatValue(view, weight), 50)} ${percentage(weight, cum)} |   ${graph.name(edges.dst[e]!)}${edges.inline[e] ? " (inline)" : ""}`,
      );
    }
  }
  if (graph.nodes.length > 0) out.push(separator);
  if (rx && matched === 0)
    throw new UsageError(`no matches found for regexp: ${report.symbolSource ?? report.symbol?.source}`);
  return `${out.join("\n")}\n`;
}
