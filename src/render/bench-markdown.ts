/**
 * Markdown report of a benchmark gate, shaped for a pull-request comment or a GitHub job summary:
 * a one-line verdict, the failing and warning rows first, then every comparison in collapsed
 * <details> sections. Benchmark names, packages and units are untrusted text and are escaped.
 */

import type { GatedRow, GateReport } from "../analysis/bench-gate.js";
import { formatFixed } from "../profile/go-format.js";
import {
  commonScale,
  comparisonLabel,
  formatChange,
  formatDelta,
  formatScaled,
  percentRange,
} from "./bench-format.js";
import { type BenchLabels, describeThresholds, groupTables } from "./bench-text.js";

/** Escapes text for a Markdown table cell: HTML-significant characters and Markdown syntax. */
export function escapeMarkdown(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replace(/[\\`*_{}[\]#|~]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, " ");
}

const ICON = { fail: "❌", warn: "⚠️", ok: "✅" } as const;

function valueCell(row: GatedRow, which: "base" | "new"): string {
  const scaler = commonScale([row.base.center, row.new.center], row.unit);
  const s = row[which];
  return `${formatScaled(s.center, scaler)} ± ${percentRange(s.center, s.lo, s.hi)}`;
}

function flaggedTable(rows: GatedRow[]): string[] {
  const out = ["| | Benchmark | Unit | Base | New | Change | Why |", "|---|---|---|---:|---:|---:|---|"];
  for (const row of rows) {
    const name = row.package
      ? `${escapeMarkdown(row.name)}<br><sub>${escapeMarkdown(row.package)}</sub>`
      : escapeMarkdown(row.name);
    out.push(
      `| ${ICON[row.status]} | ${name} | ${escapeMarkdown(row.unit)} | ${valueCell(row, "base")} | ${valueCell(row, "new")} | ${formatChange(row)} (${comparisonLabel(row)}) | ${escapeMarkdown(row.reason ?? "")} |`,
    );
  }
  return out;
}

export function renderBenchMarkdown(report: GateReport, labels: BenchLabels): string {
  const c = report.counts;
  const headline =
    report.status === "fail"
      ? `${ICON.fail} **Benchmark gate failed**`
      : report.status === "warn"
        ? `${ICON.warn} **Benchmark gate passed with warnings**`
        : `${ICON.ok} **Benchmark gate passed**`;
  const out: string[] = [];
  out.push(
    `${headline}: ${c.failed} failing, ${c.warned} warning, ${c.improved} improved of ${c.rows} comparisons (${c.gated} gated; α = ${report.alpha}).`,
  );
  out.push("");
  const flagged = [
    ...report.rows.filter((r) => r.status === "fail"),
    ...report.rows.filter((r) => r.status === "warn"),
  ];
  if (flagged.length > 0) {
    out.push(...flaggedTable(flagged));
    out.push("");
  }
  const attention = report.notes.filter((n) => n.level !== "info");
  if (attention.length > 0) {
    for (const note of attention)
      out.push(`- ${note.level === "fail" ? ICON.fail : ICON.warn} ${escapeMarkdown(note.message)}`);
    out.push("");
  }
  if (report.unmatched.length > 0) {
    out.push(`<details><summary>Benchmarks on one side only (${report.unmatched.length})</summary>`);
    out.push("");
    for (const u of report.unmatched) {
      out.push(
        `- only in ${u.side}: ${escapeMarkdown(u.name)}${u.package ? ` (${escapeMarkdown(u.package)})` : ""}${u.hint ? ` — ${escapeMarkdown(u.hint)}` : ""}`,
      );
    }
    out.push("");
    out.push("</details>");
    out.push("");
  }
  out.push(`<details><summary>All ${c.rows} comparisons</summary>`);
  out.push("");
  out.push(
    `Base: ${escapeMarkdown(labels.base)} · New: ${escapeMarkdown(labels.new)} · Thresholds: ${escapeMarkdown(describeThresholds(report.policy))}`,
  );
  out.push("");
  for (const group of groupTables(report)) {
    const title = [group.package, ...Object.values(group.config)]
      .filter(Boolean)
      .map(escapeMarkdown)
      .join(" · ");
    out.push(`**${escapeMarkdown(group.unit)}**${title ? ` — ${title}` : ""}`);
    out.push("");
    out.push("| | Benchmark | Base | New | vs base | |");
    out.push("|---|---|---:|---:|---:|---|");
    for (const row of group.rows) {
      out.push(
        `| ${row.status === "ok" ? "" : ICON[row.status]} | ${escapeMarkdown(row.name)} | ${valueCell(row, "base")} | ${valueCell(row, "new")} | ${escapeMarkdown(formatDelta(row))} | ${comparisonLabel(row)} |`,
      );
    }
    const gm = group.geomean;
    if (gm && group.rows.length > 1 && gm.ratio !== undefined) {
      out.push(
        `| | geomean | | | ${((gm.ratio - 1) * 100 >= 0 ? "+" : "") + formatFixed((gm.ratio - 1) * 100, 2)}% | |`,
      );
    }
    out.push("");
  }
  const info = report.notes.filter((n) => n.level === "info");
  for (const note of info) out.push(`<sub>${escapeMarkdown(note.message)}</sub>`);
  if (info.length > 0) out.push("");
  out.push("</details>");
  return `${out.join("\n")}\n`;
}
