/** The workspace APIs: which documents are loaded, and the views of non-profile documents. */
import type { Hono } from "hono";
import { UsageError } from "../../errors.js";
import { VERSION } from "../../version.js";
import type { DiagnosisView, WorkspaceInfo } from "../shared/api-types.js";
import { goroutineReport } from "./series.js";
import type { SourceRoots } from "./source-files.js";
import type { TimelineCache } from "./timeline-cache.js";
import type { UiDocument, Workspace } from "./workspace.js";

export interface DocumentRouteOptions {
  workspace: Workspace;
  sources: SourceRoots;
  live: boolean;
  diagnose?: (doc: UiDocument) => DiagnosisView | Promise<DiagnosisView>;
  /** The timeline reports, shared with the server's warm-up. */
  timelines: TimelineCache;
}

export function addDocumentRoutes(app: Hono, options: DocumentRouteOptions): void {
  const { workspace } = options;

  app.get("/api/workspace", (c) => {
    const info: WorkspaceInfo = {
      documents: workspace.summaries(),
      live: options.live,
      sourceAvailable: options.sources.available,
      version: VERSION,
    };
    return c.json(info);
  });

  app.get("/api/timeline", (c) => {
    const json = options.timelines.json(workspace.get(c.req.query("src") ?? ""));
    return c.body(json, 200, { "content-type": "application/json; charset=UTF-8" });
  });

  app.get("/api/goroutines", (c) => {
    const doc = workspace.get(c.req.query("src") ?? "");
    if (doc.kind !== "goroutines") throw new UsageError(`a ${doc.kind} input is not a goroutine dump`);
    return c.json(goroutineReport(doc.name, doc.snapshot));
  });

  app.get("/api/diagnosis", async (c) => {
    const doc = workspace.get(c.req.query("src") ?? "");
    if (!options.diagnose) return c.json({ error: "the doctor is not available in this build" }, 501);
    return c.json(await options.diagnose(doc));
  });
}
