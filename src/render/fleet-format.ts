/** Shared wording of the fleet reports: instance names, rates, limits, times. */
import { formatBytes } from "../analysis/memory-basis.js";
import type { FleetInstance, FleetReport } from "../diagnose/fleet/types.js";
import { formatDuration } from "../model/units.js";

export const VERDICT_ORDER = ["growing", "undecided", "insufficient", "bounded"] as const;

/** A short name: the instance label (with its job when several jobs are present), else every label. */
export function instanceName(labels: Record<string, string>, withJob: boolean): string {
  const instance = labels["instance"];
  if (instance !== undefined) return withJob && labels["job"] ? `${labels["job"]}/${instance}` : instance;
  return labelText(labels);
}

/** `{job="checkout", instance="10.0.0.1:8080"}`. */
export function labelText(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ")}}`;
}

export function severalJobs(report: FleetReport): boolean {
  return new Set([...report.instances, ...report.unjudged].map((i) => i.labels["job"] ?? "")).size > 1;
}

/** `+12.5 MiB/h (+3.1%/h)`. */
export function growthText(instance: FleetInstance): string {
  const perHour = instance.growthBytesPerHour;
  if (perHour === null) return "—";
  const sign = perHour >= 0 ? "+" : "−";
  const relative = instance.relativeGrowthPerHour;
  const pct =
    relative !== null
      ? ` (${sign}${Math.abs(relative * 100).toFixed(Math.abs(relative) >= 0.1 ? 0 : 1)}%/h)`
      : "";
  return `${sign}${formatBytes(Math.abs(perHour))}/h${pct}`;
}

export function limitText(instance: FleetInstance): string {
  const limit = instance.limit;
  if (!limit) return "no limit known";
  const when =
    instance.timeToLimitSeconds !== null ? `${formatDuration(instance.timeToLimitSeconds)} to ` : "";
  return `${when}${limit.source} ${formatBytes(limit.bytes)} (${limit.comparedWith} ${formatBytes(limit.currentBytes)})`;
}

export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/** The change point and what it lines up with. */
export function changeText(instance: FleetInstance): string {
  if (instance.changePoint === null) return instance.verdict === "growing" ? "before the range" : "—";
  const at = isoTime(instance.changePoint);
  const a = instance.attribution;
  if (!a) return `${at} (no version change before it)`;
  return `${at} (with ${a.to}${a.from ? `, after ${a.from}` : ", a new instance"})`;
}

export function rangeText(report: FleetReport): string {
  const q = report.query;
  const scrape =
    q.scrapeIntervalSeconds !== null
      ? `scrape interval ${formatDuration(q.scrapeIntervalSeconds)} from ${q.scrapeIntervalSource}`
      : `scrape interval ${q.scrapeIntervalSource}`;
  return `${isoTime(q.startSeconds)} → ${isoTime(q.endSeconds)} (${formatDuration(q.endSeconds - q.startSeconds)}), step ${formatDuration(q.stepSeconds)} = ${q.stepSource}; ${scrape}`;
}

export function verdictCounts(report: FleetReport): string {
  const counts = VERDICT_ORDER.map(
    (v) => [v, report.instances.filter((i) => i.verdict === v).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${v}`);
  if (report.unjudged.length > 0) counts.push(`${report.unjudged.length} not judged`);
  return counts.join(", ");
}

export { formatBytes, formatDuration };
