/**
 * `heapscope doctor` for a terminal: the verdict first, then the suspects with sparklines of their
 * growth, then the evidence and the hints. Colour only when asked (the CLI decides).
 */
import type { SeriesPoint } from "../diagnose/signal-trend.js";
import { formatBytesShort } from "../diagnose/signal-trend.js";
import type { Diagnosis, Suspect } from "../diagnose/types.js";
import { describeDecision } from "./doctor-decision.js";

export interface DoctorTextOptions {
  color?: boolean;
  /** Show every suspect and the full stacks (default: top 5, 6 frames). */
  verbose?: boolean;
  htmlPath?: string;
}

const BARS = "▁▂▃▄▅▆▇█";

/** A one-line chart of a series (time-bucketed into `width` cells). */
export function sparkline(points: SeriesPoint[], width = 24): string {
  if (points.length === 0) return "";
  const t0 = points[0].tSeconds;
  const t1 = points[points.length - 1].tSeconds;
  const cells: number[] = [];
  const n = Math.min(width, points.length);
  for (let i = 0; i < n; i++) {
    const from = t0 + ((t1 - t0) * i) / n;
    const to = t0 + ((t1 - t0) * (i + 1)) / n;
    const inCell = points.filter(
      (p) => p.tSeconds >= from && (i === n - 1 ? p.tSeconds <= to : p.tSeconds < to),
    );
    cells.push(
      inCell.length > 0 ? inCell[inCell.length - 1].value : (cells[cells.length - 1] ?? points[0].value),
    );
  }
  const min = Math.min(...cells);
  const max = Math.max(...cells);
  if (!(max > min)) return BARS[0].repeat(cells.length);
  return cells
    .map((v) => BARS[Math.min(BARS.length - 1, Math.floor(((v - min) / (max - min)) * BARS.length))])
    .join("");
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
      `${o.subject}: ${o.spanSeconds.toFixed(0)} s observed, ${o.heapSnapshots} heap snapshot${o.heapSnapshots === 1 ? "" : "s"}, ${o.goroutineSnapshots} goroutine snapshot${o.goroutineSnapshots === 1 ? "" : "s"}, ${o.memStatsSamples} MemStats, ${o.gcCycles} GC cycles, ${o.rssSamples} RSS readings${o.samplingRateBytes ? `; profiles sampled every ${formatBytesShort(o.samplingRateBytes)}` : ""}`,
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
    if (chart.length > 1) lines.push(`    live heap ${sparkline(chart, 40)}`);
    if (diagnosis.charts.goroutines.length > 1)
      lines.push(`    goroutines ${sparkline(diagnosis.charts.goroutines, 40)}`);
    if (diagnosis.charts.rss.length > 1) lines.push(`    RSS ${sparkline(diagnosis.charts.rss, 40)}`);
  }

  if (diagnosis.hints.length > 0) {
    lines.push("");
    lines.push(paint(color, "1", "Hints (hypotheses — check them against your code)"));
    for (const hint of diagnosis.hints) {
      lines.push(`  * ${hint.title}${hint.suspect ? ` [${hint.suspect}]` : ""}`);
      lines.push(`    ${hint.hypothesis}`);
      for (const e of hint.evidence) lines.push(`    evidence: ${e}`);
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

function renderSuspect(suspect: Suspect, rank: number, options: DoctorTextOptions): string[] {
  const lines: string[] = [];
  const where = suspect.file ? `${suspect.file}:${suspect.line}` : "";
  const name = suspect.function || (suspect.kind === "off-heap" ? "(memory outside the Go heap)" : "?");
  const share = `${Math.round(suspect.shareOfGrowth * 100)} %`;
  lines.push(`  ${rank}. [${suspect.kind}] ${name}  ${share} of the growth`);
  if (where) lines.push(`     at ${where}`);
  const spark = sparkline(suspect.series, 24);
  if (suspect.kind === "goroutines") {
    lines.push(
      `     ${spark}  ${suspect.goroutines ?? 0} goroutines, +${(suspect.growthGoroutinesPerSecond ?? 0).toFixed(2)}/s${suspect.state ? `, ${suspect.state}` : ""}${suspect.waitMinutes ? `, waiting up to ${suspect.waitMinutes} min` : ""}; ~${formatBytesShort(suspect.inuseBytes)} of stacks`,
    );
    if (suspect.createdBy) lines.push(`     created by ${suspect.createdBy}`);
  } else {
    lines.push(
      `     ${spark}  +${formatBytesShort(suspect.growthBytesPerSecond)}/s${suspect.kind === "heap" ? `, +${suspect.growthObjectsPerSecond.toFixed(1)} objects/s, ${formatBytesShort(suspect.inuseBytes)} in use` : ""}`,
    );
  }
  if (suspect.objectSizes && suspect.objectSizes.length > 0) {
    lines.push(
      `     object sizes: ${suspect.objectSizes
        .slice(0, 3)
        .map((s) => `${formatBytesShort(s.bytes)} ×${s.objects}`)
        .join(", ")}`,
    );
  }
  if (suspect.withinSamplingNoise) lines.push("     (few profile samples: rate and rank are rough)");
  const frames = options.verbose ? suspect.stack : suspect.stack.slice(0, 6);
  if (frames.length > 0)
    lines.push(`     stack: ${frames.join(" ← ")}${frames.length < suspect.stack.length ? " ← …" : ""}`);
  if (suspect.hint) lines.push(`     hint: ${suspect.hint}`);
  return lines;
}
