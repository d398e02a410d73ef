/**
 * The diagnoses the doctor page asks for (/api/diagnosis): one per document and workspace version
 * (a live recording's version moves with every sample, so it is re-diagnosed as it grows), kept
 * while later requests want it, shared by requests that arrive while it runs. Recordings are
 * diagnosed on the worker pool (diagnosis-pool.ts); a failed diagnosis is forgotten, so asking again
 * retries it. A diagnosis the caller already made (`doctor --ui`: the verdict it printed, with its
 * time to verdict and holders) is adopted for its recording and served as is.
 */
import { UsageError } from "../../errors.js";
import type { DiagnosisView } from "../shared/api-types.js";
import { diagnoseDocument } from "./diagnosis.js";
import { DiagnosisPool } from "./diagnosis-pool.js";
import { LruCache } from "./lru.js";
import type { SourceRoots } from "./source-files.js";
import type { UiDocument, Workspace } from "./workspace.js";

export type Diagnose = (doc: UiDocument) => DiagnosisView | Promise<DiagnosisView>;

export interface DiagnosisServiceOptions {
  workspace: Workspace;
  sources: SourceRoots;
  /** The --source-path roots as given (workers resolve them themselves). */
  sourcePaths: string[];
  /** A doctor of the caller's instead of the recording's own diagnosis (run in this thread). */
  custom?: Diagnose;
  /** The worker script (default: beside the pool's module); false: diagnose in this thread. */
  workerEntry?: URL | false;
}

export class DiagnosisService {
  readonly pool: DiagnosisPool;
  private readonly options: DiagnosisServiceOptions;
  private readonly cache = new LruCache<string, Promise<DiagnosisView>>(8);
  private readonly adopted = new Map<string, DiagnosisView>();

  constructor(options: DiagnosisServiceOptions) {
    this.options = options;
    this.pool = new DiagnosisPool({
      sourcePaths: options.sourcePaths,
      ...(options.workerEntry !== undefined ? { entry: options.workerEntry } : {}),
    });
  }

  diagnose(doc: UiDocument): Promise<DiagnosisView> {
    const adopted = this.adopted.get(doc.id);
    if (adopted) return Promise.resolve(adopted);
    const key = `${doc.id}|${this.options.workspace.version}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const promise = this.compute(doc);
    this.cache.set(key, promise);
    promise.catch(() => {
      if (this.cache.get(key) === promise) this.cache.delete((k) => k === key);
    });
    return promise;
  }

  /** From now on, `doc` is answered with this view (the caller's own, final diagnosis). */
  adopt(doc: UiDocument, view: DiagnosisView): void {
    this.adopted.set(doc.id, view);
  }

  /**
   * Starts diagnosing the first recording right away when workers can do it (the page it opens on
   * is the doctor's); in this thread it would hold up the first requests instead.
   */
  warm(): void {
    const first = this.options.workspace.documents.find((d) => d.kind === "recording");
    if (!first || this.options.custom || this.pool.mode !== "worker") return;
    this.pool.warm();
    this.diagnose(first).catch(() => {
      // The page shows the error when it asks.
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async compute(doc: UiDocument): Promise<DiagnosisView> {
    const { custom, sources } = this.options;
    if (custom) return custom(doc);
    if (doc.kind !== "recording") {
      throw new UsageError(`the doctor panel is for recordings, not ${doc.kind} inputs`);
    }
    return this.pool.run({
      key: doc.id,
      path: doc.recording.path,
      subject: doc.name,
      inThread: () => diagnoseDocument(doc, sources),
    });
  }
}
