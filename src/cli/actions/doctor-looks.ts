/**
 * doctor --duration auto: the recording is judged as it grows, at looks planned in advance
 * (analysis/trend/sequential-looks.ts: 10, 15, 20, 25, 30 s, then 30 % further each time, up to the
 * maximum), and the observation stops at the first look whose verdict is leak or no-leak.
 *
 * - α: every look judges each signal with its share of α (10 % for the looks before 30 s together,
 *   half at 30 s, 40 % for the later ones, growing with the square of the time, so the last look at
 *   5 min judges with 17.7 % of α), so by the union bound the chance of a false leak over all
 *   looks is at most what one fixed window has (a weighted Bonferroni split over a bounded number of
 *   looks; see sequential-looks.ts for why not a group-sequential boundary).
 * - no-leak: a look's bound on growth is counted over at least FIXED_WINDOW_SECONDS, so stopping at
 *   10 s never accepts more growth per second than the fixed 30 s window would.
 * - Sampling: every AUTO_INTERVAL_MS for the first minute, then a sixtieth of the time elapsed (5 s
 *   at 5 min). Each sample forces a GC in the target (heap profile with gc=1): on a 200 MB
 *   pointer-rich heap one forced GC costs the target about 0.2 s of CPU (the recording benchmark's
 *   figure), so about 20 % of one core during the first minute and about 4 % at 5 minutes; a full
 *   5-minute observation takes about 157 samples, some 30 s of the target's CPU on such a heap.
 */
import {
  AUTO_MIN_SECONDS,
  FIXED_WINDOW_SECONDS,
  type LookSchedule,
  lookSchedule,
} from "../../analysis/trend.js";
import {
  inputFromRecording,
  openRecordingForDoctor,
  type RecordingInputOptions,
} from "../../collect/doctor-input.js";
import { diagnose } from "../../diagnose/diagnose.js";
import type { DiagnosisInput } from "../../diagnose/input.js";
import type { SignalLook } from "../../diagnose/signal-trend.js";
import type { Decision, Diagnosis } from "../../diagnose/types.js";

export const AUTO_INTERVAL_MS = 1000;
/** After the first minute the interval widens to this fraction of the time elapsed. */
const AUTO_INTERVAL_FRACTION = 1 / 60;

export function autoIntervalAt(elapsedMs: number): number {
  return Math.max(AUTO_INTERVAL_MS, Math.round(elapsedMs * AUTO_INTERVAL_FRACTION));
}

export interface DecidedLook {
  diagnosis: Diagnosis;
  decidedAtMs: number;
  look: NonNullable<Decision["look"]>;
}

/** Judges a growing recording at the planned looks; `decided` is set once a look's verdict holds. */
export class VerdictLooks {
  readonly schedule: LookSchedule;
  decided: DecidedLook | null = null;
  private next = 0;
  private busy = false;
  private firstSampleMs: number | null = null;

  constructor(
    private readonly recordingPath: string,
    private readonly inputOptions: RecordingInputOptions,
    maxSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.schedule = lookSchedule(AUTO_MIN_SECONDS, maxSeconds);
  }

  private signalLook(index: number): SignalLook {
    return { alphaShare: this.schedule.alphaShares[index], minBoundSpanSeconds: FIXED_WINDOW_SECONDS };
  }

  /** A sample was written (a fixed window only needs to know when the first was). */
  noteSample(atMs: number): void {
    this.firstSampleMs ??= atMs;
  }

  /** For every sample written; true when this sample's look decided (then stop recording). */
  onSample(atMs: number): boolean {
    this.noteSample(atMs);
    const looks = this.schedule.looksSeconds;
    // The last look is the final diagnosis, taken once the recording has ended.
    if (this.decided || this.busy || this.next >= looks.length - 1) return false;
    const elapsed = (atMs - (this.firstSampleMs ?? atMs)) / 1000;
    if (elapsed < looks[this.next]) return false;
    // Looks passed while another was judged are skipped: their share of α is simply not spent.
    while (this.next + 1 < looks.length - 1 && looks[this.next + 1] <= elapsed) this.next++;
    const index = this.next++;
    this.busy = true;
    try {
      // The recording as it stands at this sample (live, that is all of it; replayed, the rest is
      // left out: scripts/replay-looks.ts).
      const diagnosis = this.judge(index, { ...this.inputOptions, untilSeconds: elapsed });
      if (diagnosis.verdict === "inconclusive") return false;
      this.decided = { diagnosis, decidedAtMs: this.now(), look: this.lookInfo(index) };
      return true;
    } finally {
      this.busy = false;
    }
  }

  /** The last look, on the whole recording (the maximum was reached, the program exited, or Ctrl-C). */
  finalLook(options: RecordingInputOptions, extend: (input: DiagnosisInput) => void): DecidedLook {
    const last = this.schedule.looksSeconds.length - 1;
    const diagnosis = this.judge(last, options, extend);
    return { diagnosis, decidedAtMs: this.now(), look: this.lookInfo(last) };
  }

  get firstSampleAtMs(): number | null {
    return this.firstSampleMs;
  }

  private lookInfo(index: number): NonNullable<Decision["look"]> {
    return {
      index: index + 1,
      of: this.schedule.looksSeconds.length,
      atSeconds: this.schedule.looksSeconds[index],
      alphaShare: this.schedule.alphaShares[index],
    };
  }

  private judge(
    index: number,
    options: RecordingInputOptions,
    extend?: (input: DiagnosisInput) => void,
  ): Diagnosis {
    const reader = openRecordingForDoctor(this.recordingPath);
    try {
      const input = inputFromRecording(reader, options);
      input.look = this.signalLook(index);
      extend?.(input);
      return diagnose(input);
    } finally {
      reader.close();
    }
  }
}
