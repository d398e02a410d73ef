/**
 * Who explains the live heap's NET growth. Sites move both ways: a leak grows, a cache refills what
 * it evicted, a working set moves from the function that first filled it to the one that refreshes
 * it. Only what is left after those moves cancel is growth, so:
 *
 * - A growing site whose growth is matched by a shrinking site of similar object sizes is refilling
 *   what the other held: nearly all of its growth (at least REPLACEMENT_MATCH) matched makes it a
 *   *replacement*, shown as such and given no share. Matching is greedy, most similar pairs first,
 *   and a shrinking site's decline is spent once.
 * - Each remaining *cause* contributes its growth less what was matched. Shares are of the net growth
 *   N, capped so they never sum past 1: share = contribution / max(N, Σ contributions).
 * - If the causes then explain less than half of N, a replacement whose whole growth is comparable to
 *   what is left unexplained (at most PROMOTE_WITHIN times it) is a cause after all — a small leak
 *   of the same objects as an unrelated shrinking cache — the nearest first, its whole growth counted,
 *   until they do. A refill far bigger than the net growth stays a replacement: its few percent left
 *   over are measurement, and the net growth is then carried by no site.
 * - N ≤ 0: nothing grew on net, so no site gets a share; the moves are still listed.
 * - The cause whose contribution comes closest to covering N leads: ranked by min(contribution, N),
 *   then by how near the contribution is to N.
 */

/** One site's in-use change over the judged regime. */
export interface SiteMove {
  key: string;
  /** Theil–Sen slope of the site's in-use bytes, bytes/s (negative when it shrinks). */
  changeBytesPerSecond: number;
  /** The trend test and the slope's confidence interval both exclude zero. */
  significant: boolean;
  /** Object sizes the site held (bytes → objects), to tell a refill from unrelated growth. */
  heldSizes: { bytes: number; objects: number }[];
}

export type GrowthRole = "cause" | "replacement";

export interface GrowthAttribution {
  key: string;
  role: GrowthRole;
  changeBytesPerSecond: number;
  /** Growth not matched by a shrinking site, bytes/s (≥ 0). */
  netContributionBytesPerSecond: number;
  /** Share of the net live-heap growth (0..1); 0 for replacements and when nothing grew on net. */
  shareOfNetGrowth: number;
  /** The shrinking sites whose memory this one refills, with the matched rate. */
  refills: { key: string; bytesPerSecond: number }[];
}

export interface NetGrowthAttribution {
  netGrowthBytesPerSecond: number;
  /** Significantly growing sites: causes (leader first), then replacements. */
  growing: GrowthAttribution[];
  /** Significantly shrinking sites, largest decline first, with the sites refilling them. */
  shrinking: { key: string; changeBytesPerSecond: number; refilledBy: string[] }[];
}

/**
 * A site is a replacement when at least this much of its growth refills another site's decline;
 * short of it, it is a cause contributing the growth left over. (Slopes of a site and of the site it
 * refills, measured alone, differ by some percent; a grower matched at 60 % keeps real growth.)
 */
export const REPLACEMENT_MATCH = 0.8;
/** Two sites hold similar objects when this much of their bytes fall in the same size bands. */
export const SIZE_OVERLAP = 0.5;
/** Size bands are 25 % wide: Go's size classes step by at most 12.5–25 % above 1 KiB. */
const SIZE_BAND_RATIO = 1.25;
/** Causes explaining less than this share of the net growth get a replacement back as a cause… */
const CAUSES_MUST_EXPLAIN = 0.5;
/** …one whose growth is at most this many times what is unexplained (a refill far bigger stays one). */
const PROMOTE_WITHIN = 2;

export function attributeNetGrowth(moves: SiteMove[], netGrowthBytesPerSecond: number): NetGrowthAttribution {
  const net = Number.isFinite(netGrowthBytesPerSecond) ? netGrowthBytesPerSecond : 0;
  const growers = moves.filter((m) => m.significant && m.changeBytesPerSecond > 0);
  const decliners = moves
    .filter((m) => m.significant && m.changeBytesPerSecond < 0)
    .sort((a, b) => a.changeBytesPerSecond - b.changeBytesPerSecond);
  const refills = matchRefills(growers, decliners);
  const attributions: GrowthAttribution[] = growers.map((g) => {
    const matched = refills.get(g.key) ?? [];
    const matchedRate = matched.reduce((sum, r) => sum + r.bytesPerSecond, 0);
    return {
      key: g.key,
      role: matchedRate >= REPLACEMENT_MATCH * g.changeBytesPerSecond ? "replacement" : "cause",
      changeBytesPerSecond: g.changeBytesPerSecond,
      netContributionBytesPerSecond: Math.max(0, g.changeBytesPerSecond - matchedRate),
      shareOfNetGrowth: 0,
      refills: matched,
    };
  });
  promoteUnexplained(attributions, net);
  assignShares(attributions, net);
  return {
    netGrowthBytesPerSecond: net,
    growing: rank(attributions, net),
    shrinking: decliners.map((d) => ({
      key: d.key,
      changeBytesPerSecond: d.changeBytesPerSecond,
      refilledBy: attributions.filter((a) => a.refills.some((r) => r.key === d.key)).map((a) => a.key),
    })),
  };
}

/** Greedy matching of growth to decline, most similar object sizes first, then the largest amounts. */
function matchRefills(
  growers: SiteMove[],
  decliners: SiteMove[],
): Map<string, { key: string; bytesPerSecond: number }[]> {
  const pairs: { grower: SiteMove; decliner: SiteMove; overlap: number }[] = [];
  for (const grower of growers) {
    for (const decliner of decliners) {
      const overlap = sizeOverlap(grower.heldSizes, decliner.heldSizes);
      if (overlap >= SIZE_OVERLAP) pairs.push({ grower, decliner, overlap });
    }
  }
  pairs.sort(
    (a, b) =>
      b.overlap - a.overlap ||
      Math.min(b.grower.changeBytesPerSecond, -b.decliner.changeBytesPerSecond) -
        Math.min(a.grower.changeBytesPerSecond, -a.decliner.changeBytesPerSecond),
  );
  const growthLeft = new Map(growers.map((g) => [g.key, g.changeBytesPerSecond]));
  const declineLeft = new Map(decliners.map((d) => [d.key, -d.changeBytesPerSecond]));
  const out = new Map<string, { key: string; bytesPerSecond: number }[]>();
  for (const { grower, decliner } of pairs) {
    const amount = Math.min(growthLeft.get(grower.key) ?? 0, declineLeft.get(decliner.key) ?? 0);
    if (!(amount > 0)) continue;
    growthLeft.set(grower.key, (growthLeft.get(grower.key) ?? 0) - amount);
    declineLeft.set(decliner.key, (declineLeft.get(decliner.key) ?? 0) - amount);
    const list = out.get(grower.key) ?? [];
    list.push({ key: decliner.key, bytesPerSecond: amount });
    out.set(grower.key, list);
  }
  return out;
}

/** Byte-weighted overlap (0..1) of two sites' object sizes, in 25 % size bands. */
export function sizeOverlap(
  a: { bytes: number; objects: number }[],
  b: { bytes: number; objects: number }[],
): number {
  const pa = sizeBands(a);
  const pb = sizeBands(b);
  let overlap = 0;
  for (const [band, share] of pa) overlap += Math.min(share, pb.get(band) ?? 0);
  return overlap;
}

function sizeBands(sizes: { bytes: number; objects: number }[]): Map<number, number> {
  const bands = new Map<number, number>();
  let total = 0;
  for (const { bytes, objects } of sizes) {
    if (!(bytes > 0) || !(objects > 0)) continue;
    const band = Math.round(Math.log(bytes) / Math.log(SIZE_BAND_RATIO));
    bands.set(band, (bands.get(band) ?? 0) + bytes * objects);
    total += bytes * objects;
  }
  if (total > 0) for (const [band, held] of bands) bands.set(band, held / total);
  return bands;
}

/** See the top of the file: replacements as big as the unexplained net growth are causes after all. */
function promoteUnexplained(attributions: GrowthAttribution[], net: number): void {
  if (!(net > 0)) return;
  const explained = () =>
    attributions
      .filter((a) => a.role === "cause")
      .reduce((sum, a) => sum + Math.min(a.netContributionBytesPerSecond, net), 0);
  while (explained() < CAUSES_MUST_EXPLAIN * net) {
    const unexplained = net - explained();
    const candidate = attributions
      .filter((a) => a.role === "replacement" && a.changeBytesPerSecond <= PROMOTE_WITHIN * unexplained)
      .sort(
        (a, b) =>
          Math.abs(a.changeBytesPerSecond - unexplained) - Math.abs(b.changeBytesPerSecond - unexplained) ||
          (a.key < b.key ? -1 : 1),
      )[0];
    if (!candidate) return;
    candidate.role = "cause";
    candidate.netContributionBytesPerSecond = candidate.changeBytesPerSecond;
    candidate.refills = [];
  }
}

function assignShares(attributions: GrowthAttribution[], net: number): void {
  if (!(net > 0)) return;
  const causes = attributions.filter((a) => a.role === "cause");
  const contributed = causes.reduce((sum, a) => sum + a.netContributionBytesPerSecond, 0);
  const denominator = Math.max(net, contributed);
  for (const a of causes) a.shareOfNetGrowth = Math.min(1, a.netContributionBytesPerSecond / denominator);
  // Floating-point sums can land a hair above 1 (in any order of summing); shares must not.
  const total = causes.reduce((sum, a) => sum + a.shareOfNetGrowth, 0);
  if (total > 1 - 1e-12 && causes.length > 1) {
    for (const a of causes) a.shareOfNetGrowth *= (1 - 1e-9) / total;
  }
}

function rank(attributions: GrowthAttribution[], net: number): GrowthAttribution[] {
  const covers = (a: GrowthAttribution) =>
    net > 0 ? Math.min(a.netContributionBytesPerSecond, net) : a.netContributionBytesPerSecond;
  const distance = (a: GrowthAttribution) => (net > 0 ? Math.abs(a.netContributionBytesPerSecond - net) : 0);
  return [...attributions].sort(
    (a, b) =>
      (a.role === b.role ? 0 : a.role === "cause" ? -1 : 1) ||
      covers(b) - covers(a) ||
      distance(a) - distance(b) ||
      b.changeBytesPerSecond - a.changeBytesPerSecond ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}
