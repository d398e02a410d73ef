/**
 * What diagnose() reads and judges before it decides: the heap profiles as per-site series
 * (HeapReadings) and every signal's judgement (JudgedSignals). Shared by diagnose.ts, which builds
 * them, and suspects.ts, which ranks the sites they describe.
 */
import type { GoroutineAnalysis } from "./goroutine-growth.js";
import type { HeapSiteTable, SiteGrowth } from "./heap-growth.js";
import type { SeriesPoint, SignalJudgement } from "./signal-trend.js";

export interface HeapReadings {
  /** One unit per allocating line (what the live-heap judge weighs). */
  table: HeapSiteTable;
  /** One unit per allocating function (what suspects and holders are made of). */
  byFunction: HeapSiteTable;
  liveHeapPoints: SeriesPoint[];
  liveObjectPoints: SeriesPoint[];
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
