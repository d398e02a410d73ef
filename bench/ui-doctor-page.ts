/**
 * The doctor page of a 24-hour recording in Chromium (part of `npm run bench -- ui`): navigation
 * start → the page is usable (the verdict, the suspect cards and every timeline chart drawn), median
 * of several fresh page loads against a server that already diagnosed the recording (`heapscope ui`
 * starts diagnosing when it starts). The server's own diagnosis time is measured and reported apart.
 * Target < 1 s.
 */
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { startUiServer } from "../src/ui/server/server.js";
import { VERSION } from "../src/version.js";
import { decide, quantileBand, type TargetResult } from "./decide.js";
import { writeSyntheticRecording } from "./doctor.js";

const PAGE_LOADS = 5;
const HOURS = 24;

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

export async function measureDoctorPage(browser: Browser): Promise<{
  figures: Record<string, unknown>;
  target: TargetResult;
}> {
  const file = path.join(tmpdir(), `heapscope-bench-${HOURS}h-${VERSION}.hsrec`);
  if (!existsSync(file)) writeSyntheticRecording(file, Math.round((HOURS * 3600) / 10));
  const server = await startUiServer({ inputs: [file], warm: false });
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
        doctorPageInteractiveMs: Math.round(median(loads)),
        doctorPageInteractiveRunsMs: loads.map(Math.round),
        doctorPageTargetMs: 1000,
      },
      target: decide(
        `UI doctor page of a ${HOURS} h recording usable < 1 s (median of page loads)`,
        quantileBand(loads),
        {
          threshold: 1000,
          better: "lower",
          unit: " ms",
        },
      ),
    };
  } finally {
    await server.close();
  }
}
