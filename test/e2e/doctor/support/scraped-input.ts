/** Turns a scraped run (scrape.ts) into the diagnosis core's input, parsing with heapscope's own formats. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { readGoroutineDump } from "../../../../src/analysis/goroutine-groups.js";
import type { DiagnosisInput } from "../../../../src/diagnose/input.js";
import { parseGcTrace } from "../../../../src/formats/gctrace/index.js";
import { parseExpvarMemStats } from "../../../../src/formats/memstats-expvar.js";
import { parseProfileBytes } from "../../../../src/formats/profile-bytes.js";
import type { ScrapedRun } from "./scrape.js";

export function inputFromScrapedRun(
  run: ScrapedRun,
  options: {
    subject?: string;
    gctrace?: string;
    modulePath?: string;
    readSource?: (file: string) => string | undefined;
  } = {},
): DiagnosisInput {
  const input: DiagnosisInput = {
    subject: options.subject ?? "scraped run",
    heapSnapshots: run.ticks.map((tick, i) => ({
      tSeconds: tick.tSeconds,
      gcForced: true,
      loadProfile: () => parseProfileBytes(tick.heap, `tick ${i}`).profile,
    })),
    goroutineSnapshots: run.ticks
      .filter((tick) => tick.goroutines !== null)
      .map((tick) => ({
        tSeconds: tick.tSeconds,
        snapshot: readGoroutineDump(tick.goroutines!, { keepGoroutines: false }),
      })),
    memStats: run.ticks
      .filter((tick) => tick.vars !== null)
      .map((tick) => ({ tSeconds: tick.tSeconds, sample: parseExpvarMemStats(tick.vars!) })),
    rss: run.ticks
      .filter((tick) => tick.rssBytes !== null)
      .map((tick) => ({ tSeconds: tick.tSeconds, rssBytes: tick.rssBytes! })),
    gcCycles: [],
    modulePath: options.modulePath,
    readSource: options.readSource,
  };
  if (options.gctrace) {
    const parsed = parseGcTrace(options.gctrace);
    const run0 = parsed.runs[parsed.targetRunIndex];
    input.gcCycles = (run0?.cycles ?? []).map((cycle) => ({ tSeconds: cycle.atSeconds, cycle }));
  }
  return input;
}

/** Reads source files as the CLI does: only existing files, capped. */
export function readLocalSource(file: string): string | undefined {
  if (!path.isAbsolute(file) || !existsSync(file)) return undefined;
  return readFileSync(file, "utf8");
}
