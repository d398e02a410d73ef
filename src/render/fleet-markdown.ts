/** `heapscope fleet --markdown`: for an issue or an incident channel. Every label is escaped. */
import type { FleetReport } from "../diagnose/fleet/types.js";
import { escapeMd } from "./doctor-markdown.js";
import {
  changeText,
  growthText,
  instanceName,
  limitText,
  rangeText,
  severalJobs,
  verdictCounts,
} from "./fleet-format.js";

export function renderFleetMarkdown(report: FleetReport): string {
  const withJob = severalJobs(report);
  const out: string[] = [];
  out.push(`## heapscope fleet: ${escapeMd(verdictCounts(report) || "nothing judged")}`, "");
  out.push(
    `${escapeMd(report.query.selector)} at ${escapeMd(report.query.prometheus)}, ${escapeMd(rangeText(report))}`,
    "",
  );
  for (const sentence of report.attributionSentences) out.push(`**${escapeMd(sentence)}**`, "");
  if (report.instances.length > 0) {
    out.push("| # | instance | verdict | basis | growth | to limit | growth began | version | runs |");
    out.push("|---|---|---|---|---|---|---|---|---|");
    for (const i of report.instances) {
      const cells = [
        String(i.rank),
        instanceName(i.labels, withJob),
        i.verdict + (i.earlierRunGrew && i.verdict !== "growing" ? " (grew before a restart)" : ""),
        i.basisLabel ?? "—",
        growthText(i),
        i.verdict === "growing" ? limitText(i) : "—",
        i.verdict === "growing" ? changeText(i) : "—",
        i.version ?? "—",
        String(i.runs.length),
      ];
      out.push(`| ${cells.map(escapeMd).join(" | ")} |`);
    }
    out.push("");
  }
  if (report.unjudged.length > 0) {
    out.push("**Not judged**", "");
    for (const u of report.unjudged)
      out.push(`- ${escapeMd(instanceName(u.labels, withJob))}: ${escapeMd(u.reason)}`);
    out.push("");
  }
  if (report.drillDown.length > 0) {
    out.push("**Drill-down**", "");
    for (const d of report.drillDown) {
      const head = d.error ? d.error : `${d.verdict}: ${d.summary}`;
      out.push(`- ${escapeMd(instanceName(d.labels, withJob))}: ${escapeMd(head ?? "")}`);
      for (const s of d.suspects.slice(0, 3))
        out.push(`  - ${escapeMd(`${s.function} (${s.file}:${s.line})`)}`);
    }
    out.push("");
  }
  const missing = report.signals.filter((s) => s.instancesWith === 0).map((s) => s.signal);
  if (missing.length > 0) out.push(`Missing everywhere: ${escapeMd(missing.join(", "))}.`, "");
  for (const w of report.query.warnings) out.push(`> Prometheus warned: ${escapeMd(w)}`, "");
  return out.join("\n");
}
