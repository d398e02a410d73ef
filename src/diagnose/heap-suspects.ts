/**
 * Heap suspects: which allocating functions explain the live heap's net growth. Units are functions
 * (every allocating line of a function merged, heap-growth.ts `mergeSitesByFunction`), measured over
 * the regime the live heap was judged on; net-growth.ts splits the net growth among them and tells
 * causes from replacements. One builder turns a unit into a Suspect.
 */
import type { SiteGrowth } from "./heap-growth.js";
import { attributeNetGrowth, type GrowthAttribution, type NetGrowthAttribution } from "./net-growth.js";
import { describeRate, downsample } from "./signal-trend.js";
import type { HeapMovement, MovedSite, Suspect } from "./types.js";

/** A site's change counts when its Mann–Kendall p is below this and its slope's CI excludes zero. */
export const SUSPECT_ALPHA = 0.01;
/** A cause explaining less of the net growth than this is not listed. */
export const MIN_SHARE = 0.02;
/** Sampled growth resting on fewer profile samples than this is within sampling noise. */
const NOISE_SAMPLES = 8;
const MAX_MOVES_IN_SUMMARY = 4;

export interface HeapFindings {
  attribution: NetGrowthAttribution;
  /** Function-level units by key. */
  units: Map<string, SiteGrowth>;
  /** Causes with a relevant share (leader first), then replacements. */
  ranked: { unit: SiteGrowth; attribution: GrowthAttribution }[];
  movement: HeapMovement;
}

export function isSignificantMove(unit: SiteGrowth): boolean {
  return (
    unit.pValue < SUSPECT_ALPHA && (unit.growthBytesLowPerSecond > 0 || unit.growthBytesHighPerSecond < 0)
  );
}

/** Changed in the same direction between every pair of consecutive snapshots (for few snapshots). */
export function isMonotoneMove(unit: SiteGrowth, fromSeconds: number): boolean {
  const points = unit.series.filter((p) => p.tSeconds >= fromSeconds - 1e-9);
  if (points.length < 3) return false;
  const up = points.every((p, i) => i === 0 || p.value >= points[i - 1].value);
  const down = points.every((p, i) => i === 0 || p.value <= points[i - 1].value);
  return (up || down) && points[0].value !== points[points.length - 1].value;
}

/**
 * Attributes the net growth (`netGrowthBytesPerSecond`, the live heap's judged slope) among the
 * units whose change `counts` (a significant trend, or a monotone one when snapshots are few).
 */
export function findHeapSuspects(
  units: SiteGrowth[],
  netGrowthBytesPerSecond: number,
  counts: (unit: SiteGrowth) => boolean = isSignificantMove,
): HeapFindings {
  const byKey = new Map(units.map((u) => [u.site.key, u]));
  const attribution = attributeNetGrowth(
    units.map((u) => ({
      key: u.site.key,
      changeBytesPerSecond: u.growthBytesPerSecond,
      significant: counts(u),
      heldSizes: u.heldSizes,
    })),
    netGrowthBytesPerSecond,
  );
  // Replacements are listed beside causes, to show why they are not the cause; without a cause, the
  // movement alone tells what happened.
  const causes = attribution.growing.filter((a) => a.role === "cause" && a.shareOfNetGrowth >= MIN_SHARE);
  const replacements = causes.length > 0 ? attribution.growing.filter((a) => a.role === "replacement") : [];
  const ranked = [...causes, ...replacements].map((a) => ({ unit: byKey.get(a.key)!, attribution: a }));
  return { attribution, units: byKey, ranked, movement: describeMovement(attribution, byKey) };
}

/**
 * `growing` without the sites whose growth refills what another site held (replacements among
 * `changes`, the same sites' changes growing and shrinking, against the live heap's net growth
 * `netGrowthBytesPerSecond`): growth that does not add to the heap.
 */
export function withoutRefills(
  growing: SiteGrowth[],
  changes: SiteGrowth[],
  netGrowthBytesPerSecond: number,
): SiteGrowth[] {
  const roles = attributeNetGrowth(
    changes.map((u) => ({
      key: u.site.key,
      changeBytesPerSecond: u.growthBytesPerSecond,
      significant: isSignificantMove(u),
      heldSizes: u.heldSizes,
    })),
    netGrowthBytesPerSecond,
  );
  const refills = new Set(roles.growing.filter((g) => g.role === "replacement").map((g) => g.key));
  return refills.size === 0 ? growing : growing.filter((g) => !refills.has(g.site.key));
}

/** The one heap suspect builder. */
export function heapSuspect(
  unit: SiteGrowth,
  attribution: GrowthAttribution,
  names: Map<string, SiteGrowth>,
  hint: string,
): Suspect {
  return {
    kind: "heap",
    function: unit.site.function,
    stack: unit.site.stack.map((f) => f.function),
    file: unit.site.file,
    line: unit.site.line,
    growthBytesPerSecond: unit.growthBytesPerSecond,
    growthObjectsPerSecond: unit.growthObjectsPerSecond,
    inuseBytes: unit.inuseBytes,
    shareOfGrowth: attribution.shareOfNetGrowth,
    hint,
    attribution: unit.site.attribution,
    pValue: unit.pValue,
    objectSizes: unit.objectSizes,
    withinSamplingNoise: unit.sampledGrowthEvents < NOISE_SAMPLES,
    heap: {
      role: attribution.role,
      netGrowthBytesPerSecond: attribution.netContributionBytesPerSecond,
      replaces: attribution.refills.map((r) => names.get(r.key)?.site.function ?? r.key),
      lines: unit.lines
        .filter((l) => l.inuseBytes > 0 || l.growthBytesPerSecond !== 0)
        .map((l) => ({
          file: l.file,
          line: l.line,
          growthBytesPerSecond: l.growthBytesPerSecond,
          inuseBytes: l.inuseBytes,
        }))
        .sort((a, b) => b.growthBytesPerSecond - a.growthBytesPerSecond || a.line - b.line),
    },
    series: downsample(unit.series, 60),
  };
}

/** The one-line hint of a replacement: it is not the cause. */
export function replacementHint(suspect: Suspect): string {
  const replaced = suspect.heap?.replaces ?? [];
  return `Refills what ${replaced.join(" and ")} held (similar objects, shrinking as this grows): the working set is being replaced, not growing here.`;
}

function describeMovement(attribution: NetGrowthAttribution, units: Map<string, SiteGrowth>): HeapMovement {
  const name = (key: string) => units.get(key)?.site.function ?? key;
  const sites: MovedSite[] = [];
  for (const a of attribution.growing) {
    const unit = units.get(a.key)!;
    sites.push({
      function: unit.site.function,
      file: unit.site.file,
      line: unit.site.line,
      changeBytesPerSecond: a.changeBytesPerSecond,
      role: a.role,
      related: a.refills.map((r) => name(r.key)),
    });
  }
  for (const s of attribution.shrinking) {
    const unit = units.get(s.key)!;
    sites.push({
      function: unit.site.function,
      file: unit.site.file,
      line: unit.site.line,
      changeBytesPerSecond: s.changeBytesPerSecond,
      role: "shrinking",
      related: s.refilledBy.map(name),
    });
  }
  return {
    netGrowthBytesPerSecond: attribution.netGrowthBytesPerSecond,
    summary: movementSentence(attribution.netGrowthBytesPerSecond, sites),
    sites,
  };
}

const signedRate = (bytesPerSecond: number): string =>
  `${bytesPerSecond < 0 ? "−" : "+"}${describeRate(Math.abs(bytesPerSecond), "bytes")}`;

/** "The live heap grows 61 KiB/s on net: main.a +50 KiB/s; main.b +400 KiB/s refills what main.c held (−390 KiB/s)." */
export function movementSentence(net: number, sites: MovedSite[]): string {
  if (sites.length === 0) return "";
  const byName = new Map(sites.map((s) => [s.function, s]));
  const parts: string[] = [];
  const told = new Set<string>();
  for (const site of sites) {
    if (told.has(site.function) || parts.length >= MAX_MOVES_IN_SUMMARY) continue;
    told.add(site.function);
    if (site.role === "replacement") {
      const refilled = site.related.map((f) => byName.get(f)).filter((s): s is MovedSite => s !== undefined);
      for (const r of refilled) told.add(r.function);
      const held = refilled.map((r) => `${r.function} (${signedRate(r.changeBytesPerSecond)})`).join(" and ");
      parts.push(`${site.function} ${signedRate(site.changeBytesPerSecond)} refills what ${held} held`);
    } else {
      parts.push(`${site.function} ${signedRate(site.changeBytesPerSecond)}`);
    }
  }
  const head =
    net > 0
      ? `The live heap grows ${describeRate(net, "bytes")} on net`
      : `The live heap does not grow on net (${signedRate(net)}), so no site has a share of growth; what moved`;
  return `${head}: ${parts.join("; ")}.`;
}
