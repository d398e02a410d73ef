/** `heapscope doctor --json`: the diagnosis as a stable JSON document (see the README for the fields). */
import type { SignalJudgement } from "../diagnose/signal-trend.js";
import type { Diagnosis, HeapMovement, LiveHeapSite, Suspect, SuspectHolder } from "../diagnose/types.js";
import { retentionJson } from "./retention-report.js";

const round = (value: number, digits = 3): number => {
  if (!Number.isFinite(value)) return value > 0 ? Number.MAX_VALUE : value < 0 ? -Number.MAX_VALUE : 0;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** An interval bound the data could not set (±∞) is null in JSON. */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? round(value, 3) : null;
}

function suspectJson(s: Suspect): Record<string, unknown> {
  return {
    kind: s.kind,
    function: s.function,
    stack: s.stack,
    file: s.file,
    line: s.line,
    growthBytesPerSecond: round(s.growthBytesPerSecond, 1),
    growthObjectsPerSecond: round(s.growthObjectsPerSecond, 3),
    inuseBytes: Math.round(s.inuseBytes),
    shareOfGrowth: share(s.shareOfGrowth),
    hint: s.hint,
    attribution: s.attribution,
    pValue: s.pValue,
    ...(s.kind === "goroutines"
      ? {
          goroutines: s.goroutines,
          growthGoroutinesPerSecond: round(s.growthGoroutinesPerSecond ?? 0, 3),
          state: s.state ?? null,
          waitMinutes: s.waitMinutes ?? null,
          createdBy: s.createdBy ?? null,
        }
      : {}),
    ...(s.objectSizes ? { objectSizes: s.objectSizes } : {}),
    ...(s.withinSamplingNoise !== undefined ? { withinSamplingNoise: s.withinSamplingNoise } : {}),
    ...(s.heap
      ? {
          heap: {
            role: s.heap.role,
            netGrowthBytesPerSecond: round(s.heap.netGrowthBytesPerSecond, 1),
            replaces: s.heap.replaces,
            lines: s.heap.lines.map((l) => ({
              file: l.file,
              line: l.line,
              growthBytesPerSecond: round(l.growthBytesPerSecond, 1),
              inuseBytes: Math.round(l.inuseBytes),
            })),
          },
        }
      : {}),
    ...(s.heap?.heldBy ? { heldBy: s.heap.heldBy.map(heldByJson) } : {}),
    ...(s.heap?.heldByNote ? { heldByNote: s.heap.heldByNote } : {}),
    series: s.series.map((p) => [round(p.tSeconds, 2), round(p.value, 1)]),
  };
}

function heldByJson(h: SuspectHolder): Record<string, unknown> {
  return {
    root: h.root,
    rootKind: h.rootKind,
    path: h.path,
    retainedBytes: h.retainedBytes === null ? null : Math.round(h.retainedBytes),
    objects: h.objects === null ? null : Math.round(h.objects),
    share: h.share === null ? null : round(h.share, 3),
    samples: h.samples,
    claim: h.claim,
    ...("type" in h ? { type: h.type, slice: h.slice ?? null, sourceLines: h.sourceLines ?? [] } : {}),
  };
}

/** Shares are rounded down, so shares that sum to at most 1 still do after rounding. */
const share = (value: number): number => Math.floor(value * 1000 + 1e-6) / 1000;

function liveHeapSiteJson(h: LiveHeapSite): Record<string, unknown> {
  return {
    function: h.function,
    file: h.file,
    line: h.line,
    lines: h.lines,
    attribution: h.attribution,
    inuseBytes: Math.round(h.inuseBytes),
    inuseObjects: Math.round(h.inuseObjects),
    shareOfLiveHeap: share(h.shareOfLiveHeap),
    ...(h.heldBy ? { heldBy: h.heldBy.map(heldByJson) } : {}),
  };
}

function movementJson(m: HeapMovement): Record<string, unknown> {
  return {
    netGrowthBytesPerSecond: round(m.netGrowthBytesPerSecond, 1),
    summary: m.summary,
    sites: m.sites.map((site) => ({ ...site, changeBytesPerSecond: round(site.changeBytesPerSecond, 1) })),
  };
}

function signalJson(s: SignalJudgement): Record<string, unknown> {
  return {
    name: s.name,
    unit: s.unit,
    // The series verdict of the trend engine: growing, bounded, undecided or insufficient.
    verdict: s.verdict,
    policy: s.policy,
    alpha: s.alpha,
    reason: s.reason,
    points: s.points,
    spanSeconds: round(s.spanSeconds, 2),
    regimeStartSeconds: round(s.regimeStartSeconds, 2),
    warmupSkipped: s.warmupSkipped,
    slopePerSecond: round(s.slopePerSecond, 3),
    slopeLowPerSecond: finiteOrNull(s.slopeLowPerSecond),
    slopeHighPerSecond: finiteOrNull(s.slopeHighPerSecond),
    pValue: s.pValue,
    pValuePlain: s.pValuePlain,
    pValueCorrected: s.pValueCorrected,
    regimePoints: s.regimePoints,
    ...(s.notLevelledOff ? { notLevelledOff: true } : {}),
    floorPerSecond: round(s.floorPerSecond, 3),
    level: round(s.level, 1),
    firstValue: s.firstValue,
    lastValue: s.lastValue,
    ...(s.boundedBy ? { boundedBy: s.boundedBy } : {}),
    ...(s.extraSecondsNeeded !== undefined ? { extraSecondsNeeded: Math.round(s.extraSecondsNeeded) } : {}),
    series: s.series.map((p) => [round(p.tSeconds, 2), round(p.value, 1)]),
  };
}

export function doctorJson(
  diagnosis: Diagnosis,
  extra: { htmlPath?: string; recordingPath?: string } = {},
): Record<string, unknown> {
  return {
    verdict: diagnosis.verdict,
    summary: diagnosis.summary,
    reasons: diagnosis.reasons,
    toDecide: diagnosis.toDecide,
    suspects: diagnosis.suspects.map(suspectJson),
    liveHeapBySite: diagnosis.liveHeapBySite.map(liveHeapSiteJson),
    heapMovement: diagnosis.heapMovement ? movementJson(diagnosis.heapMovement) : null,
    signals: Object.fromEntries(Object.entries(diagnosis.signals).map(([id, s]) => [id, signalJson(s)])),
    evidence: diagnosis.evidence,
    hints: diagnosis.hints,
    figures: diagnosis.figures,
    observation: diagnosis.observation,
    // First sample to verdict (builds and launch excluded); null when not observed live.
    timeToVerdictSeconds:
      diagnosis.decision?.timeToVerdictSeconds === undefined ||
      diagnosis.decision.timeToVerdictSeconds === null
        ? null
        : round(diagnosis.decision.timeToVerdictSeconds, 2),
    decision: diagnosis.decision ?? null,
    caveat: diagnosis.caveat,
    notes: diagnosis.notes,
    ...(diagnosis.retention
      ? { holders: diagnosis.retention.holders, retention: retentionJson(diagnosis.retention) }
      : {}),
    ...(extra.htmlPath ? { html: extra.htmlPath } : {}),
    ...(extra.recordingPath ? { recording: extra.recordingPath } : {}),
  };
}
