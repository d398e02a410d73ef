/** The one-sentence summary that opens every doctor report. */
import { formatBytes, formatDuration } from "../model/units.js";
import type { DiagnosisInput } from "./input.js";
import { describeRate, type SignalJudgement } from "./signal-trend.js";
import type { LiveHeapSite, Suspect } from "./types.js";
import type { VerdictResult } from "./verdict.js";

export interface SummaryInput {
  result: VerdictResult;
  liveHeap: SignalJudgement | undefined;
  goroutines: SignalJudgement | undefined;
  offHeap: SignalJudgement | undefined;
  suspects: Suspect[];
  spanSeconds: number;
  /** Level of the sampled in-use total, when profiles were read (what the profile says is live). */
  sampledLevel: number | undefined;
  liveHeapBySite: LiveHeapSite[];
  targetExit: DiagnosisInput["targetExit"];
}

/** A share as a whole percentage, rounded down so that shares summing to at most 1 print at most 100 %. */
export function percentOf(share: number): number {
  return Math.floor(share * 100 + 1e-6);
}

export function summarize(from: SummaryInput): string {
  if (from.result.verdict === "leak") return leakSummary(from);
  if (from.result.verdict === "no-leak") return noLeakSummary(from);
  const { targetExit, spanSeconds: span, result } = from;
  // A target that stopped on its own before there was enough to judge is the first thing to say.
  const stoppedEarly =
    targetExit && !targetExit.outOfMemory && targetExit.signal !== "SIGTERM"
      ? ` The program stopped by itself (${targetExit.signal ? `killed by ${targetExit.signal}` : `exit code ${targetExit.code}`}) at ${targetExit.tSeconds.toFixed(0)} s: look at its output.`
      : "";
  return `Inconclusive: ${span < 1 ? "no usable data" : `${formatDuration(span)} of data do not settle it`}.${stoppedEarly} ${result.toDecide ?? ""}`.trim();
}

function leakSummary({ result, liveHeap, goroutines, offHeap, suspects }: SummaryInput): string {
  const top = suspects[0];
  const where = top?.function
    ? ` ${top.function}${top.file ? ` (${shortPath(top.file)}:${top.line})` : ""}`
    : "";
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
  if (top && top.shareOfGrowth > 0)
    return `Leak: the live heap grows ${rate}; ${where.trim()} explains ${percentOf(top.shareOfGrowth)} % of the growth.`;
  return `Leak: the live heap grows ${rate}.`;
}

function noLeakSummary(from: SummaryInput): string {
  const { liveHeap, goroutines, sampledLevel, spanSeconds } = from;
  const level = liveHeap
    ? `the live heap stays around ${formatBytes(sampledLevel ?? liveHeap.level)}`
    : "memory stays bounded";
  const warm = liveHeap?.warmupSkipped
    ? ` after a warm-up of ${liveHeap.regimeStartSeconds.toFixed(0)} s`
    : "";
  const stable = goroutines?.verdict === "bounded" ? " and the goroutine count is stable" : "";
  const holder = from.liveHeapBySite[0];
  const held = holder
    ? ` ${holder.function} holds ${formatBytes(holder.inuseBytes)} of the live heap (${percentOf(holder.shareOfLiveHeap)} %).`
    : "";
  return `No leak: ${level}${warm} over ${formatDuration(spanSeconds)}${stable}.${held}`;
}

export function shortPath(file: string): string {
  return file.split("/").slice(-2).join("/");
}
