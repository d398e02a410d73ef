/**
 * What every pprof-style text report shares: value formatting in the report's unit, the unit
 * choice (pprof's selectOutputUnit), and the header lines (report.ProfileLabels, reportLabels).
 */
import { formatReportTime } from "../../profile/go-format.js";
import { buildGraph, type Graph } from "../../profile/graph.js";
import { autoLabel, percentage, scaledLabel, scaleValue } from "../../profile/measurement.js";
import { basePath } from "../../profile/paths.js";
import type { PreparedReport } from "../../profile/prepare.js";

export interface ReportView {
  report: PreparedReport;
  /** The unit values print in; "minimum" until a graph report picks one. */
  outputUnit: string;
}

export function newView(report: PreparedReport): ReportView {
  return { report, outputUnit: report.outputUnit };
}

export function formatValue(view: ReportView, value: number): string {
  return scaledLabel(value, view.report.sampleUnit, view.outputUnit);
}

/** pprof's selectOutputUnit: one unit for the whole report, fit for its smallest value. */
export function selectOutputUnit(view: ReportView, graph: Graph): void {
  if (view.outputUnit !== "minimum" || graph.nodes.length === 0) return;
  let minValue = 0;
  for (const n of graph.nodes) {
    let nodeMin = Math.abs(graph.flatValue(n));
    if (nodeMin === 0) nodeMin = Math.abs(graph.cumValue(n));
    if (nodeMin > 0 && (minValue === 0 || nodeMin < minValue)) minValue = nodeMin;
  }
  const maxValue = view.report.total;
  if (minValue === 0) minValue = maxValue;
  const unitOf = (v: number) => scaleValue(v, view.report.sampleUnit, "minimum")[1];
  const minUnit = unitOf(minValue);
  const maxUnit = unitOf(maxValue);
  let unit = minUnit;
  if (minUnit !== maxUnit && minValue * 100 < maxValue) unit = unitOf(100 * minValue);
  view.outputUnit = unit !== "" ? unit : view.report.sampleUnit;
}

/** The trimmed graph for a graph report (pprof's newTrimmedGraph), with pprof's options. */
export function reportGraph(report: PreparedReport, options: { inlineMarkersOnly?: boolean } = {}): Graph {
  const objNames = report.kind === "list";
  if (!report.columns) throw new Error(`the ${report.kind} report has no sample columns`);
  return buildGraph(report.profile, report.columns, {
    sampleIndex: report.sampleIndex,
    meanIndex: report.meanIndex,
    dropNegative: report.dropNegative,
    cumSort: report.cumSort,
    nodeCount: report.nodeCount,
    nodeFraction: report.nodeFraction,
    edgeFraction: report.edgeFraction,
    edgesForInlineMarkersOnly: options.inlineMarkersOnly,
    table: {
      fields: report.fields,
      objNames,
      trim: { trimPath: report.trimPath, sourcePath: report.sourcePath },
    },
  });
}

/** pprof's ProfileLabels: File, Build ID, comments, Type, Doc, Time, Duration. */
export function profileLabels(view: ReportView): string[] {
  const { report } = view;
  const profile = report.profile;
  const labels: string[] = [];
  const main = profile.mappings[0];
  if (main) {
    if (main.file !== "") labels.push(`File: ${basePath(main.file)}`);
    if (main.buildId !== "") labels.push(`Build ID: ${main.buildId}`);
  }
  for (const comment of profile.comments) if (!comment.startsWith("#")) labels.push(comment);
  if (report.sampleType !== "") labels.push(`Type: ${report.sampleType}`);
  if (profile.docUrl !== "") labels.push(`Doc: ${profile.docUrl}`);
  if (profile.timeNanos !== 0n) labels.push(`Time: ${formatReportTime(profile.timeNanos)}`);
  if (profile.durationNanos !== 0n) {
    const duration = autoLabel(Number(profile.durationNanos), "nanoseconds");
    const [totalNanos, totalUnit] = scaleValue(report.total, report.sampleUnit, "nanoseconds");
    let ratio = "";
    if (totalUnit === "ns" && totalNanos !== 0) {
      ratio = `(${percentage(Math.trunc(totalNanos), Number(profile.durationNanos))})`;
    }
    labels.push(`Duration: ${duration}, Total samples = ${formatValue(view, report.total)} ${ratio}`);
  }
  return labels;
}

/** pprof's reportLabels (compact labels off, no edge line): profile labels plus the trim summary. */
export function reportLabels(view: ReportView, graph: Graph): string[] {
  const { report } = view;
  const labels = profileLabels(view);
  if (report.activeFilters.length > 0) {
    labels.push("Active filters:");
    for (const filter of report.activeFilters) {
      labels.push(`   ${Buffer.byteLength(filter) > 80 ? `${truncateBytes(filter, 80)}…` : filter}`);
    }
  }
  let shownTotal = 0;
  for (const n of graph.nodes) shownTotal += graph.flatValue(n);
  labels.push(
    `Showing nodes accounting for ${formatValue(view, shownTotal)}, ${percentage(shownTotal, report.total).trim()} of ${formatValue(view, report.total)} total`,
  );
  if (report.total !== 0) {
    if (graph.droppedNodes > 0) {
      const cutoff = Math.abs(Math.trunc(report.total * report.nodeFraction));
      const noun = graph.droppedNodes > 1 ? "nodes" : "node";
      labels.push(`Dropped ${graph.droppedNodes} ${noun} (cum <= ${formatValue(view, cutoff)})`);
    }
    const shown = graph.nodes.length;
    if (shown > 0 && shown < graph.origCount)
      labels.push(`Showing top ${shown} nodes out of ${graph.origCount}`);
  }
  return labels;
}

/** Go's s[:n] on a string: the first n UTF-8 bytes (a cut rune becomes U+FFFD when printed). */
function truncateBytes(text: string, n: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= n) return text;
  return bytes.subarray(0, n).toString("utf8");
}
