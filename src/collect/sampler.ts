/**
 * One sampling tick: fetch every discovered endpoint once, parse enough to summarise, read RSS.
 *
 * Requests run one after another, never in parallel, to keep the load on the target small and so
 * MemStats are read right after the heap profile's forced GC, before anything is parsed (HeapAlloc
 * is then ≈ the live heap).
 * When the first request finds the target unreachable or hanging, the rest of the tick is skipped
 * (tick-requests.ts). Whether the heap request forces a GC is heap-gc-policy.ts's decision.
 *
 * Raw bytes are kept as received; parsing failures are errors of the tick ("garbage"), and a profile
 * that does not parse is not stored as a snapshot (it would poison `FILE#N`).
 */
import { readGoroutineDump, readGoroutineProfile } from "../analysis/goroutine-groups.js";
import { parseExpvarMemStats } from "../formats/memstats-expvar.js";
import { parsePrometheusMemStats } from "../formats/memstats-prometheus.js";
import { parseProfileBytes } from "../formats/profile-bytes.js";
import type { GoroutineSnapshot } from "../model/goroutine.js";
import type { MemStatsSample } from "../model/memstats.js";
import type {
  CollectError,
  CollectedSample,
  CollectSource,
  EndpointUrls,
  GoroutineSnapshotSummary,
  HeapProfileSummary,
  MemStatsEntry,
  RawPayload,
  RssReading,
} from "../model/recording.js";
import type { Profile } from "../profile/model.js";
import { type GcMode, HeapGcPolicy } from "./heap-gc-policy.js";
import type { HttpClient } from "./http-client.js";
import { redactUrl } from "./redact.js";
import { readProcessReading } from "./rss.js";
import { summarizeGoroutines, summarizeHeapProfile } from "./sample-summaries.js";
import { TickRequests } from "./tick-requests.js";

export interface SamplerOptions {
  /** Null when there is nothing to fetch (gctrace and RSS only). */
  client: HttpClient | null;
  endpoints: EndpointUrls;
  /** When to add gc=1 to the heap request (see GcMode). */
  gcMode: GcMode;
  /** GC cycles the target has completed, from its gctrace (launch mode), if known. */
  gcCyclesSeen?: () => number | null;
  /** Keep the raw /debug/vars and /metrics responses (they may hold secrets). */
  keepVars: boolean;
  requestTimeoutMs: number;
  /** The process to read RSS and CPU time from, if known. */
  pid?: () => number | null;
  /** Clock, for tests. */
  now?: () => number;
}

export interface SampleRequest {
  /** Also fetch a debug=2 goroutine dump and the goroutineleak profile (both cost the target more). */
  includeDump: boolean;
  final: boolean;
  signal?: AbortSignal;
}

export interface SampleOutcome {
  sample: CollectedSample;
  /** Some endpoint answered with HTTP (or there are no HTTP endpoints). */
  reachable: boolean;
  /** Why the target did not answer (first connection-level failure), when unreachable. */
  unreachableReason: string | null;
  /** Anything worth storing was collected (RSS alone counts). */
  hasData: boolean;
}

/** The raw /debug/vars and /metrics responses of one read (null: not served or failed). */
interface FetchedMemStats {
  vars: Buffer | null;
  metrics: Buffer | null;
}

export class Sampler {
  private readonly options: SamplerOptions;
  private readonly now: () => number;
  private readonly gcPolicy: HeapGcPolicy;
  /** LastGC of the previous MemStats, so each sample stores only the GC pauses that are new. */
  private lastGcNs: bigint | null = null;

  constructor(options: SamplerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.gcPolicy = new HeapGcPolicy(options.gcMode, options.gcCyclesSeen);
  }

  get endpoints(): EndpointUrls {
    return this.options.endpoints;
  }

  hasHttpEndpoints(): boolean {
    return this.options.client !== null && Object.values(this.options.endpoints).some(Boolean);
  }

  async collect(request: SampleRequest): Promise<SampleOutcome> {
    const startedMs = this.now();
    const errors: CollectError[] = [];
    const requests = new TickRequests(
      this.options.client,
      request.signal,
      this.options.requestTimeoutMs,
      (source, url, kind, message) => errors.push(this.error(source, url, kind, message)),
    );
    const sample: CollectedSample = {
      startedMs,
      finishedMs: startedMs,
      final: request.final,
      memstats: [],
      errors,
    };
    await this.collectHeapAndMemStats(requests, sample);
    await this.collectGoroutines(requests, sample, request.includeDump);
    // RSS and CPU time from /proc, else from Prometheus' process collector.
    sample.rss = this.readRss(sample.memstats);
    sample.finishedMs = this.now();
    return this.outcome(requests, sample);
  }

  /**
   * The heap profile (with gc=1 or not, see GcMode) and MemStats, fetched back to back and parsed
   * only afterwards: after a forced GC the target keeps allocating (with GOGC=off nothing frees
   * it), so anything between the two requests, a parse of a large profile included, would show up
   * in HeapAlloc.
   */
  private async collectHeapAndMemStats(requests: TickRequests, sample: CollectedSample): Promise<void> {
    const endpoints = this.options.endpoints;
    // "auto" decides from MemStats read just before the heap request (did a GC run since the last
    // snapshot?); they stand as the sample's MemStats unless a GC is forced.
    let earlyMemStats: FetchedMemStats | null = null;
    if (endpoints.heap && this.gcPolicy.wantsMemStatsBeforeHeap(endpoints)) {
      earlyMemStats = await this.fetchMemStats(requests);
      if (requests.stopped) earlyMemStats = null;
    }
    const decision = this.gcPolicy.decide(earlyMemStats ? this.parseMemStats(earlyMemStats, null) : []);
    let forced = decision.force === true;
    let heapUrl = endpoints.heap ? withQuery(endpoints.heap, forced ? { gc: "1" } : {}) : undefined;
    let heapBytes = await requests.get("heap", heapUrl);
    let memstatsBytes = earlyMemStats && !forced ? earlyMemStats : await this.fetchMemStats(requests);
    let summary = this.heapSummary(heapUrl, heapBytes, sample.errors);
    if (endpoints.heap && decision.force === "unless-fresh" && summary && !this.gcPolicy.isFresh(summary)) {
      // Nothing new since the last snapshot: no GC has published data since; ask for a current one.
      forced = true;
      heapUrl = withQuery(endpoints.heap, { gc: "1" });
      heapBytes = await requests.get("heap", heapUrl);
      memstatsBytes = await this.fetchMemStats(requests);
      summary = this.heapSummary(heapUrl, heapBytes, sample.errors);
    }
    sample.memstats = this.parseMemStats(memstatsBytes, sample.errors);
    if (heapBytes && summary) {
      const readAfterHeap = memstatsBytes !== earlyMemStats;
      this.gcPolicy.afterHeapFetch(decision, forced, summary, readAfterHeap ? sample.memstats : []);
      sample.heap = { bytes: heapBytes, gcForced: forced, summary };
    }
    if (endpoints.heap) this.gcPolicy.afterSample(decision, sample.memstats);
  }

  /** The summary of a fetched heap profile; null when there is none or it does not parse. */
  private heapSummary(
    url: string | undefined,
    bytes: Buffer | null,
    errors: CollectError[],
  ): HeapProfileSummary | null {
    const parsed = bytes && url ? this.parseProfile("heap", url, bytes, errors) : null;
    return parsed ? summarizeHeapProfile(parsed) : null;
  }

  /** Goroutines: counts by stack every tick; the full dump (states, wait times) on dump ticks. */
  private async collectGoroutines(
    requests: TickRequests,
    sample: CollectedSample,
    includeDump: boolean,
  ): Promise<void> {
    const endpoints = this.options.endpoints;
    const goroutineBytes = await requests.get("goroutine", endpoints.goroutine);
    if (goroutineBytes && endpoints.goroutine) {
      const parsed = this.parseProfile("goroutine", endpoints.goroutine, goroutineBytes, sample.errors);
      if (parsed) {
        sample.goroutineProfile = this.payload(goroutineBytes, () => readGoroutineProfile(parsed));
      }
    }
    if (includeDump && endpoints.goroutine)
      await this.collectGoroutineDump(requests, sample, endpoints.goroutine);
    if (includeDump && endpoints.goroutineLeak) {
      const leakBytes = await requests.get("goroutineleak", endpoints.goroutineLeak);
      if (leakBytes) {
        const parsed = this.parseProfile("goroutineleak", endpoints.goroutineLeak, leakBytes, sample.errors);
        if (parsed) {
          sample.goroutineLeak = this.payload(leakBytes, () => {
            const snapshot = readGoroutineProfile(parsed);
            return { ...snapshot, leaked: snapshot.total };
          });
        }
      }
    }
  }

  /** The debug=2 goroutine dump (states and wait times), summarised. */
  private async collectGoroutineDump(
    requests: TickRequests,
    sample: CollectedSample,
    goroutineUrl: string,
  ): Promise<void> {
    const dumpUrl = withQuery(goroutineUrl, { debug: "2" });
    const dumpBytes = await requests.get("goroutine-dump", dumpUrl);
    if (!dumpBytes) return;
    try {
      const snapshot = readGoroutineDump(dumpBytes.toString("utf8"), { keepGoroutines: false });
      if (snapshot.total === 0 && snapshot.skippedLines > 0) throw new Error("no goroutines in the dump");
      sample.goroutineDump = { bytes: dumpBytes, summary: summarizeGoroutines(snapshot) };
    } catch (error) {
      sample.errors.push(this.error("goroutine-dump", dumpUrl, "garbage", describeGarbage(error, dumpBytes)));
    }
  }

  /** Whether the target answered (else why not, as an error of the sample), and whether there is data. */
  private outcome(requests: TickRequests, sample: CollectedSample): SampleOutcome {
    const failure = requests.unreachable;
    const reachable = requests.answered || !this.hasHttpEndpoints();
    if (!reachable && failure) {
      const endpoints = this.options.endpoints;
      sample.errors.push(
        this.error(sourceOf(endpoints, failure.url), failure.url, failure.kind, failure.message),
      );
    }
    const hasData =
      Boolean(
        sample.heap || sample.goroutineProfile || sample.goroutineDump || sample.goroutineLeak || sample.rss,
      ) || sample.memstats.length > 0;
    return {
      sample,
      reachable,
      unreachableReason: reachable ? null : (failure?.message ?? "no answer"),
      hasData,
    };
  }

  /** /debug/vars then /metrics, back to back, unparsed. */
  private async fetchMemStats(requests: TickRequests): Promise<FetchedMemStats> {
    const vars = await requests.get("vars", this.options.endpoints.vars);
    const metrics = await requests.get("metrics", this.options.endpoints.metrics);
    return { vars, metrics };
  }

  /**
   * MemStats entries of fetched responses. With `errors` they are the sample's (pauses trimmed to
   * the new ones, raw bytes kept with --keep-vars, garbage reported); without, only read to decide.
   */
  private parseMemStats(fetched: FetchedMemStats, errors: CollectError[] | null): MemStatsEntry[] {
    const endpoints = this.options.endpoints;
    const entries: MemStatsEntry[] = [];
    if (fetched.vars && endpoints.vars) {
      try {
        const parsed = parseExpvarMemStats(fetched.vars.toString("utf8"));
        const entry: MemStatsEntry = { source: "expvar", sample: errors ? this.trimPauses(parsed) : parsed };
        if (errors && this.options.keepVars) entry.raw = fetched.vars;
        entries.push(entry);
      } catch (error) {
        errors?.push(this.error("vars", endpoints.vars, "garbage", describeGarbage(error, fetched.vars)));
      }
    }
    if (fetched.metrics && endpoints.metrics) {
      try {
        const entry: MemStatsEntry = {
          source: "prometheus",
          sample: parsePrometheusMemStats(fetched.metrics.toString("utf8")),
        };
        if (errors && this.options.keepVars) entry.raw = fetched.metrics;
        entries.push(entry);
      } catch (error) {
        errors?.push(
          this.error("metrics", endpoints.metrics, "garbage", describeGarbage(error, fetched.metrics)),
        );
      }
    }
    return entries;
  }

  /** RSS without HTTP (gctrace-only recordings, or while the target is unreachable). */
  readRssOnly(final: boolean): CollectedSample | null {
    const rss = this.readRss([]);
    if (!rss) return null;
    const now = this.now();
    return { startedMs: now, finishedMs: now, final, memstats: [], errors: [], rss };
  }

  private readRss(memstats: MemStatsEntry[]): RssReading | undefined {
    const pid = this.options.pid?.() ?? null;
    if (pid !== null) {
      const reading = readProcessReading(pid);
      if (reading) return { bytes: reading.rssBytes, pid, source: "proc", cpuSeconds: reading.cpuSeconds };
    }
    const fromMetrics = memstats.find((entry) => entry.sample.rssBytes !== undefined);
    if (fromMetrics)
      return { bytes: fromMetrics.sample.rssBytes!, pid: null, source: "prometheus", cpuSeconds: null };
    return undefined;
  }

  private parseProfile(
    source: CollectSource,
    url: string,
    bytes: Buffer,
    errors: CollectError[],
  ): Profile | null {
    try {
      return parseProfileBytes(bytes, redactUrl(url)).profile;
    } catch (error) {
      errors.push(this.error(source, url, "garbage", describeGarbage(error, bytes)));
      return null;
    }
  }

  private payload(bytes: Buffer, snapshot: () => GoroutineSnapshot): RawPayload<GoroutineSnapshotSummary> {
    try {
      return { bytes, summary: summarizeGoroutines(snapshot()) };
    } catch {
      return { bytes, summary: null };
    }
  }

  /** Keeps only the GC pauses that ended after the previous sample's LastGC (MemStats repeats 256). */
  private trimPauses(sample: MemStatsSample): MemStatsSample {
    const ends = sample.exact?.pauseEndNs;
    const previous = this.lastGcNs;
    if (sample.exact?.lastGcNs !== undefined) this.lastGcNs = sample.exact.lastGcNs;
    if (!ends || previous === null) return sample;
    const keep = ends.map((end) => end > previous);
    return {
      ...sample,
      exact: { ...sample.exact, pauseEndNs: ends.filter((_, i) => keep[i]) },
      pauseNs: sample.pauseNs?.filter((_, i) => keep[i]),
    };
  }

  private error(
    source: CollectSource,
    url: string,
    kind: CollectError["kind"],
    message: string,
  ): CollectError {
    return { source, url: redactUrl(url), kind, message, atMs: this.now() };
  }
}

/** `url` with query parameters set (kept: the user's own parameters). */
export function withQuery(url: string, params: Record<string, string>): string {
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(params)) parsed.searchParams.set(key, value);
  return parsed.href;
}

function sourceOf(endpoints: EndpointUrls, url: string): CollectSource {
  const base = url.split("?")[0];
  if (base === endpoints.heap) return "heap";
  if (base === endpoints.vars) return "vars";
  if (base === endpoints.metrics) return "metrics";
  if (base === endpoints.goroutineLeak) return "goroutineleak";
  return "goroutine";
}

/** The parser's problem plus what the bytes start with (an HTML login page, a proxy error...). */
function describeGarbage(error: unknown, bytes: Buffer): string {
  const problem = error instanceof Error ? error.message : String(error);
  const head = bytes
    .subarray(0, 80)
    .toString("latin1")
    .replace(/[^\x20-\x7e]+/g, " ")
    .trim();
  return head ? `${problem} (response starts: "${head.slice(0, 60)}")` : problem;
}
