/**
 * `FILE#N` profile sources: the heap snapshots of a recording, addressed by number.
 */
import { InputError } from "../errors.js";
import { openRecording } from "./recording-reader.js";

/**
 * The heap profile of snapshot `selector` of the recording at `path`, as the target sent it
 * (normally gzip-compressed profile.proto). `selector` is "N" (1-based, counting the snapshots
 * whose profile is stored), "last" or "first".
 */
export function readRecordingHeapSnapshot(path: string, selector: string): Uint8Array {
  const recording = openRecording(path);
  try {
    return recording.heapSnapshotBytes(selector);
  } finally {
    recording.close();
  }
}

/**
 * Splits `rec.hsrec#3` into path and selector. Returns null when `source` has no `#` suffix of the
 * snapshot form, so a file name that merely contains `#` is left alone.
 */
export function splitRecordingSelector(source: string): { path: string; selector: string } | null {
  const match = /^(.*)#(\d+|last|first)$/i.exec(source);
  if (!match || match[1] === "") return null;
  return { path: match[1]!, selector: match[2]! };
}

/** Same as readRecordingHeapSnapshot, taking `FILE#N` in one string. */
export function readRecordingHeapSnapshotSource(source: string): Uint8Array {
  const parts = splitRecordingSelector(source);
  if (!parts) throw new InputError(source, "expected FILE#N (1-based heap snapshot number) or FILE#last");
  return readRecordingHeapSnapshot(parts.path, parts.selector);
}
