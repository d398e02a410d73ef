/**
 * The report commands as a user meets them: bad inputs end in one `heapscope: …` line and exit 2;
 * `top --json` carries the same rows as the text; Markdown escapes untrusted frame names.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeProfileGzip } from "../../../src/formats/pprof-proto-encode.js";
import { syntheticProfile } from "../../profile/synthetic.js";
import { runCli } from "../../support/go.js";
import { buildProgram, freshDir, removeFreshDirs, run } from "./oracle-support.js";

let dir = "";
let heap = "";

beforeAll(async () => {
  const sites = await buildProgram("heapsites");
  dir = freshDir("report-cli");
  const result = await run(sites, [dir]);
  expect(result.code, result.stderr).toBe(0);
  heap = path.join(dir, "heap-2.pb.gz");
}, 300_000);

afterAll(removeFreshDirs);

function expectOneLineError(result: { code: number; stdout: string; stderr: string }, pattern: RegExp) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines.filter((l) => l.startsWith("heapscope: "))).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe("report commands: bad input", () => {
  it("a missing file", async () => {
    expectOneLineError(await runCli(["top", path.join(dir, "missing.pb.gz")]), /missing\.pb\.gz/);
  });
  it("junk bytes and an empty file", async () => {
    const junk = path.join(dir, "junk.bin");
    writeFileSync(junk, Buffer.from([0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]));
    expectOneLineError(await runCli(["tree", junk]), /junk\.bin/);
    const empty = path.join(dir, "empty.pb.gz");
    writeFileSync(empty, "");
    expectOneLineError(await runCli(["raw", empty]), /empty/);
  });
  it("an unknown sample index, a bad regex, conflicting options", async () => {
    expectOneLineError(
      await runCli(["top", "--sample-index=cpu", heap]),
      /sample_index "cpu" must be one of/,
    );
    expectOneLineError(await runCli(["top", "--focus=(", heap]), /focus/);
    expectOneLineError(await runCli(["top", "-lines", "-files", heap]), /conflicting options/);
    expectOneLineError(await runCli(["top", `--base=${heap}`, `--diff-base=${heap}`, heap]), /cannot both/);
    expectOneLineError(await runCli(["top", "--normalize", heap]), /base profile to normalize/);
  });
  it("peek and list with no matching function", async () => {
    expectOneLineError(await runCli(["peek", "zz_nothing", heap]), /no matches found for regexp: zz_nothing/);
    expectOneLineError(await runCli(["list", "zz_nothing", heap]), /no matches found for regexp: zz_nothing/);
  });
  it("an unreachable URL", async () => {
    expectOneLineError(
      await runCli(["top", "--timeout=2", "http://127.0.0.1:9/debug/pprof/heap"], { timeoutMs: 60_000 }),
      /127\.0\.0\.1:9/,
    );
  });
});

describe("top output formats", () => {
  it("--json has the text report's rows and header", async () => {
    const [text, json] = await Promise.all([
      runCli(["top", "-nodecount=6", heap]),
      runCli(["top", "-nodecount=6", "--json", heap]),
    ]);
    expect(json.code).toBe(0);
    const data = JSON.parse(json.stdout) as {
      type: string;
      total: number;
      rows: Array<{
        flat: number;
        flatPercent: number;
        sum: number;
        cum: number;
        cumPercent: number;
        name: string;
      }>;
      header: string[];
    };
    expect(data.type).toBe("inuse_space");
    expect(data.rows).toHaveLength(6);
    const textRows = text.stdout.trimEnd().split("\n").slice(-6);
    data.rows.forEach((row, i) => {
      expect(textRows[i]).toContain(row.name);
      expect(textRows[i]).toContain(`${row.flatPercent.toFixed(2)}%`.replace(/^0\.00%$/, "0%"));
      expect(row.cum).toBeGreaterThanOrEqual(row.flat);
    });
    expect(data.rows.at(-1)!.sum).toBeGreaterThanOrEqual(data.rows[0]!.flatPercent);
    expect(text.stdout).toContain(data.header.find((h) => h.startsWith("Showing nodes"))!);
  });

  it("--format markdown escapes frame names", async () => {
    const profile = syntheticProfile([
      { stack: "main;evil|<script>alert(1)</script>", values: [1, 100, 1, 100] },
    ]);
    const file = path.join(dir, "evil.pb.gz");
    writeFileSync(file, encodeProfileGzip(profile));
    const result = await runCli(["top", "--format", "markdown", file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("| flat | flat% | sum% | cum | cum% | name |");
    expect(result.stdout).not.toContain("<script>");
    expect(result.stdout).toContain("evil\\|\\<script\\>alert\\(1\\)\\</script\\>");
  });
});
