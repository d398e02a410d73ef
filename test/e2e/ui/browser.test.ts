/**
 * The web UI in Debian's Chromium (playwright-core): real heap profiles from a small leaking Go
 * program, checked against what was drawn (the page's rectangle hook) and against `go tool pprof`.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatPercent } from "../../../src/model/units.js";
import type { FlameTree } from "../../../src/profile/flame-tree.js";
import type { ProfileQuery } from "../../../src/ui/server/profile-engine.js";
import { startUiServer, type UiServer } from "../../../src/ui/server/server.js";
import type { DrawnRect } from "../../../src/ui/web/src/flame/renderer.js";
import { buildGoProgram, runGo } from "../../support/go.js";
import { requireTool } from "../../support/required-tools.js";
import { encodeGz, ensureUiBuilt, launchChromium, profileFromStacks } from "../../ui/support.js";

const execFileAsync = promisify(execFile);
const chromium = requireTool("chromium");
const programDir = path.join(import.meta.dirname, "programs/leakyheap");

let server: UiServer;
let browser: Browser;
let work: string;
let beforePath: string;
let afterPath: string;

const EVIL_NAME = '<img src=x onerror="window.__xss=1">';
const EVIL_NAME_2 = '"><script>window.__xss=2</script>';
const EVIL_FILE = "</title><svg onload=window.__xss=3>.go";

function query(patch: Partial<ProfileQuery>): ProfileQuery {
  return { src: "", base: "", si: "", f: "", i: "", h: "", s: "", g: "", ...patch };
}

/** pprof's cum per function in bytes, and the total, from `go tool pprof -top -cum -unit=B`. */
async function pprofCum(
  file: string,
  sampleIndex: string,
): Promise<{ total: number; cum: Map<string, number>; flat: Map<string, number> }> {
  const { stdout } = await runGo(
    ["tool", "pprof", "-top", "-cum", "-nodefraction=0", "-unit=B", `-sample_index=${sampleIndex}`, file],
    { maxBuffer: 16 << 20 },
  );
  const total = Number(/of (\d+)B total/.exec(stdout)?.[1]);
  const cum = new Map<string, number>();
  const flat = new Map<string, number>();
  for (const line of stdout.split("\n")) {
    const m = /^\s*(0|\d+B)\s+\S+%\s+\S+%\s+(\d+)B\s+\S+%\s+(.+)$/.exec(line);
    if (m) {
      cum.set(m[3]!.trim(), Number(m[2]));
      flat.set(m[3]!.trim(), Number.parseInt(m[1]!, 10));
    }
  }
  return { total, cum, flat };
}

async function newPage(): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, errors, dialogs };
}

function url(params: Record<string, string>): string {
  const search = new URLSearchParams(params).toString();
  return `${server.url}${search ? `?${search}` : ""}`;
}

async function loadedCount(page: Page, key: string): Promise<number> {
  return page.evaluate((k) => window.__heapscope?.loaded?.[k] ?? 0, key);
}

/** Waits until the flame canvas `id` received data more than `after` times. */
async function waitForFlame(page: Page, id = "main", after = 0): Promise<void> {
  await page.waitForFunction(
    ([key, n]) => (window.__heapscope?.loaded?.[key as string] ?? 0) > (n as number),
    [`flame:${id}`, after],
    { timeout: 60_000 },
  );
}

async function rects(page: Page, id = "main"): Promise<DrawnRect[]> {
  return page.evaluate((key) => window.__heapscope.flames[key]!.rects(), id);
}

async function viewWidth(page: Page, id = "main"): Promise<number> {
  return page.evaluate((key) => window.__heapscope.flames[key]!.view().width, id);
}

/** Left edge of every node in weight units: children side by side from their parent's edge. */
function leftEdges(tree: FlameTree): Float64Array {
  const left = new Float64Array(tree.nodeCount);
  const used = new Float64Array(tree.nodeCount);
  for (let i = 1; i < tree.nodeCount; i++) {
    const p = tree.parent[i]!;
    left[i] = left[p]! + used[p]!;
    used[p]! += tree.weight[i]!;
  }
  return left;
}

/**
 * Every drawn rectangle has the engine's width and position; every node wide enough to draw was
 * drawn.
 */
function expectRectsMatchTree(drawn: DrawnRect[], tree: FlameTree, width: number, focus = 0): void {
  const scale = width / tree.weight[focus]!;
  const left = leftEdges(tree);
  const byNode = new Map(drawn.map((r) => [r.node, r]));
  expect(drawn.length).toBeGreaterThan(0);
  for (const r of drawn) {
    expect(r.name === tree.names[tree.nameIndex[r.node]!] || r.node === 0).toBe(true);
    expect(Math.abs(r.width - tree.weight[r.node]! * scale)).toBeLessThanOrEqual(1);
    expect(Math.abs(r.x - (left[r.node]! - left[focus]!) * scale)).toBeLessThanOrEqual(1);
  }
  // Every descendant of the focus at least 1 px wide is drawn (the canvas is tall enough here).
  for (let i = focus; i < tree.subtreeEnd[focus]!; i++) {
    if (tree.weight[i]! * scale >= 1.5)
      expect(byNode.has(i), `node ${i} ${tree.names[tree.nameIndex[i]!]}`).toBe(true);
  }
}

beforeAll(async () => {
  chromium.assert();
  await ensureUiBuilt();
  work = mkdtempSync(path.join(tmpdir(), "heapscope-ui-"));
  beforePath = path.join(work, "before.pb.gz");
  afterPath = path.join(work, "after.pb.gz");
  const binary = await buildGoProgram(programDir);
  await execFileAsync(binary, ["-before", beforePath, "-after", afterPath]);
  const evil = profileFromStacks(
    [
      { frames: ["runtime.main", "main.main", EVIL_NAME], bytes: 3 << 20 },
      { frames: ["runtime.main", "main.main", EVIL_NAME_2, "main.inner"], bytes: 1 << 20 },
    ],
    { fileOf: (name) => (name === EVIL_NAME ? EVIL_FILE : "/src/app/main.go") },
  );
  const evilPath = path.join(work, "evil.pb.gz");
  writeFileSync(evilPath, encodeGz(evil));
  server = await startUiServer({ inputs: [beforePath, afterPath, evilPath], sourcePaths: [programDir] });
  await server.ready;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.skipIf(chromium.skip)(`flame graph${chromium.note}`, () => {
  it("draws every frame with the engine's width and matches go tool pprof's cum values", async () => {
    const { page, errors } = await newPage();
    await page.goto(url({ src: "1" }));
    await waitForFlame(page);
    const tree = server.engine.flameTree(query({ src: "1" }));
    const drawn = await rects(page);
    const width = await viewWidth(page);
    expectRectsMatchTree(drawn, tree, width);
    // Independent oracle: frames that occur once have width = cum / total of pprof's own report.
    const pprof = await pprofCum(afterPath, "inuse_space");
    let compared = 0;
    for (const name of ["main.handleLogin", "main.addSession", "main.buildIndex", "main.indexDocument"]) {
      const matches = drawn.filter((r) => r.name === name);
      expect(matches.length, name).toBe(1);
      expect(
        Math.abs(matches[0]!.width - (pprof.cum.get(name)! / pprof.total) * width),
        name,
      ).toBeLessThanOrEqual(1);
      compared++;
    }
    expect(compared).toBe(4);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("zooms into a clicked frame: it fills the width, its children scale with it", async () => {
    const { page } = await newPage();
    await page.goto(url({ src: "1" }));
    await waitForFlame(page);
    const tree = server.engine.flameTree(query({ src: "1" }));
    const target = (await rects(page)).find((r) => r.name === "main.buildIndex")!;
    const point = await page.evaluate((n) => window.__heapscope.flames.main!.pointOf(n), target.node);
    await page.mouse.click(point!.x, point!.y);
    await page.waitForFunction((n) => window.__heapscope.flames.main!.view().focused === n, target.node);
    const width = await viewWidth(page);
    const drawn = await rects(page);
    const focused = drawn.find((r) => r.node === target.node)!;
    expect(Math.abs(focused.width - width)).toBeLessThanOrEqual(1);
    // Ancestors stay drawn (clipped to the full width).
    for (let p = tree.parent[target.node]!; p >= 0; p = tree.parent[p]!) {
      expect(drawn.find((r) => r.node === p)?.drawnWidth).toBeCloseTo(width, 0);
    }
    const inSubtree = drawn.filter((r) => r.node > target.node && r.node < tree.subtreeEnd[target.node]!);
    expect(inSubtree.length).toBeGreaterThan(0);
    const left = leftEdges(tree);
    for (const r of inSubtree) {
      const scale = width / tree.weight[target.node]!;
      expect(Math.abs(r.width - tree.weight[r.node]! * scale)).toBeLessThanOrEqual(1);
      expect(Math.abs(r.x - (left[r.node]! - left[target.node]!) * scale)).toBeLessThanOrEqual(1);
    }
    // Breadcrumbs show the path; Escape resets.
    await expect(page.locator(".breadcrumbs").textContent()).resolves.toContain("main.buildIndex");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => window.__heapscope.flames.main!.view().focused === 0);
    await page.close();
  });

  it("highlights search matches and reports their share", async () => {
    const { page } = await newPage();
    await page.goto(url({ src: "1" }));
    await waitForFlame(page);
    await page.fill('input[aria-label="Search frames"]', "index");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("q") === "index");
    await page.waitForFunction(() => window.__heapscope.flames.main!.rects().some((r) => !r.matched));
    const drawn = await rects(page);
    for (const r of drawn) {
      if (r.node === 0) continue;
      expect(r.matched, r.name).toBe(/index/i.test(r.name));
    }
    const summary = await page.locator(".search-summary").textContent();
    const tree = server.engine.flameTree(query({ src: "1" }));
    const buildIndex = drawn.find((r) => r.name === "main.buildIndex")!;
    expect(summary).toContain(formatPercent(tree.weight[buildIndex.node]! / tree.weight[0]!));
    await page.close();
  });

  it("shows details on hover", async () => {
    const { page } = await newPage();
    await page.goto(url({ src: "1" }));
    await waitForFlame(page);
    const target = (await rects(page)).find((r) => r.name === "main.addSession")!;
    const point = await page.evaluate((n) => window.__heapscope.flames.main!.pointOf(n), target.node);
    await page.mouse.move(point!.x, point!.y);
    const tooltip = page.locator(".tooltip");
    await tooltip.waitFor();
    const text = await tooltip.textContent();
    expect(text).toContain("main.addSession");
    expect(text).toContain("main.go");
    expect(text).toMatch(/total\s*[\d.]+ [KMG]iB \([\d.]+%\)/);
    await page.close();
  });

  it("switches the sample type and redraws with the new values", async () => {
    const { page } = await newPage();
    await page.goto(url({ src: "1" }));
    await waitForFlame(page);
    const before = await loadedCount(page, "flame:main");
    await page.selectOption('select[aria-label="Sample type"]', { label: "alloc_space (bytes)" });
    await waitForFlame(page, "main", before);
    expect(new URL(page.url()).searchParams.get("si")).toBe("alloc_space");
    const tree = server.engine.flameTree(query({ src: "1", si: "alloc_space" }));
    expect(tree.sampleType.type).toBe("alloc_space");
    expectRectsMatchTree(await rects(page), tree, await viewWidth(page));
    // alloc_space still has the blobs that inuse_space no longer holds.
    expect((await rects(page)).some((r) => r.name === "main.storeBlob")).toBe(true);
    const pprof = await pprofCum(afterPath, "alloc_space");
    const blob = (await rects(page)).find((r) => r.name === "main.storeBlob")!;
    expect(
      Math.abs(blob.width - (pprof.cum.get("main.storeBlob")! / pprof.total) * (await viewWidth(page))),
    ).toBeLessThanOrEqual(1);
    await page.close();
  });

  it("keeps refine filters in the URL and applies them (focus)", async () => {
    const { page } = await newPage();
    await page.goto(url({ src: "1", f: "buildIndex" }));
    await waitForFlame(page);
    const names = new Set((await rects(page)).map((r) => r.name));
    expect(names.has("main.buildIndex")).toBe(true);
    expect(names.has("main.addSession")).toBe(false);
    expectRectsMatchTree(
      await rects(page),
      server.engine.flameTree(query({ src: "1", f: "buildIndex" })),
      await viewWidth(page),
    );
    await expect(page.inputValue('input[name="f"]')).resolves.toBe("buildIndex");
    await page.close();
  });

  it("opens the sandwich view of a frame from the context menu", async () => {
    const { page } = await newPage();
    await page.goto(url({ src: "1" }));
    await waitForFlame(page);
    const target = (await rects(page)).find((r) => r.name === "main.indexDocument")!;
    const point = await page.evaluate((n) => window.__heapscope.flames.main!.pointOf(n), target.node);
    await page.mouse.click(point!.x, point!.y, { button: "right" });
    await page.getByRole("menuitem", { name: "Sandwich (callers and callees)" }).click();
    await waitForFlame(page, "callers");
    await waitForFlame(page, "callees");
    expect(new URL(page.url()).searchParams.get("frame")).toBe("main.indexDocument");
    const callers = await rects(page, "callers");
    const callerNames = callers.map((r) => r.name);
    expect(callerNames[0]).toBe("main.indexDocument");
    expect(callerNames).toContain("main.buildIndex");
    expect(callerNames).toContain("main.main");
    const callees = (await rects(page, "callees")).map((r) => r.name);
    expect(callees).toContain("strings.Repeat");
    expect(callees).not.toContain("main.main");
    // The callers half is drawn upside down: the function at the bottom, its callers above.
    const root = callers.find((r) => r.node === 0)!;
    const caller = callers.find((r) => r.name === "main.buildIndex")!;
    expect(caller.y).toBeLessThan(root.y);
    const sandwich = server.engine.sandwich(query({ src: "1" }), "main.indexDocument", "callers").tree;
    expectRectsMatchTree(callers, sandwich, await viewWidth(page, "callers"));
    await page.close();
  });

  it("colours a diff of two profiles blue (shrank) to orange (grew), widths base + target", async () => {
    const { page } = await newPage();
    await page.goto(url({ src: "1", base: "0" }));
    await waitForFlame(page);
    const tree = server.engine.flameTree(query({ src: "1", base: "0" }));
    expect(tree.baseTotal).toBeDefined();
    const drawn = await rects(page);
    expectRectsMatchTree(drawn, tree, await viewWidth(page));
    const pixel = async (name: string) => {
      const r = drawn.find((d) => d.name === name)!;
      return page.evaluate(
        ({ x, y }) => {
          const canvas = document.querySelector<HTMLCanvasElement>('[data-flame="main"] canvas')!;
          const dpr = window.devicePixelRatio || 1;
          const data = canvas
            .getContext("2d")!
            .getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data;
          return { r: data[0]!, g: data[1]!, b: data[2]! };
        },
        { x: r.drawnX + 2, y: r.y + 2 },
      );
    };
    const grew = await pixel("main.addSession"); // 2000 → 8000 sessions
    const shrank = await pixel("main.storeBlob"); // blobs released
    expect(grew.r).toBeGreaterThan(grew.b + 60);
    expect(shrank.b).toBeGreaterThan(shrank.r + 60);
    await page.locator(".legend").waitFor();
    // The top table of the diff: base and target side by side, biggest change first.
    await page.getByRole("tab", { name: "Top", exact: true }).click();
    await page.locator(".top-table tbody tr").first().waitFor();
    const top = server.engine.top(query({ src: "1", base: "0" }));
    expect(top.diff).toBe(true);
    expect(top.rows[0]!.name).toBe("main.addSession");
    const before = await pprofCum(beforePath, "inuse_space");
    const after = await pprofCum(afterPath, "inuse_space");
    expect(top.rows[0]!.baseFlat).toBe(before.flat.get("main.addSession"));
    expect(top.rows[0]!.flat).toBe(after.flat.get("main.addSession"));
    const firstRow = page.locator(".top-table tbody tr").first();
    expect(await firstRow.locator("td.name button.link:not(.small)").textContent()).toBe("main.addSession");
    expect(await firstRow.locator("td").nth(5).textContent()).toMatch(/^\+[\d.]+ [KMG]iB$/);
    await page.close();
  });
});

describe.skipIf(chromium.skip)(`tables and other views${chromium.note}`, () => {
  it("top table: values match the engine, sorts by cum, filters", async () => {
    const { page } = await newPage();
    await page.goto(url({ src: "1", view: "top" }));
    await page.locator(".top-table tbody tr").first().waitFor();
    const top = server.engine.top(query({ src: "1" }));
    const pprof = await pprofCum(afterPath, "inuse_space");
    const cells = await page.locator(".top-table tbody tr").first().locator("td").allTextContents();
    const firstName = page.locator(".top-table tbody tr").first().locator("td.name button.link:not(.small)");
    expect(await firstName.textContent()).toBe("main.addSession");
    expect(top.rows[0]!.name).toBe("main.addSession");
    expect(top.rows[0]!.flat).toBe(pprof.flat.get("main.addSession"));
    expect(top.total).toBe(pprof.total);
    const flatPercent = (pprof.flat.get("main.addSession")! / pprof.total) * 100;
    expect(Math.abs(Number.parseFloat(cells[1]!) - flatPercent)).toBeLessThan(0.06);
    await page.getByRole("button", { name: "Cum", exact: true }).click();
    const firstByCum = page.locator(".top-table tbody tr").first().locator("td.name button.link:not(.small)");
    const [largestCum] = [...pprof.cum].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
    expect(await firstByCum.textContent()).toBe(largestCum);
    await page.fill('input[aria-label="Filter functions"]', "^main\\.");
    await page.waitForFunction(() => document.querySelectorAll(".top-table tbody tr").length < 10);
    const names = await page.locator(".top-table tbody td.name button.link:not(.small)").allInnerTexts();
    expect(names.length).toBeGreaterThan(3);
    for (const name of names) expect(name).toMatch(/^main\./);
    await page.close();
  });

  it("peek lists callers and callees", async () => {
    const { page } = await newPage();
    await page.goto(url({ src: "1", view: "peek", fn: "^main\\.handleLogin$" }));
    await page.locator(".peek-table").first().waitFor();
    const text = await page.locator(".peek-table").first().textContent();
    expect(text).toContain("main.main");
    expect(text).toContain("main.addSession");
    await page.close();
  });

  it("source view shows the .go lines under --source-path with their values", async () => {
    const { page } = await newPage();
    await page.goto(url({ src: "1", view: "source", fn: "^main\\.addSession$" }));
    await page.locator(".source-table").first().waitFor();
    const hot = await page.locator(".source-table tr.hot").first().textContent();
    expect(hot).toContain("make([]byte, size)");
    expect(hot).toMatch(/[\d.]+ [KMG]iB/);
    await page.close();
  });

  it("call graph is laid out in a worker and drawn as SVG", async () => {
    const { page, errors } = await newPage();
    await page.goto(url({ src: "1", view: "graph" }));
    await page.waitForFunction(() => (window.__heapscope?.loaded?.graph ?? 0) > 0, null, { timeout: 90_000 });
    const labels = await page.locator(".callgraph-svg text").allTextContents();
    expect(labels).toContain("main.addSession");
    expect(labels).toContain("main.handleLogin");
    const cspViolations = await page.evaluate(() => window.__heapscope.cspViolations);
    expect(cspViolations).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe.skipIf(chromium.skip)(`untrusted names${chromium.note}`, () => {
  it("renders hostile function names and paths as text: no script, no element, no CSP violation", async () => {
    const { page, errors, dialogs } = await newPage();
    await page.goto(url({ src: "2" }));
    await waitForFlame(page);
    const drawn = await rects(page);
    expect(drawn.map((r) => r.name)).toContain(EVIL_NAME);
    const point = await page.evaluate(
      (n) => window.__heapscope.flames.main!.pointOf(n),
      drawn.find((r) => r.name === EVIL_NAME)!.node,
    );
    await page.mouse.move(point!.x, point!.y);
    await page.locator(".tooltip").waitFor();
    expect(await page.locator(".tooltip-name").textContent()).toBe(EVIL_NAME);
    expect(await page.locator(".tooltip-file").textContent()).toBe(EVIL_FILE);
    await page.goto(url({ src: "2", view: "top" }));
    await page.locator(".top-table tbody tr").first().waitFor();
    const names = await page.locator(".top-table td.name button.link:not(.small)").allInnerTexts();
    expect(names).toContain(EVIL_NAME);
    expect(names).toContain(EVIL_NAME_2);
    await page.goto(url({ src: "2", view: "peek", fn: "main" }));
    await page.locator(".peek-table").first().waitFor();
    await page.goto(url({ src: "2", view: "graph" }));
    await page.waitForFunction(() => (window.__heapscope?.loaded?.graph ?? 0) > 0, null, { timeout: 90_000 });
    expect(await page.locator(".callgraph-svg text").allTextContents()).toContain(EVIL_NAME);
    const state = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: number }).__xss,
      images: document.querySelectorAll("img").length,
      scripts: [...document.querySelectorAll("script")].map((s) => s.getAttribute("src")),
      svgs: document.querySelectorAll("svg[onload]").length,
      csp: window.__heapscope.cspViolations,
    }));
    expect(state.xss).toBeUndefined();
    expect(state.images).toBe(0);
    expect(state.svgs).toBe(0);
    expect(state.scripts.every((src) => src?.startsWith("/assets/"))).toBe(true);
    expect(state.csp).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
