/**
 * Everything fleet reads from Prometheus, in order: the matching instances and their series, the
 * scrape interval and step, container limits where instances are pods, then the readings in
 * batches of instances (a few requests in flight), each instance handed over as soon as its batch
 * is read, so the caller can judge it and let its readings go.
 */
import type { FleetInstanceInput, FleetQueryInfo, UnjudgedInstance } from "../../diagnose/fleet/types.js";
import { PrometheusApi, type PrometheusApiOptions, PrometheusError } from "./api.js";
import { containerLimits } from "./container-limits.js";
import { type DiscoveredInstance, discoverInstances, instanceLabelsFunction } from "./instances.js";
import { selectorMatchers, seriesSelector } from "./queries.js";
import { RangeFetcher, timeChunks } from "./range-fetch.js";
import { autoStepSeconds, inferScrapeInterval } from "./step.js";

export interface FleetCollectOptions extends PrometheusApiOptions {
  prometheus: string;
  selector?: string;
  rangeSeconds: number;
  endSeconds: number;
  /** Seconds, or undefined for auto. */
  stepSeconds?: number;
  versionLabel?: string;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Points (series × steps) one query_range answer should hold at most. */
  pointsPerRequest?: number;
}

export interface FleetSink {
  add(instance: FleetInstanceInput): void;
  addUnjudged(instance: UnjudgedInstance): void;
}

const DEFAULT_POINTS_PER_REQUEST = 150_000;

/** Makes the sink once the step is known (judging needs it). */
export type SinkFactory = (plan: { startSeconds: number; stepSeconds: number }) => FleetSink;

export async function collectFleet(
  options: FleetCollectOptions,
  makeSink: SinkFactory,
): Promise<{ query: FleetQueryInfo; notes: string[] }> {
  const api = new PrometheusApi(options.prometheus, options);
  try {
    return await collect(api, options, makeSink);
  } finally {
    api.close();
  }
}

async function collect(
  api: PrometheusApi,
  options: FleetCollectOptions,
  makeSink: SinkFactory,
): Promise<{ query: FleetQueryInfo; notes: string[] }> {
  const matchers = selectorMatchers(options.selector);
  const end = options.endSeconds;
  const start = end - options.rangeSeconds;
  const identify = instanceLabelsFunction(options.versionLabel);
  const discovery = await discoverInstances(api, matchers, start, end, identify);
  const notes: string[] = [];
  const warnings = [...discovery.warnings];
  if (discovery.instances.length === 0 && discovery.withoutGo.length === 0) {
    throw new PrometheusError(
      `no series match {${matchers}} at ${api.base} between ${iso(start)} and ${iso(end)}: check --selector, --range and --end`,
    );
  }
  const scrape =
    options.stepSeconds === undefined
      ? await inferScrapeInterval(
          api,
          discovery.instances.map((i) => i.labels),
          seriesSelector(["go_goroutines", "go_goroutine_count"], matchers),
          end,
          options.rangeSeconds,
        )
      : { seconds: null, source: "not needed (--step given)" };
  const step = options.stepSeconds ?? autoStepSeconds(scrape.seconds, options.rangeSeconds);
  if (options.stepSeconds === undefined && scrape.seconds === null)
    notes.push(`The scrape interval could not be found (${scrape.source}); the step is range / 720.`);
  const sink = makeSink({ startSeconds: start, stepSeconds: step });
  for (const target of discovery.withoutGo)
    sink.addUnjudged({
      ...target,
      reason: "no Go runtime series (go_*): not a Go program, or its Go collector is not registered",
    });

  const limits = await containerLimits(api, discovery.instances, end).catch((error: unknown) => {
    if (!(error instanceof PrometheusError)) throw error;
    notes.push(`Container limits could not be read: ${error.message}`);
    return new Map<string, number>();
  });
  const fetcher = new RangeFetcher(api, {
    matchers,
    startSeconds: start,
    endSeconds: end,
    stepSeconds: step,
    identify,
    versionLabel: options.versionLabel,
  });
  const batches = batchesOf(discovery.instances, start, end, step, options.pointsPerRequest);
  await inPool(batches, options.concurrency ?? 2, async (batch) => {
    const result = await fetcher.fetch(batch);
    warnings.push(...result.warnings);
    for (const input of result.inputs) {
      const limit = limits.get(input.key);
      sink.add(limit !== undefined ? { ...input, containerLimitBytes: limit } : input);
    }
    for (const unjudged of result.unjudged) sink.addUnjudged(unjudged);
  });
  return {
    query: {
      prometheus: api.base,
      selector: `{${matchers}}`,
      startSeconds: start,
      endSeconds: end,
      stepSeconds: step,
      stepSource: options.stepSeconds !== undefined ? "--step" : `max(2 × scrape interval, range / 720)`,
      scrapeIntervalSeconds: scrape.seconds,
      scrapeIntervalSource: scrape.source,
      requests: api.requests,
      warnings: [...new Set(warnings)],
    },
    notes,
  };
}

/**
 * Batches of instances whose answer holds about `pointsPerRequest` points: series per instance
 * (the metrics found, plus a build_info series) × steps per time chunk.
 */
function batchesOf(
  instances: DiscoveredInstance[],
  start: number,
  end: number,
  step: number,
  pointsPerRequest = DEFAULT_POINTS_PER_REQUEST,
): DiscoveredInstance[][] {
  const chunks = timeChunks(start, end, step);
  const stepsPerChunk = Math.floor((chunks[0][1] - chunks[0][0]) / step) + 1;
  const ordered = [...instances].sort((a, b) => a.key.localeCompare(b.key));
  const batches: DiscoveredInstance[][] = [];
  let current: DiscoveredInstance[] = [];
  let points = 0;
  for (const instance of ordered) {
    const cost = (instance.metrics.size + instance.buildInfoMetrics.size) * stepsPerChunk;
    if (current.length > 0 && points + cost > pointsPerRequest) {
      batches.push(current);
      current = [];
      points = 0;
    }
    current.push(instance);
    points += cost;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Runs `work` on every item with at most `concurrency` at once; the first failure stops the rest. */
async function inPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
