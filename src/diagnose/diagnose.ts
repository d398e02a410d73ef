/**
 * doctor's pure core: DiagnosisInput in, Diagnosis out. It builds the signals (live heap after GC,
 * live objects, goroutines, off-heap memory), judges each with the trend engine's policies
 * (signal-trend.ts, analysis/trend/policies.ts), decides the verdict
 * (verdict.ts), ranks the suspects by how much of the growth they explain, and adds evidence and
 * hints. No I/O: profiles and sources come through the input's callbacks.
 */

import { liveAtMarkStartBytes } from "../analysis/gc-stats.js";
import { analyzeGoroutines, type GoroutineAnalysis, type GoroutineGroupGrowth } from "./goroutine-growth.js";
import {
  collectHeapSites,
  type HeapSite,
  type HeapSiteTable,
  rankSiteGrowth,
  type SiteGrowth,
} from "./heap-growth.js";
import { buildHints, type GoroutineSuspectFacts, type HeapSuspectFacts, suspectKey } from "./hints.js";
import type { DiagnosisInput } from "./input.js";
import { judgeLiveHeap } from "./live-heap-verdict.js";
import {
  findGoModVersion,
  frameOrigin,
  type ModuleContext,
  parseGoVersion,
  versionBefore,
} from "./module-path.js";
import {
  heapAllocAfterForcedGc,
  latestFigures,
  memStatsFieldSeries,
  offHeapSeries,
  rssSeries,
} from "./off-heap.js";
import {
  describeRate,
  downsample,
  formatBytesShort,
  type SeriesPoint,
  type SignalJudgement,
  signalJudgeFor,
} from "./signal-trend.js";
import type { Diagnosis, Evidence, Suspect } from "./types.js";
import { decideVerdict, formatDuration, type VerdictResult } from "./verdict.js";

const KIB = 1024;
const MIB = 1024 * 1024;
const DEFAULT_SAMPLING_RATE = 512 * KIB;

const MAX_SUSPECTS = 10;
/** Below this many snapshots the trend tests cannot reach significance (judgeSignal's minimum). */
const MIN_SNAPSHOTS_FOR_TRENDS = 8;
const SUSPECT_ALPHA = 0.01;
const MIN_SHARE = 0.02;
/** A goroutine suspect leads when the heap grows by less than this per leaked goroutine. */
const HEAP_BYTES_PER_GOROUTINE_EXPLAINED = 64 * KIB;
const CAVEAT =
  "A heap profile shows where memory was allocated, not what still references it: the suspects are allocation sites; what keeps their objects alive is for you to find (the hints say where to look).";

export function diagnose(input: DiagnosisInput): Diagnosis {
  const module: ModuleContext = { path: input.modulePath ?? input.buildInfo?.modulePath };
  const judgeSignal = signalJudgeFor(input.look);
  const notes = [...(input.notes ?? [])];

  // --- Heap: totals and per-site series -------------------------------------------------------
  const table: HeapSiteTable = collectHeapSites(input.heapSnapshots, module);
  const samplingRate = table.samplingRateBytes;
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
  const siteGrowth = rankSiteGrowth(table, {
    regimeStartSeconds: reference?.regimeStartSeconds,
    liveHeapSlope: reference?.slopePerSecond,
  });

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
  // Shares of the growth: of the live heap's growth as finally judged, and never summing past 100 %.
  const siteSum = siteGrowth
    .filter((g) => g.pValue < SUSPECT_ALPHA)
    .reduce((sum, g) => sum + g.growthBytesPerSecond, 0);
  const shareDenominator = Math.max(liveHeap?.slopePerSecond ?? 0, siteSum);
  if (shareDenominator > 0) {
    for (const g of siteGrowth) g.shareOfGrowth = Math.min(1, g.growthBytesPerSecond / shareDenominator);
  }

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

  // --- Suspect sites ----------------------------------------------------------------------------
  const significantSites = siteGrowth.filter(
    (g) => g.pValue < SUSPECT_ALPHA && g.growthBytesLowPerSecond > 0 && g.shareOfGrowth >= MIN_SHARE,
  );

  // --- Verdict ---------------------------------------------------------------------------------
  const oom = input.targetExit?.outOfMemory
    ? `The program ${input.targetExit.signal ? `was killed (${input.targetExit.signal})` : `exited (code ${input.targetExit.code})`} after running out of memory at ${input.targetExit.tSeconds.toFixed(0)} s${input.targetExit.outOfMemoryEvidence ? `: ${input.targetExit.outOfMemoryEvidence}` : ""}.`
    : undefined;
  const result: VerdictResult = decideVerdict({
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

  // --- Suspects ---------------------------------------------------------------------------------
  const figures = latestFigures(input.memStats, input.rss);
  const totalGoroutines = goroutinePoints.at(-1)?.value ?? 0;
  const stackBytesPerGoroutine =
    figures.stackInuseBytes !== null && totalGoroutines > 0
      ? figures.stackInuseBytes / totalGoroutines
      : 8 * KIB;

  const ownFiles = [...significantSites, ...siteGrowth.slice(0, 5)]
    .filter((g) => g.site.attribution === "own")
    .map((g) => g.site.file);
  const goModVersion = input.goModVersion ?? findGoModVersion(ownFiles, input.readSource);
  const timers = timerSemantics(input, goModVersion);
  const goVersion = goModVersion ?? parseGoVersion(input.buildInfo?.goVersion);
  const heapFacts: HeapSuspectFacts[] = significantSites.map((g) => heapFactsOf(g));
  const lastColumn = table.times.length - 1;
  const allocatingSites = table.sites
    .filter((acc) => lastColumn >= 0 && acc.allocBytes[lastColumn] > 0)
    .sort((a, b) => b.allocBytes[lastColumn] - a.allocBytes[lastColumn])
    .map((acc) => acc.site);
  const goroutineGroups = mergeTransportGroups(
    goroutineAnalysis.growing,
    [...siteGrowth.map((g) => g.site), ...allocatingSites],
    module,
  );
  const goroutineFacts: GoroutineSuspectFacts[] = goroutineGroups.map((g) => ({
    function: g.function,
    frames: g.stack,
    state: g.state,
    waitMinutes: g.waitMinutesMax,
    createdBy: g.createdBy?.func ?? null,
    growthPerSecond: g.growthPerSecond,
    requester: g.requester,
  }));
  const hintSet = buildHints(
    result.verdict === "no-leak" ? [] : heapFacts,
    result.verdict === "no-leak" ? [] : goroutineFacts,
    offHeap?.verdict === "growing",
    signals.stacks?.verdict === "growing",
    {
      module,
      readSource: input.readSource,
      timersPre123: timers.pre123,
      timersReason: timers.reason,
      goVersion,
      samplingRateBytes: samplingRate,
    },
  );

  let suspects: Suspect[] = [];
  if (result.verdict !== "no-leak") {
    const heapSuspects: Suspect[] = significantSites.slice(0, MAX_SUSPECTS).map((g) => ({
      kind: "heap",
      function: g.site.function,
      stack: g.site.stack.map((f) => f.function),
      file: g.site.file,
      line: g.site.line,
      growthBytesPerSecond: g.growthBytesPerSecond,
      growthObjectsPerSecond: g.growthObjectsPerSecond,
      inuseBytes: g.inuseBytes,
      shareOfGrowth: g.shareOfGrowth,
      hint: hintSet.oneLiners.get(suspectKey(g.site.function, g.site.line)) ?? "",
      attribution: g.site.attribution,
      pValue: g.pValue,
      objectSizes: g.objectSizes,
      withinSamplingNoise: g.sampledGrowthEvents < 8,
      series: downsample(g.series, 60),
    }));
    const goroutineSuspects: Suspect[] = goroutineGroups.slice(0, MAX_SUSPECTS).map((g) => ({
      kind: "goroutines",
      function: g.function,
      stack: g.stack.map((f) => f.func),
      file: g.file,
      line: g.line,
      growthBytesPerSecond: g.growthPerSecond * stackBytesPerGoroutine,
      growthObjectsPerSecond: 0,
      inuseBytes: g.count * stackBytesPerGoroutine,
      shareOfGrowth: g.shareOfGrowth,
      hint: hintSet.oneLiners.get(suspectKey(g.function, 0)) ?? "",
      attribution: frameOrigin(g.function, module) === "own" ? "own" : "library",
      pValue: g.pValue,
      goroutines: g.count,
      growthGoroutinesPerSecond: g.growthPerSecond,
      state: g.state,
      waitMinutes: g.waitMinutesMax,
      createdBy: g.createdBy?.func ?? null,
      series: downsample(g.series, 60),
    }));
    const offHeapSuspects: Suspect[] =
      offHeap?.verdict === "growing"
        ? [
            offHeapSuspect(
              offHeap,
              [...siteGrowth.map((g) => g.site), ...table.sites.map((a) => a.site)],
              module,
            ),
          ]
        : [];
    // The kind that explains the most growth leads. Leaked goroutines keep heap alive, so when the
    // heap grows by no more than HEAP_BYTES_PER_GOROUTINE_EXPLAINED per leaked goroutine, the
    // goroutines are the cause and take the heap's growth as theirs.
    const heapRate = result.leakKinds.includes("heap") ? Math.max(liveHeap?.slopePerSecond ?? 0, 0) : 0;
    const goroutineRate = goroutines?.slopePerSecond ?? 0;
    const goroutinesExplainHeap =
      result.leakKinds.includes("goroutines") &&
      heapRate <= HEAP_BYTES_PER_GOROUTINE_EXPLAINED * goroutineRate;
    const rates: { kind: "heap" | "goroutines" | "off-heap"; rate: number; suspects: Suspect[] }[] = [
      { kind: "heap", rate: goroutinesExplainHeap ? 0 : heapRate, suspects: heapSuspects },
      {
        kind: "goroutines",
        rate: result.leakKinds.includes("goroutines")
          ? (goroutinesExplainHeap ? heapRate : 0) + goroutineRate * stackBytesPerGoroutine
          : 0,
        suspects: goroutineSuspects,
      },
      {
        kind: "off-heap",
        rate: result.leakKinds.includes("off-heap") ? (offHeap?.slopePerSecond ?? 0) : 0,
        suspects: offHeapSuspects,
      },
    ];
    rates.sort((a, b) => b.rate - a.rate);
    suspects = rates.flatMap((r) => r.suspects);
  }

  // Too few snapshots for a trend test: name the sites that grew in every step, without claiming it.
  if (result.verdict === "inconclusive" && suspects.length === 0) {
    if (table.times.length >= 3 && table.times.length < MIN_SNAPSHOTS_FOR_TRENDS) {
      const steady = siteGrowth.filter((g) =>
        g.series.every((p, i, all) => i === 0 || p.value >= all[i - 1].value),
      );
      suspects = steady.slice(0, MAX_SUSPECTS).map((g) => ({
        kind: "heap" as const,
        function: g.site.function,
        stack: g.site.stack.map((f) => f.function),
        file: g.site.file,
        line: g.site.line,
        growthBytesPerSecond: g.growthBytesPerSecond,
        growthObjectsPerSecond: g.growthObjectsPerSecond,
        inuseBytes: g.inuseBytes,
        shareOfGrowth: g.shareOfGrowth,
        hint: "Grew in every snapshot, but too few snapshots to call it a trend.",
        attribution: g.site.attribution,
        pValue: g.pValue,
        objectSizes: g.objectSizes,
        withinSamplingNoise: g.sampledGrowthEvents < 8,
        series: downsample(g.series, 60),
      }));
      if (suspects.length > 0) {
        notes.push(
          `Only ${table.times.length} heap snapshots: the suspects grew in every one of them, which is not yet a statistically established trend.`,
        );
      }
    } else if (table.times.length > 0 && table.times.length < 3) {
      notes.push(
        `Only ${table.times.length} heap snapshot${table.times.length === 1 ? "" : "s"}: with fewer than three, no per-site growth is claimed.`,
      );
    }
  }

  // --- Evidence ---------------------------------------------------------------------------------
  const evidence = buildEvidence(signals, goroutineAnalysis, figures, input);
  const span = Math.max(
    spanOf(liveHeapPoints),
    spanOf(goroutinePoints),
    spanOf(input.memStats.map((m) => ({ tSeconds: m.tSeconds, value: 0 }))),
  );
  if (samplingRate && samplingRate >= DEFAULT_SAMPLING_RATE && result.verdict !== "no-leak") {
    notes.push(
      `Heap profiles were sampled at the default rate (one sample per ${formatBytesShort(samplingRate)}): slow growth per site is rough; heapscope doctor -- CMD launches the program with a finer rate.`,
    );
  }

  return {
    verdict: result.verdict,
    summary: summarize(
      result,
      liveHeap,
      goroutines,
      offHeap,
      suspects,
      span,
      sampled?.level,
      input.targetExit,
    ),
    reasons: result.reasons,
    suspects,
    evidence,
    hints: hintSet.hints,
    signals,
    toDecide: result.toDecide,
    observation: {
      subject: input.subject,
      spanSeconds: span,
      heapSnapshots: input.heapSnapshots.length,
      heapSnapshotsDecoded: table.times.length,
      goroutineSnapshots: input.goroutineSnapshots.length,
      memStatsSamples: input.memStats.length,
      gcCycles: input.gcCycles.length,
      rssSamples: input.rss.length,
      samplingRateBytes: samplingRate,
    },
    figures,
    caveat: CAVEAT,
    notes,
    charts: {
      liveHeap: liveHeap?.series ?? [],
      goroutines: goroutines?.series ?? [],
      rss: downsample(rss, 240),
    },
    growthStacks: table.growthStacks,
  };
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

function heapFactsOf(g: SiteGrowth): HeapSuspectFacts {
  return {
    function: g.site.function,
    file: g.site.file,
    line: g.site.line,
    frames: g.site.stack,
    objectSizes: g.objectSizes,
    growthBytesPerSecond: g.growthBytesPerSecond,
    growthObjectsPerSecond: g.growthObjectsPerSecond,
    withinSamplingNoise: g.sampledGrowthEvents < 8,
  };
}

/** Whether timers are kept until they fire (pre-Go 1.23 semantics), and why it is believed. */
function timerSemantics(
  input: DiagnosisInput,
  goModVersion: [number, number] | undefined,
): { pre123: boolean | undefined; reason?: string } {
  const godebug = input.buildInfo?.defaultGodebug ?? "";
  if (/(^|,)asynctimerchan=1(,|$)/.test(godebug)) {
    return {
      pre123: true,
      reason: "the binary's build info sets asynctimerchan=1, from a go.mod go line below 1.23",
    };
  }
  const toolchain = parseGoVersion(input.buildInfo?.goVersion);
  if (toolchain && versionBefore(toolchain, 1, 23))
    return { pre123: true, reason: `built with ${input.buildInfo?.goVersion}` };
  if (goModVersion) {
    const [major, minor] = goModVersion;
    if (versionBefore(goModVersion, 1, 23))
      return { pre123: true, reason: `go.mod says go ${major}.${minor}` };
    return { pre123: false, reason: `go.mod says go ${major}.${minor}` };
  }
  if (toolchain) return { pre123: false, reason: `built with ${input.buildInfo?.goVersion}` };
  return { pre123: undefined };
}

interface NamedGroup extends GoroutineGroupGrowth {
  /** For net/http connection goroutines: the program's function that issued the requests. */
  requester?: string;
}

/**
 * net/http client connections leak as pairs of readLoop/writeLoop goroutines whose stacks hold no
 * frame of the program. The code that leaks them is the caller of the HTTP client: find it among the
 * growing heap sites that allocate through net/http's Client or Transport, and name the goroutine
 * suspect after it. The two loops of one leak are merged into one suspect.
 */
function mergeTransportGroups(
  groups: GoroutineGroupGrowth[],
  sites: HeapSite[],
  module: ModuleContext,
): NamedGroup[] {
  const isTransport = (g: GoroutineGroupGrowth): boolean =>
    g.stack.some((f) => /^net\/http\.\(\*persistConn\)\.(readLoop|writeLoop)$/.test(f.func));
  const transportGroups = groups.filter(isTransport);
  if (transportGroups.length === 0) return groups;
  // Sites whose in-use memory grows first, then any that allocate through the HTTP client.
  const requesterSite = sites.find(
    (s) =>
      s.attribution === "own" &&
      s.stack.some((f) =>
        /^net\/http\.(\(\*(Client|Transport)\)\.|Get$|Post$|Head$|PostForm$)/.test(f.function),
      ),
  );
  const others = groups.filter((g) => !isTransport(g));
  const lead = transportGroups[0];
  const merged: NamedGroup = {
    ...lead,
    growthPerSecond: transportGroups.reduce((sum, g) => sum + g.growthPerSecond, 0),
    count: transportGroups.reduce((sum, g) => sum + g.count, 0),
    startCount: transportGroups.reduce((sum, g) => sum + g.startCount, 0),
    shareOfGrowth: Math.min(
      1,
      transportGroups.reduce((sum, g) => sum + g.shareOfGrowth, 0),
    ),
    pValue: Math.min(...transportGroups.map((g) => g.pValue)),
  };
  if (requesterSite && frameOrigin(requesterSite.function, module) === "own") {
    merged.function = requesterSite.function;
    merged.file = requesterSite.file;
    merged.line = requesterSite.line;
    merged.requester = requesterSite.function;
  }
  return [merged, ...others].sort((a, b) => b.growthPerSecond - a.growthPerSecond);
}

/** The off-heap suspect, named after a program frame that maps memory or calls C, when one grows. */
function offHeapSuspect(offHeap: SignalJudgement, sites: HeapSite[], module: ModuleContext): Suspect {
  // Growing sites first, then any site the profiles ever showed: mmap and cgo calls allocate little
  // on the Go heap (a map entry, a slice header), so their site may be sampled only now and then.
  const native = sites.find(
    (s) =>
      s.attribution === "own" &&
      s.stack.some((f) =>
        /(^syscall\.|^golang\.org\/x\/sys\/unix\.).*[Mm]map|_Cfunc_|^runtime\.cgocall$/.test(f.function),
      ),
  );
  return {
    kind: "off-heap",
    function: native?.function ?? "",
    stack: native ? native.stack.map((f) => f.function) : [],
    file: native?.file ?? "",
    line: native?.line ?? 0,
    growthBytesPerSecond: offHeap.slopePerSecond,
    growthObjectsPerSecond: 0,
    inuseBytes: Math.max(0, offHeap.lastValue),
    shareOfGrowth: 1,
    hint: native
      ? `${native.function} maps memory or calls C and its regions are not released: unmap/free them.`
      : "Memory grows outside the Go heap (cgo, mmap): compare /proc/PID/smaps over time to find the growing mappings.",
    attribution: native && frameOrigin(native.function, module) === "own" ? "own" : "library",
    pValue: offHeap.pValue,
    series: downsample(offHeap.series, 60),
  };
}

function buildEvidence(
  signals: Record<string, SignalJudgement>,
  goroutineAnalysis: GoroutineAnalysis,
  figures: ReturnType<typeof latestFigures>,
  input: DiagnosisInput,
): Evidence[] {
  const out: Evidence[] = [];
  const weightOf = (s: SignalJudgement): Evidence["weight"] =>
    s.verdict === "growing" ? "leak" : s.verdict === "bounded" ? "healthy" : "neutral";
  const range = (s: SignalJudgement): string =>
    s.unit === "bytes"
      ? `${formatBytesShort(s.firstValue)} → ${formatBytesShort(s.lastValue)}`
      : `${Math.round(s.firstValue)} → ${Math.round(s.lastValue)}`;
  for (const id of [
    "liveHeap",
    "liveHeapSampled",
    "liveHeapExact",
    "liveObjects",
    "goroutines",
    "stacks",
    "offHeap",
    "rss",
  ]) {
    const s = signals[id];
    if (!s) continue;
    const verdictWord =
      s.verdict === "growing"
        ? "grows"
        : s.verdict === "bounded"
          ? "bounded"
          : s.verdict === "insufficient"
            ? "too little data"
            : "undecided";
    out.push({
      label: s.name,
      detail: `${range(s)} over ${formatDuration(s.spanSeconds)} (${s.points} points): ${verdictWord} — ${s.reason}${s.warmupSkipped ? `; judged from ${s.regimeStartSeconds.toFixed(0)} s, after a warm-up` : ""}`,
      weight:
        id === "liveHeapExact" || id === "liveHeapSampled" || id === "rss"
          ? s.verdict === "growing"
            ? "neutral"
            : weightOf(s)
          : weightOf(s),
    });
  }
  for (const g of goroutineAnalysis.growing.slice(0, 3)) {
    out.push({
      label: "growing goroutine group",
      detail: `${g.function}: ${g.startCount} → ${g.count} (${describeRate(g.growthPerSecond, "goroutines")})${g.state ? `, ${g.state}` : ""}${g.waitMinutesMax ? `, waiting up to ${g.waitMinutesMax} min` : ""}`,
      weight: "leak",
    });
  }
  if (figures.rssBytes !== null && figures.goHeldBytes !== null) {
    out.push({
      label: "RSS vs Go runtime",
      detail: `RSS ${formatBytesShort(figures.rssBytes)}; the Go runtime holds ${formatBytesShort(figures.goHeldBytes)} (Sys − HeapReleased)${figures.heapInuseBytes !== null ? `, of which heap spans in use ${formatBytesShort(figures.heapInuseBytes)}` : ""}`,
      weight: signals.offHeap?.verdict === "growing" ? "leak" : "neutral",
    });
  }
  if (figures.fragmentation !== null) {
    out.push({
      label: "fragmentation",
      detail: `(HeapInuse − HeapAlloc) / HeapInuse = ${(figures.fragmentation * 100).toFixed(0)} %${figures.fragmentation > 0.3 ? ": much of the in-use span memory holds no live objects (fragmentation, not a leak)" : ""}`,
      weight: "neutral",
    });
  }
  if (figures.retainedIdleBytes !== null) {
    out.push({
      label: "retained idle memory",
      detail: `HeapIdle − HeapReleased = ${formatBytesShort(figures.retainedIdleBytes)} kept for reuse (counts in RSS, returned to the OS over minutes)`,
      weight: "neutral",
    });
  }
  if (figures.stackInuseBytes !== null) {
    out.push({
      label: "goroutine stacks",
      detail: `StackInuse ${formatBytesShort(figures.stackInuseBytes)} (not in heap profiles)`,
      weight: signals.stacks?.verdict === "growing" ? "leak" : "neutral",
    });
  }
  for (const limit of memoryLimitsOf(input)) {
    const liveHeap = signals.liveHeap;
    const growing = liveHeap?.verdict === "growing" && liveHeap.slopePerSecond > 0;
    // The live heap alone reaching the limit is the latest the program can hit it: the heap goal
    // (GOGC headroom), stacks and RSS overhead come on top, so it is stated as "at most".
    const headroom = liveHeap ? limit.bytes - liveHeap.lastValue : Number.NaN;
    const projection = !growing
      ? ""
      : headroom <= 0
        ? "; the live heap is already at it"
        : `; at ${describeRate(liveHeap.slopePerSecond, "bytes")} the live heap alone reaches it in at most ${formatDuration(headroom / liveHeap.slopePerSecond)}`;
    out.push({
      label: "memory limit",
      detail: `${formatBytesShort(limit.bytes)} (${limit.source})${projection}`,
      weight: growing ? "leak" : "neutral",
    });
  }
  if (input.targetExit) {
    const exit = input.targetExit;
    out.push({
      label: "target exit",
      detail: `${exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`} at ${exit.tSeconds.toFixed(0)} s${exit.outOfMemory ? " — out of memory" : ""}`,
      weight: exit.outOfMemory ? "leak" : "neutral",
    });
  }
  return out;
}

function summarize(
  result: VerdictResult,
  liveHeap: SignalJudgement | undefined,
  goroutines: SignalJudgement | undefined,
  offHeap: SignalJudgement | undefined,
  suspects: Suspect[],
  span: number,
  sampledLevel: number | undefined,
  targetExit: DiagnosisInput["targetExit"],
): string {
  const top = suspects[0];
  const where = top?.function
    ? ` ${top.function}${top.file ? ` (${shortPath(top.file)}:${top.line})` : ""}`
    : "";
  if (result.verdict === "leak") {
    if (result.leakKinds.includes("oom"))
      return `Leak: the program ran out of memory${where ? `; the top suspect is${where}` : ""}.`;
    if (top?.kind === "goroutines") {
      return `Leak: goroutines pile up (${describeRate(top.growthGoroutinesPerSecond ?? goroutines?.slopePerSecond ?? 0, "goroutines")}) in${where}${top.state ? `, ${top.state}` : ""}.`;
    }
    if (
      top?.kind === "off-heap" ||
      (result.leakKinds.includes("off-heap") && !result.leakKinds.includes("heap"))
    ) {
      return `Leak outside the Go heap: resident memory grows ${describeRate(offHeap?.slopePerSecond ?? 0, "bytes")} while the Go heap does not${where ? `; suspect${where}` : ""}.`;
    }
    const rate = liveHeap ? describeRate(liveHeap.slopePerSecond, "bytes") : "";
    if (top)
      return `Leak: the live heap grows ${rate}; ${where.trim()} explains ${Math.round(top.shareOfGrowth * 100)} % of the growth.`;
    return `Leak: the live heap grows ${rate}.`;
  }
  if (result.verdict === "no-leak") {
    const level = liveHeap
      ? `the live heap stays around ${formatBytesShort(sampledLevel ?? liveHeap.level)}`
      : "memory stays bounded";
    const warm = liveHeap?.warmupSkipped
      ? ` after a warm-up of ${liveHeap.regimeStartSeconds.toFixed(0)} s`
      : "";
    return `No leak: ${level}${warm} over ${formatDuration(span)}${goroutines?.verdict === "bounded" ? ` and the goroutine count is stable` : ""}.`;
  }
  // A target that stopped on its own before there was enough to judge is the first thing to say.
  const stoppedEarly =
    targetExit && !targetExit.outOfMemory && targetExit.signal !== "SIGTERM"
      ? ` The program stopped by itself (${targetExit.signal ? `killed by ${targetExit.signal}` : `exit code ${targetExit.code}`}) at ${targetExit.tSeconds.toFixed(0)} s: look at its output.`
      : "";
  return `Inconclusive: ${span < 1 ? "no usable data" : `${formatDuration(span)} of data do not settle it`}.${stoppedEarly} ${result.toDecide ?? ""}`.trim();
}

function shortPath(file: string): string {
  return file.split("/").slice(-2).join("/");
}

/** GOMEMLIMIT (from the latest MemStats that states one) and the container limit, when set. */
function memoryLimitsOf(input: DiagnosisInput): { bytes: number; source: string }[] {
  const out: { bytes: number; source: string }[] = [];
  for (let i = input.memStats.length - 1; i >= 0; i--) {
    const bytes = input.memStats[i].sample.memoryLimitBytes;
    if (bytes === undefined) continue;
    // math.MaxInt64 (and anything near it) is Go's "no limit".
    if (bytes > 0 && bytes < 2 ** 62) out.push({ bytes, source: "GOMEMLIMIT" });
    break;
  }
  if (input.memoryLimit) out.push(input.memoryLimit);
  return out;
}
