/**
 * fleet --doctor N: doctor (URL mode, --duration auto) on the N worst instances, each mapped to its
 * pprof base URL by a template of its labels (`http://{instance}/debug/pprof`), a few at a time.
 * Each instance's suspects join the fleet report; a failure is that instance's error, not the run's.
 */
import type { DrillDown, FleetInstance, FleetReport } from "../../diagnose/fleet/types.js";
import { HeapscopeError, UsageError } from "../../errors.js";
import { runDoctor } from "./doctor.js";

export interface DrillDownOptions {
  count: number;
  template: string;
  concurrency: number;
  /** doctor --max-duration. */
  maxDuration: string;
}

/** `{label}` placeholders of a template, checked up front. */
export function templateLabels(template: string): string[] {
  const names = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]);
  for (const name of names)
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name))
      throw new UsageError(`--pprof-url: "{${name}}" is not a label name`);
  if (names.length === 0)
    throw new UsageError(`--pprof-url needs at least one {label}, such as 'http://{instance}/debug/pprof'`);
  return names;
}

/** The template with the instance's label values; null (and why) when a label is missing. */
export function pprofUrlOf(
  template: string,
  labels: Record<string, string>,
): { url: string } | { error: string } {
  const missing = templateLabels(template).filter((name) => labels[name] === undefined);
  if (missing.length > 0)
    return { error: `--pprof-url uses {${missing.join("}, {")}}, which this instance lacks` };
  const url = template.replace(/\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g, (_, name: string) => labels[name]);
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      return { error: `not an http(s) URL: ${url}` };
  } catch {
    return { error: `not a URL: ${url}` };
  }
  return { url };
}

/** The instances worth a drill-down, worst first: growing now, or grown before a restart. */
function worst(report: FleetReport, count: number): FleetInstance[] {
  return report.instances.filter((i) => i.verdict === "growing" || i.earlierRunGrew).slice(0, count);
}

export async function drillDown(report: FleetReport, options: DrillDownOptions): Promise<DrillDown[]> {
  const chosen = worst(report, options.count);
  const results: DrillDown[] = new Array(chosen.length);
  let next = 0;
  const worker = async () => {
    while (next < chosen.length) {
      const index = next++;
      results[index] = await doctorOne(chosen[index], options);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency, chosen.length)) }, worker),
  );
  return results;
}

async function doctorOne(instance: FleetInstance, options: DrillDownOptions): Promise<DrillDown> {
  const started = Date.now();
  const mapped = pprofUrlOf(options.template, instance.labels);
  const base = { key: instance.key, labels: instance.labels, url: "url" in mapped ? mapped.url : "" };
  if ("error" in mapped)
    return { ...base, verdict: null, summary: null, suspects: [], error: mapped.error, seconds: 0 };
  try {
    const { diagnosis, extra } = await runDoctor([], [], {
      url: mapped.url,
      duration: "auto",
      maxDuration: options.maxDuration,
      sampleRate: "default",
      wait: "10s",
    });
    await extra.release?.();
    return {
      ...base,
      verdict: diagnosis.verdict,
      summary: diagnosis.summary,
      suspects: diagnosis.suspects.map((s) => ({
        kind: s.kind,
        function: s.function,
        file: s.file,
        line: s.line,
        growthBytesPerSecond: s.growthBytesPerSecond,
        shareOfGrowth: s.shareOfGrowth,
      })),
      error: null,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    const message = error instanceof HeapscopeError || error instanceof Error ? error.message : String(error);
    return {
      ...base,
      verdict: null,
      summary: null,
      suspects: [],
      error: message,
      seconds: (Date.now() - started) / 1000,
    };
  }
}
