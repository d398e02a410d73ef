/** The profile APIs: the flame graph (binary), top table, peek, source and call graph of a profile. */
import type { Hono } from "hono";
import { UsageError } from "../../errors.js";
import { type ProfileEngine, profileQueryFrom } from "./profile-engine.js";

export function addProfileRoutes(app: Hono, engine: ProfileEngine): void {
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
}
