/**
 * bench/decide.ts, how every benchmark decides its targets, and the exit status of
 * `npm run bench -- --check`.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { bandAround, decide, quantileBand, summarizeTargets, type TargetResult } from "../../bench/decide.js";
import { repoRoot } from "../support/go.js";

const execFileAsync = promisify(execFile);

describe("quantileBand", () => {
  it("gives the median of 5 repeats with their whole range as the band (94 % coverage)", () => {
    expect(quantileBand([7, 3, 5, 9, 4])).toEqual({ estimate: 5, low: 3, high: 9 });
  });

  it("narrows with more repeats: the median of 20 lies between the 6th and the 15th value", () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(quantileBand(values)).toEqual({ estimate: 10.5, low: 6, high: 15 });
  });

  it("bands a p95 by the ranks around it", () => {
    const values = Array.from({ length: 300 }, (_, i) => 300 - i);
    const band = quantileBand(values, 0.95);
    expect(band.estimate).toBeCloseTo(285.05, 2);
    expect([band.low, band.high]).toEqual([278, 293]);
  });

  it("refuses to decide from nothing", () => {
    expect(() => quantileBand([])).toThrow(/no measurements/);
  });
});

describe("decide", () => {
  const at = (low: number, high: number) => ({ estimate: (low + high) / 2, low, high });
  it("meets or misses only when the whole band is on one side of the target", () => {
    const higher = (low: number, high: number) =>
      decide("x", at(low, high), { threshold: 5, better: "higher" }).decision;
    expect([higher(5.5, 8), higher(2, 4.9), higher(4, 6)]).toEqual(["met", "missed", "unresolved"]);
    const lower = (low: number, high: number) =>
      decide("x", at(low, high), { threshold: 500, better: "lower" }).decision;
    expect([lower(300, 499), lower(501, 900), lower(450, 550)]).toEqual(["met", "missed", "unresolved"]);
  });

  it("takes a bench's own noise figure as estimate ± noise", () => {
    const overhead = (value: number, noise: number) =>
      decide("o", bandAround(value, noise), { threshold: 2, better: "lower" }).decision;
    expect([overhead(1, 0.5), overhead(3, 0.5), overhead(1.8, 0.5), overhead(-1, 5)]).toEqual([
      "met",
      "missed",
      "unresolved",
      "unresolved",
    ]);
  });
});

describe("npm run bench -- --check", () => {
  const target = (decision: TargetResult["decision"]): TargetResult => ({
    ...decide("t", { estimate: 1, low: 1, high: 1 }, { threshold: 2, better: "lower" }),
    decision,
  });

  it("exits 1 on a missed target with --check, 0 without; unresolved is not a miss", () => {
    const missed = [{ bench: "a", targets: [target("met"), target("missed")] }];
    expect(summarizeTargets(missed, true).exitCode).toBe(1);
    expect(summarizeTargets(missed, false).exitCode).toBe(0);
    const unresolved = [{ bench: "a", targets: [target("unresolved"), target("met")] }];
    expect(summarizeTargets(unresolved, true).exitCode).toBe(0);
    expect(summarizeTargets(missed, true).lines.at(-1)).toBe("1 met, 1 missed, 0 unresolved");
  });

  it("exits 1 when a bench failed, with or without --check", () => {
    const failed = [{ bench: "ui", targets: [], error: "chromium is not installed" }];
    expect(summarizeTargets(failed, false).exitCode).toBe(1);
    expect(summarizeTargets(failed, true).lines).toContain("  ui: failed: chromium is not installed");
  });

  it("refuses an unknown bench name before running anything", async () => {
    const result = await execFileAsync(
      process.execPath,
      [path.join(repoRoot, "node_modules/tsx/dist/cli.mjs"), "bench/run.ts", "--check", "nosuch"],
      { cwd: repoRoot },
    ).catch((error: { code: number; stderr: string }) => error);
    expect((result as { code: number }).code).toBe(2);
    expect((result as { stderr: string }).stderr).toMatch(/no bench named nosuch/);
  });
});
