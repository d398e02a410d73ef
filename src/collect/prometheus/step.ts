/**
 * The query step: max(2 × scrape interval, range / 720) unless given, so every step holds a fresh
 * scrape and a range gives at most ~720 points per series. The scrape interval is read, in order,
 * from /api/v1/targets (what Prometheus scrapes these instances at), from the spacing of the stored
 * samples (count_over_time over a window: works on Thanos, Mimir and backfilled data), or from
 * /api/v1/status/config (the global scrape_interval). The report says which.
 */
import { type PrometheusApi, PrometheusError } from "./api.js";

export const MAX_POINTS_PER_RANGE = 720;

export interface ScrapeInterval {
  seconds: number | null;
  source: string;
}

/** A Prometheus duration ("15s", "1m30s", "2h") in seconds, or undefined. */
export function parsePromDuration(text: string): number | undefined {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed);
  let total = 0;
  let matched = "";
  for (const m of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g)) {
    total += Number(m[1]) * units[m[2]];
    matched += m[0];
  }
  return matched === trimmed && matched !== "" ? total : undefined;
}

interface TargetsData {
  activeTargets?: { labels?: Record<string, string>; scrapeInterval?: string }[];
}

/** The most common scrape interval of the active targets among `instances` (by job and instance). */
async function fromTargets(api: PrometheusApi, instances: Record<string, string>[]): Promise<number | null> {
  const { data } = await api.get<TargetsData>("targets", { state: "active" });
  const wanted = new Set(instances.map((l) => `${l["job"] ?? ""}\u0000${l["instance"] ?? ""}`));
  const counts = new Map<number, number>();
  for (const target of data?.activeTargets ?? []) {
    const labels = target.labels ?? {};
    if (!wanted.has(`${labels["job"] ?? ""}\u0000${labels["instance"] ?? ""}`)) continue;
    const seconds = target.scrapeInterval ? parsePromDuration(target.scrapeInterval) : undefined;
    if (seconds && seconds > 0) counts.set(seconds, (counts.get(seconds) ?? 0) + 1);
  }
  return mostCommon(counts);
}

interface VectorData {
  result?: { value?: [number, string] }[];
}

/** Samples per series over a window ending at `end`: the median spacing of the stored samples. */
async function fromSpacing(
  api: PrometheusApi,
  selector: string,
  endSeconds: number,
  rangeSeconds: number,
): Promise<number | null> {
  const window = Math.max(60, Math.min(rangeSeconds, 1200));
  const { data } = await api.get<VectorData>("query", {
    query: `count_over_time(${selector}[${window}s])`,
    time: String(endSeconds),
  });
  const spacings: number[] = [];
  for (const series of data?.result ?? []) {
    const count = Number(series.value?.[1]);
    if (count >= 3) spacings.push(window / count);
  }
  if (spacings.length === 0) return null;
  spacings.sort((a, b) => a - b);
  const median = spacings[Math.floor(spacings.length / 2)];
  return roundInterval(median);
}

/** The global scrape_interval of the server's configuration (YAML text). */
async function fromConfig(api: PrometheusApi): Promise<number | null> {
  const { data } = await api.get<{ yaml?: string }>("status/config", {});
  const global = /^global:\s*\n((?:[ \t]+.*\n?)*)/m.exec(data?.yaml ?? "");
  const interval = global ? /^\s+scrape_interval:\s*(\S+)/m.exec(global[1]) : null;
  const seconds = interval ? parsePromDuration(interval[1]) : undefined;
  return seconds && seconds > 0 ? seconds : null;
}

/** Tries each source in turn; a source that fails or knows nothing passes to the next. */
export async function inferScrapeInterval(
  api: PrometheusApi,
  instances: Record<string, string>[],
  spacingSelector: string,
  endSeconds: number,
  rangeSeconds: number,
): Promise<ScrapeInterval> {
  const sources: [string, () => Promise<number | null>][] = [
    ["/api/v1/targets", () => fromTargets(api, instances)],
    ["sample spacing (count_over_time)", () => fromSpacing(api, spacingSelector, endSeconds, rangeSeconds)],
    ["/api/v1/status/config (global scrape_interval)", () => fromConfig(api)],
  ];
  const failures: string[] = [];
  for (const [source, read] of sources) {
    try {
      const seconds = await read();
      if (seconds !== null) return { seconds, source };
      failures.push(`${source}: nothing for these instances`);
    } catch (error) {
      if (!(error instanceof PrometheusError)) throw error;
      failures.push(`${source}: ${error.message}`);
    }
  }
  return { seconds: null, source: `unknown (${failures.join("; ")})` };
}

/** max(2 × scrape interval, range / 720), in whole seconds. */
export function autoStepSeconds(scrapeSeconds: number | null, rangeSeconds: number): number {
  const byRange = rangeSeconds / MAX_POINTS_PER_RANGE;
  const byScrape = scrapeSeconds !== null ? 2 * scrapeSeconds : 0;
  return Math.max(1, Math.ceil(Math.max(byRange, byScrape)));
}

function mostCommon(counts: Map<number, number>): number | null {
  let best: number | null = null;
  let bestCount = 0;
  for (const [value, count] of counts)
    if (count > bestCount || (count === bestCount && best !== null && value > best)) {
      best = value;
      bestCount = count;
    }
  return best;
}

/** Spacing estimates to the usual intervals (1 s, 5 s, 10 s, 15 s, 30 s, 1 m, ...) within 10 %. */
function roundInterval(seconds: number): number {
  const usual = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600];
  for (const u of usual) if (Math.abs(seconds - u) <= 0.1 * u) return u;
  return Math.round(seconds * 10) / 10;
}
