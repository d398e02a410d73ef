/** doctor's renderers: untrusted strings (function names, paths, hints) are escaped everywhere. */
import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { escapeHtml, renderDoctorHtml } from "../../src/render/doctor-html.js";
import { doctorJson } from "../../src/render/doctor-json.js";
import { codeSpan, renderDoctorMarkdown } from "../../src/render/doctor-markdown.js";
import { renderDoctorText, seriesSparkline } from "../../src/render/doctor-text.js";

const hostile = 'main.(*T).<script>alert("x")</script>|`rm -rf`';
const hostileFile = "/tmp/<img src=x onerror=alert(1)>/main.go";

function diagnosisWithHostileStrings(): Diagnosis {
  const series = [0, 1, 2, 3, 4].map((i) => ({ tSeconds: i, value: 1000 * i }));
  return {
    verdict: "leak",
    summary: `Leak: ${hostile} grows`,
    reasons: [`because ${hostile}`],
    suspects: [
      {
        kind: "heap",
        function: hostile,
        stack: [hostile, "main.main"],
        file: hostileFile,
        line: 7,
        growthBytesPerSecond: 1024,
        growthObjectsPerSecond: 2,
        inuseBytes: 4096,
        shareOfGrowth: 0.9,
        hint: `hint about ${hostile}`,
        attribution: "own",
        pValue: 1e-6,
        series,
        heap: {
          role: "cause",
          netGrowthBytesPerSecond: 1024,
          replaces: [],
          lines: [
            { file: hostileFile, line: 7, growthBytesPerSecond: 800, inuseBytes: 3000 },
            { file: hostileFile, line: 9, growthBytesPerSecond: 224, inuseBytes: 1096 },
          ],
        },
      },
      {
        kind: "heap",
        function: `refill ${hostile}`,
        stack: [`refill ${hostile}`],
        file: hostileFile,
        line: 12,
        growthBytesPerSecond: 9000,
        growthObjectsPerSecond: 9,
        inuseBytes: 90_000,
        shareOfGrowth: 0,
        hint: `refills ${hostile}`,
        attribution: "own",
        pValue: 1e-6,
        series,
        heap: {
          role: "replacement",
          netGrowthBytesPerSecond: 100,
          replaces: [`filler ${hostile}`],
          lines: [],
        },
      },
    ],
    evidence: [{ label: `<b>label</b>`, detail: `detail ${hostile}`, weight: "leak" }],
    hints: [
      { title: `<i>t</i>`, hypothesis: hostile, evidence: [hostile], fix: "fix <it>", suspect: hostile },
    ],
    liveHeapBySite: [
      {
        function: `holder ${hostile}`,
        file: hostileFile,
        line: 7,
        lines: [7, 9],
        attribution: "own",
        inuseBytes: 4096,
        inuseObjects: 4,
        shareOfLiveHeap: 0.75,
      },
    ],
    heapMovement: {
      netGrowthBytesPerSecond: 1024,
      summary: `The live heap grows 1.00 KiB/s on net: ${hostile} +1.00 KiB/s; refill ${hostile} +8.79 KiB/s refills what filler ${hostile} (−8.69 KiB/s) held.`,
      sites: [
        {
          function: `refill ${hostile}`,
          file: hostileFile,
          line: 12,
          changeBytesPerSecond: 9000,
          role: "replacement",
          related: [`filler ${hostile}`],
        },
      ],
    },
    signals: {},
    toDecide: null,
    observation: {
      subject: "http://127.0.0.1:1/<x>",
      spanSeconds: 4,
      heapSnapshots: 5,
      heapSnapshotsDecoded: 5,
      goroutineSnapshots: 0,
      memStatsSamples: 0,
      gcCycles: 0,
      rssSamples: 0,
      samplingRateBytes: 8192,
    },
    figures: {
      rssBytes: null,
      goHeldBytes: null,
      untouchedBytes: null,
      heapAllocBytes: null,
      heapInuseBytes: null,
      fragmentation: null,
      retainedIdleBytes: null,
      stackInuseBytes: null,
      nextGcBytes: null,
      numGc: null,
      gogcPercent: null,
      memoryLimitBytes: null,
    },
    caveat: "A heap profile shows where memory was allocated, not what still references it.",
    notes: [`note ${hostile}`],
    charts: { liveHeap: series, goroutines: [], rss: [] },
    growthStacks: [{ stack: [hostile, "main.main"], bytes: 4096 }],
  };
}

describe("doctor renderers", () => {
  test("HTML escapes every untrusted string and makes no network request", () => {
    const html = renderDoctorHtml(diagnosisWithHostileStrings());
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>label");
    expect(html).toContain(escapeHtml(hostile));
    expect(html).toContain("Content-Security-Policy");
    expect(html).toContain("default-src 'none'");
    // No external resources: no src/href pointing anywhere, no script at all.
    expect(html).not.toMatch(/<[^>]*\s(src|href)\s*=/i);
    expect(html).not.toMatch(/<script/i);
    // The flame graph has the frame in it (escaped).
    expect(html).toContain('<svg class="flame"');
    // What holds the live heap, and what moved, are there too, escaped.
    expect(html).toContain("<h2>What holds the live heap now</h2>");
    expect(html).toContain(escapeHtml(`holder ${hostile}`));
    expect(html).toContain("<h2>What moved in the live heap</h2>");
    expect(html).toContain(escapeHtml(`filler ${hostile}`));
  });

  test("Markdown escapes HTML and Markdown syntax, code spans survive backticks", () => {
    const md = renderDoctorMarkdown(diagnosisWithHostileStrings());
    // Outside code (where CommonMark shows text literally) no raw HTML from the input survives.
    const outsideCode = md.replace(/```[\s\S]*?```/g, "").replace(/(`+)[\s\S]*?\1/g, "");
    expect(outsideCode).not.toContain("<script>");
    expect(outsideCode).not.toContain("<img");
    expect(md).toContain("&lt;script&gt;");
    expect(codeSpan("a`b")).toBe("``a`b``");
    // A table cell's pipe is escaped so the table keeps its columns.
    const holderRow = md.split("\n").find((line) => line.startsWith("|") && line.includes("holder"))!;
    expect(holderRow.split(/(?<!\\)\|/).length).toBe(7);
    expect(md).toContain("### What holds the live heap now");
    expect(md).toContain("| replacement |");
    const row = md.split("\n").find((line) => line.startsWith("| 1 |"))!;
    expect(row.split(/(?<!\\)\|/).length).toBe(10);
  });

  test("JSON has the documented fields", () => {
    const json = doctorJson(diagnosisWithHostileStrings()) as {
      verdict: string;
      suspects: Record<string, unknown>[];
      signals: object;
    };
    expect(json.verdict).toBe("leak");
    for (const key of [
      "kind",
      "function",
      "stack",
      "file",
      "line",
      "growthBytesPerSecond",
      "growthObjectsPerSecond",
      "inuseBytes",
      "shareOfGrowth",
      "hint",
    ]) {
      expect(json.suspects[0]).toHaveProperty(key);
    }
    expect(json).toHaveProperty("signals");
    expect(JSON.parse(JSON.stringify(json)).suspects[0].function).toBe(hostile);
    // Heap suspects carry their role and lines; every report says what holds the live heap.
    const parsed = JSON.parse(JSON.stringify(json));
    expect(parsed.suspects[0].heap).toMatchObject({ role: "cause", replaces: [] });
    expect(parsed.suspects[0].heap.lines.map((l: { line: number }) => l.line)).toEqual([7, 9]);
    expect(parsed.suspects[1].heap).toMatchObject({ role: "replacement", replaces: [`filler ${hostile}`] });
    expect(parsed.liveHeapBySite[0]).toMatchObject({
      function: `holder ${hostile}`,
      lines: [7, 9],
      inuseBytes: 4096,
      inuseObjects: 4,
      shareOfLiveHeap: 0.75,
    });
    expect(parsed.heapMovement.sites[0].role).toBe("replacement");
    expect(parsed.figures).toHaveProperty("untouchedBytes");
  });

  test("JSON shares are rounded down, so shares summing to at most 1 still do", () => {
    const d = diagnosisWithHostileStrings();
    d.suspects[0].shareOfGrowth = 0.3336;
    d.suspects[1].shareOfGrowth = 0.6664;
    d.suspects[1].heap = { ...d.suspects[1].heap!, role: "cause" };
    const json = doctorJson(d) as { suspects: { shareOfGrowth: number }[] };
    expect(json.suspects[0].shareOfGrowth + json.suspects[1].shareOfGrowth).toBeLessThanOrEqual(1);
    expect(json.suspects.map((s) => s.shareOfGrowth)).toEqual([0.333, 0.666]);
  });

  test("text puts the verdict first and draws sparklines", () => {
    const text = renderDoctorText(diagnosisWithHostileStrings());
    expect(text.split("\n")[0]).toMatch(/^Verdict: LEAK/);
    expect(
      seriesSparkline(
        [0, 1, 2, 3].map((i) => ({ tSeconds: i, value: i })),
        4,
      ),
    ).toBe("▁▃▆█");
    // Each column shows where the series stood at its end (a sampled level), not its peak.
    expect(
      seriesSparkline(
        [5, 0, 3, 3].map((value, i) => ({ tSeconds: i, value })),
        2,
      ),
    ).toBe("▁█");
    expect(text).toContain("▁");
    // A merged function lists its lines; a replacement says what it refills instead of a share.
    expect(text).toContain("lines: 7 (+800 B/s, 2.93 KiB in use), 9 (+224 B/s, 1.07 KiB in use)");
    expect(text).toContain(`replacement: refills what filler ${hostile} held`);
    expect(text).toContain("What holds the live heap now");
    expect(text).toMatch(/4 KiB +75 % +holder /);
  });
});

describe("time to verdict in every format", () => {
  test("the decision sentence appears in text, Markdown and HTML, and its figures in JSON", () => {
    const diagnosis = diagnosisWithHostileStrings();
    diagnosis.decision = {
      mode: "auto",
      timeToVerdictSeconds: 15.3,
      observedSeconds: 15,
      samplingIntervalSeconds: 1,
      look: { index: 2, of: 13, atSeconds: 15, alphaShare: 0.025 },
    };
    const sentence =
      "Verdict after 15.3 s of observation (--duration auto: look 2 of 13, planned at 15.0 s, testing at 2.5 % of α)";
    expect(renderDoctorText(diagnosis, { color: false })).toContain(sentence);
    expect(renderDoctorMarkdown(diagnosis)).toContain("Verdict after 15.3 s of observation");
    expect(renderDoctorHtml(diagnosis)).toContain("Verdict after 15.3 s of observation");
    const json = doctorJson(diagnosis) as {
      timeToVerdictSeconds: number;
      decision: { look: { index: number } };
    };
    expect(json.timeToVerdictSeconds).toBe(15.3);
    expect(json.decision.look.index).toBe(2);
    diagnosis.decision = { mode: "recording", timeToVerdictSeconds: 42, observedSeconds: 42 };
    expect(renderDoctorText(diagnosis, { color: false })).toContain("Verdict from 42.0 s of recorded data.");
  });
});
