/**
 * A real Prometheus (Debian's /usr/bin/prometheus) for tests: a generated config scraping the
 * given static targets every second, TSDB in a temporary directory, listening on 127.0.0.1.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, type RunningProgram, startProgram, waitForHttp } from "../../support/go.js";

export const PROMETHEUS = process.env.HEAPSCOPE_TEST_PROMETHEUS ?? "/usr/bin/prometheus";

export interface ScrapeJob {
  job: string;
  targets: string[];
  /** Target labels added to every series of the job. */
  labels?: Record<string, string>;
}

export interface RunningPrometheus {
  url: string;
  program: RunningProgram;
  stop: () => Promise<void>;
}

export function prometheusConfig(jobs: ScrapeJob[], intervalSeconds = 1): string {
  const lines = [
    "global:",
    `  scrape_interval: ${intervalSeconds}s`,
    `  scrape_timeout: ${intervalSeconds}s`,
    "scrape_configs:",
  ];
  for (const { job, targets, labels } of jobs) {
    lines.push(`  - job_name: ${JSON.stringify(job)}`, "    static_configs:", "      - targets:");
    for (const target of targets) lines.push(`          - ${JSON.stringify(target)}`);
    if (labels) {
      lines.push("        labels:");
      for (const [k, v] of Object.entries(labels)) lines.push(`          ${k}: ${JSON.stringify(v)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export async function startPrometheus(
  jobs: ScrapeJob[],
  extraArgs: string[] = [],
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), "heapscope-prometheus-"));
  const config = path.join(dir, "prometheus.yml");
  writeFileSync(config, prometheusConfig(jobs));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const program = startProgram(PROMETHEUS, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${path.join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--log.level=warn",
    ...extraArgs,
  ]);
  try {
    await waitForHttp(`${url}/-/ready`, 30_000);
  } catch (error) {
    await program.stop();
    throw new Error(`${String(error)}\n${program.stderr()}`);
  }
  return {
    url,
    program,
    stop: async () => {
      await program.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
