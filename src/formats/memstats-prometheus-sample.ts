import type { MemStatsField, MemStatsSample } from "../model/memstats.js";
import { type ResolvedMetric, type RuntimeMetricPart, resolveMetric } from "./memstats-prometheus-metrics.js";

/**
 * Accumulates metric values of one moment into a MemStatsSample. `add` may be called once per
 * series; series of one metric that differ only in a dimension label (go_memory_type) are summed.
 * Its maps are made on first use: a query_range series holds one builder per instant.
 */
export class PrometheusSampleBuilder {
  private direct: Map<string, number> | undefined;
  private parts: Map<RuntimeMetricPart, number> | undefined;
  private signals: Map<string, number> | undefined;
  private weakSignals: Set<string> | undefined;
  private fieldsFromRuntimeMetrics: Map<MemStatsField, number> | undefined;
  matched = 0;

  add(name: string, labels: Record<string, string>, value: number): boolean {
    const resolved = resolveMetric(name);
    return resolved ? this.addResolved(resolved, labels, value) : false;
  }

  addResolved(metric: ResolvedMetric, labels: Record<string, string>, value: number): boolean {
    const { target, name } = metric;
    if (!Number.isFinite(value)) return false;
    this.matched++;
    if ("field" in target) {
      const scaled = value * (target.scale ?? 1);
      // MemStats-based names win over the runtime/metrics names that approximate them.
      if (metric.fromRuntimeMetrics) (this.fieldsFromRuntimeMetrics ??= new Map()).set(target.field, scaled);
      else (this.direct ??= new Map()).set(target.field, scaled);
    } else if ("signal" in target) {
      const signals = (this.signals ??= new Map());
      const summed = target.signal === "runtimeUsedBytes";
      if (target.weak) {
        if (!signals.has(target.signal)) (this.weakSignals ??= new Set()).add(target.signal);
        else return true;
      } else if (this.weakSignals?.delete(target.signal)) {
        signals.delete(target.signal);
      }
      // GOGC=off reaches the exposition as a uint64 all-ones (1.8e19), not -1.
      const normalized = target.signal === "gogcPercent" && value >= 2 ** 63 ? -1 : value;
      signals.set(target.signal, (summed ? (signals.get(target.signal) ?? 0) : 0) + normalized);
      if (name.endsWith("go_memory_used_bytes") && labels["go_memory_type"] === "stack") {
        (this.parts ??= new Map()).set("otelStackBytes", value);
      }
    } else {
      (this.parts ??= new Map()).set(target.part, value);
    }
    return true;
  }

  build(atMs?: number): MemStatsSample {
    const fields: MemStatsSample["fields"] = {};
    const derived: MemStatsField[] = [];
    for (const [field, value] of this.fieldsFromRuntimeMetrics ?? []) {
      fields[field] = value;
      derived.push(field);
    }
    const part = (p: RuntimeMetricPart): number | undefined => this.parts?.get(p);
    const sum = (...values: (number | undefined)[]): number | undefined =>
      values.every((v) => v !== undefined) ? values.reduce<number>((a, b) => a + b!, 0) : undefined;
    const derive = (field: MemStatsField, value: number | undefined): void => {
      if (value === undefined) return;
      fields[field] = value;
      if (!derived.includes(field)) derived.push(field);
    };
    // client_golang's memStatsFromRM shows how MemStats maps onto runtime/metrics.
    derive("HeapAlloc", part("heapObjectsBytes"));
    derive("HeapInuse", sum(part("heapObjectsBytes"), part("heapUnusedBytes")));
    derive("HeapIdle", sum(part("heapFreeBytes"), part("heapReleasedBytes")));
    derive("HeapReleased", part("heapReleasedBytes"));
    derive(
      "HeapSys",
      sum(
        part("heapObjectsBytes"),
        part("heapUnusedBytes"),
        part("heapFreeBytes"),
        part("heapReleasedBytes"),
      ),
    );
    derive("StackInuse", part("heapStacksBytes"));
    derive("StackSys", sum(part("heapStacksBytes"), part("osStacksBytes")) ?? part("otelStackBytes"));
    derive("Mallocs", sum(part("allocsObjects"), part("tinyAllocsObjects")));
    derive("Frees", sum(part("freesObjects"), part("tinyAllocsObjects")));
    for (const [field, value] of this.direct ?? []) {
      fields[field as MemStatsField] = value;
      const index = derived.indexOf(field as MemStatsField);
      if (index >= 0) derived.splice(index, 1);
    }
    if (fields.HeapAlloc !== undefined && fields.Alloc === undefined) fields.Alloc = fields.HeapAlloc;
    if (fields.Alloc !== undefined && fields.HeapAlloc === undefined) fields.HeapAlloc = fields.Alloc;
    const sample: MemStatsSample = { fields };
    if (atMs !== undefined) sample.atMs = atMs;
    for (const [signal, value] of this.signals ?? []) {
      (sample as unknown as Record<string, number>)[signal] = value;
    }
    if (derived.length > 0) sample.derived = derived;
    return sample;
  }
}
