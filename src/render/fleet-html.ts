/**
 * `heapscope fleet --html`: a self-contained page of small multiples, one chart of memory (the
 * instance's basis) per instance, coloured by verdict and grouped by version, restarts marked.
 * Every label and reason is escaped; no script.
 */
import type { FleetInstance, FleetReport } from "../diagnose/fleet/types.js";
import { escapeHtml } from "./doctor-html.js";
import {
  formatBytes,
  growthText,
  instanceName,
  isoTime,
  rangeText,
  severalJobs,
  verdictCounts,
} from "./fleet-format.js";

const COLORS: Record<string, string> = {
  growing: "#c62828",
  undecided: "#ef6c00",
  insufficient: "#757575",
  bounded: "#2e7d32",
};

const WIDTH = 220;
const HEIGHT = 70;

export function renderFleetHtml(report: FleetReport, options: { generatedAt?: string } = {}): string {
  const withJob = severalJobs(report);
  const groups = new Map<string, FleetInstance[]>();
  for (const i of report.instances) {
    const group = `${withJob ? `${i.labels["job"] ?? ""} ` : ""}${i.version ?? "version unknown"}`;
    const list = groups.get(group) ?? [];
    groups.set(group, list);
    list.push(i);
  }
  const sections = [...groups.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(
      ([group, list]) =>
        `<section><h2>${escapeHtml(group)} <small>${list.length} instance${list.length === 1 ? "" : "s"}</small></h2><div class="grid">${list
          .map((i) => card(i, report, withJob))
          .join("")}</div></section>`,
    )
    .join("\n");
  const sentences = report.attributionSentences.map((s) => `<p class="lead">${escapeHtml(s)}</p>`).join("");
  const unjudged =
    report.unjudged.length > 0
      ? `<section><h2>Not judged</h2><ul>${report.unjudged
          .map((u) => `<li>${escapeHtml(instanceName(u.labels, withJob))}: ${escapeHtml(u.reason)}</li>`)
          .join("")}</ul></section>`
      : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>heapscope fleet</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:1.5rem}
small{color:#666;font-weight:normal}.lead{font-weight:600}.grid{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #ddd;border-radius:6px;padding:6px;width:${WIDTH}px}.card .name{font-size:12px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.card .meta{font-size:11px;color:#555}.legend span{margin-right:1rem}
</style></head><body>
<h1>heapscope fleet: ${escapeHtml(verdictCounts(report) || "nothing judged")}</h1>
<p>${escapeHtml(report.query.selector)} at ${escapeHtml(report.query.prometheus)}<br>${escapeHtml(rangeText(report))}</p>
<p class="legend">${Object.entries(COLORS)
    .map(([v, c]) => `<span style="color:${c}">■ ${v}</span>`)
    .join("")}</p>
${sentences}
${sections}
${unjudged}
<p><small>Generated ${escapeHtml(options.generatedAt ?? "")} by heapscope. Each chart is the instance's memory basis over the range; dashed lines are restarts.</small></p>
</body></html>
`;
}

function card(instance: FleetInstance, report: FleetReport, withJob: boolean): string {
  const color = COLORS[instance.verdict] ?? "#444";
  const name = instanceName(instance.labels, withJob);
  const title = `${name}\n${instance.verdict}: ${instance.reason}`;
  return `<div class="card" title="${escapeHtml(title)}"><div class="name">#${instance.rank} ${escapeHtml(name)}</div>${chart(instance, report, color)}<div class="meta">${escapeHtml(`${instance.verdict} · ${instance.basisLabel ?? "no basis"} · ${growthText(instance)}`)}</div></div>`;
}

function chart(instance: FleetInstance, report: FleetReport, color: string): string {
  const t0 = report.query.startSeconds;
  const t1 = report.query.endSeconds;
  const points = instance.runs.flatMap((r) => r.points);
  if (points.length === 0)
    return `<svg width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="no data"></svg>`;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    lo = Math.min(lo, p.v);
    hi = Math.max(hi, p.v);
  }
  if (hi === lo) hi = lo + 1;
  const x = (t: number) => (((t - t0) / Math.max(t1 - t0, 1)) * (WIDTH - 4) + 2).toFixed(1);
  const y = (v: number) => (HEIGHT - 4 - ((v - lo) / (hi - lo)) * (HEIGHT - 8)).toFixed(1);
  const lines = instance.runs
    .filter((r) => r.points.length > 0)
    .map(
      (r) =>
        `<polyline fill="none" stroke="${COLORS[r.verdict] ?? color}" stroke-width="1.5" points="${r.points.map((p) => `${x(p.t)},${y(p.v)}`).join(" ")}"/>`,
    )
    .join("");
  const restarts = instance.runs
    .slice(1)
    .map(
      (r) =>
        `<line x1="${x(r.startSeconds)}" x2="${x(r.startSeconds)}" y1="0" y2="${HEIGHT}" stroke="#999" stroke-dasharray="3,3"/>`,
    )
    .join("");
  const change =
    instance.changePoint !== null
      ? `<line x1="${x(instance.changePoint)}" x2="${x(instance.changePoint)}" y1="0" y2="${HEIGHT}" stroke="${color}" stroke-width="0.8"><title>${escapeHtml(`growth began ${isoTime(instance.changePoint)}`)}</title></line>`
      : "";
  const label = `${formatBytes(lo)} – ${formatBytes(hi)}`;
  return `<svg width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(label)}">${restarts}${change}${lines}<text x="2" y="10" font-size="9" fill="#666">${escapeHtml(label)}</text></svg>`;
}
