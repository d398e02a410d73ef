/**
 * fleet: every instance judged on its own (judge-instance.ts) as its readings arrive, then growth
 * lined up with versions (attribution.ts), ranked (rank.ts), with the series found and missing
 * (signals.ts). Pure: the collector (collect/prometheus/) assembles the inputs and may hand them
 * over batch by batch, so a large fleet's readings need not be held at once.
 */
import { attributeGrowth, attributionSentences, summarizeVersions } from "./attribution.js";
import { type InstanceJudgeOptions, judgeInstance } from "./judge-instance.js";
import { rankInstances } from "./rank.js";
import { signalPresence } from "./signals.js";
import type {
  FleetInstance,
  FleetInstanceInput,
  FleetQueryInfo,
  FleetReport,
  UnjudgedInstance,
  VersionSpan,
} from "./types.js";

export interface FleetJudgeOptions {
  rangeStartSeconds: number;
  stepSeconds: number;
  /** Judge each instance's goroutine count too (default true). */
  goroutines?: boolean;
}

export class FleetJudge {
  private readonly options: InstanceJudgeOptions;
  private readonly judged: FleetInstance[] = [];
  private readonly unjudged: UnjudgedInstance[] = [];
  private readonly versions = new Map<string, VersionSpan[]>();
  private readonly metrics: string[][] = [];
  private readonly withVersion: boolean[] = [];

  constructor(options: FleetJudgeOptions) {
    this.options = {
      rangeStartSeconds: options.rangeStartSeconds,
      stepSeconds: options.stepSeconds,
      goroutines: options.goroutines ?? true,
    };
  }

  /** Judges one instance now; only the judgement is kept. */
  add(instance: FleetInstanceInput): void {
    this.versions.set(instance.key, instance.versions);
    this.metrics.push(instance.metrics);
    this.withVersion.push(instance.versions.length > 0);
    const result = judgeInstance(instance, this.options);
    if (result) this.judged.push(result);
    else this.unjudged.push({ key: instance.key, labels: instance.labels, reason: noMemoryReason(instance) });
  }

  addUnjudged(instance: UnjudgedInstance): void {
    this.unjudged.push(instance);
  }

  report(query: FleetQueryInfo, notes: string[]): FleetReport {
    const versionsOf = (key: string) => this.versions.get(key) ?? [];
    attributeGrowth(this.judged, versionsOf, {
      rangeStartSeconds: query.startSeconds,
      rangeEndSeconds: query.endSeconds,
      stepSeconds: query.stepSeconds,
    });
    rankInstances(this.judged);
    const summaries = summarizeVersions(this.judged, versionsOf);
    return {
      query,
      instances: this.judged,
      unjudged: this.unjudged.sort((a, b) => a.key.localeCompare(b.key)),
      versions: summaries,
      attributionSentences: attributionSentences(summaries, this.judged),
      signals: signalPresence(this.metrics, (i) => this.withVersion[i]),
      drillDown: [],
      notes,
    };
  }
}

export interface FleetInput {
  query: FleetQueryInfo;
  instances: FleetInstanceInput[];
  unjudged: UnjudgedInstance[];
  notes: string[];
  goroutines?: boolean;
}

/** All at once, for inputs already in memory. */
export function judgeFleet(input: FleetInput): FleetReport {
  const judge = new FleetJudge({
    rangeStartSeconds: input.query.startSeconds,
    stepSeconds: input.query.stepSeconds,
    goroutines: input.goroutines,
  });
  for (const instance of input.instances) judge.add(instance);
  for (const instance of input.unjudged) judge.addUnjudged(instance);
  return judge.report(input.query, input.notes);
}

function noMemoryReason(instance: FleetInstanceInput): string {
  const found = instance.metrics.length > 0 ? ` (found: ${instance.metrics.join(", ")})` : "";
  return `no memory series to judge: none of the live heap, heap goal, HeapAlloc or RSS has three readings${found}`;
}
