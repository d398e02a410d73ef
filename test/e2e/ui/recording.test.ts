/**
 * Recordings in the UI: a real leaking Go server recorded by heapscope's RecordSession while the UI
 * watches it live over SSE; then the timelines, the doctor's panel and a diff of two snapshots.
 * Also the gctrace, MemStats and goroutine-dump views on real captured samples.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readGoroutineDump } from "../../../src/analysis/goroutine-groups.js";
import { type RecordResult, RecordSession } from "../../../src/collect/record-session.js";
import { parseGcTrace } from "../../../src/formats/gctrace/index.js";
import { watchRecordSession } from "../../../src/ui/server/live.js";
import { startUiServer, type UiServer } from "../../../src/ui/server/server.js";
import type { TimelineReport } from "../../../src/ui/shared/api-types.js";
import { buildGoProgram, freePort } from "../../support/go.js";
import { requireTool } from "../../support/required-tools.js";
import { ensureUiBuilt, launchChromium } from "../../ui/support.js";

const chromium = requireTool("chromium");
const samples = path.resolve(import.meta.dirname, "../../fixtures/signals");
const gctraceSample = path.join(samples, "go1.23-gctrace-scavtrace.txt");
const goroutineSample = path.join(samples, "go1.23-goroutines-debug1-then-debug2.txt");
const memstatsSample = path.join(samples, "go1.23-debug-vars.json");

let browser: Browser;
let live: UiServer;
let recordingPath: string;
let recorded: RecordResult;
let liveObservation: { rowsBefore: number; rowsAfter: number; reloads: number; sawLiveBadge: boolean };

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  return { page, errors };
}

beforeAll(async () => {
  chromium.assert();
  await ensureUiBuilt();
  browser = await launchChromium();
  const binary = await buildGoProgram(path.join(import.meta.dirname, "programs/leakyserver"));
  const port = await freePort();
  recordingPath = path.join(mkdtempSync(path.join(tmpdir(), "heapscope-ui-rec-")), "leak.hsrec");
  live = await startUiServer({ live: true });
  const session = new RecordSession({
    out: recordingPath,
    url: `http://127.0.0.1:${port}`,
    command: [binary, "-addr", `127.0.0.1:${port}`],
    intervalMs: 700,
    durationMs: 12_000,
    dumpEvery: 4,
    stdout: "ignore",
    stderr: "ignore",
  });
  watchRecordSession(live, session);
  const done = session.run();
  // Watch it live: open the page once the recording exists, then count snapshot rows without reloading.
  const deadline = Date.now() + 60_000;
  while (live.workspace.documents.length === 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  const { page } = await newPage();
  let reloads = 0;
  page.on("framenavigated", () => reloads++);
  await page.goto(`${live.url}?src=0`);
  await page.locator(".snapshot-table tbody tr").first().waitFor({ timeout: 60_000 });
  const rowsBefore = await page.locator(".snapshot-table tbody tr").count();
  const sawLiveBadge = await page.locator(".live-badge").isVisible();
  await page.waitForFunction(
    (n) => document.querySelectorAll(".snapshot-table tbody tr").length >= n + 3,
    rowsBefore,
    { timeout: 60_000 },
  );
  const rowsAfter = await page.locator(".snapshot-table tbody tr").count();
  liveObservation = { rowsBefore, rowsAfter, reloads, sawLiveBadge };
  await page.close();
  recorded = await done;
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await live?.close();
});

describe.skipIf(chromium.skip)(`recordings${chromium.note}`, () => {
  it("updates the timeline live while recording, without reloading the page", () => {
    expect(liveObservation.sawLiveBadge).toBe(true);
    expect(liveObservation.rowsAfter).toBeGreaterThanOrEqual(liveObservation.rowsBefore + 3);
    expect(liveObservation.reloads).toBe(1);
    expect(recorded.summary.heapSnapshots).toBeGreaterThanOrEqual(liveObservation.rowsAfter);
  });

  it("draws the timelines and the doctor's verdict, linking a suspect into the flame graph", async () => {
    const server = await startUiServer({ inputs: [recordingPath] });
    try {
      const { page, errors } = await newPage();
      await page.goto(server.url);
      await page.locator(".doctor .verdict").waitFor({ timeout: 60_000 });
      expect(await page.locator(".doctor .verdict").getAttribute("data-verdict")).toBe("leak");
      expect(await page.locator(".doctor .verdict").textContent()).toBe("Leak");
      const suspects = await page.locator(".suspects > li").allInnerTexts();
      expect(suspects.some((s) => s.includes("main.logRequest"))).toBe(true);
      // uPlot charts, one per unit group, with the recording's series in their legends.
      await page.waitForFunction(() => document.querySelectorAll(".chart canvas").length >= 3, null, {
        timeout: 60_000,
      });
      const legends = (await page.locator(".chart .u-legend").allInnerTexts()).join("\n");
      for (const label of [
        "HeapAlloc",
        "in-use heap (profile)",
        "RSS",
        "goroutines",
        "GC stop-the-world pause",
      ]) {
        expect(legends).toContain(label);
      }
      const timeline = (await (await fetch(`${server.url}api/timeline?src=0`)).json()) as TimelineReport;
      const inuse = timeline.series.find((s) => s.key === "inuse")!;
      expect(inuse.y.length).toBe(recorded.summary.heapSnapshots);
      // The leak shows: the last snapshot holds more than the first.
      expect(inuse.y[inuse.y.length - 1]!).toBeGreaterThan(inuse.y[0]! * 2);
      // Link from the suspect into the flame graph, searching for the function.
      const suspect = page.locator(".suspects > li", { hasText: "main.logRequest" }).first();
      await suspect.getByRole("button", { name: "Flame graph" }).click();
      await page.waitForFunction(() => (window.__heapscope?.loaded?.["flame:main"] ?? 0) > 0, null, {
        timeout: 60_000,
      });
      expect(new URL(page.url()).searchParams.get("q")).toBe("^main\\.logRequest$");
      const matched = await page.evaluate(() =>
        window.__heapscope.flames
          .main!.rects()
          .filter((r) => r.matched && r.node !== 0)
          .map((r) => r.name),
      );
      expect(matched).toContain("main.logRequest");
      expect(new Set(matched)).toEqual(new Set(["main.logRequest"]));
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await server.close();
    }
  });

  it("diffs two picked snapshots: the leaking path grows", async () => {
    const server = await startUiServer({ inputs: [recordingPath] });
    try {
      const { page } = await newPage();
      await page.goto(server.url);
      await page.locator(".snapshot-table tbody tr").first().waitFor({ timeout: 60_000 });
      const rows = await page.locator(".snapshot-table tbody tr").count();
      await page.getByRole("radio", { name: "base 0@2" }).check();
      await page.getByRole("radio", { name: `target 0@${rows}` }).check();
      await page.getByRole("button", { name: "Diff selected" }).click();
      await page.waitForFunction(() => (window.__heapscope?.loaded?.["flame:main"] ?? 0) > 0, null, {
        timeout: 60_000,
      });
      const url = new URL(page.url());
      expect(url.searchParams.get("src")).toBe(`0@${rows}`);
      expect(url.searchParams.get("base")).toBe("0@2");
      const tree = server.engine.flameTree({
        src: `0@${rows}`,
        base: "0@2",
        si: "",
        f: "",
        i: "",
        h: "",
        s: "",
        g: "",
      });
      expect(tree.baseTotal).toBeDefined();
      const drawn = await page.evaluate(() => window.__heapscope.flames.main!.rects());
      const width = await page.evaluate(() => window.__heapscope.flames.main!.view().width);
      for (const r of drawn) {
        expect(Math.abs(r.width - (tree.weight[r.node]! / tree.weight[0]!) * width)).toBeLessThanOrEqual(1);
      }
      const leak = drawn.find((r) => r.name === "main.logRequest")!;
      expect(tree.total[leak.node]!).toBeGreaterThan(tree.baseTotal![leak.node]!);
      await page.close();
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(chromium.skip)(`text inputs${chromium.note}`, () => {
  let server: UiServer;
  beforeAll(async () => {
    server = await startUiServer({ inputs: [gctraceSample, goroutineSample, memstatsSample] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("shows a gctrace log's live heap, goal and pauses as charts", async () => {
    const { page, errors } = await newPage();
    await page.goto(`${server.url}?src=0`);
    await page.waitForFunction(() => document.querySelectorAll(".chart canvas").length >= 2, null, {
      timeout: 60_000,
    });
    const legends = (await page.locator(".chart .u-legend").allInnerTexts()).join("\n");
    expect(legends).toContain("live heap after GC");
    expect(legends).toContain("stop-the-world pause");
    const parsed = parseGcTrace(readFileSync(gctraceSample, "utf8"));
    const cycles = parsed.runs[parsed.targetRunIndex]!.cycles;
    const timeline = (await (await fetch(`${server.url}api/timeline?src=0`)).json()) as TimelineReport;
    const liveHeap = timeline.series.find((s) => s.key === "liveHeap")!;
    expect(liveHeap.y).toEqual(cycles.map((c) => c.liveHeapBytes));
    expect(liveHeap.x).toEqual(cycles.map((c) => c.atSeconds));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("lists a goroutine dump's groups and searches them", async () => {
    const { page, errors } = await newPage();
    await page.goto(`${server.url}?src=1`);
    await page.locator(".goroutine-group").first().waitFor({ timeout: 60_000 });
    const snapshot = readGoroutineDump(readFileSync(goroutineSample, "utf8"));
    expect(await page.locator(".goroutine-group").count()).toBe(snapshot.groups.length);
    const largest = snapshot.groups[0]!;
    const firstSummary = await page.locator(".goroutine-group summary").first().textContent();
    expect(firstSummary).toContain(String(largest.count));
    const leafFunction = snapshot.groups.find((g) => g.count === 1 && g.frames.length > 0)!.frames[0]!.func;
    await page.fill('input[aria-label="Search goroutines"]', leafFunction.replace(/^.*\./, ""));
    await page.waitForFunction(
      (n) => document.querySelectorAll(".goroutine-group").length < n,
      snapshot.groups.length,
    );
    const shown = await page.locator(".goroutine-group").allInnerTexts();
    expect(shown.length).toBeGreaterThan(0);
    for (const text of shown) expect(text).toContain(leafFunction.replace(/^.*\./, ""));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("charts a MemStats series", async () => {
    const { page, errors } = await newPage();
    await page.goto(`${server.url}?src=2`);
    await page.waitForFunction(() => document.querySelectorAll(".chart canvas").length >= 1, null, {
      timeout: 60_000,
    });
    const legends = (await page.locator(".chart .u-legend").allInnerTexts()).join("\n");
    expect(legends).toContain("HeapAlloc");
    expect(errors).toEqual([]);
    await page.close();
  });
});
