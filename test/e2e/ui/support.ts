/**
 * Shared by the browser suites of the UI: one server over committed fixtures (a leaking and a
 * healthy recording of the doctor's golden corpus, a gctrace log, a goroutine dump, a synthetic heap
 * dump written at test time), the list of
 * views with what each waits for, Chromium pages in a given colour scheme, and axe-core.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { startUiServer, type UiServer } from "../../../src/ui/server/server.js";
import { DumpWriter } from "../../formats/heapdump/support/dump-writer.js";
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
  /** Written by writeRetentionDump at test time (a heap dump is binary and generated, so not committed). */
  retention: "test/.work/ui-fixtures/retention.dump",
};

/**
 * A synthetic heap dump of a fixed shape for the retention view: a global keeping a chain of
 * records, a goroutine's frame keeping a fan-out of entries (a map's buckets and their values), a
 * smaller global, a runtime global, and sampled allocation sites for the path panel. Every address
 * and size is fixed, so the view draws the same pixels on every run.
 */
export function writeRetentionDump(): void {
  const BASE = 0xc000100000;
  const DATA = 0x600000;
  const BSS = 0x700000;
  let next = 0;
  const alloc = () => BASE + next++ * 0x10000;
  const w = new DumpWriter().header().params();
  const sites = { chain: 0x900000, table: 0x900100, cache: 0x900200 };
  w.bucket(sites.chain, 4096, [["main.(*journal).append", "/src/app/journal.go", 41]], 120, 0);
  w.bucket(sites.table, 2048, [["main.(*sessions).put", "/src/app/sessions.go", 88]], 64, 0);
  w.bucket(sites.cache, 512, [["main.newCache", "/src/app/cache.go", 17]], 8, 0);
  // data+0x0 keeps a linked chain: each node points at its payload and the next node.
  const chain = Array.from({ length: 8 }, () => ({ node: alloc(), payload: alloc() }));
  chain.forEach(({ node, payload }, i) => {
    const pointers: [number, number][] = [[0, payload]];
    if (i + 1 < chain.length) pointers.push([8, chain[i + 1]!.node]);
    w.object(node, 48, pointers);
    w.object(payload, 8192 + 2048 * (i % 4));
    w.allocSample(payload, sites.chain);
  });
  // A goroutine's frame keeps a table: buckets, each fanning out to entries.
  const table = alloc();
  const buckets = Array.from({ length: 6 }, () => alloc());
  w.object(
    table,
    8 * buckets.length,
    buckets.map((b, i) => [8 * i, b]),
  );
  buckets.forEach((bucket, i) => {
    const entries = Array.from({ length: 3 + i }, () => alloc());
    w.object(
      bucket,
      8 * entries.length,
      entries.map((e, k) => [8 * k, e]),
    );
    for (const entry of entries) {
      w.object(entry, 3072);
      w.allocSample(entry, sites.table);
    }
  });
  w.goroutine({ address: 0x800000, goid: 18, creatorPc: 0x401100, waitReason: "select" });
  w.frame({
    sp: 0x7f0000,
    depth: 0,
    functionName: "main.(*sessions).serve",
    size: 32,
    pointers: [[16, table]],
  });
  // bss+0x10 keeps a small cache; bss+0x0 is a runtime-sized buffer held by a system goroutine's frame.
  const cache = alloc();
  const cacheEntries = Array.from({ length: 4 }, () => alloc());
  w.object(
    cache,
    32,
    cacheEntries.map((e, k) => [8 * k, e]),
  );
  for (const entry of cacheEntries) {
    w.object(entry, 6144);
    w.allocSample(entry, sites.cache);
  }
  const runtimeBuffer = alloc();
  w.object(runtimeBuffer, 16384);
  w.goroutine({ address: 0x810000, goid: 2, system: true, waitReason: "GC sweep wait" });
  w.frame({
    sp: 0x7e0000,
    depth: 0,
    functionName: "runtime.bgsweep",
    size: 16,
    pointers: [[8, runtimeBuffer]],
  });
  w.object(alloc(), 8192); // garbage: no root reaches it
  w.segment(12, DATA, 16, [[0, chain[0]!.node]]);
  w.segment(13, BSS, 32, [[16, cache]]);
  const file = repoPath(fixtures.retention);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, w.memStats(400_000).end().finish());
}

/** The fixed profile of the profile views: the leaking recording's last heap snapshot. */
export const PROFILE = "0@17";

/**
 * Serves the fixtures in this order: src 0 leak, 1 no-leak, 2 gctrace, 3 goroutines, 4 the synthetic
 * heap dump (vitest runs from the repository root).
 */
export function startFixtureServer(): Promise<UiServer> {
  writeRetentionDump();
  return startUiServer({
    inputs: [fixtures.leak, fixtures.noLeak, fixtures.gctrace, fixtures.goroutines, fixtures.retention],
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

const icicleDrawn = (page: Page) =>
  page.waitForFunction(() => (window.__heapscopeRetention?.rects().length ?? 0) > 1, null, {
    timeout: 60_000,
  });

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
  { name: "retention", query: { src: "4", view: "retention" }, ready: icicleDrawn },
  {
    name: "retention-path",
    query: { src: "4", view: "retention" },
    ready: async (page) => {
      await icicleDrawn(page);
      // Select the widest holder (the first row under the total) by a click, as a user would.
      const point = await page.evaluate(() => {
        const hook = window.__heapscopeRetention!;
        const holders = hook.rects().filter((r) => r.node !== 0);
        const top = Math.min(...holders.map((r) => r.y));
        const widest = holders.filter((r) => r.y === top).sort((a, b) => b.width - a.width)[0]!;
        return hook.pointOf(widest.node);
      });
      await page.mouse.click(point!.x, point!.y);
      await page.locator(".path-steps li").nth(1).waitFor({ timeout: 60_000 });
    },
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
