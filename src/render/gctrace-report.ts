/**
 * `heapscope gctrace` output: text (terminal), Markdown and JSON of a gctrace analysis.
 * No analysis here: everything shown comes from GcTraceAnalysis.
 */
import pc from "picocolors";
import type { GcRunSummary, GcTraceAnalysis } from "../analysis/gc-stats.js";
import type { SkippedLineCounts } from "../formats/gctrace/index.js";
import { formatBytes, formatDuration, formatDurationMs, formatSignedByteRate } from "../model/units.js";
import { timeSparkline } from "./sparkline.js";

export interface GcTraceTextOptions {
  color?: boolean;
  /** Sparkline columns (default 60). */
  width?: number;
}

/** The JSON document of `heapscope gctrace --json`. */
export function gcTraceReportJson(report: GcTraceAnalysis): Record<string, unknown> {
  const s = report.summary;
  return {
    input: report.input,
    cycles: s.cycles,
    verdict: s.verdict,
    reason: s.reason,
    liveHeap: {
      firstBytes: s.liveHeap.firstBytes,
      lastBytes: s.liveHeap.lastBytes,
      minBytes: s.liveHeap.minBytes,
      maxBytes: s.liveHeap.maxBytes,
      slopeBytesPerSecond: s.liveHeap.slopeBytesPerSecond,
      slopeLowBytesPerSecond: finiteOrNull(s.liveHeap.slopeLowBytesPerSecond),
      slopeHighBytesPerSecond: finiteOrNull(s.liveHeap.slopeHighBytesPerSecond),
      relativeSlopePerHour: s.liveHeap.relativeSlopePerHour,
      regimeStartSeconds: s.liveHeap.regimeStartSeconds,
      judgedSignal: s.judgedSignal,
      series: s.liveHeap.series,
    },
    trend: {
      // The series verdict of the trend engine (growing, bounded, undecided, insufficient).
      verdict: s.trend.verdict,
      reason: s.trend.reason,
      policy: s.trend.policy,
      alpha: s.trend.alpha,
      // Points in the judged regime.
      points: s.trend.regimePoints,
      ...(s.trend.notLevelledOff ? { notLevelledOff: true } : {}),
      regimeStartSeconds: s.trend.regimeStartSeconds,
      regimeEndSeconds: s.trend.regimeEndSeconds,
      regimeStartsSeconds: s.trend.regimeStartsSeconds,
      slopePerSecond: s.trend.slopePerSecond,
      slopeLowPerSecond: finiteOrNull(s.trend.slopeLowPerSecond),
      slopeHighPerSecond: finiteOrNull(s.trend.slopeHighPerSecond),
      relativeSlopePerHour: s.trend.relativeSlopePerHour,
      pValue: s.trend.pValue,
      pValuePlain: s.trend.pValuePlain,
      level: s.trend.level,
      confidence: s.trend.confidence,
      decidedBy: s.trend.decidedBy,
    },
    gcCpuPercent: round(s.gcCpu.percent, 3),
    gcCpu: {
      percent: round(s.gcCpu.percent, 3),
      printedCumulativePercent: s.gcCpu.printedCumulativePercent,
      maxWindowPercent: round(s.gcCpu.maxWindowPercent, 3),
      windowSeconds: s.gcCpu.windowSeconds,
      assistShare: round(s.gcCpu.assistShare, 4),
      windows: s.gcCpu.windows.map((w) => ({ ...w, percent: round(w.percent, 3) })),
    },
    pauseMs: {
      p50: s.pauses.p50Ms,
      p99: s.pauses.p99Ms,
      max: s.pauses.maxMs,
      total: round(s.pauses.totalMs, 3),
      sampled: s.pauses.sampled,
    },
    heapGoal: s.heapGoal,
    forcedCycles: s.forcedCycles,
    periodicCycles: s.periodicCycles,
    scavenger: s.scavenger,
    projection: s.projection,
    durationSeconds: s.durationSeconds,
    procs: s.procs,
    missingCycles: s.missingCycles,
    skippedLines: report.skippedLines,
    skipped: report.skipped,
    lines: {
      total: report.totalLines,
      cycles: report.cycleLines,
      scavenger: report.scavengerLines,
      repairedGcLines: report.repairedGcLines,
    },
    processRuns: report.runs.length,
    targetRun: report.targetRunIndex + 1,
    targetRule: report.targetRule,
    runs: report.runs.map((r) => ({ ...r, run: r.index + 1, target: r.index === report.targetRunIndex })),
  };
}

/** Terminal text. */
export function renderGcTraceText(report: GcTraceAnalysis, options: GcTraceTextOptions = {}): string {
  const c = pc.createColors(options.color ?? false);
  const s = report.summary;
  const width = options.width ?? 60;
  const lines: string[] = [];
  const verdictColor = s.verdict === "growing" ? c.red : s.verdict === "stable" ? c.green : c.yellow;
  lines.push(`${c.bold("gctrace")} ${report.input}: ${describeRun(report)}`);
  lines.push(`  ${describeLines(report)}`);
  lines.push("");
  lines.push(`${c.bold("Verdict:")} ${verdictColor(c.bold(s.verdict.toUpperCase()))} — ${s.reason}`);
  lines.push("");
  const label = (text: string) => `  ${text.padEnd(20)}`;
  lines.push(
    `${label("Live heap after GC")}${formatBytes(s.liveHeap.firstBytes)} → ${formatBytes(s.liveHeap.lastBytes)} (min ${formatBytes(s.liveHeap.minBytes)}, max ${formatBytes(s.liveHeap.maxBytes)}); slope ${formatSignedByteRate(s.liveHeap.slopeBytesPerSecond)}`,
  );
  const liveSeries = s.liveHeap.series.map((p) => ({ tSeconds: p.tSeconds, value: p.bytes }));
  const drawLive = (points: { tSeconds: number; value: number }[], caption: string) => {
    if (points.length < 2) return;
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const p of points) {
      min = Math.min(min, p.value);
      max = Math.max(max, p.value);
    }
    lines.push(
      `${label("")}${c.cyan(timeSparkline(points, { width }))}  ${caption} ${formatDuration(points[0].tSeconds)}–${formatDuration(points[points.length - 1].tSeconds)}, ${formatBytes(min)}–${formatBytes(max)}`,
    );
  };
  drawLive(liveSeries, "");
  if (s.trend.regimeStartsSeconds.length > 1) {
    // The judged regime on its own scale: a warm-up would otherwise flatten it.
    drawLive(
      liveSeries.filter((p) => p.tSeconds >= s.trend.regimeStartSeconds),
      "judged:",
    );
  }
  if (s.trend.regimeStartsSeconds.length > 1) {
    lines.push(
      `${label("")}regime changes at ${s.trend.regimeStartsSeconds
        .slice(1)
        .map((t) => formatDuration(t))
        .join(", ")}; the verdict is on the last regime`,
    );
  }
  lines.push(`${label("Heap goal")}${describeGoal(s)}`);
  const cpuWindows = s.gcCpu.windows.map((w) => ({ tSeconds: w.startSeconds, value: w.percent }));
  lines.push(
    `${label("GC CPU")}${s.gcCpu.percent.toFixed(1)}% overall (runtime's cumulative figure: ${s.gcCpu.printedCumulativePercent}%), peak ${s.gcCpu.maxWindowPercent.toFixed(1)}% per ${formatDuration(s.gcCpu.windowSeconds)} window; assists ${(s.gcCpu.assistShare * 100).toFixed(0)}% of it`,
  );
  if (cpuWindows.length > 1) {
    lines.push(
      `${label("")}${c.cyan(timeSparkline(cpuWindows, { width: Math.min(width, cpuWindows.length), min: 0 }))}`,
    );
  }
  lines.push(
    `${label("STW pauses")}p50 ${formatDurationMs(s.pauses.p50Ms)}, p99 ${formatDurationMs(s.pauses.p99Ms)}, max ${formatDurationMs(s.pauses.maxMs)} over ${s.pauses.count} cycles${s.pauses.sampled ? " (percentiles from a uniform sample)" : ""}`,
  );
  lines.push(
    `${label("Forced cycles")}${s.forcedCycles} by runtime.GC/FreeOSMemory, ${s.periodicCycles} periodic (2 min without GC)`,
  );
  lines.push(`${label("Scavenger")}${describeScavenger(s)}`);
  if (s.projection)
    lines.push(
      `${label("Memory limit")}${formatBytes(s.projection.limitBytes)} (${s.projection.limitSource}): ${s.projection.note}`,
    );
  lines.push("");
  lines.push(c.dim(`  Judged signal: ${s.judgedSignal}.`));
  return `${lines.join("\n")}\n`;
}

/** Markdown (for PR comments, issues). Untrusted text (the input name) is escaped. */
export function renderGcTraceMarkdown(report: GcTraceAnalysis): string {
  const s = report.summary;
  const rows: [string, string][] = [
    ["Verdict", `**${s.verdict}**: ${escapeMarkdown(s.reason)}`],
    ["Cycles", `${s.cycles} (gc ${s.firstCycle}–${s.lastCycle}, ${formatDuration(s.durationSeconds)})`],
    [
      "Live heap after GC",
      `${formatBytes(s.liveHeap.firstBytes)} → ${formatBytes(s.liveHeap.lastBytes)} (min ${formatBytes(s.liveHeap.minBytes)}, max ${formatBytes(s.liveHeap.maxBytes)}), slope ${formatSignedByteRate(s.liveHeap.slopeBytesPerSecond)}`,
    ],
    [
      "Trend sparkline",
      `\`${timeSparkline(
        s.liveHeap.series.map((p) => ({ tSeconds: p.tSeconds, value: p.bytes })),
        { width: 40, min: 0 },
      )}\``,
    ],
    ["Heap goal", describeGoal(s)],
    [
      "GC CPU",
      `${s.gcCpu.percent.toFixed(1)}% overall, peak ${s.gcCpu.maxWindowPercent.toFixed(1)}% per ${formatDuration(s.gcCpu.windowSeconds)}`,
    ],
    [
      "STW pauses",
      `p50 ${formatDurationMs(s.pauses.p50Ms)}, p99 ${formatDurationMs(s.pauses.p99Ms)}, max ${formatDurationMs(s.pauses.maxMs)}`,
    ],
    ["Forced cycles", `${s.forcedCycles} forced, ${s.periodicCycles} periodic`],
    ["Scavenger", describeScavenger(s)],
  ];
  if (s.projection)
    rows.push([
      "Memory limit",
      escapeMarkdown(
        `${formatBytes(s.projection.limitBytes)} (${s.projection.limitSource}): ${s.projection.note}`,
      ),
    ]);
  const out = [
    `### heapscope gctrace: \`${report.input.replaceAll("`", "'")}\``,
    "",
    escapeMarkdown(`${describeRun(report)}; ${describeLines(report)}`),
    "",
    "| | |",
    "|---|---|",
    ...rows.map(([k, v]) => `| ${k} | ${v.replaceAll("|", "\\|")} |`),
    "",
  ];
  return out.join("\n");
}

function describeRun(report: GcTraceAnalysis): string {
  const s = report.summary;
  const run = `gc ${s.firstCycle}–${s.lastCycle}, ${s.cycles} cycles over ${formatDuration(s.durationSeconds)}, ${s.procs} P`;
  if (report.runs.length <= 1) return run;
  const others = report.runs
    .filter((r) => r.index !== report.targetRunIndex)
    .slice(0, 4)
    .map((r) => `#${r.index + 1} gc ${r.firstCycle}–${r.lastCycle}`)
    .join(", ");
  const more = report.runs.length > 5 ? ", …" : "";
  return `${report.runs.length} process runs; analysing #${report.targetRunIndex + 1} (${run}; ${report.targetRule}); others: ${others}${more}`;
}

function describeLines(report: GcTraceAnalysis): string {
  const parts = Object.entries(report.skipped)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${SKIPPED_NAMES[k as keyof SkippedLineCounts]}`);
  const repaired = report.repairedGcLines > 0 ? `, ${report.repairedGcLines} split gc lines rejoined` : "";
  return `${report.totalLines} lines: ${report.cycleLines} gc cycles, ${report.scavengerLines} scavenger, ${report.skippedLines} skipped${parts.length ? ` (${parts.join(", ")})` : ""}${repaired}`;
}

const SKIPPED_NAMES: Record<keyof SkippedLineCounts, string> = {
  blank: "blank",
  pacer: "pacer",
  gcForcedNotices: "GC forced notices",
  schedtrace: "schedtrace",
  malformedGcLines: "malformed gc lines",
  preGo15Lines: "pre-Go 1.5 gc lines",
  other: "other output",
};

function describeGoal(s: GcRunSummary): string {
  const g = s.heapGoal;
  const ratio = g.goalOverLive > 0 ? ` (×${g.goalOverLive.toFixed(2)} the live heap` : " (";
  const gogc = g.limitDriven
    ? "; set by the memory limit: GOGC=off or far above it)"
    : g.estimatedGogc !== null
      ? `, GOGC≈${g.estimatedGogc})`
      : ")";
  return `${formatBytes(g.lastBytes)} last, ${formatBytes(g.maxBytes)} max${ratio}${gogc}`;
}

function describeScavenger(s: GcRunSummary): string {
  const sc = s.scavenger;
  if (sc.events === 0) return "no scavenger lines (GODEBUG=scavtrace=1 adds them)";
  const total =
    sc.lastTotalReleasedBytes !== null
      ? `, ${formatBytes(sc.lastTotalReleasedBytes)} released in total at the end`
      : "";
  const util = sc.lastUtilizationPercent !== null ? `, heap utilisation ${sc.lastUtilizationPercent}%` : "";
  const forced = sc.forcedEvents > 0 ? `, ${sc.forcedEvents} forced` : "";
  return `${sc.events} reports, ${formatBytes(sc.releasedBytes)} returned to the OS${forced}${total}${util}`;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, (ch) => `\\${ch}`);
}
