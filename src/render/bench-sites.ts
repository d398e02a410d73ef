/**
 * Renders an allocation-site diff (`heapscope diff`, and the sites section of `bench run
 * --memprofile`) as text, Markdown, JSON and GitHub annotations.
 */

import path from "node:path";
import type { SiteDiffReport, SiteDiffRow } from "../analysis/bench-alloc-sites.js";
import { formatQuantity, formatSignedQuantity } from "../model/units.js";
import { escapeAnnotationData, escapeAnnotationProperty } from "./bench-github.js";
import { escapeMarkdown } from "./bench-markdown.js";

export function formatSitePercent(row: Pick<SiteDiffRow, "deltaPercent">): string {
  if (row.deltaPercent === Infinity) return "new";
  return `${row.deltaPercent >= 0 ? "+" : ""}${row.deltaPercent.toFixed(1)}%`;
}

function location(row: SiteDiffRow): string {
  if (!row.file) return "";
  return `${path.basename(row.file)}:${row.line}`;
}

export function siteHeadline(report: SiteDiffReport): string {
  const scope = report.perOp ? ` per op (${report.baseOps} and ${report.newOps} ops)` : "";
  const change =
    report.baseTotal === 0
      ? "new"
      : `${report.newTotal >= report.baseTotal ? "+" : ""}${(((report.newTotal - report.baseTotal) / report.baseTotal) * 100).toFixed(1)}%`;
  return `${report.sampleType}${scope}: ${formatQuantity(report.baseTotal, report.unit)} → ${formatQuantity(report.newTotal, report.unit)} (${change})`;
}

export function renderSitesText(
  report: SiteDiffReport,
  options: { top?: number; title?: string } = {},
): string {
  const top = options.top ?? 20;
  const out: string[] = [];
  if (options.title) out.push(options.title);
  out.push(siteHeadline(report));
  const shown = report.rows.slice(0, top);
  if (shown.length === 0) {
    out.push("  no allocation site changed");
  } else {
    const cells = shown.map((r) => [
      formatQuantity(r.base, report.unit),
      formatQuantity(r.new, report.unit),
      formatSignedQuantity(r.delta, report.unit),
      formatSitePercent(r),
      `${r.function}${location(r) ? ` (${location(r)})` : ""}`,
      r.status === "fail" ? "FAIL" : r.status === "warn" ? "WARN" : "",
    ]);
    const header = ["base", "new", "delta", "%", "site", ""];
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => [...c[i]!].length)));
    const fmt = (c: string[]) =>
      c
        .map((cell, i) => (i < 4 ? cell.padStart(widths[i]!) : i === 4 ? cell.padEnd(widths[i]!) : cell))
        .join("  ")
        .replace(/\s+$/, "");
    out.push(fmt(header));
    for (const c of cells) out.push(fmt(c));
    if (report.rows.length > top)
      out.push(`  … ${report.rows.length - top} more sites changed (--top to show them)`);
  }
  const flagged = report.rows.filter((r) => r.status !== "ok");
  if (report.failIfGrowsPercent !== undefined || report.warnIfGrowsPercent !== undefined) {
    const verdict =
      report.status === "fail" ? "FAIL" : report.status === "warn" ? "PASS with warnings" : "PASS";
    out.push(
      `heapscope diff gate: ${verdict}: ${flagged.filter((r) => r.status === "fail").length} site(s) failed, ${flagged.filter((r) => r.status === "warn").length} warned (floor ${formatQuantity(report.floor, report.unit)})`,
    );
  }
  for (const note of report.notes) out.push(`  note: ${note}`);
  return `${out.join("\n")}\n`;
}

export function renderSitesMarkdown(
  report: SiteDiffReport,
  options: { top?: number; title?: string } = {},
): string {
  const top = options.top ?? 20;
  const out: string[] = [];
  const icon = report.status === "fail" ? "❌" : report.status === "warn" ? "⚠️" : "✅";
  const flagged = report.rows.filter((r) => r.status !== "ok");
  out.push(
    `${icon} **${escapeMarkdown(options.title ?? "Allocation sites")}**: ${escapeMarkdown(siteHeadline(report))}${flagged.length > 0 ? ` — ${flagged.length} site(s) past the threshold` : ""}`,
  );
  out.push("");
  const ordered = [...flagged, ...report.rows.filter((r) => r.status === "ok")].slice(0, top);
  if (ordered.length > 0) {
    out.push("| | Site | Base | New | Δ | % |", "|---|---|---:|---:|---:|---:|");
    for (const r of ordered) {
      const mark = r.status === "fail" ? "❌" : r.status === "warn" ? "⚠️" : "";
      const where = location(r) ? ` <sub>${escapeMarkdown(location(r))}</sub>` : "";
      out.push(
        `| ${mark} | ${escapeMarkdown(r.function)}${where} | ${formatQuantity(r.base, report.unit)} | ${formatQuantity(r.new, report.unit)} | ${formatSignedQuantity(r.delta, report.unit)} | ${formatSitePercent(r)} |`,
      );
    }
    out.push("");
  }
  for (const note of report.notes) out.push(`<sub>${escapeMarkdown(note)}</sub>`);
  return `${out.join("\n")}\n`;
}

export function sitesJson(report: SiteDiffReport) {
  return {
    status: report.status,
    sampleType: report.sampleType,
    unit: report.unit,
    perOp: report.perOp,
    baseOps: report.baseOps ?? null,
    newOps: report.newOps ?? null,
    baseTotal: report.baseTotal,
    newTotal: report.newTotal,
    floor: report.floor,
    warnIfGrowsPercent: report.warnIfGrowsPercent ?? null,
    failIfGrowsPercent: report.failIfGrowsPercent ?? null,
    rows: report.rows.map((r) => ({
      function: r.function,
      file: r.file,
      line: r.line,
      base: r.base,
      new: r.new,
      delta: r.delta,
      deltaPercent: Number.isFinite(r.deltaPercent) ? r.deltaPercent : null,
      newSite: r.deltaPercent === Infinity,
      status: r.status,
      reason: r.reason,
    })),
    notes: report.notes,
  };
}

/**
 * `::error`/`::warning` lines for sites past the threshold. The file property is given only when
 * the source file lies under `cwd` (GitHub wants repository-relative paths).
 */
export function renderSitesAnnotations(report: SiteDiffReport, cwd: string, context = ""): string[] {
  const lines: string[] = [];
  for (const r of report.rows) {
    if (r.status === "ok") continue;
    const props: string[] = [];
    if (r.file && path.isAbsolute(r.file)) {
      const relative = path.relative(cwd, r.file);
      if (!relative.startsWith("..") && !path.isAbsolute(relative)) {
        props.push(`file=${escapeAnnotationProperty(relative.split(path.sep).join("/"))}`);
        if (r.line > 0) props.push(`line=${r.line}`);
      }
    }
    props.push(`title=${escapeAnnotationProperty(`Allocation site grew: ${r.function}`)}`);
    const message = `${context}${r.function} ${report.sampleType}${report.perOp ? " per op" : ""}: ${formatQuantity(r.base, report.unit)} → ${formatQuantity(r.new, report.unit)} (${formatSitePercent(r)})`;
    lines.push(
      `::${r.status === "fail" ? "error" : "warning"} ${props.join(",")}::${escapeAnnotationData(message)}`,
    );
  }
  return lines;
}
