/**
 * Judging a growing observation repeatedly (doctor --duration auto) without raising the false-leak
 * rate. Each look is a test; K looks at level α each would call a healthy program leaking up to K
 * times as often. The looks are therefore fixed in advance and bounded in number, and α is split
 * over them (Bonferroni): a look judges with α/K, so by the union bound the chance that any look
 * calls growth where there is none is at most α, whatever the correlation between looks. The same
 * holds for every signal doctor judges, so the family of signals has the false-alarm rate it has
 * with one fixed window. (Group-sequential boundaries such as Pocock's or O'Brien–Fleming's spend α
 * less conservatively, but they need the joint distribution of the statistics across looks, which
 * the autocorrelation corrections and regime changes make unknown; the union bound needs nothing.)
 *
 * The schedule: every 5 s from the minimum (10 s) to 30 s, so a healthy program can be decided by
 * the time a fixed 30 s window would be; then 30 % further each time, and a last look at the maximum.
 * With the default 10 s – 5 min that is 13 looks (10, 15, 20, 25, 30, 40, 55, 75, 100, 130, 170, 225
 * and 300 s), so each judges with α/13.
 */

export interface LookSchedule {
  /** Seconds of observation at which the verdict is judged, increasing; the last is the maximum. */
  looksSeconds: number[];
  /** The share of each policy's α a look judges with (1 / number of looks). */
  alphaShare: number;
}

export const AUTO_MIN_SECONDS = 10;
export const AUTO_MAX_SECONDS = 300;
const DENSE_UNTIL_SECONDS = 30;
const DENSE_STEP_SECONDS = 5;
const GROWTH_FACTOR = 1.3;
const CLOSE_TO_LAST = 0.9;

export function lookSchedule(minSeconds = AUTO_MIN_SECONDS, maxSeconds = AUTO_MAX_SECONDS): LookSchedule {
  const looks: number[] = [];
  const last = Math.max(minSeconds, maxSeconds);
  let t = minSeconds;
  // A look just before the last one would spend α for almost nothing: the last look replaces it.
  while (t < CLOSE_TO_LAST * last) {
    looks.push(t);
    t =
      t < DENSE_UNTIL_SECONDS
        ? t + DENSE_STEP_SECONDS
        : Math.ceil((t * GROWTH_FACTOR) / DENSE_STEP_SECONDS) * DENSE_STEP_SECONDS;
  }
  looks.push(last);
  return { looksSeconds: looks, alphaShare: 1 / looks.length };
}
