/**
 * Runs recordings' diagnoses on worker threads, so a day-long recording's first diagnosis (seconds)
 * does not stall every other request of the UI server. A small pool of long-lived workers (starting
 * one costs more than a small recording's diagnosis) takes jobs from a queue in order; a job asked
 * for again while it still waits in the queue is run once. Nothing is timed out: a diagnosis takes
 * what it takes, and a failure is one line.
 *
 * A worker that cannot start (heapscope run from its TypeScript sources has no diagnosis-worker.js,
 * or the script does not load) makes the pool diagnose in this thread instead, as before.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { HeapscopeError } from "../../errors.js";
import type { DiagnosisView } from "../shared/api-types.js";
import type { WorkerReply, WorkerRequest } from "./diagnosis-messages.js";

export interface DiagnosisJob {
  /** Jobs with the same key (the same document) that wait in the queue run once. */
  key: string;
  /** The recording and the name shown for it. */
  path: string;
  subject: string;
  /** The same diagnosis in this thread, for when no worker can start. */
  inThread: () => DiagnosisView;
}

export interface DiagnosisPoolOptions {
  /** The worker's script; false: always diagnose in this thread. Default: diagnosis-worker.js beside this module. */
  entry?: URL | false;
  /** The --source-path roots (the worker reads source excerpts under them itself). */
  sourcePaths: string[];
  /** Workers at most; default one per core beyond the server's own, at least one. */
  size?: number;
}

interface QueuedJob {
  job: DiagnosisJob;
  promise: Promise<DiagnosisView>;
  resolve: (view: DiagnosisView) => void;
  reject: (error: Error) => void;
}

interface WorkerSlot {
  worker: Worker;
  ready: boolean;
  dead: boolean;
  current: (QueuedJob & { id: number }) | null;
}

export const DEFAULT_WORKER_ENTRY = new URL("./diagnosis-worker.js", import.meta.url);

export class DiagnosisPool {
  private readonly entry: URL | null;
  private readonly sourcePaths: string[];
  private size: number;
  private readonly queue: QueuedJob[] = [];
  private readonly slots: WorkerSlot[] = [];
  private nextId = 1;
  private inThreadBusy = false;
  private closed = false;
  /** Diagnoses run so far, by where they ran (the tests count them). */
  readonly runs = { worker: 0, main: 0 };
  /** Why the pool diagnoses in this thread (null while it uses workers). */
  private fallback: string | null = null;

  constructor(options: DiagnosisPoolOptions) {
    const entry = options.entry ?? DEFAULT_WORKER_ENTRY;
    this.entry = entry === false ? null : entry;
    this.sourcePaths = options.sourcePaths;
    this.size = Math.max(1, options.size ?? availableParallelism() - 1);
    if (this.entry === null) this.fallback = "workers are off";
    else if (!existsSync(fileURLToPath(this.entry))) this.fallback = `no ${fileURLToPath(this.entry)}`;
  }

  /** Where diagnoses run: "worker" until a worker fails to start, then "main" (this thread). */
  get mode(): "worker" | "main" {
    return this.fallback === null ? "worker" : "main";
  }

  /** Why diagnoses run in this thread, or null. */
  get fallbackReason(): string | null {
    return this.fallback;
  }

  run(job: DiagnosisJob): Promise<DiagnosisView> {
    if (this.closed) return Promise.reject(new HeapscopeError("the UI server is closing"));
    const waiting = this.queue.find((q) => q.job.key === job.key);
    if (waiting) return waiting.promise;
    let resolve!: (view: DiagnosisView) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<DiagnosisView>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.queue.push({ job, promise, resolve, reject });
    this.pump();
    return promise;
  }

  /** Starts a worker now, so the first diagnosis does not wait for one to load. */
  warm(): void {
    if (this.fallback === null && !this.closed && this.slots.length === 0) this.startWorker();
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = new HeapscopeError("the UI server is closing");
    for (const queued of this.queue.splice(0)) queued.reject(error);
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      slot.dead = true;
      slot.current?.reject(error);
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private pump(): void {
    if (this.closed || this.queue.length === 0) return;
    if (this.fallback !== null) {
      this.pumpInThread();
      return;
    }
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.ready && !slot.dead && slot.current === null) this.dispatch(slot, this.queue.shift()!);
    }
    const starting = this.slots.some((s) => !s.ready);
    if (this.queue.length > 0 && !starting && this.slots.length < this.size) this.startWorker();
  }

  private dispatch(slot: WorkerSlot, queued: QueuedJob): void {
    const id = this.nextId++;
    slot.current = { ...queued, id };
    this.runs.worker++;
    slot.worker.ref();
    const request: WorkerRequest = { id, path: queued.job.path, subject: queued.job.subject };
    slot.worker.postMessage(request);
  }

  /** One job at a time, each in its own macrotask, so queued requests still get dispatched in between. */
  private pumpInThread(): void {
    if (this.inThreadBusy || this.queue.length === 0) return;
    this.inThreadBusy = true;
    setImmediate(() => {
      const queued = this.queue.shift();
      this.inThreadBusy = false;
      if (queued) {
        this.runs.main++;
        try {
          queued.resolve(queued.job.inThread());
        } catch (error) {
          queued.reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
      this.pump();
    });
  }

  private startWorker(): void {
    let worker: Worker;
    try {
      worker = new Worker(this.entry!, { workerData: { sourcePaths: this.sourcePaths } });
    } catch (error) {
      this.fallBack(error);
      return;
    }
    const slot: WorkerSlot = { worker, ready: false, dead: false, current: null };
    this.slots.push(slot);
    // An idle worker never keeps heapscope alive; a busy one is ref'd while its job runs.
    worker.unref();
    worker.on("message", (reply: WorkerReply) => this.onReply(slot, reply));
    worker.on("error", (error) => this.onWorkerGone(slot, `stopped: ${firstLine(error)}`, error));
    worker.on("exit", (code) => this.onWorkerGone(slot, `exited (code ${code})`, null));
  }

  private onReply(slot: WorkerSlot, reply: WorkerReply): void {
    if (slot.dead) return;
    if (reply.type === "ready") {
      slot.ready = true;
      this.pump();
      return;
    }
    const current = slot.current;
    if (!current || current.id !== reply.id) return;
    slot.current = null;
    slot.worker.unref();
    if (reply.type === "done") current.resolve(reply.view);
    else current.reject(failure(current.job.subject, reply.message, reply.known));
    this.pump();
  }

  /** A worker that dies before it is ready cannot start here: diagnose in this thread from now on. */
  private onWorkerGone(slot: WorkerSlot, what: string, error: unknown): void {
    if (slot.dead) return;
    slot.dead = true;
    this.slots.splice(this.slots.indexOf(slot), 1);
    const current = slot.current;
    slot.current = null;
    if (this.closed) return;
    if (!slot.ready) {
      if (current) this.queue.unshift(current);
      const alive = this.slots.filter((s) => s.ready).length;
      // Workers that did start keep serving; no more are started.
      if (alive > 0) this.size = alive;
      else this.fallBack(error ?? new Error(`the diagnosis worker ${what}`));
      this.pump();
      return;
    }
    current?.reject(new Error(`${current.job.subject}: the diagnosis worker ${what}`));
    this.pump();
  }

  private fallBack(error: unknown): void {
    this.fallback = `the diagnosis worker did not start: ${firstLine(error)}`;
    this.pump();
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n", 1)[0]!;
}

/** A worker's failure: a HeapscopeError's own line (bad input), else what went wrong diagnosing what. */
function failure(subject: string, message: string, known: boolean): Error {
  return known ? new HeapscopeError(message) : new Error(`${subject}: the diagnosis failed: ${message}`);
}
