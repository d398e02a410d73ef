/** What the UI server and its diagnosis worker (diagnosis-worker.ts) send each other. */
import type { DiagnosisView } from "../shared/api-types.js";

export interface WorkerRequest {
  id: number;
  /** The recording file, opened read-only by the worker. */
  path: string;
  /** The name the page shows for it (the diagnosis's subject). */
  subject: string;
}

export type WorkerReply =
  | { type: "ready" }
  | { type: "done"; id: number; view: DiagnosisView }
  /** `known`: a HeapscopeError (bad input), said as is; otherwise a bug or an I/O failure. */
  | { type: "failed"; id: number; message: string; known: boolean };
