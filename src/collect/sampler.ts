/**
 * One sampling tick: fetch every discovered endpoint once, parse enough to summarise, read RSS.
 *
 * Requests run one after another, never in parallel, to keep the load on the target small and so
 * MemStats are read right after the heap profile's forced GC, before anything is parsed (HeapAlloc
 * is then ≈ the live heap).
 * When the first request finds the target unreachable or hanging, the rest of the tick is skipped:
 * they would fail the same way, each after its own timeout.
 *
 * Raw bytes are kept as received; parsing failures are errors of the tick ("garbage"), and a profile
 * that does not parse is not stored as a snapshot (it would poison `FILE#N`).
 */
import { createHash } from "node:crypto";
import { readGoroutineDump, readGoroutineProfile } from "../analysis/goroutine-groups.js";
import { parseExpvarMemStats } from "../formats/memstats-expvar.js";
import { parsePrometheusMemStats } from "../formats/memstats-prometheus.js";
import { parseProfileBytes } from "../formats/profile-bytes.js";
import { displayFrames, type GoroutineSnapshot } from "../model/goroutine.js";
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
import { type HttpClient, HttpFetchError } from "./http-client.js";
import { redactUrl } from "./redact.js";
import { readProcessReading } from "./rss.js";

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

/**
 * When the heap profile is fetched with gc=1 (the target then runs a full GC first):
 * - "always": every sample; each snapshot is exactly current, at the price of one full GC per
 *   interval (on a 200 MB pointer-rich heap that is about a second of CPU time per sample).
 * - "auto" (default): only when the profile would otherwise be stale. Go's heap profile shows the
 *   heap as of the last completed GC, so a GC since the previous sample already makes it current
 *   within one interval; and if no GC ran but the program allocated less than
 *   AUTO_GC_STALE_FRACTION of its heap since the last GC, the profile is current to within that.
 *   Decided from MemStats (NumGC, TotalAlloc, HeapAlloc) read just before the heap request, or
 *   gctrace. Without either, the profile is fetched without gc=1 and fetched again with it when its
 *   cumulative allocation totals show no GC since the previous snapshot. The first sample always
 *   uses gc=1.
 * - "never": leave the target's GC alone.
 */
export type GcMode = "auto" | "always" | "never";

/** In "auto" mode, allocation since the last GC above this fraction of HeapAlloc makes a profile stale. */
export const AUTO_GC_STALE_FRACTION = 0.05;

interface GcDecision {
  force: boolean | "unless-fresh";
  numGc: number | null;
  totalAlloc: number | null;
}

/** The raw /debug/vars and /metrics responses of one read (null: not served or failed). */
interface FetchedMemStats {
  vars: Buffer | null;
  metrics: Buffer | null;
}

/** The MemStats fields the gc=1 policy reads, from the first source that has NumGC. */
function gcFields(memstats: MemStatsEntry[]): MemStatsSample["fields"] | undefined {
  return memstats.find((m) => m.sample.fields.NumGC !== undefined)?.sample.fields;
}

const MAX_STACK_FRAMES = 32;
const MAX_TOP_GROUPS = 20;

export class Sampler {
  private readonly options: SamplerOptions;
  private readonly now: () => number;
  /** LastGC of the previous MemStats, so each sample stores only the GC pauses that are new. */
  private lastGcNs: bigint | null = null;
  /** For "auto" gc: GC count after the previous heap fetch, and TotalAlloc at the last GC known. */
  private numGcAfterLastHeap: number | null = null;
  private totalAllocAtLastGc: number | null = null;
  private previousTotalAlloc: number | null = null;
  /** alloc_space total of the previous heap snapshot (cumulative; grows only when a GC publishes). */
  private lastHeapAllocBytes: number | null = null;

  constructor(options: SamplerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
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
    const endpoints = this.options.endpoints;
    let answered = false;
    let unreachable: HttpFetchError | null = null;

    const fetch = async (source: CollectSource, url: string | undefined): Promise<Buffer | null> => {
      const client = this.options.client;
      if (!url || !client || unreachable || request.signal?.aborted) return null;
      try {
        const response = await client.getOk(url, {
          signal: request.signal,
          timeoutMs: this.options.requestTimeoutMs,
        });
        answered = true;
        return response.body;
      } catch (error) {
        if (request.signal?.aborted) return null;
        const fetchError =
          error instanceof HttpFetchError
            ? error
            : new HttpFetchError(url, "other", error instanceof Error ? error.message : String(error));
        if ((fetchError.kind === "connect" || fetchError.kind === "timeout") && !answered) {
          unreachable = fetchError;
        } else {
          answered = answered || fetchError.kind === "status" || fetchError.kind === "too-large";
          errors.push(this.error(source, url, fetchError.kind, fetchError.message));
        }
        return null;
      }
    };

    const sample: CollectedSample = {
      startedMs,
      finishedMs: startedMs,
      final: request.final,
      memstats: [],
      errors,
    };

    // 1. Whether the heap request gets gc=1. "auto" decides from MemStats read just before it (did a
    //    GC run since the last snapshot?); they stand as the sample's MemStats unless a GC is forced.
    let earlyMemStats: FetchedMemStats | null = null;
    if (endpoints.heap && this.wantsMemStatsBeforeHeap()) {
      earlyMemStats = await this.fetchMemStats(fetch);
      if (unreachable || request.signal?.aborted) earlyMemStats = null;
    }
    const decision = this.decideGc(earlyMemStats ? this.parseMemStats(earlyMemStats, null) : []);

    // 2. The heap profile, then MemStats at once, parsing only afterwards: after a forced GC the
    //    target keeps allocating (with GOGC=off nothing frees it), so anything between the two
    //    requests, a parse of a large profile included, would show up in HeapAlloc.
    let forced = decision.force === true;
    let heapUrl = endpoints.heap ? withQuery(endpoints.heap, forced ? { gc: "1" } : {}) : undefined;
    let heapBytes = await fetch("heap", heapUrl);
    let memstatsBytes = earlyMemStats && !forced ? earlyMemStats : await this.fetchMemStats(fetch);
    let parsed = heapBytes && heapUrl ? this.parseProfile("heap", heapUrl, heapBytes, errors) : null;
    let summary = parsed ? summarizeHeapProfile(parsed) : null;
    if (endpoints.heap && decision.force === "unless-fresh" && summary && !this.isFresh(summary)) {
      // Nothing new since the last snapshot: no GC has published data since; ask for a current one.
      forced = true;
      heapUrl = withQuery(endpoints.heap, { gc: "1" });
      heapBytes = await fetch("heap", heapUrl);
      memstatsBytes = await this.fetchMemStats(fetch);
      parsed = heapBytes ? this.parseProfile("heap", heapUrl, heapBytes, errors) : null;
      summary = parsed ? summarizeHeapProfile(parsed) : null;
    }
    sample.memstats = this.parseMemStats(memstatsBytes, errors);
    if (heapBytes && parsed && summary) {
      const readAfterHeap = memstatsBytes !== earlyMemStats;
      this.afterHeapFetch(decision, forced, summary, readAfterHeap ? sample.memstats : []);
      sample.heap = { bytes: heapBytes, gcForced: forced, summary };
    }
    if (endpoints.heap) {
      const latest = gcFields(sample.memstats);
      if (latest) this.previousTotalAlloc = latest.TotalAlloc ?? null;
      else if (decision.totalAlloc !== null) this.previousTotalAlloc = decision.totalAlloc;
    }

    // 3. Goroutines: counts by stack every tick; the full dump (states, wait times) on dump ticks.
    const goroutineBytes = await fetch("goroutine", endpoints.goroutine);
    if (goroutineBytes && endpoints.goroutine) {
      const parsed = this.parseProfile("goroutine", endpoints.goroutine, goroutineBytes, errors);
      if (parsed) {
        sample.goroutineProfile = this.payload(goroutineBytes, () => readGoroutineProfile(parsed));
      }
    }
    if (request.includeDump && endpoints.goroutine) {
      const dumpUrl = withQuery(endpoints.goroutine, { debug: "2" });
      const dumpBytes = await fetch("goroutine-dump", dumpUrl);
      if (dumpBytes) {
        try {
          const snapshot = readGoroutineDump(dumpBytes.toString("utf8"), { keepGoroutines: false });
          if (snapshot.total === 0 && snapshot.skippedLines > 0) throw new Error("no goroutines in the dump");
          sample.goroutineDump = { bytes: dumpBytes, summary: summarizeGoroutines(snapshot) };
        } catch (error) {
          errors.push(this.error("goroutine-dump", dumpUrl, "garbage", describeGarbage(error, dumpBytes)));
        }
      }
    }
    if (request.includeDump && endpoints.goroutineLeak) {
      const leakBytes = await fetch("goroutineleak", endpoints.goroutineLeak);
      if (leakBytes) {
        const parsed = this.parseProfile("goroutineleak", endpoints.goroutineLeak, leakBytes, errors);
        if (parsed) {
          sample.goroutineLeak = this.payload(leakBytes, () => {
            const snapshot = readGoroutineProfile(parsed);
            return { ...snapshot, leaked: snapshot.total };
          });
        }
      }
    }

    // 4. RSS and CPU time from /proc, else from Prometheus' process collector.
    sample.rss = this.readRss(sample.memstats);

    sample.finishedMs = this.now();
    const failure = unreachable as HttpFetchError | null;
    const reachable = answered || !this.hasHttpEndpoints();
    if (!reachable && failure) {
      errors.push(this.error(sourceOf(endpoints, failure.url), failure.url, failure.kind, failure.message));
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

  /**
   * Whether this sample's heap request gets gc=1; see GcMode. "unless-fresh": no MemStats to decide
   * from, so fetch without gc=1 and retry with it if the profile shows no GC since the last one.
   */
  private decideGc(memstats: MemStatsEntry[]): GcDecision {
    const fields = gcFields(memstats);
    const numGc = fields?.NumGC ?? this.options.gcCyclesSeen?.() ?? null;
    const totalAlloc = fields?.TotalAlloc ?? null;
    const heapAlloc = fields?.HeapAlloc ?? null;
    const mode = this.options.gcMode;
    if (mode !== "auto") return { force: mode === "always", numGc, totalAlloc };
    const previous = this.numGcAfterLastHeap;
    let force: GcDecision["force"] = true;
    if (numGc !== null && previous !== null) {
      if (numGc > previous) {
        // A GC ran since the last snapshot: the profile is as of that GC. It ran after the previous
        // sample read TotalAlloc, so counting from there overstates what it has not seen (safe side).
        this.totalAllocAtLastGc = this.previousTotalAlloc;
        force = false;
      } else if (totalAlloc !== null && heapAlloc !== null && this.totalAllocAtLastGc !== null) {
        force = totalAlloc - this.totalAllocAtLastGc > AUTO_GC_STALE_FRACTION * heapAlloc;
      }
    } else if (numGc === null && this.lastHeapAllocBytes !== null) {
      force = "unless-fresh";
    }
    return { force, numGc, totalAlloc };
  }

  /**
   * A heap profile's cumulative allocation totals change only when a GC publishes new data, so a
   * larger total than the last snapshot's means a GC ran since (and the profile is as of it).
   */
  private isFresh(summary: HeapProfileSummary): boolean {
    return (
      summary.allocBytes !== null &&
      this.lastHeapAllocBytes !== null &&
      summary.allocBytes > this.lastHeapAllocBytes
    );
  }

  /** `memstatsAfter`: MemStats read right after this heap request (empty when read before it). */
  private afterHeapFetch(
    decision: GcDecision,
    forced: boolean,
    summary: HeapProfileSummary,
    memstatsAfter: MemStatsEntry[],
  ): void {
    this.lastHeapAllocBytes = summary.allocBytes;
    const after = gcFields(memstatsAfter);
    if (after?.NumGC !== undefined) {
      // Read after the request: a forced GC is already counted.
      this.numGcAfterLastHeap = after.NumGC;
      if (forced) this.totalAllocAtLastGc = after.TotalAlloc ?? decision.totalAlloc;
      return;
    }
    if (decision.numGc === null) return;
    this.numGcAfterLastHeap = decision.numGc + (forced ? 1 : 0);
    if (forced) this.totalAllocAtLastGc = decision.totalAlloc;
  }

  /**
   * "auto" reads MemStats before the heap request from the second snapshot on (the first is always
   * forced), when there are MemStats to read.
   */
  private wantsMemStatsBeforeHeap(): boolean {
    const endpoints = this.options.endpoints;
    if (this.options.gcMode !== "auto" || !(endpoints.vars || endpoints.metrics)) return false;
    return this.numGcAfterLastHeap !== null || this.lastHeapAllocBytes !== null;
  }

  /** /debug/vars then /metrics, back to back, unparsed. */
  private async fetchMemStats(
    fetch: (source: CollectSource, url: string | undefined) => Promise<Buffer | null>,
  ): Promise<FetchedMemStats> {
    const vars = await fetch("vars", this.options.endpoints.vars);
    const metrics = await fetch("metrics", this.options.endpoints.metrics);
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

/** Totals of a heap profile's sample types (inuse_space etc.; Go writes them already scaled). */
export function summarizeHeapProfile(profile: Profile): HeapProfileSummary {
  const index = (type: string) => profile.sampleTypes.findIndex((t) => t.type === type);
  const columns = {
    inuseBytes: index("inuse_space"),
    inuseObjects: index("inuse_objects"),
    allocBytes: index("alloc_space"),
    allocObjects: index("alloc_objects"),
  };
  const totals = { inuseBytes: 0, inuseObjects: 0, allocBytes: 0, allocObjects: 0 };
  for (const sample of profile.samples) {
    for (const key of Object.keys(columns) as (keyof typeof columns)[]) {
      const column = columns[key];
      if (column >= 0) totals[key] += sample.values[column] ?? 0;
    }
  }
  const totalOrNull = (key: keyof typeof columns) => (columns[key] >= 0 ? totals[key] : null);
  return {
    inuseBytes: totalOrNull("inuseBytes"),
    inuseObjects: totalOrNull("inuseObjects"),
    allocBytes: totalOrNull("allocBytes"),
    allocObjects: totalOrNull("allocObjects"),
    sampleCount: profile.samples.length,
  };
}

/** A compact summary of a goroutine snapshot: totals, states and the largest groups. */
export function summarizeGoroutines(snapshot: GoroutineSnapshot): GoroutineSnapshotSummary {
  const states: Record<string, number> = {};
  let hasStates = false;
  for (const group of snapshot.groups) {
    if (group.state === null) continue;
    hasStates = true;
    states[group.state] = (states[group.state] ?? 0) + group.count;
  }
  const summary: GoroutineSnapshotSummary = {
    total: snapshot.total,
    distinctStacks: snapshot.groups.length,
    leaked: snapshot.leaked,
    topGroups: snapshot.groups.slice(0, MAX_TOP_GROUPS).map((group) => ({
      key: createHash("sha256").update(group.key).digest("hex").slice(0, 16),
      count: group.count,
      state: group.state,
      waitMinutesMax: group.waitMinutes?.max ?? null,
      stack: displayFrames(group.frames)
        .slice(0, MAX_STACK_FRAMES)
        .map((frame) => frame.func),
      createdBy: group.createdBy?.func ?? null,
    })),
  };
  if (hasStates) summary.states = states;
  return summary;
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
