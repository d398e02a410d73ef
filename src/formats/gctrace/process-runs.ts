import type { GcCycle, GcProcessRun, ScavengerEvent } from "../../model/gc-cycle.js";

/** Most process runs kept in a parse (see evictSmallestRun). */
const MAX_RUNS = 1000;
/** A new cycle continues a run if its number is at most this far past the run's last cycle. */
const MAX_CYCLE_GAP = 16;
/** How many of the latest runs a new cycle may continue (and are never evicted). */
const RECENT_RUNS = 64;

interface MutableRun extends GcProcessRun {
  lastAtSeconds: number;
}

/**
 * Splits a stream's cycles into process runs: several processes may print into one stream (the
 * toolchain's own gctrace under `go run`/`go test`, a crash-looping service appending to one log),
 * each counting its cycles from 1.
 */
export class ProcessRuns {
  private readonly runs: MutableRun[] = [];
  private lastRun: MutableRun | null = null;
  private nextRunIndex = 0;
  /** Runs dropped to bound memory. */
  evictedRuns = 0;

  /** `keepRecords`: keep every cycle and scavenger event in its run, not only the counts. */
  constructor(private readonly keepRecords: boolean) {}

  /** Adds a cycle to its run; returns the run's index. */
  addCycle(cycle: GcCycle): number {
    const run = this.runFor(cycle);
    run.lastAtSeconds = cycle.atSeconds;
    if (cycle.cycle > run.lastCycle) {
      run.missingCycles += Math.max(0, cycle.cycle - run.lastCycle - 1);
      run.lastCycle = cycle.cycle;
    }
    run.cycleCount++;
    run.endSeconds = Math.max(run.endSeconds, cycle.atSeconds);
    run.lastLineNumber = cycle.lineNumber;
    if (cycle.layout === "go1.18+" || run.layout === "go1.6-1.17") run.layout = cycle.layout;
    if (this.keepRecords) run.cycles.push(cycle);
    this.lastRun = run;
    return run.index;
  }

  /**
   * Adds a scavenger event to the run of the last gc line (scavenger lines carry no cycle number;
   * they belong to the process that printed it); returns the run's index, -1 before any cycle.
   */
  addScavenger(event: ScavengerEvent): number {
    const run = this.lastRun;
    if (!run) return -1;
    event.afterCycleAtSeconds = run.lastAtSeconds;
    run.scavengerCount++;
    if (this.keepRecords) run.scavenger.push(event);
    return run.index;
  }

  /** Copies of the runs so far, in order of first appearance. */
  snapshot(): GcProcessRun[] {
    return this.runs.map(({ lastAtSeconds: _ignored, ...run }) => ({ ...run }));
  }

  /**
   * Which process a cycle belongs to. Each process counts cycles from 1, so a cycle continues the run
   * whose last cycle is just below it (and not later in time); cycle 1, a counter going back, or no
   * fitting run starts a new run. Interleaved processes (the go command's forced GC during a test)
   * thus stay apart.
   */
  private runFor(cycle: GcCycle): MutableRun {
    let best: MutableRun | undefined;
    let bestGap = Number.POSITIVE_INFINITY;
    if (cycle.cycle > 1) {
      for (let i = this.runs.length - 1; i >= 0 && i >= this.runs.length - RECENT_RUNS; i--) {
        const run = this.runs[i];
        const gap = cycle.cycle - run.lastCycle;
        if (gap < 1 || gap > MAX_CYCLE_GAP) continue;
        if (cycle.atSeconds + 0.0015 < run.lastAtSeconds) continue;
        if (gap < bestGap || (gap === bestGap && run === this.lastRun)) {
          best = run;
          bestGap = gap;
        }
      }
    }
    return best ?? this.startRun(cycle);
  }

  private startRun(cycle: GcCycle): MutableRun {
    const run: MutableRun = {
      index: this.nextRunIndex++,
      firstCycle: cycle.cycle,
      lastCycle: cycle.cycle,
      cycleCount: 0,
      missingCycles: 0,
      startSeconds: cycle.atSeconds,
      endSeconds: cycle.atSeconds,
      firstLineNumber: cycle.lineNumber,
      lastLineNumber: cycle.lineNumber,
      layout: cycle.layout,
      cycles: [],
      scavenger: [],
      scavengerCount: 0,
      lastAtSeconds: cycle.atSeconds,
    };
    this.runs.push(run);
    if (this.runs.length > MAX_RUNS) this.evictSmallestRun();
    return run;
  }

  /**
   * Bounded memory for streams with endless restarts: beyond MAX_RUNS, the run with the fewest
   * cycles among all but the most recent is dropped from the report (counted in `evictedRuns`);
   * run indexes stay stable.
   */
  private evictSmallestRun(): void {
    let victim = -1;
    for (let i = 0; i < this.runs.length - RECENT_RUNS; i++) {
      if (victim < 0 || this.runs[i].cycleCount < this.runs[victim].cycleCount) victim = i;
    }
    if (victim < 0) return;
    if (this.runs[victim] === this.lastRun) this.lastRun = null;
    this.runs.splice(victim, 1);
    this.evictedRuns++;
  }
}

/**
 * The run to analyse when a stream holds several processes: the one with the most cycles, and of
 * equally long runs the later one. Under `go run`/`go test` the toolchain's processes (go command,
 * compiler, linker) print first and briefly; the target program runs last and longest. Runs with
 * fewer cycles are still reported so a user can pick another with `--run`.
 */
export function selectTargetRun(runs: Pick<GcProcessRun, "cycleCount">[]): number {
  let best = -1;
  for (let i = 0; i < runs.length; i++) {
    if (best < 0 || runs[i].cycleCount >= runs[best].cycleCount) best = i;
  }
  return best;
}
