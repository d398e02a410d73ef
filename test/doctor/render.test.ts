/** doctor's renderers: untrusted strings (function names, paths, hints) are escaped everywhere. */
import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { escapeHtml, renderDoctorHtml } from "../../src/render/doctor-html.js";
import { doctorJson } from "../../src/render/doctor-json.js";
import { codeSpan, renderDoctorMarkdown } from "../../src/render/doctor-markdown.js";
import { renderDoctorText, sparkline } from "../../src/render/doctor-text.js";

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
      },
    ],
    evidence: [{ label: `<b>label</b>`, detail: `detail ${hostile}`, weight: "leak" }],
    hints: [
      { title: `<i>t</i>`, hypothesis: hostile, evidence: [hostile], fix: "fix <it>", suspect: hostile },
    ],
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
  });

  test("text puts the verdict first and draws sparklines", () => {
    const text = renderDoctorText(diagnosisWithHostileStrings());
    expect(text.split("\n")[0]).toMatch(/^Verdict: LEAK/);
    expect(
      sparkline(
        [0, 1, 2, 3].map((i) => ({ tSeconds: i, value: i })),
        4,
      ),
    ).toBe("▁▃▆█");
    expect(text).toContain("▁");
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
