/**
 * What `fleet` concludes about many instances of Go programs read from Prometheus: each instance's
 * verdict (the trend engine's vocabulary), its memory basis, growth and time to its limit, its
 * process runs, the deploy its growth began with, and the fleet's versions. Renderers take this.
 */
import type { MemoryBasis } from "../../analysis/memory-basis.js";
import type { ProcessRun } from "../../analysis/process-runs.js";
import type { TrendVerdict } from "../../analysis/trend.js";
import type { MemStatsSeries } from "../../model/memstats.js";

/** A version label seen on an instance between two times (epoch seconds). */
export interface VersionSpan {
  version: string;
  firstSeconds: number;
  lastSeconds: number;
  /** Where it was read: go_build_info, checkout_build_info, or the --version-label. */
  source: string;
}

/** One instance as the collector assembled it. */
export interface FleetInstanceInput {
  key: string;
  labels: Record<string, string>;
  series: MemStatsSeries;
  /** Oldest first. */
  versions: VersionSpan[];
  containerLimitBytes?: number;
  /** Metric names found for it. */
  metrics: string[];
}

export interface MemoryLimit {
  bytes: number;
  source: "GOMEMLIMIT" | "container";
  /** What is compared with it: the limit counts more than the heap. */
  comparedWith: "Go-held memory" | "RSS" | "the basis";
  currentBytes: number;
}

export interface FleetRun {
  startSeconds: number;
  endSeconds: number;
  startedBy: ProcessRun["startedBy"];
  samples: number;
  verdict: TrendVerdict;
  basis: MemoryBasis | null;
  basisLabel: string | null;
  /** Theil–Sen slope of the basis, per hour (null without a basis). */
  growthBytesPerHour: number | null;
  /** Where the judged stretch starts (a warm-up or an earlier regime skipped), epoch seconds. */
  judgedFromSeconds: number;
  /** Where the basis began to grow (growing runs; growth-onset.ts), else the judged stretch's start. */
  growthFromSeconds: number;
  /** The basis level (median of the judged stretch) and its last value. */
  levelBytes: number | null;
  lastBytes: number | null;
  reason: string;
  version: string | null;
  /** The basis over the run, downsampled (epoch seconds, bytes). */
  points: { t: number; v: number }[];
}

export interface Attribution {
  /** The version before (null: the instance appeared with `to`). */
  from: string | null;
  to: string;
  /** When `to` reached this instance, epoch seconds. */
  changedAtSeconds: number;
}

export interface FleetInstance {
  key: string;
  labels: Record<string, string>;
  /** The last process run's verdict (what `memstats` says on the same readings). */
  verdict: TrendVerdict;
  basis: MemoryBasis | null;
  basisLabel: string | null;
  reason: string;
  growthBytesPerHour: number | null;
  /** Growth relative to the level, per hour. */
  relativeGrowthPerHour: number | null;
  limit: MemoryLimit | null;
  timeToLimitSeconds: number | null;
  /** Where the growth began (epoch seconds), when it began inside the range. */
  changePoint: number | null;
  /** The version at the change point (growing) or at the end. */
  version: string | null;
  attribution: Attribution | null;
  runs: FleetRun[];
  /** An earlier process run grew (the last one may be too short to tell). */
  earlierRunGrew: boolean;
  goroutines: { count: number; verdict: TrendVerdict; reason: string } | null;
  /** Lower ranks first: growing now, grew in an earlier run, undecided, insufficient, bounded. */
  rank: number;
  /** Seconds until the limit, or until the memory doubles where no limit is known (growing only). */
  urgencySeconds: number | null;
  metrics: string[];
}

export interface UnjudgedInstance {
  key: string;
  labels: Record<string, string>;
  reason: string;
}

export interface VersionSummary {
  /** The job the version belongs to ("" when instances carry no job label). */
  job: string;
  version: string;
  /** Instances that ran it in the range. */
  instances: number;
  /** Of them, growing while on it. */
  growing: number;
  /** Of them, whose growth began with it. */
  attributed: number;
  /** Verdicts of the process runs on it, by instance. */
  bounded: number;
  undecided: number;
  insufficient: number;
  firstSeenSeconds: number;
}

export interface SignalPresence {
  signal: string;
  meaning: string;
  metrics: string[];
  instancesWith: number;
  instancesWithout: number;
}

export interface DrillDownSuspect {
  kind: string;
  function: string;
  file: string;
  line: number;
  growthBytesPerSecond: number;
  shareOfGrowth: number;
}

export interface DrillDown {
  key: string;
  labels: Record<string, string>;
  url: string;
  verdict: string | null;
  summary: string | null;
  suspects: DrillDownSuspect[];
  error: string | null;
  seconds: number;
}

export interface FleetQueryInfo {
  prometheus: string;
  selector: string;
  startSeconds: number;
  endSeconds: number;
  stepSeconds: number;
  stepSource: string;
  scrapeIntervalSeconds: number | null;
  scrapeIntervalSource: string;
  requests: number;
  warnings: string[];
}

export interface FleetReport {
  query: FleetQueryInfo;
  /** Ranked, worst first. */
  instances: FleetInstance[];
  unjudged: UnjudgedInstance[];
  versions: VersionSummary[];
  /** "checkout: growth began with 1.8.3 on 2 of 2 instances; 1.8.2 instances are flat." */
  attributionSentences: string[];
  signals: SignalPresence[];
  drillDown: DrillDown[];
  notes: string[];
}
