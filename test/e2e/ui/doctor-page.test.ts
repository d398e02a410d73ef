/**
 * The doctor page with holders (what a recording taken through the heap-dump hook gives): each
 * card names what holds its objects and the path from that root, the page lists the program's
 * holders, and "Retaining path" opens the retention view on the suspect's site and root. Names are
 * hostile text here: they must show as text and run nothing. While the diagnosis runs the page is
 * already usable: the timelines drawn, the diagnosis region busy, the cards once it arrives.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnosis } from "../../../src/diagnose/types.js";
import { diagnosisView } from "../../../src/ui/server/diagnosis.js";
import { startUiServer, type UiServer } from "../../../src/ui/server/server.js";
import { requireTool } from "../../support/required-tools.js";
import { ensureUiBuilt, fixtures, launchChromium } from "./support.js";

const chromium = requireTool("chromium");
const HOSTILE_ROOT = '<img src=x onerror="window.__xss=1">';
let browser: Browser;
let server: UiServer;

/** The golden diagnosis of the leaking recording, with holders from a (described) heap dump. */
function diagnosisWithHolders(): Diagnosis {
  const file = path.resolve(import.meta.dirname, "../../golden/doctor/doctor.session-map-growth.json");
  const d = JSON.parse(readFileSync(file, "utf8")) as Diagnosis;
  for (const s of d.suspects) {
    s.series = (s.series as unknown as Array<[number, number]>).map(([tSeconds, value]) => ({
      tSeconds,
      value,
    }));
  }
  d.suspects[0]!.heap!.heldBy = [
    {
      root: HOSTILE_ROOT,
      rootKind: "global",
      path: [
        { bytes: 48, site: null, offset: 0 },
        { bytes: 1536, site: "main.newSession (main.go:31)", offset: 8 },
      ],
      retainedBytes: 9 << 20,
      objects: 6000,
      share: 0.92,
      samples: 120,
      claim: "estimate",
    },
  ];
  d.retention = {
    reachableBytes: 12 << 20,
    reachableObjects: 20_000,
    heapAlloc: 13 << 20,
    unreachableBytes: 0,
    sharedBytes: 0,
    roots: { global: 3, stack: 4, closure: 0, finalizer: 0, runtime: 10 },
    holders: [
      {
        root: HOSTILE_ROOT,
        rootKind: "global",
        retainedBytes: 9 << 20,
        objects: 6000,
        share: 0.75,
        roots: 1,
        path: [],
      },
    ],
    runtimeHolders: [],
    limits: [],
    goVersion: "go1.26.8",
    dumpBytes: 30 << 20,
  };
  return d;
}

beforeAll(async () => {
  chromium.assert();
  await ensureUiBuilt();
  browser = await launchChromium();
  const view = diagnosisView(diagnosisWithHolders());
  server = await startUiServer({ inputs: [fixtures.leak], warm: false, diagnose: () => view });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await browser?.close();
});

describe.skipIf(chromium.skip)(`doctor page with holders${chromium.note}`, () => {
  it("shows the holder and its path on the card, the holders table, and links to the retention view", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.url}?src=0`);
    const card = page.locator(".suspect-card").first();
    await card.waitFor({ timeout: 60_000 });
    expect(await card.locator(".holders .root").textContent()).toBe(HOSTILE_ROOT);
    expect(await card.locator(".holders .path li").allInnerTexts()).toEqual([
      "object 48 B",
      "main.newSession (main.go:31) 1.5 KiB",
    ]);
    expect(await card.locator(".holders").textContent()).toContain("keeps 92%");
    const row = page.locator("section[aria-labelledby='holders-title'] tbody tr").first();
    expect(await row.locator("td").allInnerTexts()).toEqual([HOSTILE_ROOT, "global", "9 MiB", "75%"]);
    await card.getByRole("button", { name: "Retaining path" }).click();
    const url = new URL(page.url());
    expect(url.searchParams.get("view")).toBe("retention");
    expect(url.searchParams.get("site")).toBe("main.newSession");
    expect(url.searchParams.get("root")).toBe(HOSTILE_ROOT);
    const state = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: number }).__xss,
      images: document.querySelectorAll("img").length,
      csp: window.__heapscope.cspViolations,
    }));
    expect(state).toEqual({ xss: undefined, images: 0, csp: [] });
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});

describe.skipIf(chromium.skip)(`doctor page while the diagnosis runs${chromium.note}`, () => {
  it("draws the timelines at once, says it is diagnosing (aria-busy), then shows the cards", async () => {
    // The diagnosis is held until the test lets it go: the page must be usable meanwhile.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const view = diagnosisView(diagnosisWithHolders());
    const slow = await startUiServer({
      inputs: [fixtures.leak],
      warm: false,
      diagnose: async () => {
        await held;
        return view;
      },
    });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    try {
      await page.goto(`${slow.url}?src=0`);
      await page.waitForFunction(() => document.querySelectorAll(".chart canvas").length >= 3, null, {
        timeout: 60_000,
      });
      const region = page.getByRole("region", { name: "Diagnosis" });
      expect(await region.getAttribute("aria-busy")).toBe("true");
      expect(await region.locator(".verdict-header").textContent()).toContain("Diagnosing…");
      expect(await page.locator(".suspect-card").count()).toBe(0);
      expect(await page.locator(".snapshot-table tbody tr").count()).toBeGreaterThan(0);
      release();
      await page.locator(".suspect-card").first().waitFor({ timeout: 60_000 });
      expect(await region.getAttribute("aria-busy")).toBe("false");
      expect(await region.locator(".verdict").getAttribute("data-verdict")).toBe("leak");
      expect(await page.locator(".loading").count()).toBe(0);
    } finally {
      release();
      await page.close();
      await slow.close();
    }
  }, 90_000);
});
