/**
 * The UI's timelines carry the trend engine's judgement of the series they draw, and it is the one
 * the CLI gives: a gctrace log's live heap as `heapscope gctrace` judges it, a MemStats series as
 * `heapscope memstats` does.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeGcTrace } from "../../src/analysis/gc-stats.js";
import { analyzeMemStats } from "../../src/analysis/memstats-health.js";
import { parseGcTrace } from "../../src/formats/gctrace/index.js";
import { detectAndParseMemStatsSeries } from "../../src/formats/memstats.js";
import { gcTraceTimeline, memStatsTimeline } from "../../src/ui/server/series.js";

const gctraceFixtures = path.resolve(import.meta.dirname, "../fixtures/gctrace");

describe("timeline trends", () => {
  for (const file of readdirSync(gctraceFixtures).filter((f) => f.startsWith("go1.26-"))) {
    it(`gctrace ${file}: the live heap's trend is gctrace's`, () => {
      const text = readFileSync(path.join(gctraceFixtures, file), "utf8");
      const report = gcTraceTimeline({
        id: "0",
        kind: "gctrace",
        name: file,
        description: "",
        trace: parseGcTrace(text),
      });
      const liveHeap = report.series.find((s) => s.key === "liveHeap")!;
      const cli = analyzeGcTrace(text, file)!.summary.trend;
      expect(liveHeap.trend?.verdict).toBe(cli.verdict);
      expect(liveHeap.trend?.reason).toBe(cli.reason);
      expect(liveHeap.trend?.policy).toBe("gctrace");
    });
  }

  it("a MemStats series: the trends are memstats'", () => {
    // A synthetic expvar series: the heap goal climbing 1 MiB per reading, one reading a second.
    const lines = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({
        memstats: {
          HeapAlloc: (50 + i) * 1048576,
          NextGC: (100 + 2 * i) * 1048576,
          NumGC: i,
          HeapObjects: 1000 + i,
          Sys: 300 * 1048576,
          HeapReleased: 0,
          PauseTotalNs: 0,
          LastGC: (1_700_000_000 + i) * 1e9,
        },
        time: new Date(1_700_000_000_000 + i * 1000).toISOString(),
      }),
    ).join("\n");
    const series = detectAndParseMemStatsSeries(lines, "vars.jsonl");
    const report = memStatsTimeline({ id: "0", kind: "memstats", name: "vars", description: "", series });
    const cli = analyzeMemStats(series).trends.find((t) => t.signal === "heapGoal");
    const nextGc = report.series.find((s) => s.key === "nextGc");
    expect(cli).toBeDefined();
    expect(nextGc?.trend?.verdict).toBe(cli!.result.verdict);
    expect(nextGc?.trend?.verdict).toBe("growing");
  });
});
