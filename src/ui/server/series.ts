/**
 * Time series and goroutine groups for the UI: a recording's timelines (live heap after GC,
 * HeapAlloc, in-use heap of the snapshots, RSS, goroutines, GC pauses), a gctrace log's and a
 * MemStats series' timelines, and a goroutine dump's groups. x is seconds since the first point.
 */

import { liveAtMarkStartBytes, summarizeGcRun } from "../../analysis/gc-stats.js";
import { analyzeMemStats, type MemStatsTrendSignal } from "../../analysis/memstats-health.js";
import {
  judgeTrend,
  type TrendJudgement,
  type TrendPoint,
  type TrendPolicyName,
} from "../../analysis/trend.js";
import type { GcCycle } from "../../formats/gctrace/index.js";
import type { MemStatsSeries } from "../../formats/memstats.js";
import { displayFrames, type GoroutineSnapshot } from "../../model/goroutine.js";
import type { RecordingReader } from "../../store/recording-reader.js";
import type {
  GoroutineReport,
  SnapshotInfo,
  TimelineReport,
  TimelineSeries,
  TimelineTrend,
} from "../shared/api-types.js";
import type { GcTraceDocument, MemStatsDocument, RecordingDocument } from "./workspace.js";

class SeriesBuilder {
  readonly series = new Map<string, TimelineSeries>();

  add(
    key: string,
    label: string,
    unit: TimelineSeries["unit"],
    x: number,
    y: number | null | undefined,
  ): void {
    if (y === null || y === undefined || !Number.isFinite(y) || !Number.isFinite(x)) return;
    let s = this.series.get(key);
    if (!s) {
      s = { key, label, unit, x: [], y: [] };
      this.series.set(key, s);
    }
    s.x.push(x);
    s.y.push(y);
  }

  judged(key: string, trend: TrendJudgement | undefined): void {
    const s = this.series.get(key);
    if (s && trend) s.trend = timelineTrend(trend);
  }

  list(): TimelineSeries[] {
    return [...this.series.values()];
  }
}

function timelineTrend(t: TrendJudgement): TimelineTrend {
  return { verdict: t.verdict, reason: t.reason, policy: t.policy, slopePerSecond: t.slopePerSecond };
}

const MIB = 1024 * 1024;

/** A series of a recording judged as the CLI judges it (same series, same policy). */
function judgeRecordingSeries(
  points: TrendPoint[],
  policy: TrendPolicyName,
  resolution: number,
): TrendJudgement | undefined {
  if (points.length === 0) return undefined;
  return judgeTrend(points, policy, { resolution, quantized: policy === "gctrace" });
}

function roundSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

export function recordingTimeline(doc: RecordingDocument): TimelineReport {
  const recording: RecordingReader = doc.recording;
  const samples = recording.samples();
  const snapshots = recording.heapSnapshots();
  const memstats = recording.memstatsSamples();
  const cycles = recording.gcCycles();
  const goroutineSnapshots = recording.goroutineSnapshots();
  const candidates = [
    recording.startedMs,
    samples[0]?.startedMs,
    snapshots[0]?.atMs,
    memstats[0]?.atMs,
    cycles[0]?.receivedMs,
  ].filter((v): v is number => typeof v === "number");
  const origin = candidates.length > 0 ? Math.min(...candidates) : 0;
  const at = (ms: number) => roundSeconds(ms - origin);
  const b = new SeriesBuilder();
  for (const cycle of cycles) {
    b.add("liveHeap", "live heap after GC (gctrace)", "bytes", at(cycle.receivedMs), cycle.liveHeapBytes);
    b.add("heapGoal", "heap goal (gctrace)", "bytes", at(cycle.receivedMs), cycle.goalBytes);
  }
  for (const m of memstats) {
    b.add("heapAlloc", "HeapAlloc", "bytes", at(m.atMs), m.heapAlloc);
    b.add("heapInuse", "HeapInuse", "bytes", at(m.atMs), m.heapInuse);
    b.add("sys", "Sys", "bytes", at(m.atMs), m.sys);
  }
  for (const s of snapshots) b.add("inuse", "in-use heap (profile)", "bytes", at(s.atMs), s.inuseBytes);
  for (const s of samples) b.add("rss", "RSS", "bytes", at(s.startedMs), s.rssBytes);
  let haveGoroutinesFromSnapshots = false;
  for (const g of goroutineSnapshots) {
    if (g.total !== null && g.kind !== "leak") {
      haveGoroutinesFromSnapshots = true;
      b.add("goroutines", "goroutines", "count", at(g.atMs), g.total);
    }
  }
  if (!haveGoroutinesFromSnapshots) {
    for (const m of memstats) b.add("goroutines", "goroutines", "count", at(m.atMs), m.goroutines);
  }
  for (const cycle of cycles) {
    const pauseMs = (cycle.fields as Partial<GcCycle>).stwPauseMs;
    if (typeof pauseMs === "number")
      b.add("gcPause", "GC stop-the-world pause", "nanoseconds", at(cycle.receivedMs), pauseMs * 1e6);
  }
  let storedIndex = 0;
  const snapshotInfos: SnapshotInfo[] = [];
  for (const s of snapshots) {
    if (s.thinned) continue;
    storedIndex++;
    snapshotInfos.push({
      ref: `${doc.id}@${s.index ?? storedIndex}`,
      atSeconds: at(s.atMs),
      inuseBytes: s.inuseBytes,
      gcForced: s.gcForced,
    });
  }
  // The trends the CLI would give: gctrace's live heap as `heapscope gctrace` judges it, goroutines
  // and RSS as doctor does (the heap profiles' total is judged in the doctor panel, which knows
  // their sampling rate).
  const fieldsOf = (cycle: (typeof cycles)[number]) => cycle.fields as Partial<GcCycle>;
  b.judged(
    "liveHeap",
    judgeRecordingSeries(
      cycles
        .filter((c) => c.liveHeapBytes !== null && c.atSeconds !== null)
        .map((c) => ({
          tSeconds: c.atSeconds!,
          value: liveAtMarkStartBytes({ ...fieldsOf(c), liveHeapBytes: c.liveHeapBytes! }),
        })),
      "gctrace",
      MIB,
    ),
  );
  const points = (key: string) => {
    const s = b.series.get(key);
    return s ? s.x.map((x, k) => ({ tSeconds: x, value: s.y[k] ?? Number.NaN })) : [];
  };
  b.judged("goroutines", judgeRecordingSeries(points("goroutines"), "doctor-goroutines", 1));
  b.judged("rss", judgeRecordingSeries(points("rss"), "doctor-process", 2 * MIB));
  return { name: doc.name, startedAtMs: origin || null, series: b.list(), snapshots: snapshotInfos };
}

export function gcTraceTimeline(doc: GcTraceDocument): TimelineReport {
  const trace = doc.trace;
  const run = trace.runs[trace.targetRunIndex];
  const b = new SeriesBuilder();
  for (const cycle of run?.cycles ?? []) {
    const x = cycle.atSeconds;
    b.add("liveHeap", "live heap after GC", "bytes", x, cycle.liveHeapBytes);
    b.add("heapStart", "heap at GC start", "bytes", x, cycle.heapStartBytes);
    b.add("heapGoal", "heap goal", "bytes", x, cycle.goalBytes);
    b.add("gcPause", "stop-the-world pause", "nanoseconds", x, cycle.stwPauseMs * 1e6);
    b.add("gcCpu", "GC CPU % (cumulative)", "count", x, cycle.cpuPercentCumulative);
  }
  // The verdict `heapscope gctrace` gives on the same log.
  if (run && run.cycles.length > 0) b.judged("liveHeap", summarizeGcRun(run).trend);
  return { name: doc.name, startedAtMs: null, series: b.list(), snapshots: [] };
}

export function memStatsTimeline(doc: MemStatsDocument): TimelineReport {
  const series: MemStatsSeries = doc.series;
  const b = new SeriesBuilder();
  const first = series.samples.find((s) => s.atMs !== undefined)?.atMs;
  series.samples.forEach((sample, k) => {
    const x = sample.atMs !== undefined && first !== undefined ? roundSeconds(sample.atMs - first) : k;
    const f = sample.fields;
    b.add("heapAlloc", "HeapAlloc", "bytes", x, f.HeapAlloc ?? f.Alloc);
    b.add("heapInuse", "HeapInuse", "bytes", x, f.HeapInuse);
    b.add("sys", "Sys", "bytes", x, f.Sys);
    b.add("nextGc", "NextGC", "bytes", x, f.NextGC);
    b.add("rss", "RSS", "bytes", x, sample.rssBytes);
    b.add("goroutines", "goroutines", "count", x, sample.goroutines);
    b.add("heapObjects", "HeapObjects", "count", x, f.HeapObjects);
  });
  // The verdicts `heapscope memstats` gives, on the series this view draws.
  const drawnAs: Partial<Record<MemStatsTrendSignal, string>> = {
    heapGoal: "nextGc",
    rss: "rss",
    goroutines: "goroutines",
  };
  if (series.samples.length > 0) {
    for (const trend of analyzeMemStats(series).trends) {
      const key = drawnAs[trend.signal];
      if (key) b.judged(key, trend.result);
    }
  }
  return { name: doc.name, startedAtMs: first ?? null, series: b.list(), snapshots: [] };
}

export function goroutineReport(name: string, snapshot: GoroutineSnapshot): GoroutineReport {
  const states: Record<string, number> = {};
  const groups = snapshot.groups.map((group) => {
    const state = group.state ?? "";
    states[state || "unknown"] = (states[state || "unknown"] ?? 0) + group.count;
    return {
      count: group.count,
      state,
      frames: displayFrames(group.frames).map((f) => ({
        function: f.func,
        file: f.file ?? "",
        line: f.line ?? 0,
      })),
      createdBy: group.createdBy ? group.createdBy.func : "",
      waitMinutes: group.waitMinutes ? group.waitMinutes.max : null,
    };
  });
  return { name, total: snapshot.total, groups, states };
}
