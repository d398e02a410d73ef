/**
 * Finds which of the usual Go diagnostics endpoints a target serves.
 *
 * net/http/pprof's index page lists the profiles the program has (goroutineleak appears only on
 * Go 1.26+ built with GOEXPERIMENT=goroutineleakprofile), so one request answers for all of them;
 * when the index is missing (a custom mux), each profile is probed directly. /debug/vars and
 * /metrics are probed with a GET each; their bodies are only checked, never kept.
 */

import { SNIFF_BYTES, sniffInput } from "../formats/sniff.js";
import type { EndpointUrls } from "../model/recording.js";
import { type HttpClient, HttpFetchError } from "./http-client.js";

export type EndpointName = keyof EndpointUrls;

export interface DiscoveryOptions {
  /** The target's base URL (`--url`); its path, if any, prefixes every default path. */
  baseUrl?: string;
  /** Where net/http/pprof is mounted, relative to the base URL or absolute (default /debug/pprof). */
  pprofPrefix?: string;
  /** Endpoint URLs given explicitly; they are used as given (and probed only to report on them). */
  overrides?: EndpointUrls;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface EndpointProbe {
  name: EndpointName;
  url: string;
  found: boolean;
  /** "ok", "HTTP 404", "connection refused", "not Prometheus text", ... */
  detail: string;
  /**
   * No HTTP answer (refused, reset, timeout): unlike a 404 this says nothing about whether the
   * endpoint exists, e.g. a program that was still starting to listen.
   */
  connectionFailed?: boolean;
}

export interface DiscoveryResult {
  endpoints: EndpointUrls;
  probes: EndpointProbe[];
  /** False when nothing answered at all (no HTTP response from any probe). */
  reachable: boolean;
  /** From `go_info{version=...}` in /metrics, when served. */
  goVersion: string | null;
  /** The first connection-level failure, when nothing answered. */
  unreachableReason: string | null;
  /** Some probe (or the pprof index) got no HTTP answer: the result may change if asked again. */
  incomplete: boolean;
}

/** The default location of each endpoint, relative to the base URL. */
export function defaultEndpointUrls(baseUrl: string, pprofPrefix?: string): Required<EndpointUrls> {
  const { base, pprof } = splitBaseUrl(baseUrl, pprofPrefix);
  return {
    heap: `${pprof}/heap`,
    goroutine: `${pprof}/goroutine`,
    goroutineLeak: `${pprof}/goroutineleak`,
    vars: `${base}/debug/vars`,
    metrics: `${base}/metrics`,
  };
}

/**
 * `http://h:6060` → base `http://h:6060`, pprof `http://h:6060/debug/pprof`.
 * A pasted `http://h:6060/debug/pprof/` is understood as the pprof location under base `http://h:6060`.
 */
function splitBaseUrl(baseUrl: string, pprofPrefix?: string): { base: string; pprof: string } {
  const url = new URL(baseUrl);
  url.hash = "";
  url.search = "";
  let path = url.pathname.replace(/\/+$/, "");
  let pprofPath: string | undefined;
  const pasted = /^(.*)\/debug\/pprof$/.exec(path);
  if (pasted) {
    path = pasted[1]!;
    pprofPath = `${path}/debug/pprof`;
  }
  // Keep user:password@ so basic auth reaches every endpoint (it is redacted before anything is stored).
  const userinfo = url.username ? `${url.username}${url.password ? `:${url.password}` : ""}@` : "";
  const origin = `${url.protocol}//${userinfo}${url.host}`;
  const base = `${origin}${path}`;
  let pprof: string;
  if (pprofPrefix) {
    pprof = /^https?:\/\//.test(pprofPrefix)
      ? pprofPrefix.replace(/\/+$/, "")
      : `${base}/${pprofPrefix.replace(/^\/+|\/+$/g, "")}`;
  } else {
    pprof = pprofPath ? `${origin}${pprofPath}` : `${base}/debug/pprof`;
  }
  return { base, pprof };
}

export async function discoverEndpoints(
  client: HttpClient,
  options: DiscoveryOptions,
): Promise<DiscoveryResult> {
  const prober = new EndpointProber(client, options);
  await prober.readPprofIndex();
  await prober.probeProfile("heap", "heap");
  await prober.probeProfile("goroutine", "goroutine");
  // Only from the index or when named: asking for goroutineleak runs a leak-detecting GC cycle.
  if (prober.knowsGoroutineLeakUrl()) await prober.probeProfile("goroutineLeak", "goroutineleak");
  await prober.probeVars();
  await prober.probeMetrics();
  return prober.result();
}

/** The probes of one discovery, one request after another, and what they found. */
class EndpointProber {
  private readonly overrides: EndpointUrls;
  private readonly defaults: Required<EndpointUrls> | undefined;
  private readonly request: { signal?: AbortSignal; timeoutMs: number; retries: number };
  private readonly probes: EndpointProbe[] = [];
  /** Some request got an HTTP answer. */
  private answered = false;
  private unreachableReason: string | null = null;
  private incomplete = false;
  /** The profiles the pprof index lists, when it was read. */
  private indexProfiles: Set<string> | undefined;
  private goVersion: string | null = null;

  constructor(
    private readonly client: HttpClient,
    options: DiscoveryOptions,
  ) {
    this.overrides = options.overrides ?? {};
    this.defaults = options.baseUrl ? defaultEndpointUrls(options.baseUrl, options.pprofPrefix) : undefined;
    this.request = { signal: options.signal, timeoutMs: options.timeoutMs ?? 10_000, retries: 0 };
  }

  /** The pprof index, when the profiles are at their default place. */
  async readPprofIndex(): Promise<void> {
    if (!this.defaults || (this.overrides.heap && this.overrides.goroutine)) return;
    const indexUrl = this.defaults.heap.replace(/\/heap$/, "/");
    try {
      const response = await this.client.get(indexUrl, this.request);
      this.answered = true;
      if (response.status === 200) this.indexProfiles = parsePprofIndex(response.body.toString("utf8"));
    } catch (error) {
      this.noteFailure(error);
    }
  }

  knowsGoroutineLeakUrl(): boolean {
    return Boolean(this.overrides.goroutineLeak || this.indexProfiles);
  }

  /** A profile endpoint: from the pprof index when it was read, else by fetching it. */
  async probeProfile(name: "heap" | "goroutine" | "goroutineLeak", profile: string): Promise<void> {
    const overridden = Boolean(this.overrides[name]);
    const url = this.overrides[name] ?? this.defaults?.[name];
    if (!url) return;
    if (!overridden && this.indexProfiles) {
      const found = this.indexProfiles.has(profile);
      this.probes.push({
        name,
        url,
        found,
        detail: found ? "listed by the pprof index" : "not in the pprof index",
      });
      return;
    }
    if (!overridden && !this.answered && this.unreachableReason) {
      this.probes.push({ name, url, found: false, detail: this.unreachableReason, connectionFailed: true });
      return;
    }
    try {
      const response = await this.client.get(url, this.request);
      this.answered = true;
      const found = response.status === 200 && looksLikeProfile(response.body);
      this.probes.push({
        name,
        url,
        found: found || overridden,
        detail: found ? "ok" : response.status === 200 ? "not a pprof profile" : `HTTP ${response.status}`,
      });
    } catch (error) {
      this.probeFailed(name, url, error);
    }
  }

  /** /debug/vars: JSON with a memstats object. */
  async probeVars(): Promise<void> {
    await this.probeText("vars", (text) => (/"memstats"\s*:/.test(text) ? null : "no memstats in the JSON"));
  }

  /** /metrics: Prometheus text, which also tells the target's Go version. */
  async probeMetrics(): Promise<void> {
    await this.probeText("metrics", (text) => {
      this.goVersion = goVersionFromMetrics(text);
      return /^# TYPE |^go_\w+[ {]/m.test(text) ? null : "not Prometheus text";
    });
  }

  /** A text endpoint, fetched; `check` returns what is wrong with its body, null when it fits. */
  private async probeText(name: "vars" | "metrics", check: (text: string) => string | null): Promise<void> {
    const url = this.overrides[name] ?? this.defaults?.[name];
    if (!url) return;
    try {
      const response = await this.client.get(url, this.request);
      this.answered = true;
      const problem =
        response.status === 200 ? check(response.body.toString("utf8")) : `HTTP ${response.status}`;
      this.probes.push({
        name,
        url,
        found: problem === null || Boolean(this.overrides[name]),
        detail: problem ?? "ok",
      });
    } catch (error) {
      this.probeFailed(name, url, error);
    }
  }

  result(): DiscoveryResult {
    const endpoints: EndpointUrls = {};
    for (const probe of this.probes) if (probe.found) endpoints[probe.name] = probe.url;
    return {
      endpoints,
      probes: this.probes,
      reachable: this.answered,
      goVersion: this.goVersion,
      unreachableReason: this.answered ? null : (this.unreachableReason ?? "no answer"),
      incomplete: this.incomplete,
    };
  }

  /** A request that failed: an endpoint named explicitly still counts as found (it may come up later). */
  private probeFailed(name: EndpointName, url: string, error: unknown): void {
    this.probes.push({
      name,
      url,
      found: Boolean(this.overrides[name]),
      detail: this.noteFailure(error),
      connectionFailed: isConnectionFailure(error),
    });
  }

  /** Notes what a failed request says about the target; returns its message. */
  private noteFailure(error: unknown): string {
    if (error instanceof HttpFetchError) {
      if (!isConnectionFailure(error)) this.answered = true;
      else {
        this.unreachableReason ??= error.message;
        // A refused or reset connection means the program may not be listening yet: discover
        // again. A timeout means something accepted the connection and hangs: retrying would
        // only spend the recording's time (the sampler notes hangs as they come).
        if (error.kind === "connect") this.incomplete = true;
      }
      return error.message;
    }
    return error instanceof Error ? error.message : String(error);
  }
}

function isConnectionFailure(error: unknown): boolean {
  return error instanceof HttpFetchError && (error.kind === "connect" || error.kind === "timeout");
}

/** Profile names linked from net/http/pprof's index page (`<a href='heap?debug=1'>`). */
export function parsePprofIndex(html: string): Set<string> {
  const names = new Set<string>();
  for (const match of html.matchAll(/href=['"]?([A-Za-z0-9_]+)\?debug=1/g)) names.add(match[1]!);
  return names;
}

/** Gzip (what Go sends) or profile text (a legacy heap profile, a goroutine dump). */
function looksLikeProfile(body: Buffer): boolean {
  const kind = sniffInput(body.subarray(0, SNIFF_BYTES));
  return (
    kind === "gzip" || kind === "pprof-proto" || kind === "pprof-legacy-heap" || kind === "goroutine-dump"
  );
}

export function goVersionFromMetrics(text: string): string | null {
  const match = /^go_info\{[^}]*version="([^"]+)"/m.exec(text);
  return match ? match[1]! : null;
}
