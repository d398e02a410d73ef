/**
 * A launched program's gctrace cycles between samples: each cycle parsed from its stderr waits here,
 * with its original line, until the next sample (or flush) stores it.
 */
import type { GcCycle } from "../model/gc-cycle.js";
import type { StoredGcCycle } from "../model/recording.js";

/** Raw lines kept while waiting for their cycle to be parsed. */
const MAX_UNCLAIMED_LINES = 512;

export class PendingGcCycles {
  private readonly cycles: StoredGcCycle[] = [];
  /** Raw gc lines by `cycle@seconds`, claimed when their cycle is parsed. */
  private readonly lines = new Map<string, string>();

  get length(): number {
    return this.cycles.length;
  }

  /** Keeps a stderr line that holds a gc line, to store it with its cycle. */
  rememberLine(line: string): void {
    const match = /gc #?(\d+) @(\d+(?:\.\d+)?)s /.exec(line);
    if (!match) return;
    this.lines.set(`${match[1]}@${Number(match[2])}`, line.slice(match.index));
    if (this.lines.size > MAX_UNCLAIMED_LINES) this.lines.delete(this.lines.keys().next().value!);
  }

  /** A parsed cycle of process run `run`, received at `receivedMs`. */
  add(cycle: GcCycle, run: number, receivedMs: number): void {
    const key = `${cycle.cycle}@${cycle.atSeconds}`;
    const line = this.lines.get(key) ?? null;
    this.lines.delete(key);
    this.cycles.push({
      cycle: cycle.cycle,
      processRun: run,
      atSeconds: cycle.atSeconds,
      receivedMs,
      liveHeapBytes: cycle.liveHeapBytes,
      goalBytes: cycle.goalBytes,
      forced: cycle.forced,
      fields: { ...cycle },
      line,
    });
  }

  /** The waiting cycles, which are no longer kept here. */
  takeAll(): StoredGcCycle[] {
    return this.cycles.splice(0);
  }
}
