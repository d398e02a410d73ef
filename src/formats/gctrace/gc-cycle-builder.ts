import type { GcCycle, GcLineLayout } from "../../model/gc-cycle.js";
import {
  type GcLineScanner,
  V_ASSIST,
  V_AT,
  V_BACKGROUND,
  V_CLOCK,
  V_CONCURRENT_MARK,
  V_CPU,
  V_CYCLE,
  V_GC_CPU,
  V_GLOBALS,
  V_GOAL,
  V_HEAP_END,
  V_HEAP_START,
  V_IDLE,
  V_LIVE,
  V_MARK_TERMINATION,
  V_PERCENT,
  V_PROCS,
  V_STACKS,
  V_STW,
} from "./gc-line-scanner.js";

const MIB = 1024 * 1024;

/**
 * Turns the line a GcLineScanner just scanned into a GcCycle. With `reuseObjects` it hands out the
 * same two objects (one for lines with stacks, one without, so an object's properties never
 * change) overwritten each time, and a long stream allocates nothing per cycle.
 */
export class GcCycleBuilder {
  private reusedWithStacks: GcCycle | null = null;
  private reusedWithoutStacks: GcCycle | null = null;

  constructor(
    private readonly scanner: GcLineScanner,
    private readonly reuseObjects: boolean,
  ) {}

  /** The GcCycle of the line just scanned: a new object, or a reused one. */
  build(lineNumber: number): GcCycle {
    if (!this.reuseObjects) return this.newCycle(lineNumber);
    const withStacks = this.scanner.hasStacks;
    const reused = withStacks ? this.reusedWithStacks : this.reusedWithoutStacks;
    if (reused) {
      this.overwrite(reused, lineNumber);
      return reused;
    }
    const cycle = this.newCycle(lineNumber);
    if (withStacks) this.reusedWithStacks = cycle;
    else this.reusedWithoutStacks = cycle;
    return cycle;
  }

  /** A new GcCycle of the scanned line. */
  newCycle(lineNumber: number): GcCycle {
    const scanner = this.scanner;
    const v = scanner.values;
    deriveFigures(scanner);
    const fivePhase = scanner.clockCount === 5;
    const k = V_CLOCK;
    const c = V_CPU;
    const cycle: GcCycle = {
      cycle: v[V_CYCLE],
      atSeconds: v[V_AT],
      cpuPercentCumulative: v[V_PERCENT],
      clockMs: fivePhase ? [v[k], v[k + 1], v[k + 2], v[k + 3], v[k + 4]] : [v[k], v[k + 1], v[k + 2]],
      cpuMs: fivePhase
        ? [v[c], v[c + 1], v[c + 2], v[c + 3], v[c + 4], v[c + 5], v[c + 6]]
        : [v[c], v[c + 1], v[c + 2], v[c + 3], v[c + 4]],
      sweepTerminationMs: v[k],
      concurrentMarkMs: v[V_CONCURRENT_MARK],
      markTerminationMs: v[V_MARK_TERMINATION],
      stwPauseMs: v[V_STW],
      gcCpuMs: v[V_GC_CPU],
      assistCpuMs: v[V_ASSIST],
      backgroundCpuMs: v[V_BACKGROUND],
      idleCpuMs: v[V_IDLE],
      heapStartBytes: v[V_HEAP_START] * MIB,
      heapEndBytes: v[V_HEAP_END] * MIB,
      liveHeapBytes: v[V_LIVE] * MIB,
      goalBytes: v[V_GOAL] * MIB,
      procs: v[V_PROCS],
      forced: scanner.forced,
      periodic: false,
      annotations: scanner.annotations,
      layout: scannedLayout(scanner),
      lineNumber,
    };
    if (scanner.hasStacks) {
      cycle.stacksBytes = v[V_STACKS] * MIB;
      cycle.globalsBytes = v[V_GLOBALS] * MIB;
    }
    return cycle;
  }

  /**
   * Overwrites `cycle` (made by newCycle for a line with stacks exactly when the scanned one has
   * them, so its properties stay the same) with the scanned line; its arrays are reused when their
   * length fits.
   */
  private overwrite(cycle: GcCycle, lineNumber: number): void {
    const scanner = this.scanner;
    const v = scanner.values;
    deriveFigures(scanner);
    cycle.cycle = v[V_CYCLE];
    cycle.atSeconds = v[V_AT];
    cycle.cpuPercentCumulative = v[V_PERCENT];
    let clockMs = cycle.clockMs;
    if (clockMs.length !== scanner.clockCount)
      clockMs = cycle.clockMs = new Array<number>(scanner.clockCount);
    for (let k = 0; k < clockMs.length; k++) clockMs[k] = v[V_CLOCK + k];
    let cpuMs = cycle.cpuMs;
    if (cpuMs.length !== scanner.cpuCount) cpuMs = cycle.cpuMs = new Array<number>(scanner.cpuCount);
    for (let k = 0; k < cpuMs.length; k++) cpuMs[k] = v[V_CPU + k];
    cycle.sweepTerminationMs = v[V_CLOCK];
    cycle.concurrentMarkMs = v[V_CONCURRENT_MARK];
    cycle.markTerminationMs = v[V_MARK_TERMINATION];
    cycle.stwPauseMs = v[V_STW];
    cycle.gcCpuMs = v[V_GC_CPU];
    cycle.assistCpuMs = v[V_ASSIST];
    cycle.backgroundCpuMs = v[V_BACKGROUND];
    cycle.idleCpuMs = v[V_IDLE];
    cycle.heapStartBytes = v[V_HEAP_START] * MIB;
    cycle.heapEndBytes = v[V_HEAP_END] * MIB;
    cycle.liveHeapBytes = v[V_LIVE] * MIB;
    cycle.goalBytes = v[V_GOAL] * MIB;
    cycle.procs = v[V_PROCS];
    cycle.forced = scanner.forced;
    cycle.periodic = false;
    cycle.annotations = scanner.annotations;
    cycle.layout = scannedLayout(scanner);
    cycle.lineNumber = lineNumber;
    if (scanner.hasStacks) {
      cycle.stacksBytes = v[V_STACKS] * MIB;
      cycle.globalsBytes = v[V_GLOBALS] * MIB;
    }
  }
}

/** Fills the derived figures (phases, pauses, CPU split) of the scanned line into its values. */
function deriveFigures(scanner: GcLineScanner): void {
  const v = scanner.values;
  const clockCount = scanner.clockCount;
  const markTerminationMs = v[V_CLOCK + clockCount - 1];
  let concurrentMarkMs = v[V_CLOCK + 1];
  for (let k = 2; k < clockCount - 1; k++) concurrentMarkMs += v[V_CLOCK + k];
  v[V_CONCURRENT_MARK] = concurrentMarkMs;
  v[V_MARK_TERMINATION] = markTerminationMs;
  // Go 1.5's third phase ("synchronize Ps") is a ragged barrier, not a stop-the-world pause.
  v[V_STW] = v[V_CLOCK] + markTerminationMs;
  const c = V_CPU;
  if (clockCount === 5) {
    // a(sweep term)+b(scan)+c(install WB)+d(assist)/e(background)/f(idle)+g(mark term)
    v[V_ASSIST] = v[c + 3];
    v[V_BACKGROUND] = v[c + 1] + v[c + 2] + v[c + 4];
    v[V_IDLE] = v[c + 5];
    v[V_GC_CPU] = v[c] + v[c + 1] + v[c + 2] + v[c + 3] + v[c + 4] + v[c + 6];
  } else {
    v[V_ASSIST] = v[c + 1];
    v[V_BACKGROUND] = v[c + 2];
    v[V_IDLE] = v[c + 3];
    v[V_GC_CPU] = v[c] + v[c + 1] + v[c + 2] + v[c + 4];
  }
}

function scannedLayout(scanner: GcLineScanner): GcLineLayout {
  return scanner.clockCount === 5 ? "go1.5" : scanner.hasStacks ? "go1.18+" : "go1.6-1.17";
}
