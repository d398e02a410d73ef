/**
 * The UI's HTTP routes (hono): the built front-end, and JSON/binary APIs over the workspace.
 * Every route runs behind the security middleware (Host, Origin, token, CSP).
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { HeapscopeError, InputError, UsageError } from "../../errors.js";
import { VERSION } from "../../version.js";
import type { DiagnosisView, LiveEvent, WorkspaceInfo } from "../shared/api-types.js";
import { flameApiPath, opensOnFlameGraph } from "../shared/flame-path.js";
import type { UiAssets } from "./assets.js";
import { type ProfileEngine, profileQueryFrom } from "./profile-engine.js";
import { type SecurityOptions, securityMiddleware, WASM_WORKER_CONTENT_SECURITY_POLICY } from "./security.js";
import { gcTraceTimeline, goroutineReport, memStatsTimeline, recordingTimeline } from "./series.js";
import type { SourceRoots } from "./source-files.js";
import type { UiDocument, Workspace } from "./workspace.js";

/** For HTML attribute values (the preload URL carries user-typed filters). */
function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

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
}

export interface FleetView {
  json: () => unknown;
  /** The page, every label escaped and no script (fleet-html.ts). */
  html: () => string;
}

/** The fleet page has no script at all; only its own inline styles. */
const FLEET_PAGE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface LiveHub {
  publish(event: LiveEvent): void;
  close(): void;
}

export function createUiApp(options: UiAppOptions): { app: Hono; hub: LiveHub } {
  const { workspace, engine, assets } = options;
  const app = new Hono();
  const subscribers = new Set<(event: LiveEvent) => void>();
  const closers = new Set<() => void>();
  const hub: LiveHub = {
    publish(event) {
      if (event.type !== "end") workspace.touch();
      for (const send of subscribers) send(event);
    },
    close() {
      for (const close of closers) close();
    },
  };

  app.use("*", securityMiddleware(options.security));

  app.onError((error, c) => {
    if (error instanceof InputError && /no such input/.test(error.message)) {
      return c.json({ error: error.message }, 404);
    }
    if (error instanceof UsageError || error instanceof HeapscopeError) {
      return c.json({ error: error.message.split("\n", 1)[0] }, 400);
    }
    return c.json(
      { error: `internal error: ${error instanceof Error ? error.message : String(error)}` },
      500,
    );
  });

  const serveIndex = (url: URL) => {
    const index = assets.index();
    if (!index) {
      return new Response(
        "heapscope: the web UI is not built (assets/ui/index.html is missing); run `npm run build:ui`\n",
        { status: 500, headers: { "Content-Type": "text/plain; charset=utf-8" } },
      );
    }
    // The kinds of the loaded documents, so the page can start the right download before it asks
    // for the workspace (a meta element: no script, ids and kinds are plain words).
    const kinds = workspace.documents.map((d) => `${d.id}:${d.kind}`).join(",");
    let head = `<meta name="heapscope-documents" content="${kinds}" />`;
    // Let the browser download the flame tree while it loads the script that will ask for it.
    const get = (key: string) => url.searchParams.get(key);
    if (opensOnFlameGraph(get, new Map(workspace.documents.map((d) => [d.id, d.kind])))) {
      head += `\n    <link rel="preload" href="${escapeAttribute(flameApiPath(get))}" as="fetch" crossorigin="anonymous" />`;
    }
    const html = new TextDecoder().decode(index.body).replace("</head>", `${head}\n  </head>`);
    return new Response(html, {
      headers: { "Content-Type": index.contentType, "Cache-Control": "no-cache" },
    });
  };

  app.get("/assets/:name", (c) => {
    const name = c.req.param("name");
    const asset = assets.asset(name);
    if (!asset) return c.text("not found\n", 404);
    const headers: Record<string, string> = {
      "Content-Type": asset.contentType,
      "Cache-Control": "public, max-age=31536000, immutable",
    };
    // Only the call-graph worker instantiates WebAssembly (Graphviz); only it gets wasm-unsafe-eval.
    if (/^graph-worker-[A-Za-z0-9_-]+\.js$/.test(name)) {
      headers["Content-Security-Policy"] = WASM_WORKER_CONTENT_SECURITY_POLICY;
    }
    return new Response(asset.body, { headers });
  });

  app.get("/api/workspace", (c) => {
    const info: WorkspaceInfo = {
      documents: workspace.summaries(),
      live: options.live,
      sourceAvailable: options.sources.available,
      version: VERSION,
    };
    return c.json(info);
  });

  app.get("/api/meta", (c) => c.json(engine.meta(c.req.query("src") ?? "")));

  app.get("/api/flame", (c) => {
    const params = new URL(c.req.url).searchParams;
    const query = profileQueryFrom(params);
    const sandwich = params.get("sandwich");
    let bytes: Uint8Array;
    if (sandwich !== null) {
      const dir = params.get("dir");
      if (dir !== "callers" && dir !== "callees") throw new UsageError('dir must be "callers" or "callees"');
      bytes = engine.sandwich(query, sandwich, dir).bytes;
    } else {
      bytes = engine.flameBytes(query);
    }
    return new Response(bytes, {
      headers: { "Content-Type": "application/octet-stream", "Cache-Control": "no-store" },
    });
  });

  app.get("/api/top", (c) => c.json(engine.top(profileQueryFrom(new URL(c.req.url).searchParams))));

  app.get("/api/peek", (c) => {
    const params = new URL(c.req.url).searchParams;
    const fn = params.get("fn");
    if (!fn) throw new UsageError("peek needs fn (a regular expression)");
    return c.json(engine.peek(profileQueryFrom(params), fn));
  });

  app.get("/api/source", (c) => {
    const params = new URL(c.req.url).searchParams;
    const fn = params.get("fn");
    if (!fn) throw new UsageError("source needs fn (a regular expression)");
    return c.json(engine.source(profileQueryFrom(params), fn));
  });

  app.get("/api/graph", (c) => {
    const params = new URL(c.req.url).searchParams;
    return c.json(engine.graph(profileQueryFrom(params), Number(params.get("n") ?? "80")));
  });

  app.get("/api/timeline", (c) => {
    const doc = workspace.get(c.req.query("src") ?? "");
    switch (doc.kind) {
      case "recording":
        return c.json(recordingTimeline(doc));
      case "gctrace":
        return c.json(gcTraceTimeline(doc));
      case "memstats":
        return c.json(memStatsTimeline(doc));
      default:
        throw new UsageError(`a ${doc.kind} input has no timeline`);
    }
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

  app.get("/api/fleet", (c) => {
    if (!options.fleet) return c.json({ error: "no fleet report: start it with heapscope fleet --ui" }, 404);
    return c.json(options.fleet.json());
  });

  app.get("/fleet", () => {
    if (!options.fleet)
      return new Response("no fleet report: start it with heapscope fleet --ui\n", { status: 404 });
    return new Response(options.fleet.html(), {
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": FLEET_PAGE_POLICY,
        "Cache-Control": "no-cache",
      },
    });
  });

  app.get("/api/events", (c) => {
    if (!options.live) return c.json({ error: "no live updates: not started with --ui on a recording" }, 404);
    return streamSSE(c, async (stream) => {
      let closed = false;
      let wake: (() => void) | undefined;
      const queue: LiveEvent[] = [];
      const send = (event: LiveEvent) => {
        queue.push(event);
        wake?.();
      };
      const close = () => {
        closed = true;
        wake?.();
      };
      subscribers.add(send);
      closers.add(close);
      stream.onAbort(close);
      try {
        await stream.writeSSE({ data: JSON.stringify({ type: "workspace" } satisfies LiveEvent) });
        while (!closed) {
          if (queue.length === 0) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              // A comment line every 15 s keeps proxies from closing an idle stream.
              setTimeout(resolve, 15_000).unref();
            });
            wake = undefined;
            if (queue.length === 0 && !closed) await stream.write(": keep-alive\n\n");
            continue;
          }
          const event = queue.shift()!;
          await stream.writeSSE({ data: JSON.stringify(event), event: "message" });
          if (event.type === "end") break;
        }
      } finally {
        subscribers.delete(send);
        closers.delete(close);
      }
    });
  });

  app.all("/api/*", (c) => c.json({ error: "not found" }, 404));
  app.get("*", (c) => serveIndex(new URL(c.req.url)));
  app.all("*", (c) => c.text("method not allowed\n", 405));

  return { app, hub };
}
