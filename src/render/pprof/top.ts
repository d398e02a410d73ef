/**
 * `heapscope top`: pprof's `-top`/`-text` report, byte for byte (report.printText), plus the same
 * data as JSON and Markdown.
 */
import { padLeft } from "../../profile/go-format.js";
import { percentage } from "../../profile/measurement.js";
import type { PreparedReport } from "../../profile/prepare.js";
import { formatValue, newView, reportGraph, reportLabels, selectOutputUnit } from "./common.js";

export interface TopRow {
  /** Raw values in the sample unit (divided under `--mean`). */
  flat: number;
  cum: number;
  /** Percentages of the report total; `sum` is the running sum of flat (pprof's sum%). */
  flatPercent: number;
  sum: number;
  cumPercent: number;
  name: string;
  /** "inline" when every call into this frame was inlined, "partial-inline" when some were. */
  inline: "" | "inline" | "partial-inline";
  /** The values as pprof prints them, in the report's unit. */
  flatText: string;
  cumText: string;
}

export interface TopReport {
  /** The header lines pprof prints above the table. */
  labels: string[];
  sampleType: string;
  unit: string;
  total: number;
  totalText: string;
  shownTotal: number;
  droppedNodes: number;
  nodeCount: number;
  nodesBeforeLimit: number;
  activeFilters: string[];
  rows: TopRow[];
  /** The pprof-identical text table (flat%/sum%/cum% formatted). */
  text: string;
}

const ratio = (value: number, total: number) => (total === 0 ? 0 : (Math.abs(value) / Math.abs(total)) * 100);

export function buildTopReport(report: PreparedReport): TopReport {
  const view = newView(report);
  const graph = reportGraph(report, { inlineMarkersOnly: true });
  selectOutputUnit(view, graph);
  const labels = reportLabels(view, graph);
  const rows: TopRow[] = [];
  const lines: string[] = [labels.join("\n")];
  lines.push(
    `${padLeft("flat", 10)} ${padLeft("flat", 5)}% ${padLeft("sum", 5)}% ${padLeft("cum", 10)} ${padLeft("cum", 5)}%`,
  );
  let flatSum = 0;
  const { edges } = graph;
  for (const n of graph.nodes) {
    const name = graph.name(n);
    const flat = graph.flatValue(n);
    const cum = graph.cumValue(n);
    let inlined = false;
    let notInlined = false;
    for (const e of graph.inEdges(n)) {
      if (edges.inline[e]) inlined = true;
      else notInlined = true;
    }
    const inline: TopRow["inline"] = inlined ? (notInlined ? "partial-inline" : "inline") : "";
    flatSum += flat;
    const flatText = formatValue(view, flat);
    const cumText = formatValue(view, cum);
    lines.push(
      `${padLeft(flatText, 10)} ${percentage(flat, report.total)} ${percentage(flatSum, report.total)} ${padLeft(cumText, 10)} ${percentage(cum, report.total)}  ${name}${inline ? ` (${inline})` : ""}`,
    );
    rows.push({
      flat,
      cum,
      flatPercent: ratio(flat, report.total),
      sum: ratio(flatSum, report.total),
      cumPercent: ratio(cum, report.total),
      name,
      inline,
      flatText,
      cumText,
    });
  }
  return {
    labels,
    sampleType: report.sampleType,
    unit: view.outputUnit,
    total: report.total,
    totalText: formatValue(view, report.total),
    shownTotal: flatSum,
    droppedNodes: graph.droppedNodes,
    nodeCount: graph.nodes.length,
    nodesBeforeLimit: graph.origCount,
    activeFilters: report.activeFilters,
    rows,
    text: `${lines.join("\n")}\n`,
  };
}

/** The pprof-identical `-top` text. */
export function renderTop(report: PreparedReport): string {
  return buildTopReport(report).text;
}

/** The top table as Markdown; names are escaped so untrusted frame names cannot break the table. */
export function renderTopMarkdown(top: TopReport): string {
  const escapeMd = (text: string) => text.replace(/[\\`*_{}[\]<>()#+!|~-]/g, "\\$&").replace(/\r?\n/g, " ");
  const out: string[] = [];
  for (const label of top.labels) out.push(`${escapeMd(label)}  `);
  out.push("");
  out.push("| flat | flat% | sum% | cum | cum% | name |");
  out.push("| ---: | ---: | ---: | ---: | ---: | :--- |");
  for (const row of top.rows) {
    const name = row.inline ? `${row.name} (${row.inline})` : row.name;
    out.push(
      `| ${escapeMd(row.flatText)} | ${row.flatPercent.toFixed(2)}% | ${row.sum.toFixed(2)}% | ${escapeMd(row.cumText)} | ${row.cumPercent.toFixed(2)}% | ${escapeMd(name)} |`,
    );
  }
  return `${out.join("\n")}\n`;
}

/** The JSON shape of `heapscope top --json`. */
export function topJson(top: TopReport): object {
  return {
    type: top.sampleType,
    unit: top.unit,
    total: top.total,
    totalText: top.totalText,
    shownTotal: top.shownTotal,
    droppedNodes: top.droppedNodes,
    nodeCount: top.nodeCount,
    nodesBeforeLimit: top.nodesBeforeLimit,
    activeFilters: top.activeFilters,
    header: top.labels,
    rows: top.rows.map((r) => ({
      flat: r.flat,
      flatPercent: r.flatPercent,
      sum: r.sum,
      cum: r.cum,
      cumPercent: r.cumPercent,
      name: r.name,
      inline: r.inline || undefined,
      flatText: r.flatText,
      cumText: r.cumText,
    })),
  };
}
