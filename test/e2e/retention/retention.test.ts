/**
 * Retention end to end: six real Go programs, each keeping memory through a different kind of root
 * (a truncated global slice, a global map of sub-slices, a local of main, blocked goroutines, a
 * finalizer, a time.AfterFunc closure), launched through the hook overlay and dumped after a GC.
 * The analysis must name the truth file's root as the program's largest holder, with at least the
 * memory the program keeps; the fixed variant of each program must keep (almost) nothing there.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeRetention, heldBy } from "../../../src/diagnose/holders/index.js";
import { goToolchains } from "../../support/go-toolchains.js";
import { allocatingLines, dumpProgram, TEST_PROFILE_RATE } from "./support/dump-program.js";

interface Truth {
  root: string;
  rootKind: string;
  minRetainedBytes: number;
  allocFunction: string;
}

const programsDir = path.resolve(import.meta.dirname, "programs");
const programs = readdirSync(programsDir).sort();
const wanted = (process.env.HEAPSCOPE_RETENTION_TOOLCHAINS ?? "").split(",").filter(Boolean);
const toolchains = wanted.length > 0 ? goToolchains.filter((t) => wanted.includes(t.label)) : goToolchains;

describe.each(toolchains)("holders named under $label", (toolchain) => {
  it.each(programs)(
    "%s: the truth root holds the memory, and the fix releases it",
    async (name) => {
      const dir = path.join(programsDir, name);
      const truth = JSON.parse(readFileSync(path.join(dir, "truth.json"), "utf8")) as Truth;

      const leaky = await dumpProgram(toolchain, dir, []);
      const started = performance.now();
      const { summary, context } = analyzeRetention(leaky.dump, { resolver: leaky.resolver });
      const analysisMs = performance.now() - started;
      const top = summary.holders[0]!;
      const where = `${toolchain.label} ${name}: ${JSON.stringify(summary.holders.slice(0, 3).map((h) => [h.root, h.rootKind, h.retainedBytes]))}`;
      expect(top.root, where).toContain(truth.root);
      expect(top.rootKind, where).toBe(truth.rootKind);
      expect(top.retainedBytes, where).toBeGreaterThanOrEqual(truth.minRetainedBytes);
      expect(top.path.length, where).toBeGreaterThan(0);
      expect(summary.runtimeHolders.every((h) => h.rootKind === "runtime")).toBe(true);
      // After a GC the roots reach what the runtime counts as allocated, give or take its own bookkeeping.
      expect(Math.abs(summary.reachableBytes - summary.heapAlloc!)).toBeLessThanOrEqual(
        Math.max(0.02 * summary.heapAlloc!, 256 * 1024),
      );

      // The allocating function's sampled objects are held by the same root.
      // The function's allocating lines as its heap profile names them (inlined calls expanded).
      const lines = allocatingLines(leaky.heapProfileText, truth.allocFunction);
      expect(lines.length, where).toBeGreaterThan(0);
      const held = heldBy(context, { function: truth.allocFunction, lines }, { rate: TEST_PROFILE_RATE });
      expect(held.heldBy[0]?.root, where).toContain(truth.root);
      expect(held.heldBy[0]!.claim).toBe("estimate");
      expect(held.heldBy[0]!.share!).toBeGreaterThan(0.5);
      console.log(
        `${toolchain.label} ${name}: dump ${(leaky.bytes.length / 1e6).toFixed(1)} MB in ${leaky.dumpMs.toFixed(0)} ms, analysis ${analysisMs.toFixed(0)} ms; top ${top.root} ${top.retainedBytes} B`,
      );

      const fixed = await dumpProgram(toolchain, dir, ["-fixed"]);
      const after = analyzeRetention(fixed.dump, { resolver: fixed.resolver }).summary;
      const same = after.holders.filter((h) => h.root.includes(truth.root) && h.rootKind === truth.rootKind);
      const keptByRoot = same.reduce((sum, h) => sum + h.retainedBytes, 0);
      expect(keptByRoot, `${toolchain.label} ${name} fixed: ${JSON.stringify(same)}`).toBeLessThan(
        0.1 * truth.minRetainedBytes,
      );
    },
    240_000,
  );
});
