/**
 * `npm run bench fleet`: heapscope fleet over 24 h of 2,000 instances (fleet-data.ts) on a real
 * Prometheus 2.42 serving the backfilled blocks. Reports heapscope's wall time, CPU and peak RSS
 * (GNU time), Prometheus' CPU over the same run (/proc), and checks the report: leaking instances
 * growing, healthy ones not, checkout's growth attributed to 1.8.3, and every sampled instance's
 * verdict identical to `heapscope memstats` on that instance's own query_range JSON.
 * Goals: ≤ 30 s and ≤ 500 MiB for heapscope, decided on three default runs (the median wall time,
 * its band the runs' range; the largest peak RSS), then one run without the goroutine trends.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FLEET_METRICS } from "../src/collect/prometheus/queries.js";
import { decide, quantileBand } from "./decide.js";
import { ensureFleetData, type FleetData } from "./fleet-data.js";

const root = path.resolve(import.meta.dirname, "..");
const workDir = path.join(root, "bench/.work");
const GOAL_SECONDS = 30;
const GOAL_RSS_MIB = 500;
const IDENTITY_SAMPLE = 120;

interface PrometheusServer {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ")[0];
}

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function startPrometheus(data: FleetData): Promise<PrometheusServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "heapscope-bench-prom-"));
  // Hard links: Prometheus may compact or delete its blocks, the cache stays whole.
  execFileSync("cp", ["-al", data.blocksDir, path.join(dir, "data")]);
  writeFileSync(path.join(dir, "prometheus.yml"), "global:\n  scrape_interval: 60s\nscrape_configs: []\n");
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(
    "prometheus",
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=100y",
      // No compaction of the backfilled 2 h blocks while measuring.
      "--storage.tsdb.max-block-duration=2h",
      "--log.level=error",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the CLI under GNU time: wall, user, system seconds and peak RSS. */
function timedCli(args: string[]): {
  wall: number;
  user: number;
  system: number;
  rssMiB: number;
  stdout: string;
  stderr: string;
} {
  const timeFile = path.join(workDir, "fleet-time.txt");
  let stdout = "";
  let stderr = "";
  try {
    stdout = execFileSync(
      "/usr/bin/time",
      ["-o", timeFile, "-f", "%e %U %S %M", process.execPath, path.join(root, "bin/heapscope.js"), ...args],
      { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 30 },
    ).toString();
  } catch (error) {
    stderr = String((error as { stderr?: Buffer }).stderr ?? error);
  }
  const [wall, user, system, rssKiB] = readFileSync(timeFile, "utf8")
    .trim()
    .split("\n")
    .pop()!
    .split(" ")
    .map(Number);
  return { wall, user, system, rssMiB: rssKiB / 1024, stdout, stderr };
}

interface JsonInstance {
  labels: Record<string, string>;
  verdict: string;
  basis: string;
  growthBytesPerHour: number | null;
  attribution: { to: string } | null;
  changePointSeconds: number | null;
}

function checkReport(
  report: { instances: JsonInstance[]; summary: string[]; unjudged: unknown[] },
  data: FleetData,
) {
  const expected = new Map(data.instances.map((i) => [i.instance, i]));
  let leakGrowing = 0;
  let leaks = 0;
  let healthyGrowing = 0;
  let healthy = 0;
  let attributedRight = 0;
  let attributedWrong = 0;
  // Leaks whose growth starts inside the range on a process that runs throughout (search's 60).
  let lateLeaks = 0;
  let lateLeaksGrowing = 0;
  const lateOnsetErrors: number[] = [];
  for (const instance of report.instances) {
    const truth = expected.get(instance.labels["instance"])!;
    const late = truth.runs.length === 1 && truth.runs[0].leakFromSeconds > data.startSeconds;
    if (late) {
      lateLeaks++;
      if (instance.verdict === "growing") lateLeaksGrowing++;
      if (instance.changePointSeconds !== null)
        lateOnsetErrors.push(Math.abs(instance.changePointSeconds - truth.runs[0].leakFromSeconds) / 60);
    }
    if (truth.expect === "leak") {
      leaks++;
      if (instance.verdict === "growing") leakGrowing++;
    } else {
      healthy++;
      if (instance.verdict === "growing") healthyGrowing++;
    }
    if (instance.attribution) {
      if (instance.attribution.to === truth.leakVersion) attributedRight++;
      else attributedWrong++;
    }
  }
  return {
    judged: report.instances.length,
    unjudged: report.unjudged.length,
    leaksFoundGrowing: `${leakGrowing} of ${leaks}`,
    midRangeLeaksGrowing: `${lateLeaksGrowing} of ${lateLeaks}`,
    midRangeOnsetErrorMinutes: lateOnsetErrors.length > 0 ? quantiles(lateOnsetErrors) : null,
    healthyCalledGrowing: `${healthyGrowing} of ${healthy}`,
    attributedToTheLeakingVersion: attributedRight,
    attributedWrongly: attributedWrong,
    summary: report.summary,
  };
}

/** Median and largest of a list, rounded. */
function quantiles(list: number[]): { median: number; max: number } {
  const sorted = [...list].sort((a, b) => a - b);
  return { median: Math.round(sorted[sorted.length >> 1]), max: Math.round(sorted[sorted.length - 1]) };
}

/** memstats on a sample of instances' own query_range JSON: the same verdict, basis and slope. */
async function checkIdentity(
  report: {
    instances: JsonInstance[];
    query: { startSeconds: number; endSeconds: number; stepSeconds: number };
  },
  url: string,
) {
  const growing = report.instances.filter((i) => i.verdict === "growing");
  const others = report.instances.filter((i) => i.verdict !== "growing");
  const pick = <T>(list: T[], n: number) =>
    list.filter((_, i) => i % Math.max(1, Math.floor(list.length / n)) === 0).slice(0, n);
  const sample = [...pick(growing, IDENTITY_SAMPLE / 2), ...pick(others, IDENTITY_SAMPLE / 2)];
  const dir = mkdtempSync(path.join(tmpdir(), "heapscope-bench-identity-"));
  const mismatches: string[] = [];
  for (const instance of sample) {
    const params = new URLSearchParams({
      query: `{__name__=~"${FLEET_METRICS.join("|")}",instance="${instance.labels["instance"]}",job="${instance.labels["job"]}"}`,
      start: String(report.query.startSeconds),
      end: String(report.query.endSeconds),
      step: String(report.query.stepSeconds),
    });
    const file = path.join(dir, "instance.json");
    writeFileSync(file, await (await fetch(`${url}/api/v1/query_range?${params}`)).text());
    const health = JSON.parse(
      execFileSync(process.execPath, [path.join(root, "bin/heapscope.js"), "memstats", file, "--json"], {
        maxBuffer: 1 << 28,
      }).toString(),
    );
    const heap = health.trends.find((t: { usedForHeapVerdict: boolean }) => t.usedForHeapVerdict);
    const same =
      health.heapVerdict === instance.verdict &&
      heap?.signal === instance.basis &&
      Math.abs(heap.slopePerSecond * 3600 - (instance.growthBytesPerHour ?? 0)) <=
        1e-6 * Math.abs(instance.growthBytesPerHour ?? 1);
    if (!same)
      mismatches.push(
        `${instance.labels["instance"]}: fleet ${instance.verdict}/${instance.basis}, memstats ${health.heapVerdict}/${heap?.signal}`,
      );
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    checked: sample.length,
    identical: sample.length - mismatches.length,
    mismatches: mismatches.slice(0, 5),
  };
}

export async function runFleetBench(): Promise<Record<string, unknown>> {
  mkdirSync(workDir, { recursive: true });
  execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: root, stdio: "inherit" });
  const data = await ensureFleetData(workDir, (line) => process.stdout.write(`${line}\n`));
  const prometheus = await startPrometheus(data);
  try {
    const out = path.join(workDir, "fleet-report.json");
    const args = [
      "fleet",
      "--prometheus",
      prometheus.url,
      "--range",
      "24h",
      "--end",
      String(data.endSeconds),
      "--json",
    ];
    const runs: Record<string, unknown>[] = [];
    let text = "";
    const walls: number[] = [];
    const rss: number[] = [];
    for (const [name, extra] of [
      ["default", []],
      ["default", []],
      ["default", []],
      ["no goroutines", ["--no-goroutines"]],
    ] as const) {
      const promBefore = cpuSecondsOf(prometheus.pid);
      const loadBefore = loadAverage();
      const timed = timedCli([...args, ...extra]);
      const promCpu = cpuSecondsOf(prometheus.pid) - promBefore;
      const loadAfter = loadAverage();
      if (name === "default") {
        text = timed.stdout;
        walls.push(timed.wall);
        rss.push(timed.rssMiB);
      }
      runs.push({
        run: name,
        wallSeconds: timed.wall,
        heapscopeCpuSeconds: +(timed.user + timed.system).toFixed(2),
        heapscopePeakRssMiB: Math.round(timed.rssMiB),
        prometheusCpuSeconds: +promCpu.toFixed(2),
        // Other work on the machine inflates wall time, not CPU time.
        loadAverage: `${loadBefore} → ${loadAfter}`,
        wallGoal: timed.wall <= GOAL_SECONDS ? "met" : "missed",
        rssGoal: timed.rssMiB <= GOAL_RSS_MIB ? "met" : "missed",
        ...(timed.stderr ? { stderr: timed.stderr.slice(0, 500) } : {}),
      });
    }
    if (!text) throw new Error(`heapscope fleet failed: ${JSON.stringify(runs[0])}`);
    const report: Parameters<typeof checkReport>[0] & Parameters<typeof checkIdentity>[0] = JSON.parse(text);
    writeFileSync(out, text);
    return {
      data: {
        instances: data.instances.length,
        hours: 24,
        sampleSeconds: 60,
        generatedSeconds: data.generatedSeconds,
        step: (report as unknown as { query: { stepSeconds: number } }).query.stepSeconds,
      },
      runs,
      report: checkReport(report, data),
      identityWithMemstats: await checkIdentity(report, prometheus.url),
      // The default run's median wall time (band: the runs' range) and its largest peak RSS.
      targets: [
        decide(`fleet --end, 2,000 instances × 24 h: wall ≤ ${GOAL_SECONDS} s`, quantileBand(walls), {
          threshold: GOAL_SECONDS,
          better: "lower",
          unit: " s",
        }),
        decide(`fleet --end, 2,000 instances × 24 h: peak RSS ≤ ${GOAL_RSS_MIB} MiB`, quantileBand(rss, 1), {
          threshold: GOAL_RSS_MIB,
          better: "lower",
          unit: " MiB",
        }),
      ],
    };
  } finally {
    await prometheus.stop();
  }
}
