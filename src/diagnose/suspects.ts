/**
 * doctor's suspects: heap suspects (functions explaining the live heap's net growth, heap-suspects.ts),
 * goroutine groups and off-heap growth, each with its hint, ordered so that the kind explaining the
 * most growth leads. With too few snapshots for a trend test, the functions that grew in every step
 * are named without claiming a trend.
 */
import { theilSenSlope } from "../analysis/trend.js";
import { goroutineFacts, goroutineSuspect, mergeTransportGroups } from "./goroutine-suspects.js";
import { measureSiteChanges, type SiteGrowth } from "./heap-growth.js";
import {
  findHeapSuspects,
  type HeapFindings,
  heapSuspect,
  isMonotoneMove,
  replacementHint,
} from "./heap-suspects.js";
import { buildHints, type HeapSuspectFacts, type HintContext, type HintSet, suspectKey } from "./hints.js";
import type { DiagnosisInput } from "./input.js";
import { findGoModVersion, type ModuleContext, parseGoVersion, versionBefore } from "./module-path.js";
import { offHeapSuspect } from "./off-heap.js";
import type { HeapReadings, JudgedSignals } from "./readings.js";
import type { SeriesPoint } from "./signal-trend.js";
import type { MemoryFigures, Suspect } from "./types.js";
import type { VerdictResult } from "./verdict.js";

const KIB = 1024;
const MAX_SUSPECTS = 10;
/** Below this many snapshots the trend tests cannot reach significance (judgeSignal's minimum). */
const MIN_SNAPSHOTS_FOR_TRENDS = 8;
/** A goroutine suspect leads when the heap grows by less than this per leaked goroutine. */
const HEAP_BYTES_PER_GOROUTINE_EXPLAINED = 64 * KIB;

export interface SuspectContext {
  input: DiagnosisInput;
  module: ModuleContext;
  heap: HeapReadings;
  judged: JudgedSignals;
  result: VerdictResult;
  findings: HeapFindings;
  figures: MemoryFigures;
  notes: string[];
}

/** Heap, goroutine and off-heap suspects with their hints; the kind explaining the most growth leads. */
export function buildSuspects(ctx: SuspectContext): { suspects: Suspect[]; hints: HintSet } {
  const { module, heap, judged, result, findings } = ctx;
  const lastColumn = heap.table.times.length - 1;
  const allocatingSites = heap.table.sites
    .filter((acc) => lastColumn >= 0 && acc.allocBytes[lastColumn] > 0)
    .sort((a, b) => b.allocBytes[lastColumn] - a.allocBytes[lastColumn])
    .map((acc) => acc.site);
  const goroutineGroups = mergeTransportGroups(
    judged.goroutineAnalysis.growing,
    [...judged.siteGrowth.map((g) => g.site), ...allocatingSites],
    module,
  );
  const causes = findings.ranked.filter((r) => r.attribution.role === "cause");
  const leak = result.verdict !== "no-leak";
  const hints = buildHints(
    leak ? causes.map((r) => heapFactsOf(r.unit)) : [],
    leak ? goroutineGroups.map(goroutineFacts) : [],
    judged.offHeap?.verdict === "growing",
    judged.signals.stacks?.verdict === "growing",
    hintContext(
      ctx,
      causes.map((r) => r.unit),
    ),
  );
  if (!leak) return { suspects: [], hints };
  const stackBytesPerGoroutine = stackBytesPerGoroutineOf(ctx.figures, judged.goroutinePoints);
  const heapSuspects = heapSuspectsOf(findings, hints, false);
  const goroutineSuspects = goroutineGroups
    .slice(0, MAX_SUSPECTS)
    .map((g) =>
      goroutineSuspect(
        g,
        stackBytesPerGoroutine,
        hints.oneLiners.get(suspectKey(g.function, 0)) ?? "",
        module,
      ),
    );
  const offHeapSuspects =
    judged.offHeap?.verdict === "growing"
      ? [
          offHeapSuspect(
            judged.offHeap,
            [...judged.siteGrowth.map((g) => g.site), ...heap.table.sites.map((a) => a.site)],
            module,
          ),
        ]
      : [];
  let suspects = orderByKind(
    { heapSuspects, goroutineSuspects, offHeapSuspects },
    { result, judged, stackBytesPerGoroutine },
  );
  if (result.verdict === "inconclusive" && suspects.length === 0) suspects = steadySuspects(ctx, hints);
  return { suspects, hints };
}

function heapSuspectsOf(findings: HeapFindings, hints: HintSet, steady: boolean): Suspect[] {
  return findings.ranked.slice(0, MAX_SUSPECTS).map(({ unit, attribution }) => {
    const suspect = heapSuspect(unit, attribution, findings.units, "");
    suspect.hint =
      attribution.role === "replacement"
        ? replacementHint(suspect)
        : steady
          ? "Grew in every snapshot, but too few snapshots to call it a trend."
          : (hints.oneLiners.get(suspectKey(unit.site.function, unit.site.line)) ?? DEFAULT_HEAP_HINT);
    return suspect;
  });
}

const DEFAULT_HEAP_HINT =
  "Objects allocated here stay reachable; find what keeps them (a global, a map or slice, a cache, a goroutine) and release them.";

/**
 * Too few snapshots for a trend test: name the functions that grew in every step, without claiming
 * a trend (their shares are still of the net growth).
 */
function steadySuspects(ctx: SuspectContext, hints: HintSet): Suspect[] {
  const { heap, judged, notes } = ctx;
  const snapshots = heap.table.times.length;
  if (snapshots > 0 && snapshots < 3) {
    notes.push(
      `Only ${snapshots} heap snapshot${snapshots === 1 ? "" : "s"}: with fewer than three, no per-site growth is claimed.`,
    );
    return [];
  }
  if (snapshots < 3 || snapshots >= MIN_SNAPSHOTS_FOR_TRENDS) return [];
  const from = judged.reference?.regimeStartSeconds ?? heap.table.times[0];
  const findings = findHeapSuspects(
    measureSiteChanges(heap.byFunction, judged.reference?.regimeStartSeconds),
    netGrowthOf(judged, heap),
    (unit) => isMonotoneMove(unit, from),
  );
  const suspects = heapSuspectsOf(findings, hints, true);
  if (suspects.length > 0) {
    notes.push(
      `Only ${snapshots} heap snapshots: the suspects grew in every one of them, which is not yet a statistically established trend.`,
    );
  }
  return suspects;
}

/**
 * The kind that explains the most growth leads. Leaked goroutines keep heap alive, so when the heap
 * grows by no more than HEAP_BYTES_PER_GOROUTINE_EXPLAINED per leaked goroutine, the goroutines are
 * the cause and take the heap's growth as theirs.
 */
function orderByKind(
  kinds: { heapSuspects: Suspect[]; goroutineSuspects: Suspect[]; offHeapSuspects: Suspect[] },
  context: { result: VerdictResult; judged: JudgedSignals; stackBytesPerGoroutine: number },
): Suspect[] {
  const { result, judged, stackBytesPerGoroutine } = context;
  const heapRate = result.leakKinds.includes("heap") ? Math.max(judged.liveHeap?.slopePerSecond ?? 0, 0) : 0;
  const goroutineRate = judged.goroutines?.slopePerSecond ?? 0;
  const goroutinesExplainHeap =
    result.leakKinds.includes("goroutines") && heapRate <= HEAP_BYTES_PER_GOROUTINE_EXPLAINED * goroutineRate;
  const rates: { rate: number; suspects: Suspect[] }[] = [
    { rate: goroutinesExplainHeap ? 0 : heapRate, suspects: kinds.heapSuspects },
    {
      rate: result.leakKinds.includes("goroutines")
        ? (goroutinesExplainHeap ? heapRate : 0) + goroutineRate * stackBytesPerGoroutine
        : 0,
      suspects: kinds.goroutineSuspects,
    },
    {
      rate: result.leakKinds.includes("off-heap") ? (judged.offHeap?.slopePerSecond ?? 0) : 0,
      suspects: kinds.offHeapSuspects,
    },
  ];
  rates.sort((a, b) => b.rate - a.rate);
  return rates.flatMap((r) => r.suspects);
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
  // Go 1.27 removed GODEBUG asynctimerchan: its timers are collected whatever go.mod says.
  if (toolchain && !versionBefore(toolchain, 1, 27))
    return { pre123: false, reason: `built with ${input.buildInfo?.goVersion}` };
  if (goModVersion) {
    const [major, minor] = goModVersion;
    if (versionBefore(goModVersion, 1, 23))
      return { pre123: true, reason: `go.mod says go ${major}.${minor}` };
    return { pre123: false, reason: `go.mod says go ${major}.${minor}` };
  }
  if (toolchain) return { pre123: false, reason: `built with ${input.buildInfo?.goVersion}` };
  return { pre123: undefined };
}

/**
 * The live heap's net growth, bytes/s: its judged slope, or — when too few points were there to judge
 * it — the Theil–Sen slope of the profiles' in-use totals, which is still what the data say.
 */
export function netGrowthOf(judged: JudgedSignals, heap: HeapReadings): number {
  const liveHeap = judged.liveHeap;
  if (liveHeap && liveHeap.verdict !== "insufficient") return liveHeap.slopePerSecond;
  return heap.liveHeapPoints.length >= 2 ? theilSenSlope(heap.liveHeapPoints).slope : 0;
}

function stackBytesPerGoroutineOf(figures: MemoryFigures, goroutinePoints: SeriesPoint[]): number {
  const totalGoroutines = goroutinePoints.at(-1)?.value ?? 0;
  return figures.stackInuseBytes !== null && totalGoroutines > 0
    ? figures.stackInuseBytes / totalGoroutines
    : 8 * KIB;
}

function hintContext(ctx: SuspectContext, causes: SiteGrowth[]): HintContext {
  const { input, module, judged, heap } = ctx;
  const ownFiles = [...causes, ...judged.siteGrowth.slice(0, 5)]
    .filter((g) => g.site.attribution === "own")
    .map((g) => g.site.file);
  const goModVersion = input.goModVersion ?? findGoModVersion(ownFiles, input.readSource);
  const timers = timerSemantics(input, goModVersion);
  return {
    module,
    readSource: input.readSource,
    timersPre123: timers.pre123,
    timersReason: timers.reason,
    goVersion: goModVersion ?? parseGoVersion(input.buildInfo?.goVersion),
    samplingRateBytes: heap.table.samplingRateBytes,
  };
}
