/**
 * Visual regression: every view of the UI (the fixed profile's views, the doctor page of a leaking
 * and of a healthy recording, a gctrace timeline, a goroutine dump, the retention view of a synthetic
 * heap dump as opened and with a holder clicked) in the light and the dark
 * theme, screenshotted in Chromium and compared with the committed baselines in baselines/ by
 * pixelmatch. `npm run ui:baselines` rewrites the baselines (review them as images in the diff).
 * A failing comparison leaves the actual screenshot and the difference in test/.work/ui-visual/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import pixelmatch from "pixelmatch";
import type { Browser } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UiServer } from "../../../src/ui/server/server.js";
import { requireTool } from "../../support/required-tools.js";
import { repoRoot } from "../../ui/support.js";
import { ensureUiBuilt, launchChromium, openView, startFixtureServer, themes, viewCases } from "./support.js";

const chromium = requireTool("chromium");
const baselines = path.join(import.meta.dirname, "baselines");
const failures = path.join(repoRoot, "test/.work/ui-visual");
const updating = process.env.HEAPSCOPE_UPDATE_BASELINES === "1";
/** pixelmatch's per-pixel colour distance threshold (0..1) and the share of pixels allowed to differ. */
const PIXEL_THRESHOLD = 0.1;
const MAX_DIFF_SHARE = 0.002;

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

function compare(name: string, actual: Buffer): { share: number; note: string } {
  const file = path.join(baselines, `${name}.png`);
  if (!existsSync(file))
    return { share: 1, note: `no baseline ${path.relative(repoRoot, file)}: run npm run ui:baselines` };
  const expected = PNG.sync.read(readFileSync(file));
  const got = PNG.sync.read(actual);
  if (expected.width !== got.width || expected.height !== got.height) {
    mkdirSync(failures, { recursive: true });
    writeFileSync(path.join(failures, `${name}.actual.png`), actual);
    return {
      share: 1,
      note: `size ${got.width}×${got.height}, baseline ${expected.width}×${expected.height}`,
    };
  }
  const diff = new PNG({ width: got.width, height: got.height });
  const differing = pixelmatch(expected.data, got.data, diff.data, got.width, got.height, {
    threshold: PIXEL_THRESHOLD,
  });
  const share = differing / (got.width * got.height);
  if (share > MAX_DIFF_SHARE) {
    mkdirSync(failures, { recursive: true });
    writeFileSync(path.join(failures, `${name}.actual.png`), actual);
    writeFileSync(path.join(failures, `${name}.diff.png`), PNG.sync.write(diff));
  }
  return { share, note: `${differing} pixels differ (see ${path.relative(repoRoot, failures)})` };
}

describe.skipIf(chromium.skip)(`visual regression${chromium.note}`, () => {
  for (const theme of themes) {
    for (const view of viewCases) {
      const name = `${view.name}-${theme}`;
      it(`${name} matches its baseline`, async () => {
        const { page, errors } = await openView(browser, server, view, theme);
        // Nothing may be focused or hovered: the page as it first renders.
        await page.mouse.move(0, 0);
        const shot = await page.screenshot({ fullPage: true, animations: "disabled", caret: "hide" });
        await page.close();
        expect(errors).toEqual([]);
        if (updating) {
          mkdirSync(baselines, { recursive: true });
          writeFileSync(path.join(baselines, `${name}.png`), shot);
          return;
        }
        const { share, note } = compare(name, shot);
        expect(share, `${name}: ${note}`).toBeLessThanOrEqual(MAX_DIFF_SHARE);
      }, 90_000);
    }
  }
});
