/**
 * Deploy attribution: does an instance's growth begin with a version? Only when a version change
 * precedes the growth and lines up with it: the version reached the instance (upgraded in place,
 * or the instance appeared with it while the job ran another version before) no later than the
 * change point, the growth began within a few steps of it or in the process run the deploy
 * started, and the instance did not grow under the version before. Growth that began before the
 * range, or with no version change before it, is never attributed.
 */
import type { TrendVerdict } from "../../analysis/trend.js";
import type { FleetInstance, VersionSpan, VersionSummary } from "./types.js";
import { arrivalOf, versionAt } from "./versions.js";

export interface AttributionOptions {
  rangeStartSeconds: number;
  rangeEndSeconds: number;
  stepSeconds: number;
}

/** Steps (or this fraction of the range, if more) within which growth lines up with a version change. */
const LINE_UP_STEPS = 5;
const LINE_UP_RANGE_FRACTION = 0.1;

const jobOf = (instance: FleetInstance): string => instance.labels["job"] ?? "";

/** Sets `attribution` on the growing instances whose growth began with a version. */
export function attributeGrowth(
  instances: FleetInstance[],
  versionsOf: (key: string) => VersionSpan[],
  options: AttributionOptions,
): void {
  const firstSeenInJob = new Map<string, number>();
  for (const instance of instances) {
    for (const span of versionsOf(instance.key)) {
      const key = `${jobOf(instance)}\u0000${span.version}`;
      firstSeenInJob.set(key, Math.min(firstSeenInJob.get(key) ?? span.firstSeconds, span.firstSeconds));
    }
  }
  const jobRanOtherBefore = (job: string, version: string, t: number): boolean => {
    for (const [key, first] of firstSeenInJob) {
      const [j, v] = key.split("\u0000");
      if (j === job && v !== version && first < t) return true;
    }
    return false;
  };
  for (const instance of instances) {
    instance.attribution = attributionOf(instance, versionsOf(instance.key), options, jobRanOtherBefore);
  }
}

function attributionOf(
  instance: FleetInstance,
  spans: VersionSpan[],
  options: AttributionOptions,
  jobRanOtherBefore: (job: string, version: string, t: number) => boolean,
): FleetInstance["attribution"] {
  const cp = instance.changePoint;
  if (instance.verdict !== "growing" || cp === null) return null;
  const step = options.stepSeconds;
  const version = versionAt(spans, cp);
  if (version === null) return null;
  const arrival = arrivalOf(spans, version, cp + step);
  if (!arrival || arrival.atSeconds > cp + step) return null;
  if (arrival.from === null) {
    // The instance appeared with this version: a deploy only if it appeared inside the range and
    // the job ran another version before.
    if (arrival.atSeconds <= options.rangeStartSeconds + 2 * step) return null;
    if (!jobRanOtherBefore(jobOf(instance), version, arrival.atSeconds)) return null;
  }
  const window = Math.max(
    LINE_UP_STEPS * step,
    LINE_UP_RANGE_FRACTION * (options.rangeEndSeconds - options.rangeStartSeconds),
  );
  const growingRun = instance.runs[instance.runs.length - 1];
  const runBeganWithDeploy = growingRun.startSeconds >= arrival.atSeconds - step;
  if (cp - arrival.atSeconds > window && !runBeganWithDeploy) return null;
  const grewBefore = instance.runs.some(
    (run) => run.verdict === "growing" && run.endSeconds < arrival.atSeconds,
  );
  if (grewBefore) return null;
  return { from: arrival.from, to: version, changedAtSeconds: arrival.atSeconds };
}

const VERDICT_WEIGHT: Record<TrendVerdict, number> = {
  growing: 3,
  undecided: 2,
  insufficient: 1,
  bounded: 0,
};

/** Per job and version: how many instances ran it, grew on it, and whose growth began with it. */
export function summarizeVersions(
  instances: FleetInstance[],
  versionsOf: (key: string) => VersionSpan[],
): VersionSummary[] {
  const summaries = new Map<string, VersionSummary>();
  for (const instance of instances) {
    // The worst verdict of the runs on each version (a run belongs to the version it was judged on).
    const worst = new Map<string, TrendVerdict>();
    for (const run of instance.runs) {
      if (run.version === null) continue;
      const held = worst.get(run.version);
      if (!held || VERDICT_WEIGHT[run.verdict] > VERDICT_WEIGHT[held]) worst.set(run.version, run.verdict);
    }
    const spans = versionsOf(instance.key);
    for (const [version, verdict] of worst) {
      const job = jobOf(instance);
      const key = `${job}\u0000${version}`;
      let summary = summaries.get(key);
      if (!summary) {
        summary = {
          job,
          version,
          instances: 0,
          growing: 0,
          attributed: 0,
          bounded: 0,
          undecided: 0,
          insufficient: 0,
          firstSeenSeconds: Number.POSITIVE_INFINITY,
        };
        summaries.set(key, summary);
      }
      summary.instances++;
      summary[verdict]++;
      if (instance.attribution?.to === version) summary.attributed++;
      for (const span of spans)
        if (span.version === version)
          summary.firstSeenSeconds = Math.min(summary.firstSeenSeconds, span.firstSeconds);
    }
  }
  return [...summaries.values()].sort(
    (a, b) => a.job.localeCompare(b.job) || a.firstSeenSeconds - b.firstSeenSeconds,
  );
}

/**
 * One sentence per job where growth began with a version, or where instances grow without a
 * version change before it: "growth began with 1.8.3 on 7 of 9 instances; 1.8.2 instances are flat".
 */
export function attributionSentences(summaries: VersionSummary[], instances: FleetInstance[]): string[] {
  const jobs = [...new Set(summaries.map((s) => s.job))];
  const named = jobs.length > 1 || (jobs.length === 1 && jobs[0] !== "");
  const sentences: string[] = [];
  for (const job of jobs) {
    const own = summaries.filter((s) => s.job === job);
    const parts: string[] = [];
    for (const s of own.filter((x) => x.attributed > 0))
      parts.push(
        `growth began with ${s.version} on ${s.attributed} of ${s.instances} instance${plural(s.instances)}`,
      );
    if (parts.length > 0) {
      for (const s of own.filter((x) => x.growing === 0)) parts.push(flatClause(s));
    }
    const unattributed = instances.filter(
      (i) => (i.labels["job"] ?? "") === job && i.verdict === "growing" && !i.attribution,
    );
    if (unattributed.length > 0) {
      const versions = [...new Set(unattributed.map((i) => i.version ?? "unknown version"))].join(", ");
      parts.push(
        `${unattributed.length} growing instance${plural(unattributed.length)} (${versions}) with no version change before the growth`,
      );
    }
    if (parts.length > 0) sentences.push(`${named ? `${job || "(no job)"}: ` : ""}${parts.join("; ")}.`);
  }
  return sentences;
}

function flatClause(s: VersionSummary): string {
  if (s.bounded === s.instances) return `${s.version} instances are flat`;
  const counts = (["bounded", "undecided", "insufficient"] as const)
    .filter((k) => s[k] > 0)
    .map((k) => `${s[k]} ${k}`)
    .join(", ");
  return `${s.version} instances do not grow (${counts})`;
}

function plural(n: number): string {
  return n === 1 ? "" : "s";
}
