/**
 * The UI server's guards. It serves a developer's profiles (function names, file paths, source code)
 * on a port any web page in their browser could try to reach, so:
 *
 * - Host header: only the names the server was started on are answered. A DNS-rebinding page
 *   (evil.example resolving to 127.0.0.1) sends `Host: evil.example` and gets 403.
 * - Origin: anything but GET/HEAD must come from the server's own origin (no cross-site POSTs).
 * - Token: when bound beyond loopback (`--host`), every request needs the token printed in the URL;
 *   the first visit trades `?token=` for an HttpOnly SameSite=Strict cookie and drops it from the URL.
 * - Content-Security-Policy: scripts only from the server, no inline script, no eval; workers that
 *   run WebAssembly (Graphviz) get `'wasm-unsafe-eval'` on their own script response only.
 *   Trusted Types are required, so no string can reach an HTML sink (innerHTML and friends).
 */
import { timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";

export const TOKEN_COOKIE = "heapscope_token";

export interface SecurityOptions {
  /** Host names (without port) the server answers to. */
  allowedHostNames: string[];
  /** Filled in once the port is known. */
  port: () => number;
  /** Required token, or undefined on loopback. */
  token: string | undefined;
  /** When true, any Host is accepted (bound to a wildcard address); the token still applies. */
  anyHost: boolean;
}

const basePolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  // The one policy (named "heapscope") only vets same-origin worker script URLs.
  "trusted-types heapscope",
].join("; ");

/** Policy of the documents and ordinary scripts. */
export const CONTENT_SECURITY_POLICY = basePolicy;

/** Policy of a worker script that instantiates WebAssembly (the call graph's Graphviz). */
export const WASM_WORKER_CONTENT_SECURITY_POLICY = basePolicy.replace(
  "script-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
);

function hostNameOf(hostHeader: string): { name: string; port: string } | undefined {
  // "[::1]:8080", "127.0.0.1:8080", "localhost"
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(hostHeader);
  if (!match) return undefined;
  return { name: match[1]!.toLowerCase(), port: match[2] ?? "80" };
}

function tokensEqual(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function forbidden(c: Context, why: string): Response {
  c.header("Content-Type", "text/plain; charset=utf-8");
  return c.body(`forbidden: ${why}\n`, 403);
}

export function securityMiddleware(options: SecurityOptions): MiddlewareHandler {
  const allowed = new Set(options.allowedHostNames.map((h) => h.toLowerCase()));
  return async (c, next) => {
    const hostHeader = c.req.header("host");
    const host = hostHeader ? hostNameOf(hostHeader) : undefined;
    if (!host || (!options.anyHost && !allowed.has(host.name)) || host.port !== String(options.port())) {
      return forbidden(c, "unexpected Host header");
    }
    const method = c.req.method;
    if (method !== "GET" && method !== "HEAD") {
      const origin = c.req.header("origin");
      if (origin !== undefined && origin !== `http://${hostHeader}`) {
        return forbidden(c, "cross-origin request");
      }
      const site = c.req.header("sec-fetch-site");
      if (site !== undefined && site !== "same-origin" && site !== "none") {
        return forbidden(c, "cross-site request");
      }
    }
    if (options.token !== undefined) {
      const url = new URL(c.req.url);
      const fromQuery = url.searchParams.get("token") ?? undefined;
      if (fromQuery !== undefined && tokensEqual(fromQuery, options.token)) {
        // Trade the URL token for a cookie, and drop it from the address bar (and from shared links).
        url.searchParams.delete("token");
        c.header("Set-Cookie", `${TOKEN_COOKIE}=${options.token}; HttpOnly; SameSite=Strict; Path=/`);
        if (method === "GET" && !url.pathname.startsWith("/api/")) {
          return c.redirect(`${url.pathname}${url.search}`, 303);
        }
      } else {
        const fromCookie = cookieValue(c.req.header("cookie"), TOKEN_COOKIE);
        const auth = c.req.header("authorization");
        const fromHeader = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
        if (!tokensEqual(fromCookie, options.token) && !tokensEqual(fromHeader, options.token)) {
          c.header("Content-Type", "text/plain; charset=utf-8");
          return c.body("unauthorized: open the URL with the token that heapscope printed\n", 401);
        }
      }
    }
    await next();
    const headers = c.res.headers;
    if (!headers.has("Content-Security-Policy"))
      headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("Cross-Origin-Opener-Policy", "same-origin");
    headers.set("Cross-Origin-Resource-Policy", "same-origin");
    headers.set("X-Frame-Options", "DENY");
  };
}
