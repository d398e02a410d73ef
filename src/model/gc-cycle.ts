/**
 * Garbage collection as the Go runtime reports it with `GODEBUG=gctrace=1`: cycles, scavenger
 * reports, and the runs of cycles of one process. Built by formats/gctrace, read by the GC
 * statistics, the doctor, the recorder and the UI.
 */

/** One garbage collection cycle, as printed by the runtime at the end of mark termination. */
export interface GcCycle {
  /** `gc N`: the cycle number, counted from 1 in each process. */
  cycle: number;
  /** `@Ns`: seconds since the process started, at the start of the cycle. */
  atSeconds: number;
  /** `N%`: percentage of CPU spent in GC since the process started (cumulative, truncated). */
  cpuPercentCumulative: number;
  /** Wall-clock phases as printed: 3 (Go 1.6+) or 5 (Go 1.5). */
  clockMs: number[];
  /** CPU figures as printed, flattened: 5 values (1.6+: `a+b/c/d+e`) or 7 (1.5: `a+b+c+d/e/f+g`). */
  cpuMs: number[];
  /** Stop-the-world sweep termination, wall clock. */
  sweepTerminationMs: number;
  /** Concurrent mark (and, in 1.5, scan and the ragged barrier), wall clock. */
  concurrentMarkMs: number;
  /** Stop-the-world mark termination, wall clock. */
  markTerminationMs: number;
  /** Sum of the stop-the-world phases: the pauses this cycle imposed on the program. */
  stwPauseMs: number;
  /** GC CPU time without idle marking (what the runtime's cumulative `N%` counts). */
  gcCpuMs: number;
  /** Mark assist CPU time charged to allocating goroutines. */
  assistCpuMs: number;
  /** Dedicated and fractional background mark worker CPU time. */
  backgroundCpuMs: number;
  /** Idle mark worker CPU time (otherwise idle Ps; not counted as GC cost by the runtime). */
  idleCpuMs: number;
  /** Heap in use when marking started (≈ the trigger), floored to MiB. */
  heapStartBytes: number;
  /** Heap in use when marking ended, floored to MiB. */
  heapEndBytes: number;
  /** Live heap marked by this cycle (heap after GC), floored to MiB: the leak signal. */
  liveHeapBytes: number;
  /** Heap goal of this cycle, floored to MiB. */
  goalBytes: number;
  /** Go 1.18+: scannable stack bytes counted toward the goal. */
  stacksBytes?: number;
  /** Go 1.18+: scannable globals counted toward the goal. */
  globalsBytes?: number;
  /** `N P`: GOMAXPROCS. */
  procs: number;
  /** `(forced)`: runtime.GC() or debug.FreeOSMemory(). */
  forced: boolean;
  /** Preceded by a `GC forced` notice: sysmon forced it after 2 minutes without a GC. */
  periodic: boolean;
  /** Other parenthesized suffixes, e.g. `checking for goroutine leaks`. */
  annotations: string[];
  /** Which layout the line used. */
  layout: GcLineLayout;
  /** 1-based line number in the input (of the first physical line when repaired). */
  lineNumber: number;
}

export type GcLineLayout = "go1.5" | "go1.6-1.17" | "go1.18+";

/** A scavenger report (memory returned to the OS). All sizes in bytes. */
export interface ScavengerEvent {
  /** `scvg` (Go ≤1.13, printed with gctrace) or `scav` (Go 1.14+, `GODEBUG=scavtrace=1`). */
  kind: "scvg" | "scav";
  /** Bytes released to the OS by this report (scvg `N MB released`, scav work). */
  releasedBytes: number;
  /** scav 1.21+: background and eager parts of the work. */
  backgroundBytes?: number;
  eagerBytes?: number;
  /** scav: total released bytes now (`KiB total` ≤1.20, `KiB now` 1.21+); scvg: `released: N` MB. */
  totalReleasedBytes?: number;
  /** scav: heap in use ×100 / heap retained. */
  utilizationPercent?: number;
  /** scvg summary line figures (MB). */
  inuseBytes?: number;
  idleBytes?: number;
  sysBytes?: number;
  consumedBytes?: number;
  /** `(forced)` or `scvg-1` (debug.FreeOSMemory). */
  forced: boolean;
  /** `[controller reset]` (Go 1.14–1.19 scav). */
  controllerReset: boolean;
  /** Seconds since process start of the preceding gc cycle of the same run (scav lines carry no time). */
  afterCycleAtSeconds?: number;
  lineNumber: number;
}

/** One process's gctrace: a run of cycles with one counter. */
export interface GcProcessRun {
  /** 0-based, in order of first appearance; stable (runs dropped for memory do not renumber). */
  index: number;
  firstCycle: number;
  lastCycle: number;
  /** Cycles parsed. */
  cycleCount: number;
  /** Cycle numbers missing between first and last (lines lost or not parsed). */
  missingCycles: number;
  startSeconds: number;
  endSeconds: number;
  firstLineNumber: number;
  lastLineNumber: number;
  layout: GcLineLayout;
  /** Kept only when the parser keeps records (parseGcTrace does). */
  cycles: GcCycle[];
  scavenger: ScavengerEvent[];
  scavengerCount: number;
}
