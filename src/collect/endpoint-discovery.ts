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
  const overrides = options.overrides ?? {};
  const defaults = options.baseUrl ? defaultEndpointUrls(options.baseUrl, options.pprofPrefix) : undefined;
  const request = { signal: options.signal, timeoutMs: options.timeoutMs ?? 10_000, retries: 0 };
  const probes: EndpointProbe[] = [];
  let answered = false;
  let unreachableReason: string | null = null;
  let incomplete = false;
  const isConnectionFailure = (error: unknown): boolean =>
    error instanceof HttpFetchError && (error.kind === "connect" || error.kind === "timeout");
  const noteFailure = (error: unknown): string => {
    if (error instanceof HttpFetchError) {
      if (!isConnectionFailure(error)) answered = true;
      else {
        unreachableReason ??= error.message;
        // A refused or reset connection means the program may not be listening yet: discover
        // again. A timeout means something accepted the connection and hangs: retrying would
        // only spend the recording's time (the sampler notes hangs as they come).
        if (error.kind === "connect") incomplete = true;
      }
      return error.message;
    }
    return error instanceof Error ? error.message : String(error);
  };

  // 1. The pprof index, when the profiles are at their default place.
  let indexProfiles: Set<string> | undefined;
  if (defaults && !(overrides.heap && overrides.goroutine)) {
    const indexUrl = defaults.heap.replace(/\/heap$/, "/");
    try {
      const response = await client.get(indexUrl, request);
      answered = true;
      if (response.status === 200) indexProfiles = parsePprofIndex(response.body.toString("utf8"));
    } catch (error) {
      noteFailure(error);
    }
  }

  // A request that failed: an endpoint named explicitly still counts as found (it may come up later).
  const probeFailed = (name: EndpointName, url: string, error: unknown) => {
    probes.push({
      name,
      url,
      found: Boolean(overrides[name]),
      detail: noteFailure(error),
      connectionFailed: isConnectionFailure(error),
    });
  };
  const probeProfile = async (name: "heap" | "goroutine" | "goroutineLeak", profile: string) => {
    const url = overrides[name] ?? defaults?.[name];
    if (!url) return;
    if (!overrides[name] && indexProfiles) {
      const found = indexProfiles.has(profile);
      probes.push({
        name,
        url,
        found,
        detail: found ? "listed by the pprof index" : "not in the pprof index",
      });
      return;
    }
    if (!overrides[name] && answered === false && unreachableReason) {
      probes.push({ name, url, found: false, detail: unreachableReason, connectionFailed: true });
      return;
    }
    try {
      const response = await client.get(url, request);
      answered = true;
      const found = response.status === 200 && looksLikeProfile(response.body);
      probes.push({
        name,
        url,
        found: found || Boolean(overrides[name]),
        detail: found ? "ok" : response.status === 200 ? "not a pprof profile" : `HTTP ${response.status}`,
      });
    } catch (error) {
      probeFailed(name, url, error);
    }
  };
  await probeProfile("heap", "heap");
  await probeProfile("goroutine", "goroutine");
  // Only from the index or when named: asking for goroutineleak runs a leak-detecting GC cycle.
  if (overrides.goroutineLeak || indexProfiles) await probeProfile("goroutineLeak", "goroutineleak");

  let goVersion: string | null = null;
  const probeText = async (name: "vars" | "metrics", check: (text: string) => string | null) => {
    const url = overrides[name] ?? defaults?.[name];
    if (!url) return;
    try {
      const response = await client.get(url, request);
      answered = true;
      const problem =
        response.status === 200 ? check(response.body.toString("utf8")) : `HTTP ${response.status}`;
      probes.push({
        name,
        url,
        found: problem === null || Boolean(overrides[name]),
        detail: problem ?? "ok",
      });
    } catch (error) {
      probeFailed(name, url, error);
    }
  };
  await probeText("vars", (text) => (/"memstats"\s*:/.test(text) ? null : "no memstats in the JSON"));
  await probeText("metrics", (text) => {
    goVersion = goVersionFromMetrics(text);
    return /^# TYPE |^go_\w+[ {]/m.test(text) ? null : "not Prometheus text";
  });

  const endpoints: EndpointUrls = {};
  for (const probe of probes) if (probe.found) endpoints[probe.name] = probe.url;
  return {
    endpoints,
    probes,
    reachable: answered,
    goVersion,
    unreachableReason: answered ? null : (unreachableReason ?? "no answer"),
    incomplete,
  };
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
