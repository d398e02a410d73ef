/**
 * doctor's pure core: DiagnosisInput in, Diagnosis out. It reads the heap profiles into per-site
 * series, judges each signal (live heap after GC, live objects, goroutines, off-heap memory;
 * signal-trend.ts), decides the verdict (verdict.ts), names the suspects (suspects.ts; heap suspects
 * by their share of the live heap's net growth, heap-suspects.ts), says what holds the live heap now
 * (live-heap-holders.ts), and adds evidence (evidence.ts) and the summary (summary.ts). No I/O:
 * profiles and sources come through the input's callbacks.
 */
import { formatBytes, formatDuration } from "../model/units.js";
import { buildEvidence } from "./evidence.js";
import { analyzeGoroutines, type GoroutineAnalysis, type GoroutineGroupGrowth } from "./goroutine-growth.js";
import {
  collectHeapSites,
  type HeapSiteTable,
  measureSiteChanges,
  mergeSitesByFunction,
  rankSiteGrowth,
  type SiteGrowth,
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
import { downsample, judgeSignal, type SeriesPoint, type SignalJudgement } from "./signal-trend.js";
import { summarize } from "./summary.js";
import { buildSuspects, netGrowthOf, type SuspectContext } from "./suspects.js";
import type { Diagnosis, Evidence, Suspect } from "./types.js";
import { decideVerdict, type VerdictResult } from "./verdict.js";

const KIB = 1024;
const MIB = 1024 * 1024;
const DEFAULT_SAMPLING_RATE = 512 * KIB;

/** Relevance floors: growth slower than these never counts as a leak. */
export const FLOORS = {
  /**
   * 2 KiB/s ≈ 7 MiB/h ≈ 170 MiB/day, for observations up to 10 minutes (where noise and warm-up creep
   * dominate); over longer ones it shrinks in proportion, leaving the relative floor to decide.
   */
  liveHeapBytesPerSecond: 2 * KIB,
  /** 4 % of the live heap per hour (the heap would double in about a day). */
  relativePerHour: 0.04,
  liveObjectsPerSecond: 10,
  goroutinesPerSecond: 1 / 60,
  offHeapBytesPerSecond: 32 * KIB,
};

/** Beyond this observation length the absolute live-heap floor shrinks (see FLOORS). */
const LONG_OBSERVATION_SECONDS = 600;
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

export interface HeapReadings {
  /** One unit per allocating line (what the live-heap judge weighs). */
  table: HeapSiteTable;
  /** One unit per allocating function (what suspects and holders are made of). */
  byFunction: HeapSiteTable;
  liveHeapPoints: SeriesPoint[];
  liveObjectPoints: SeriesPoint[];
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

export interface JudgedSignals {
  signals: Record<string, SignalJudgement>;
  sampled?: SignalJudgement;
  liveHeap?: SignalJudgement;
  liveObjects?: SignalJudgement;
  goroutines?: SignalJudgement;
  offHeap?: SignalJudgement;
  /** The live heap's judgement the per-site regime follows (the sampled one when there is one). */
  reference?: SignalJudgement;
  liveHeapResolution: number;
  /** Per-line growth over the reference regime. */
  siteGrowth: SiteGrowth[];
  goroutinePoints: SeriesPoint[];
  goroutineAnalysis: GoroutineAnalysis;
  rss: SeriesPoint[];
}

function judgeSignals(input: DiagnosisInput, heap: HeapReadings, module: ModuleContext): JudgedSignals {
  const heapSignals = judgeHeapSignals(input, heap);
  const others = judgeOtherSignals(input, module, heapSignals.signals, heapSignals.heapFloor);
  return { ...heapSignals, ...others };
}

/** The live heap (sampled, exact, gctrace) and live objects. */
function judgeHeapSignals(
  input: DiagnosisInput,
  heap: HeapReadings,
): Omit<JudgedSignals, "goroutines" | "offHeap" | "goroutinePoints" | "goroutineAnalysis" | "rss"> & {
  heapFloor: number;
} {
  const { table, liveHeapPoints, liveObjectPoints } = heap;
  const samplingRate = table.samplingRateBytes;
  const signals: Record<string, SignalJudgement> = {};
  const heapSpan = Math.max(
    spanOf(liveHeapPoints),
    spanOf(input.memStats.map((m) => ({ tSeconds: m.tSeconds, value: 0 }))),
  );
  const heapFloor =
    FLOORS.liveHeapBytesPerSecond * Math.min(1, LONG_OBSERVATION_SECONDS / Math.max(heapSpan, 1));
  const liveHeapResolution = samplingRate ?? DEFAULT_SAMPLING_RATE;
  const sampled =
    liveHeapPoints.length > 0
      ? judgeSignal(liveHeapPoints, {
          name: "in-use heap of the profiles",
          unit: "bytes",
          absoluteFloorPerSecond: heapFloor,
          relativeFloorPerHour: FLOORS.relativePerHour,
          resolution: liveHeapResolution,
        })
      : undefined;
  const exactPoints = plausibleExactPoints(heapAllocAfterForcedGc(input.memStats), liveHeapPoints);
  const exact =
    exactPoints.length > 0
      ? judgeSignal(exactPoints, {
          name: "HeapAlloc after forced GC",
          unit: "bytes",
          absoluteFloorPerSecond: heapFloor,
          relativeFloorPerHour: FLOORS.relativePerHour,
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
    const gcPoints = input.gcCycles.map((c) => ({ tSeconds: c.tSeconds, value: c.cycle.liveHeapBytes }));
    if (gcPoints.length > 0) {
      liveHeap = judgeSignal(gcPoints, {
        name: "live heap after GC (gctrace)",
        unit: "bytes",
        absoluteFloorPerSecond: heapFloor,
        relativeFloorPerHour: FLOORS.relativePerHour,
        resolution: MIB,
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
      absoluteFloorPerSecond: FLOORS.liveObjectsPerSecond,
      relativeFloorPerHour: FLOORS.relativePerHour,
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
    heapFloor,
  };
}

/** Goroutines, off-heap memory, stacks and RSS. */
function judgeOtherSignals(
  input: DiagnosisInput,
  module: ModuleContext,
  signals: Record<string, SignalJudgement>,
  heapFloor: number,
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
      absoluteFloorPerSecond: FLOORS.goroutinesPerSecond,
      relativeFloorPerHour: FLOORS.relativePerHour,
      resolution: 1,
      minimumGrowth: 5,
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
      absoluteFloorPerSecond: FLOORS.offHeapBytesPerSecond,
      relativeFloorPerHour: 0.05,
      resolution: 2 * MIB,
      minimumGrowth: 8 * MIB,
    });
    signals.offHeap = offHeap;
  }
  const stackPoints = memStatsFieldSeries(input.memStats, "StackInuse");
  if (stackPoints.length > 0) {
    signals.stacks = judgeSignal(stackPoints, {
      name: "goroutine stack memory (StackInuse)",
      unit: "bytes",
      absoluteFloorPerSecond: heapFloor,
      relativeFloorPerHour: FLOORS.relativePerHour,
      resolution: 32 * KIB,
    });
  }
  const rss = rssSeries(input.rss, input.memStats);
  if (rss.length > 0) {
    signals.rss = judgeSignal(rss, {
      name: "resident memory (RSS)",
      unit: "bytes",
      absoluteFloorPerSecond: FLOORS.offHeapBytesPerSecond,
      relativeFloorPerHour: 0.05,
      resolution: 2 * MIB,
      minimumGrowth: 8 * MIB,
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
