/**
 * heapscope's own reports (gctrace, memstats, goroutines, inspect, bench compare) on real inputs
 * stored in the repository, run through the CLI's main() and compared byte for byte with golden
 * files (test/golden/<command>.<scenario>.<format>). A change to any generated sentence or figure
 * shows here as a failure; if the change is meant, run `npm run golden` (npx tsx
 * scripts/update-golden.ts) and review the diff. Doctor's golden reports are in test/golden/doctor.
 *
 * Beside the comparison: each case's text says what its input shows (header, verdict), every golden
 * file differs from the others, JSON parses, and no report prints an impossible figure.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import {
  type GoldenFormat,
  goldenFileName,
  type ReportCase,
  renderReport,
  repoRoot,
  reportCases,
  reportsGoldenDir,
} from "./support/reports.js";

const UPDATE = "run `npm run golden` (npx tsx scripts/update-golden.ts) and review the diff";

const rendered = new Map<string, { text: string; exitCode: number }>();

beforeAll(async () => {
  for (const c of reportCases) {
    for (const format of c.formats) {
      const { file, text, exitCode } = await renderReport(c, format);
      rendered.set(file, { text, exitCode });
    }
  }
});

function output(c: ReportCase, format: GoldenFormat): { text: string; exitCode: number } {
  const out = rendered.get(goldenFileName(c, format));
  if (!out) throw new Error(`${goldenFileName(c, format)} was not rendered`);
  return out;
}

describe("golden reports of gctrace, memstats, goroutines, inspect and bench", () => {
  test("every case has its golden files, and every golden file its case", () => {
    const commands = new Set(reportCases.map((c) => c.command));
    expect([...commands].sort()).toEqual(["bench", "gctrace", "goroutines", "inspect", "memstats"]);
    const expected = reportCases.flatMap((c) => c.formats.map((f) => goldenFileName(c, f)));
    expect(new Set(expected).size, "two cases share a name").toBe(expected.length);
    const present = readdirSync(reportsGoldenDir).filter((name) =>
      /^(gctrace|memstats|goroutines|inspect|bench)\./.test(name),
    );
    expect(present.sort(), `golden files and cases differ: ${UPDATE}`).toEqual(expected.sort());
  });

  for (const c of reportCases) {
    describe(`${c.command} ${c.scenario}`, () => {
      test("every format matches its golden file byte for byte", () => {
        for (const format of c.formats) {
          const file = goldenFileName(c, format);
          const stored = path.join(reportsGoldenDir, file);
          expect(existsSync(stored), `${file} is missing: ${UPDATE}`).toBe(true);
          expect(output(c, format).text, `${file} changed: if meant, ${UPDATE}`).toBe(
            readFileSync(stored, "utf8"),
          );
        }
      });

      test(`every format ends with exit code ${c.exitCode}`, () => {
        for (const format of c.formats) expect(output(c, format).exitCode, format).toBe(c.exitCode);
      });

      test("the text report says what the input shows", () => {
        const text = output(c, "text").text;
        expect(text.split("\n").length).toBeGreaterThan(3);
        for (const pattern of c.expect) expect(text).toMatch(pattern);
      });

      test("JSON parses to an object; Markdown has a heading or table; no impossible figures", () => {
        const json = JSON.parse(output(c, "json").text) as unknown;
        expect(typeof json === "object" && json !== null && Object.keys(json).length).toBeGreaterThan(2);
        expect(output(c, "markdown").text).toMatch(/^(#|\|)|\n(#+ |\|)/);
        for (const format of ["text", "markdown"] as const) {
          const text = output(c, format).text;
          // An amount of memory is never negative (a rate, bytes/s, may be); signs are never doubled.
          expect(text, format).not.toMatch(/(^|[\s(:])[-−]\d+(\.\d+)? (B|KiB|MiB|GiB)\b(?!\/)/m);
          expect(text, format).not.toMatch(/\+[-−]|NaN|undefined|Infinity|\[object /);
          // Colour is off, and inputs are named as given (relative), not by this checkout's path.
          expect(text, format).not.toMatch(/\x1b\[/);
          for (const input of c.args.filter((a) => a.startsWith("test/"))) {
            expect(text, format).not.toContain(path.join(repoRoot, input));
            if (format === "text") expect(text).toContain(input);
          }
        }
        if (c.formats.includes("github")) {
          expect(output(c, "github").text).toMatch(/^::(error|warning) /m);
        }
      });
    });
  }

  test("no two golden reports are the same", () => {
    const byText = new Map<string, string>();
    for (const [file, { text }] of rendered) {
      const twin = byText.get(text);
      expect(twin, `${file} is identical to ${twin}`).toBeUndefined();
      byText.set(text, file);
    }
    expect(byText.size).toBe(rendered.size);
  });
});
