/**
 * The evidence section of a diagnosis: each judged signal in one line, the growing goroutine groups,
 * and the runtime's own figures that explain resident memory (what the runtime holds, untouched
 * pages, fragmentation, idle memory, stacks), memory limits and how the target exited.
 */
import { formatBytes, formatDuration } from "../model/units.js";
import type { GoroutineAnalysis } from "./goroutine-growth.js";
import type { DiagnosisInput } from "./input.js";
import { describeRate, type SeriesPoint, type SignalJudgement } from "./signal-trend.js";
import type { Evidence, MemoryFigures } from "./types.js";

const SIGNAL_ORDER = [
  "liveHeap",
  "liveHeapSampled",
  "liveHeapExact",
  "liveObjects",
  "goroutines",
  "stacks",
  "offHeap",
  "rss",
];

export interface EvidenceInput {
  signals: Record<string, SignalJudgement>;
  goroutineAnalysis: GoroutineAnalysis;
  figures: MemoryFigures;
  /** RSS − (Sys − HeapReleased) as read, before flooring (off-heap.ts `rssMinusHeld`). */
  rssMinusHeld: SeriesPoint[];
  input: DiagnosisInput;
}

export function buildEvidence(from: EvidenceInput): Evidence[] {
  return [
    ...signalEvidence(from.signals, from.rssMinusHeld),
    ...goroutineGroupEvidence(from.goroutineAnalysis),
    ...memoryFigureEvidence(from.figures, from.signals),
    ...limitEvidence(from.signals, from.input),
    ...exitEvidence(from.input),
  ];
}

function verdictWord(s: SignalJudgement): string {
  return s.verdict === "growing"
    ? "grows"
    : s.verdict === "bounded"
      ? "bounded"
      : s.verdict === "insufficient"
        ? "too little data"
        : "undecided";
}

function signalEvidence(signals: Record<string, SignalJudgement>, rssMinusHeld: SeriesPoint[]): Evidence[] {
  const out: Evidence[] = [];
  const weightOf = (s: SignalJudgement): Evidence["weight"] =>
    s.verdict === "growing" ? "leak" : s.verdict === "bounded" ? "healthy" : "neutral";
  const range = (s: SignalJudgement): string =>
    s.unit === "bytes"
      ? `${formatBytes(s.firstValue)} → ${formatBytes(s.lastValue)}`
      : `${Math.round(s.firstValue)} → ${Math.round(s.lastValue)}`;
  for (const id of SIGNAL_ORDER) {
    const s = signals[id];
    if (!s) continue;
    const crossCheck = id === "liveHeapExact" || id === "liveHeapSampled" || id === "rss";
    const weight = crossCheck && s.verdict === "growing" ? "neutral" : weightOf(s);
    if (id === "offHeap" && rssMinusHeld.length > 0 && rssMinusHeld.every((p) => p.value <= 0)) {
      out.push({ label: s.name, detail: untouchedDetail(rssMinusHeld), weight });
      continue;
    }
    out.push({
      label: s.name,
      detail: `${range(s)} over ${formatDuration(s.spanSeconds)} (${s.points} points): ${verdictWord(s)} — ${s.reason}${s.warmupSkipped ? `; judged from ${s.regimeStartSeconds.toFixed(0)} s, after a warm-up` : ""}`,
      weight,
    });
  }
  return out;
}

/** RSS stayed at or below what the runtime holds: nothing outside the Go heap can be measured. */
function untouchedDetail(rssMinusHeld: SeriesPoint[]): string {
  const first = -rssMinusHeld[0].value;
  const last = -rssMinusHeld[rssMinusHeld.length - 1].value;
  const trend =
    last < first
      ? `; RSS climbs towards it as those pages are written for the first time (${formatBytes(first)} → ${formatBytes(last)} unwritten), which is the Go heap being touched, not growth outside it`
      : "";
  return `none measurable: RSS stays below what the Go runtime holds (Sys − HeapReleased) in all ${rssMinusHeld.length} readings — the runtime holds pages it has not written yet${trend}`;
}

function goroutineGroupEvidence(goroutineAnalysis: GoroutineAnalysis): Evidence[] {
  return goroutineAnalysis.growing.slice(0, 3).map((g) => ({
    label: "growing goroutine group",
    detail: `${g.function}: ${g.startCount} → ${g.count} (${describeRate(g.growthPerSecond, "goroutines")})${g.state ? `, ${g.state}` : ""}${g.waitMinutesMax ? `, waiting up to ${g.waitMinutesMax} min` : ""}`,
    weight: "leak" as const,
  }));
}

function memoryFigureEvidence(figures: MemoryFigures, signals: Record<string, SignalJudgement>): Evidence[] {
  const out: Evidence[] = [];
  if (figures.rssBytes !== null && figures.goHeldBytes !== null) {
    const spans =
      figures.heapInuseBytes !== null
        ? `, of which heap spans in use ${formatBytes(figures.heapInuseBytes)}`
        : "";
    const untouched =
      figures.untouchedBytes !== null
        ? `; RSS is ${formatBytes(figures.untouchedBytes)} below it: pages the runtime reserved but has not written yet (or that were swapped out) are not resident, so nothing outside the Go heap shows`
        : "";
    out.push({
      label: "RSS vs Go runtime",
      detail: `RSS ${formatBytes(figures.rssBytes)}; the Go runtime holds ${formatBytes(figures.goHeldBytes)} (Sys − HeapReleased)${spans}${untouched}`,
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
      detail: `HeapIdle − HeapReleased = ${formatBytes(figures.retainedIdleBytes)} kept for reuse (counts in RSS, returned to the OS over minutes)`,
      weight: "neutral",
    });
  }
  if (figures.stackInuseBytes !== null) {
    out.push({
      label: "goroutine stacks",
      detail: `StackInuse ${formatBytes(figures.stackInuseBytes)} (not in heap profiles)`,
      weight: signals.stacks?.verdict === "growing" ? "leak" : "neutral",
    });
  }
  return out;
}

function limitEvidence(signals: Record<string, SignalJudgement>, input: DiagnosisInput): Evidence[] {
  const liveHeap = signals.liveHeap;
  const growing = liveHeap?.verdict === "growing" && liveHeap.slopePerSecond > 0;
  return memoryLimitsOf(input).map((limit) => {
    // The live heap alone reaching the limit is the latest the program can hit it: the heap goal
    // (GOGC headroom), stacks and RSS overhead come on top, so it is stated as "at most".
    const headroom = liveHeap ? limit.bytes - liveHeap.lastValue : Number.NaN;
    const projection = !growing
      ? ""
      : headroom <= 0
        ? "; the live heap is already at it"
        : `; at ${describeRate(liveHeap.slopePerSecond, "bytes")} the live heap alone reaches it in at most ${formatDuration(headroom / liveHeap.slopePerSecond)}`;
    return {
      label: "memory limit",
      detail: `${formatBytes(limit.bytes)} (${limit.source})${projection}`,
      weight: growing ? "leak" : "neutral",
    };
  });
}

function exitEvidence(input: DiagnosisInput): Evidence[] {
  const exit = input.targetExit;
  if (!exit) return [];
  return [
    {
      label: "target exit",
      detail: `${exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`} at ${exit.tSeconds.toFixed(0)} s${exit.outOfMemory ? " — out of memory" : ""}`,
      weight: exit.outOfMemory ? "leak" : "neutral",
    },
  ];
}

/** GOMEMLIMIT (from the latest MemStats that states one) and the container limit, when set. */
export function memoryLimitsOf(input: DiagnosisInput): { bytes: number; source: string }[] {
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
