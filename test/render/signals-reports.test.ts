import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { diffGoroutineGroups, readGoroutineDump } from "../../src/analysis/goroutine-groups.js";
import { analyzeMemStats } from "../../src/analysis/memstats-health.js";
import { detectAndParseMemStatsSeries } from "../../src/formats/memstats.js";
import {
  type GoroutinesView,
  goroutinesReportJson,
  renderGoroutinesMarkdown,
  renderGoroutinesText,
} from "../../src/render/goroutines-report.js";
import {
  memStatsReportJson,
  renderMemStatsMarkdown,
  renderMemStatsText,
} from "../../src/render/memstats-report.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/signals");
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), "utf8");

function view(text: string, extra: Partial<GoroutinesView> = {}): GoroutinesView {
  const snapshot = readGoroutineDump(text);
  return {
    source: "dump.txt",
    snapshot,
    groups: snapshot.groups,
    filters: [],
    notes: [],
    limit: 20,
    depth: 12,
    ...extra,
  };
}

describe("goroutines report", () => {
  it("JSON has the documented shape", () => {
    const json = goroutinesReportJson(view(fixture("go1.21-panic-gotraceback-all.txt")));
    expect(json).toMatchObject({
      format: "traceback",
      total: 2,
      reason: "panic: assignment to entry in nil map",
    });
    const groups = json.groups as Record<string, unknown>[];
    expect(groups).toContainEqual(
      expect.objectContaining({
        count: 1,
        state: "chan receive",
        stack: ["main.blockedOnChan"],
        createdBy: "main.main",
        createdByLocation: "/home/dev/leak/main.go:81",
        waitMinutes: null,
      }),
    );
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it("debug=1 groups have null state and creator; labels are escaped in Markdown", () => {
    const dump = [
      "goroutine profile: total 3",
      "3 @ 0x1 0x2",
      '# labels: {"route":"/a|b", "who":"<script>alert(1)</script>"}',
      "#\t0x1\tmain.handle+0x1\t/app/h.go:10",
      "",
    ].join("\n");
    const v = view(dump);
    const json = goroutinesReportJson(v);
    expect(json.groups).toEqual([
      expect.objectContaining({
        count: 3,
        state: null,
        createdBy: null,
        stack: ["main.handle"],
        waitMinutes: null,
      }),
    ]);
    const markdown = renderGoroutinesMarkdown(v);
    expect(markdown).toContain("route=/a\\|b");
    expect(markdown).toContain("\\<script\\>alert\\(1\\)\\</script\\>");
    expect(markdown).not.toContain("<script>");
    const text = renderGoroutinesText(v);
    expect(text).toMatch(/3 goroutines in 1 groups \(debug=1 profile\)/);
  });

  it("text with --base lists growth", () => {
    const before = readGoroutineDump(
      fixture("go1.19-goroutines-debug1-then-debug2.txt").split(/^=== debug=2\n/m)[1],
    );
    const afterText = fixture("go1.19-goroutines-debug1-then-debug2.txt").split(/^=== debug=2\n/m)[1];
    const extra = [1, 2, 3]
      .map(
        (i) =>
          `goroutine ${100 + i} [chan receive]:\nmain.blockedOnChan(0x0?)\n\t/home/dev/leak/main.go:19 +0x1b\ncreated by main.main\n\t/home/dev/leak/main.go:81 +0x14a\n`,
      )
      .join("\n");
    const after = readGoroutineDump(`${afterText}\n${extra}`);
    const v: GoroutinesView = {
      ...view(afterText),
      snapshot: after,
      groups: after.groups,
      source: "now.txt",
      base: { source: "before.txt", snapshot: before },
      diff: diffGoroutineGroups(before, after),
    };
    const text = renderGoroutinesText(v);
    expect(text).toMatch(/^Goroutines: 10 → 13 \(\+3\) from before\.txt/);
    expect(text).toMatch(/\+3 \(\d+ → \d+\)\s+\[chan receive\]/);
    expect(text).toContain("main.blockedOnChan");
  });
});

describe("memstats report", () => {
  it("text, Markdown and JSON of one real /debug/vars reading", () => {
    const health = analyzeMemStats(
      detectAndParseMemStatsSeries(fixture("go1.19-debug-vars.json"), "vars.json"),
    );
    const meta = { source: "vars.json" };
    const text = renderMemStatsText(health, meta);
    expect(text).toMatch(/^MemStats of vars\.json: expvar \/debug\/vars, 1 reading, no time axis/);
    expect(text).toMatch(/HeapAlloc\s+\S+ \S+ \(\d+ B\)/);
    expect(text).toMatch(/fragmentation\s+\d+(\.\d+)?%/);
    const markdown = renderMemStatsMarkdown(health, meta);
    expect(markdown).toMatch(/^## MemStats of vars\.json/);
    expect(markdown).toContain("| HeapInuse |");
    const json = memStatsReportJson(health, meta);
    const latest = json.latest as Record<string, unknown>;
    // Exact nanoseconds travel as decimal strings.
    expect(latest.lastGcNs).toBe(/"LastGC":(\d+)/.exec(fixture("go1.19-debug-vars.json"))![1]);
    expect(json.heapVerdict).toBeNull();
  });
});
