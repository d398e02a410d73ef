/**
 * axe-core on every view of the UI, in the light and the dark theme (Chromium's emulated
 * prefers-color-scheme): no serious or critical violation.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UiServer } from "../../../src/ui/server/server.js";
import { requireTool } from "../../support/required-tools.js";
import {
  axeViolations,
  ensureUiBuilt,
  launchChromium,
  openView,
  startFixtureServer,
  themes,
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

describe.skipIf(chromium.skip)(`accessibility${chromium.note}`, () => {
  for (const theme of themes) {
    for (const view of viewCases) {
      it(`${view.name} (${theme}): no serious or critical axe violation`, async () => {
        const { page, errors } = await openView(browser, server, view, theme);
        const violations = await axeViolations(page);
        const severe = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        expect(severe, JSON.stringify(severe, null, 2)).toEqual([]);
        expect(errors).toEqual([]);
        await page.close();
      }, 90_000);
    }
  }
});
