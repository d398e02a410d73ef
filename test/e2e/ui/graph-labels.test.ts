/**
 * The call graph's labels stay inside their boxes, measured in the browser's SVG: on the fixed
 * profile, and on a profile of long Go names (generic instantiations, closures, deep packages) whose
 * boxes Graphviz sized with other font metrics than the page's. A label that had to be fitted keeps
 * the full name in the node's title.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUiServer, type UiServer } from "../../../src/ui/server/server.js";
import { requireTool } from "../../support/required-tools.js";
import { encodeGz, profileFromStacks } from "../../ui/support.js";
import { ensureUiBuilt, launchChromium, openView, PROFILE, startFixtureServer, themes } from "./support.js";

const chromium = requireTool("chromium");
let browser: Browser;
let fixtureServer: UiServer;
let longServer: UiServer;

const LONG_NAMES = [
  "github.com/acme/platform/internal/sessions/store.(*ShardedSessionStore[go.shape.string,go.shape.*uint8]).rememberForever",
  "github.com/acme/platform/internal/sessions/store.(*ShardedSessionStore[...]).rememberForever.func1.1",
  "main.(*sessionStore).remember",
  "github.com/acme/platform/pkg/cache/lru.New[go.shape.struct { Key string; Value []uint8 }]",
  "W".repeat(140),
];

beforeAll(async () => {
  chromium.assert();
  await ensureUiBuilt();
  browser = await launchChromium();
  fixtureServer = await startFixtureServer();
  const stacks = LONG_NAMES.map((leaf, k) => ({
    frames: ["runtime.main", "main.main", LONG_NAMES[(k + 1) % LONG_NAMES.length]!, leaf],
    bytes: ((k + 1) * 4) << 20,
  }));
  const file = path.join(mkdtempSync(path.join(tmpdir(), "heapscope-graph-labels-")), "long-names.pb.gz");
  writeFileSync(file, encodeGz(profileFromStacks(stacks)));
  longServer = await startUiServer({ inputs: [file], warm: false });
}, 120_000);

afterAll(async () => {
  await fixtureServer?.close();
  await longServer?.close();
  await browser?.close();
});

interface Overflow {
  node: string;
  text: string;
  textBox: [number, number];
  nodeBox: [number, number];
}

/** Every node label's horizontal extent against its box's, in SVG units. */
async function overflows(page: Page): Promise<{ nodes: number; overflow: Overflow[]; titles: string[] }> {
  return page.evaluate(() => {
    const overflow: Overflow[] = [];
    const nodes = [...document.querySelectorAll<SVGGElement>(".callgraph-svg g.node")];
    for (const g of nodes) {
      const shape = g.querySelector<SVGGraphicsElement>("polygon, ellipse, path")!;
      const box = shape.getBBox();
      for (const text of g.querySelectorAll<SVGTextElement>("text")) {
        const t = text.getBBox();
        if (t.x < box.x - 0.5 || t.x + t.width > box.x + box.width + 0.5) {
          overflow.push({
            node: g.dataset.name ?? "",
            text: text.textContent ?? "",
            textBox: [t.x, t.x + t.width],
            nodeBox: [box.x, box.x + box.width],
          });
        }
      }
    }
    const titles = nodes.map((g) => g.querySelector("title")?.textContent?.split("\n")[0] ?? "");
    return { nodes: nodes.length, overflow, titles };
  });
}

describe.skipIf(chromium.skip)(`call graph labels${chromium.note}`, () => {
  for (const theme of themes) {
    it(`fit their boxes on the fixed profile (${theme})`, async () => {
      const { page } = await openView(
        browser,
        fixtureServer,
        { name: "graph", query: { src: PROFILE, view: "graph" }, ready: async () => {} },
        theme,
      );
      await page.waitForFunction(() => (window.__heapscope?.loaded?.graph ?? 0) > 0, null, {
        timeout: 60_000,
      });
      const result = await overflows(page);
      expect(result.nodes).toBeGreaterThanOrEqual(5);
      expect(result.overflow).toEqual([]);
      expect(result.titles).toContain("main.newSession");
      await page.close();
    }, 90_000);
  }

  it("fit their boxes with long Go names, the full names kept in the titles", async () => {
    const { page } = await openView(
      browser,
      longServer,
      { name: "graph", query: { src: "0", view: "graph" }, ready: async () => {} },
      "light",
    );
    await page.waitForFunction(() => (window.__heapscope?.loaded?.graph ?? 0) > 0, null, { timeout: 60_000 });
    const result = await overflows(page);
    expect(result.overflow).toEqual([]);
    for (const name of LONG_NAMES) expect(result.titles).toContain(name);
    // Graphviz measured these names with other font metrics: some came out too wide and were fitted
    // (squeezed or cut in the middle); each fitted label's full text is the node's name.
    const fitted = await page.evaluate(() =>
      [...document.querySelectorAll<SVGTextElement>(".callgraph-svg g.node text[data-full]")].map((t) => ({
        full: t.dataset.full!,
        name: (t.closest("g.node") as SVGGElement).dataset.name!,
        drawn: t.textContent!,
      })),
    );
    expect(fitted.length).toBeGreaterThan(0);
    for (const f of fitted.filter((f) => f.drawn !== f.full)) {
      const [head, tail] = f.drawn.split("…");
      expect(f.full.startsWith(head!) && f.full.endsWith(tail!), `${f.drawn} cut from ${f.full}`).toBe(true);
    }
    await page.close();
  }, 90_000);
});
