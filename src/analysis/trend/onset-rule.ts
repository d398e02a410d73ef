/**
 * Step 2b of the judge: growth that began late. A leak that starts hours into a long observation
 * sits on a plateau; judged together with it, the hockey-stick residuals read as strong
 * autocorrelation, the corrected variance swells and the verdict stays "undecided" for as long as
 * the plateau is a large part of the series. When the series clearly changes slope, only the part
 * after the change is judged, and the onset is stated.
 *
 * Choosing the stretch to test after looking at the data is a multiple test: picking the part of a
 * noisy series that happens to rise and testing it as if it had not been picked made 6 % of flat
 * AR(0.8) series "growing" at α = 0.001 (regime.ts). So the possible onsets are fixed in advance,
 * ONSET_CANDIDATES of them on a grid of every 5 % of the regime (the later part keeps at least
 * 10 %), and the one tested is judged at α / ONSET_CANDIDATES: by the union bound the chance that
 * any onset passes a series with no growth is at most α, however the onset was chosen (Bonferroni;
 * the tests on nested stretches are positively correlated, so the bound is conservative).
 *
 * The onset is the kink of the best broken-stick fit (broken-stick.ts); the stretch tested starts
 * at the first grid point at or after it. It counts as growth that began late only when:
 * - a change of slope describes the series better than a change of level: the kink removes more
 *   of the single line's squared error than the best step up would (a step to a new level is a
 *   regime change, regime.ts, not growth);
 * - the stretch is "growing" by the judge's own rule (growth-rule.ts) at α / ONSET_CANDIDATES:
 *   significant, relevant, material, and sustained into its later half — and every third of it
 *   rises at a third of its rate or more (one or two steps inside it are not a rise). The level
 *   decides: a ratchet (rising minima) that starts late is left to the whole regime's envelope test;
 * - the change of slope is clear and material: the stretch's 95 % slope interval lies above the
 *   interval of the slope before the kink, and that slope is at most half the stretch's (the series
 *   did not simply keep rising as it was: a leak whose rate wobbles keeps its whole-regime verdict);
 * - it reaches levels the series never held before: its highest block median stands above the
 *   highest one before the kink by at least half of its own rise. A batch job's next fill, a cache
 *   refilled after a flush or a process warming up again returns to earlier levels; a leak leaves
 *   them behind.
 */
import { aggregateBlocks } from "./blocks.js";
import { steepeningKink } from "./broken-stick.js";
import { plainGrowthP, seriesEvidence } from "./evidence.js";
import { decideGrowth } from "./growth-rule.js";
import { minPointsForAlpha } from "./mann-kendall.js";
import type { JudgedRegime } from "./regime.js";
import { gatherEvidence } from "./regime-evidence.js";
import type { Context } from "./rule-context.js";
import { theilSenSlope } from "./theil-sen.js";
import type { TrendJudgement, TrendPoint } from "./types.js";

/** Possible onsets: every 5 % of the regime from 5 % to 90 % (the later part keeps 10 % or more). */
export const ONSET_CANDIDATES = 18;
const ONSET_GRID_STEP = 0.05;
/** Before the onset the series rose at most at this share of the later rate (or fell). */
const SLOPE_BEFORE_SHARE = 0.5;
/** The later part's top must clear the earlier top by this share of the later part's rise. */
const NEW_HIGH_SHARE = 0.5;
/** Tops are taken over blocks of this share of the regime (at least 1 point): one spike is no level. */
const TOP_BLOCK_SHARE = 0.01;

export function decideLateOnset(
  sorted: TrendPoint[],
  work: TrendPoint[],
  found: JudgedRegime,
  totalSpan: number,
  ctx: Context,
): TrendJudgement | null {
  const first = found.firstIndex;
  const regime = work.slice(first);
  const n = regime.length;
  const alpha = ctx.alpha / ONSET_CANDIDATES;
  const minPoints = minPointsForAlpha(alpha);
  const grid = onsetGrid(regime, ctx.minPoints, 2 * minPoints, ctx.policy.minSpanSeconds);
  if (grid.length === 0) return null;
  const kink = steepeningKink(regime, Math.max(3, ctx.minPoints), n - grid[grid.length - 1]);
  if (!kink || !(kink.explained > kink.explainedByStep)) return null;
  const start = grid.find((g) => g >= kink.index);
  if (start === undefined) return null;
  const topBlock = Math.max(1, Math.ceil(n * TOP_BLOCK_SHARE));
  const before = regime.slice(0, kink.index);
  const topBefore = top(before, topBlock);
  const topAfter = top(regime.slice(start), topBlock);
  if (!(topAfter > topBefore)) return null;
  // The level's growth needs the plain test below α in every case (significantRise), and the plain
  // p is that of the blocks seriesEvidence tests: most stretches that do not rise end here, cheaply.
  if (!(plainGrowthP(regime.slice(start)) < alpha)) return null;
  const onsetCtx: Context = { ...ctx, alpha, minPoints };
  const starts = [...found.startsSeconds, regime[start].tSeconds];
  const e = gatherEvidence(sorted, work, first + start, starts, totalSpan, onsetCtx);
  const rise = e.main.slope * e.span;
  if (!(rise > 0) || topAfter - topBefore < NEW_HIGH_SHARE * rise) return null;
  const earlier = seriesEvidence(before, {
    noiseFloor: ctx.noiseFloor,
    autocorrelation: ctx.policy.autocorrelation,
  });
  if (!(e.main.low > earlier.high) || !(earlier.slope <= SLOPE_BEFORE_SHARE * e.main.slope)) return null;
  const judged = decideGrowth(
    {
      ...e,
      onset: {
        atSeconds: kink.kinkSeconds,
        slopeBeforePerSecond: earlier.slope,
        slopeBeforeHighPerSecond: earlier.high,
        candidates: ONSET_CANDIDATES,
      },
    },
    onsetCtx,
  );
  return judged?.decidedBy === "level" && risesThroughout(e.regime, e.main.slope) ? judged : null;
}

/**
 * Every third of the stretch rises at a third of its rate or more: growth, not a step or two inside
 * it (the judge's own sustained test only looks at the later half).
 */
function risesThroughout(points: TrendPoint[], slope: number): boolean {
  const third = Math.floor(points.length / 3);
  if (third < 4) return true;
  for (let k = 0; k < 3; k++) {
    const part = points.slice(k * third, k === 2 ? points.length : (k + 1) * third);
    if (!(theilSenSlope(part).slope >= slope / 3)) return false;
  }
  return true;
}

/**
 * Indices of the grid's onsets that leave `minBefore` points before and `minAfter` points (and the
 * policy's minimum span) from it on.
 */
function onsetGrid(
  regime: TrendPoint[],
  minBefore: number,
  minAfter: number,
  minSpanSeconds: number,
): number[] {
  const n = regime.length;
  const end = regime[n - 1].tSeconds;
  const out: number[] = [];
  for (let k = 1; k <= ONSET_CANDIDATES; k++) {
    const index = Math.round(k * ONSET_GRID_STEP * n);
    if (index < minBefore || n - index < minAfter || end - regime[index].tSeconds < minSpanSeconds) continue;
    if (out[out.length - 1] !== index) out.push(index);
  }
  return out;
}

/** The highest block median. */
function top(points: TrendPoint[], blockSize: number): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const p of aggregateBlocks(points, blockSize, "median")) best = Math.max(best, p.value);
  return best;
}
