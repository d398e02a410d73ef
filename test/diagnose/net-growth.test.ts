/**
 * Attribution of the live heap's net growth to sites (src/diagnose/net-growth.ts) and the merging of
 * a function's lines into one unit, as properties over arbitrary inputs: shares are of the net growth
 * and never sum past 1, nothing gets a share when nothing grew on net, a refill of what another site
 * held is a replacement and never the cause, the cause covering the net growth leads.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  type HeapSiteTable,
  measureSiteChanges,
  mergeSitesByFunction,
  type SiteAccumulator,
} from "../../src/diagnose/heap-growth.js";
import { findHeapSuspects } from "../../src/diagnose/heap-suspects.js";
import { attributeNetGrowth, type SiteMove, sizeOverlap } from "../../src/diagnose/net-growth.js";

const sizeClasses = [16, 48, 128, 512, 1280, 4096, 32768];

const moveArb = (key: string) =>
  fc.record({
    key: fc.constant(key),
    changeBytesPerSecond: fc.oneof(
      fc.constant(0),
      fc.double({ min: 1, max: 5e6, noNaN: true }),
      fc.double({ min: -5e6, max: -1, noNaN: true }),
    ),
    significant: fc.boolean(),
    heldSizes: fc.array(
      fc.record({ bytes: fc.constantFrom(...sizeClasses), objects: fc.integer({ min: 1, max: 10_000 }) }),
      { minLength: 0, maxLength: 3 },
    ),
  });

const movesArb = fc
  .integer({ min: 0, max: 12 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => moveArb(`site${i}`))))
  .map((moves) => moves as SiteMove[]);

const netArb = fc.oneof(
  fc.double({ min: -5e6, max: 5e6, noNaN: true }),
  fc.constant(0),
  fc.double({ min: 1, max: 1e5, noNaN: true }),
);

describe("attributeNetGrowth", () => {
  test("shares are in [0, 1] and sum to at most 1, for any moves and any net growth", () => {
    fc.assert(
      fc.property(movesArb, netArb, (moves, net) => {
        const result = attributeNetGrowth(moves, net);
        const shares = result.growing.map((g) => g.shareOfNetGrowth);
        for (const share of shares) {
          expect(share).toBeGreaterThanOrEqual(0);
          expect(share).toBeLessThanOrEqual(1);
        }
        expect(shares.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
        // Explained growth never exceeds the net growth (up to rounding: fast-check also draws subnormal
        // nets such as 7e-323 B/s, where one ulp is a large fraction of the value).
        const explained = result.growing.reduce((sum, g) => sum + g.shareOfNetGrowth * Math.max(net, 0), 0);
        expect(explained).toBeLessThanOrEqual(Math.max(net, 0) * (1 + 1e-12) + Number.MIN_VALUE * 8);
      }),
      { numRuns: 2000 },
    );
  });

  test("growth with no shrinking site of similar objects is always a cause, with a share when the heap grows", () => {
    fc.assert(
      fc.property(movesArb, netArb, (moves, net) => {
        const shrinking = moves.filter((m) => m.significant && m.changeBytesPerSecond < 0);
        const result = attributeNetGrowth(moves, net);
        for (const g of result.growing) {
          const move = moves.find((m) => m.key === g.key)!;
          if (shrinking.some((d) => sizeOverlap(move.heldSizes, d.heldSizes) >= 0.5)) continue;
          expect(g.role).toBe("cause");
          expect(g.netContributionBytesPerSecond).toBe(g.changeBytesPerSecond);
          if (net > 0) expect(g.shareOfNetGrowth).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("a working set replaced with no leak beside it: the refill stays a replacement, no site has a share", () => {
    // HeapAlloc drifts up 4 KiB/s (the profile handler's garbage) while 480 KiB/s of entries are
    // replaced: the drift is not the refill's doing.
    const result = attributeNetGrowth(
      [
        {
          key: "refresh",
          changeBytesPerSecond: 490_000,
          significant: true,
          heldSizes: [{ bytes: 1280, objects: 9 }],
        },
        {
          key: "load",
          changeBytesPerSecond: -486_000,
          significant: true,
          heldSizes: [{ bytes: 1280, objects: 99 }],
        },
      ],
      4000,
    );
    expect(result.growing).toEqual([
      expect.objectContaining({ key: "refresh", role: "replacement", shareOfNetGrowth: 0 }),
    ]);
  });

  test("a small leak of the same objects as an unrelated shrinking cache is still the cause", () => {
    const result = attributeNetGrowth(
      [
        {
          key: "leak",
          changeBytesPerSecond: 2000,
          significant: true,
          heldSizes: [{ bytes: 64, objects: 100 }],
        },
        {
          key: "trim",
          changeBytesPerSecond: -9000,
          significant: true,
          heldSizes: [{ bytes: 64, objects: 100 }],
        },
      ],
      2000,
    );
    expect(result.growing).toEqual([
      expect.objectContaining({ key: "leak", role: "cause", shareOfNetGrowth: 1, refills: [] }),
    ]);
  });

  test("no site gets a share when the live heap did not grow on net", () => {
    fc.assert(
      fc.property(movesArb, fc.double({ min: -5e6, max: 0, noNaN: true }), (moves, net) => {
        const result = attributeNetGrowth(moves, net);
        expect(result.growing.every((g) => g.shareOfNetGrowth === 0)).toBe(true);
        // What moved is still there to tell.
        const moved = moves.filter((m) => m.significant && m.changeBytesPerSecond !== 0).length;
        expect(result.growing.length + result.shrinking.length).toBe(moved);
      }),
      { numRuns: 1000 },
    );
  });

  test("only significant growth is attributed; a contribution never exceeds the site's growth", () => {
    fc.assert(
      fc.property(movesArb, netArb, (moves, net) => {
        const byKey = new Map(moves.map((m) => [m.key, m]));
        const result = attributeNetGrowth(moves, net);
        for (const g of result.growing) {
          const move = byKey.get(g.key)!;
          expect(move.significant).toBe(true);
          expect(move.changeBytesPerSecond).toBeGreaterThan(0);
          expect(g.netContributionBytesPerSecond).toBeGreaterThanOrEqual(0);
          expect(g.netContributionBytesPerSecond).toBeLessThanOrEqual(g.changeBytesPerSecond);
          if (g.role === "replacement") expect(g.shareOfNetGrowth).toBe(0);
        }
        // A shrinking site's decline is refilled at most once over.
        for (const s of result.shrinking) {
          const refilled = result.growing
            .flatMap((g) => g.refills)
            .filter((r) => r.key === s.key)
            .reduce((sum, r) => sum + r.bytesPerSecond, 0);
          expect(refilled).toBeLessThanOrEqual(-s.changeBytesPerSecond * (1 + 1e-9));
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("a site refilling what another held is a replacement, and the small real leak leads", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e3, max: 1e5, noNaN: true }), // the leak, bytes/s
        fc.double({ min: 5, max: 50, noNaN: true }), // replacement rate, in leaks
        fc.double({ min: 0, max: 0.9, noNaN: true }), // how much less the old site shrinks, in leaks
        fc.constantFrom(...sizeClasses.slice(3)),
        fc.constantFrom(16, 48), // the leak's objects: small, unlike the working set's
        (leak, ratio, shortfall, workingSetSize, leakSize) => {
          const refill = leak * ratio;
          const decline = refill - shortfall * leak;
          const net = leak + refill - decline;
          const moves: SiteMove[] = [
            {
              key: "refresh",
              changeBytesPerSecond: refill,
              significant: true,
              heldSizes: [{ bytes: workingSetSize, objects: 1000 }],
            },
            {
              key: "load",
              changeBytesPerSecond: -decline,
              significant: true,
              heldSizes: [{ bytes: workingSetSize, objects: 5000 }],
            },
            {
              key: "leak",
              changeBytesPerSecond: leak,
              significant: true,
              heldSizes: [{ bytes: leakSize, objects: 9000 }],
            },
          ];
          const result = attributeNetGrowth(moves, net);
          expect(result.growing[0].key).toBe("leak");
          expect(result.growing[0].role).toBe("cause");
          expect(result.growing[0].shareOfNetGrowth).toBeGreaterThanOrEqual(0.5 - 1e-9);
          const refresh = result.growing.find((g) => g.key === "refresh")!;
          expect(refresh.role).toBe("replacement");
          expect(refresh.refills.map((r) => r.key)).toEqual(["load"]);
          expect(result.shrinking[0].refilledBy).toEqual(["refresh"]);
        },
      ),
      { numRuns: 1000 },
    );
  });

  test("growth matched by an unrelated decline of different objects stays a cause", () => {
    const result = attributeNetGrowth(
      [
        {
          key: "leak",
          changeBytesPerSecond: 5000,
          significant: true,
          heldSizes: [{ bytes: 48, objects: 100 }],
        },
        {
          key: "cache",
          changeBytesPerSecond: -4000,
          significant: true,
          heldSizes: [{ bytes: 4096, objects: 100 }],
        },
      ],
      1000,
    );
    expect(result.growing).toEqual([
      expect.objectContaining({
        key: "leak",
        role: "cause",
        netContributionBytesPerSecond: 5000,
        shareOfNetGrowth: 1,
      }),
    ]);
  });

  test("a grower refilling part of a shrinking site keeps the rest as its contribution", () => {
    // 60 % of its growth refills the evicted site's objects; the other 40 % is what the heap gains.
    const result = attributeNetGrowth(
      [
        {
          key: "grow",
          changeBytesPerSecond: 10_000,
          significant: true,
          heldSizes: [{ bytes: 1280, objects: 1 }],
        },
        {
          key: "evict",
          changeBytesPerSecond: -6000,
          significant: true,
          heldSizes: [{ bytes: 1280, objects: 1 }],
        },
      ],
      4000,
    );
    expect(result.growing[0]).toMatchObject({
      key: "grow",
      role: "cause",
      netContributionBytesPerSecond: 4000,
      shareOfNetGrowth: 1,
    });
  });

  test("the cause whose contribution covers the net growth leads, ahead of bigger growth", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e3, max: 1e6, noNaN: true }),
        fc.double({ min: 0.05, max: 0.45, noNaN: true }),
        (net, fraction) => {
          const moves: SiteMove[] = [
            { key: "small", changeBytesPerSecond: net * fraction, significant: true, heldSizes: [] },
            { key: "matches", changeBytesPerSecond: net, significant: true, heldSizes: [] },
          ];
          expect(attributeNetGrowth(moves, net).growing[0].key).toBe("matches");
        },
      ),
    );
  });

  test("object sizes overlap by bytes held in 25 % bands", () => {
    expect(sizeOverlap([{ bytes: 1280, objects: 10 }], [{ bytes: 1280, objects: 99 }])).toBeCloseTo(1);
    expect(sizeOverlap([{ bytes: 1280, objects: 10 }], [{ bytes: 16, objects: 99 }])).toBe(0);
    expect(sizeOverlap([], [{ bytes: 16, objects: 1 }])).toBe(0);
  });
});

/** A table of per-line sites with the given bytes per column (objects = bytes / 64). */
function tableOf(sites: { fn: string; line: number; bytes: number[] }[]): HeapSiteTable {
  const columns = sites[0]?.bytes.length ?? 0;
  return {
    times: Array.from({ length: columns }, (_, i) => i),
    totals: Array.from({ length: columns }, (_, i) => ({
      tSeconds: i,
      inuseBytes: sites.reduce((sum, s) => sum + s.bytes[i], 0),
      inuseObjects: sites.reduce((sum, s) => sum + s.bytes[i] / 64, 0),
    })),
    samplingRateBytes: 8192,
    sites: sites.map(
      (s): SiteAccumulator => ({
        site: {
          key: `${s.fn}\u0000main.go:${s.line}`,
          function: s.fn,
          file: "/src/main.go",
          line: s.line,
          attribution: "own",
          stack: [{ function: s.fn, file: "/src/main.go", line: s.line }],
        },
        bytes: Float64Array.from(s.bytes),
        objects: Float64Array.from(s.bytes, (b) => b / 64),
        allocBytes: Float64Array.from(s.bytes),
        representativeBytes: 0,
        sizes: new Map([[64, s.bytes[columns - 1] / 64]]),
        peakSizes: new Map([[64, Math.max(...s.bytes) / 64]]),
      }),
    ),
    growthStacks: [],
  };
}

describe("one unit per function", () => {
  const siteArb = fc.record({
    fn: fc.constantFrom("main.a", "main.b", "main.(*c).d"),
    line: fc.integer({ min: 1, max: 200 }),
    bytes: fc.array(fc.integer({ min: 0, max: 1e7 }), { minLength: 6, maxLength: 6 }),
  });

  test("merging keeps every byte, sums each function's lines and lists them", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(siteArb, { selector: (s) => `${s.fn}:${s.line}`, minLength: 1, maxLength: 10 }),
        (sites) => {
          const merged = mergeSitesByFunction(tableOf(sites));
          const functions = new Set(sites.map((s) => s.fn));
          expect(merged.sites).toHaveLength(functions.size);
          for (const unit of merged.sites) {
            const own = sites.filter((s) => s.fn === unit.site.function);
            expect(unit.lines?.map((l) => l.line)).toEqual(own.map((s) => s.line).sort((a, b) => a - b));
            for (let column = 0; column < 6; column++)
              expect(unit.bytes[column]).toBe(own.reduce((sum, s) => sum + s.bytes[column], 0));
          }
        },
      ),
    );
  });

  test("a function growing at two lines is one suspect listing both lines", () => {
    const ramp = (rate: number) => Array.from({ length: 12 }, (_, i) => 1e6 + rate * i);
    const table = mergeSitesByFunction(
      tableOf([
        { fn: "main.stash", line: 30, bytes: ramp(90_000) },
        { fn: "main.stash", line: 33, bytes: ramp(10_000) },
        { fn: "main.other", line: 50, bytes: ramp(0) },
      ]),
    );
    const findings = findHeapSuspects(measureSiteChanges(table), 100_000);
    expect(findings.ranked).toHaveLength(1);
    const [{ unit, attribution }] = findings.ranked;
    expect(unit.site.function).toBe("main.stash");
    expect(unit.site.line).toBe(30);
    expect(unit.lines.map((l) => [l.line, Math.round(l.growthBytesPerSecond)])).toEqual([
      [30, 90_000],
      [33, 10_000],
    ]);
    expect(attribution.shareOfNetGrowth).toBe(1);
  });
});

describe("what moved, in words", () => {
  const ramp = (start: number, rate: number) => Array.from({ length: 12 }, (_, i) => start + rate * i);

  test("no net growth: no shares, and the sentence says what moved", () => {
    const table = mergeSitesByFunction(
      tableOf([
        { fn: "main.refresh", line: 10, bytes: ramp(0, 40_960) },
        { fn: "main.load", line: 20, bytes: ramp(4e6, -40_960) },
        { fn: "main.trim", line: 30, bytes: ramp(1e6, -10_240) },
      ]),
    );
    const findings = findHeapSuspects(measureSiteChanges(table), -10_240);
    expect(findings.ranked).toEqual([]);
    expect(findings.attribution.growing.every((g) => g.shareOfNetGrowth === 0)).toBe(true);
    expect(findings.movement.summary).toBe(
      "The live heap does not grow on net (−10 KiB/s), so no site has a share of growth; what moved: main.refresh +40 KiB/s refills what main.load (−40 KiB/s) held; main.trim −10 KiB/s.",
    );
  });

  test("net growth beside a replacement: the cause first, then the refill", () => {
    const table = mergeSitesByFunction(
      tableOf([
        { fn: "main.refresh", line: 10, bytes: ramp(0, 40_960) },
        { fn: "main.load", line: 20, bytes: ramp(4e6, -40_960) },
        { fn: "main.leak", line: 30, bytes: ramp(1e6, 2048) },
      ]),
    );
    const findings = findHeapSuspects(measureSiteChanges(table), 2048);
    expect(findings.ranked.map((r) => [r.unit.site.function, r.attribution.role])).toEqual([
      ["main.leak", "cause"],
      ["main.refresh", "replacement"],
    ]);
    expect(findings.movement.summary).toBe(
      "The live heap grows 2 KiB/s on net: main.leak +2 KiB/s; main.refresh +40 KiB/s refills what main.load (−40 KiB/s) held.",
    );
  });
});
