/**
 * `record --ui`: shows a recording while it is being written. The recording is opened read-only
 * once the session has created it, and every sample, GC cycle and the end are pushed to open pages
 * over server-sent events (the pages then refetch what changed).
 */
import type { RecordSession } from "../../collect/record-session.js";
import { recordingDocument } from "./inputs.js";
import type { UiServer } from "./server.js";

/**
 * Wires a record session to a UI server. Returns a function that detaches it. `endAfter`: the
 * "end" event waits for it (doctor's final verdict, adopted by the server first: pages stop
 * listening at "end", and their last refetch should show that verdict).
 */
export function watchRecordSession(
  server: UiServer,
  session: RecordSession,
  options: { endAfter?: Promise<unknown> } = {},
): () => void {
  let documentId: string | undefined;
  let lastGcEventMs = 0;
  const onStarted = (info: { path: string }) => {
    const doc = server.addDocument(recordingDocument(info.path, { live: true }));
    documentId = doc.id;
  };
  const onSample = (event: { atMs: number }) => {
    if (documentId !== undefined) server.publish({ type: "sample", documentId, atMs: event.atMs });
  };
  const onGcCycle = () => {
    // gctrace can print many lines a second; one update a second is enough for a chart.
    const now = Date.now();
    if (documentId === undefined || now - lastGcEventMs < 1000) return;
    lastGcEventMs = now;
    server.publish({ type: "gc", documentId, atMs: now });
  };
  const onFinished = () => {
    if (documentId === undefined) return;
    const doc = server.workspace.get(documentId);
    if (doc.kind === "recording") {
      const summary = doc.recording.summary();
      doc.live = false;
      doc.description = `recording: ${summary.heapSnapshots} heap snapshots, ${summary.memstatsSamples} MemStats samples, ${summary.gcCycles} GC cycles`;
    }
    const id = documentId;
    const end = () => server.publish({ type: "end", documentId: id, atMs: Date.now() });
    if (options.endAfter) void options.endAfter.then(end, end);
    else end();
  };
  session.on("started", onStarted);
  session.on("sample", onSample);
  session.on("gcCycle", onGcCycle);
  session.on("finished", onFinished);
  return () => {
    session.off("started", onStarted);
    session.off("sample", onSample);
    session.off("gcCycle", onGcCycle);
    session.off("finished", onFinished);
  };
}
