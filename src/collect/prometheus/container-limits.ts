/**
 * Container memory limits (cAdvisor's container_spec_memory_limit_bytes) of instances that are
 * Kubernetes pods: joined on namespace and pod, and on container where the instance names one (a
 * pod with several limited containers and no container label on the instance is left without a
 * limit rather than guessed). 0 means no limit.
 */
import { exactAlternatives, type PrometheusApi, promString } from "./api.js";
import type { DiscoveredInstance } from "./instances.js";

interface VectorData {
  result?: { metric?: Record<string, string>; value?: [number, string] }[];
}

export async function containerLimits(
  api: PrometheusApi,
  instances: DiscoveredInstance[],
  atSeconds: number,
): Promise<Map<string, number>> {
  const limits = new Map<string, number>();
  const pods = instances.filter((i) => i.labels["pod"] !== undefined);
  if (pods.length === 0) return limits;
  const namespaces = [...new Set(pods.map((i) => i.labels["namespace"]).filter((n) => n !== undefined))];
  const namespaceMatcher =
    namespaces.length > 0 ? `,namespace=~${promString(exactAlternatives(namespaces))}` : "";
  const { data } = await api.get<VectorData>("query", {
    query: `max by (namespace, pod, container) (container_spec_memory_limit_bytes{container!="",container!="POD"${namespaceMatcher}})`,
    time: String(atSeconds),
  });
  const byPod = new Map<string, { container: string; bytes: number }[]>();
  for (const series of data?.result ?? []) {
    const m = series.metric ?? {};
    const bytes = Number(series.value?.[1]);
    if (!(bytes > 0)) continue;
    const key = `${m["namespace"] ?? ""}\u0000${m["pod"] ?? ""}`;
    const list = byPod.get(key) ?? [];
    byPod.set(key, list);
    list.push({ container: m["container"] ?? "", bytes });
  }
  for (const instance of pods) {
    const list = byPod.get(`${instance.labels["namespace"] ?? ""}\u0000${instance.labels["pod"]}`) ?? [];
    const container = instance.labels["container"];
    const chosen = container !== undefined ? list.filter((c) => c.container === container) : list;
    if (chosen.length === 1) limits.set(instance.key, chosen[0].bytes);
  }
  return limits;
}
