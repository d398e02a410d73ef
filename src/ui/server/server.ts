/**
 * Starts the UI server: loads the inputs into a workspace, binds (127.0.0.1 and a free port by
 * default) and returns the URL to open. `record --ui` and `doctor --ui` use `publish` to push live
 * updates to open pages over server-sent events; `doctor --ui` hands its verdict over with
 * `adoptDiagnosis`.
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { serve } from "@hono/node-server";
import type { Diagnosis } from "../../diagnose/types.js";
import { UsageError } from "../../errors.js";
import type { DiagnosisView, LiveEvent } from "../shared/api-types.js";
import { createUiApp, type FleetView } from "./app.js";
import { UiAssets } from "./assets.js";
import { diagnosisView } from "./diagnosis.js";
import { DiagnosisService } from "./diagnosis-service.js";
import { loadUiInput } from "./inputs.js";
import { ProfileEngine } from "./profile-engine.js";
import { SourceRoots } from "./source-files.js";
import { TimelineCache } from "./timeline-cache.js";
import { type NewDocument, type UiDocument, Workspace } from "./workspace.js";

export interface UiServerOptions {
  /** Inputs to load (files, URLs, FILE#N), as `heapscope ui` takes them. */
  inputs?: string[];
  /** Documents already loaded by the caller (record/doctor pass their recording). */
  documents?: NewDocument[];
  /** Address to bind; default 127.0.0.1. Anything else requires a token. */
  host?: string;
  /** Port; default 0 (a free port). */
  port?: number;
  /** Token required in the URL; generated when bound beyond loopback and not given. */
  token?: string;
  /** The binary that wrote the heap dump inputs (`ui heap.dump --binary BIN`). */
  binary?: string;
  /** Roots under which `.go` source files may be read for the source view. */
  sourcePaths?: string[];
  /** Stream live updates on /api/events (record --ui). */
  live?: boolean;
  /** Where the built front-end is (default assets/ui of the package). */
  assetsDir?: string;
  /** The doctor's findings for a recording (default: the recording's own diagnosis, on a worker thread). */
  diagnose?: (doc: UiDocument) => DiagnosisView | Promise<DiagnosisView>;
  /** The diagnosis worker's script (default: beside the server's modules when built); false: none. */
  diagnosisWorker?: URL | false;
  /** Precompute the first view after binding (default true). */
  warm?: boolean;
  /** Timeout for inputs fetched over HTTP. */
  timeoutMs?: number;
  /** A fleet report to serve on /fleet and /api/fleet. */
  fleet?: FleetView;
}

export interface UiServer {
  /** The URL to open, with the token when one is required. */
  url: string;
  host: string;
  port: number;
  token: string | undefined;
  workspace: Workspace;
  engine: ProfileEngine;
  /** Adds a document (e.g. a recording that started after the server). */
  addDocument(document: NewDocument): UiDocument;
  /** Sends a live event to every open page. */
  publish(event: LiveEvent): void;
  /**
   * The doctor page of the (only) recording shows this diagnosis from now on instead of its own:
   * `doctor --ui` hands over the verdict it printed, with its time to verdict and holders.
   */
  adoptDiagnosis(diagnosis: Diagnosis): void;
  /** Resolves once the first view is computed (immediately when warm is false). */
  ready: Promise<void>;
  close(): Promise<void>;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

function urlHost(host: string): string {
  if (isWildcard(host)) return hostname();
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** A turn of the event loop: a request that arrived meanwhile is answered before the next step. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Precomputes the first view. A recording opens on the doctor page, which draws its timeline first,
 * so its timeline is cached before the flame graph (the profile views' first view)
 * is built. A step that fails is left for the page to report when it asks for that view.
 */
async function warmUp(workspace: Workspace, engine: ProfileEngine, timelines: TimelineCache): Promise<void> {
  await nextTurn();
  // The page opens the first document.
  const recording = workspace.documents[0];
  if (recording?.kind === "recording") {
    try {
      timelines.json(recording);
    } catch {
      // The doctor page shows the error.
    }
    await nextTurn();
  }
  try {
    if (workspace.documents.some((d) => d.kind === "profile" || d.kind === "recording")) {
      engine.flameBytes({ src: "", base: "", si: "", f: "", i: "", h: "", s: "", g: "" });
    }
  } catch {
    // The page will show the error when it asks for the view.
  }
}

export async function startUiServer(options: UiServerOptions = {}): Promise<UiServer> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0-65535, not ${port}`);
  const loopback = isLoopback(host);
  const token = loopback ? options.token : (options.token ?? randomBytes(24).toString("base64url"));
  const workspace = new Workspace();
  for (const document of options.documents ?? []) workspace.add(document);
  for (const input of options.inputs ?? [])
    workspace.add(await loadUiInput(input, { timeoutMs: options.timeoutMs, binary: options.binary }));
  if (
    options.binary !== undefined &&
    !workspace.documents.some(
      (d) => d.kind === "heapdump" || (d.kind === "recording" && d.recording.heapDumps().length > 0),
    )
  )
    throw new UsageError(
      "--binary names the program of a heap dump input (or a recording's kept dump), and none was given",
    );
  const sources = new SourceRoots(options.sourcePaths ?? []);
  const engine = new ProfileEngine(workspace, sources);
  const assets = new UiAssets(options.assetsDir);
  const diagnoses = new DiagnosisService({
    workspace,
    sources,
    sourcePaths: options.sourcePaths ?? [],
    ...(options.diagnose ? { custom: options.diagnose } : {}),
    ...(options.diagnosisWorker !== undefined ? { workerEntry: options.diagnosisWorker } : {}),
  });
  let boundPort = port;
  const bareHost = host.replace(/^\[|\]$/g, "");
  const allowedHostNames = loopback
    ? ["127.0.0.1", "localhost", "[::1]"]
    : [isWildcard(host) ? "" : urlHost(host).toLowerCase(), "127.0.0.1", "localhost", "[::1]"].filter(
        Boolean,
      );
  const timelines = new TimelineCache(workspace);
  const { app, hub } = createUiApp({
    timelines,
    workspace,
    engine,
    assets,
    sources,
    live: options.live ?? false,
    diagnose: (doc) => diagnoses.diagnose(doc),
    ...(options.fleet ? { fleet: options.fleet } : {}),
    security: {
      allowedHostNames,
      port: () => boundPort,
      token,
      anyHost: isWildcard(host),
    },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: bareHost }, () => resolve(s));
    s.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") reject(new UsageError(`port ${port} on ${host} is already in use`));
      else if (error.code === "EADDRNOTAVAIL")
        reject(new UsageError(`cannot bind ${host}: address not available`));
      else reject(error);
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(host)}:${boundPort}/${token ? `?token=${token}` : ""}`;
  if (options.warm !== false) diagnoses.warm();
  const ready = options.warm === false ? Promise.resolve() : warmUp(workspace, engine, timelines);
  return {
    url,
    host,
    port: boundPort,
    token,
    workspace,
    engine,
    addDocument: (document) => {
      const doc = workspace.add(document);
      hub.publish({ type: "workspace", documentId: doc.id });
      return doc;
    },
    publish: (event) => hub.publish(event),
    adoptDiagnosis: (diagnosis) => {
      const doc = workspace.documents.find((d) => d.kind === "recording");
      if (!doc) return;
      const readLines = (file: string) => {
        const content = sources.read(file);
        return "lines" in content ? content.lines : undefined;
      };
      diagnoses.adopt(doc, diagnosisView(diagnosis, readLines, sources.available));
    },
    ready,
    close: async () => {
      await new Promise<void>((resolve) => {
        hub.close();
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await diagnoses.close();
    },
  };
}
