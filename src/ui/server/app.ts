/**
 * The UI's HTTP routes (hono): the built front-end, and JSON/binary APIs over the workspace.
 * Every route runs behind the security middleware (Host, Origin, token, CSP).
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { HeapscopeError, InputError, UsageError } from "../../errors.js";
import type { DiagnosisView } from "../shared/api-types.js";
import type { UiAssets } from "./assets.js";
import { addDocumentRoutes } from "./document-routes.js";
import { LiveEventHub, type LiveHub } from "./live-events.js";
import { addAssetRoutes, servePage } from "./page-routes.js";
import type { ProfileEngine } from "./profile-engine.js";
import { addProfileRoutes } from "./profile-routes.js";
import { addRetentionRoutes } from "./retention-routes.js";
import { type SecurityOptions, securityMiddleware } from "./security.js";
import type { SourceRoots } from "./source-files.js";
import { TimelineCache } from "./timeline-cache.js";
import type { UiDocument, Workspace } from "./workspace.js";

export type { LiveHub } from "./live-events.js";

export interface UiAppOptions {
  workspace: Workspace;
  engine: ProfileEngine;
  assets: UiAssets;
  sources: SourceRoots;
  security: SecurityOptions;
  /** Whether live updates are streamed on /api/events. */
  live: boolean;
  /** The doctor's findings for a recording, when the doctor is wired in. */
  diagnose?: (doc: UiDocument) => DiagnosisView | Promise<DiagnosisView>;
  /** A fleet report (`fleet --ui`): its JSON on /api/fleet, its small multiples on /fleet. */
  fleet?: FleetView;
  /** The timeline reports' cache, when the caller warms it (default: the app's own). */
  timelines?: TimelineCache;
}

export interface FleetView {
  json: () => unknown;
  /** The page, every label escaped and no script (fleet-html.ts). */
  html: () => string;
}

/** The fleet page has no script at all; only its own inline styles. */
const FLEET_PAGE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function createUiApp(options: UiAppOptions): { app: Hono; hub: LiveHub } {
  const app = new Hono();
  const hub = new LiveEventHub(options.workspace);
  app.use("*", securityMiddleware(options.security));
  app.onError(errorResponse);
  addAssetRoutes(app, options.assets);
  addDocumentRoutes(app, {
    ...options,
    timelines: options.timelines ?? new TimelineCache(options.workspace),
  });
  addProfileRoutes(app, options.engine);
  addRetentionRoutes(app, options.workspace);
  addFleetRoutes(app, options.fleet);
  app.get("/api/events", (c) => {
    if (!options.live) return c.json({ error: "no live updates: not started with --ui on a recording" }, 404);
    return hub.stream(c);
  });
  app.all("/api/*", (c) => c.json({ error: "not found" }, 404));
  app.get("*", (c) => servePage(options.assets, options.workspace, new URL(c.req.url)));
  app.all("*", (c) => c.text("method not allowed\n", 405));
  return { app, hub };
}

/** A failed request as one JSON error line: 404 for an unknown input, 400 for bad input, else 500. */
function errorResponse(error: Error, c: Context): Response {
  if (error instanceof InputError && /no such input/.test(error.message)) {
    return c.json({ error: error.message }, 404);
  }
  if (error instanceof UsageError || error instanceof HeapscopeError) {
    return c.json({ error: error.message.split("\n", 1)[0] }, 400);
  }
  return c.json({ error: `internal error: ${error instanceof Error ? error.message : String(error)}` }, 500);
}

/** `fleet --ui`: the report's JSON on /api/fleet and its small multiples on /fleet. */
function addFleetRoutes(app: Hono, fleet: FleetView | undefined): void {
  app.get("/api/fleet", (c) => {
    if (!fleet) return c.json({ error: "no fleet report: start it with heapscope fleet --ui" }, 404);
    return c.json(fleet.json());
  });
  app.get("/fleet", () => {
    if (!fleet) return new Response("no fleet report: start it with heapscope fleet --ui\n", { status: 404 });
    return new Response(fleet.html(), {
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": FLEET_PAGE_POLICY,
        "Cache-Control": "no-cache",
      },
    });
  });
}
