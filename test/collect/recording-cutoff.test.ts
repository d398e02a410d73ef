/** A recording limited to its first seconds (doctor's looks replayed on a finished recording). */
import { describe, expect, it } from "vitest";
import { recordingCutoff } from "../../src/collect/doctor-input.js";

const samples = [
  { id: 1, startedMs: 10_000 },
  { id: 2, startedMs: 11_003 },
  { id: 3, startedMs: 12_001 },
  { id: 5, startedMs: 13_010 },
];

describe("recordingCutoff", () => {
  it("keeps the samples started within the seconds, and times the rest from the next sample", () => {
    expect(recordingCutoff(samples, 1.003)).toEqual({ lastSampleId: 2, beforeMs: 12_001 });
    expect(recordingCutoff(samples, 2.5)).toEqual({ lastSampleId: 3, beforeMs: 13_010 });
    expect(recordingCutoff(samples, 0)).toEqual({ lastSampleId: 1, beforeMs: 11_003 });
  });

  it("leaves the recording whole when nothing is later, or no limit is asked", () => {
    expect(recordingCutoff(samples, 3.01)).toBeNull();
    expect(recordingCutoff(samples, 60)).toBeNull();
    expect(recordingCutoff(samples, undefined)).toBeNull();
    expect(recordingCutoff([], 5)).toBeNull();
  });

  it("keeps the look's own sample when its seconds were computed from the same millisecond times", () => {
    for (const s of samples) {
      const seconds = (s.startedMs - samples[0].startedMs) / 1000;
      const cut = recordingCutoff(samples, seconds);
      if (cut) expect(cut.lastSampleId).toBe(s.id);
    }
  });
});
