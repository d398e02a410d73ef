/**
 * `heapscope doctor` for a terminal: the verdict first, then the suspects with sparklines of their
 * growth, then the evidence and the hints. Colour only when asked (the CLI decides).
 */
import type { SeriesPoint } from "../diagnose/signal-trend.js";
import { percentOf, shortPath } from "../diagnose/summary.js";
import type { Diagnosis, LiveHeapSite, Suspect } from "../diagnose/types.js";
import { formatBytes, formatDuration, formatSignedByteRate, formatSignedCountRate } from "../model/units.js";
import { describeDecision } from "./doctor-decision.js";
import { heldByTextLines, holdersTextLines } from "./retention-report.js";
import { timeSparkline } from "./sparkline.js";
import { plainText } from "./typed-retention-report.js";

export interface DoctorTextOptions {
  color?: boolean;
  /** Show every suspect and the full stacks (default: top 5, 6 frames). */
  verbose?: boolean;
  htmlPath?: string;
}

/** A suspect's series as one line over evenly spaced time columns, each showing its last value. */
export function seriesSparkline(points: SeriesPoint[], width = 24): string {
  return timeSparkline(points, { width: Math.min(width, points.length), combine: "last" });
}

function paint(enabled: boolean, code: string, text: string): string {
  return enabled ? `\u001b[${code}m${text}\u001b[0m` : text;
}

export function renderDoctorText(diagnosis: Diagnosis, options: DoctorTextOptions = {}): string {
  const color = options.color ?? false;
  const lines: string[] = [];
  const verdictColor =
    diagnosis.verdict === "leak" ? "1;31" : diagnosis.verdict === "no-leak" ? "1;32" : "1;33";
  lines.push(
    `${paint(color, verdictColor, `Verdict: ${diagnosis.verdict.toUpperCase()}`)}  ${diagnosis.summary}`,
  );
  const o = diagnosis.observation;
  lines.push(
    paint(
      color,
      "2",
      `${o.subject}: ${formatDuration(o.spanSeconds)} observed, ${o.heapSnapshots} heap snapshot${o.heapSnapshots === 1 ? "" : "s"}, ${o.goroutineSnapshots} goroutine snapshot${o.goroutineSnapshots === 1 ? "" : "s"}, ${o.memStatsSamples} MemStats, ${o.gcCycles} GC cycles, ${o.rssSamples} RSS readings${o.samplingRateBytes ? `; profiles sampled every ${formatBytes(o.samplingRateBytes)}` : ""}`,
    ),
  );
  const decided = describeDecision(diagnosis.decision);
  if (decided) lines.push(paint(color, "2", decided));
  lines.push("");
  lines.push(paint(color, "1", "Why"));
  for (const reason of diagnosis.reasons) lines.push(`  - ${reason}`);
  if (diagnosis.toDecide) lines.push(`  → ${diagnosis.toDecide}`);

  if (diagnosis.suspects.length > 0) {
    lines.push("");
    lines.push(paint(color, "1", "Suspects (ranked by how much of the growth they explain)"));
    const shown = options.verbose ? diagnosis.suspects : diagnosis.suspects.slice(0, 5);
    for (const [index, suspect] of shown.entries()) lines.push(...renderSuspect(suspect, index + 1, options));
    if (shown.length < diagnosis.suspects.length)
      lines.push(`  … ${diagnosis.suspects.length - shown.length} more (--verbose)`);
    lines.push("");
    lines.push(paint(color, "2", `  ${diagnosis.caveat}`));
  }
  const movement = movementToTell(diagnosis);
  if (movement) {
    lines.push("");
    lines.push(paint(color, "1", "What moved in the live heap"));
    lines.push(`  ${movement}`);
  }
  if (diagnosis.liveHeapBySite.length > 0) {
    lines.push("");
    lines.push(paint(color, "1", "What holds the live heap now (last heap profile)"));
    const holders = options.verbose ? diagnosis.liveHeapBySite : diagnosis.liveHeapBySite.slice(0, 5);
    for (const holder of holders) {
      lines.push(`  ${holderLine(holder)}`);
      if (holder.heldBy?.[0]) lines.push(...heldByTextLines(holder.heldBy.slice(0, 1), undefined, "    "));
    }
  }
  if (diagnosis.retention) {
    lines.push("");
    lines.push(paint(color, "1", "Holders (roots keeping the heap alive, from a heap dump)"));
    lines.push(...holdersTextLines(diagnosis.retention, options.verbose ? 10 : 5).map((l) => `  ${l}`));
  }

  if (diagnosis.evidence.length > 0) {
    lines.push("");
    lines.push(paint(color, "1", "Evidence"));
    for (const item of diagnosis.evidence) {
      const mark =
        item.weight === "leak"
          ? paint(color, "31", "▲")
          : item.weight === "healthy"
            ? paint(color, "32", "●")
            : "·";
      lines.push(`  ${mark} ${item.label}: ${item.detail}`);
    }
    const chart = diagnosis.charts.liveHeap;
    if (chart.length > 1) lines.push(`    live heap ${seriesSparkline(chart, 40)}`);
    if (diagnosis.charts.goroutines.length > 1)
      lines.push(`    goroutines ${seriesSparkline(diagnosis.charts.goroutines, 40)}`);
    if (diagnosis.charts.rss.length > 1) lines.push(`    RSS ${seriesSparkline(diagnosis.charts.rss, 40)}`);
  }

  if (diagnosis.hints.length > 0) {
    lines.push("");
    lines.push(paint(color, "1", "Hints (hypotheses — check them against your code)"));
    for (const hint of diagnosis.hints) {
      // Titles and evidence can quote the target's names and source lines: no control characters.
      lines.push(`  * ${plainText(hint.title)}${hint.suspect ? ` [${plainText(hint.suspect)}]` : ""}`);
      lines.push(`    ${plainText(hint.hypothesis)}`);
      for (const e of hint.evidence) lines.push(`    evidence: ${plainText(e)}`);
      for (const [i, fixLine] of hint.fix.split("\n").entries())
        lines.push(`    ${i === 0 ? "fix: " : "     "}${fixLine}`);
    }
  }
  if (diagnosis.notes.length > 0) {
    lines.push("");
    for (const note of diagnosis.notes) lines.push(paint(color, "2", `note: ${note}`));
  }
  if (options.htmlPath) {
    lines.push("");
    lines.push(`HTML report: ${options.htmlPath}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The movement sentence, when it says more than the suspects do: something refills what another site
 * held, or nothing grew on net although sites moved. A no-leak report leaves it to the JSON.
 */
export function movementToTell(diagnosis: Diagnosis): string | null {
  const movement = diagnosis.heapMovement;
  if (!movement?.summary || diagnosis.verdict === "no-leak") return null;
  const replaced = movement.sites.some((s) => s.role === "replacement");
  return replaced || movement.netGrowthBytesPerSecond <= 0 ? movement.summary : null;
}

/** `68.1 MiB  99 %  main.buildReport (reports/main.go:33) — 2901 objects` */
export function holderLine(holder: LiveHeapSite): string {
  const where = holder.file
    ? ` (${shortPath(holder.file)}:${holder.lines.length > 1 ? holder.lines.join(", ") : holder.line})`
    : "";
  return `${formatBytes(holder.inuseBytes).padStart(9)}  ${String(percentOf(holder.shareOfLiveHeap)).padStart(3)} %  ${holder.function}${where} — ${objectCount(holder.inuseObjects)}`;
}

export function signedRate(bytesPerSecond: number): string {
  return `${bytesPerSecond < 0 ? "−" : "+"}${formatBytes(Math.abs(bytesPerSecond))}/s`;
}

function objectCount(objects: number): string {
  const n = Math.round(objects);
  return `${n} object${n === 1 ? "" : "s"}`;
}

/** `34 % of the net growth`, or what a replacement refills. */
export function shareLabel(suspect: Suspect): string {
  if (suspect.heap?.role === "replacement")
    return `replacement: refills what ${suspect.heap.replaces.join(" and ")} held`;
  return `${percentOf(suspect.shareOfGrowth)} % of the ${suspect.kind === "heap" ? "net growth" : "growth"}`;
}

function renderSuspect(suspect: Suspect, rank: number, options: DoctorTextOptions): string[] {
  const lines: string[] = [];
  const where = suspect.file ? `${suspect.file}:${suspect.line}` : "";
  const name = suspect.function || (suspect.kind === "off-heap" ? "(memory outside the Go heap)" : "?");
  lines.push(`  ${rank}. [${suspect.kind}] ${name}  ${shareLabel(suspect)}`);
  if (where) lines.push(`     at ${where}`);
  const allocating = suspect.heap?.lines ?? [];
  if (allocating.length > 1) {
    lines.push(
      `     lines: ${allocating.map((l) => `${l.line} (${signedRate(l.growthBytesPerSecond)}, ${formatBytes(l.inuseBytes)} in use)`).join(", ")}`,
    );
  }
  const spark = seriesSparkline(suspect.series, 24);
  if (suspect.kind === "goroutines") {
    lines.push(
      `     ${spark}  ${suspect.goroutines ?? 0} goroutines, ${formatSignedCountRate(suspect.growthGoroutinesPerSecond ?? 0)}${suspect.state ? `, ${suspect.state}` : ""}${suspect.waitMinutes ? `, waiting up to ${suspect.waitMinutes} min` : ""}; ~${formatBytes(suspect.inuseBytes)} of stacks`,
    );
    if (suspect.createdBy) lines.push(`     created by ${suspect.createdBy}`);
  } else {
    lines.push(
      `     ${spark}  ${formatSignedByteRate(suspect.growthBytesPerSecond)}${suspect.kind === "heap" ? `, ${formatSignedCountRate(suspect.growthObjectsPerSecond, "objects")}, ${formatBytes(suspect.inuseBytes)} in use` : ""}`,
    );
  }
  if (suspect.objectSizes && suspect.objectSizes.length > 0) {
    lines.push(
      `     object sizes: ${suspect.objectSizes
        .slice(0, 3)
        .map((s) => `${formatBytes(s.bytes)} ×${s.objects}`)
        .join(", ")}`,
    );
  }
  if (suspect.withinSamplingNoise) lines.push("     (few profile samples: rate and rank are rough)");
  const frames = options.verbose ? suspect.stack : suspect.stack.slice(0, 6);
  if (frames.length > 0)
    lines.push(`     stack: ${frames.join(" ← ")}${frames.length < suspect.stack.length ? " ← …" : ""}`);
  if (suspect.heap?.heldBy) lines.push(...heldByTextLines(suspect.heap.heldBy, suspect.heap.heldByNote));
  if (suspect.hint) lines.push(`     hint: ${suspect.hint}`);
  return lines;
}
