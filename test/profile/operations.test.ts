/**
 * The profile operations on hand-made profiles, against the semantics pprof documents for them
 * (profile/filter.go, prune.go, merge.go): each example here is one pprof's comments or tests
 * describe. The operations are pure: inputs are checked to be unchanged.
 */
import { describe, expect, it } from "vitest";
import { aggregateProfile, aggregationFields } from "../../src/profile/aggregate.js";
import { columnsFromProfile } from "../../src/profile/columns.js";
import {
  compileTagFilter,
  filterSamplesByName,
  filterSamplesByTag,
  numLabelUnits,
  parseTagRange,
  pruneFrom,
  showFrom,
  simplifyFunctionName,
} from "../../src/profile/filter.js";
import { compileGoRegexp } from "../../src/profile/go-regexp.js";
import { mergeProfiles } from "../../src/profile/merge.js";
import { combineSources, computeTotal, prepareReport } from "../../src/profile/prepare.js";
import { resolveSampleIndex, sampleIndexFromFlags } from "../../src/profile/sample-index.js";
import { normalizeProfile, scaleProfile } from "../../src/profile/scale.js";
import { stacks, syntheticProfile } from "./synthetic.js";

const re = (s: string) => compileGoRegexp(s, "test");

const base = () =>
  syntheticProfile([
    { stack: "main;load;parse", values: [1, 100, 1, 100], numLabels: { bytes: 100 } },
    { stack: "main;load;decode", values: [2, 200, 0, 0], numLabels: { bytes: 100 } },
    { stack: "main;serve+handle", values: [3, 4096, 3, 4096], numLabels: { bytes: 1365 } },
    { stack: "main;serve", values: [1, 32768, 1, 32768], numLabels: { bytes: 32768 } },
  ]);

describe("sample index", () => {
  const p = base();
  it("picks by name, by number, the default type, or the last type", () => {
    expect(resolveSampleIndex(p, "alloc_space")).toBe(1);
    expect(resolveSampleIndex(p, "2")).toBe(2);
    expect(resolveSampleIndex(p, "")).toBe(3);
    expect(resolveSampleIndex({ ...p, defaultSampleType: "alloc_space" }, undefined)).toBe(1);
  });
  it("strips inuse_ for legacy space/objects types and rejects unknown ones", () => {
    const legacy = syntheticProfile(
      [],
      [
        ["objects", "count"],
        ["space", "bytes"],
      ],
    );
    expect(resolveSampleIndex(legacy, "inuse_space")).toBe(1);
    expect(() => resolveSampleIndex(p, "7")).toThrow(/outside the range \[0..3\]/);
    expect(() => resolveSampleIndex(p, "cpu")).toThrow(/must be one of/);
  });
  it("folds the alias flags with pprof's precedence", () => {
    expect(sampleIndexFromFlags({ allocObjects: true, inuseSpace: true })).toEqual({
      sampleIndex: "inuse_space",
      ignored: ["-alloc_objects"],
    });
    expect(sampleIndexFromFlags({ sampleIndex: "1", allocSpace: true }).sampleIndex).toBe("1");
  });
});

describe("focus / ignore / hide / show", () => {
  it("keeps samples through a focused frame and drops those through an ignored one", () => {
    const p = base();
    const before = JSON.stringify(stacks(p));
    const { profile, focusMatched, ignoreMatched } = filterSamplesByName(p, {
      focus: re("load"),
      ignore: re("decode"),
    });
    expect(stacks(profile)).toEqual(["main;load;parse 1"]);
    expect([focusMatched, ignoreMatched]).toEqual([true, true]);
    expect(JSON.stringify(stacks(p))).toBe(before);
  });
  it("hide removes matching frames, moving their cost to the caller", () => {
    const { profile } = filterSamplesByName(base(), { hide: re("^parse$|decode") });
    expect(stacks(profile)).toEqual(["main;load 1", "main;load 2", "main;serve+handle 3", "main;serve 1"]);
  });
  it("hide of an inlined function keeps the rest of the location", () => {
    const { profile } = filterSamplesByName(base(), { hide: re("handle") });
    expect(stacks(profile)[2]).toBe("main;serve 3");
  });
  it("show keeps only matching frames; samples left without frames go", () => {
    const { profile, showMatched } = filterSamplesByName(base(), { show: re("parse|handle") });
    expect(stacks(profile)).toEqual(["parse 1", "handle 3"]);
    expect(showMatched).toBe(true);
  });
  it("matches file names and the mapping file too", () => {
    expect(filterSamplesByName(base(), { focus: re("/src/load\\.go") }).profile.samples).toHaveLength(2);
    expect(filterSamplesByName(base(), { ignore: re("^/bin/app$") }).profile.samples).toHaveLength(0);
  });
});

describe("show_from and prune_from (pprof's documented examples)", () => {
  // Frames [A, B, C, B] with A the root.
  const p = () => syntheticProfile([{ stack: "A;B;C;B", values: [1, 1, 1, 1] }]);
  it("ShowFrom drops frames above the highest match", () => {
    expect(stacks(showFrom(p(), re("^A$")).profile)).toEqual(["A;B;C;B 1"]);
    expect(stacks(showFrom(p(), re("^B$")).profile)).toEqual(["B;C;B 1"]);
    expect(stacks(showFrom(p(), re("^C$")).profile)).toEqual(["C;B 1"]);
    const none = showFrom(p(), re("^D$"));
    expect([none.matched, none.profile.samples.length]).toEqual([false, 0]);
  });
  // [A, B, C, B, D] where D is the root and A the leaf.
  const q = () => syntheticProfile([{ stack: "D;B;C;B;A", values: [1, 1, 1, 1] }]);
  it("PruneFrom drops the callees of the leaf-most match", () => {
    expect(stacks(pruneFrom(q(), re("^A$")))).toEqual(["D;B;C;B;A 1"]);
    expect(stacks(pruneFrom(q(), re("^B$")))).toEqual(["D;B;C;B 1"]);
  });
  it("PruneFrom matches names without argument lists, as pprof simplifies them", () => {
    expect(simplifyFunctionName("main.(*Cache).Put")).toBe("main.");
    expect(simplifyFunctionName("(anonymous namespace)::foo(int)")).toBe("(anonymous namespace)::foo");
    expect(simplifyFunctionName(".foo")).toBe("foo");
    expect(simplifyFunctionName("operator()(int)")).toBe("operator()");
  });
});

describe("tag filters", () => {
  const units = numLabelUnits(base()).units;
  it("infers units from the label key", () => {
    expect(units.get("bytes")).toBe("bytes");
  });
  it("parses numeric ranges with units", () => {
    const exact = parseTagRange("32kb")!;
    expect(exact(32768n, "bytes")).toBe(true);
    expect(exact(32767n, "bytes")).toBe(false);
    expect(parseTagRange(":1kb")!(1024n, "bytes")).toBe(true);
    expect(parseTagRange("1kb:")!(1023n, "bytes")).toBe(false);
    expect(parseTagRange("1kb:2mb")!(2n ** 21n, "bytes")).toBe(true);
    expect(parseTagRange("1kb:2ms")).toBeUndefined(); // units of different families
    expect(parseTagRange("main")).toBeUndefined();
    // Without a unit the range is unit-less and never equals a byte-valued label (a pprof quirk).
    expect(parseTagRange("4096")!(4096n, "bytes")).toBe(false);
  });
  it("filters samples by range or by string label regex", () => {
    const focus = compileTagFilter("tagfocus", "bytes=:1kb", units, compileGoRegexp);
    expect(focus.note).toMatch(/as range/);
    const { profile } = filterSamplesByTag(base(), focus.predicate, undefined);
    expect(stacks(profile)).toEqual(["main;load;parse 1", "main;load;decode 2"]);
    const labelled = syntheticProfile([
      { stack: "a", values: [1, 1, 1, 1], labels: { worker: "w1" } },
      { stack: "b", values: [1, 1, 1, 1], labels: { worker: "w2" } },
    ]);
    const byKeyValue = compileTagFilter("tagfocus", "worker:w1", units, compileGoRegexp);
    expect(filterSamplesByTag(labelled, byKeyValue.predicate, undefined).profile.samples).toHaveLength(1);
    const byKey = compileTagFilter("tagignore", "worker=w[12]", units, compileGoRegexp);
    expect(filterSamplesByTag(labelled, undefined, byKey.predicate).profile.samples).toHaveLength(0);
  });
});

describe("merge, base and diff base", () => {
  it("sums samples with the same stack and labels and keeps the rest apart", () => {
    const a = base();
    const b = base();
    b.samples[0]!.numLabels.set("bytes", [200n]);
    const merged = mergeProfiles([a, b]);
    expect(merged.samples).toHaveLength(5);
    expect(merged.samples[1]!.values).toEqual([4, 400, 0, 0]);
    expect(merged.locations.map((l) => l.id)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it("drops samples that cancel out and compacts what is left", () => {
    const p = base();
    const negated = scaleProfile(base(), -1);
    const merged = mergeProfiles([p, negated]);
    expect(merged.samples).toHaveLength(0);
    expect(merged.locations).toHaveLength(0);
  });
  it("refuses profiles of different types", () => {
    const other = syntheticProfile(
      [],
      [
        ["samples", "count"],
        ["cpu", "nanoseconds"],
      ],
    );
    expect(() => mergeProfiles([base(), other])).toThrow(/incompatible/);
  });
  it("--diff-base keeps the base apart, negated, and takes the total from it", () => {
    const after = base();
    after.samples[3]!.values = [2, 65536, 2, 65536];
    const combined = combineSources([after], [base()], { diffBase: true });
    expect(combined.samples.filter((s) => s.labels.get("pprof::base")?.[0] === "true")).toHaveLength(4);
    expect(computeTotal(combined, 3, -1)).toBe(100 + 0 + 4096 + 32768);
  });
  it("--base subtracts, and --normalize scales to the base's total first", () => {
    const after = scaleProfile(base(), 2);
    // decode's inuse values cancel but its alloc values do not, so the sample stays.
    expect(stacks(combineSources([after], [base()]), 3)).toEqual([
      "main;load;parse 100",
      "main;load;decode 0",
      "main;serve+handle 4096",
      "main;serve 32768",
    ]);
    expect(combineSources([after], [base()], { normalize: true }).samples).toHaveLength(0);
    expect(stacks(normalizeProfile(after, base()), 1)[0]).toBe("main;load;parse 100");
  });
});

describe("granularity", () => {
  it("blanks the fields a granularity does not keep", () => {
    const p = base();
    const files = aggregateProfile(p, aggregationFields("files", false));
    expect(files.functions.every((f) => f.name === "")).toBe(true);
    expect(files.locations.every((l) => l.address === 0n && l.lines.every((line) => line.line === 0))).toBe(
      true,
    );
    const noInlines = aggregateProfile(p, aggregationFields("addresses", true));
    expect(noInlines.locations.every((l) => l.lines.length === 1)).toBe(true);
    expect(aggregationFields("addresses", false)).toBeUndefined();
    expect(p.functions.every((f) => f.name !== "")).toBe(true);
  });
});

describe("prepared report", () => {
  it("computes the total before filters, so focused percentages stay relative to everything", () => {
    const report = prepareReport(base(), "top", { focus: "load", sampleIndex: "alloc_space" });
    expect(report.total).toBe(100 + 200 + 4096 + 32768);
    expect(report.profile.samples).toHaveLength(2);
    expect(report.activeFilters).toEqual(["focus=load"]);
    expect(report.columns?.count).toBe(2);
  });
  it("divides by sample value 0 under --mean, even for inuse_space (as pprof does)", () => {
    const report = prepareReport(base(), "top", { mean: true });
    expect(report.sampleType).toBe("mean_inuse_space");
    expect(report.total).toBe(Math.trunc((100 + 4096 + 32768) / (1 + 2 + 3 + 1)));
  });
  it("reports unmatched filters the way pprof warns about them", () => {
    const report = prepareReport(base(), "top", { focus: "nothing_here", tagIgnore: "32kb" });
    expect(report.warnings).toContain("Focus expression matched no samples");
    expect(report.warnings).toContain("tagignore:Interpreted '32kb' as range, not regexp");
  });
  it("sample columns agree with the samples they come from", () => {
    const p = base();
    const columns = columnsFromProfile(p);
    expect(columns.count).toBe(4);
    expect(Array.from(columns.values.subarray(8, 12))).toEqual([3, 4096, 3, 4096]);
    expect(
      Array.from(columns.locationIndex.subarray(columns.stackStart[2]!, columns.stackStart[3]!)),
    ).toEqual([
      p.locations.indexOf(p.samples[2]!.locations[0]!),
      p.locations.indexOf(p.samples[2]!.locations[1]!),
    ]);
  });
});
