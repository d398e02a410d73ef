/** `heapscope fleet --json`: the report as data (times as ISO strings and epoch seconds). */
import type { FleetReport } from "../diagnose/fleet/types.js";
import { isoTime } from "./fleet-format.js";

export function fleetJson(report: FleetReport): Record<string, unknown> {
  const q = report.query;
  return {
    query: {
      ...q,
      start: isoTime(q.startSeconds),
      end: isoTime(q.endSeconds),
    },
    summary: report.attributionSentences,
    instances: report.instances.map((i) => ({
      rank: i.rank,
      labels: i.labels,
      verdict: i.verdict,
      basis: i.basis,
      basisLabel: i.basisLabel,
      reason: i.reason,
      growthBytesPerHour: i.growthBytesPerHour,
      relativeGrowthPerHour: i.relativeGrowthPerHour,
      limit: i.limit,
      timeToLimitSeconds: i.timeToLimitSeconds,
      urgencySeconds: i.urgencySeconds,
      changePoint: i.changePoint !== null ? isoTime(i.changePoint) : null,
      changePointSeconds: i.changePoint,
      version: i.version,
      attribution: i.attribution
        ? { ...i.attribution, changedAt: isoTime(i.attribution.changedAtSeconds) }
        : null,
      earlierRunGrew: i.earlierRunGrew,
      goroutines: i.goroutines,
      runs: i.runs.map((r) => ({
        start: isoTime(r.startSeconds),
        end: isoTime(r.endSeconds),
        startedBy: r.startedBy,
        samples: r.samples,
        verdict: r.verdict,
        basis: r.basis,
        growthBytesPerHour: r.growthBytesPerHour,
        judgedFrom: isoTime(r.judgedFromSeconds),
        levelBytes: r.levelBytes,
        version: r.version,
        reason: r.reason,
      })),
      metrics: i.metrics,
    })),
    unjudged: report.unjudged,
    versions: report.versions,
    drillDown: report.drillDown,
    found: report.signals.filter((s) => s.instancesWith > 0),
    missing: report.signals.filter((s) => s.instancesWithout > 0),
    notes: report.notes,
  };
}
