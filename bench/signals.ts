/**
 * Runtime-signal parsers against their floor:
 * - lossless JSON (big integers kept) vs JSON.parse on a /debug/vars series (1,000 documents);
 * - goroutine dump parsing (grouping as it goes) vs merely splitting the text into lines, on a
 *   200,000-goroutine debug=2 dump built from a real Go 1.23 dump's goroutine blocks.
 * Prints the best times and their ratios. Targets (proposed; the project had none): lossless JSON
 * within 10× JSON.parse, dump parsing within 4× splitting into lines, decided from the per-run ratios
 * (bench/decide.ts): met or missed only beyond their run-to-run spread.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { readGoroutineDump } from "../src/analysis/goroutine-groups.js";
import { parseLosslessJson } from "../src/formats/lossless-json.js";
import { detectAndParseMemStats } from "../src/formats/memstats.js";
import { decide, quantileBand } from "./decide.js";

const fixtures = path.resolve(import.meta.dirname, "../test/fixtures/signals");

/** Wall time of each of `runs` calls, ms. */
function times(runs: number, fn: () => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    out.push(performance.now() - start);
  }
  return out;
}

const best = (values: number[]) => Math.min(...values);
/** ours[i] / floor[i] for each run i. */
const perRunRatios = (ours: number[], floor: number[]) => ours.map((t, i) => t / floor[i]!);

export async function runSignalsBench(): Promise<Record<string, unknown>> {
  const vars = readFileSync(path.join(fixtures, "go1.23-debug-vars.json"), "utf8").replace(/\s*\n\s*/g, "");
  const series = Array.from({ length: 1000 }, (_, i) => `{"time":${1714557600 + i},"vars":${vars}}`).join(
    "\n",
  );
  const jsonParseTimes = times(5, () => series.split("\n").map((line) => JSON.parse(line)));
  const losslessTimes = times(5, () => series.split("\n").map((line) => parseLosslessJson(line)));
  const memstats = best(times(5, () => detectAndParseMemStats(series, "bench")));
  const jsonParse = best(jsonParseTimes);
  const lossless = best(losslessTimes);

  const sample = readFileSync(path.join(fixtures, "go1.23-goroutines-debug1-then-debug2.txt"), "utf8").split(
    /^=== debug=2\n/m,
  )[1];
  const blocks = sample.trim().split("\n\n").slice(1);
  const parts: string[] = [];
  for (let i = 0; i < 200_000; i++)
    parts.push(blocks[i % blocks.length].replace(/^goroutine \d+/, `goroutine ${i + 1}`));
  const dump = parts.join("\n\n");
  const splitTimes = times(3, () => dump.split("\n").length);
  const parseTimes = times(3, () => readGoroutineDump(dump, { keepGoroutines: false }));
  const split = best(splitTimes);
  const parse = best(parseTimes);

  return {
    expvarSeries: {
      documents: 1000,
      jsonParseMs: +jsonParse.toFixed(1),
      losslessJsonMs: +lossless.toFixed(1),
      losslessVsJsonParse: +(lossless / jsonParse).toFixed(2),
      detectAndParseMemStatsMs: +memstats.toFixed(1),
    },
    goroutineDump: {
      goroutines: 200_000,
      megabytes: +(dump.length / 2 ** 20).toFixed(1),
      splitLinesMs: +split.toFixed(1),
      parseAndGroupMs: +parse.toFixed(1),
      parseVsSplit: +(parse / split).toFixed(2),
      megabytesPerSecond: +(dump.length / 2 ** 20 / (parse / 1000)).toFixed(1),
    },
    targets: [
      decide("lossless JSON ≤ 10× JSON.parse", quantileBand(perRunRatios(losslessTimes, jsonParseTimes)), {
        threshold: 10,
        better: "lower",
        unit: "×",
      }),
      decide(
        "goroutine dump parse ≤ 4× splitting lines",
        quantileBand(perRunRatios(parseTimes, splitTimes)),
        {
          threshold: 4,
          better: "lower",
          unit: "×",
        },
      ),
    ],
  };
}
