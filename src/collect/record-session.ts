/**
 * A recording session: options in, a recording file out. Used by `heapscope record`, by `doctor`
 * (record N seconds, then diagnose) and by the UI (which listens to the events).
 *
 *   const session = new RecordSession({ url: "http://127.0.0.1:6060", out: "x.hsrec", durationMs: 60_000 });
 *   session.on("sample", (event) => ...);
 *   const { path, summary } = await session.run();
 *
 * The loop: launch the program (if a command is given) → wait for its URL → discover endpoints →
 * every interval collect one sample and commit it before the next fetch starts → at the end take a
 * final sample (with a goroutine dump), stop the program, record its exit, checkpoint the file.
 * A target that stops answering opens a gap; sampling goes on and closes the gap when it answers.
 */
import { EventEmitter } from "node:events";
import { InputError, UsageError } from "../errors.js";
import { type GcCycle, GcTraceParser } from "../formats/gctrace/index.js";
import type {
  CollectError,
  CollectedSample,
  EndpointUrls,
  RecordingSettings,
  RecordingSummary,
  TargetDescription,
  TargetExit,
} from "../model/recording.js";
import { formatDurationMs } from "../model/units.js";
import type { DumpBinaryInput } from "../store/heap-dump-table.js";
import { openRecording } from "../store/recording-reader.js";
import { RecordingWriter, type ThinningEvent } from "../store/recording-writer.js";
import { VERSION } from "../version.js";
import { type DiscoveryResult, discoverEndpoints, type EndpointProbe } from "./endpoint-discovery.js";
import type { GcMode } from "./heap-gc-policy.js";
import {
  assertHttpUrl,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  HttpClient,
} from "./http-client.js";
import { readMemoryLimit } from "./memory-limit.js";
import { PendingGcCycles } from "./pending-gc-cycles.js";
import { redactUrl } from "./redact.js";
import { type SampleOutcome, Sampler } from "./sampler.js";
import { describeTarget, fetchCmdline } from "./target-description.js";
import { type GapEvent, TargetGaps } from "./target-gaps.js";
import { type LaunchedTarget, launchTarget } from "./target-launcher.js";
import { listeningPidBehindUrl } from "./url-listener-pid.js";

export const DEFAULT_INTERVAL_MS = 10_000;
/** Every 30th sample (5 minutes at the default interval) also takes a debug=2 goroutine dump. */
export const DEFAULT_DUMP_EVERY = 30;
/**
 * A 24 h soak at 10 s is 8640 samples; with heap profiles of 100 KB–1 MB that is 1–9 GB raw, so
 * older snapshots get thinned past 1 GiB while every summary stays.
 */
export const DEFAULT_MAX_SIZE_BYTES = 1024 ** 3;
export const DEFAULT_WAIT_FOR_URL_MS = 120_000;
export const DEFAULT_STOP_GRACE_MS = 10_000;
/**
 * Discovery is asked again while some probe got no HTTP answer but another did (a program that
 * serves /debug/vars a moment before its pprof routes, or was still binding between probes):
 * at most this many times, with a short growing pause, within DISCOVERY_SETTLE_MS.
 */
const DISCOVERY_RETRIES = 5;
const DISCOVERY_SETTLE_MS = 5_000;

export interface RecordSessionOptions {
  /** The recording file to create. */
  out: string;
  /** Replace `out` if it exists. */
  overwrite?: boolean;
  /** Base URL of the target (http/https). */
  url?: string;
  /** Where net/http/pprof is mounted when not at /debug/pprof (relative to `url`, or absolute). */
  pprofPrefix?: string;
  /** Endpoint URLs given one by one (override discovery). */
  endpoints?: EndpointUrls;
  /** Extra request headers; only their names are stored. */
  headers?: Record<string, string>;
  /** PEM CA certificate(s) to trust for https. */
  ca?: string | Buffer;
  intervalMs?: number;
  /**
   * The interval as the recording goes on (ms since sampling began → ms), when it should widen
   * (doctor --duration auto); `intervalMs` is the recording's nominal interval either way.
   */
  intervalAt?: (elapsedMs: number) => number;
  /** Stop after this long; null/undefined = until stop() or the program exits. */
  durationMs?: number | null;
  /** When to fetch the heap profile with gc=1 (default "auto"; see GcMode). */
  gc?: GcMode;
  /** Older spelling: true = "always", false = "never". `gc` wins when both are given. */
  forceGc?: boolean;
  /** Take a debug=2 dump every Nth sample (and at the first and last); 0 = first and last only. */
  dumpEvery?: number;
  keepVars?: boolean;
  maxSizeBytes?: number;
  requestTimeoutMs?: number;
  maxResponseBytes?: number;
  retries?: number;
  /** Launch this program (argv) and record it. */
  command?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Pass-through targets for the program's output (defaults: process.stdout / process.stderr). */
  stdout?: NodeJS.WritableStream | "ignore";
  stderr?: NodeJS.WritableStream | "ignore";
  showGcTrace?: boolean;
  /** How long to wait for a launched program's URL to answer. */
  waitForUrlMs?: number;
  /** Read RSS from this process (url mode; otherwise the listener of a loopback URL is used). */
  pid?: number;
  stopGraceMs?: number;
  /** Aborting it is the same as calling stop(). */
  signal?: AbortSignal;
  /**
   * Runs once the observation is over and before a launched program is stopped (doctor takes its
   * heap dumps here); `keepHeapDump` stores a dump in the recording — only when the user asked.
   */
  beforeStop?: (context: BeforeStopContext) => Promise<void>;
  /** Clock, for tests. */
  now?: () => number;
}

export type { GapEvent } from "./target-gaps.js";

export interface BeforeStopContext {
  /** The launched program is still running. */
  targetRunning: boolean;
  /** `binary`: the program that wrote the dump, kept with it so that its roots can be named later. */
  keepHeapDump(
    bytes: Uint8Array,
    info: { goVersion: string; binaryPath?: string; binary?: DumpBinaryInput },
  ): void;
}

export type RecordEndReason = "duration" | "stopped" | "target-exited";

/** What the status line and a UI show. */
export interface LiveStats {
  elapsedMs: number;
  samples: number;
  heapSnapshots: number;
  /** In-use heap of the latest snapshot (live heap with gc=1), else HeapAlloc, else gctrace's live heap. */
  liveHeapBytes: number | null;
  goroutines: number | null;
  rssBytes: number | null;
  gcCycles: number;
  errors: number;
  lastError: string | null;
  /** The target is not answering (a gap is open). */
  unreachable: boolean;
}

export interface SampleEvent {
  sampleId: number;
  atMs: number;
  final: boolean;
  /** Whether this sample's heap profile was fetched with gc=1 (null: no heap profile). */
  heapGcForced: boolean | null;
  stats: LiveStats;
  errors: CollectError[];
  thinned: ThinningEvent[];
}

export interface StartedEvent {
  path: string;
  target: TargetDescription;
  probes: EndpointProbe[];
}

export interface RecordResult {
  path: string;
  summary: RecordingSummary;
  endReason: RecordEndReason;
  targetExit: TargetExit | null;
  /** Set when a launched program's URL never answered (the recording then holds gctrace and RSS only). */
  urlNeverAnswered: boolean;
}

export interface RecordSessionEvents {
  launched: [info: { pid: number; command: string[] }];
  started: [info: StartedEvent];
  sample: [event: SampleEvent];
  collectError: [error: CollectError];
  gap: [event: GapEvent];
  gcCycle: [cycle: GcCycle];
  targetExit: [exit: TargetExit];
  finished: [result: RecordResult];
}

export class RecordSession extends EventEmitter<RecordSessionEvents> {
  readonly options: RecordSessionOptions;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly settings: RecordingSettings;
  private stopRequested = false;
  private forceStop = false;
  private targetSignalledByTerminal = false;
  private readonly wake = new Set<() => void>();
  private tickAbort: AbortController | null = null;
  private target: LaunchedTarget | null = null;
  private writer: RecordingWriter | null = null;
  private readonly pendingCycles = new PendingGcCycles();
  private startMs = 0;
  private running = false;
  private readonly live: LiveStats = {
    elapsedMs: 0,
    samples: 0,
    heapSnapshots: 0,
    liveHeapBytes: null,
    goroutines: null,
    rssBytes: null,
    gcCycles: 0,
    errors: 0,
    lastError: null,
    unreachable: false,
  };

  constructor(options: RecordSessionOptions) {
    super();
    this.options = options;
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    validateOptions(options, this.intervalMs);
    this.settings = {
      intervalMs: this.intervalMs,
      durationMs: options.durationMs ?? null,
      forceGc: this.gcMode() !== "never",
      gcMode: this.gcMode(),
      dumpEvery: options.dumpEvery ?? DEFAULT_DUMP_EVERY,
      keepVars: options.keepVars ?? false,
      maxSizeBytes: options.maxSizeBytes ?? DEFAULT_MAX_SIZE_BYTES,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    };
    options.signal?.addEventListener("abort", () => this.stop(), { once: true });
  }

  private gcMode(): GcMode {
    if (this.options.gc) return this.options.gc;
    if (this.options.forceGc !== undefined) return this.options.forceGc ? "always" : "never";
    return "auto";
  }

  /** A copy of the live statistics. */
  get stats(): LiveStats {
    return { ...this.live, elapsedMs: this.running ? this.now() - this.startMs : this.live.elapsedMs };
  }

  /**
   * Ends the recording: the sample in flight is abandoned, a final sample is taken if the target
   * still answers, and a launched program is stopped. `terminalInterrupt`: the program already got
   * the terminal's SIGINT (same process group), so it is given the grace period to exit by itself
   * before SIGTERM. A second call ends at once (SIGKILL to the program, no final sample).
   */
  stop(options: { terminalInterrupt?: boolean } = {}): void {
    if (this.stopRequested) {
      this.forceStop = true;
      this.target?.killNow();
    }
    this.stopRequested = true;
    if (options.terminalInterrupt) this.targetSignalledByTerminal = true;
    this.tickAbort?.abort();
    for (const wake of this.wake) wake();
  }

  /** Runs the whole recording; resolves when the file is complete. */
  async run(): Promise<RecordResult> {
    if (this.running) throw new UsageError("this recording session is already running");
    this.running = true;
    this.startMs = this.now();
    const options = this.options;
    const client =
      options.url || hasEndpoints(options.endpoints)
        ? new HttpClient({
            headers: options.headers,
            ca: options.ca,
            timeoutMs: this.settings.requestTimeoutMs,
            maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
            retries: options.retries,
          })
        : null;
    const killOnExit = () => this.target?.killNow();
    process.on("exit", killOnExit);
    let endReason: RecordEndReason = "stopped";
    let urlNeverAnswered = false;
    try {
      let discovery: DiscoveryResult | null = null;
      if (options.command) {
        await this.launch(options.command);
        this.writer = this.createWriter(this.describeTarget(null, null));
        if (client) {
          discovery = await this.waitForUrl(client);
          urlNeverAnswered = discovery === null;
        }
      } else if (client) {
        discovery = await this.settleDiscovery(
          client,
          await discoverEndpoints(client, this.discoveryOptions()),
          Number.POSITIVE_INFINITY,
        );
        if (!discovery.reachable) {
          throw new InputError(
            redactUrl(options.url ?? Object.values(options.endpoints ?? {})[0] ?? "target"),
            `does not answer (${discovery.unreachableReason})`,
          );
        }
        if (!hasEndpoints(discovery.endpoints)) {
          throw new InputError(
            redactUrl(options.url ?? "target"),
            `serves none of /debug/pprof/heap, /debug/pprof/goroutine, /debug/vars, /metrics (${describeProbes(discovery.probes)}); give --pprof-prefix or the endpoint URLs`,
          );
        }
      }
      const cmdline =
        client && discovery?.endpoints.vars ? await fetchCmdline(client, discovery.endpoints.vars) : null;
      const target = this.describeTarget(discovery, cmdline);
      if (this.writer) this.writer.updateTarget(target);
      else this.writer = this.createWriter(target);
      this.emit("started", { path: this.writer.path, target, probes: discovery?.probes ?? [] });

      const sampler = new Sampler({
        client,
        endpoints: discovery?.endpoints ?? {},
        gcMode: this.gcMode(),
        gcCyclesSeen: () => (this.target ? this.live.gcCycles : null),
        keepVars: this.settings.keepVars,
        requestTimeoutMs: this.settings.requestTimeoutMs,
        pid: () => this.rssPid(target),
        now: this.now,
      });
      endReason = await this.sampleLoop(sampler);
      if (options.beforeStop && !this.forceStop) {
        const writer = this.writer;
        await options.beforeStop({
          targetRunning: this.target?.running ?? false,
          keepHeapDump: (bytes, info) => writer.addHeapDump(bytes, info),
        });
      }
      await this.finishTarget(endReason);
      this.writer.finish({ complete: true, reason: endReason });
    } catch (error) {
      this.target?.killNow();
      if (this.writer && !this.writer.isClosed) {
        try {
          this.flushCycles();
          this.writer.finish({
            complete: false,
            reason: `error: ${error instanceof Error ? error.message : error}`,
          });
        } catch {
          this.writer.closeIncomplete();
        }
      }
      throw error;
    } finally {
      process.off("exit", killOnExit);
      client?.close();
      this.live.elapsedMs = this.now() - this.startMs;
      this.running = false;
    }
    const recording = openRecording(this.writer.path);
    let summary: RecordingSummary;
    try {
      summary = recording.summary();
    } finally {
      recording.close();
    }
    const result: RecordResult = {
      path: this.writer.path,
      summary,
      endReason,
      targetExit: this.target?.exitStatus ?? null,
      urlNeverAnswered,
    };
    this.emit("finished", result);
    return result;
  }

  private async launch(command: string[]): Promise<void> {
    const parser = new GcTraceParser({
      keepRecords: false,
      onCycle: (cycle, run) => this.acceptGcCycle(cycle, run),
    });
    this.target = await launchTarget({
      command,
      env: this.options.env,
      cwd: this.options.cwd,
      stdout: this.options.stdout as never,
      stderr: this.options.stderr as never,
      showGcTrace: this.options.showGcTrace,
      onStderrLine: (line) => this.pendingCycles.rememberLine(line),
      onStderrText: (text) => parser.push(text),
    });
    const target = this.target;
    this.emit("launched", { pid: target.pid, command });
    void target.exited.then(async () => {
      // Let the last gctrace lines arrive before the recording notes the exit.
      await target.drainStderr(1000);
      parser.end();
      for (const wake of this.wake) wake();
    });
  }

  /** Polls the target's URL until it answers; null when the program exited or the wait timed out. */
  private async waitForUrl(client: HttpClient): Promise<DiscoveryResult | null> {
    const deadline = this.now() + (this.options.waitForUrlMs ?? DEFAULT_WAIT_FOR_URL_MS);
    while (!this.stopRequested && this.target?.running && this.now() < deadline) {
      let discovery = await discoverEndpoints(client, { ...this.discoveryOptions(), timeoutMs: 3000 });
      if (discovery.reachable) {
        discovery = await this.settleDiscovery(client, discovery, deadline);
        if (!hasEndpoints(discovery.endpoints)) {
          this.recordError({
            source: "target",
            url: redactUrl(this.options.url ?? ""),
            kind: "status",
            message: `answers, but serves none of the known endpoints (${describeProbes(discovery.probes)})`,
            atMs: this.now(),
          });
          return null;
        }
        return discovery;
      }
      this.flushCycles();
      await this.sleep(Math.min(250, Math.max(0, deadline - this.now())));
    }
    if (this.target?.running && !this.stopRequested) {
      this.recordError({
        source: "target",
        url: redactUrl(this.options.url ?? ""),
        kind: "timeout",
        message: `did not answer within ${formatDurationMs(this.options.waitForUrlMs ?? DEFAULT_WAIT_FOR_URL_MS)}; recording gctrace and RSS only`,
        atMs: this.now(),
      });
    }
    return null;
  }

  /**
   * An answered discovery with connection-level failures in it is not a verdict on those endpoints
   * (only an HTTP answer such as 404 is): discovery is redone a few times, briefly, until every
   * probe got an HTTP answer. The last result is kept either way.
   */
  private async settleDiscovery(
    client: HttpClient,
    first: DiscoveryResult,
    deadline: number,
  ): Promise<DiscoveryResult> {
    let discovery = first;
    const settleBy = Math.min(deadline, this.now() + DISCOVERY_SETTLE_MS);
    let pauseMs = 100;
    for (let attempt = 0; attempt < DISCOVERY_RETRIES; attempt++) {
      if (!discovery.reachable || !discovery.incomplete) break;
      if (this.stopRequested || (this.target && !this.target.running) || this.now() >= settleBy) break;
      await this.sleep(Math.min(pauseMs, Math.max(0, settleBy - this.now())));
      pauseMs = Math.min(pauseMs * 2, 1000);
      const again = await discoverEndpoints(client, { ...this.discoveryOptions(), timeoutMs: 3000 });
      // A retry that reached nothing (the program went away meanwhile) says less than the last try.
      if (!again.reachable) break;
      if (foundCount(again) >= foundCount(discovery)) discovery = again;
    }
    return discovery;
  }

  private async sampleLoop(sampler: Sampler): Promise<RecordEndReason> {
    // --duration counts sampling time, not the time a launched program took to build and start.
    const deadline = this.options.durationMs
      ? this.now() + this.options.durationMs
      : Number.POSITIVE_INFINITY;
    const dumpEvery = this.settings.dumpEvery;
    const started = this.now();
    const interval = () => this.options.intervalAt?.(this.now() - started) ?? this.intervalMs;
    let nextDue = started;
    let taken = 0;
    const targetGone = () => this.target !== null && !this.target.running;
    const gaps = new TargetGaps(this.writer!, (event) => {
      this.emit("gap", event);
      this.live.unreachable = event.open;
    });
    const handle = (outcome: SampleOutcome) => {
      gaps.note(outcome);
      this.writeSample(outcome.sample, outcome.hasData);
    };

    const loopEnd = await (async (): Promise<RecordEndReason> => {
      while (true) {
        if (this.stopRequested) return "stopped";
        if (targetGone()) return "target-exited";
        if (this.now() >= deadline) return "duration";
        const includeDump = taken === 0 || (dumpEvery > 0 && taken % dumpEvery === 0);
        this.tickAbort = new AbortController();
        const outcome = await this.collectOnce(sampler, includeDump, false, this.tickAbort.signal);
        const aborted = this.tickAbort.signal.aborted;
        this.tickAbort = null;
        // A stop abandons the sample in flight; a target exit keeps what was collected before it.
        if (aborted && this.stopRequested) return "stopped";
        if (targetGone()) {
          if (outcome.hasData) this.writeSample(stripConnectErrors(outcome.sample), true);
          return "target-exited";
        }
        handle(outcome);
        taken++;
        const step = interval();
        nextDue += step;
        const now = this.now();
        while (nextDue <= now) nextDue += step; // an overrun skips ticks instead of bunching them
        await this.sleep(Math.min(nextDue, deadline) - now);
      }
    })();

    // The last sample (with a goroutine dump), while the target still runs and answers. Skipped when
    // the terminal's Ctrl-C also reached a launched program (it is shutting down) or on a forced stop.
    const launchedGotInterrupt = this.target !== null && this.targetSignalledByTerminal;
    const wantFinal =
      loopEnd === "duration" || (loopEnd === "stopped" && !this.forceStop && !launchedGotInterrupt);
    if (wantFinal && !gaps.open && !targetGone()) {
      this.tickAbort = new AbortController();
      const outcome = await this.collectOnce(sampler, true, true, this.tickAbort.signal);
      this.tickAbort = null;
      if (!this.forceStop && !targetGone() && outcome.hasData) handle(outcome);
    }
    return loopEnd;
  }

  private async collectOnce(
    sampler: Sampler,
    includeDump: boolean,
    final: boolean,
    signal: AbortSignal,
  ): Promise<SampleOutcome> {
    if (sampler.hasHttpEndpoints()) return sampler.collect({ includeDump, final, signal });
    const rssOnly = sampler.readRssOnly(final);
    const now = this.now();
    return {
      sample: rssOnly ?? { startedMs: now, finishedMs: now, final, memstats: [], errors: [] },
      reachable: true,
      unreachableReason: null,
      hasData: rssOnly !== null,
    };
  }

  private async finishTarget(endReason: RecordEndReason): Promise<void> {
    const writer = this.writer!;
    const target = this.target;
    if (target) {
      if (target.running) {
        const grace = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
        if (this.forceStop) {
          target.killNow();
        } else if (endReason === "stopped" && this.targetSignalledByTerminal) {
          // The terminal's Ctrl-C reached the program too; give it the grace period to shut down.
          const exitedInTime = await Promise.race([
            target.exited.then(() => true),
            new Promise<boolean>((resolve) => setTimeout(() => resolve(false), grace).unref()),
          ]);
          if (!exitedInTime) await target.stop(grace);
        } else {
          await target.stop(grace);
        }
      }
      const exit = await target.exited;
      await target.drainStderr(1000);
      writer.setTargetExit(exit);
      this.emit("targetExit", exit);
    }
    this.flushCycles();
  }

  private writeSample(sample: CollectedSample, hasData: boolean): void {
    const writer = this.writer!;
    for (const error of sample.errors) this.noteError(error);
    if (!hasData) {
      writer.addErrors(sample.errors);
      this.flushCycles();
      return;
    }
    const cycles = this.pendingCycles.takeAll();
    const result = writer.writeSample(sample, cycles);
    this.live.samples++;
    if (sample.heap) {
      this.live.heapSnapshots++;
      this.live.liveHeapBytes = sample.heap.summary?.inuseBytes ?? this.live.liveHeapBytes;
    } else {
      const heapAlloc = sample.memstats.find((m) => m.sample.fields.HeapAlloc !== undefined)?.sample.fields
        .HeapAlloc;
      if (heapAlloc !== undefined) this.live.liveHeapBytes = heapAlloc;
    }
    const goroutines =
      sample.goroutineProfile?.summary?.total ??
      sample.goroutineDump?.summary?.total ??
      sample.memstats.find((m) => m.sample.goroutines !== undefined)?.sample.goroutines;
    if (goroutines !== undefined) this.live.goroutines = goroutines;
    if (sample.rss) this.live.rssBytes = sample.rss.bytes;
    this.emit("sample", {
      sampleId: result.sampleId,
      atMs: sample.startedMs,
      final: sample.final,
      heapGcForced: sample.heap ? sample.heap.gcForced : null,
      stats: this.stats,
      errors: sample.errors,
      thinned: result.thinned,
    });
  }

  private recordError(error: CollectError): void {
    this.noteError(error);
    this.writer?.addErrors([error]);
  }

  private noteError(error: CollectError): void {
    this.live.errors++;
    this.live.lastError = `${error.source}: ${error.message}`;
    this.emit("collectError", error);
  }

  private acceptGcCycle(cycle: GcCycle, run: number): void {
    this.pendingCycles.add(cycle, run, this.now());
    this.live.gcCycles++;
    if (this.live.heapSnapshots === 0 && !this.options.url) this.live.liveHeapBytes = cycle.liveHeapBytes;
    this.emit("gcCycle", cycle);
  }

  private flushCycles(): void {
    if (this.pendingCycles.length === 0 || !this.writer || this.writer.isClosed) return;
    this.writer.addGcCycles(this.pendingCycles.takeAll());
  }

  private createWriter(target: TargetDescription): RecordingWriter {
    return RecordingWriter.create(this.options.out, {
      target,
      settings: this.settings,
      heapscopeVersion: VERSION,
      overwrite: this.options.overwrite,
      now: this.now,
    });
  }

  private discoveryOptions() {
    return {
      baseUrl: this.options.url,
      pprofPrefix: this.options.pprofPrefix,
      overrides: this.options.endpoints,
      timeoutMs: Math.min(this.settings.requestTimeoutMs, 10_000),
    };
  }

  private describeTarget(discovery: DiscoveryResult | null, cmdline: string[] | null): TargetDescription {
    const pid = this.target ? (this.target.programPid() ?? this.target.pid) : (this.urlPid() ?? null);
    const { url, headers, command } = this.options;
    return describeTarget({
      url,
      headers,
      command,
      keepVars: this.settings.keepVars,
      discovery,
      cmdline,
      pid,
    });
  }

  private rssPid(target: TargetDescription): number | null {
    if (this.target) {
      const pid = this.target.programPid();
      if (pid !== null && target.pid !== pid) {
        target.pid = pid;
        target.memoryLimit = readMemoryLimit(pid);
        this.writer?.updateTarget(target);
      } else if (pid !== null) {
        // A launched program may join its cgroup after it started (a wrapper that moves itself, then execs).
        const limit = readMemoryLimit(pid);
        if (limit !== null && limit.bytes !== target.memoryLimit?.bytes) {
          target.memoryLimit = limit;
          this.writer?.updateTarget(target);
        }
      }
      return pid;
    }
    return this.urlPid();
  }

  private cachedUrlPid: number | null | undefined;

  /** The pid behind a loopback URL, unless it is a port-forwarder (whose RSS would mislead). */
  private urlPid(): number | null {
    if (this.options.pid !== undefined) return this.options.pid;
    if (this.cachedUrlPid !== undefined) return this.cachedUrlPid;
    const url = this.options.url ?? Object.values(this.options.endpoints ?? {})[0];
    this.cachedUrlPid = url ? listeningPidBehindUrl(url) : null;
    return this.cachedUrlPid;
  }

  /** Sleeps up to `ms`, waking early on stop() or the program's exit. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopRequested) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.add(done);
    });
  }
}

/** Records `options` for the given duration and resolves with the result. */
export function record(options: RecordSessionOptions): Promise<RecordResult> {
  return new RecordSession(options).run();
}

function validateOptions(options: RecordSessionOptions, intervalMs: number): void {
  if (!options.url && !options.command && !hasEndpoints(options.endpoints)) {
    throw new UsageError("nothing to record: give --url, endpoint URLs, or a command after --");
  }
  for (const url of [options.url, ...Object.values(options.endpoints ?? {})]) {
    if (!url) continue;
    try {
      assertHttpUrl(url);
    } catch (error) {
      throw new UsageError(`${redactUrl(url)}: ${(error as Error).message}`);
    }
  }
  if (!(intervalMs > 0)) throw new UsageError("--interval must be positive");
  if (options.durationMs !== undefined && options.durationMs !== null && !(options.durationMs > 0)) {
    throw new UsageError("--duration must be positive");
  }
  if (options.dumpEvery !== undefined && !(Number.isInteger(options.dumpEvery) && options.dumpEvery >= 0)) {
    throw new UsageError("--dump-every must be a whole number ≥ 0");
  }
  if (options.maxSizeBytes !== undefined && !(options.maxSizeBytes > 0)) {
    throw new UsageError("--max-size must be positive");
  }
  if (options.command && options.command.length === 0) throw new UsageError("nothing to run after --");
}

function hasEndpoints(endpoints: EndpointUrls | undefined): boolean {
  return Boolean(endpoints && Object.values(endpoints).some(Boolean));
}

function foundCount(discovery: DiscoveryResult): number {
  return Object.values(discovery.endpoints).filter(Boolean).length;
}

function describeProbes(probes: EndpointProbe[]): string {
  return probes.map((probe) => `${new URL(probe.url).pathname}: ${probe.detail}`).join("; ");
}

/** After the target died, the failed requests of its last tick say nothing new. */
function stripConnectErrors(sample: CollectedSample): CollectedSample {
  return { ...sample, errors: sample.errors.filter((e) => e.kind !== "connect" && e.kind !== "timeout") };
}
