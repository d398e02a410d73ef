/**
 * Worker thread entry (diagnosis-pool.ts): diagnoses recordings off the UI server's event loop.
 * Each request opens the recording read-only by its path (a live recording shows what was written
 * up to now), builds the doctor's input, diagnoses and posts the page's DiagnosisView back, or the
 * failure as one line.
 */
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { HeapscopeError } from "../../errors.js";
import { openRecording } from "../../store/recording-reader.js";
import { diagnoseRecording } from "./diagnosis.js";
import type { WorkerReply, WorkerRequest } from "./diagnosis-messages.js";
import { SourceRoots } from "./source-files.js";

try {
  // On Linux this lowers this thread only: the server's thread (the page's requests) goes first.
  setPriority(5);
} catch {
  // not permitted here: run at the process's priority
}
const { sourcePaths } = workerData as { sourcePaths: string[] };
const sources = new SourceRoots(sourcePaths);
const port = parentPort;
if (!port) throw new Error("diagnosis-worker.js runs as a worker thread only");

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n", 1)[0]!;
}

port.on("message", (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const recording = openRecording(request.path);
    try {
      reply = { type: "done", id: request.id, view: diagnoseRecording(recording, request.subject, sources) };
    } finally {
      recording.close();
    }
  } catch (error) {
    reply = {
      type: "failed",
      id: request.id,
      message: firstLine(error),
      known: error instanceof HeapscopeError,
    };
  }
  port.postMessage(reply);
});
port.postMessage({ type: "ready" } satisfies WorkerReply);
