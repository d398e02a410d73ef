/** `heapscope doctor --markdown`: a report to paste into an issue or a pull request. Every untrusted string is escaped. */

import { percentOf, shortPath } from "../diagnose/summary.js";
import type { Diagnosis } from "../diagnose/types.js";
import { formatBytes, formatDuration, formatSignedByteRate, formatSignedCountRate } from "../model/units.js";
import { describeDecision } from "./doctor-decision.js";
import { movementToTell, seriesSparkline } from "./doctor-text.js";
import { heldByMarkdown, holdersMarkdown } from "./retention-report.js";

/** Escapes text for Markdown (inline and table cells): HTML-significant characters and Markdown syntax. */
export function escapeMd(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, " ");
}

/** A code span that survives backticks inside the text. */
export function codeSpan(text: string): string {
  const clean = text.replace(/\r?\n/g, " ");
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") ? " " : "";
  return `${fence}${pad}${clean}${pad}${fence}`;
}

function cell(text: string): string {
  return escapeMd(text);
}

export function renderDoctorMarkdown(diagnosis: Diagnosis): string {
  const out: string[] = [];
  const icon = diagnosis.verdict === "leak" ? "🔴" : diagnosis.verdict === "no-leak" ? "🟢" : "🟡";
  out.push(`## ${icon} heapscope doctor: **${diagnosis.verdict}**`);
  out.push("");
  out.push(escapeMd(diagnosis.summary));
  out.push("");
  const o = diagnosis.observation;
  out.push(
    `_${escapeMd(o.subject)}: ${formatDuration(o.spanSeconds)} observed, ${o.heapSnapshots} heap snapshots, ${o.goroutineSnapshots} goroutine snapshots, ${o.memStatsSamples} MemStats samples._`,
  );
  const decided = describeDecision(diagnosis.decision);
  if (decided) out.push(`_${escapeMd(decided)}_`);
  out.push("");
  out.push("### Why");
  for (const reason of diagnosis.reasons) out.push(`- ${escapeMd(reason)}`);
  if (diagnosis.toDecide) out.push(`- **To decide:** ${escapeMd(diagnosis.toDecide)}`);
  if (diagnosis.suspects.length > 0) {
    out.push("");
    out.push("### Suspects");
    out.push("");
    out.push("| # | kind | function | where | growth | in use | share | trend |");
    out.push("|---|---|---|---|---|---|---|---|");
    diagnosis.suspects.slice(0, 10).forEach((s, i) => {
      const growth =
        s.kind === "goroutines"
          ? formatSignedCountRate(s.growthGoroutinesPerSecond ?? 0, "goroutines")
          : formatSignedByteRate(s.growthBytesPerSecond);
      const where = s.file ? `${s.file.split("/").slice(-2).join("/")}:${s.line}` : "";
      out.push(
        `| ${i + 1} | ${s.kind} | ${s.function ? codeSpan(s.function).replaceAll("|", "\\|") : "(outside the Go heap)"} | ${cell(where)} | ${cell(growth)} | ${cell(formatBytes(s.inuseBytes))} | ${s.heap?.role === "replacement" ? "replacement" : `${percentOf(s.shareOfGrowth)} %`} | ${seriesSparkline(s.series, 16)} |`,
      );
    });
    out.push("");
    for (const [i, s] of diagnosis.suspects.slice(0, 3).entries()) {
      if (!s.hint && s.stack.length === 0) continue;
      out.push(`<details><summary>${i + 1}. ${escapeMd(s.function || s.kind)}</summary>`);
      out.push("");
      if (s.hint) out.push(`${escapeMd(s.hint)}`);
      out.push("");
      if (s.stack.length > 0) {
        out.push("```");
        out.push(...s.stack.slice(0, 16).map((f) => f.replaceAll("```", "'''")));
        out.push("```");
      }
      out.push("</details>");
      out.push("");
    }
    out.push(...heldBySections(diagnosis));
    out.push(`> ${escapeMd(diagnosis.caveat)}`);
  }
  out.push(...movementAndHolders(diagnosis));
  if (diagnosis.retention) out.push("", ...holdersMarkdown(diagnosis.retention, escapeMd));
  if (diagnosis.hints.length > 0) {
    out.push("");
    out.push("### Hints");
    for (const hint of diagnosis.hints) {
      out.push(`- **${escapeMd(hint.title)}** — ${escapeMd(hint.hypothesis)}`);
      for (const e of hint.evidence) out.push(`  - evidence: ${escapeMd(e)}`);
      out.push(`  - fix: ${escapeMd(hint.fix)}`);
    }
  }
  if (diagnosis.evidence.length > 0) {
    out.push("");
    out.push("### Evidence");
    out.push("");
    out.push("| signal | detail |");
    out.push("|---|---|");
    for (const e of diagnosis.evidence) out.push(`| ${cell(e.label)} | ${cell(e.detail)} |`);
  }
  if (diagnosis.notes.length > 0) {
    out.push("");
    for (const note of diagnosis.notes) out.push(`_Note: ${escapeMd(note)}_`);
  }
  return `${out.join("\n")}\n`;
}

/** "What holds it" for each heap suspect a heap dump answered for. */
function heldBySections(diagnosis: Diagnosis): string[] {
  const out: string[] = [];
  for (const [i, s] of diagnosis.suspects.slice(0, 10).entries()) {
    if (!s.heap?.heldBy) continue;
    out.push(`**What holds ${i + 1}. ${escapeMd(s.function)}**`);
    out.push(...heldByMarkdown(s.heap.heldBy, s.heap.heldByNote, escapeMd), "");
  }
  return out;
}

/** What moved in the live heap (when it matters) and what holds it now (always, when known). */
function movementAndHolders(diagnosis: Diagnosis): string[] {
  const out: string[] = [];
  const movement = movementToTell(diagnosis);
  if (movement) out.push("", "### What moved in the live heap", "", escapeMd(movement));
  if (diagnosis.liveHeapBySite.length === 0) return out;
  out.push("", "### What holds the live heap now", "");
  out.push("| function | where | in use | objects | share of the live heap |");
  out.push("|---|---|---|---|---|");
  for (const h of diagnosis.liveHeapBySite.slice(0, 5)) {
    const where = h.file ? `${shortPath(h.file)}:${h.lines.length > 1 ? h.lines.join(", ") : h.line}` : "";
    out.push(
      `| ${codeSpan(h.function).replaceAll("|", "\\|")} | ${cell(where)} | ${cell(formatBytes(h.inuseBytes))} | ${Math.round(h.inuseObjects)} | ${percentOf(h.shareOfLiveHeap)} % |`,
    );
  }
  return out;
}
