/**
 * Plain-text report of a benchmark gate: benchstat-style tables (one per package, configuration
 * and unit, with a gate column), then the verdict, the failing rows and the notes.
 */

import type { BenchGeomean } from "../analysis/bench-compare.js";
import type { GatedRow, GateReport } from "../analysis/bench-gate.js";
import type { GatePolicy } from "../model/bench-gate-policy.js";
import { formatFixed } from "../profile/go-format.js";
import {
  commonScale,
  comparisonLabel,
  formatDelta,
  formatScaled,
  formatWithUnit,
  percentRange,
  shortName,
  superscript,
} from "./bench-format.js";

export interface BenchLabels {
  base: string;
  new: string;
}

interface TableGroup {
  package: string;
  config: Record<string, string>;
  unit: string;
  rows: GatedRow[];
  geomean?: BenchGeomean;
}

function sameConfig(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** Rows grouped into benchstat's tables, in first-seen order. */
export function groupTables(report: GateReport): TableGroup[] {
  const groups: TableGroup[] = [];
  for (const row of report.rows) {
    let group = groups.find(
      (g) => g.package === row.package && g.unit === row.unit && sameConfig(g.config, row.config),
    );
    if (!group) {
      group = { package: row.package, config: row.config, unit: row.unit, rows: [] };
      groups.push(group);
    }
    group.rows.push(row);
  }
  for (const group of groups) {
    group.geomean = report.geomeans.find(
      (g) => g.package === group.package && g.unit === group.unit && sameConfig(g.config, group.config),
    );
  }
  return groups;
}

function center(text: string, width: number): string {
  const length = [...text].length;
  if (length >= width) return text;
  const left = Math.floor((width - length) / 2);
  return " ".repeat(left) + text + " ".repeat(width - length - left);
}

function width(text: string): number {
  return [...text].length;
}

function padEnd(text: string, w: number): string {
  return text + " ".repeat(Math.max(0, w - width(text)));
}

function padStart(text: string, w: number): string {
  return " ".repeat(Math.max(0, w - width(text))) + text;
}

function configHeader(pkg: string, config: Record<string, string>): [string, string][] {
  const entries: [string, string][] = [];
  const ordered = ["goos", "goarch"];
  for (const key of ordered) if (config[key] !== undefined) entries.push([key, config[key]!]);
  if (pkg) entries.push(["pkg", pkg]);
  for (const [key, value] of Object.entries(config)) if (!ordered.includes(key)) entries.push([key, value]);
  return entries;
}

function statusCell(row: GatedRow): string {
  if (row.status === "fail") return "FAIL";
  if (row.status === "warn") return "WARN";
  return "";
}

function renderTable(group: TableGroup, labels: BenchLabels): string[] {
  const footnotes: string[] = [];
  const footnoteFor = (messages: string[]): string =>
    messages
      .map((message) => {
        let index = footnotes.indexOf(message);
        if (index < 0) {
          footnotes.push(message);
          index = footnotes.length - 1;
        }
        return superscript(index + 1);
      })
      .join(" ");

  type Line = [string, string, string, string, string, string, string, string, string];
  const lines: Line[] = group.rows.map((row) => {
    const scaler = commonScale([row.base.center, row.new.center], row.unit);
    return [
      shortName(row.name),
      formatScaled(row.base.center, scaler),
      percentRange(row.base.center, row.base.lo, row.base.hi),
      formatScaled(row.new.center, scaler),
      percentRange(row.new.center, row.new.lo, row.new.hi),
      formatDelta(row),
      `(${comparisonLabel(row)})`,
      footnoteFor([...row.base.warnings, ...row.new.warnings, ...row.warnings]),
      statusCell(row),
    ];
  });
  const gm = group.geomean;
  let geomeanLine: Line | undefined;
  if (gm && group.rows.length > 1) {
    const scaler = commonScale([gm.base ?? 0, gm.new ?? 0], group.unit);
    geomeanLine = [
      "geomean",
      gm.base !== undefined ? formatScaled(gm.base, scaler) : "",
      "",
      gm.new !== undefined ? formatScaled(gm.new, scaler) : "",
      "",
      gm.ratio !== undefined ? `${gm.ratio >= 1 ? "+" : ""}${formatFixed((gm.ratio - 1) * 100, 2)}%` : "?",
      "",
      footnoteFor(gm.warnings),
      "",
    ];
  }
  const all = geomeanLine ? [...lines, geomeanLine] : lines;
  const w = Array.from({ length: 9 }, (_, i) => Math.max(0, ...all.map((l) => width(l[i]))));
  const baseBlock = w[1]! + 3 + w[2]!;
  const newBlock = w[3]! + 3 + w[4]! + 2 + w[5]! + 1 + w[6]!;
  const baseHeader = Math.max(baseBlock, width(labels.base), width(group.unit));
  const newHeader = Math.max(newBlock, width(labels.new), width(group.unit) + 9);
  const out: string[] = [];
  out.push(`${" ".repeat(w[0]!)} │ ${center(labels.base, baseHeader)} │ ${center(labels.new, newHeader)} │`);
  out.push(
    `${" ".repeat(w[0]!)} │ ${center(group.unit, baseHeader)} │ ${padEnd(`${center(group.unit, w[3]! + 3 + w[4]!)}  vs base`, newHeader)} │`,
  );
  for (const line of all) {
    const isGeomean = line === geomeanLine;
    const baseCell = isGeomean
      ? padStart(line[1], w[1]!) + " ".repeat(3 + w[2]!)
      : `${padStart(line[1], w[1]!)} ± ${padStart(line[2], w[2]!)}`;
    const newCell = isGeomean
      ? padStart(line[3], w[3]!) + " ".repeat(3 + w[4]!)
      : `${padStart(line[3], w[3]!)} ± ${padStart(line[4], w[4]!)}`;
    const text = [
      padEnd(line[0], w[0]!),
      "   ",
      padEnd(baseCell, baseHeader),
      "   ",
      `${newCell}  ${padStart(line[5], w[5]!)} ${padEnd(line[6], w[6]!)}`,
      line[7] ? ` ${line[7]}` : "",
      line[8] ? `  ${line[8]}` : "",
    ].join("");
    out.push(text.replace(/\s+$/, ""));
  }
  footnotes.forEach((message, i) => {
    out.push(`${superscript(i + 1)} ${message}`);
  });
  return out;
}

export function describeThresholds(policy: GatePolicy): string {
  const parts: string[] = [];
  for (const [unit, t] of Object.entries(policy.thresholds)) {
    const bits: string[] = [];
    if (t.warnPercent !== undefined) bits.push(`warn +${t.warnPercent}%`);
    if (t.failPercent !== undefined) bits.push(`fail +${t.failPercent}%`);
    if (t.floor) bits.push(`floor ${formatWithUnit(t.floor, unit).replace(` ${unit}`, "")}`);
    parts.push(`${unit} ${bits.join(", ")}`);
  }
  if (policy.overrides.length > 0) parts.push(`${policy.overrides.length} override(s)`);
  return parts.length > 0 ? parts.join("; ") : "no thresholds";
}

export function verdictLine(report: GateReport): string {
  const c = report.counts;
  const verdict =
    report.status === "fail" ? "FAIL" : report.status === "warn" ? "PASS with warnings" : "PASS";
  return `${verdict}: ${c.failed} failed, ${c.warned} warned, ${c.improved} improved of ${c.rows} comparisons (${c.gated} gated)`;
}

export function renderBenchText(report: GateReport, labels: BenchLabels): string {
  const out: string[] = [];
  let previousHeader: [string, string][] = [];
  const groups = groupTables(report);
  groups.forEach((group, index) => {
    if (index > 0) out.push("");
    const header = configHeader(group.package, group.config);
    for (const [key, value] of header) {
      const before = previousHeader.find(([k]) => k === key);
      if (!before || before[1] !== value) out.push(`${key}: ${value}`);
    }
    previousHeader = header;
    out.push(...renderTable(group, labels));
  });
  if (groups.length > 0) out.push("");

  out.push(`heapscope bench gate: ${verdictLine(report)}`);
  out.push(`  thresholds: ${describeThresholds(report.policy)}; alpha ${report.alpha}`);
  const flagged = [
    ...report.rows.filter((r) => r.status === "fail"),
    ...report.rows.filter((r) => r.status === "warn"),
  ];
  for (const row of flagged) {
    out.push(
      `  ${row.status === "fail" ? "FAIL" : "WARN"}  ${row.package ? `${row.package} ` : ""}${row.name} ${row.unit}: ${row.reason ?? ""}`,
    );
  }
  const onlyBase = report.unmatched.filter((u) => u.side === "base");
  const onlyNew = report.unmatched.filter((u) => u.side === "new");
  if (onlyBase.length > 0 || onlyNew.length > 0) {
    out.push("  missing benchmarks:");
    for (const u of onlyBase)
      out.push(
        `    only in base: ${u.package ? `${u.package} ` : ""}${u.name}${u.hint ? ` (${u.hint})` : ""}`,
      );
    for (const u of onlyNew)
      out.push(
        `    only in new:  ${u.package ? `${u.package} ` : ""}${u.name}${u.hint ? ` (${u.hint})` : ""}`,
      );
  }
  for (const note of report.notes) {
    out.push(
      `  ${note.level === "info" ? "note" : note.level === "fail" ? "FAIL" : "warning"}: ${note.message}`,
    );
  }
  return `${out.join("\n")}\n`;
}
