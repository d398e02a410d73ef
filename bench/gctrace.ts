/**
 * gctrace benchmark: one million lines of stderr (gc lines of a slowly leaking process, plus
 * scavenger, pacer, "GC forced" and application lines) parsed and judged end to end in 1 MiB
 * chunks, the way `heapscope gctrace` reads a file: parser, per-run accumulators, GC statistics and
 * the trend verdict. Target: under 1.5 s, decided from the repeats (bench/decide.ts: met or missed
 * only beyond their run-to-run spread). The peer is the least any reader must do: split the text
 * into lines and run the gctrace regular expression of the runtime notes on each (no statistics).
 * Run alone with `npx tsx bench/gctrace.ts`.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GcTraceAnalyzer } from "../src/analysis/gc-stats.js";
import { decide, formatTarget, quantileBand, type TargetResult } from "./decide.js";

export interface GcTraceBenchResult {
  lines: number;
  megabytes: number;
  cycles: number;
  verdict: string;
  runs: number;
  /** Median wall time of heapscope's end-to-end parse + judge. */
  heapscopeMs: number;
  /** Breakdown of heapscopeMs (medians of each part, so they need not add up exactly): reading the
   * chunks (parser and per-run accumulators), then the statistics and verdict (`analysis()`). */
  parseMs: number;
  judgeMs: number;
  /** Median wall time of split + regex only. */
  regexOnlyMs: number;
  /** heapscope time / regex-only time. */
  overhead: number;
  /** Median wall time of one charCodeAt pass over the text (machine speed). */
  charPassMs: number;
  /** heapscope time / one character pass. */
  perCharPass: number;
  targetMs: number;
  /** heapscope end to end < targetMs, from the repeats. */
  targets: TargetResult[];
}

const NOTES_REGEX =
  /gc #?(\d+) @([\d.]+)s (\d+)%: ([\d.]+(?:\+[\d.]+){2,4}) ms clock, ([\d.+/]+) ms cpu, (\d+)->(\d+)->(\d+) MB, (\d+) MB goal, (?:(\d+) MB stacks, (\d+) ?MB globals, )?(\d+) P((?: \([^)]*\))*)/;

/** A deterministic stream of `lines` lines; returns 1 MiB chunks as they would be read from disk. */
export function generateGcTraceLines(lines = 1_000_000): Buffer[] {
  let seed = 12345;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  const out: string[] = [];
  let cycle = 0;
  let t = 0.5;
  for (let i = 0; i < lines; i++) {
    const r = random();
    if (r < 0.86) {
      cycle++;
      t += 0.5 + random();
      // 150 MiB leaking 1 MiB/h, with a few MiB of noise.
      const live = Math.floor(150 + t / 3600 + random() * 4);
      const start = live * 2 - 3;
      const forced = random() < 0.02 ? " (forced)" : "";
      out.push(
        `gc ${cycle} @${t.toFixed(3)}s 3%: 0.0${Math.floor(random() * 90 + 10)}+${(random() * 9 + 1).toFixed(1)}+0.00${Math.floor(random() * 9 + 1)} ms clock, 0.1${Math.floor(random() * 9)}+0.${Math.floor(random() * 90 + 10)}/${(random() * 5).toFixed(2)}/0.${Math.floor(random() * 9)}+0.01${Math.floor(random() * 9)} ms cpu, ${start}->${start + 2}->${live} MB, ${live * 2} MB goal, 0 MB stacks, 0 MB globals, 8 P${forced}`,
      );
    } else if (r < 0.92) {
      out.push(
        `scav 0 KiB work (bg), ${Math.floor(random() * 4096)} KiB work (eager), ${Math.floor(random() * 90000)} KiB now, ${Math.floor(random() * 100)}% util`,
      );
    } else if (r < 0.95) {
      out.push("pacer: assist ratio=+1.181532e+000 (scan 0 MB in 3->4 MB) workers=0++2.500000e-001");
    } else if (r < 0.999) {
      out.push(
        `2024/05/01 12:00:${String(i % 60).padStart(2, "0")} handled request id=${i} in ${Math.floor(random() * 90)}ms`,
      );
    } else {
      out.push("GC forced");
    }
  }
  const text = Buffer.from(`${out.join("\n")}\n`);
  const chunks: Buffer[] = [];
  for (let i = 0; i < text.length; i += 1 << 20) chunks.push(text.subarray(i, i + (1 << 20)));
  return chunks;
}

interface HeapscopeRun {
  ms: number;
  parseMs: number;
  judgeMs: number;
  cycles: number;
  verdict: string;
  runs: number;
}

function heapscopeOnce(chunks: Buffer[]): HeapscopeRun {
  const start = performance.now();
  const analyzer = new GcTraceAnalyzer();
  for (const chunk of chunks) analyzer.push(chunk);
  analyzer.end();
  const parsed = performance.now();
  const analysis = analyzer.analysis("bench");
  const ms = performance.now() - start;
  return {
    ms,
    parseMs: parsed - start,
    judgeMs: ms - (parsed - start),
    cycles: analysis?.summary.cycles ?? 0,
    verdict: analysis?.summary.verdict ?? "none",
    runs: analysis?.runs.length ?? 0,
  };
}

function regexOnlyOnce(chunks: Buffer[]): number {
  const start = performance.now();
  const decoder = new TextDecoder();
  let carry = "";
  let matched = 0;
  for (const chunk of chunks) {
    const text = carry + decoder.decode(chunk, { stream: true });
    const lines = text.split("\n");
    carry = lines.pop() ?? "";
    for (const line of lines) if (NOTES_REGEX.exec(line)) matched++;
  }
  if (matched === 0) throw new Error("regex matched nothing");
  return performance.now() - start;
}

function charPassOnce(chunks: Buffer[]): number {
  const start = performance.now();
  const decoder = new TextDecoder();
  let sum = 0;
  for (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    for (let i = 0; i < text.length; i++) sum += text.charCodeAt(i);
  }
  if (sum === 0) throw new Error("empty");
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export async function runGcTraceBench(
  options: { lines?: number; runs?: number } = {},
): Promise<GcTraceBenchResult> {
  const lines = options.lines ?? 1_000_000;
  const runs = options.runs ?? 5;
  const chunks = generateGcTraceLines(lines);
  const megabytes = chunks.reduce((n, c) => n + c.length, 0) / (1 << 20);
  // Warm up both paths once.
  heapscopeOnce(chunks.slice(0, 4));
  regexOnlyOnce(chunks.slice(0, 4));
  const heapscopeTimes: number[] = [];
  const parseTimes: number[] = [];
  const judgeTimes: number[] = [];
  const regexTimes: number[] = [];
  const charTimes: number[] = [];
  let last: HeapscopeRun = { ms: 0, parseMs: 0, judgeMs: 0, cycles: 0, verdict: "", runs: 0 };
  for (let i = 0; i < runs; i++) {
    last = heapscopeOnce(chunks);
    heapscopeTimes.push(last.ms);
    parseTimes.push(last.parseMs);
    judgeTimes.push(last.judgeMs);
    regexTimes.push(regexOnlyOnce(chunks));
    charTimes.push(charPassOnce(chunks));
  }
  const heapscopeMs = median(heapscopeTimes);
  const regexOnlyMs = median(regexTimes);
  const charPassMs = median(charTimes);
  const targetMs = 1500;
  return {
    lines,
    megabytes: Math.round(megabytes * 10) / 10,
    cycles: last.cycles,
    verdict: last.verdict,
    runs: last.runs,
    heapscopeMs: Math.round(heapscopeMs),
    parseMs: Math.round(median(parseTimes)),
    judgeMs: Math.round(median(judgeTimes)),
    regexOnlyMs: Math.round(regexOnlyMs),
    overhead: Math.round((heapscopeMs / regexOnlyMs) * 100) / 100,
    charPassMs: Math.round(charPassMs),
    perCharPass: Math.round((heapscopeMs / charPassMs) * 100) / 100,
    targetMs,
    targets: [
      decide(`1M gctrace lines parsed and judged < ${targetMs} ms`, quantileBand(heapscopeTimes), {
        threshold: targetMs,
        better: "lower",
        unit: " ms",
      }),
    ],
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await runGcTraceBench();
  console.log(
    `gctrace: ${result.lines} lines (${result.megabytes} MiB, ${result.cycles} cycles) parsed and judged (${result.verdict}) in ${result.heapscopeMs} ms (parse ${result.parseMs}, judge ${result.judgeMs}); split + regex alone ${result.regexOnlyMs} ms (×${result.overhead}); one charCodeAt pass ${result.charPassMs} ms (×${result.perCharPass}); target: ${formatTarget(result.targets[0]!)}`,
  );
}
