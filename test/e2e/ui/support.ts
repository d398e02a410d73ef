/**
 * Shared by the browser suites of the UI: one server over committed fixtures (a leaking and a
 * healthy recording of the doctor's golden corpus, a gctrace log, a goroutine dump), the list of
 * views with what each waits for, Chromium pages in a given colour scheme, and axe-core.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { startUiServer, type UiServer } from "../../../src/ui/server/server.js";
import { repoRoot } from "../../ui/support.js";

export { ensureUiBuilt, launchChromium } from "../../ui/support.js";

export type Theme = "light" | "dark";
export const themes: Theme[] = ["light", "dark"];

const goldenInputs = "test/golden/doctor/inputs";
/** Paths relative to the repository (the header shows them; screenshots must not depend on the checkout). */
export const fixtures = {
  leak: `${goldenInputs}/session-map-growth.hsrec`,
  noLeak: `${goldenInputs}/import-burst-retained.hsrec`,
  gctrace: "test/fixtures/signals/go1.23-gctrace-scavtrace.txt",
  goroutines: "test/fixtures/signals/go1.23-goroutines-debug1-then-debug2.txt",
};

/** The fixed profile of the profile views: the leaking recording's last heap snapshot. */
export const PROFILE = "0@17";

/** Serves the fixtures in this order: src 0 leak, 1 no-leak, 2 gctrace, 3 goroutines (vitest runs from the repository root). */
export function startFixtureServer(): Promise<UiServer> {
  return startUiServer({
    inputs: [fixtures.leak, fixtures.noLeak, fixtures.gctrace, fixtures.goroutines],
    warm: false,
  });
}

async function loaded(page: Page, key: string): Promise<void> {
  await page.waitForFunction((k) => (window.__heapscope?.loaded?.[k] ?? 0) > 0, key, { timeout: 60_000 });
}

async function settled(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle");
  await page.waitForFunction(() => document.querySelectorAll(".loading").length === 0, null, {
    timeout: 60_000,
  });
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  // Two frames: whatever a resize observer or a requestAnimationFrame scheduled has been drawn.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

export interface ViewCase {
  name: string;
  query: Record<string, string>;
  ready(page: Page): Promise<void>;
}

const chartsDrawn = (n: number) => async (page: Page) => {
  await page.waitForFunction((k) => document.querySelectorAll(".chart canvas").length >= k, n, {
    timeout: 60_000,
  });
};

export const viewCases: ViewCase[] = [
  {
    name: "doctor-leak",
    query: { src: "0" },
    ready: async (page) => {
      await page.locator(".doctor .verdict").waitFor({ timeout: 60_000 });
      await chartsDrawn(3)(page);
    },
  },
  {
    name: "doctor-no-leak",
    query: { src: "1" },
    ready: async (page) => {
      await page.locator(".doctor .verdict").waitFor({ timeout: 60_000 });
      await chartsDrawn(3)(page);
    },
  },
  { name: "flame", query: { src: PROFILE, view: "flame" }, ready: (page) => loaded(page, "flame:main") },
  {
    name: "sandwich",
    query: { src: PROFILE, view: "sandwich", frame: "main.(*sessionStore).login" },
    ready: async (page) => {
      await loaded(page, "flame:callers");
      await loaded(page, "flame:callees");
    },
  },
  {
    name: "top",
    query: { src: PROFILE, view: "top" },
    ready: (page) => page.locator(".top-table tbody tr").first().waitFor(),
  },
  {
    name: "peek",
    query: { src: PROFILE, view: "peek", fn: "^main\\.newSession$" },
    ready: (page) => page.locator(".peek-table").first().waitFor(),
  },
  {
    name: "source",
    query: { src: PROFILE, view: "source", fn: "^main\\.newSession$" },
    ready: (page) => page.locator(".view").first().waitFor(),
  },
  { name: "graph", query: { src: PROFILE, view: "graph" }, ready: (page) => loaded(page, "graph") },
  { name: "timeline", query: { src: "2" }, ready: chartsDrawn(2) },
  {
    name: "goroutines",
    query: { src: "3" },
    ready: (page) => page.locator(".goroutine-group").first().waitFor({ timeout: 60_000 }),
  },
];

export function viewUrl(server: UiServer, view: ViewCase): string {
  return `${server.url}?${new URLSearchParams(view.query).toString()}`;
}

export interface OpenedPage {
  page: Page;
  errors: string[];
}

/** A page in its own context with the theme's colour scheme, at a fixed size and scale. */
export async function openView(
  browser: Browser,
  server: UiServer,
  view: ViewCase,
  theme: Theme,
  size = { width: 1200, height: 860 },
): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: size, deviceScaleFactor: 1, colorScheme: theme });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("close", () => {
    context.close().catch(() => {});
  });
  await page.goto(viewUrl(server, view));
  await view.ready(page);
  await settled(page);
  return { page, errors };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's violations of WCAG 2.1 A/AA and best practices on the page as it is now. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    interface AxeResult {
      violations: Array<{
        id: string;
        impact: string | null;
        help: string;
        nodes: Array<{ target: unknown[] }>;
      }>;
    }
    const axe = (window as unknown as { axe: { run(ctx: Document, options: unknown): Promise<AxeResult> } })
      .axe;
    const result = await axe.run(document, {
      resultTypes: ["violations"],
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)),
    }));
  });
}

export const repoPath = (relative: string): string => path.join(repoRoot, relative);
