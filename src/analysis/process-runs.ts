/**
 * A series of readings of one target can span several processes: a restart (a crash, an OOM kill,
 * a deploy) starts a new process whose memory starts low again. Each process run is judged on its
 * own; a restart is never read as memory going down. `memstats` judges the last run, `fleet` every
 * run, so both split the same way.
 */
import type { MemStatsField, MemStatsSample } from "../model/memstats.js";

export interface ProcessRun {
  /** Index of the run's first sample. */
  startIndex: number;
  /** Index after the run's last sample. */
  endIndex: number;
  /** What started it: the series' first sample, a new process start time, or a cumulative counter that fell. */
  startedBy: "series-start" | "start-time" | "counter-reset";
}

const CUMULATIVE: readonly MemStatsField[] = ["NumGC", "TotalAlloc", "Mallocs"];

/**
 * process_start_time_seconds is read from /proc in clock ticks (10 ms) and stays put while the
 * process lives; any change beyond this is a new process.
 */
const START_TIME_TOLERANCE_SECONDS = 0.5;

/** Why sample i starts a new process run (null when it continues the previous one). */
export function restartAt(samples: MemStatsSample[], i: number): ProcessRun["startedBy"] | null {
  if (i === 0) return "series-start";
  const before = samples[i - 1];
  const after = samples[i];
  if (
    before.processStartSeconds !== undefined &&
    after.processStartSeconds !== undefined &&
    Math.abs(after.processStartSeconds - before.processStartSeconds) > START_TIME_TOLERANCE_SECONDS
  ) {
    return "start-time";
  }
  const a = before.fields;
  const b = after.fields;
  const fell = CUMULATIVE.some((f) => a[f] !== undefined && b[f] !== undefined && b[f]! < a[f]!);
  return fell ? "counter-reset" : null;
}

/** The process runs of a series, oldest first (one run when it never restarted). */
export function splitProcessRuns(samples: MemStatsSample[]): ProcessRun[] {
  const runs: ProcessRun[] = [];
  if (samples.length === 0) return runs;
  let current: ProcessRun = { startIndex: 0, endIndex: samples.length, startedBy: "series-start" };
  for (let i = 1; i < samples.length; i++) {
    const startedBy = restartAt(samples, i);
    if (!startedBy) continue;
    current.endIndex = i;
    runs.push(current);
    current = { startIndex: i, endIndex: samples.length, startedBy };
  }
  runs.push(current);
  return runs;
}
