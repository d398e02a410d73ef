/**
 * The only HTTP client heapscope uses to talk to a target.
 *
 * Every request has a deadline (covering headers and body), a response size cap, and is retried with
 * backoff when the connection fails or a proxy answers 502/503/504 (a `kubectl port-forward` that
 * is restarting). Redirects are followed only within the same origin, and only http/https URLs are
 * accepted. Built on node:http(s) rather than fetch so a custom CA (`--cacert`) needs no extra package.
 */
import http from "node:http";
import https from "node:https";
import tls from "node:tls";
import type { CollectErrorKind } from "../model/recording.js";
import { formatBytes, formatDurationMs } from "../model/units.js";

export interface HttpClientOptions {
  /** Extra request headers (e.g. Authorization), sent on every request. */
  headers?: Record<string, string>;
  /** PEM CA certificate(s) trusted for https targets, in addition to Node's defaults. */
  ca?: string | Buffer;
  /** Deadline per attempt, headers and body included. */
  timeoutMs?: number;
  /** Responses larger than this fail with kind "too-large". */
  maxResponseBytes?: number;
  /** Additional attempts after a connection failure or a 502/503/504. */
  retries?: number;
  /** First backoff delay; doubled per retry. */
  retryDelayMs?: number;
}

export interface HttpResponse {
  url: string;
  status: number;
  contentType: string;
  body: Buffer;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Far above real profiles (a 1M-goroutine debug=2 dump is a few hundred MB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 512 * 1024 * 1024;
const MAX_REDIRECTS = 5;

/** A failed request, classified so the recording and the status line can say what went wrong. */
export class HttpFetchError extends Error {
  readonly kind: CollectErrorKind;
  readonly url: string;
  readonly status: number | null;
  constructor(url: string, kind: CollectErrorKind, message: string, status: number | null = null) {
    super(message);
    this.name = "HttpFetchError";
    this.url = url;
    this.kind = kind;
    this.status = status;
  }
}

/** Throws a plain Error naming the problem when `url` is not an absolute http(s) URL. */
export function assertHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a URL: ${url}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new Error(`only http and https URLs are supported, not ${parsed.protocol.replace(/:$/, "")}`);
  }
  return parsed;
}

export class HttpClient {
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  // One keep-alive connection (or two) per target, so sampling does not open a socket per request.
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(options: HttpClientOptions = {}) {
    this.headers = { "user-agent": "heapscope", ...options.headers };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: 2,
      // Giving `ca` replaces Node's bundled roots; keep them so public certificates still verify.
      ...(options.ca ? { ca: [...tls.rootCertificates, options.ca] } : {}),
    });
  }

  /**
   * GETs `url`, retrying connection failures and 502/503/504 with backoff. Resolves for any HTTP
   * status (the caller decides what 404 means); rejects with HttpFetchError otherwise.
   */
  async get(
    url: string,
    options: { signal?: AbortSignal; timeoutMs?: number; retries?: number } = {},
  ): Promise<HttpResponse> {
    const retries = options.retries ?? this.retries;
    let delay = this.retryDelayMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.getFollowingRedirects(url, options);
        const retriable = response.status === 502 || response.status === 503 || response.status === 504;
        if (!retriable || attempt >= retries) return response;
      } catch (error) {
        if (!(error instanceof HttpFetchError) || error.kind !== "connect" || attempt >= retries) throw error;
        if (options.signal?.aborted) throw error;
      }
      await sleep(delay, options.signal);
      delay *= 3;
    }
  }

  /** GETs `url` and requires a 200; other statuses become HttpFetchError("status"). */
  async getOk(url: string, options: { signal?: AbortSignal; timeoutMs?: number; retries?: number } = {}) {
    const response = await this.get(url, options);
    if (response.status !== 200) {
      const detail = response.body.subarray(0, 200).toString("utf8").split("\n", 1)[0]?.trim();
      throw new HttpFetchError(
        url,
        "status",
        `HTTP ${response.status}${detail ? `: ${detail}` : ""}`,
        response.status,
      );
    }
    return response;
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async getFollowingRedirects(
    url: string,
    options: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<HttpResponse> {
    const origin = assertHttpUrlFor(url).origin;
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const response = await this.getOnce(current, options);
      if (!isRedirect(response.status)) return response;
      const location = response.location;
      if (!location) return response;
      const next = new URL(location, current);
      if (next.origin !== origin) {
        throw new HttpFetchError(
          url,
          "redirect",
          `redirect to another host refused (${next.origin}); give that URL directly if it is intended`,
        );
      }
      current = next.href;
    }
    throw new HttpFetchError(url, "redirect", `more than ${MAX_REDIRECTS} redirects`);
  }

  private getOnce(
    url: string,
    options: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<HttpResponse & { location: string | undefined }> {
    const parsed = assertHttpUrlFor(url);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const isHttps = parsed.protocol === "https:";
    const transport = isHttps ? https : http;
    const headers = { ...this.headers };
    if (parsed.username || parsed.password) {
      const user = decodeURIComponent(parsed.username);
      const pass = decodeURIComponent(parsed.password);
      headers.authorization ??= `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    }
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new HttpFetchError(url, "other", "cancelled"));
        return;
      }
      let settled = false;
      const finish = (
        error: HttpFetchError | null,
        value?: HttpResponse & { location: string | undefined },
      ) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve(value!);
      };
      const request = transport.request(
        {
          protocol: parsed.protocol,
          hostname: parsed.hostname.replace(/^\[|\]$/g, ""),
          port: parsed.port || (isHttps ? 443 : 80),
          path: `${parsed.pathname}${parsed.search}`,
          method: "GET",
          headers,
          agent: isHttps ? this.httpsAgent : this.httpAgent,
        },
        (response) => {
          const status = response.statusCode ?? 0;
          const declared = Number(response.headers["content-length"]);
          // Settle before destroying: destroying can emit "aborted" at once, which would read as a
          // dropped connection (and be retried) instead of an answer over the cap.
          if (Number.isFinite(declared) && declared > this.maxResponseBytes) {
            finish(tooLarge(url, this.maxResponseBytes));
            response.destroy();
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.maxResponseBytes) {
              finish(tooLarge(url, this.maxResponseBytes));
              response.destroy();
              return;
            }
            chunks.push(chunk);
          });
          response.on("end", () => {
            finish(null, {
              url,
              status,
              contentType: String(response.headers["content-type"] ?? ""),
              body: Buffer.concat(chunks, size),
              location: response.headers.location,
            });
          });
          response.on("error", (error) => finish(classify(url, error)));
          response.on("aborted", () =>
            finish(new HttpFetchError(url, "connect", "connection closed mid-response")),
          );
        },
      );
      const timer = setTimeout(() => {
        request.destroy();
        finish(
          new HttpFetchError(url, "timeout", `no complete response within ${formatDurationMs(timeoutMs)}`),
        );
      }, timeoutMs);
      const onAbort = () => {
        request.destroy();
        finish(new HttpFetchError(url, "other", "cancelled"));
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      request.on("error", (error) => finish(classify(url, error)));
      request.end();
    });
  }
}

function assertHttpUrlFor(url: string): URL {
  try {
    return assertHttpUrl(url);
  } catch (error) {
    throw new HttpFetchError(url, "other", (error as Error).message);
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function tooLarge(url: string, cap: number): HttpFetchError {
  return new HttpFetchError(url, "too-large", `response larger than ${formatBytes(cap)} (--max-response)`);
}

const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNABORTED",
  "ETIMEDOUT",
]);

function classify(url: string, error: Error & { code?: string }): HttpFetchError {
  if (error instanceof HttpFetchError) return error;
  const code = error.code ?? "";
  if (CONNECT_CODES.has(code) || /socket hang up/i.test(error.message)) {
    const what =
      code === "ECONNREFUSED"
        ? "connection refused"
        : code === "ENOTFOUND"
          ? "host not found"
          : /hang up|ECONNRESET/.test(`${code} ${error.message}`)
            ? "connection closed by the target"
            : error.message;
    return new HttpFetchError(url, "connect", what);
  }
  if (code.startsWith("ERR_TLS") || /certificate|SSL|TLS/i.test(error.message)) {
    return new HttpFetchError(url, "connect", `TLS: ${error.message} (--cacert adds a trusted CA)`);
  }
  if (code.startsWith("HPE_"))
    return new HttpFetchError(url, "garbage", `not an HTTP response (${error.message})`);
  return new HttpFetchError(url, "other", error.message);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
