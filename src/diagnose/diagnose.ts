/**
 * doctor's pure core: DiagnosisInput in, Diagnosis out. It reads the heap profiles into per-site
 * series, judges each signal (live heap after GC, live objects, goroutines, off-heap memory;
 * signal-trend.ts), decides the verdict (verdict.ts), names the suspects (suspects.ts; heap suspects
 * by their share of the live heap's net growth, heap-suspects.ts), says what holds the live heap now
 * (live-heap-holders.ts), and adds evidence (evidence.ts) and the summary (summary.ts). No I/O:
 * profiles and sources come through the input's callbacks.
 */
import { liveAtMarkStartBytes } from "../analysis/gc-stats.js";
import { formatBytes } from "../model/units.js";
import { buildEvidence } from "./evidence.js";
import { analyzeGoroutines, type GoroutineAnalysis } from "./goroutine-growth.js";
import {
  collectHeapSites,
  type HeapSiteTable,
  measureSiteChanges,
  mergeSitesByFunction,
  rankSiteGrowth,
} from "./heap-growth.js";
import { findHeapSuspects, withoutRefills } from "./heap-suspects.js";
import type { HintSet } from "./hints.js";
import type { DiagnosisInput } from "./input.js";
import { liveHeapBySite } from "./live-heap-holders.js";
import { judgeLiveHeap } from "./live-heap-verdict.js";
import type { ModuleContext } from "./module-path.js";
import {
  heapAllocAfterForcedGc,
  latestFigures,
  memStatsFieldSeries,
  offHeapSeries,
  rssMinusHeld,
  rssSeries,
} from "./off-heap.js";
import type { HeapReadings, JudgedSignals } from "./readings.js";
import { downsample, type SeriesPoint, type SignalJudgement, signalJudgeFor } from "./signal-trend.js";

type SignalJudge = ReturnType<typeof signalJudgeFor>;

import { summarize } from "./summary.js";
import { buildSuspects, netGrowthOf, type SuspectContext } from "./suspects.js";
import type { Diagnosis, Suspect } from "./types.js";
import { decideVerdict, type VerdictResult } from "./verdict.js";

const KIB = 1024;
const MIB = 1024 * 1024;
const DEFAULT_SAMPLING_RATE = 512 * KIB;

const CAVEAT =
  "A heap profile shows where memory was allocated, not what still references it: the suspects are allocation sites; what keeps their objects alive is for you to find (the hints say where to look).";

export function diagnose(input: DiagnosisInput): Diagnosis {
  const module: ModuleContext = { path: input.modulePath ?? input.buildInfo?.modulePath };
  const notes = [...(input.notes ?? [])];
  const heap = readHeap(input, module);
  const judged = judgeSignals(input, heap, module);
  const result = decide(input, judged);
  const figures = latestFigures(input.memStats, input.rss);
  const findings = findHeapSuspects(
    measureSiteChanges(heap.byFunction, judged.reference?.regimeStartSeconds),
    netGrowthOf(judged, heap),
  );
  const context: SuspectContext = { input, module, heap, judged, result, findings, figures, notes };
  const { suspects, hints } = buildSuspects(context);
  const samplingRate = heap.table.samplingRateBytes;
  if (samplingRate && samplingRate >= DEFAULT_SAMPLING_RATE && result.verdict !== "no-leak") {
    notes.push(
      `Heap profiles were sampled at the default rate (one sample per ${formatBytes(samplingRate)}): slow growth per site is rough; heapscope doctor -- CMD launches the program with a finer rate.`,
    );
  }
  return assemble(context, suspects, hints);
}

/** The Diagnosis: verdict, summary, suspects, what holds the heap, evidence, and the observation. */
function assemble(context: SuspectContext, suspects: Suspect[], hints: HintSet): Diagnosis {
  const { input, heap, judged, result, findings, figures, notes } = context;
  const span = Math.max(
    spanOf(heap.liveHeapPoints),
    spanOf(judged.goroutinePoints),
    spanOf(input.memStats.map((m) => ({ tSeconds: m.tSeconds, value: 0 }))),
  );
  const holders = liveHeapBySite(heap.byFunction);
  const { signals } = judged;
  return {
    verdict: result.verdict,
    summary: summarize({
      result,
      liveHeap: judged.liveHeap,
      goroutines: judged.goroutines,
      offHeap: judged.offHeap,
      suspects,
      spanSeconds: span,
      sampledLevel: judged.sampled?.level,
      liveHeapBySite: holders,
      targetExit: input.targetExit,
    }),
    reasons: result.reasons,
    suspects,
    evidence: buildEvidence({
      signals,
      goroutineAnalysis: judged.goroutineAnalysis,
      figures,
      rssMinusHeld: rssMinusHeld(input.rss, input.memStats),
      input,
    }),
    hints: hints.hints,
    liveHeapBySite: holders,
    heapMovement: heap.table.times.length >= 3 ? findings.movement : null,
    signals,
    toDecide: result.toDecide,
    observation: {
      subject: input.subject,
      spanSeconds: span,
      heapSnapshots: input.heapSnapshots.length,
      heapSnapshotsDecoded: heap.table.times.length,
      goroutineSnapshots: input.goroutineSnapshots.length,
      memStatsSamples: input.memStats.length,
      gcCycles: input.gcCycles.length,
      rssSamples: input.rss.length,
      samplingRateBytes: heap.table.samplingRateBytes,
    },
    figures,
    caveat: CAVEAT,
    notes,
    charts: {
      liveHeap: judged.liveHeap?.series ?? [],
      goroutines: judged.goroutines?.series ?? [],
      rss: downsample(judged.rss, 240),
    },
    growthStacks: heap.table.growthStacks,
  };
}

/** Heap totals and per-site series of the heap snapshots. */
function readHeap(input: DiagnosisInput, module: ModuleContext): HeapReadings {
  const table: HeapSiteTable = collectHeapSites(input.heapSnapshots, module);
  const liveHeapPoints: SeriesPoint[] = [];
  const liveObjectPoints: SeriesPoint[] = [];
  const decodedTotals = new Map(table.totals.map((t) => [t.tSeconds, t]));
  for (const snapshot of input.heapSnapshots) {
    const decoded = decodedTotals.get(snapshot.tSeconds);
    const bytes = snapshot.inuseBytes ?? decoded?.inuseBytes;
    const objects = snapshot.inuseObjects ?? decoded?.inuseObjects;
    if (bytes !== undefined && bytes !== null && Number.isFinite(bytes))
      liveHeapPoints.push({ tSeconds: snapshot.tSeconds, value: bytes });
    if (objects !== undefined && objects !== null && Number.isFinite(objects)) {
      liveObjectPoints.push({ tSeconds: snapshot.tSeconds, value: objects });
    }
  }
  return { table, byFunction: mergeSitesByFunction(table), liveHeapPoints, liveObjectPoints };
}

function judgeSignals(input: DiagnosisInput, heap: HeapReadings, module: ModuleContext): JudgedSignals {
  const judge = signalJudgeFor(input.look);
  const heapSignals = judgeHeapSignals(input, heap, judge);
  const others = judgeOtherSignals(input, module, heapSignals.signals, judge);
  return { ...heapSignals, ...others };
}

/** The live heap (sampled, exact, gctrace) and live objects. */
function judgeHeapSignals(
  input: DiagnosisInput,
  heap: HeapReadings,
  judgeSignal: SignalJudge,
): Omit<JudgedSignals, "goroutines" | "offHeap" | "goroutinePoints" | "goroutineAnalysis" | "rss"> {
  const { table, liveHeapPoints, liveObjectPoints } = heap;
  const samplingRate = table.samplingRateBytes;
  const signals: Record<string, SignalJudgement> = {};
  const liveHeapResolution = samplingRate ?? DEFAULT_SAMPLING_RATE;
  const sampled =
    liveHeapPoints.length > 0
      ? judgeSignal(liveHeapPoints, {
          name: "in-use heap of the profiles",
          unit: "bytes",
          policy: "doctor-heap",
          resolution: liveHeapResolution,
        })
      : undefined;
  const exactPoints = plausibleExactPoints(heapAllocAfterForcedGc(input.memStats), liveHeapPoints);
  const exact =
    exactPoints.length > 0
      ? judgeSignal(exactPoints, {
          name: "HeapAlloc after forced GC",
          unit: "bytes",
          policy: "doctor-heap",
          resolution: 4 * KIB,
        })
      : undefined;
  if (sampled) signals.liveHeapSampled = sampled;
  if (exact) signals.liveHeapExact = exact;

  // Per-site growth over the recent regime of the profiles themselves (HeapAlloc readings can be noisier).
  const reference = sampled ?? exact;
  // Sites refilling what another site held keep what they allocate without growing the heap: the
  // live-heap judge weighs only the others.
  const siteGrowth = withoutRefills(
    rankSiteGrowth(table, {
      regimeStartSeconds: reference?.regimeStartSeconds,
      liveHeapSlope: reference?.slopePerSecond,
    }),
    measureSiteChanges(table, reference?.regimeStartSeconds),
    reference?.slopePerSecond ?? 0,
  );

  let liveHeap: SignalJudgement | undefined = judgeLiveHeap({
    sampled,
    exact,
    resolution: liveHeapResolution,
    sites: siteGrowth,
  });
  if (!liveHeap) {
    // gctrace's own series and policy, so doctor and `heapscope gctrace` agree on a log.
    const gcPoints = input.gcCycles.map((c) => ({
      tSeconds: c.tSeconds,
      value: liveAtMarkStartBytes(c.cycle),
    }));
    if (gcPoints.length > 0) {
      liveHeap = judgeSignal(gcPoints, {
        name: "live heap after GC (gctrace)",
        unit: "bytes",
        policy: "gctrace",
        resolution: MIB,
        quantized: true,
      });
    }
  }
  if (liveHeap) signals.liveHeap = liveHeap;

  let liveObjects: SignalJudgement | undefined;
  if (liveObjectPoints.length > 0) {
    const last = liveHeapPoints.at(-1)?.value ?? 0;
    const lastObjects = liveObjectPoints.at(-1)?.value ?? 0;
    const averageObjectBytes = lastObjects > 0 ? Math.max(last / lastObjects, 8) : 64;
    liveObjects = judgeSignal(liveObjectPoints, {
      name: "live objects",
      unit: "objects",
      policy: "doctor-objects",
      resolution: Math.max(1, (samplingRate ?? DEFAULT_SAMPLING_RATE) / averageObjectBytes),
    });
    signals.liveObjects = liveObjects;
  }

  return {
    signals,
    sampled,
    liveHeap,
    liveObjects,
    reference,
    liveHeapResolution,
    siteGrowth,
  };
}

/** Goroutines, off-heap memory, stacks and RSS. */
function judgeOtherSignals(
  input: DiagnosisInput,
  module: ModuleContext,
  signals: Record<string, SignalJudgement>,
  judgeSignal: SignalJudge,
): Pick<JudgedSignals, "goroutines" | "offHeap" | "goroutinePoints" | "goroutineAnalysis" | "rss"> {
  // --- Goroutines ------------------------------------------------------------------------------
  let goroutinePoints: SeriesPoint[] = input.goroutineSnapshots.map((g) => ({
    tSeconds: g.tSeconds,
    value: g.snapshot.total,
  }));
  if (goroutinePoints.length === 0) {
    goroutinePoints = input.memStats
      .filter((m) => m.sample.goroutines !== undefined)
      .map((m) => ({ tSeconds: m.tSeconds, value: m.sample.goroutines! }));
  }
  let goroutines: SignalJudgement | undefined;
  if (goroutinePoints.length > 0) {
    goroutines = judgeSignal(goroutinePoints, {
      name: "goroutines",
      unit: "goroutines",
      policy: "doctor-goroutines",
      resolution: 1,
    });
    signals.goroutines = goroutines;
  }
  const goroutineAnalysis: GoroutineAnalysis = analyzeGoroutines(input.goroutineSnapshots, {
    module,
    regimeStartSeconds: goroutines?.regimeStartSeconds,
    totalSlope: goroutines?.slopePerSecond,
  });

  // --- Outside the heap ------------------------------------------------------------------------
  const offHeapPoints = offHeapSeries(input.rss, input.memStats);
  let offHeap: SignalJudgement | undefined;
  if (offHeapPoints.length > 0) {
    offHeap = judgeSignal(offHeapPoints, {
      name: "memory outside the Go heap",
      unit: "bytes",
      policy: "doctor-process",
      resolution: 2 * MIB,
    });
    signals.offHeap = offHeap;
  }
  const stackPoints = memStatsFieldSeries(input.memStats, "StackInuse");
  if (stackPoints.length > 0) {
    signals.stacks = judgeSignal(stackPoints, {
      name: "goroutine stack memory (StackInuse)",
      unit: "bytes",
      policy: "doctor-heap",
      resolution: 32 * KIB,
    });
  }
  const rss = rssSeries(input.rss, input.memStats);
  if (rss.length > 0) {
    signals.rss = judgeSignal(rss, {
      name: "resident memory (RSS)",
      unit: "bytes",
      policy: "doctor-process",
      resolution: 2 * MIB,
    });
  }

  return { goroutines, offHeap, goroutinePoints, goroutineAnalysis, rss };
}

function decide(input: DiagnosisInput, judged: JudgedSignals): VerdictResult {
  const { liveHeap, liveObjects, goroutines, offHeap, liveHeapResolution } = judged;
  const oom = input.targetExit?.outOfMemory
    ? `The program ${input.targetExit.signal ? `was killed (${input.targetExit.signal})` : `exited (code ${input.targetExit.code})`} after running out of memory at ${input.targetExit.tSeconds.toFixed(0)} s${input.targetExit.outOfMemoryEvidence ? `: ${input.targetExit.outOfMemoryEvidence}` : ""}.`
    : undefined;
  return decideVerdict({
    liveHeap,
    liveObjects,
    goroutines,
    offHeap,
    liveHeapResolution,
    outOfMemory: oom,
    missingHeapReason:
      input.heapSnapshots.length === 0 && input.gcCycles.length === 0
        ? "No heap data was collected (no heap profile endpoint answered, no gctrace)."
        : undefined,
  });
}

/**
 * HeapAlloc is only "after the forced GC" when it is read promptly; a reading taken long after (a slow
 * collector, a program allocating fast with GOGC=off) counts garbage too. A reading far above the
 * profile's in-use total of the same moment (more than 1.5× + 8 MiB) is dropped.
 */
function plausibleExactPoints(exact: SeriesPoint[], sampled: SeriesPoint[]): SeriesPoint[] {
  if (sampled.length === 0) return exact;
  const sorted = [...sampled].sort((a, b) => a.tSeconds - b.tSeconds);
  let j = 0;
  return exact.filter((point) => {
    while (
      j + 1 < sorted.length &&
      Math.abs(sorted[j + 1].tSeconds - point.tSeconds) <= Math.abs(sorted[j].tSeconds - point.tSeconds)
    )
      j++;
    const near = sorted[j];
    if (Math.abs(near.tSeconds - point.tSeconds) > 3) return true;
    return point.value <= near.value * 1.5 + 8 * MIB;
  });
}

function spanOf(points: SeriesPoint[]): number {
  if (points.length < 2) return 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    min = Math.min(min, p.tSeconds);
    max = Math.max(max, p.tSeconds);
  }
  return max - min;
}
