/**
 * The doctor page's diagnosis off the server's event loop: the built worker (dist/) diagnoses a
 * real recording exactly as this thread does, the server answers other requests while a long
 * diagnosis runs (and does not when diagnosing in its own thread: the control), requests for the
 * same document share one diagnosis, failures come back as one line, and a worker that cannot
 * start makes the pool diagnose in this thread.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSyntheticRecording } from "../../bench/doctor.js";
import { diagnoseDocument } from "../../src/ui/server/diagnosis.js";
import { DiagnosisService } from "../../src/ui/server/diagnosis-service.js";
import { recordingDocument } from "../../src/ui/server/inputs.js";
import { startUiServer } from "../../src/ui/server/server.js";
import { SourceRoots } from "../../src/ui/server/source-files.js";
import { Workspace } from "../../src/ui/server/workspace.js";
import type { DiagnosisView } from "../../src/ui/shared/api-types.js";
import { repoRoot } from "./support.js";

const builtWorker = path.join(repoRoot, "dist/ui/server/diagnosis-worker.js");
const workerEntry = pathToFileURL(builtWorker);
const golden = path.join(repoRoot, "test/golden/doctor/inputs/session-map-growth.hsrec");
let work: string;
/** Six hours of samples: its diagnosis takes long enough (a second or more) to overlap requests. */
let bigRecording: string;

beforeAll(() => {
  if (!existsSync(builtWorker)) throw new Error(`no ${builtWorker}: run npm run build first`);
  work = mkdtempSync(path.join(tmpdir(), "heapscope-diagnosis-pool-"));
  bigRecording = path.join(work, "six-hours.hsrec");
  writeSyntheticRecording(bigRecording, 6 * 360);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function serviceOf(file: string, workerEntry: URL | false) {
  const workspace = new Workspace();
  const doc = workspace.add(recordingDocument(file));
  const sources = new SourceRoots([]);
  const service = new DiagnosisService({ workspace, sources, sourcePaths: [], workerEntry });
  return { workspace, doc, sources, service };
}

/** Fetches both; returns the order in which their responses arrived, and their bodies. */
async function race(first: string, second: string) {
  const order: string[] = [];
  const get = (url: string, name: string) =>
    fetch(url).then(async (r) => {
      const body = (await r.json()) as Record<string, unknown>;
      order.push(name);
      return body;
    });
  const a = get(first, "first");
  // The second request leaves once the first one is surely being served.
  await new Promise((r) => setTimeout(r, 150));
  const b = get(second, "second");
  return { order, bodies: await Promise.all([a, b]) };
}

describe("diagnosis on a worker thread", () => {
  it("gives the page the diagnosis this thread gives", async () => {
    const { doc, sources, service } = serviceOf(golden, workerEntry);
    try {
      const view = await service.diagnose(doc);
      expect(service.pool.mode).toBe("worker");
      expect(service.pool.runs).toEqual({ worker: 1, main: 0 });
      expect(view).toEqual(diagnoseDocument(doc, sources));
      expect(view.verdict).toBe("leak");
    } finally {
      await service.close();
    }
  });

  it("answers other requests while a long diagnosis runs; in one thread it cannot (control)", async () => {
    for (const diagnosisWorker of [workerEntry, false] as const) {
      const server = await startUiServer({ inputs: [bigRecording], warm: false, diagnosisWorker });
      try {
        const { order, bodies } = await race(
          `${server.url}api/diagnosis?src=0&t=0`,
          `${server.url}api/workspace`,
        );
        expect((bodies[0] as unknown as DiagnosisView).verdict).toBe("leak");
        expect((bodies[1] as { documents: unknown[] }).documents).toHaveLength(1);
        expect(order).toEqual(diagnosisWorker ? ["second", "first"] : ["first", "second"]);
      } finally {
        await server.close();
      }
    }
  }, 120_000);

  it("runs one diagnosis for concurrent requests of a document; queued re-asks of a growing one share the next", async () => {
    const { workspace, doc, service } = serviceOf(bigRecording, workerEntry);
    try {
      const same = await Promise.all([service.diagnose(doc), service.diagnose(doc), service.diagnose(doc)]);
      expect(service.pool.runs.worker).toBe(1);
      expect(same[1]).toBe(same[0]);
      expect(same[2]).toBe(same[0]);
      // Cached for this version; a new version (a live recording's new sample) diagnoses again.
      await service.diagnose(doc);
      expect(service.pool.runs.worker).toBe(1);
      workspace.touch();
      const running = service.diagnose(doc);
      workspace.touch();
      const queued = service.diagnose(doc);
      workspace.touch();
      const queuedAgain = service.diagnose(doc);
      expect(queuedAgain).not.toBe(queued);
      const views = await Promise.all([running, queued, queuedAgain]);
      expect(views[2]).toBe(views[1]);
      expect(service.pool.runs.worker).toBe(3);
    } finally {
      await service.close();
    }
  }, 120_000);

  it("says a worker's failure in one line, and tries again when asked again", async () => {
    const file = path.join(work, "vanishing.hsrec");
    copyFileSync(golden, file);
    const server = await startUiServer({ inputs: [file], warm: false, diagnosisWorker: workerEntry });
    try {
      rmSync(file);
      const gone = await fetch(`${server.url}api/diagnosis?src=0`);
      expect(gone.status).toBe(400);
      expect(await gone.json()).toEqual({ error: `${file}: no such file` });
      // A recording cut short under the server: SQLite's own complaint, in one line.
      copyFileSync(golden, file);
      truncateSync(file, 8192);
      const cut = await fetch(`${server.url}api/diagnosis?src=0`);
      expect(cut.status).toBe(400);
      expect(await cut.json()).toEqual({
        error: `${file}: cannot open the recording: database disk image is malformed`,
      });
      copyFileSync(golden, file);
      const again = await fetch(`${server.url}api/diagnosis?src=0`);
      expect(again.status).toBe(200);
      expect(((await again.json()) as DiagnosisView).verdict).toBe("leak");
    } finally {
      await server.close();
    }
  }, 60_000);

  it("fails the job of a worker that dies, and diagnoses the next on a new worker", async () => {
    // A worker script that starts, then dies on its first job (as a crash or an OOM kill would).
    const dying = path.join(work, "dying-worker.mjs");
    writeFileSync(
      dying,
      `import { parentPort } from "node:worker_threads";
parentPort.on("message", () => process.exit(3));
parentPort.postMessage({ type: "ready" });
`,
    );
    const { doc, service } = serviceOf(golden, pathToFileURL(dying));
    try {
      await expect(service.diagnose(doc)).rejects.toThrow(
        new Error(`${golden}: the diagnosis worker exited (code 3)`),
      );
      expect(service.pool.mode).toBe("worker");
      await expect(service.diagnose(doc)).rejects.toThrow(/exited \(code 3\)/);
      expect(service.pool.runs.worker).toBe(2);
    } finally {
      await service.close();
    }
  });

  it("diagnoses in this thread when no worker can start (run from the TypeScript sources)", async () => {
    const sourceEntry = pathToFileURL(path.join(repoRoot, "src/ui/server/diagnosis-worker.ts"));
    const missing = pathToFileURL(path.join(work, "no-such-worker.js"));
    for (const entry of [sourceEntry, missing, false] as const) {
      const { doc, sources, service } = serviceOf(golden, entry);
      try {
        const view = await service.diagnose(doc);
        expect(service.pool.mode).toBe("main");
        expect(service.pool.runs).toEqual({ worker: 0, main: 1 });
        expect(service.pool.fallbackReason).toBeTruthy();
        expect(view).toEqual(diagnoseDocument(doc, sources));
      } finally {
        await service.close();
      }
    }
  });
});
