/**
 * The retention view's APIs: /api/retention?src=DOC (the aggregated dominator tree of the document's
 * heap dump, or how to get one) and /api/retention/path?src=DOC&node=N (the shortest retaining path
 * standing for node N of that tree, root first).
 */
import type { Hono } from "hono";
import { RetentionModels } from "./retention-model.js";
import type { Workspace } from "./workspace.js";

export function addRetentionRoutes(app: Hono, workspace: Workspace, models = new RetentionModels()): void {
  app.get("/api/retention", (c) => c.json(models.tree(workspace.get(c.req.query("src") ?? ""))));
  app.get("/api/retention/path", (c) => {
    const doc = workspace.get(c.req.query("src") ?? "");
    return c.json(models.path(doc, Number(c.req.query("node") ?? "")));
  });
}
