/**
 * Is the live heap after GC growing? Two measurements answer it, with opposite weaknesses:
 *
 * - sampled: the in-use total of heap profiles taken with gc=1. Unbiased, but sampled: one sample
 *   per MemProfileRate bytes, so a cache that keeps replacing its entries makes the total wander
 *   (old samples freed, new ones drawn) and a slow leak moves it in steps of the sampling rate.
 * - exact: HeapAlloc read right after each forced GC. Byte-exact, but it also counts what the
 *   profile handler allocated after the GC (its own garbage, about a megabyte), which drifts by a
 *   few KiB/s as profiles gain stacks.
 *
 * The profile also tells where the growth lives. A site *retains* when its in-use bytes grow with
 * Mann–Kendall p < 0.001 and either at least a quarter of what it allocated during the regime is
 * still in use (heap-growth.ts `retention`) or the growth is over four times what turnover of its
 * samples could produce (`retentionZ`): a leak keeps what it allocates, a turning-over cache does not.
 *
 * The Mann–Kendall and site tests run at the trend policy's α, or at a look's share of it.
 *
 * growing when one of:
 *   G1 the sampled total grows, and the exact series confirms it (grows at a third of the rate or
 *      more, beyond what its drift explains), or retaining sites carry at least half of it, or, with
 *      no exact series, the growth survives the autocorrelation-corrected test;
 *   G2 the exact series grows, and retaining sites carry at least half of that growth;
 *   G3 the exact series grows by at least 8 KiB/s (and four times the relevance floor), and the
 *      profile is too coarse to see it (less than four sampling steps over the regime) — slow leaks
 *      under the default 512 KiB rate, where the profile is small and the handler's drift too.
 * bounded when not growing, no retaining site carries relevant growth, and either the exact series is
 *   bounded (signal-trend.ts; its drift allowance applies only when the profile is fine enough to have
 *   shown a retaining site), or the sampled total is bounded and was fine enough to have shown the
 *   exact series' growth had it been live memory; with no exact series, when the sampled total is.
 *   Failing those, the profile itself vouches when it is sampled finely enough that growth at the
 *   floor would show as several samples at some site, and no site retains (sitesVouch) — even when
 *   its total wanders upward, provided HeapAlloc's growth stays within its drift: what churning sites
 *   allocate while a forced GC marks counts as live in that profile, and it follows the mark's length
 *   (on a large heap under a varying load it can trend for a while without anything being kept).
 * otherwise undecided.
 */

import { POLICIES } from "../analysis/trend.js";
import type { SiteGrowth } from "./heap-growth.js";
import { describeRate, formatP, type SignalJudgement } from "./signal-trend.js";

/**
 * HeapAlloc after a forced GC includes garbage allocated after the GC (the profile handler's own, what
 * the program allocated before the read). That offset drifts as profiles gain stacks — measured up
 * to ~250 KiB over 20 s on healthy programs — but it is bounded: the allowance is this many bytes over
 * the whole observation, so it is a rate of 25 KiB/s over 20 s and under 1 KiB/s over 10 minutes.
 * Growth within it is only believed when an allocation site in the profile shows it.
 */
export const EXACT_DRIFT_ALLOWANCE_BYTES = 512 * 1024;
/**
 * G3's threshold: with a coarse profile (few stacks) the handler's garbage hardly drifts (under
 * 2 KiB/s measured), so exact growth above this is believed without a site to show it.
 */
export const EXACT_COARSE_GROWTH_FLOOR_BYTES_PER_SECOND = 8 * 1024;
export const RETAINING_SITE_ALPHA = 0.001;
export const RETAINING_SITE_MIN_RETENTION = 0.25;

export interface LiveHeapEvidence {
  sampled?: SignalJudgement;
  exact?: SignalJudgement;
  /** Sampling quantum of the profiles (MemProfileRate), bytes. */
  resolution: number;
  sites: SiteGrowth[];
}

/** A site keeps memory beyond what turnover can explain when its growth is this many noise units. */
export const RETAINING_SITE_MIN_Z = 4;
/** The profile can vouch for "nothing is kept" when growth at the floor would show this many samples. */
export const SITE_POWER_SAMPLES = 5;

/** Sites that keep what they allocate; `alpha` is the test level (a share of it for repeated looks). */
export function retainingSites(sites: SiteGrowth[], alpha = RETAINING_SITE_ALPHA): SiteGrowth[] {
  return sites.filter(
    (s) =>
      s.pValue < alpha &&
      s.growthBytesLowPerSecond > 0 &&
      (s.retention >= RETAINING_SITE_MIN_RETENTION || s.retentionZ >= RETAINING_SITE_MIN_Z) &&
      s.sampledGrowthEvents >= 3,
  );
}

/** What every rule below reads. */
interface LiveHeapFacts {
  evidence: LiveHeapEvidence;
  sampled?: SignalJudgement;
  exact?: SignalJudgement;
  resolution: number;
  /** Test level of this judgement (the policy's α, or a look's share of it). */
  alpha: number;
  /**
   * Sites that keep what they allocate, at the full site α: "nothing keeps memory" must not become
   * easier to claim because a look tests growth more strictly. (Growth itself is confirmed at the
   * look's α: `retainedAtAlpha`.)
   */
  retaining: SiteGrowth[];
  /** Growth carried by retaining sites (bytes/s). */
  retained: number;
  /** Growth carried by sites that retain at this judgement's α (bytes/s): what may confirm a leak. */
  retainedAtAlpha: number;
  /** The span HeapAlloc's drift allowance is spread over (at least a look's bound span). */
  driftSpanSeconds: number;
  /** The first two retaining sites, for the reason. */
  owners: string;
  /** The profile is fine enough to have shown a keeping site within the drift allowance. */
  fineEnough: boolean;
  /** HeapAlloc grows by no more than its drift could explain, and no site shows it. */
  exactWithinDrift: boolean;
}

export function judgeLiveHeap(evidence: LiveHeapEvidence): SignalJudgement | undefined {
  const { sampled, exact, resolution } = evidence;
  const primary = exact ?? sampled;
  if (!primary) return undefined;
  // Repeated looks judge the signals with a share of α; the sites are held to the same share.
  const alpha = RETAINING_SITE_ALPHA * (primary.alpha / POLICIES[primary.policy].alpha);
  const retaining = retainingSites(evidence.sites);
  const retained = retaining.reduce((sum, s) => sum + s.growthBytesPerSecond, 0);
  const retainedAtAlpha = retainingSites(evidence.sites, alpha).reduce(
    (sum, s) => sum + s.growthBytesPerSecond,
    0,
  );
  const fineEnough = resolution * 4 <= EXACT_DRIFT_ALLOWANCE_BYTES;
  const facts: LiveHeapFacts = {
    evidence,
    sampled,
    exact,
    resolution,
    alpha,
    retaining,
    retained,
    retainedAtAlpha,
    driftSpanSeconds: Math.max(primary.spanSeconds, primary.boundSpanSeconds, 1),
    owners: retaining
      .slice(0, 2)
      .map((s) => s.site.function)
      .join(", "),
    fineEnough,
    // Even the 95 % lower bound of HeapAlloc's growth stays within the drift allowance.
    exactWithinDrift:
      exact !== undefined &&
      fineEnough &&
      retained < exact.floorPerSecond &&
      exact.slopeLowPerSecond * Math.max(exact.spanSeconds, 1) < EXACT_DRIFT_ALLOWANCE_BYTES,
  };
  return growingLiveHeap(facts) ?? (exact ? judgedByExact(facts, exact) : judgedBySampled(facts, sampled!));
}

function combined(base: SignalJudgement, patch: Partial<SignalJudgement>): SignalJudgement {
  return { ...base, name: "live heap after GC", ...patch };
}

/** G1–G3 (see the top of the file). */
function growingLiveHeap(f: LiveHeapFacts): SignalJudgement | undefined {
  const { sampled, exact, resolution } = f;
  const retained = f.retainedAtAlpha;
  if (sampled?.verdict === "growing") {
    // Confirmed by the exact series, or carried by sites that keep what they allocate (then a noisy
    // HeapAlloc reading — a program churning through memory between the GC and the read — cannot
    // overrule it), or, with nothing else, surviving the autocorrelation-corrected test.
    const confirmed =
      (exact !== undefined &&
        !f.exactWithinDrift &&
        exact.slopePerSecond > 0 &&
        exact.slopePerSecond >= sampled.slopePerSecond / 3) ||
      retained >= sampled.slopePerSecond / 2 ||
      (exact === undefined && sampled.pValueCorrected < f.alpha);
    if (confirmed) {
      return combined(sampled, {
        reason: `${sampled.reason}${exact ? `; HeapAlloc after forced GCs confirms ${describeRate(exact.slopePerSecond, "bytes")}` : ""}`,
      });
    }
  }
  if (exact?.verdict === "growing" && retained >= exact.slopePerSecond / 2) {
    return combined(exact, {
      reason: `${exact.reason} (HeapAlloc after forced GCs); allocation sites that keep what they allocate (${f.owners}) carry ${describeRate(retained, "bytes")} of it`,
    });
  }
  const profileTooCoarse = exact ? exact.slopePerSecond * exact.spanSeconds < 4 * resolution : false;
  const coarseFloor = Math.max(EXACT_COARSE_GROWTH_FLOOR_BYTES_PER_SECOND, 4 * (exact?.floorPerSecond ?? 0));
  if (exact?.verdict === "growing" && exact.slopePerSecond >= coarseFloor && profileTooCoarse) {
    return combined(exact, {
      reason: `${exact.reason} (HeapAlloc after forced GCs); the heap profile's sampling (one sample per ${describeRate(resolution, "bytes").replace("/s", "")}) is too coarse to show it per site`,
    });
  }
  return undefined;
}

/** Not growing, with HeapAlloc after forced GCs: bounded or undecided. */
function judgedByExact(f: LiveHeapFacts, exact: SignalJudgement): SignalJudgement {
  const { sampled, retained } = f;
  const allowance =
    f.fineEnough && retained < exact.floorPerSecond ? EXACT_DRIFT_ALLOWANCE_BYTES / f.driftSpanSeconds : 0;
  // Growth the profile attributes to sites that keep what they allocate is not overruled by a bound
  // on the exact series: that bound may only mean its noise hides a slow leak. (A growing sampled
  // total alone is not enough: a turning-over cache makes it wander.)
  const profileShowsGrowth = retained >= exact.floorPerSecond;
  if (exact.verdict === "bounded" && !profileShowsGrowth) return combined(exact, { reason: exact.reason });
  if (
    allowance > 0 &&
    !profileShowsGrowth &&
    exact.verdict !== "insufficient" &&
    exact.slopeHighPerSecond < Math.max(allowance, exact.floorPerSecond)
  ) {
    return combined(exact, {
      verdict: "bounded",
      boundedBy: "confidence",
      reason: `stays within the measurement's drift: at most ${describeRate(exact.slopeHighPerSecond, "bytes")} (95% upper bound, HeapAlloc after forced GCs), and no allocation site in the profile keeps growing`,
    });
  }
  // The two measurements disagree: the profile is unbiased and, when fine enough to have shown the
  // exact series' growth (four sampling steps over the observation), it is believed over HeapAlloc,
  // whose reading can include what the program allocated between the GC and the read.
  const sampledCouldSee = exact.slopePerSecond * exact.spanSeconds >= 4 * f.resolution;
  if (
    sampled?.verdict === "bounded" &&
    retained < exact.floorPerSecond &&
    (exact.verdict !== "growing" || sampledCouldSee)
  ) {
    return combined(sampled, {
      reason:
        exact.verdict === "growing"
          ? `${sampled.reason} in the heap profiles (sampled finely enough to show HeapAlloc's ${describeRate(exact.slopePerSecond, "bytes")} if it were live memory)`
          : sampled.reason,
    });
  }
  const vouched = sitesVouch(f.evidence, exact.floorPerSecond, exact.spanSeconds, f.retaining.length);
  // A growing profile total that no site keeps (floating garbage: what churning sites allocated while
  // the forced GC was marking counts as live, and it varies with the mark's length) does not stop the
  // profile from vouching, as long as HeapAlloc's growth is within its drift.
  if (vouched && (f.exactWithinDrift || (exact.verdict !== "growing" && sampled?.verdict !== "growing"))) {
    return combined(exact, { verdict: "bounded", boundedBy: "confidence", reason: vouched });
  }
  const why = profileShowsGrowth
    ? `cannot be told: allocation sites keep ${describeRate(retained, "bytes")} (${f.owners}) but HeapAlloc after forced GCs does not confirm it (it ${exact.reason})`
    : exact.verdict === "growing"
      ? `grows in HeapAlloc after forced GCs (${exact.reason}), but no allocation site in the profile keeps that memory${sampled ? ` (profile total: ${sampled.verdict}, p=${formatP(sampled.pValue)})` : ""}`
      : exact.reason;
  return combined(exact, {
    verdict: exact.verdict === "insufficient" ? "insufficient" : "undecided",
    reason: why,
  });
}

/** Not growing, with heap profiles only. */
function judgedBySampled(f: LiveHeapFacts, sampled: SignalJudgement): SignalJudgement {
  const vouched = sitesVouch(f.evidence, sampled.floorPerSecond, sampled.spanSeconds, f.retaining.length);
  if (vouched && sampled.verdict === "undecided") {
    return combined(sampled, { verdict: "bounded", boundedBy: "confidence", reason: vouched });
  }
  if (sampled.verdict === "growing") {
    return combined(sampled, {
      verdict: "undecided",
      reason: `${sampled.reason}, but with autocorrelation taken into account p=${formatP(sampled.pValueCorrected)} and no allocation site clearly keeps the memory`,
    });
  }
  return combined(sampled, {});
}

/**
 * The profile as the bound: sampled finely enough that growth at the floor over the observation would
 * show as SITE_POWER_SAMPLES samples at some site, and no site keeps memory. Returns the reason, or
 * undefined when the profile cannot vouch.
 */
function sitesVouch(
  evidence: LiveHeapEvidence,
  floor: number,
  span: number,
  retainingCount: number,
): string | undefined {
  if (retainingCount > 0 || (evidence.sites.length === 0 && !evidence.sampled)) return undefined;
  if (floor * span < SITE_POWER_SAMPLES * evidence.resolution) return undefined;
  return `is kept by no allocation site: heap profiles sampled every ${describeRate(evidence.resolution, "bytes").replace("/s", "")} would show growth of ${describeRate(floor, "bytes")} as ${Math.floor((floor * span) / evidence.resolution)} samples over ${span.toFixed(0)} s, and none retains beyond what turnover explains`;
}
