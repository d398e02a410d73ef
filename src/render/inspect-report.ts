/**
 * `heapscope inspect`: what a recording holds, as text, Markdown or JSON. Pure: takes the data the
 * reader returned, does no I/O.
 */

import type {
  CollectErrorRecord,
  GapRecord,
  HeapSnapshotInfo,
  RecordingSettings,
  RecordingSummary,
  TargetDescription,
  TargetExit,
  ThinningRecord,
} from "../model/recording.js";
import { formatBytes, formatDurationMs } from "../model/units.js";

export interface InspectInput {
  summary: RecordingSummary;
  heapSnapshots: HeapSnapshotInfo[];
  errors: CollectErrorRecord[];
  gaps: GapRecord[];
  /** Result of PRAGMA integrity_check, when asked for. */
  integrity?: string;
  /** Heap dumps kept with --keep-dump, and the binary kept beside each. */
  heapDumps?: KeptHeapDumpInfo[];
}

/** A kept heap dump as the store lists it. */
export interface KeptHeapDumpInfo {
  atMs: number;
  goVersion: string;
  size: number;
  binary: { name: string; size: number; storedSize: number } | null;
}

/** The JSON form; the first fields are the documented contract, the rest is extra detail. */
export interface InspectReport {
  target: TargetDescription;
  heapSnapshots: number;
  goroutineSnapshots: number;
  memstatsSamples: number;
  gcCycles: number;
  errors: number;
  targetExit: { code: number | null; signal: string | null } | null;
  complete: boolean;
  path: string;
  schemaVersion: number;
  heapscopeVersion: string;
  settings: RecordingSettings | null;
  startedAt: string | null;
  endedAt: string | null;
  endReason: string | null;
  samples: number;
  durationMs: number | null;
  heapSnapshotsThinned: number;
  goroutineDumps: number;
  goroutineLeakSnapshots: number;
  rssSamples: number;
  gcCyclesOtherProcesses: number;
  gaps: { start: string; end: string | null; durationMs: number | null; attempts: number; reason: string }[];
  thinning: { kind: string; count: number; freedBytes: number; oldest: string; newest: string }[];
  storageFull: boolean;
  fileBytes: number;
  errorsBySource: Record<string, number>;
  /** The first errors (at most 20) and the last one. */
  errorSamples: { at: string; source: string; kind: string; message: string; url: string | null }[];
  liveHeap: {
    firstBytes: number | null;
    lastBytes: number | null;
    minBytes: number | null;
    maxBytes: number | null;
  };
  snapshots: {
    n: number | null;
    at: string;
    inuseBytes: number | null;
    inuseObjects: number | null;
    receivedBytes: number;
    thinned: boolean;
  }[];
  integrity?: string;
  /** Heap dumps kept (doctor --keep-dump); `binary` names and types them (null: globals unnamed). */
  heapDumps: {
    at: string;
    goVersion: string;
    bytes: number;
    binary: { name: string; bytes: number; storedBytes: number } | null;
  }[];
}

const MAX_ERROR_SAMPLES = 20;

export function buildInspectReport(input: InspectInput): InspectReport {
  const { summary } = input;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const inuse = input.heapSnapshots.map((s) => s.inuseBytes).filter((v): v is number => v !== null);
  const errorsBySource: Record<string, number> = {};
  for (const error of input.errors) errorsBySource[error.source] = (errorsBySource[error.source] ?? 0) + 1;
  const errorSamples = input.errors.slice(0, MAX_ERROR_SAMPLES);
  if (input.errors.length > MAX_ERROR_SAMPLES) errorSamples.push(input.errors[input.errors.length - 1]!);
  const report: InspectReport = {
    target: summary.target,
    heapSnapshots: summary.heapSnapshots,
    goroutineSnapshots: summary.goroutineSnapshots,
    memstatsSamples: summary.memstatsSamples,
    gcCycles: summary.gcCycles,
    errors: summary.errors,
    targetExit: summary.targetExit ? exitOf(summary.targetExit) : null,
    complete: summary.complete,
    path: summary.path,
    schemaVersion: summary.schemaVersion,
    heapscopeVersion: summary.heapscopeVersion,
    settings: summary.settings,
    startedAt: iso(summary.startedMs),
    endedAt: iso(summary.endedMs),
    endReason: summary.endReason,
    samples: summary.samples,
    durationMs:
      summary.firstSampleMs !== null && summary.lastSampleMs !== null
        ? summary.lastSampleMs - summary.firstSampleMs
        : null,
    heapSnapshotsThinned: summary.heapSnapshotsThinned,
    goroutineDumps: summary.goroutineDumps,
    goroutineLeakSnapshots: summary.goroutineLeakSnapshots,
    rssSamples: summary.rssSamples,
    gcCyclesOtherProcesses: summary.gcCyclesOtherProcesses,
    gaps: input.gaps.map((gap) => ({
      start: iso(gap.startMs)!,
      end: iso(gap.endMs),
      durationMs: gap.endMs === null ? null : gap.endMs - gap.startMs,
      attempts: gap.attempts,
      reason: gap.reason,
    })),
    thinning: summarizeThinning(summary.thinning),
    storageFull: summary.storageFull,
    fileBytes: summary.fileBytes,
    errorsBySource,
    errorSamples: errorSamples.map((e) => ({
      at: iso(e.atMs)!,
      source: e.source,
      kind: e.kind,
      message: e.message,
      url: e.url,
    })),
    liveHeap: {
      firstBytes: inuse[0] ?? null,
      lastBytes: inuse[inuse.length - 1] ?? null,
      minBytes: inuse.length ? Math.min(...inuse) : null,
      maxBytes: inuse.length ? Math.max(...inuse) : null,
    },
    snapshots: input.heapSnapshots.map((s) => ({
      n: s.index,
      at: iso(s.atMs)!,
      inuseBytes: s.inuseBytes,
      inuseObjects: s.inuseObjects,
      receivedBytes: s.receivedBytes,
      thinned: s.thinned,
    })),
    heapDumps: keptDumps(input.heapDumps ?? []),
  };
  if (input.integrity !== undefined) report.integrity = input.integrity;
  return report;
}

function keptDumps(dumps: KeptHeapDumpInfo[]): InspectReport["heapDumps"] {
  return dumps.map((d) => ({
    at: new Date(d.atMs).toISOString(),
    goVersion: d.goVersion,
    bytes: d.size,
    binary: d.binary ? { name: d.binary.name, bytes: d.binary.size, storedBytes: d.binary.storedSize } : null,
  }));
}

function exitOf(exit: TargetExit): { code: number | null; signal: string | null } {
  return { code: exit.code, signal: exit.signal };
}

function summarizeThinning(records: ThinningRecord[]): InspectReport["thinning"] {
  const byKind = new Map<string, { count: number; freedBytes: number; oldest: number; newest: number }>();
  for (const record of records) {
    const entry = byKind.get(record.kind) ?? {
      count: 0,
      freedBytes: 0,
      oldest: record.oldestMs,
      newest: record.newestMs,
    };
    entry.count += record.count;
    entry.freedBytes += record.freedBytes;
    entry.oldest = Math.min(entry.oldest, record.oldestMs);
    entry.newest = Math.max(entry.newest, record.newestMs);
    byKind.set(record.kind, entry);
  }
  return [...byKind].map(([kind, e]) => ({
    kind,
    count: e.count,
    freedBytes: e.freedBytes,
    oldest: new Date(e.oldest).toISOString(),
    newest: new Date(e.newest).toISOString(),
  }));
}

const THINNED_KIND_NAMES: Record<string, string> = {
  heap: "heap snapshots",
  "goroutine-profile": "goroutine profiles",
  "goroutine-dump": "goroutine dumps",
  "goroutine-leak": "goroutineleak profiles",
};

/** Plain text for a terminal. `markdown` escapes untrusted text and uses Markdown structure. */
export function renderInspectReport(report: InspectReport, format: "text" | "markdown"): string {
  const out = new ReportLines(format === "markdown");
  writeOverview(out, report);
  writeTarget(out, report);
  writeContents(out, report);
  if (report.thinning.length > 0 || report.storageFull) writeThinning(out, report);
  if (report.gaps.length > 0) writeGaps(out, report);
  if (report.errorSamples.length > 0) writeErrors(out, report);
  if (report.snapshots.length > 0) writeSnapshots(out, report);
  if (report.integrity !== undefined) {
    out.heading("Integrity");
    out.text(out.esc(report.integrity));
  }
  return `${out.lines.join("\n").replace(/^\n+/, "")}\n`;
}

/** The report's lines, in text or Markdown. */
class ReportLines {
  readonly lines: string[] = [];

  constructor(readonly md: boolean) {}

  /** Untrusted text, escaped for Markdown. */
  esc(text: string): string {
    return this.md ? escapeMarkdown(text) : text;
  }

  code(text: string): string {
    return this.md ? `\`${text.replaceAll("`", "'")}\`` : text;
  }

  heading(text: string): void {
    this.lines.push(this.md ? `\n## ${text}\n` : `\n${text}`);
  }

  item(label: string, value: string): void {
    this.lines.push(this.md ? `- **${label}:** ${value}` : `  ${label.padEnd(20)} ${value}`);
  }

  /** A list entry. */
  entry(text: string): void {
    this.lines.push(`${this.md ? "- " : "  "}${text}`);
  }

  /** A line of prose under a heading. */
  text(text: string): void {
    this.lines.push(`${this.md ? "" : "  "}${text}`);
  }
}

function writeOverview(out: ReportLines, report: InspectReport): void {
  out.lines.push(out.md ? `# Recording ${out.code(report.path)}\n` : `Recording ${report.path}`);
  const status = report.complete
    ? "complete"
    : "INCOMPLETE (heapscope did not end normally; everything committed before that is here)";
  out.item("status", status);
  out.item("recorded by", `heapscope ${out.esc(report.heapscopeVersion)} (schema ${report.schemaVersion})`);
  if (report.startedAt) out.item("started", report.startedAt);
  if (report.endedAt)
    out.item("ended", `${report.endedAt}${report.endReason ? ` (${out.esc(report.endReason)})` : ""}`);
  if (report.durationMs !== null) out.item("sampled for", formatDurationMs(report.durationMs));
  out.item("file size", formatBytes(report.fileBytes));
}

function writeTarget(out: ReportLines, report: InspectReport): void {
  out.heading("Target");
  const target = report.target;
  if (target.url) out.item("url", out.code(target.url));
  if (target.command) out.item("command", out.code(target.command.join(" ")));
  if (target.cmdline) out.item("cmdline", out.code(target.cmdline.join(" ")));
  if (target.pid !== null) out.item("pid", String(target.pid));
  if (target.goVersion) out.item("go version", out.esc(target.goVersion));
  for (const [name, url] of Object.entries(target.endpoints)) if (url) out.item(name, out.code(url));
  if (target.headerNames.length) out.item("headers sent", out.esc(target.headerNames.join(", ")));
  if (report.targetExit) out.item("exit", describeExit(report.targetExit));
  if (report.settings) {
    const s = report.settings;
    out.item(
      "settings",
      `every ${formatDurationMs(s.intervalMs)}${s.durationMs ? ` for ${formatDurationMs(s.durationMs)}` : ""}, ` +
        `${describeGcMode(s)}, dump every ${s.dumpEvery || "first/last"}, max ${formatBytes(s.maxSizeBytes)}` +
        `${s.keepVars ? ", raw vars kept" : ""}`,
    );
  }
}

function writeContents(out: ReportLines, report: InspectReport): void {
  out.heading("Contents");
  out.item("samples", String(report.samples));
  out.item(
    "heap snapshots",
    `${report.heapSnapshots}${report.heapSnapshotsThinned ? ` stored, ${report.heapSnapshotsThinned} thinned (summaries kept)` : ""}`,
  );
  out.item("goroutine profiles", String(report.goroutineSnapshots));
  out.item("goroutine dumps", String(report.goroutineDumps));
  if (report.goroutineLeakSnapshots) out.item("goroutineleak", String(report.goroutineLeakSnapshots));
  out.item("memstats samples", String(report.memstatsSamples));
  out.item("rss samples", String(report.rssSamples));
  out.item(
    "gc cycles",
    `${report.gcCycles}${report.gcCyclesOtherProcesses ? ` (+${report.gcCyclesOtherProcesses} from other processes, e.g. the go toolchain)` : ""}`,
  );
  for (const d of report.heapDumps) {
    const names = d.binary
      ? `named by the binary kept with it, ${out.esc(d.binary.name)} (${formatBytes(d.binary.bytes)}, ${formatBytes(d.binary.storedBytes)} stored)`
      : "no binary kept: globals and closures unnamed, no types";
    out.item("heap dump", `${d.goVersion}, ${formatBytes(d.bytes)}, at ${d.at}; ${names}`);
  }
  out.item("errors", String(report.errors));
  out.item("gaps", String(report.gaps.length));
  if (report.liveHeap.firstBytes !== null) {
    out.item(
      "in-use heap",
      `${formatBytes(report.liveHeap.firstBytes)} → ${formatBytes(report.liveHeap.lastBytes!)} (min ${formatBytes(report.liveHeap.minBytes!)}, max ${formatBytes(report.liveHeap.maxBytes!)})`,
    );
  }
}

function writeThinning(out: ReportLines, report: InspectReport): void {
  out.heading("Thinned to stay under --max-size");
  for (const t of report.thinning) {
    out.entry(
      `${t.count} ${THINNED_KIND_NAMES[t.kind] ?? t.kind} between ${t.oldest} and ${t.newest} (${formatBytes(t.freedBytes)} freed)`,
    );
  }
  if (report.storageFull) {
    out.entry("the size cap was reached: later raw profiles were not stored (summaries were)");
  }
}

function writeGaps(out: ReportLines, report: InspectReport): void {
  out.heading("Gaps (target not answering)");
  for (const gap of report.gaps) {
    const span = gap.durationMs === null ? "until the end" : formatDurationMs(gap.durationMs);
    out.entry(`${gap.start}  ${span}, ${gap.attempts} attempt(s): ${out.esc(gap.reason)}`);
  }
}

function writeErrors(out: ReportLines, report: InspectReport): void {
  out.heading("Errors");
  const bySource = Object.entries(report.errorsBySource)
    .map(([source, n]) => `${source} ${n}`)
    .join(", ");
  out.text(`by source: ${out.esc(bySource)}`);
  for (const error of report.errorSamples) {
    out.entry(`${error.at}  ${error.source} (${error.kind}): ${out.esc(error.message)}`);
  }
  if (report.errors > report.errorSamples.length) {
    out.entry(`… ${report.errors - report.errorSamples.length} more`);
  }
}

function writeSnapshots(out: ReportLines, report: InspectReport): void {
  const md = out.md;
  out.heading("Heap snapshots (FILE#N)");
  const shown = abbreviate(report.snapshots, 12);
  if (md) out.lines.push("| # | time | in-use | objects | size |", "|---|---|---|---|---|");
  for (const entry of shown) {
    if (entry === null) {
      out.lines.push(md ? "| … | | | | |" : "  …");
      continue;
    }
    const n = entry.n === null ? "thinned" : `#${entry.n}`;
    const inuseText = entry.inuseBytes === null ? "?" : formatBytes(entry.inuseBytes);
    const objects = entry.inuseObjects === null ? "?" : String(entry.inuseObjects);
    const size = entry.thinned ? "-" : formatBytes(entry.receivedBytes);
    out.lines.push(
      md
        ? `| ${n} | ${entry.at} | ${inuseText} | ${objects} | ${size} |`
        : `  ${n.padStart(8)}  ${entry.at}  ${inuseText.padStart(10)}  ${objects.padStart(10)} objects  ${size}`,
    );
  }
}

function describeGcMode(settings: RecordingSettings): string {
  const mode = settings.gcMode ?? (settings.forceGc ? "always" : "never");
  return mode === "always" ? "gc=1 every sample" : mode === "auto" ? "gc=1 when stale" : "no forced GC";
}

export function describeExit(exit: { code: number | null; signal: string | null }): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

/** First and last `keep/2` items with a null marking the cut. */
function abbreviate<T>(items: T[], keep: number): (T | null)[] {
  if (items.length <= keep) return items;
  return [...items.slice(0, keep / 2), null, ...items.slice(-keep / 2)];
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&]/g, (c) =>
    c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : `\\${c}`,
  );
}
