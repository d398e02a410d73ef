/**
 * Every view with the keyboard alone: Tab reaches the view's controls (visible focus), and keys
 * use them. Each test starts from a freshly loaded page and never touches the mouse.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UiServer } from "../../../src/ui/server/server.js";
import { requireTool } from "../../support/required-tools.js";
import {
  ensureUiBuilt,
  launchChromium,
  openView,
  startFixtureServer,
  type ViewCase,
  viewCases,
} from "./support.js";

const chromium = requireTool("chromium");
let browser: Browser;
let server: UiServer;

beforeAll(async () => {
  chromium.assert();
  await ensureUiBuilt();
  browser = await launchChromium();
  server = await startFixtureServer();
}, 120_000);

afterAll(async () => {
  await server?.close();
  await browser?.close();
});

const view = (name: string): ViewCase => viewCases.find((v) => v.name === name)!;

/** Presses Tab until the focused element matches `selector` (at most `limit` times). */
async function tabTo(page: Page, selector: string, limit = 120): Promise<void> {
  for (let k = 0; k < limit; k++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
      // Focus is visible: the focus ring is drawn (outline) on what Tab reached.
      const outline = await page.evaluate(() => {
        const style = getComputedStyle(document.activeElement!);
        return { width: style.outlineWidth, style: style.outlineStyle };
      });
      expect(outline.style, `focus ring of ${selector}`).not.toBe("none");
      return;
    }
  }
  throw new Error(`Tab did not reach ${selector} in ${limit} presses`);
}

async function press(page: Page, ...keys: string[]): Promise<void> {
  for (const key of keys) await page.keyboard.press(key);
}

const param = (page: Page, key: string) => new URL(page.url()).searchParams.get(key);
const exact = (name: string) => `^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;

async function flameLoaded(page: Page, id = "main"): Promise<void> {
  await page.waitForFunction((k) => (window.__heapscope?.loaded?.[`flame:${k}`] ?? 0) > 0, id, {
    timeout: 60_000,
  });
}

describe.skipIf(chromium.skip)(`keyboard only${chromium.note}`, () => {
  it("doctor: a suspect card's action opens the flame graph searching its function", async () => {
    const { page, errors } = await openView(browser, server, view("doctor-leak"), "light");
    await tabTo(page, ".suspect-card .card-actions button");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Flame graph");
    await press(page, "Enter");
    await flameLoaded(page);
    expect(param(page, "view")).toBe("flame");
    expect(param(page, "q")).toBe("^main\\.newSession$");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("doctor (no leak): the snapshot diff is reachable and runs", async () => {
    const { page } = await openView(browser, server, view("doctor-no-leak"), "light");
    await tabTo(page, ".snapshots .toolbar button");
    await press(page, "Enter");
    await flameLoaded(page);
    expect(param(page, "src")).toBe("1@17");
    expect(param(page, "base")).toBe("1@1");
    await page.close();
  });

  it("tabs: arrow keys move between the views of a profile", async () => {
    const { page } = await openView(browser, server, view("flame"), "light");
    await tabTo(page, '[role="tab"][aria-selected="true"]');
    await press(page, "ArrowRight", "ArrowRight");
    await page.waitForFunction(() => document.activeElement?.textContent === "Top");
    expect(param(page, "view")).toBe("top");
    expect(await page.locator('[role="tab"][aria-selected="true"]').textContent()).toBe("Top");
    await page.close();
  });

  it("flame graph: arrows walk the frames, the status reads the frame, Enter zooms, the menu opens a view", async () => {
    const { page } = await openView(browser, server, view("flame"), "light");
    await tabTo(page, '[data-flame="main"]');
    // The first arrow picks the root; down goes to the heaviest callee each time.
    await press(page, "ArrowDown", "ArrowDown", "ArrowDown", "ArrowDown", "ArrowDown");
    const status = await page.locator(".frame-status").textContent();
    expect(status).toMatch(/^main\.newSession: total [\d.]+ MiB \(\d+(\.\d+)?%\)/);
    await press(page, "Enter");
    const zoomed = await page.evaluate(() => {
      const flame = window.__heapscope.flames.main!;
      return flame.rects().find((r) => r.node === flame.view().focused)?.name;
    });
    expect(zoomed).toBe("main.newSession");
    await press(page, "Shift+F10");
    await page.locator(".context-menu").waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("menuitem");
    await press(page, "ArrowDown"); // Zoom → Sandwich
    await press(page, "Enter");
    await flameLoaded(page, "callers");
    expect(param(page, "view")).toBe("sandwich");
    expect(param(page, "frame")).toBe("main.newSession");
    await page.close();
  });

  it("sandwich: the callers graph is walked by keys", async () => {
    const { page } = await openView(browser, server, view("sandwich"), "light");
    await tabTo(page, '[data-flame="callers"]');
    await press(page, "ArrowUp", "ArrowUp");
    expect(await page.locator(".frame-status").textContent()).toMatch(
      /^main\.(\(\*sessionStore\)\.login|main): total/,
    );
    await page.close();
  });

  it("top: a row's graph action centres the call graph on that function, focused", async () => {
    const { page } = await openView(browser, server, view("top"), "light");
    await tabTo(page, ".top-table tbody tr:first-child .row-actions button:last-child");
    const name = await page
      .locator(".top-table tbody tr:first-child td.name button.link:not(.small)")
      .textContent();
    await press(page, "Enter");
    await page.waitForFunction(() => (window.__heapscope?.loaded?.graph ?? 0) > 0, null, { timeout: 60_000 });
    expect(param(page, "view")).toBe("graph");
    expect(param(page, "node")).toBe(name);
    expect(await page.evaluate(() => (document.activeElement as SVGElement | null)?.dataset.name)).toBe(name);
    await page.close();
  });

  it("peek: a caller or callee link moves the peek to it", async () => {
    const { page } = await openView(browser, server, view("peek"), "light");
    await tabTo(page, ".peek-table button");
    const target = await page.evaluate(() => document.activeElement?.textContent?.trim());
    await press(page, "Enter");
    await page.waitForFunction((fn) => new URL(location.href).searchParams.get("fn") === fn, exact(target!));
    await page.locator(".peek-self", { hasText: target! }).waitFor();
    await page.close();
  });

  it("source: the function box takes a regex and Enter shows its lines", async () => {
    const { page } = await openView(browser, server, view("source"), "light");
    await tabTo(page, '.fn-input input[name="fn"]');
    await page.keyboard.press("Control+A");
    await page.keyboard.type("sessionStore");
    await press(page, "Enter");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("fn") === "sessionStore");
    await page.locator(".source-file h3", { hasText: "main.(*sessionStore).login" }).waitFor();
    await page.close();
  });

  it("graph: keys pan and zoom, Tab reaches a node, Enter peeks at it", async () => {
    const { page } = await openView(browser, server, view("graph"), "light");
    await tabTo(page, ".callgraph-svg");
    const box = () =>
      page.evaluate(() =>
        document.querySelector(".callgraph-svg")!.getAttribute("viewBox")!.split(" ").map(Number),
      );
    const before = await box();
    await press(page, "+");
    const zoomed = await box();
    expect(zoomed[2]!).toBeLessThan(before[2]!);
    await press(page, "ArrowRight");
    expect((await box())[0]!).toBeGreaterThan(zoomed[0]!);
    await press(page, "0");
    expect(await box()).toEqual(before);
    await tabTo(page, ".callgraph-svg g.node");
    const name = await page.evaluate(() => (document.activeElement as SVGElement).dataset.name!);
    await press(page, "Enter");
    await page.locator(".peek-table").first().waitFor();
    expect(param(page, "view")).toBe("peek");
    expect(param(page, "fn")).toBe(exact(name));
    await page.close();
  });

  it("timeline: arrows move the time cursor and the legends read the values there", async () => {
    const { page } = await openView(browser, server, view("timeline"), "light");
    await tabTo(page, ".chart");
    const time = () => page.locator(".chart").first().locator(".u-legend .u-series").first().textContent();
    expect(await time()).toContain("latest");
    await press(page, "Home", "ArrowRight", "ArrowRight");
    expect(await time()).toMatch(/time\s*[\d.]+ (ms|s)/);
    // Every chart follows: each reads its values at the time nearest the cursor, none the latest.
    const times = await page.locator(".chart .u-legend .u-series:first-child").allTextContents();
    expect(times.length).toBeGreaterThanOrEqual(2);
    for (const t of times) expect(t).toMatch(/time\s*[\d.]+ (ms|s)/);
    await page.close();
  });

  it("goroutines: the search filters and a group opens and closes by keys", async () => {
    const { page } = await openView(browser, server, view("goroutines"), "light");
    await tabTo(page, 'input[type="search"]');
    const before = await page.locator(".goroutine-group").count();
    await page.keyboard.type("chan receive");
    await page.waitForFunction((n) => document.querySelectorAll(".goroutine-group").length < n, before);
    await tabTo(page, ".goroutine-group summary");
    const open = () =>
      page.evaluate(() => (document.activeElement!.parentElement as HTMLDetailsElement).open);
    const was = await open();
    await press(page, "Enter");
    expect(await open()).toBe(!was);
    await page.close();
  });
});
