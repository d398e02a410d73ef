/**
 * applyDropFrames against pprof itself: pprof applies a profile's drop_frames/keep_frames when it
 * loads it, so `pprof -raw` of a profile with the regexes set must equal `pprof -raw` of heapscope's
 * pruned profile written with the regexes cleared. Profiles are generated: C++-style and Go method
 * names, reserved names with parentheses, inlined lines, recursion, all-runtime stacks.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeProfile } from "../../../src/formats/pprof-proto-decode.js";
import { encodeProfile } from "../../../src/formats/pprof-proto-encode.js";
import { applyDropFrames, simplifyFunctionName } from "../../../src/profile/drop-frames.js";
import type { Location, Profile, ProfileFunction } from "../../../src/profile/model.js";
import { workDir } from "../../support/go.js";
import { pprof } from "../support/heapgen.js";

const names = [
  "runtime.mallocgc",
  "runtime.newobject",
  "runtime.panic",
  "runtime.call32",
  "runtime.goexit",
  "main.(*Cache).Put",
  "main.main",
  "main.leak",
  "(anonymous namespace)::helper",
  "Widget::operator()",
  "operator new[]",
  ".ppc.entry",
  "malloc",
  "tcmalloc::allocate",
  "compute(int, char*)",
  "bar",
];
const dropPatterns = [
  "runtime\\..*",
  "main\\..*|bar",
  "malloc|tcmalloc::.*",
  "operator new(\\[\\])?",
  "Widget::operator\\(\\)",
  "ppc\\.entry",
  "compute",
  "(anonymous namespace)::helper",
  "nomatch",
];
const keepPatterns = ["", "", "runtime\\.panic|runtime\\.call[0-9]*", "main\\.main", "bar"];

const dir = path.join(workDir, "drop-frames-test");
beforeAll(() => mkdirSync(dir, { recursive: true }));

const profileArbitrary = fc
  .record({
    drop: fc.constantFrom(...dropPatterns),
    keep: fc.constantFrom(...keepPatterns),
    locations: fc.array(fc.array(fc.constantFrom(...names), { minLength: 0, maxLength: 3 }), {
      minLength: 1,
      maxLength: 8,
    }),
  })
  .chain(({ drop, keep, locations }) =>
    fc
      .array(fc.array(fc.integer({ min: 0, max: locations.length - 1 }), { minLength: 1, maxLength: 7 }), {
        minLength: 1,
        maxLength: 8,
      })
      .map((stacks): Profile => {
        const functions = names.map(
          // A system name unlike the name keeps pprof's C++ demangling heuristics away from the names.
          (name, i): ProfileFunction => ({
            id: i + 1,
            name,
            systemName: `sys${i}`,
            filename: "x.go",
            startLine: 0,
          }),
        );
        const locs = locations.map(
          (lineNames, i): Location => ({
            id: i + 1,
            mapping: undefined,
            address: BigInt(0x1000 + i * 16),
            lines: lineNames.map((name, j) => ({
              function: functions[names.indexOf(name)]!,
              line: 10 + j,
              column: 0,
            })),
            isFolded: false,
          }),
        );
        return {
          sampleTypes: [{ type: "inuse_space", unit: "bytes" }],
          samples: stacks.map((stack, i) => ({
            locations: stack.map((index) => locs[index]!),
            values: [100 + i],
            labels: new Map(),
            numLabels: new Map(),
            numUnits: new Map(),
          })),
          mappings: [],
          locations: locs,
          functions,
          dropFrames: drop,
          keepFrames: keep,
          timeNanos: 0n,
          durationNanos: 0n,
          periodType: undefined,
          period: 0n,
          comments: [],
          defaultSampleType: "",
          docUrl: "",
        };
      }),
  );

describe("applyDropFrames", () => {
  it("prunes exactly as pprof does when it loads the profile", async () => {
    let counter = 0;
    let changed = 0;
    await fc.assert(
      fc.asyncProperty(profileArbitrary, async (profile) => {
        const n = counter++;
        const original = path.join(dir, `original-${n}.pb`);
        writeFileSync(original, encodeProfile(profile));
        const pruned = applyDropFrames(decodeProfile(encodeProfile(profile)));
        pruned.dropFrames = "";
        pruned.keepFrames = "";
        const ours = path.join(dir, `pruned-${n}.pb`);
        writeFileSync(ours, encodeProfile(pruned));
        const [expected, actual] = await Promise.all([pprof(["-raw", original]), pprof(["-raw", ours])]);
        expect(actual).toBe(expected);
        const plain = path.join(dir, `plain-${n}.pb`);
        writeFileSync(plain, encodeProfile({ ...profile, dropFrames: "", keepFrames: "" }));
        const unpruned = await pprof(["-raw", plain]);
        if (unpruned !== expected) changed++;
      }),
      { numRuns: 40 },
    );
    // The generated cases do exercise pruning.
    expect(changed).toBeGreaterThan(5);
  });

  it("simplifies names like pprof before matching", () => {
    expect(simplifyFunctionName("main.(*Cache).Put")).toBe("main.");
    expect(simplifyFunctionName("compute(int, char*)")).toBe("compute");
    expect(simplifyFunctionName("(anonymous namespace)::helper(int)")).toBe("(anonymous namespace)::helper");
    expect(simplifyFunctionName("Widget::operator()(int)")).toBe("Widget::operator()");
    expect(simplifyFunctionName(".ppc.entry")).toBe("ppc.entry");
  });

  it("does nothing without drop_frames or with an invalid pattern", () => {
    const profile = decodeProfile(
      encodeProfile({
        sampleTypes: [{ type: "x", unit: "count" }],
        samples: [],
        mappings: [],
        locations: [],
        functions: [],
        dropFrames: "(",
        keepFrames: "",
        timeNanos: 0n,
        durationNanos: 0n,
        periodType: undefined,
        period: 0n,
        comments: [],
        defaultSampleType: "",
        docUrl: "",
      }),
    );
    expect(applyDropFrames(profile)).toBe(profile);
  });
});
