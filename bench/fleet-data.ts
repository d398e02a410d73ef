/**
 * The fleet benchmark's data: 24 h of 2,000 Go instances at 60 s samples (client_golang's series),
 * written as OpenMetrics and turned into TSDB blocks by promtool. Deterministic (seeded), cached
 * under bench/.work/fleet/ with the generator's version in the key.
 *
 *   checkout  600  1.8.2 → 1.8.3 rolled out to 400 from 14 h (a restart each); 300 of them leak
 *   ledger    600  2.0 → 2.1 rolled out to all from 10 h; nobody leaks (a version change, no growth)
 *   search    800  5.0 throughout; 60 leak from a random hour with no version change; 20 leak fast
 *                  and restart at 600 MiB (OOM-style runs); GOMEMLIMIT=1GiB on the first 200
 *
 * Promtool 2.42 has no --max-block-duration: the input is written as one file per 2 h block, so
 * each file is read once (what --max-block-duration=24h achieves on newer promtool).
 */
import { execFileSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export const GENERATOR_VERSION = 3;
const HOURS = 24;
const SAMPLE_SECONDS = 60;
const BLOCK_SECONDS = 7200;
const MiB = 1024 * 1024;

export interface Run {
  startSeconds: number;
  version: string;
  /** Leak in bytes per second from leakFromSeconds (0: none). */
  leakBytesPerSecond: number;
  leakFromSeconds: number;
}

export interface BenchInstance {
  job: string;
  instance: string;
  baseBytes: number;
  runs: Run[];
  memoryLimitBytes: number | null;
  /** What the data holds, for checking the report. */
  expect: "leak" | "healthy";
  /** Version a leak began with (growth attributable to it), or null. */
  leakVersion: string | null;
}

export interface FleetData {
  dir: string;
  blocksDir: string;
  startSeconds: number;
  endSeconds: number;
  instances: BenchInstance[];
  generatedSeconds: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fleetScenario(startSeconds: number): BenchInstance[] {
  const random = mulberry32(20240501);
  const between = (lo: number, hi: number) => lo + (hi - lo) * random();
  const out: BenchInstance[] = [];
  const longAgo = () => startSeconds - Math.round(between(1, 5) * 86400);
  for (let i = 0; i < 600; i++) {
    const runs: Run[] = [
      { startSeconds: longAgo(), version: "1.8.2", leakBytesPerSecond: 0, leakFromSeconds: 0 },
    ];
    const deployed = i < 400;
    const leaks = i < 300;
    if (deployed) {
      const at = startSeconds + 14 * 3600 + i * 20;
      const rate = leaks ? (between(15, 60) * MiB) / 3600 : 0;
      runs.push({ startSeconds: at, version: "1.8.3", leakBytesPerSecond: rate, leakFromSeconds: at + 300 });
    }
    out.push({
      job: "checkout",
      instance: `10.1.${i >> 8}.${i & 255}:8080`,
      baseBytes: between(40, 200) * MiB,
      runs,
      memoryLimitBytes: null,
      expect: leaks ? "leak" : "healthy",
      leakVersion: leaks ? "1.8.3" : null,
    });
  }
  for (let i = 0; i < 600; i++) {
    const at = startSeconds + 10 * 3600 + i * 10;
    out.push({
      job: "ledger",
      instance: `10.2.${i >> 8}.${i & 255}:8080`,
      baseBytes: between(40, 200) * MiB,
      runs: [
        { startSeconds: longAgo(), version: "2.0", leakBytesPerSecond: 0, leakFromSeconds: 0 },
        { startSeconds: at, version: "2.1", leakBytesPerSecond: 0, leakFromSeconds: 0 },
      ],
      memoryLimitBytes: null,
      expect: "healthy",
      leakVersion: null,
    });
  }
  for (let i = 0; i < 800; i++) out.push(searchInstance(i, startSeconds, longAgo(), between));
  return out;
}

function searchInstance(
  i: number,
  startSeconds: number,
  processStart: number,
  between: (lo: number, hi: number) => number,
): BenchInstance {
  const base = between(40, 200) * MiB;
  const limit = i < 200 ? 1024 * MiB : null;
  const runs: Run[] = [];
  if (i < 60) {
    const from = startSeconds + Math.round(between(4, 16) * 3600);
    runs.push({
      startSeconds: processStart,
      version: "5.0",
      leakBytesPerSecond: (between(10, 40) * MiB) / 3600,
      leakFromSeconds: from,
    });
  } else if (i < 80) {
    // Leak 100 MiB/h from each start; restarted when the live heap reaches 600 MiB.
    const rate = (100 * MiB) / 3600;
    let t = startSeconds - Math.round(between(0, 4) * 3600);
    while (t < startSeconds + HOURS * 3600) {
      runs.push({ startSeconds: t, version: "5.0", leakBytesPerSecond: rate, leakFromSeconds: t });
      t += Math.round((600 * MiB - base) / rate);
    }
  } else {
    runs.push({ startSeconds: processStart, version: "5.0", leakBytesPerSecond: 0, leakFromSeconds: 0 });
  }
  return {
    job: "search",
    instance: `10.3.${i >> 8}.${i & 255}:8080`,
    baseBytes: base,
    runs,
    memoryLimitBytes: limit,
    expect: i < 80 ? "leak" : "healthy",
    leakVersion: null,
  };
}

/** The run in effect at t. */
function runAt(instance: BenchInstance, t: number): Run {
  let current = instance.runs[0];
  for (const run of instance.runs) if (run.startSeconds <= t) current = run;
  return current;
}

interface Sample {
  goal: number;
  heapAlloc: number;
  gcCount: number;
  rss: number;
  goroutines: number;
  run: Run;
}

/** An instance's noise generator, carried from block to block (AR(1) noise, 2 % of its base). */
interface NoiseState {
  random: () => number;
  noise: number;
}

function blockSamples(
  instance: BenchInstance,
  state: NoiseState,
  startSeconds: number,
  from: number,
  to: number,
): Sample[] {
  const out: Sample[] = [];
  for (let k = from; k < to; k++) {
    const t = startSeconds + k * SAMPLE_SECONDS;
    const run = runAt(instance, t);
    state.noise = 0.8 * state.noise + (state.random() - 0.5) * 0.04 * instance.baseBytes;
    const leaked = run.leakBytesPerSecond * Math.max(0, t - run.leakFromSeconds);
    const warmup = Math.min(1, (t - run.startSeconds) / 120);
    const live = Math.max(2 * MiB, instance.baseBytes * (0.6 + 0.4 * warmup) + leaked + state.noise);
    const goal = Math.max(4 * MiB, Math.round(live * 2));
    out.push({
      goal,
      heapAlloc: Math.round(live + state.random() * (goal - live)),
      gcCount: Math.floor((t - run.startSeconds) * 0.2),
      rss: Math.round(goal * 1.1 + 15 * MiB),
      goroutines: 40 + Math.floor(state.random() * 6),
      run,
    });
  }
  return out;
}

const FAMILIES: [string, string, (s: Sample, i: BenchInstance) => string][] = [
  ["go_memstats_next_gc_bytes", "gauge", (s) => String(s.goal)],
  ["go_memstats_heap_alloc_bytes", "gauge", (s) => String(s.heapAlloc)],
  ["go_gc_duration_seconds", "summary", (s) => String(s.gcCount)],
  ["process_resident_memory_bytes", "gauge", (s) => String(s.rss)],
  ["process_start_time_seconds", "gauge", (s) => String(s.run.startSeconds)],
  ["go_goroutines", "gauge", (s) => String(s.goroutines)],
  [
    "go_gc_gomemlimit_bytes",
    "gauge",
    (_s, i) => (i.memoryLimitBytes === null ? "9.223372036854776e+18" : String(i.memoryLimitBytes)),
  ],
];

/** One OpenMetrics file per 2 h block: each family, each series, its samples in time order. */
async function writeBlockInput(
  file: string,
  instances: BenchInstance[],
  samples: Sample[][],
  startSeconds: number,
  fromIndex: number,
): Promise<void> {
  const out = createWriteStream(file);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once("drain", () => resolve()));
  const time = (k: number) => startSeconds + (fromIndex + k) * SAMPLE_SECONDS;
  for (const [name, type, value] of FAMILIES) {
    await write(`# TYPE ${name} ${type}\n`);
    const sampleName = type === "summary" ? `${name}_count` : name;
    for (let i = 0; i < instances.length; i++) {
      const labels = `{job="${instances[i].job}",instance="${instances[i].instance}"}`;
      let chunk = "";
      for (let k = 0; k < samples[i].length; k++)
        chunk += `${sampleName}${labels} ${value(samples[i][k], instances[i])} ${time(k)}\n`;
      await write(chunk);
    }
  }
  await write("# TYPE fleetsvc_build_info gauge\n");
  for (let i = 0; i < instances.length; i++) {
    // One series per version; each series' samples in time order.
    const versions = [...new Set(samples[i].map((s) => s.run.version))];
    let chunk = "";
    for (const version of versions)
      for (let k = 0; k < samples[i].length; k++)
        if (samples[i][k].run.version === version)
          chunk += `fleetsvc_build_info{job="${instances[i].job}",instance="${instances[i].instance}",version="${version}"} 1 ${time(k)}\n`;
    await write(chunk);
  }
  await write("# EOF\n");
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

/** The cached blocks, generated when missing or made by another generator version. */
export async function ensureFleetData(workDir: string, log: (line: string) => void): Promise<FleetData> {
  const dir = path.join(workDir, "fleet");
  const metaFile = path.join(dir, "meta.json");
  if (existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, "utf8"));
    if (meta.version === GENERATOR_VERSION && existsSync(path.join(dir, "blocks"))) {
      return {
        dir,
        blocksDir: path.join(dir, "blocks"),
        startSeconds: meta.startSeconds,
        endSeconds: meta.endSeconds,
        instances: fleetScenario(meta.startSeconds),
        generatedSeconds: 0,
      };
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const began = Date.now();
  const endSeconds = Math.floor(Date.now() / 1000 / BLOCK_SECONDS) * BLOCK_SECONDS - BLOCK_SECONDS;
  const startSeconds = endSeconds - HOURS * 3600;
  const instances = fleetScenario(startSeconds);
  log(`generating ${instances.length} instances × ${HOURS} h at ${SAMPLE_SECONDS} s…`);
  const states: NoiseState[] = instances.map((_, i) => ({ random: mulberry32(1000 + i), noise: 0 }));
  const blocksDir = path.join(dir, "blocks");
  const perBlock = BLOCK_SECONDS / SAMPLE_SECONDS;
  const total = (HOURS * 3600) / SAMPLE_SECONDS;
  for (let from = 0; from < total; from += perBlock) {
    const to = Math.min(from + perBlock, total);
    const samples = instances.map((instance, i) => blockSamples(instance, states[i], startSeconds, from, to));
    const file = path.join(dir, "block.om");
    await writeBlockInput(file, instances, samples, startSeconds, from);
    execFileSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", "-q", file, blocksDir], {
      stdio: "inherit",
    });
    rmSync(file);
    log(`  block ${from / perBlock + 1}/${Math.ceil(total / perBlock)} written`);
  }
  writeFileSync(metaFile, JSON.stringify({ version: GENERATOR_VERSION, startSeconds, endSeconds }));
  return {
    dir,
    blocksDir,
    startSeconds,
    endSeconds,
    instances,
    generatedSeconds: (Date.now() - began) / 1000,
  };
}
