/**
 * `heapscope doctor --html FILE`: one self-contained page (inline CSS and SVG, no script, no network
 * request — a Content-Security-Policy forbids them): live heap and goroutines over time, the suspects
 * table, a flame graph of the in-use growth between the first and last snapshot, evidence and hints.
 * Every string from the profile or the target (function names, paths, labels) is escaped.
 */

import type { SeriesPoint } from "../diagnose/signal-trend.js";
import { percentOf } from "../diagnose/summary.js";
import type { Diagnosis } from "../diagnose/types.js";
import {
  formatBytes,
  formatDuration,
  formatQuantity,
  formatSignedByteRate,
  formatSignedCountRate,
} from "../model/units.js";
import { describeDecision } from "./doctor-decision.js";
import { movementToTell } from "./doctor-text.js";
import { heldByHtml, holdersHtml } from "./retention-report.js";

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

interface ChartOptions {
  title: string;
  unit: "bytes" | "count";
  width?: number;
  height?: number;
  color?: string;
}

/** A line chart as inline SVG. */
export function lineChartSvg(points: SeriesPoint[], options: ChartOptions): string {
  const width = options.width ?? 560;
  const height = options.height ?? 180;
  const pad = { left: 70, right: 12, top: 22, bottom: 28 };
  const title = `<text x="${pad.left}" y="14" class="chart-title">${escapeHtml(options.title)}</text>`;
  if (points.length === 0) {
    return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}">${title}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="muted">no data</text></svg>`;
  }
  const t0 = points[0].tSeconds;
  const t1 = Math.max(points[points.length - 1].tSeconds, t0 + 1e-9);
  let min = Math.min(...points.map((p) => p.value));
  let max = Math.max(...points.map((p) => p.value));
  if (!(max > min)) {
    max = max + Math.max(1, Math.abs(max) * 0.05);
    min = Math.max(0, min - Math.max(1, Math.abs(min) * 0.05));
  }
  const x = (t: number) => pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - (v - min) / (max - min)) * (height - pad.top - pad.bottom);
  const path = points
    .map((p, i) => `${i === 0 ? "M" : "L"}${x(p.tSeconds).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(" ");
  const dots = points
    .map(
      (p) =>
        `<circle cx="${x(p.tSeconds).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="2"><title>${escapeHtml(`${formatDuration(p.tSeconds - t0)}: ${formatQuantity(p.value, options.unit)}`)}</title></circle>`,
    )
    .join("");
  const axis = [
    `<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" class="axis"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" class="axis"/>`,
    `<text x="${pad.left - 6}" y="${y(max) + 4}" text-anchor="end" class="tick">${escapeHtml(formatQuantity(max, options.unit))}</text>`,
    `<text x="${pad.left - 6}" y="${y(min) + 4}" text-anchor="end" class="tick">${escapeHtml(formatQuantity(min, options.unit))}</text>`,
    `<text x="${pad.left}" y="${height - 8}" class="tick">0 s</text>`,
    `<text x="${width - pad.right}" y="${height - 8}" text-anchor="end" class="tick">${escapeHtml(formatDuration(t1 - t0))}</text>`,
  ].join("");
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}">${title}${axis}<path d="${path}" fill="none" stroke="${options.color ?? "#c0392b"}" stroke-width="1.8"/><g fill="${options.color ?? "#c0392b"}">${dots}</g></svg>`;
}

interface FlameNode {
  name: string;
  value: number;
  children: Map<string, FlameNode>;
}

/** Icicle flame graph (roots on top) of in-use growth per stack, as inline SVG. */
export function growthFlameGraphSvg(stacks: { stack: string[]; bytes: number }[], width = 1100): string {
  const root: FlameNode = { name: "all growth", value: 0, children: new Map() };
  for (const { stack, bytes } of stacks) {
    if (!(bytes > 0)) continue;
    root.value += bytes;
    let node = root;
    for (let i = stack.length - 1; i >= 0; i--) {
      const name = stack[i];
      let child = node.children.get(name);
      if (!child) {
        child = { name, value: 0, children: new Map() };
        node.children.set(name, child);
      }
      child.value += bytes;
      node = child;
    }
  }
  if (root.value <= 0)
    return `<p class="muted">No in-use growth between the first and the last snapshot.</p>`;
  const rowHeight = 18;
  const rects: string[] = [];
  let depth = 0;
  const minWidth = 0.5;
  const visit = (node: FlameNode, x: number, w: number, level: number): void => {
    if (w < minWidth) return;
    depth = Math.max(depth, level + 1);
    const share = (node.value / root.value) * 100;
    const label = `${node.name} — ${formatBytes(node.value)} (${share.toFixed(1)} %)`;
    const hue = hueOf(node.name);
    rects.push(
      `<g><title>${escapeHtml(label)}</title><rect x="${x.toFixed(2)}" y="${level * rowHeight}" width="${Math.max(w - 0.5, 0.5).toFixed(2)}" height="${rowHeight - 1}" fill="hsl(${hue},70%,${level === 0 ? 75 : 62}%)"/>${
        w > 40
          ? `<text x="${(x + 3).toFixed(2)}" y="${level * rowHeight + 13}" class="frame">${escapeHtml(truncate(node.name, Math.floor(w / 6.5)))}</text>`
          : ""
      }</g>`,
    );
    let cursor = x;
    const children = [...node.children.values()].sort(
      (a, b) => b.value - a.value || (a.name < b.name ? -1 : 1),
    );
    for (const child of children) {
      const cw = (child.value / node.value) * w;
      visit(child, cursor, cw, level + 1);
      cursor += cw;
    }
  };
  visit(root, 0, width, 0);
  const height = depth * rowHeight;
  return `<svg class="flame" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="flame graph of in-use growth">${rects.join("")}</svg>`;
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 1 ? "" : `${text.slice(0, max - 1)}…`;
}

function hueOf(name: string): number {
  if (name.startsWith("runtime.")) return 0;
  if (name.startsWith("main.")) return 25;
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) | 0;
  return 30 + (Math.abs(hash) % 60);
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1d1d1f;max-width:1160px}
h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.verdict{display:inline-block;padding:2px 10px;border-radius:6px;color:#fff;font-weight:600}
.leak{background:#c0392b}.no-leak{background:#27ae60}.inconclusive{background:#d68910}
.muted{color:#777}table{border-collapse:collapse;width:100%}td,th{border:1px solid #e2e2e2;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f6f6f6}code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{width:560px;max-width:100%;border:1px solid #eee;border-radius:6px}
.chart-title{font-weight:600;font-size:12px}.tick{font-size:10px;fill:#666}.axis{stroke:#bbb}
.frame{font:11px ui-monospace,Menlo,monospace;fill:#111;pointer-events:none}.flame{border:1px solid #eee}
.ev-leak{color:#c0392b}.ev-healthy{color:#27ae60}details{margin:4px 0}
`;

export function renderDoctorHtml(
  diagnosis: Diagnosis,
  options: { title?: string; generatedAt?: string } = {},
): string {
  const o = diagnosis.observation;
  const suspectsRows = diagnosis.suspects
    .map((s, i) => {
      const growth =
        s.kind === "goroutines"
          ? `${formatSignedCountRate(s.growthGoroutinesPerSecond ?? 0, "goroutines")} (${s.goroutines ?? 0} now${s.state ? `, ${s.state}` : ""})`
          : `${formatSignedByteRate(s.growthBytesPerSecond)}${s.kind === "heap" ? `, ${formatSignedCountRate(s.growthObjectsPerSecond, "objects")}` : ""}`;
      return `<tr><td>${i + 1}</td><td>${escapeHtml(s.kind)}</td><td><code>${escapeHtml(s.function || "(outside the Go heap)")}</code><details><summary>stack</summary><code>${s.stack
        .slice(0, 32)
        .map(escapeHtml)
        .join(
          "<br>",
        )}</code></details></td><td><code>${escapeHtml(s.file ? `${s.file}:${s.line}` : "")}</code></td><td>${escapeHtml(growth)}</td><td>${escapeHtml(formatBytes(s.inuseBytes))}</td><td>${s.heap?.role === "replacement" ? "replacement" : `${percentOf(s.shareOfGrowth)} %`}</td><td>${escapeHtml(s.hint)}${s.heap?.heldBy ? heldByHtml(s.heap.heldBy, s.heap.heldByNote, escapeHtml) : ""}</td></tr>`;
    })
    .join("\n");
  const evidence = diagnosis.evidence
    .map(
      (e) =>
        `<tr><td class="ev-${e.weight}">${escapeHtml(e.label)}</td><td>${escapeHtml(e.detail)}</td></tr>`,
    )
    .join("\n");
  const hints = diagnosis.hints
    .map(
      (h) =>
        `<li><strong>${escapeHtml(h.title)}</strong>${h.suspect ? ` <code>${escapeHtml(h.suspect)}</code>` : ""}<br>${escapeHtml(h.hypothesis)}<ul>${h.evidence
          .map((e) => `<li>evidence: ${escapeHtml(e)}</li>`)
          .join("")}<li>fix: <span style="white-space:pre-wrap">${escapeHtml(h.fix)}</span></li></ul></li>`,
    )
    .join("\n");
  const title = options.title ?? `heapscope doctor — ${o.subject}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>heapscope doctor <span class="verdict ${diagnosis.verdict}">${escapeHtml(diagnosis.verdict)}</span></h1>
<p>${escapeHtml(diagnosis.summary)}</p>
<p class="muted">${escapeHtml(o.subject)} · ${formatDuration(o.spanSeconds)} observed · ${o.heapSnapshots} heap snapshots · ${o.goroutineSnapshots} goroutine snapshots · ${o.memStatsSamples} MemStats samples · ${o.gcCycles} GC cycles${options.generatedAt ? ` · ${escapeHtml(options.generatedAt)}` : ""}</p>
${describeDecision(diagnosis.decision) ? `<p class="muted">${escapeHtml(describeDecision(diagnosis.decision)!)}</p>` : ""}
<h2>Why</h2><ul>${diagnosis.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join("")}${diagnosis.toDecide ? `<li><strong>To decide:</strong> ${escapeHtml(diagnosis.toDecide)}</li>` : ""}</ul>
<h2>Over time</h2><div class="charts">
${lineChartSvg(diagnosis.charts.liveHeap, { title: "live heap after GC", unit: "bytes", color: "#c0392b" })}
${lineChartSvg(diagnosis.charts.goroutines, { title: "goroutines", unit: "count", color: "#2e86c1" })}
${diagnosis.charts.rss.length > 0 ? lineChartSvg(diagnosis.charts.rss, { title: "resident memory (RSS)", unit: "bytes", color: "#7d3c98" }) : ""}
</div>
<h2>Suspects</h2>
${diagnosis.suspects.length > 0 ? `<table><tr><th>#</th><th>kind</th><th>function</th><th>where</th><th>growth</th><th>in use</th><th>share</th><th>hint</th></tr>${suspectsRows}</table><p class="muted">${escapeHtml(diagnosis.caveat)}</p>` : `<p class="muted">No suspects.</p>`}
${movementAndHoldersHtml(diagnosis)}
${diagnosis.retention ? holdersHtml(diagnosis.retention, escapeHtml) : ""}
<h2>Growth between the first and the last snapshot</h2>
${growthFlameGraphSvg(diagnosis.growthStacks)}
<h2>Evidence</h2><table>${evidence}</table>
${hints ? `<h2>Hints</h2><ul>${hints}</ul>` : ""}
${diagnosis.notes.length > 0 ? `<h2>Notes</h2><ul>${diagnosis.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>` : ""}
</body></html>
`;
}

/** What moved in the live heap (when it matters) and what holds it now. */
function movementAndHoldersHtml(diagnosis: Diagnosis): string {
  const movement = movementToTell(diagnosis);
  const parts: string[] = [];
  if (movement) parts.push(`<h2>What moved in the live heap</h2><p>${escapeHtml(movement)}</p>`);
  if (diagnosis.liveHeapBySite.length > 0) {
    const rows = diagnosis.liveHeapBySite
      .map(
        (h) =>
          `<tr><td><code>${escapeHtml(h.function)}</code></td><td><code>${escapeHtml(h.file ? `${h.file}:${h.lines.length > 1 ? h.lines.join(", ") : h.line}` : "")}</code></td><td>${escapeHtml(formatBytes(h.inuseBytes))}</td><td>${Math.round(h.inuseObjects)}</td><td>${percentOf(h.shareOfLiveHeap)} %</td></tr>`,
      )
      .join("\n");
    parts.push(
      `<h2>What holds the live heap now</h2><table><tr><th>function</th><th>where</th><th>in use</th><th>objects</th><th>share of the live heap</th></tr>${rows}</table>`,
    );
  }
  return parts.join("\n");
}
