import type { GcProcessRun } from "../../model/gc-cycle.js";

/** Why lines did not yield a cycle or a scavenger event. */
export interface SkippedLineCounts {
  blank: number;
  /** `pacer:` lines (GODEBUG=gcpacertrace=1). */
  pacer: number;
  /** `GC forced` notices (kept as a flag on the next cycle, not as data). */
  gcForcedNotices: number;
  /** `SCHED` lines (GODEBUG=schedtrace). */
  schedtrace: number;
  /** gc lines that could not be parsed or repaired (truncated, mangled). */
  malformedGcLines: number;
  /** Pre-Go 1.5 `gcN(N): …` lines: not supported. */
  preGo15Lines: number;
  /** Anything else: application output, log noise, binary junk. */
  other: number;
}

/** A memory limit seen in the text (e.g. an application logging `GOMEMLIMIT=2GiB`). */
export interface MemoryLimitHint {
  bytes: number;
  lineNumber: number;
  text: string;
}

/** What a gctrace parse found: the process runs, and how every input line was accounted for. */
export interface GcTraceParse {
  /** Process runs in order of first appearance; `index` is each run's stable number (0-based). */
  runs: GcProcessRun[];
  /** Position in `runs` of the run to analyse (see `selectTargetRun`), -1 when there is none. */
  targetRunIndex: number;
  /** Physical input lines seen. */
  totalLines: number;
  cycleLines: number;
  scavengerLines: number;
  /** Lines that yielded neither a cycle nor a scavenger event. */
  skippedLines: number;
  skipped: SkippedLineCounts;
  /** gc lines rebuilt from pieces split by newlines or interleaved output. */
  repairedGcLines: number;
  /** Physical lines joined into a later line (CRI `P` pieces, partial JSON logs, split gc heads). */
  continuationLines: number;
  /** Process runs dropped from `runs` to bound memory (more than 1000 processes in one stream). */
  evictedRuns: number;
  memoryLimitHint?: MemoryLimitHint;
  /** Text mentions `GOGC=off`. */
  gogcOffHint?: boolean;
}
