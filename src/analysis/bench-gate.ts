/**
 * The CI gate over a benchmark comparison. A row fails when its change is statistically
 * significant AND it worsened by at least the fail percentage AND by at least the absolute floor;
 * it warns likewise with the warn percentage. A zero-allocation benchmark that starts allocating
 * fails outright (such paths are deliberate). Missing benchmarks and blind spots (too few samples)
 * are warnings, or failures when the policy says so.
 *
 * Pure: a comparison and a policy in, statuses out. The policy comes from the model
 * (defaults) or from `.heapscope.json` via formats/bench-gate-config.
 */

import { UsageError } from "../errors.js";
import { defaultGatePolicy, type GatePolicy, type UnitThresholds } from "../model/bench-gate-policy.js";
import { formatBytes, formatDuration, formatNumber } from "../model/units.js";
import type { BenchComparison, BenchRow, BenchUnmatched } from "./bench-compare.js";

export type GateStatus = "ok" | "warn" | "fail";

export interface GatedRow extends BenchRow {
  status: GateStatus;
  /** Thresholds applied to this row (after overrides), when its unit is gated. */
  thresholds?: UnitThresholds;
  /** How much worse (percent, positive = worse) in the unit's "better" direction. */
  worsePercent: number;
  /** How much worse in the unit (positive = worse). */
  worseAbsolute: number;
  /** worse / better / same (not significant or unchanged). */
  change: "worse" | "better" | "same";
  /** One line saying why the row failed or warned. */
  reason?: string;
}

export interface GateNote {
  level: "fail" | "warn" | "info";
  message: string;
}

export interface GateReport {
  status: GateStatus;
  alpha: number;
  confidence: number;
  rows: GatedRow[];
  unmatched: BenchUnmatched[];
  geomeans: BenchComparison["geomeans"];
  notes: GateNote[];
  counts: { rows: number; gated: number; failed: number; warned: number; improved: number; worse: number };
  policy: GatePolicy;
}

function compileRegex(source: string, what: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new UsageError(`${what}: invalid regular expression "${source}": ${(error as Error).message}`);
  }
}

/** Thresholds for one row: the unit's defaults with every matching override applied in order. */
export function thresholdsFor(
  policy: GatePolicy,
  row: Pick<BenchRow, "name" | "package" | "unit">,
): UnitThresholds | undefined {
  let current: UnitThresholds | undefined = policy.thresholds[row.unit]
    ? { ...policy.thresholds[row.unit] }
    : undefined;
  for (const override of policy.overrides) {
    if (!compileRegex(override.match, "override match").test(row.name)) continue;
    if (
      override.package !== undefined &&
      !compileRegex(override.package, "override package").test(row.package)
    ) {
      continue;
    }
    if (!(row.unit in override.thresholds)) continue;
    const value = override.thresholds[row.unit];
    current = value === null ? undefined : { ...current, ...definedOnly(value) };
  }
  return current;
}

function definedOnly(t: UnitThresholds | undefined): UnitThresholds {
  const out: UnitThresholds = {};
  if (t?.warnPercent !== undefined) out.warnPercent = t.warnPercent;
  if (t?.failPercent !== undefined) out.failPercent = t.failPercent;
  if (t?.floor !== undefined) out.floor = t.floor;
  return out;
}

/** A benchmark value in heapscope's units: "1.23 µs/op", "1.5 KiB/op", "3 allocs/op". */
function formatValue(value: number, unit: string): string {
  if (unit === "sec/op" || unit.startsWith("sec/")) return `${formatDuration(value)}/${unit.slice(4)}`;
  if (unit.startsWith("B/")) return `${formatBytes(value)}/${unit.slice(2)}`;
  return `${formatNumber(value)} ${unit}`;
}

function formatPercent(percent: number): string {
  if (percent === Infinity) return "+∞%";
  if (percent === -Infinity) return "-∞%";
  return `${percent >= 0 ? "+" : ""}${percent.toFixed(2)}%`;
}

function gateRow(row: BenchRow, policy: GatePolicy): GatedRow {
  // Unknown direction: an increase counts as worse (most custom metrics are costs).
  const sign = row.better === 1 ? -1 : 1;
  const worsePercent = sign * row.deltaPercent;
  const worseAbsolute = sign * row.deltaAbsolute;
  const change: GatedRow["change"] =
    !row.significant || row.deltaAbsolute === 0 ? "same" : worseAbsolute > 0 ? "worse" : "better";
  const thresholds = thresholdsFor(policy, row);
  const gated: GatedRow = { ...row, status: "ok", worsePercent, worseAbsolute, change };
  if (!thresholds) return gated;
  gated.thresholds = thresholds;
  if (change !== "worse") return gated;
  const movement = `${formatValue(row.base.center, row.unit)} → ${formatValue(row.new.center, row.unit)} (${formatPercent(row.deltaPercent)})`;
  if (
    policy.zeroAllocationsStayZero &&
    row.unit === "allocs/op" &&
    row.base.center === 0 &&
    row.new.center > 0
  ) {
    gated.status = "fail";
    gated.reason = `zero-allocation benchmark now allocates: ${movement}`;
    return gated;
  }
  const floor = thresholds.floor ?? 0;
  const pastFloor = worseAbsolute >= floor;
  if (thresholds.failPercent !== undefined && worsePercent >= thresholds.failPercent && pastFloor) {
    gated.status = "fail";
    gated.reason = `${movement}, past the ${thresholds.failPercent}% fail threshold${floor > 0 ? ` and the ${formatValue(floor, row.unit)} floor` : ""}`;
  } else if (thresholds.warnPercent !== undefined && worsePercent >= thresholds.warnPercent && pastFloor) {
    gated.status = "warn";
    gated.reason = `${movement}, past the ${thresholds.warnPercent}% warn threshold${floor > 0 ? ` and the ${formatValue(floor, row.unit)} floor` : ""}`;
  }
  return gated;
}

function worst(a: GateStatus, b: GateStatus): GateStatus {
  const rank = { ok: 0, warn: 1, fail: 2 } as const;
  return rank[a] >= rank[b] ? a : b;
}

/** Applies the policy to a comparison. */
export function evaluateGate(
  comparison: BenchComparison,
  policy: GatePolicy = defaultGatePolicy(),
): GateReport {
  for (const override of policy.overrides) {
    compileRegex(override.match, "override match");
    if (override.package !== undefined) compileRegex(override.package, "override package");
  }
  const rows = comparison.rows.map((row) => gateRow(row, policy));
  const notes: GateNote[] = [];
  let status: GateStatus = "ok";
  for (const row of rows) status = worst(status, row.status);

  // Blind spots: a gated metric that could not have shown a change.
  const blind = rows.filter(
    (r) =>
      r.thresholds &&
      r.method === "u-test" &&
      !r.significant &&
      r.warnings.some((w) => w.startsWith("need >=")),
  );
  if (blind.length > 0) {
    const sizes = [...new Set(blind.map((r) => Math.max(r.base.n, r.new.n)))].sort((a, b) => a - b);
    notes.push({
      level: "warn",
      message: `${blind.length} gated comparison${blind.length === 1 ? "" : "s"} had too few samples to detect a change (n = ${sizes.join(", ")}; the U test needs n >= 4 at alpha ${comparison.alpha}); run with -count 10`,
    });
  }
  const noInterval = rows.filter((r) => r.method === "u-test" && (r.base.n < 6 || r.new.n < 6));
  if (noInterval.length > 0) {
    notes.push({
      level: "info",
      message: `${noInterval.length} comparison${noInterval.length === 1 ? "" : "s"} had fewer than 6 samples, too few for a ${comparison.confidence * 100}% confidence interval (shown as ±∞)`,
    });
  }
  if (comparison.unmatched.length > 0 && policy.onMissing !== "ignore") {
    const onlyBase = comparison.unmatched.filter((u) => u.side === "base").length;
    const onlyNew = comparison.unmatched.length - onlyBase;
    const parts: string[] = [];
    if (onlyBase > 0) parts.push(`${onlyBase} only in base (removed or renamed?)`);
    if (onlyNew > 0) parts.push(`${onlyNew} only in new`);
    notes.push({
      level: policy.onMissing === "fail" ? "fail" : "warn",
      message: `benchmarks missing on one side: ${parts.join(", ")}`,
    });
  }
  for (const warning of comparison.warnings) notes.push({ level: "warn", message: warning });
  if (rows.length === 0) {
    // A gate that compared nothing must not pass quietly (e.g. every cpu: line differs).
    notes.push({
      level: "fail",
      message: `no benchmark was present in both inputs, so nothing was compared${comparison.unmatched.some((u) => u.hint) ? " (see the hints: --ignore-config pairs across configurations)" : ""}`,
    });
  }
  for (const note of notes) if (note.level !== "info") status = worst(status, note.level);

  return {
    status,
    alpha: comparison.alpha,
    confidence: comparison.confidence,
    rows,
    unmatched: comparison.unmatched,
    geomeans: comparison.geomeans,
    notes,
    counts: {
      rows: rows.length,
      gated: rows.filter((r) => r.thresholds).length,
      failed: rows.filter((r) => r.status === "fail").length,
      warned: rows.filter((r) => r.status === "warn").length,
      improved: rows.filter((r) => r.change === "better").length,
      worse: rows.filter((r) => r.change === "worse").length,
    },
    policy,
  };
}

/** 0 pass (warnings included), 1 fail. */
export function gateExitCode(report: GateReport): number {
  return report.status === "fail" ? 1 : 0;
}
