/** The built front-end: the page (with hints for the browser's first downloads) and its assets. */
import type { Hono } from "hono";
import { flameApiPath, opensOnFlameGraph } from "../shared/flame-path.js";
import type { UiAssets } from "./assets.js";
import { WASM_WORKER_CONTENT_SECURITY_POLICY } from "./security.js";
import type { Workspace } from "./workspace.js";

/** For HTML attribute values (the preload URL carries user-typed filters). */
function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function addAssetRoutes(app: Hono, assets: UiAssets): void {
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
}

/** The single page, for every path the front-end routes itself. */
export function servePage(assets: UiAssets, workspace: Workspace, url: URL): Response {
  const index = assets.index();
  if (!index) {
    return new Response(
      "heapscope: the web UI is not built (assets/ui/index.html is missing); run `npm run build:ui`\n",
      { status: 500, headers: { "Content-Type": "text/plain; charset=utf-8" } },
    );
  }
  const head = pageHead(workspace, url);
  const html = new TextDecoder().decode(index.body).replace("</head>", `${head}\n  </head>`);
  return new Response(html, {
    headers: { "Content-Type": index.contentType, "Cache-Control": "no-cache" },
  });
}

/** Elements added to the page's head so the first downloads start before the script asks. */
function pageHead(workspace: Workspace, url: URL): string {
  // The kinds of the loaded documents, so the page can start the right download before it asks
  // for the workspace (a meta element: no script, ids and kinds are plain words).
  const kinds = workspace.documents.map((d) => `${d.id}:${d.kind}`).join(",");
  let head = `<meta name="heapscope-documents" content="${kinds}" />`;
  // Let the browser download the flame tree while it loads the script that will ask for it.
  const get = (key: string) => url.searchParams.get(key);
  if (opensOnFlameGraph(get, new Map(workspace.documents.map((d) => [d.id, d.kind])))) {
    head += `\n    <link rel="preload" href="${escapeAttribute(flameApiPath(get))}" as="fetch" crossorigin="anonymous" />`;
  }
  return head;
}
