/**
 * The retention view in Chromium over a real Go program's heap dump (launched through the hook
 * overlay, dumped after a GC): the icicle's top holder is the global that keeps the records, a click
 * or the keyboard selects it and the path panel shows its retaining path root first, a suspect's link
 * (view=retention&site=FN) selects the allocation site, a global renamed to markup in the binary's
 * symbol table is shown as text, a recording that kept the dump opens the same view, and one without
 * a dump says how to get one. Last, `heapscope doctor --keep-dump` on a leaking program: its heap
 * suspect's link in the doctor panel opens the view on the suspect's allocation site, under the stack
 * root that holds it.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatBytes } from "../../../src/model/units.js";
import { RecordingWriter } from "../../../src/store/recording-writer.js";
import { startUiServer, type UiServer } from "../../../src/ui/server/server.js";
import type { RetentionPathWire, RetentionTreeWire } from "../../../src/ui/shared/retention-wire.js";
import { freePort, runCli } from "../../support/go.js";
import { GO_DEFAULT, goToolchains } from "../../support/go-toolchains.js";
import { requireTool } from "../../support/required-tools.js";
import { ensureUiBuilt, launchChromium } from "../../ui/support.js";
import { dumpProgram } from "../retention/support/dump-program.js";

requireTool("chromium");
const programDir = path.join(import.meta.dirname, "programs/retention-ui");
const GLOBAL = "main.recordsKeptByTheRetentionViewTest";
/** Markup of the global's length, written over its name in a copy of the binary. */
const HOSTILE = '<img src=x onerror="window.__xss=1">'.padEnd(GLOBAL.length, "_");

let browser: Browser;
let server: UiServer;
let hostileServer: UiServer;
let work: string;
let dumpBytes = 0;

function recording(file: string, dump?: { bytes: Uint8Array; binary: string; heapProfile: string }): void {
  const writer = RecordingWriter.create(file, {
    target: {
      url: "http://127.0.0.1:1",
      endpoints: {},
      headerNames: [],
      command: null,
      cmdline: null,
      pid: null,
      goVersion: null,
      hostname: "test",
    },
    settings: {
      intervalMs: 1000,
      durationMs: null,
      forceGc: true,
      dumpEvery: 30,
      keepVars: false,
      maxSizeBytes: 1 << 30,
      requestTimeoutMs: 30_000,
    },
    heapscopeVersion: "test",
  });
  if (dump) {
    // The program's own heap profile, as a recording's snapshot: it names inlined allocation sites.
    writer.writeSample({
      startedMs: 1000,
      finishedMs: 1005,
      final: true,
      heap: { bytes: new TextEncoder().encode(dump.heapProfile), gcForced: true, summary: null },
      memstats: [],
      errors: [],
    });
    writer.addHeapDump(dump.bytes, { goVersion: "go", binaryPath: dump.binary });
  }
  writer.finish({ complete: true, reason: "test" });
}

/** A copy of the binary whose symbol table names the global with markup (same length, same layout). */
function hostileBinary(binary: string, out: string): void {
  const bytes = readFileSync(binary);
  const from = Buffer.from(GLOBAL);
  let replaced = 0;
  for (let at = bytes.indexOf(from); at >= 0; at = bytes.indexOf(from, at + 1)) {
    Buffer.from(HOSTILE).copy(bytes, at);
    replaced++;
  }
  expect(replaced).toBeGreaterThan(0);
  writeFileSync(out, bytes);
}

beforeAll(async () => {
  await ensureUiBuilt();
  work = mkdtempSync(path.join(tmpdir(), "heapscope-retention-ui-"));
  const toolchain = goToolchains.find((t) => t.label === GO_DEFAULT)!;
  const binary = path.join(work, "server");
  const dumped = await dumpProgram(toolchain, programDir, [], { copyBinaryTo: binary });
  dumpBytes = dumped.bytes.length;
  const dumpFile = path.join(work, "heap.dump");
  writeFileSync(dumpFile, dumped.bytes);
  hostileBinary(binary, path.join(work, "hostile"));
  copyFileSync(dumpFile, path.join(work, "hostile.dump"));
  recording(path.join(work, "kept.hsrec"), {
    bytes: dumped.bytes,
    binary,
    heapProfile: dumped.heapProfileText,
  });
  recording(path.join(work, "none.hsrec"));
  server = await startUiServer({
    inputs: [dumpFile, path.join(work, "kept.hsrec"), path.join(work, "none.hsrec")],
    binary,
    warm: false,
  });
  hostileServer = await startUiServer({
    inputs: [path.join(work, "hostile.dump")],
    binary: path.join(work, "hostile"),
    warm: false,
  });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await hostileServer?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  return { page, errors };
}

function url(base: UiServer, params: Record<string, string>): string {
  return `${base.url}?${new URLSearchParams(params).toString()}`;
}

async function tree(base: UiServer, src: string): Promise<RetentionTreeWire> {
  const response = await fetch(`${base.url.replace(/\/$/, "")}/api/retention?src=${src}`);
  return (await response.json()) as RetentionTreeWire;
}

async function openIcicle(page: Page, address: string): Promise<void> {
  await page.goto(address);
  await page.waitForFunction(() => (window.__heapscopeRetention?.rects().length ?? 0) > 1, null, {
    timeout: 120_000,
  });
}

const selection = (page: Page) => page.evaluate(() => window.__heapscopeRetention!.state());
const liveText = (page: Page) => page.locator("#retention-selection").textContent();

describe("the retention view over a real Go program's heap dump", () => {
  it("names the global that keeps the records as the top holder, with sorted, budgeted groups", async () => {
    const wire = await tree(server, "0");
    expect(wire.status).toBe("ok");
    const holders = wire.nodes.parent.flatMap((p, v) => (p === 0 ? [v] : []));
    const top = holders[0]!;
    expect(wire.nodes.name[top]).toBe(GLOBAL);
    expect(wire.nodes.rootKind[top]).toBe("global");
    // 4000 records of a 4 KiB payload and a 32 B struct, and the slice's backing array.
    expect(wire.nodes.bytes[top]).toBeGreaterThanOrEqual(4000 * (4096 + 32));
    expect(wire.nodes.bytes[top]).toBeLessThan(wire.reachableBytes);
    expect(holders.map((v) => wire.nodes.bytes[v]!)).toEqual(
      holders.map((v) => wire.nodes.bytes[v]!).sort((a, b) => b - a),
    );
    expect(holders.reduce((s, v) => s + wire.nodes.bytes[v]!, 0)).toBe(wire.nodes.bytes[0]);
    expect(holders.some((v) => wire.nodes.name[v] === "main.smallCache")).toBe(true);
    const runtime = holders.filter((v) => wire.nodes.rootKind[v] === "runtime");
    expect(runtime.every((v) => !wire.nodes.name[v]!.startsWith("main."))).toBe(true);
    // The aggregation keeps the answer small: far fewer nodes than objects, and a small response.
    expect(wire.nodes.parent.length).toBeLessThan(wire.reachableObjects / 10);
    const json = JSON.stringify(wire).length;
    console.log(
      `retention view: dump ${formatBytes(dumpBytes)}, ${wire.reachableObjects} objects → ${wire.nodes.parent.length} nodes, ${formatBytes(json)} of JSON`,
    );
  });

  it("draws the holder on top, selects it on click and shows its path root first", async () => {
    const { page, errors } = await newPage();
    await openIcicle(page, url(server, { src: "0", view: "retention" }));
    const drawn = await page.evaluate(() => window.__heapscopeRetention!.rects());
    const top = drawn.filter((r) => r.y === 20).sort((a, b) => b.width - a.width)[0]!;
    expect(top.name).toBe(GLOBAL);
    expect(top.x).toBe(0);
    // Other groups first, so the click is what selects the holder.
    await page.locator("[data-retention]").focus();
    await page.keyboard.press("ArrowUp");
    expect((await selection(page)).selected).toBe(0);
    const point = await page.evaluate((n) => window.__heapscopeRetention!.pointOf(n), top.node);
    await page.mouse.click(point!.x, point!.y);
    expect(await selection(page)).toEqual({ selected: top.node, zoomed: top.node });
    expect(await liveText(page)).toContain(`${GLOBAL}: global root, retains`);
    const steps = page.locator(".path-steps li");
    await expect.poll(() => steps.count(), { timeout: 60_000 }).toBeGreaterThan(1);
    expect(await steps.first().getAttribute("data-step")).toBe("root");
    expect(await steps.first().textContent()).toContain(`${GLOBAL} (global root)`);
    expect(await steps.nth(1).textContent()).toMatch(/at \+0 → \d+(\.\d+)? KiB object/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("moves the selection with the arrows, zooms with Enter and resets with Escape", async () => {
    const { page } = await newPage();
    await openIcicle(page, url(server, { src: "0", view: "retention" }));
    const wire = await tree(server, "0");
    const top = wire.nodes.parent.indexOf(0);
    const box = page.locator("[data-retention]");
    await box.focus();
    expect((await selection(page)).selected).toBe(top);
    await page.keyboard.press("ArrowDown");
    const child = (await selection(page)).selected;
    expect(wire.nodes.parent[child]).toBe(top);
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowRight");
    const second = (await selection(page)).selected;
    expect(wire.nodes.parent[second]).toBe(0);
    expect(wire.nodes.bytes[second]).toBeLessThanOrEqual(wire.nodes.bytes[top]!);
    expect(await liveText(page)).toContain(wire.nodes.name[second]!);
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("Enter");
    expect(await selection(page)).toEqual({ selected: top, zoomed: top });
    // Zoomed: the holder spans the whole width.
    const width = await page.evaluate(() => document.querySelector(".retention-canvas")!.clientWidth);
    const rect = (await page.evaluate(() => window.__heapscopeRetention!.rects())).find(
      (r) => r.node === top,
    )!;
    expect(rect.width).toBeCloseTo(width, 0);
    await page.keyboard.press("Escape");
    expect((await selection(page)).zoomed).toBe(0);
    expect(await box.getAttribute("role")).toBe("tree");
    // Search highlights the groups whose name matches.
    await page.getByLabel("Search holders and sites").fill("smallcache");
    expect(await page.locator(".search-summary").first().textContent()).toBe("1 group matches");
    // A runtime root is announced as the runtime's, never as the program's holder.
    const runtime = wire.nodes.parent.findIndex((p, v) => p === 0 && wire.nodes.rootKind[v] === "runtime");
    expect(runtime).toBeGreaterThan(0);
    await openIcicle(page, url(server, { src: "0", view: "retention", root: wire.nodes.name[runtime]! }));
    expect((await selection(page)).selected).toBe(runtime);
    expect(await liveText(page)).toContain(`${wire.nodes.name[runtime]}: runtime-internal root, retains`);
    await page.close();
  });

  it("a suspect's link selects and highlights the allocation site under its root", async () => {
    const wire = await tree(server, "0");
    const sites = wire.nodes.site.flatMap((s, v) => (s === "main.ingest" ? [v] : []));
    expect(sites.length).toBeGreaterThan(0);
    const { page } = await newPage();
    await openIcicle(page, url(server, { src: "0", view: "retention", site: "main.ingest", root: GLOBAL }));
    const selected = (await selection(page)).selected;
    expect(wire.nodes.site[selected]).toBe("main.ingest");
    // The largest main.ingest group is the one selected, and it lies under the global.
    expect(wire.nodes.bytes[selected]).toBe(Math.max(...sites.map((v) => wire.nodes.bytes[v]!)));
    let v = selected;
    while (wire.nodes.parent[v]! > 0) v = wire.nodes.parent[v]!;
    expect(wire.nodes.name[v]).toBe(GLOBAL);
    expect(await liveText(page)).toContain("main.ingest: allocation site");
    expect(await page.locator(".search-summary").first().textContent()).toContain(
      sites.length === 1 ? "1 group matches" : `${sites.length} groups match`,
    );
    const steps = page.locator(".path-steps li");
    await expect.poll(() => steps.count(), { timeout: 60_000 }).toBeGreaterThan(1);
    expect(await steps.first().textContent()).toContain(GLOBAL);
    expect(await steps.last().textContent()).toContain("main.ingest");
    // root alone selects the holder.
    await openIcicle(page, url(server, { src: "0", view: "retention", root: "main.smallCache" }));
    expect(wire.nodes.name[(await selection(page)).selected]).toBe("main.smallCache");
    // main.fillCache is inlined into main: the bare dump names its allocations main.main, and says so;
    // the link still selects the root it gave.
    expect(wire.nodes.site).not.toContain("main.fillCache");
    expect(wire.limits.join("\n")).toContain("inlined into its caller is named by the caller");
    await openIcicle(
      page,
      url(server, { src: "0", view: "retention", site: "main.fillCache", root: "main.smallCache" }),
    );
    expect(wire.nodes.name[(await selection(page)).selected]).toBe("main.smallCache");
    expect(await page.locator("[data-site-missing]").textContent()).toContain("main.fillCache");
    await page.close();
  });

  it("shows a global named with markup as text", async () => {
    const { page, errors } = await newPage();
    await openIcicle(page, url(hostileServer, { src: "0" }));
    const drawn = await page.evaluate(() => window.__heapscopeRetention!.rects());
    expect(drawn.some((r) => r.name === HOSTILE)).toBe(true);
    const wire = await tree(hostileServer, "0");
    const node = wire.nodes.name.indexOf(HOSTILE);
    expect(node).toBeGreaterThan(0);
    const point = await page.evaluate((n) => window.__heapscopeRetention!.pointOf(n), node);
    await page.mouse.move(point!.x, point!.y);
    expect(await page.locator(".tooltip-name").textContent()).toBe(HOSTILE);
    await page.mouse.click(point!.x, point!.y);
    expect(await liveText(page)).toContain(HOSTILE);
    await expect.poll(() => page.locator(".path-steps li").count(), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(await page.locator(".path-steps li").first().textContent()).toContain(HOSTILE);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.evaluate(() => window.__heapscope.cspViolations)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("opens a recording's kept dump, and says how to get one when a recording has none", async () => {
    const kept = await tree(server, "1");
    expect(kept.status).toBe("ok");
    expect(kept.nodes.name[kept.nodes.parent.indexOf(0)]).toBe(GLOBAL);
    const { page } = await newPage();
    await openIcicle(page, url(server, { src: "1", view: "retention" }));
    const drawn = await page.evaluate(() => window.__heapscopeRetention!.rects());
    expect(drawn.find((r) => r.y === 20 && r.x === 0)!.name).toBe(GLOBAL);
    // The recording's heap profile names the inlined site: a suspect's link to it selects it.
    const cacheSites = kept.nodes.site.flatMap((s, v) => (s === "main.fillCache" ? [v] : []));
    expect(cacheSites.length).toBeGreaterThan(0);
    await openIcicle(
      page,
      url(server, { src: "1", view: "retention", site: "main.fillCache", root: "main.smallCache" }),
    );
    const selected = (await selection(page)).selected;
    expect(kept.nodes.site[selected]).toBe("main.fillCache");
    let holder = selected;
    while (kept.nodes.parent[holder]! > 0) holder = kept.nodes.parent[holder]!;
    expect(kept.nodes.name[holder]).toBe("main.smallCache");

    await page.goto(url(server, { src: "2", view: "retention" }));
    const empty = page.locator(".retention-empty");
    await empty.waitFor({ timeout: 60_000 });
    const text = await empty.textContent();
    expect(text).toContain("holds no heap dump");
    expect(text).toContain(
      "heapscope doctor --url http://127.0.0.1:6060 --keep-dump --out run.hsrec -- go run ./cmd/server -addr 127.0.0.1:6060",
    );
    expect(text).toContain("heapscope hook ./cmd/server");
    // A recording's header offers the view.
    await page.goto(url(server, { src: "2" }));
    await page.getByRole("button", { name: "What holds memory" }).click();
    await empty.waitFor({ timeout: 60_000 });
    expect(new URL(page.url()).searchParams.get("view")).toBe("retention");
    const api = server.url.replace(/\/$/, "");
    const noDump = await fetch(`${api}/api/retention/path?src=2&node=1`);
    expect(noDump.status).toBe(400);
    expect(((await noDump.json()) as { error: string }).error).toContain("has no heap dump");
    const badNode = await fetch(`${api}/api/retention/path?src=0&node=99999999`);
    expect(badNode.status).toBe(400);
    const good = (await (await fetch(`${api}/api/retention/path?src=0&node=1`)).json()) as RetentionPathWire;
    expect(good.node).toBe(1);
    await page.close();
  });
});

describe("from the doctor's suspect to what holds it", () => {
  it("a leaking program's doctor recording (--keep-dump) links its heap suspect to the retention view", async () => {
    const toolchain = goToolchains.find((t) => t.label === GO_DEFAULT)!;
    const port = await freePort();
    const recordingFile = path.join(work, "doctor.hsrec");
    const run = await runCli(
      [
        "doctor",
        "--duration",
        "20s",
        "--json",
        "--url",
        `http://127.0.0.1:${port}`,
        "--keep-dump",
        "--out",
        recordingFile,
        "--",
        "go",
        "run",
        ".",
        "-addr",
        `127.0.0.1:${port}`,
      ],
      {
        cwd: path.resolve(import.meta.dirname, "../doctor/scenarios/session-map-growth"),
        env: toolchain.env,
        timeoutMs: 150_000,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { verdict: string }).verdict).toBe("leak");
    const doctorServer = await startUiServer({ inputs: [recordingFile], warm: false });
    try {
      const { page, errors } = await newPage();
      await page.goto(url(doctorServer, { src: "0" }));
      const suspect = page.locator(".suspects > li").filter({ hasText: "main.newSession" }).first();
      await suspect.waitFor({ timeout: 120_000 });
      const link = suspect.locator(".held-by a").first();
      expect(new URL(await link.getAttribute("href")!, doctorServer.url).searchParams.get("site")).toBe(
        "main.newSession",
      );
      await link.click();
      await page.waitForFunction(() => (window.__heapscopeRetention?.rects().length ?? 0) > 1, null, {
        timeout: 120_000,
      });
      const params = new URL(page.url()).searchParams;
      expect([params.get("view"), params.get("site")]).toEqual(["retention", "main.newSession"]);
      const wire = await tree(doctorServer, "0");
      const selected = (await selection(page)).selected;
      expect(wire.nodes.site[selected]).toBe("main.newSession");
      // The sessions are held by a map in main's frame: the selected group is under a stack holder.
      let holder = selected;
      while (wire.nodes.parent[holder]! > 0) holder = wire.nodes.parent[holder]!;
      expect(wire.nodes.rootKind[holder]).toBe("stack");
      expect(wire.nodes.name[holder]).toContain("main.main");
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await doctorServer.close();
    }
  }, 240_000);
});
