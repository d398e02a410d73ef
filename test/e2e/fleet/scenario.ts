/**
 * The fleet of the end-to-end test: real Go programs scraped by a real Prometheus every second.
 *
 *   job       instance  t = 0 s                                 t = 35 s                    t = 45 s
 *   checkout  a         1.8.2 healthy (default Go collector)    → 1.8.3 leaking 2 MiB/s (same port)
 *   checkout  b         1.8.2 healthy, runtime-metrics collector on (go_gc_heap_live_bytes)
 *   checkout  c         (down)                                  1.8.3 leaking 3 MiB/s (a new instance)
 *   ledger    d         2.0 healthy                             → 2.1 healthy: a version change with no growth
 *   batch     e         3.0 healthy, leaking 2 MiB/s from 35 s: growth with no version change
 *   batch     f         3.0 leaking 1.5 MiB/s                                              restarted, same version
 *   pricing   g         OpenTelemetry exporter, leaking 0.5 MiB/s, GOMEMLIMIT=512MiB, no version
 *   sidecar   n         a non-Go exporter (no go_* series)
 *
 * ledger's target carries a `release` label (for --version-label).
 *
 * Every program churns 10 MiB/s of garbage and keeps a 20 MiB working set.
 * The deploy at 35 s and batch's growth starting at 35 s coincide in time on purpose: only the
 * instances a version change reached may be attributed to it.
 */
import { createServer, type Server } from "node:http";
import path from "node:path";
import {
  buildGoProgram,
  freePort,
  type RunningProgram,
  startProgram,
  waitForHttp,
} from "../../support/go.js";
import { type RunningPrometheus, startPrometheus } from "./prometheus.js";

export const DEPLOY_AT_MS = 35_000;
export const RESTART_AT_MS = 45_000;
export const OBSERVE_MS = 80_000;

const programs = path.resolve(import.meta.dirname, "programs");

export interface Fleet {
  prometheus: RunningPrometheus;
  ports: Record<"a" | "b" | "c" | "d" | "e" | "f" | "g" | "n", number>;
  startedAtMs: number;
  stop: () => Promise<void>;
}

function sleepUntil(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - Date.now())));
}

export async function startFleet(): Promise<Fleet> {
  const [service, otel] = await Promise.all([
    buildGoProgram(path.join(programs, "fleet-service")),
    buildGoProgram(path.join(programs, "fleet-otel")),
  ]);
  const names = ["a", "b", "c", "d", "e", "f", "g", "n"] as const;
  const ports = Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await freePort()] as const)),
  ) as Fleet["ports"];
  const addr = (n: keyof Fleet["ports"]) => `127.0.0.1:${ports[n]}`;
  const running = new Map<string, RunningProgram>();
  // GOGC=25: a GC every few seconds even as a leaking heap grows, so the heap goal and the live heap
  // (both set at GC) move at every step of an observation this short.
  const launch = async (
    name: keyof Fleet["ports"],
    args: string[],
    env: NodeJS.ProcessEnv = {},
    binary = service,
  ) => {
    running.set(name, startProgram(binary, ["-addr", addr(name), ...args], { GOGC: "25", ...env }));
    await waitForHttp(`http://${addr(name)}/metrics`, 30_000);
  };
  const sidecar = await nonGoExporter(ports.n);
  await Promise.all([
    launch("a", ["-version", "1.8.2"]),
    launch("b", ["-version", "1.8.2", "-runtime-metrics"]),
    launch("d", ["-version", "2.0"]),
    launch("e", [
      "-version",
      "3.0",
      "-mode",
      "leak",
      "-leak-rate",
      "2048",
      "-leak-after",
      `${DEPLOY_AT_MS}ms`,
    ]),
    launch("f", ["-version", "3.0", "-mode", "leak", "-leak-rate", "1536"]),
    launch("g", ["-mode", "leak", "-leak-rate", "512"], { GOMEMLIMIT: "512MiB" }, otel),
  ]);
  const prometheus = await startPrometheus([
    { job: "checkout", targets: [addr("a"), addr("b"), addr("c")] },
    { job: "ledger", targets: [addr("d")], labels: { release: "ledger-2024.05" } },
    { job: "batch", targets: [addr("e"), addr("f")] },
    { job: "pricing", targets: [addr("g")] },
    { job: "sidecar", targets: [addr("n")] },
  ]);
  const startedAtMs = Date.now();
  const restart = async (name: keyof Fleet["ports"], args: string[]) => {
    await running.get(name)?.stop();
    await launch(name, args);
  };
  await sleepUntil(startedAtMs + DEPLOY_AT_MS);
  await Promise.all([
    restart("a", ["-version", "1.8.3", "-mode", "leak", "-leak-rate", "2048"]),
    launch("c", ["-version", "1.8.3", "-mode", "leak", "-leak-rate", "3072"]),
    restart("d", ["-version", "2.1"]),
  ]);
  await sleepUntil(startedAtMs + RESTART_AT_MS);
  await restart("f", ["-version", "3.0", "-mode", "leak", "-leak-rate", "1536"]);
  await sleepUntil(startedAtMs + OBSERVE_MS);
  return {
    prometheus,
    ports,
    startedAtMs,
    stop: async () => {
      await prometheus.stop();
      await Promise.all([...running.values()].map((p) => p.stop()));
      await new Promise((resolve) => sidecar.close(resolve));
    },
  };
}

/** A Python-style exporter: process metrics but no go_* series. */
function nonGoExporter(port: number): Promise<Server> {
  const server = createServer((_request, response) => {
    response.setHeader("content-type", "text/plain; version=0.0.4");
    response.end(
      '# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 1.2e+07\n# TYPE python_info gauge\npython_info{version="3.11"} 1\n',
    );
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}
