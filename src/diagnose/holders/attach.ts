/**
 * attachRetention(diagnosis, analysis): the diagnosis with what holds its memory: the overall
 * holders, and for each heap suspect the roots that keep its sampled objects (heldBy, joined on the
 * suspect's allocating lines), and the same for the largest live-heap sites. Goroutine and off-heap
 * suspects are left as they are.
 */
import type { Diagnosis, RetentionSummary } from "../types.js";
import { heldBy } from "./held-by.js";
import type { RetentionContext } from "./retention-analysis.js";

export function attachRetention(
  diagnosis: Diagnosis,
  analysis: { summary: RetentionSummary; context: RetentionContext },
  options: { rate?: number } = {},
): Diagnosis {
  const rate = options.rate ?? diagnosis.observation.samplingRateBytes ?? undefined;
  const suspects = diagnosis.suspects.map((suspect) => {
    if (suspect.kind !== "heap" || !suspect.heap) return suspect;
    const lines =
      suspect.heap.lines.length > 0
        ? suspect.heap.lines.map((l) => ({ file: l.file, line: l.line }))
        : [{ file: suspect.file, line: suspect.line }];
    const held = heldBy(
      analysis.context,
      { function: suspect.function, lines },
      rate !== undefined ? { rate } : {},
    );
    const heap = { ...suspect.heap, heldBy: held.heldBy };
    if (held.note) Object.assign(heap, { heldByNote: held.note });
    return { ...suspect, heap };
  });
  // The largest live sites too: a heap that stays high is no leak, and still held by something.
  const liveHeapBySite = diagnosis.liveHeapBySite.map((site) => {
    const lines = site.lines.length > 0 ? site.lines : [site.line];
    const held = heldBy(
      analysis.context,
      { function: site.function, lines: lines.map((line) => ({ file: site.file, line })) },
      rate !== undefined ? { rate } : {},
    );
    return { ...site, heldBy: held.heldBy };
  });
  // Slices keeping memory beyond len or pinning arrays: each a hint with the statement to change.
  const sliceHints = (analysis.summary.sliceFindings ?? []).map((f) => f.hint);
  return {
    ...diagnosis,
    suspects,
    liveHeapBySite,
    hints: [...diagnosis.hints, ...sliceHints],
    retention: analysis.summary,
  };
}
