/**
 * JSON report of a benchmark gate. Infinite interval bounds (too few samples) and infinite
 * percentages (a zero base) are null, since JSON has no infinity; `deltaPercentInfinite` says which.
 */

import type { BenchSideSummary } from "../analysis/bench-compare.js";
import type { GateReport } from "../analysis/bench-gate.js";
import type { BenchLabels } from "./bench-text.js";

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function sideJson(s: BenchSideSummary) {
  return {
    median: s.center,
    n: s.n,
    ciLow: finiteOrNull(s.lo),
    ciHigh: finiteOrNull(s.hi),
    ciConfidence: s.confidence,
    values: s.values,
    warnings: s.warnings,
  };
}

export function benchReportJson(report: GateReport, labels: BenchLabels) {
  return {
    status: report.status,
    baseLabel: labels.base,
    newLabel: labels.new,
    alpha: report.alpha,
    confidence: report.confidence,
    counts: report.counts,
    rows: report.rows.map((row) => ({
      name: row.name,
      package: row.package,
      unit: row.unit,
      config: row.config,
      better: row.better === 1 ? "higher" : row.better === -1 ? "lower" : "unknown",
      method: row.method,
      base: sideJson(row.base),
      new: sideJson(row.new),
      deltaPercent: finiteOrNull(row.deltaPercent),
      deltaPercentInfinite: Number.isFinite(row.deltaPercent) ? undefined : row.deltaPercent > 0 ? "+" : "-",
      deltaAbsolute: row.deltaAbsolute,
      p: row.p,
      alpha: row.alpha,
      significant: row.significant,
      change: row.change,
      status: row.status,
      reason: row.reason,
      thresholds: row.thresholds,
      warnings: row.warnings,
    })),
    geomeans: report.geomeans.map((g) => ({
      package: g.package,
      config: g.config,
      unit: g.unit,
      rows: g.rows,
      base: g.base ?? null,
      new: g.new ?? null,
      deltaPercent: g.ratio !== undefined ? (g.ratio - 1) * 100 : null,
      warnings: g.warnings,
    })),
    missing: report.unmatched.map((u) => ({
      side: u.side,
      package: u.package,
      name: u.name,
      config: u.config,
      hint: u.hint,
    })),
    notes: report.notes,
    thresholds: report.policy.thresholds,
    overrides: report.policy.overrides,
    onMissing: report.policy.onMissing,
  };
}
