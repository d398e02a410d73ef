/**
 * heldBy's claims on a real dump: estimates scaled like pprof's, "too few samples" below the minimum,
 * except for objects so large that each was sampled almost surely; nothing claimed for a site with no
 * sampled object. The header-map program keeps 40 × 1 MiB buffers, sampled every 4 KiB.
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { analyzeRetention, heldBy, type RetentionContext } from "../../../src/diagnose/holders/index.js";
import { goToolchains } from "../../support/go-toolchains.js";
import { allocatingLines, dumpProgram, TEST_PROFILE_RATE } from "./support/dump-program.js";

const toolchain = goToolchains.find((t) => t.label === "go1.26.8")!;
let context: RetentionContext;
let lines: { file: string; line: number }[];

beforeAll(async () => {
  const dumped = await dumpProgram(toolchain, path.resolve(import.meta.dirname, "programs/header-map"), []);
  context = analyzeRetention(dumped.dump, { resolver: dumped.resolver }).context;
  lines = allocatingLines(dumped.heapProfileText, "main.readFrame");
}, 120_000);

describe("heldBy claims", () => {
  it("estimates the 40 MiB the global map keeps, from 40 samples of 1 MiB", () => {
    const site = { function: "main.readFrame", lines };
    const { heldBy: holders } = heldBy(context, site, { rate: TEST_PROFILE_RATE, minSamples: 100 });
    expect(holders).toHaveLength(1);
    expect(holders[0]).toMatchObject({ root: "main.frameHeaders", rootKind: "global", claim: "estimate" });
    expect(holders[0]!.samples).toBe(40);
    // 1 MiB objects at a 4 KiB rate: the scale factor is 1, the estimate the exact bytes.
    expect(holders[0]!.retainedBytes).toBe(40 * 1024 * 1024);
    expect(holders[0]!.share).toBe(1);
  });

  it('says "too few samples" when the objects are small against the rate and few', () => {
    const site = { function: "main.readFrame", lines };
    const { heldBy: holders } = heldBy(context, site, { rate: 64 * 1024 * 1024, minSamples: 100 });
    expect(holders[0]).toMatchObject({
      root: "main.frameHeaders",
      claim: "too few samples",
      retainedBytes: null,
      share: null,
      samples: 40,
    });
  });

  it("claims nothing for a line no sampled object comes from", () => {
    const result = heldBy(context, { function: "main.nothing", lines: [{ file: lines[0]!.file, line: 1 }] });
    expect(result.heldBy).toEqual([]);
    expect(result.note).toContain("no sampled objects");
  });
});
