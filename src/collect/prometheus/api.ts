/**
 * The Prometheus HTTP API (also served by Thanos, Mimir, VictoriaMetrics): GET requests through
 * heapscope's HTTP client (deadline, size cap, retries), answers checked and turned into clear
 * errors: unreachable, an error JSON with its type, a body that is not the API's, a response over
 * the cap or a query the server refuses as too big (the caller splits those), and warnings (a
 * partial response from a federating querier) kept for the report.
 */
import { HeapscopeError } from "../../errors.js";
import { HttpClient, HttpFetchError } from "../http-client.js";

export interface PrometheusApiOptions {
  headers?: Record<string, string>;
  ca?: string | Buffer;
  timeoutMs?: number;
  /** Largest response body accepted (larger ones are split by the caller). */
  maxResponseBytes?: number;
}

/** A request failed in a way the user must act on (exit code 2). */
export class PrometheusError extends HeapscopeError {}

/** The answer was too big (over the size cap, or the server refused the query's size): split it. */
export class PrometheusTooLargeError extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = "PrometheusTooLargeError";
  }
}

export interface ApiAnswer<T> {
  data: T;
  warnings: string[];
}

/** Messages of Prometheus (and Thanos/Mimir) refusing a query for its size or cost. */
const TOO_BIG =
  /too many samples|exceeded maximum resolution|maximum number of (?:series|samples|chunks)|query would fetch too many|limit exceeded|exceeded the limit/i;

export class PrometheusApi {
  readonly base: string;
  private readonly client: HttpClient;
  /** Requests sent (for the report). */
  requests = 0;

  constructor(baseUrl: string, options: PrometheusApiOptions = {}) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new PrometheusError(`--prometheus: not a URL: ${baseUrl}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new PrometheusError(`--prometheus: only http and https URLs are supported, not ${url.protocol}`);
    this.base = url.href.replace(/\/+$/, "");
    this.client = new HttpClient({
      headers: options.headers,
      ca: options.ca,
      timeoutMs: options.timeoutMs ?? 60_000,
      maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 * 1024,
      retries: 2,
    });
  }

  /**
   * GET `/api/v1/<path>` with query parameters (repeated for arrays). `decode` reads the body's JSON
   * (query_range answers have their own: matrix-json.ts).
   */
  async get<T>(
    path: string,
    params: Record<string, string | string[]>,
    decode: (body: Buffer) => unknown = decodeJson,
  ): Promise<ApiAnswer<T>> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params))
      for (const one of Array.isArray(v) ? v : [v]) query.append(k, one);
    const url = `${this.base}/api/v1/${path}${query.size > 0 ? `?${query}` : ""}`;
    this.requests++;
    let status: number;
    let body: Buffer;
    let contentType: string;
    try {
      ({ status, body, contentType } = await this.client.get(url));
    } catch (error) {
      throw this.transportError(path, error);
    }
    return this.answer<T>(path, status, contentType, body, decode);
  }

  close(): void {
    this.client.close();
  }

  private transportError(path: string, error: unknown): Error {
    if (error instanceof HttpFetchError) {
      if (error.kind === "too-large") return new PrometheusTooLargeError(error.message);
      if (error.kind === "connect")
        return new PrometheusError(`cannot reach Prometheus at ${this.base}: ${error.message}`);
      if (error.kind === "timeout")
        return new PrometheusError(
          `Prometheus at ${this.base} did not answer /api/v1/${path}: ${error.message}`,
        );
      return new PrometheusError(`Prometheus at ${this.base}, /api/v1/${path}: ${error.message}`);
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  private answer<T>(
    path: string,
    status: number,
    contentType: string,
    body: Buffer,
    decode: (body: Buffer) => unknown,
  ): ApiAnswer<T> {
    let parsed: unknown;
    try {
      parsed = decode(body);
    } catch {
      const what = status === 200 ? "" : ` (HTTP ${status})`;
      const type = contentType ? `, ${contentType.split(";")[0]}` : "";
      throw new PrometheusError(
        `${this.base}/api/v1/${path} answered something other than the Prometheus API's JSON${what}${type}: is --prometheus the server's base URL?`,
      );
    }
    const object = (parsed ?? {}) as {
      status?: unknown;
      data?: unknown;
      errorType?: unknown;
      error?: unknown;
      warnings?: unknown;
    };
    const warnings = Array.isArray(object.warnings) ? object.warnings.map(String) : [];
    if (object.status === "success" && status >= 200 && status < 300)
      return { data: object.data as T, warnings };
    const errorType = typeof object.errorType === "string" ? object.errorType : "";
    const message = typeof object.error === "string" ? object.error : `HTTP ${status}`;
    if (errorType === "timeout" || TOO_BIG.test(message)) throw new PrometheusTooLargeError(message);
    throw new PrometheusError(
      `Prometheus at ${this.base} refused /api/v1/${path}: HTTP ${status}${errorType ? ` ${errorType}` : ""}: ${oneLine(message)}`,
    );
  }
}

function decodeJson(body: Buffer): unknown {
  return JSON.parse(body.toString("utf8"));
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** A PromQL string literal (double-quoted, escaped). */
export function promString(value: string): string {
  return JSON.stringify(value);
}

/** A regular expression matching exactly one of `values` (RE2 metacharacters escaped). */
export function exactAlternatives(values: string[]): string {
  return values.map((v) => v.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&")).join("|");
}
