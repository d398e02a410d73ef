/** `heapscope fleet`: the ranked instances, the deploy the growth began with, and what was missing. */
import type { DrillDown, FleetInstance, FleetReport } from "../diagnose/fleet/types.js";
import {
  changeText,
  formatBytes,
  growthText,
  instanceName,
  limitText,
  rangeText,
  severalJobs,
  verdictCounts,
} from "./fleet-format.js";

export interface FleetTextOptions {
  /** Every instance's reason, not only the growing ones'. */
  verbose?: boolean;
}

export function renderFleetText(report: FleetReport, options: FleetTextOptions = {}): string {
  const lines: string[] = [];
  const total = report.instances.length + report.unjudged.length;
  lines.push(
    `heapscope fleet: ${total} instance${total === 1 ? "" : "s"} matching ${report.query.selector} at ${report.query.prometheus}`,
  );
  lines.push(`  ${rangeText(report)}`);
  lines.push(`  ${verdictCounts(report) || "nothing judged"}`);
  lines.push("");
  for (const sentence of report.attributionSentences) lines.push(sentence);
  if (report.attributionSentences.length > 0) lines.push("");
  lines.push(...instanceTable(report));
  lines.push(...details(report, options));
  lines.push(...unjudgedLines(report));
  lines.push(...drillDownLines(report.drillDown, severalJobs(report)));
  lines.push(...seriesLines(report));
  const warnings = report.query.warnings;
  if (warnings.length > 0) {
    lines.push("", "Prometheus warned (the answers may be partial):");
    for (const w of warnings) lines.push(`  ${w}`);
  }
  for (const note of report.notes) lines.push(`Note: ${note}`);
  return `${lines.join("\n")}\n`;
}

function instanceTable(report: FleetReport): string[] {
  if (report.instances.length === 0) return ["No instance could be judged."];
  const withJob = severalJobs(report);
  const rows = report.instances.map((i) => [
    String(i.rank),
    instanceName(i.labels, withJob),
    i.verdict + (i.earlierRunGrew && i.verdict !== "growing" ? " (grew before a restart)" : ""),
    basisShort(i),
    growthText(i),
    i.version ?? "—",
    String(i.runs.length),
  ]);
  const header = ["#", "instance", "verdict", "basis", "growth", "version", "runs"];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]))
      .join("  ")
      .trimEnd();
  return [format(header), ...rows.map(format)];
}

function basisShort(instance: FleetInstance): string {
  switch (instance.basis) {
    case "liveHeap":
      return "live heap";
    case "heapGoal":
      return "heap goal";
    case "heapAllocAfterGc":
    case "heapAllocLows":
      return "HeapAlloc lows";
    case "rss":
      return "RSS";
    default:
      return "—";
  }
}

/** Growing instances (all with --verbose): why, since when, how long to the limit, their runs. */
function details(report: FleetReport, options: FleetTextOptions): string[] {
  const lines: string[] = [];
  const withJob = severalJobs(report);
  for (const i of report.instances) {
    if (!options.verbose && i.verdict !== "growing" && !i.earlierRunGrew) continue;
    lines.push(
      "",
      `${i.rank}. ${instanceName(i.labels, withJob)}: ${i.verdict} (${i.basisLabel ?? "no basis"})`,
    );
    lines.push(`   ${i.reason}`);
    if (i.verdict === "growing") lines.push(`   growth began: ${changeText(i)}; ${limitText(i)}`);
    if (i.goroutines) lines.push(`   goroutines: ${i.goroutines.count} (${i.goroutines.verdict})`);
    if (i.runs.length > 1) {
      for (const [n, run] of i.runs.entries()) {
        const level = run.levelBytes !== null ? `, level ${formatBytes(run.levelBytes)}` : "";
        lines.push(
          `   run ${n + 1} (${run.startedBy}, ${run.samples} readings${run.version ? `, ${run.version}` : ""}): ${run.verdict}${level}`,
        );
      }
    }
  }
  return lines;
}

function unjudgedLines(report: FleetReport): string[] {
  if (report.unjudged.length === 0) return [];
  const withJob = severalJobs(report);
  return [
    "",
    "Not judged:",
    ...report.unjudged.map((u) => `  ${instanceName(u.labels, withJob)}: ${u.reason}`),
  ];
}

function drillDownLines(drills: DrillDown[], withJob: boolean): string[] {
  if (drills.length === 0) return [];
  const lines = ["", "Drill-down (doctor on the worst instances):"];
  for (const d of drills) {
    const name = instanceName(d.labels, withJob);
    if (d.error) {
      lines.push(`  ${name} (${d.url}): ${d.error}`);
      continue;
    }
    lines.push(`  ${name}: ${d.verdict} — ${d.summary}`);
    for (const s of d.suspects.slice(0, 3))
      lines.push(
        `    ${s.function} (${s.file}:${s.line}) ${s.kind}, ${formatBytes(s.growthBytesPerSecond * 3600)}/h, ${(s.shareOfGrowth * 100).toFixed(0)}% of growth`,
      );
  }
  return lines;
}

function seriesLines(report: FleetReport): string[] {
  const n = report.instances.length + report.unjudged.length;
  const found = report.signals
    .filter((s) => s.instancesWith > 0)
    .map((s) => `${s.signal} ${s.instancesWith}/${n}`);
  const missing = report.signals.filter((s) => s.instancesWith === 0).map((s) => s.signal);
  const lines = ["", `Series found: ${found.join(", ") || "none"}.`];
  if (missing.length > 0) lines.push(`Missing everywhere: ${missing.join(", ")}.`);
  return lines;
}
