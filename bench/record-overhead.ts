/**
 * What being recorded costs the target: CPU time (utime+stime from /proc) of a Go program with a
 * 200 MB pointer-rich heap and a fixed allocation rate (test/record/programs/steady-heap), recorded
 * at the default interval, against an unrecorded control. Variants:
 *   control   not recorded
 *   default   heapscope's default (--gc auto: gc=1 only when the profile would be stale)
 *   gc=1      --gc always: every heap profile with gc=1
 *   no-gc     --no-gc
 * Runs are interleaved (the order rotates each repeat) so load drifts on a shared machine hit all
 * variants alike. A recorded window runs from the end of the first sample to the end of the
 * (1+N)th, so it holds exactly N samples at the default rate (the first sample, discovery and the
 * session's start are outside it); CPU is compared as a rate (CPU seconds per second). Overhead is
 * computed per repeat against that repeat's control; the median is reported with the spread.
 *
 * Resolution: a window of one interval holds only a few of the target's own GC cycles, each about a
 * second of CPU here, so single-window figures scatter by several percent; raise
 * HEAPSCOPE_BENCH_WINDOWS (intervals per window) and HEAPSCOPE_BENCH_REPEATS for a finer figure.
 *
 *   npx tsx bench/record-overhead.ts            (or npm run bench -- record)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_INTERVAL_MS, RecordSession, type SampleEvent } from "../src/collect/record-session.js";
import { readProcessReading } from "../src/collect/rss.js";
import { buildGoProgram, freePort, repoRoot, startProgram, waitForHttp } from "../test/support/go.js";

const VARIANTS = ["control", "default", "gc=1", "no-gc"] as const;
type Variant = (typeof VARIANTS)[number];
type RecordedVariant = Exclude<Variant, "control">;

export interface RecordOverheadRun {
  repeat: number;
  variant: Variant;
  /** Target utime+stime per second of wall time over the window. */
  targetCpuPerSecond: number;
  windowSeconds: number;
  samples: number;
  forcedGcs: number;
  /** heapscope's own CPU time in the window (for information; not the target's cost). */
  heapscopeCpuSeconds: number;
}

export interface RecordOverheadResult {
  heapMB: number;
  allocMBps: number;
  intervalMs: number;
  intervalsPerWindow: number;
  repeats: number;
  runs: RecordOverheadRun[];
  /** Median over repeats of (recorded rate / control rate − 1), in percent. */
  overheadPercent: Record<RecordedVariant, number>;
  spreadPercent: Record<RecordedVariant, { min: number; max: number }>;
  targetsMet: { "gc=1 < 2%": boolean; "no-gc < 0.5%": boolean; "default < 2%": boolean };
}

const HEAP_MB = 200;
const ALLOC_MBPS = 100;
const WARMUP_MS = 2000;

export async function runRecordOverheadBench(): Promise<RecordOverheadResult> {
  const repeats = Math.max(3, Number(process.env.HEAPSCOPE_BENCH_REPEATS ?? 3));
  const windows = Math.max(1, Number(process.env.HEAPSCOPE_BENCH_WINDOWS ?? 1));
  const intervalMs = DEFAULT_INTERVAL_MS;
  const binary = await buildGoProgram(path.join(repoRoot, "test/record/programs/steady-heap"));
  const scratch = mkdtempSync(path.join(tmpdir(), "heapscope-bench-record-"));
  const runs: RecordOverheadRun[] = [];
  try {
    for (let repeat = 0; repeat < repeats; repeat++) {
      const shift = repeat % VARIANTS.length;
      const order = [...VARIANTS.slice(shift), ...VARIANTS.slice(0, shift)];
      for (const variant of order) {
        const out = path.join(scratch, `${repeat}-${variant.replace("=", "")}.hsrec`);
        const run = await measure(binary, variant, windows, intervalMs, out);
        runs.push({ repeat, variant, ...run });
        process.stderr.write(
          `record-overhead: repeat ${repeat + 1}/${repeats} ${variant.padEnd(7)} ` +
            `target ${run.targetCpuPerSecond.toFixed(3)} CPU-s/s over ${run.windowSeconds.toFixed(1)} s, ` +
            `${run.samples} sample(s), ${run.forcedGcs} forced GC(s)\n`,
        );
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const overheadPercent = {} as Record<RecordedVariant, number>;
  const spreadPercent = {} as Record<RecordedVariant, { min: number; max: number }>;
  for (const variant of VARIANTS.filter((v): v is RecordedVariant => v !== "control")) {
    const perRepeat = Array.from({ length: repeats }, (_, repeat) => {
      const control = runs.find((r) => r.repeat === repeat && r.variant === "control")!.targetCpuPerSecond;
      const recorded = runs.find((r) => r.repeat === repeat && r.variant === variant)!.targetCpuPerSecond;
      return ((recorded - control) / control) * 100;
    });
    overheadPercent[variant] = round(median(perRepeat));
    spreadPercent[variant] = { min: round(Math.min(...perRepeat)), max: round(Math.max(...perRepeat)) };
  }
  const result: RecordOverheadResult = {
    heapMB: HEAP_MB,
    allocMBps: ALLOC_MBPS,
    intervalMs,
    intervalsPerWindow: windows,
    repeats,
    runs,
    overheadPercent,
    spreadPercent,
    targetsMet: {
      "gc=1 < 2%": overheadPercent["gc=1"] < 2,
      "no-gc < 0.5%": overheadPercent["no-gc"] < 0.5,
      "default < 2%": overheadPercent.default < 2,
    },
  };
  const line = (v: RecordedVariant) =>
    `${v} ${overheadPercent[v]}% (${spreadPercent[v].min}…${spreadPercent[v].max})`;
  process.stdout.write(
    `record overhead, target CPU vs unrecorded control (median of ${repeats}, spread): ` +
      `${line("default")}, ${line("gc=1")} [target < 2%], ${line("no-gc")} [target < 0.5%]\n`,
  );
  return result;
}

async function measure(
  binary: string,
  variant: Variant,
  windows: number,
  intervalMs: number,
  out: string,
): Promise<Omit<RecordOverheadRun, "repeat" | "variant">> {
  const port = await freePort();
  const program = startProgram(binary, [
    "-addr",
    `127.0.0.1:${port}`,
    "-heap-mb",
    String(HEAP_MB),
    "-alloc-mbps",
    String(ALLOC_MBPS),
  ]);
  const url = `http://127.0.0.1:${port}`;
  const pid = program.child.pid!;
  const cpu = () => readProcessReading(pid)!.cpuSeconds;
  try {
    await waitForHttp(`${url}/debug/pprof/`, 120_000);
    await sleep(WARMUP_MS);
    if (variant === "control") {
      const before = cpu();
      const start = performance.now();
      await sleep(windows * intervalMs);
      const seconds = (performance.now() - start) / 1000;
      return {
        targetCpuPerSecond: (cpu() - before) / seconds,
        windowSeconds: seconds,
        samples: 0,
        forcedGcs: 0,
        heapscopeCpuSeconds: 0,
      };
    }
    const gc = variant === "gc=1" ? "always" : variant === "no-gc" ? "never" : "auto";
    const session = new RecordSession({ url, out, intervalMs, gc, pid, dumpEvery: 30 });
    const events: { event: SampleEvent; cpu: number; at: number; own: NodeJS.CpuUsage }[] = [];
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    session.on("sample", (event) => {
      events.push({ event, cpu: cpu(), at: performance.now(), own: process.cpuUsage() });
      if (events.length === windows + 1) done();
    });
    const running = session.run();
    await finished;
    session.stop();
    session.stop(); // at once: no final sample
    await running;
    const first = events[0]!;
    const last = events[windows]!;
    const inWindow = events.slice(1, windows + 1);
    const own = process.cpuUsage(first.own);
    const seconds = (last.at - first.at) / 1000;
    return {
      targetCpuPerSecond: (last.cpu - first.cpu) / seconds,
      windowSeconds: seconds,
      samples: inWindow.length,
      forcedGcs: inWindow.filter((e) => e.event.heapGcForced).length,
      heapscopeCpuSeconds: round(((own.user + own.system) / 1e6) * 1),
    };
  } finally {
    await program.stop();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runRecordOverheadBench();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
