/**
 * The readings of a batch of instances over the range: /api/v1/query_range for the Go runtime
 * metrics and the *_build_info series, in time chunks of at most MAX_POINTS_PER_QUERY steps
 * (Prometheus refuses more than 11,000 points per series). An answer over the size cap, or a query
 * the server refuses for its size, is split: first the batch of instances in halves, then, for one
 * instance, the time range in halves. What still fails leaves that instance unjudged, with why.
 */

import type { FleetInstanceInput, UnjudgedInstance, VersionSpan } from "../../diagnose/fleet/types.js";
import { spansFromObservations } from "../../diagnose/fleet/versions.js";
import { QueryRangeMemStatsBuilder } from "../../formats/memstats-query-range.js";
import { type PrometheusApi, PrometheusError, PrometheusTooLargeError } from "./api.js";
import { buildInfoMatcher, type DiscoveredInstance, labelsKey } from "./instances.js";
import { parseMatrixAnswer, type SampleColumns } from "./matrix-json.js";
import { FLEET_METRICS, instanceMatcher, seriesSelector } from "./queries.js";

/** Prometheus refuses > 11,000 points per series; stay below with whole chunks. */
export const MAX_POINTS_PER_QUERY = 10_000;
/** Halvings of a time range before an instance is given up. */
const MAX_TIME_SPLITS = 6;

type Labels = Record<string, string>;

export interface RangePlan {
  matchers: string;
  startSeconds: number;
  endSeconds: number;
  stepSeconds: number;
  identify: (labels: Labels) => Labels;
  /** Read the version from this label (of the Go series or a *_build_info series) instead of `version`. */
  versionLabel?: string;
}

export interface BatchResult {
  inputs: FleetInstanceInput[];
  unjudged: UnjudgedInstance[];
  warnings: string[];
}

interface MatrixSeries {
  metric: Labels;
  /** The samples as columns (matrix-json.ts). */
  values: SampleColumns;
}

/** Time chunks of at most MAX_POINTS_PER_QUERY steps covering [start, end]. */
export function timeChunks(start: number, end: number, step: number): [number, number][] {
  const chunks: [number, number][] = [];
  const span = MAX_POINTS_PER_QUERY * step;
  for (let from = start; from <= end; from += span) chunks.push([from, Math.min(end, from + span - step)]);
  return chunks;
}

export class RangeFetcher {
  constructor(
    private readonly api: PrometheusApi,
    private readonly plan: RangePlan,
  ) {}

  /** Readings of these instances; splits as needed. */
  async fetch(batch: DiscoveredInstance[]): Promise<BatchResult> {
    try {
      return await this.fetchWhole(batch);
    } catch (error) {
      if (!(error instanceof PrometheusTooLargeError)) throw error;
      if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        const [a, b] = [await this.fetch(batch.slice(0, half)), await this.fetch(batch.slice(half))];
        return {
          inputs: [...a.inputs, ...b.inputs],
          unjudged: [...a.unjudged, ...b.unjudged],
          warnings: [...a.warnings, ...b.warnings],
        };
      }
      return this.fetchSplittingTime(batch[0]);
    }
  }

  private async fetchWhole(batch: DiscoveredInstance[]): Promise<BatchResult> {
    const warnings: string[] = [];
    const chunks = timeChunks(this.plan.startSeconds, this.plan.endSeconds, this.plan.stepSeconds);
    const go: MatrixSeries[] = [];
    const info: MatrixSeries[] = [];
    for (const [from, to] of chunks) {
      go.push(...(await this.matrix(this.goSelector(batch), from, to, warnings)));
      const infoSelector = this.buildInfoSelector(batch);
      if (infoSelector) info.push(...(await this.matrix(infoSelector, from, to, warnings)));
    }
    return { ...this.assemble(batch, go, info), warnings };
  }

  /** One instance whose answer is too big even alone: halve the time range until it fits. */
  private async fetchSplittingTime(instance: DiscoveredInstance): Promise<BatchResult> {
    const warnings: string[] = [];
    const go: MatrixSeries[] = [];
    const info: MatrixSeries[] = [];
    const step = this.plan.stepSeconds;
    const pending: [number, number, number][] = timeChunks(
      this.plan.startSeconds,
      this.plan.endSeconds,
      step,
    ).map(([a, b]) => [a, b, 0]);
    while (pending.length > 0) {
      const [from, to, depth] = pending.shift()!;
      try {
        go.push(...(await this.matrix(this.goSelector([instance]), from, to, warnings)));
        const infoSelector = this.buildInfoSelector([instance]);
        if (infoSelector) info.push(...(await this.matrix(infoSelector, from, to, warnings)));
      } catch (error) {
        if (!(error instanceof PrometheusTooLargeError)) throw error;
        const steps = Math.floor((to - from) / step);
        if (depth >= MAX_TIME_SPLITS || steps < 2) {
          return {
            inputs: [],
            unjudged: [
              {
                key: instance.key,
                labels: instance.labels,
                reason: `too large to read even in parts: ${error.why}`,
              },
            ],
            warnings,
          };
        }
        const middle = from + Math.floor(steps / 2) * step;
        pending.unshift([from, middle, depth + 1], [middle + step, to, depth + 1]);
      }
    }
    return { ...this.assemble([instance], go, info), warnings };
  }

  private async matrix(
    selector: string,
    from: number,
    to: number,
    warnings: string[],
  ): Promise<MatrixSeries[]> {
    const answer = await this.api.get<{ resultType?: string; result?: MatrixSeries[] }>(
      "query_range",
      { query: selector, start: String(from), end: String(to), step: String(this.plan.stepSeconds) },
      parseMatrixAnswer,
    );
    warnings.push(...answer.warnings);
    if (answer.data?.resultType !== "matrix" || !Array.isArray(answer.data.result))
      throw new PrometheusError(
        `query_range answered a ${answer.data?.resultType ?? "malformed"} result, not a matrix`,
      );
    return answer.data.result.filter(
      (s) => typeof s === "object" && s !== null && typeof s.metric === "object" && s.metric !== null,
    );
  }

  private goSelector(batch: DiscoveredInstance[]): string {
    return seriesSelector(FLEET_METRICS, this.plan.matchers, this.batchMatchers(batch));
  }

  private buildInfoSelector(batch: DiscoveredInstance[]): string | null {
    const names = new Set<string>();
    for (const instance of batch) for (const name of instance.buildInfoMetrics) names.add(name);
    if (names.size === 0) return null;
    return seriesSelector([...names], this.plan.matchers, this.batchMatchers(batch));
  }

  private batchMatchers(batch: DiscoveredInstance[]): string[] {
    const values = [...new Set(batch.map((i) => i.labels["instance"]).filter((v) => v !== undefined))];
    return values.length > 0 ? [instanceMatcher("instance", values)] : [];
  }

  /** Matrix series → each instance's MemStats series, versions and metric names. */
  private assemble(batch: DiscoveredInstance[], go: MatrixSeries[], info: MatrixSeries[]) {
    const wanted = new Map(batch.map((i) => [i.key, i]));
    const keyOf = (labels: Labels) => labelsKey(this.plan.identify(labels));
    const builder = new QueryRangeMemStatsBuilder(keyOf);
    const observations = new Map<string, { t: number; version: string }[]>();
    // Where each instance's version is read: the metric of the Go series carrying the version
    // label, or a *_build_info metric (an application's own over go_build_info, often "(devel)").
    const sources = new Map<string, string>();
    const fromGoSeries = new Set<string>();
    const seenMetrics = new Map<string, Set<string>>();
    const versionLabel = this.plan.versionLabel;
    for (const series of go) {
      const key = keyOf(series.metric);
      if (!wanted.has(key)) continue;
      builder.addColumns(series.metric, series.values.times, series.values.values);
      const name = series.metric["__name__"] ?? "";
      const metrics = seenMetrics.get(key) ?? new Set<string>();
      seenMetrics.set(key, metrics.add(name));
      const version = versionLabel ? series.metric[versionLabel] : undefined;
      if (version === undefined) continue;
      if (!sources.has(key)) sources.set(key, name);
      fromGoSeries.add(key);
      if (sources.get(key) === name) observe(observations, key, series, version);
    }
    const match = buildInfoMatcher(batch);
    const infoLabel = versionLabel ?? "version";
    for (const series of info) {
      const instance = match(series.metric);
      const version = series.metric[infoLabel];
      if (!instance || fromGoSeries.has(instance.key)) continue;
      if (version === undefined || version === "" || version === "(devel)") continue;
      const name = series.metric["__name__"] ?? "";
      const held = sources.get(instance.key);
      if (held === undefined || (held === "go_build_info" && name !== "go_build_info")) {
        observations.delete(instance.key);
        sources.set(instance.key, name);
      }
      if (sources.get(instance.key) === name) observe(observations, instance.key, series, version);
    }
    const inputs: FleetInstanceInput[] = [];
    const unjudged: UnjudgedInstance[] = [];
    for (const instance of batch) {
      const series = builder.seriesOf(instance.key);
      if (!series) {
        unjudged.push({
          key: instance.key,
          labels: instance.labels,
          reason: "no readings of its Go runtime series in the range",
        });
        continue;
      }
      const source = sources.get(instance.key) ?? "";
      const versions: VersionSpan[] = spansFromObservations(
        observations.get(instance.key) ?? [],
        fromGoSeries.has(instance.key) ? `label ${versionLabel}` : `${source}{${infoLabel}}`,
      );
      inputs.push({
        key: instance.key,
        labels: instance.labels,
        series,
        versions,
        metrics: [...(seenMetrics.get(instance.key) ?? instance.metrics)].sort(),
      });
    }
    return { inputs, unjudged };
  }
}

function observe(
  observations: Map<string, { t: number; version: string }[]>,
  key: string,
  series: MatrixSeries,
  version: string,
): void {
  const list = observations.get(key) ?? [];
  observations.set(key, list);
  for (const t of series.values.times) list.push({ t, version });
}
