/**
 * What holds the memory, from a heap dump, for every surface: the overall holders (roots by retained
 * bytes) and a heap suspect's holders (heldBy), as terminal text, Markdown, HTML and JSON. Labels
 * come from the target (function and symbol names): escaped for Markdown and HTML, control
 * characters removed for the terminal.
 */
import type { RetentionPathStep, RetentionSummary, SuspectHolder } from "../diagnose/types.js";
import { formatBytes } from "../model/units.js";
import {
  plainText as plain,
  sliceFindingsTextLines,
  typedHolderInline,
  typedHolderTextLines,
} from "./typed-retention-report.js";

function percent(share: number): string {
  return `${(100 * share).toFixed(share < 0.1 ? 1 : 0)} %`;
}

/**
 * `48 B @+0 → 16 KiB main.ingest (main.go:24) @+8`; with types, each step by its field and type:
 * `.series (map[string]*main.series) 48 B → value (main.series) 96 B → …` (map storage left out).
 */
export function pathText(fullPath: RetentionPathStep[], maxSteps = 6): string {
  // A map's own storage steps differ between Go versions' layouts and say nothing to the reader.
  const path = fullPath.filter((s) => !s.mapInternal);
  const steps = path.length > maxSteps ? [...path.slice(0, 2), null, ...path.slice(-(maxSteps - 3))] : path;
  return steps.map((s) => (s === null ? "…" : stepText(s))).join(" → ");
}

function stepText(s: RetentionPathStep): string {
  const site = s.site ? ` ${s.site}` : "";
  if (!s.field) return `${s.type ? `(${s.type}) ` : ""}${formatBytes(s.bytes)}${site} @+${s.offset}`;
  return `${s.field}${s.type ? ` (${s.type})` : ""} ${formatBytes(s.bytes)}${site}`;
}

export function holdersTextLines(summary: RetentionSummary, top = 10): string[] {
  const lines = [
    `Holders (heap dump, ${summary.goVersion}): ${formatBytes(summary.reachableBytes)} reachable` +
      (summary.heapAlloc !== null ? ` (MemStats HeapAlloc ${formatBytes(summary.heapAlloc)})` : ""),
  ];
  if (summary.holders.length === 0) lines.push("  no root of the program keeps heap memory alone");
  for (const h of summary.holders.slice(0, top)) {
    lines.push(
      `  ${formatBytes(h.retainedBytes).padStart(10)}  ${percent(h.share).padStart(6)}  ${h.rootKind.padEnd(9)} ${plain(h.root)}`,
    );
    if (h.path.length > 0) lines.push(`      path: ${plain(pathText(h.path))}`);
    lines.push(...typedHolderTextLines(h, "      "));
  }
  if (summary.sharedBytes > 0)
    lines.push(`  ${formatBytes(summary.sharedBytes).padStart(10)}  kept by several roots together`);
  const runtime = summary.runtimeHolders.slice(0, 3);
  if (runtime.length > 0)
    lines.push(
      `  runtime (not the program's holders): ${runtime.map((h) => `${plain(h.root)} ${formatBytes(h.retainedBytes)}`).join(", ")}`,
    );
  for (const limit of summary.limits) lines.push(`  limit: ${plain(limit)}`);
  return lines;
}

/** `heapscope retainers`' text: the holders, then the slice findings with their fixes. */
export function retainersTextLines(summary: RetentionSummary, top = 10): string[] {
  return [...holdersTextLines(summary, top), ...sliceFindingsTextLines(summary.sliceFindings ?? [])];
}

export function heldByTextLines(
  heldBy: SuspectHolder[],
  note: string | undefined,
  indent = "     ",
): string[] {
  const lines: string[] = [];
  if (heldBy.length > 0) lines.push(`${indent}What holds it:`);
  for (const h of heldBy.slice(0, 3)) {
    const figure =
      h.claim === "estimate"
        ? `${percent(h.share!)} of its sampled bytes, ~${formatBytes(h.retainedBytes!)}`
        : `too few samples (${h.samples})`;
    lines.push(`${indent}  ${h.rootKind} ${plain(h.root)}: ${figure}`);
    if (h.path.length > 0) lines.push(`${indent}    path: ${plain(pathText(h.path))}`);
    lines.push(...typedHolderTextLines(h, `${indent}    `));
  }
  if (note) lines.push(`${indent}${plain(note)}`);
  return lines;
}

type Escape = (text: string) => string;

/** An escaped typed fragment after a path ("" when there is none). */
function withTyped(fragment: string, separator = "; "): string {
  return fragment ? `${separator}${fragment}` : "";
}

export function holdersMarkdown(summary: RetentionSummary, esc: Escape, top = 10): string[] {
  const lines = [
    "### Holders",
    "",
    `From a heap dump (${esc(summary.goVersion)}): ${formatBytes(summary.reachableBytes)} reachable` +
      (summary.heapAlloc !== null ? `, MemStats HeapAlloc ${formatBytes(summary.heapAlloc)}` : "") +
      ".",
    "",
    "| Retained | Share | Kind | Root | Path |",
    "|---:|---:|---|---|---|",
  ];
  for (const h of summary.holders.slice(0, top))
    lines.push(
      `| ${formatBytes(h.retainedBytes)} | ${percent(h.share)} | ${h.rootKind} | ${esc(h.root)} | ${esc(pathText(h.path))}${withTyped(typedHolderInline(h, esc))} |`,
    );
  if (summary.sharedBytes > 0)
    lines.push("", `Kept by several roots together: ${formatBytes(summary.sharedBytes)}.`);
  if (summary.runtimeHolders.length > 0)
    lines.push(
      "",
      `Runtime roots (not the program's holders): ${summary.runtimeHolders
        .slice(0, 3)
        .map((h) => `${esc(h.root)} ${formatBytes(h.retainedBytes)}`)
        .join(", ")}.`,
    );
  for (const limit of summary.limits) lines.push("", `Limit: ${esc(limit)}`);
  return lines;
}

export function heldByMarkdown(heldBy: SuspectHolder[], note: string | undefined, esc: Escape): string[] {
  const lines: string[] = [];
  if (heldBy.length > 0) lines.push("", "What holds it:", "");
  for (const h of heldBy.slice(0, 3)) {
    const figure =
      h.claim === "estimate"
        ? `${percent(h.share!)} of its sampled bytes, ~${formatBytes(h.retainedBytes!)}`
        : `too few samples (${h.samples})`;
    lines.push(
      `- ${h.rootKind} ${esc(h.root)}: ${figure}; path ${esc(pathText(h.path))}${withTyped(typedHolderInline(h, esc))}`,
    );
  }
  if (note) lines.push("", esc(note));
  return lines;
}

export function holdersHtml(summary: RetentionSummary, esc: Escape, top = 10): string {
  const rows = summary.holders
    .slice(0, top)
    .map(
      (h) =>
        `<tr><td class="num">${formatBytes(h.retainedBytes)}</td><td class="num">${percent(h.share)}</td><td>${h.rootKind}</td><td><code>${esc(h.root)}</code></td><td>${esc(pathText(h.path))}${withTyped(typedHolderInline(h, esc), "<br>")}</td></tr>`,
    )
    .join("");
  const heapAlloc =
    summary.heapAlloc !== null ? `, MemStats HeapAlloc ${formatBytes(summary.heapAlloc)}` : "";
  const runtime = summary.runtimeHolders
    .slice(0, 3)
    .map((h) => `${esc(h.root)} ${formatBytes(h.retainedBytes)}`)
    .join(", ");
  return `<section id="holders"><h2>Holders</h2><p>From a heap dump (${esc(summary.goVersion)}): ${formatBytes(summary.reachableBytes)} reachable${heapAlloc}.</p>
<table><thead><tr><th>Retained</th><th>Share</th><th>Kind</th><th>Root</th><th>Path</th></tr></thead><tbody>${rows}</tbody></table>
${summary.sharedBytes > 0 ? `<p>Kept by several roots together: ${formatBytes(summary.sharedBytes)}.</p>` : ""}${runtime ? `<p>Runtime roots (not the program's holders): ${runtime}.</p>` : ""}${summary.limits.map((l) => `<p class="limit">Limit: ${esc(l)}</p>`).join("")}</section>`;
}

export function heldByHtml(heldBy: SuspectHolder[], note: string | undefined, esc: Escape): string {
  const items = heldBy
    .slice(0, 3)
    .map((h) => {
      const figure =
        h.claim === "estimate"
          ? `${percent(h.share!)} of its sampled bytes, ~${formatBytes(h.retainedBytes!)}`
          : `too few samples (${h.samples})`;
      return `<li>${h.rootKind} <code>${esc(h.root)}</code>: ${figure}<br><small>${esc(pathText(h.path))}${withTyped(typedHolderInline(h, esc), "<br>")}</small></li>`;
    })
    .join("");
  if (!items && !note) return "";
  return `<div class="held-by"><h4>What holds it</h4>${items ? `<ul>${items}</ul>` : ""}${note ? `<p>${esc(note)}</p>` : ""}</div>`;
}

/** The JSON of `heapscope retainers --json` and of doctor's `holders` context. */
export function retentionJson(summary: RetentionSummary): Record<string, unknown> {
  return {
    reachableBytes: summary.reachableBytes,
    reachableObjects: summary.reachableObjects,
    heapAlloc: summary.heapAlloc,
    unreachableBytes: summary.unreachableBytes,
    sharedBytes: summary.sharedBytes,
    roots: summary.roots,
    holders: summary.holders,
    runtimeHolders: summary.runtimeHolders,
    limits: summary.limits,
    goVersion: summary.goVersion,
    dumpBytes: summary.dumpBytes,
    types: summary.types ?? null,
    sliceFindings: summary.sliceFindings ?? [],
  };
}
