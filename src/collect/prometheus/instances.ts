/**
 * Which instances the selector matches, and what each exports: /api/v1/series for the Go runtime
 * metrics fleet reads and for every *_build_info metric, and `up` for every scrape target, so a
 * target with no Go series is reported rather than silently left out.
 */
import { labelsKey, targetLabels } from "../../formats/memstats-prometheus-metrics.js";
import { type PrometheusApi, PrometheusTooLargeError } from "./api.js";
import { FLEET_METRICS, seriesSelector } from "./queries.js";

export interface DiscoveredInstance {
  key: string;
  labels: Record<string, string>;
  /** Go runtime metric names found. */
  metrics: Set<string>;
  /** *_build_info metric names found for it. */
  buildInfoMetrics: Set<string>;
}

export interface Discovery {
  instances: DiscoveredInstance[];
  /** Scrape targets (from `up`) with no Go runtime series. */
  withoutGo: { key: string; labels: Record<string, string> }[];
  warnings: string[];
}

type Labels = Record<string, string>;

/** The labels that identify an instance: the target's (targetLabels), less the version label when one is named. */
export function instanceLabelsFunction(versionLabel: string | undefined): (labels: Labels) => Labels {
  return (labels) => {
    const out = targetLabels(labels);
    if (versionLabel) delete out[versionLabel];
    return out;
  };
}

export { labelsKey };

async function seriesOf(
  api: PrometheusApi,
  match: string[],
  startSeconds: number,
  endSeconds: number,
  warnings: string[],
): Promise<Labels[]> {
  const answer = await api.get<Labels[]>("series", {
    "match[]": match,
    start: String(startSeconds),
    end: String(endSeconds),
  });
  warnings.push(...answer.warnings);
  return Array.isArray(answer.data) ? answer.data : [];
}

/** Asks once; a refusal for size is retried one metric at a time. */
async function goSeries(
  api: PrometheusApi,
  matchers: string,
  startSeconds: number,
  endSeconds: number,
  warnings: string[],
): Promise<Labels[]> {
  try {
    return await seriesOf(api, [seriesSelector(FLEET_METRICS, matchers)], startSeconds, endSeconds, warnings);
  } catch (error) {
    if (!(error instanceof PrometheusTooLargeError)) throw error;
    const out: Labels[] = [];
    for (const metric of FLEET_METRICS)
      out.push(
        ...(await seriesOf(api, [seriesSelector([metric], matchers)], startSeconds, endSeconds, warnings)),
      );
    return out;
  }
}

export async function discoverInstances(
  api: PrometheusApi,
  matchers: string,
  startSeconds: number,
  endSeconds: number,
  identify: (labels: Labels) => Labels,
): Promise<Discovery> {
  const warnings: string[] = [];
  const byKey = new Map<string, DiscoveredInstance>();
  for (const labels of await goSeries(api, matchers, startSeconds, endSeconds, warnings)) {
    const name = labels["__name__"] ?? "";
    const own = identify(labels);
    const key = labelsKey(own);
    let instance = byKey.get(key);
    if (!instance) {
      instance = { key, labels: own, metrics: new Set(), buildInfoMetrics: new Set() };
      byKey.set(key, instance);
    }
    instance.metrics.add(name);
  }
  // Only instances with a Go metric are Go programs (the process collector exists in other languages).
  for (const [key, instance] of byKey)
    if (![...instance.metrics].some((m) => m.startsWith("go_"))) byKey.delete(key);
  const buildInfo = await seriesOf(
    api,
    [`{__name__=~".+_build_info"${matchers ? `,${matchers}` : ""}}`],
    startSeconds,
    endSeconds,
    warnings,
  );
  const match = buildInfoMatcher(byKey.values());
  for (const labels of buildInfo) match(labels)?.buildInfoMetrics.add(labels["__name__"] ?? "");
  const up = await seriesOf(api, [`up{${matchers}}`], startSeconds, endSeconds, warnings);
  const withoutGo: Discovery["withoutGo"] = [];
  const seen = new Set<string>();
  for (const labels of up) {
    const own = identify(labels);
    const key = labelsKey(own);
    if (!byKey.has(key) && !seen.has(key)) withoutGo.push({ key, labels: own });
    seen.add(key);
  }
  return { instances: [...byKey.values()], withoutGo, warnings };
}

/**
 * A build_info series carries build labels (version, path, checksum, goversion, …) on top of the
 * target's: it belongs to the instance with the same job and instance whose every label it carries.
 */
export function buildInfoMatcher(
  instances: Iterable<DiscoveredInstance>,
): (labels: Labels) => DiscoveredInstance | undefined {
  const byTarget = new Map<string, DiscoveredInstance[]>();
  for (const instance of instances) {
    const id = `${instance.labels["job"] ?? ""}\u0000${instance.labels["instance"] ?? ""}`;
    const list = byTarget.get(id);
    if (list) list.push(instance);
    else byTarget.set(id, [instance]);
  }
  return (labels) =>
    byTarget
      .get(`${labels["job"] ?? ""}\u0000${labels["instance"] ?? ""}`)
      ?.find((instance) => Object.entries(instance.labels).every(([k, v]) => labels[k] === v));
}
