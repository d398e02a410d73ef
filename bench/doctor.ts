/**
 * `npm run bench -- doctor`:
 *  1. time to verdict under --duration auto against the fixed 30 s window on the held-out doctor
 *     scenarios, with the goals of the auto mode (doctor-auto.ts). HEAPSCOPE_BENCH_CORPUS=0 skips it.
 *  2. heapscope's own cost diagnosing a synthetic 24-hour recording (8640 samples at 10 s, thinned as
 *     the recorder thins under its size cap): CPU seconds and peak RSS of the `doctor FILE` process,
 *     and the same for a 1-hour recording, so the ratio shows the cost stays bounded.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { encodeProfileGzip } from "../src/formats/pprof-proto-encode.js";
import type { Location, Profile, ProfileFunction, Sample } from "../src/profile/model.js";
import { RecordingWriter } from "../src/store/recording-writer.js";
import { VERSION } from "../src/version.js";
import { countedTarget } from "./decide.js";
import { runDoctorAutoBench } from "./doctor-auto.js";

const repoRoot = path.resolve(import.meta.dirname, "..");
const cli = path.join(repoRoot, "bin/heapscope.js");

interface CostFigures {
  recordingHours: number;
  samples: number;
  fileMiB: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
  verdict: string;
}

export async function runDoctorBench(): Promise<unknown> {
  const cost24h = await measureDiagnosisCost(24);
  const cost1h = await measureDiagnosisCost(1);
  const result: Record<string, unknown> = {
    synthetic24h: cost24h,
    synthetic1h: cost1h,
    ratio24hOver1h: {
      cpu: round(cost24h.cpuSeconds / Math.max(cost1h.cpuSeconds, 1e-3)),
      peakRss: round(cost24h.peakRssMiB / Math.max(cost1h.peakRssMiB, 1e-3)),
    },
  };
  const auto = await runDoctorAutoBench();
  if (auto) {
    result.autoVsFixed = auto;
    result.targets = auto.goals.map((g) => countedTarget(g.goal, g.status, g.detail));
  }
  printTable(result);
  return result;
}

function printTable(result: Record<string, unknown>): void {
  const c24 = result.synthetic24h as CostFigures;
  const c1 = result.synthetic1h as CostFigures;
  process.stdout.write(
    `doctor on a synthetic recording: 24 h (${c24.samples} samples, ${c24.fileMiB} MiB): ${c24.cpuSeconds} s CPU, ${c24.peakRssMiB} MiB peak RSS; ` +
      `1 h: ${c1.cpuSeconds} s CPU, ${c1.peakRssMiB} MiB peak RSS (24h/1h: CPU ×${(result.ratio24hOver1h as { cpu: number }).cpu}, RSS ×${(result.ratio24hOver1h as { peakRss: number }).peakRss})\n`,
  );
}

// ---------------------------------------------------------------------------------------------
// Cost on a synthetic long recording

const MEASURE_SCRIPT = `
const [cli, ...args] = process.argv.slice(1);
const { main } = await import(new URL("../dist/cli/main.js", "file://" + cli).href);
const code = await main([process.argv0, cli, ...args]);
const usage = process.resourceUsage();
process.stderr.write("\\nHEAPSCOPE_COST " + JSON.stringify({ cpu: (usage.userCPUTime + usage.systemCPUTime) / 1e6, maxRssKiB: usage.maxRSS, code }) + "\\n");
`;

async function measureDiagnosisCost(hours: number): Promise<CostFigures> {
  const file = path.join(tmpdir(), `heapscope-bench-${hours}h-${VERSION}.hsrec`);
  const samples = Math.round((hours * 3600) / 10);
  if (!existsSync(file)) writeSyntheticRecording(file, samples);
  const sizeMiB = round(readFileSync(file).byteLength / 1048576);
  const started = performance.now();
  const { stdout, stderr } = await runNode([
    "--input-type=module",
    "-e",
    MEASURE_SCRIPT,
    cli,
    "doctor",
    file,
    "--json",
  ]);
  const wall = (performance.now() - started) / 1000;
  const match = /HEAPSCOPE_COST (\{.*\})/.exec(stderr);
  if (!match) throw new Error(`doctor did not report its cost: ${stderr.slice(0, 400)}`);
  const cost = JSON.parse(match[1]) as { cpu: number; maxRssKiB: number };
  let verdict = "error";
  try {
    verdict = (JSON.parse(stdout) as { verdict: string }).verdict;
  } catch {
    // keep "error"
  }
  return {
    recordingHours: hours,
    samples,
    fileMiB: sizeMiB,
    wallSeconds: round(wall),
    cpuSeconds: round(cost.cpu),
    peakRssMiB: round(cost.maxRssKiB / 1024),
    verdict,
  };
}

function runNode(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, stderr, code: code ?? -1 }));
  });
}

/**
 * A day of a service with a 1 KiB/s leak at one site beside churn at others: heap profiles every
 * sample (thinned by the writer's size cap, like the recorder), goroutine summaries, MemStats, RSS.
 */
export function writeSyntheticRecording(file: string, samples: number): void {
  rmSync(file, { force: true });
  const intervalMs = 10_000;
  const startMs = Date.UTC(2026, 0, 1);
  const writer = RecordingWriter.create(file, {
    target: {
      url: "http://127.0.0.1:6060",
      endpoints: { heap: "http://127.0.0.1:6060/debug/pprof/heap", vars: "http://127.0.0.1:6060/debug/vars" },
      headerNames: [],
      command: null,
      cmdline: null,
      pid: null,
      goVersion: null,
      hostname: "bench",
    },
    settings: {
      intervalMs,
      durationMs: samples * intervalMs,
      forceGc: true,
      dumpEvery: 30,
      keepVars: false,
      maxSizeBytes: 64 * 1024 * 1024,
      requestTimeoutMs: 30_000,
    },
    heapscopeVersion: VERSION,
    now: () => startMs,
  });
  const model = syntheticModel();
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (let i = 0; i < samples; i++) {
    const at = startMs + i * intervalMs;
    const tSeconds = (i * intervalMs) / 1000;
    const profile = model.profileAt(tSeconds, random);
    const bytes = encodeProfileGzip(profile);
    const inuseBytes = profile.samples.reduce((s, x) => s + x.values[3], 0);
    const inuseObjects = profile.samples.reduce((s, x) => s + x.values[2], 0);
    const goroutines = 40 + Math.floor(random() * 4);
    writer.writeSample({
      startedMs: at,
      finishedMs: at + 50,
      final: i === samples - 1,
      heap: {
        bytes,
        gcForced: true,
        summary: {
          inuseBytes,
          inuseObjects,
          allocBytes: profile.samples.reduce((s, x) => s + x.values[1], 0),
          allocObjects: profile.samples.reduce((s, x) => s + x.values[0], 0),
          sampleCount: profile.samples.length,
        },
      },
      goroutineProfile: {
        bytes: new Uint8Array([i & 0xff, (i >> 8) & 0xff, 1]),
        summary: {
          total: goroutines,
          distinctStacks: 3,
          topGroups: [
            {
              key: "w",
              count: goroutines - 4,
              state: null,
              waitMinutesMax: null,
              stack: ["main.worker", "main.main.func1"],
              createdBy: null,
            },
            {
              key: "s",
              count: 4,
              state: null,
              waitMinutesMax: null,
              stack: ["net/http.(*conn).serve"],
              createdBy: null,
            },
          ],
          leaked: 0,
        },
      },
      memstats: [
        {
          source: "expvar",
          sample: {
            fields: {
              HeapAlloc: inuseBytes + 900_000 + Math.floor(random() * 20_000),
              HeapInuse: inuseBytes + 2_000_000,
              HeapIdle: 4_000_000,
              HeapReleased: 3_000_000,
              HeapObjects: inuseObjects + 5000,
              Sys: inuseBytes + 20_000_000,
              NumGC: i * 3,
              NumForcedGC: i,
              StackInuse: 400_000,
              NextGC: inuseBytes * 2,
            },
          },
        },
      ],
      rss: {
        bytes: inuseBytes + 15_000_000 + Math.floor(random() * 500_000),
        pid: 1,
        source: "proc",
        cpuSeconds: i * 0.1,
      },
      errors: [],
    });
  }
  writer.finish({ complete: true, reason: "duration" });
}

function syntheticModel() {
  const functions: ProfileFunction[] = [];
  const locations: Location[] = [];
  const fn = (name: string, line: number) => {
    const f: ProfileFunction = {
      id: functions.length + 1,
      name,
      systemName: name,
      filename: "/src/svc/main.go",
      startLine: line - 3,
    };
    functions.push(f);
    const loc: Location = {
      id: locations.length + 1,
      mapping: undefined,
      address: 0n,
      lines: [{ function: f, line, column: 0 }],
      isFolded: false,
    };
    locations.push(loc);
    return loc;
  };
  const mainMain = fn("main.main", 80);
  const leak = [fn("main.(*registry).remember", 42), fn("main.handle", 60), mainMain];
  const cache = [fn("main.(*lru).put", 30), fn("main.handle", 61), mainMain];
  const churn = Array.from({ length: 40 }, (_, k) => [
    fn(`main.step${k}`, 100 + k),
    fn("main.handle", 62),
    mainMain,
  ]);
  const sample = (stack: Location[], objects: number, size: number, allocObjects: number): Sample => ({
    locations: stack,
    values: [allocObjects, allocObjects * size, objects, objects * size],
    labels: new Map(),
    numLabels: new Map([["bytes", [BigInt(size)]]]),
    numUnits: new Map([["bytes", [""]]]),
  });
  return {
    profileAt(tSeconds: number, random: () => number): Profile {
      const leakObjects = Math.floor((tSeconds * 1024) / 512);
      const samples: Sample[] = [
        sample(leak, leakObjects, 512, leakObjects),
        sample(cache, 20_000 + Math.floor(random() * 200), 1024, 20_000 + Math.floor(tSeconds * 50)),
      ];
      for (const stack of churn) {
        samples.push(sample(stack, Math.floor(random() * 50), 256, Math.floor(tSeconds * 100)));
      }
      return {
        sampleTypes: [
          { type: "alloc_objects", unit: "count" },
          { type: "alloc_space", unit: "bytes" },
          { type: "inuse_objects", unit: "count" },
          { type: "inuse_space", unit: "bytes" },
        ],
        samples,
        mappings: [],
        locations,
        functions,
        dropFrames: "",
        keepFrames: "",
        timeNanos: BigInt(Math.round(tSeconds * 1e9)),
        durationNanos: 0n,
        periodType: { type: "space", unit: "bytes" },
        period: 524288n,
        comments: [],
        defaultSampleType: "",
        docUrl: "",
      };
    },
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
