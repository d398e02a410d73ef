/**
 * Gaps: stretches where the target does not answer. The first unanswered sample opens one, later
 * ones count as attempts, the next answered sample closes it.
 */
import type { RecordingWriter } from "../store/recording-writer.js";
import type { SampleOutcome } from "./sampler.js";

export interface GapEvent {
  open: boolean;
  startMs: number;
  endMs: number | null;
  reason: string;
}

export class TargetGaps {
  private gapId: number | null = null;
  private gapStartMs = 0;

  constructor(
    private readonly writer: RecordingWriter,
    /** Called when a gap opens or closes. */
    private readonly onChange: (event: GapEvent) => void,
  ) {}

  /** A gap is open: the target did not answer the last sample. */
  get open(): boolean {
    return this.gapId !== null;
  }

  /**
   * Opens, extends or closes the gap with this sample's outcome. Inside a gap the sample's
   * connection errors are dropped: one error row per gap, not one per attempt.
   */
  note(outcome: SampleOutcome): void {
    const sample = outcome.sample;
    if (outcome.reachable && this.gapId !== null) {
      this.writer.closeGap(this.gapId, sample.startedMs);
      this.onChange({ open: false, startMs: this.gapStartMs, endMs: sample.startedMs, reason: "" });
      this.gapId = null;
    } else if (!outcome.reachable) {
      const reason = outcome.unreachableReason ?? "no answer";
      if (this.gapId === null) {
        this.gapStartMs = sample.startedMs;
        this.gapId = this.writer.openGap(this.gapStartMs, reason);
        this.onChange({ open: true, startMs: this.gapStartMs, endMs: null, reason });
      } else {
        this.writer.noteGapAttempt(this.gapId);
        sample.errors = sample.errors.filter((error) => error.kind !== "connect" && error.kind !== "timeout");
      }
    }
  }
}
