/**
 * GitHub Actions workflow commands for a benchmark gate: `::error` for failing rows and fatal
 * notes, `::warning` for warning rows and notes. Data and property values are escaped as the
 * runner requires (%, CR, LF; and : , in properties) so untrusted names cannot inject commands.
 */

import type { GateReport } from "../analysis/bench-gate.js";
import { comparisonLabel } from "./bench-format.js";

export function escapeAnnotationData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

export function escapeAnnotationProperty(text: string): string {
  return escapeAnnotationData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

export function renderGithubAnnotations(report: GateReport): string[] {
  const lines: string[] = [];
  for (const row of report.rows) {
    if (row.status === "ok") continue;
    const command = row.status === "fail" ? "error" : "warning";
    const title = `${row.status === "fail" ? "Benchmark regression" : "Benchmark slowdown"}: ${row.name} ${row.unit}`;
    const message = `${row.package ? `${row.package} ` : ""}${row.name} ${row.unit}: ${row.reason ?? ""} (${comparisonLabel(row)})`;
    lines.push(`::${command} title=${escapeAnnotationProperty(title)}::${escapeAnnotationData(message)}`);
  }
  for (const note of report.notes) {
    if (note.level === "info") continue;
    const command = note.level === "fail" ? "error" : "warning";
    lines.push(
      `::${command} title=${escapeAnnotationProperty("Benchmark gate")}::${escapeAnnotationData(note.message)}`,
    );
  }
  return lines;
}
