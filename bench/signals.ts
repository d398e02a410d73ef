/**
 * Runtime-signal parsers against their floor:
 * - lossless JSON (big integers kept) vs JSON.parse on a /debug/vars series (1,000 documents);
 * - goroutine dump parsing (grouping as it goes) vs merely splitting the text into lines, on a
 *   200,000-goroutine debug=2 dump built from a real Go 1.23 dump's goroutine blocks.
 * Prints times and ratios; no pass/fail.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { readGoroutineDump } from "../src/analysis/goroutine-groups.js";
import { parseLosslessJson } from "../src/formats/lossless-json.js";
import { detectAndParseMemStats } from "../src/formats/memstats.js";

const fixtures = path.resolve(import.meta.dirname, "../test/fixtures/signals");

function best(runs: number, fn: () => unknown): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    min = Math.min(min, performance.now() - start);
  }
  return min;
}

export async function runSignalsBench(): Promise<Record<string, unknown>> {
  const vars = readFileSync(path.join(fixtures, "go1.23-debug-vars.json"), "utf8").replace(/\s*\n\s*/g, "");
  const series = Array.from({ length: 1000 }, (_, i) => `{"time":${1714557600 + i},"vars":${vars}}`).join(
    "\n",
  );
  const jsonParse = best(5, () => series.split("\n").map((line) => JSON.parse(line)));
  const lossless = best(5, () => series.split("\n").map((line) => parseLosslessJson(line)));
  const memstats = best(5, () => detectAndParseMemStats(series, "bench"));

  const sample = readFileSync(path.join(fixtures, "go1.23-goroutines-debug1-then-debug2.txt"), "utf8").split(
    /^=== debug=2\n/m,
  )[1];
  const blocks = sample.trim().split("\n\n").slice(1);
  const parts: string[] = [];
  for (let i = 0; i < 200_000; i++)
    parts.push(blocks[i % blocks.length].replace(/^goroutine \d+/, `goroutine ${i + 1}`));
  const dump = parts.join("\n\n");
  const split = best(3, () => dump.split("\n").length);
  const parse = best(3, () => readGoroutineDump(dump, { keepGoroutines: false }));

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
  };
}
