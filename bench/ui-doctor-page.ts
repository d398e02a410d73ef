/**
 * The doctor page of a 24-hour recording in Chromium (part of `npm run bench -- ui`; alone:
 * `npx tsx bench/ui-doctor-page.ts`). Needs `npm run build` (the diagnosis worker runs from dist/,
 * as in the built CLI).
 *
 * - cold: a fresh server that has diagnosed nothing; navigation start → the page is usable (the
 *   header, the diagnosis region saying it is diagnosing, every timeline chart drawn, the snapshot
 *   table), and apart → the suspect cards appear (the diagnosis arrived). Target: usable < 1 s.
 * - responsiveness: while that first diagnosis runs, the page asks the server for /api/workspace and
 *   the page itself every 100 ms; each answer's latency from when it was sent. Target: p95 < 200 ms.
 * - control: one cold load diagnosing in the server's own thread (as before the worker), figures only
 *   (its probes start only once the page is usable, i.e. after that diagnosis: not comparable).
 * - warm: median of fresh page loads against a server that already diagnosed the recording. Target < 1 s.
 */
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { startUiServer } from "../src/ui/server/server.js";
import { VERSION } from "../src/version.js";
import { decide, formatTarget, quantileBand, type TargetResult } from "./decide.js";
import { writeSyntheticRecording } from "./doctor.js";

const PAGE_LOADS = 5;
const COLD_LOADS = 3;
const HOURS = 24;
const distWorker = path.resolve(import.meta.dirname, "../dist/ui/server/diagnosis-worker.js");

interface ColdLoad {
  /** ms since navigation start. */
  usable: number | null;
  cards: number | null;
  /** Whether the diagnosis region was seen busy (aria-busy) before the cards. */
  busySeen: boolean;
  /** Latencies (ms) of the requests sent while the diagnosis ran. */
  probes: number[];
  /** The longest gap between two animation frames while the diagnosis ran (the page's own jank). */
  maxFrameGap: number;
  /** When the timelines' request left and its answer arrived (ms since navigation start). */
  timelineFetched: [number, number] | null;
}

/**
 * Polls every animation frame in the page (a bare evaluation: no injected helper script on the
 * page's main thread); from the first usable frame until the cards appear, probes the server.
 */
const WATCH_COLD_LOAD = `new Promise((resolve) => {
  const out = { usable: null, cards: null, busySeen: false, probes: [], maxFrameGap: 0 };
  let pending = 0;
  let lastFrame = null;
  const probeUrls = ["/api/workspace?probe=", "/?probe="];
  let k = 0;
  const probe = () => {
    if (out.cards !== null) return;
    const sent = performance.now();
    pending++;
    fetch(probeUrls[k % 2] + k++, { credentials: "same-origin" })
      .then((r) => r.text())
      .then(() => out.probes.push(performance.now() - sent))
      .finally(() => pending--);
    setTimeout(probe, 100);
  };
  const poll = () => {
    const now = performance.now();
    if (lastFrame !== null && out.usable !== null && out.cards === null)
      out.maxFrameGap = Math.max(out.maxFrameGap, now - lastFrame);
    lastFrame = now;
    const region = document.querySelector(".doctor");
    const busy = region !== null && region.getAttribute("aria-busy") === "true";
    const verdict = document.querySelector(".doctor .verdict") !== null;
    if (busy) out.busySeen = true;
    const expected = document.querySelectorAll(".chart").length;
    const drawn = document.querySelectorAll(".chart canvas").length;
    const header = document.querySelector(".header .doc-name, .header .doc-picker") !== null;
    const usable = header && (busy || verdict) && expected > 0 && drawn >= expected &&
      document.querySelector(".snapshot-table") !== null;
    if (usable && out.usable === null) {
      out.usable = now;
      const timeline = performance.getEntriesByType("resource").find((e) => e.name.includes("/api/timeline"));
      out.timelineFetched = timeline ? [timeline.startTime, timeline.responseEnd] : null;
      probe();
    }
    const cards = verdict && (document.querySelector(".suspect-card") !== null || document.querySelector(".doctor .empty") !== null);
    if (cards && out.cards === null) out.cards = now;
    if ((out.usable !== null && out.cards !== null && pending === 0) || now > 180000) resolve(out);
    else requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
})`;

/** A page load against a fresh server: nothing diagnosed yet. */
async function coldLoad(browser: Browser, file: string, diagnosisWorker: URL | false): Promise<ColdLoad> {
  const server = await startUiServer({ inputs: [file], warm: false, diagnosisWorker });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.goto(`${server.url}?src=0`);
    const load = (await page.evaluate(WATCH_COLD_LOAD)) as ColdLoad;
    if (load.usable === null || load.cards === null)
      throw new Error(`the doctor page did not complete in 180 s: ${JSON.stringify(load)}`);
    return load;
  } finally {
    await page.close();
    await server.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function measureLoad(browser: Browser, url: string): Promise<number> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.goto(url);
    // Polled every animation frame: the time of the first frame in which the page is complete.
    const handle = await page.waitForFunction(
      () => {
        const expected = document.querySelectorAll(".chart").length;
        const drawn = document.querySelectorAll(".chart canvas").length;
        const ready =
          document.querySelector(".doctor .verdict") !== null && expected > 0 && drawn >= expected;
        return ready ? performance.now() : null;
      },
      null,
      { timeout: 60_000 },
    );
    return (await handle.jsonValue()) as number;
  } finally {
    await page.close();
  }
}

function round(values: number[]): number[] {
  return values.map((v) => Math.round(v));
}

/** Cold loads with the worker (decided), one without it (the control). */
async function measureCold(browser: Browser, file: string) {
  if (!existsSync(distWorker)) throw new Error(`no ${distWorker}: run npm run build first`);
  const worker = pathToFileURL(distWorker);
  await coldLoad(browser, file, worker); // warm-up: Chromium's caches, the JIT, the file's pages
  const loads: ColdLoad[] = [];
  for (let k = 0; k < COLD_LOADS; k++) loads.push(await coldLoad(browser, file, worker));
  const control = await coldLoad(browser, file, false);
  const probes = loads.flatMap((l) => l.probes);
  if (probes.length === 0) throw new Error("no request was sent while the diagnosis ran");
  const usable = loads.map((l) => l.usable!);
  return {
    loads,
    usable,
    probes,
    control,
    figures: {
      doctorPageColdUsableMs: Math.round(median(usable)),
      doctorPageColdUsableRunsMs: round(usable),
      doctorPageColdCardsMs: Math.round(median(loads.map((l) => l.cards!))),
      doctorPageColdCardsRunsMs: round(loads.map((l) => l.cards!)),
      doctorPageColdTimelineFetchedMs: loads.map((l) => l.timelineFetched?.map(Math.round) ?? null),
      doctorPageColdBusyShown: loads.every((l) => l.busySeen),
      doctorPageColdMaxFrameGapMs: Math.round(Math.max(...loads.map((l) => l.maxFrameGap))),
      doctorPageProbeRequests: probes.length,
      doctorPageProbeMedianMs: Math.round(median(probes)),
      doctorPageProbeMaxMs: Math.round(Math.max(...probes)),
      doctorPageControlInThreadUsableMs: Math.round(control.usable!),
      doctorPageControlInThreadCardsMs: Math.round(control.cards!),
    },
  };
}

export async function measureDoctorPage(browser: Browser): Promise<{
  figures: Record<string, unknown>;
  targets: TargetResult[];
}> {
  const file = path.join(tmpdir(), `heapscope-bench-${HOURS}h-${VERSION}.hsrec`);
  if (!existsSync(file)) writeSyntheticRecording(file, Math.round((HOURS * 3600) / 10));
  const cold = await measureCold(browser, file);
  const server = await startUiServer({
    inputs: [file],
    warm: false,
    diagnosisWorker: pathToFileURL(distWorker),
  });
  try {
    const doc = server.workspace.documents[0]!;
    const started = performance.now();
    const diagnosis = await fetch(`${server.url}api/diagnosis?src=${doc.id}&t=0`);
    if (!diagnosis.ok) throw new Error(`diagnosis failed: ${diagnosis.status} ${await diagnosis.text()}`);
    const serverDiagnosisMs = performance.now() - started;
    const url = `${server.url}?src=${doc.id}`;
    await measureLoad(browser, url); // warm-up: Chromium's caches, the JIT
    const loads: number[] = [];
    for (let k = 0; k < PAGE_LOADS; k++) loads.push(await measureLoad(browser, url));
    return {
      figures: {
        doctorPageRecordingHours: HOURS,
        doctorPageServerDiagnosisMs: Math.round(serverDiagnosisMs),
        ...cold.figures,
        doctorPageInteractiveMs: Math.round(median(loads)),
        doctorPageInteractiveRunsMs: loads.map(Math.round),
        doctorPageTargetMs: 1000,
        doctorPageProbeTargetMs: 200,
      },
      targets: [
        decide(
          `UI doctor page of a ${HOURS} h recording usable < 1 s from a cold server (median of page loads)`,
          quantileBand(cold.usable),
          { threshold: 1000, better: "lower", unit: " ms" },
        ),
        decide(
          "UI answers other requests < 200 ms while the first diagnosis runs (p95 of requests)",
          quantileBand(cold.probes, 0.95),
          { threshold: 200, better: "lower", unit: " ms" },
        ),
        decide(
          `UI doctor page of a ${HOURS} h recording usable < 1 s, diagnosis cached (median of page loads)`,
          quantileBand(loads),
          { threshold: 1000, better: "lower", unit: " ms" },
        ),
      ],
    };
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { launchChromium } = await import("../test/ui/support.js");
  const { loadavg } = await import("node:os");
  const browser = await launchChromium();
  try {
    const loadBefore = loadavg()[0]!;
    const result = await measureDoctorPage(browser);
    const figures = { ...result.figures, loadAverage1mBefore: loadBefore, loadAverage1mAfter: loadavg()[0]! };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    for (const t of result.targets) process.stdout.write(`target: ${formatTarget(t)}\n`);
  } finally {
    await browser.close();
  }
}
