/**
 * Change points: where a series changes regime (a warm-up ends, a deploy steps the level, a leak
 * starts late). Two detectors, one for long series and one for short ones:
 * - segmentStarts: optimal piecewise-linear segmentation of block medians, the number of segments
 *   chosen by a BIC scaled to the effective sample size, immaterial breaks dropped afterwards;
 * - lateRegimeStart: one line against two, split at every admissible point; the later line is kept
 *   when the split halves the squared error (works on two dozen points where the BIC cannot).
 */

import type { Block } from "./blocks.js";
import { autocorrelation, medianOf } from "./order-statistics.js";
import type { TrendPoint } from "./types.js";

/** Most segments considered by the change-point search. */
const MAX_SEGMENTS = 5;

/**
 * Optimal partition of the block series into 1..MAX_SEGMENTS linear segments (each at least
 * `minLength` blocks) minimising the residual sum of squares, the number of segments chosen by BIC
 * with a common noise variance: B·ln(RSS_k/B + ε) + 3k·ln(B) (intercept, slope and change point per
 * segment). A common variance is what keeps a sawtooth in one segment: cutting it into teeth-sized
 * pieces cannot reduce the variance of a long periodic series much. ε is the quantization noise
 * (resolution²/12), so exactly flat quantized data does not make log(0) reward spurious cuts.
 * Returns the block indices where segments start.
 */
export function segmentStarts(blocks: Block[], minLength: number, quantizationVariance: number): number[] {
  const b = blocks.length;
  if (b < 2 * minLength) return [0];
  // Scale to unit ranges so prefix sums of squares stay exact enough.
  const t0 = blocks[0].tSeconds;
  const tSpan = blocks[b - 1].tSeconds - t0 || 1;
  const values = blocks.map((x) => x.value);
  const v0 = medianOf(values);
  let vScale = 0;
  for (const v of values) vScale = Math.max(vScale, Math.abs(v - v0));
  vScale = vScale || 1;
  const st = new Float64Array(b + 1);
  const sv = new Float64Array(b + 1);
  const stt = new Float64Array(b + 1);
  const stv = new Float64Array(b + 1);
  const svv = new Float64Array(b + 1);
  for (let i = 0; i < b; i++) {
    const t = (blocks[i].tSeconds - t0) / tSpan;
    const v = (blocks[i].value - v0) / vScale;
    st[i + 1] = st[i] + t;
    sv[i + 1] = sv[i] + v;
    stt[i + 1] = stt[i] + t * t;
    stv[i + 1] = stv[i] + t * v;
    svv[i + 1] = svv[i] + v * v;
  }
  const rss = (from: number, to: number): number => {
    const n = to - from;
    const mt = (st[to] - st[from]) / n;
    const mv = (sv[to] - sv[from]) / n;
    const sxx = stt[to] - stt[from] - n * mt * mt;
    const sxy = stv[to] - stv[from] - n * mt * mv;
    const syy = svv[to] - svv[from] - n * mv * mv;
    const r = sxx > 1e-15 ? syy - (sxy * sxy) / sxx : syy;
    return Math.max(r, 0);
  };
  const maxSegments = Math.min(MAX_SEGMENTS, Math.floor(b / minLength));
  // cost[k][j]: best RSS of the first j blocks in k+1 segments; from[k][j]: where the last starts.
  const cost: Float64Array[] = [];
  const from: Int32Array[] = [];
  for (let k = 0; k < maxSegments; k++) {
    cost.push(new Float64Array(b + 1).fill(Number.POSITIVE_INFINITY));
    from.push(new Int32Array(b + 1).fill(-1));
  }
  for (let j = minLength; j <= b; j++) cost[0][j] = rss(0, j);
  for (let k = 1; k < maxSegments; k++) {
    for (let j = (k + 1) * minLength; j <= b; j++) {
      let best = Number.POSITIVE_INFINITY;
      let bestI = -1;
      for (let i = k * minLength; i <= j - minLength; i++) {
        const c = cost[k - 1][i] + rss(i, j);
        if (c < best) {
          best = c;
          bestI = i;
        }
      }
      cost[k][j] = best;
      from[k][j] = bestI;
    }
  }
  const backtrack = (k: number): number[] => {
    const starts: number[] = [];
    let end = b;
    for (let j = k; j > 0; j--) {
      const start = from[j][end];
      starts.push(start);
      end = start;
    }
    starts.push(0);
    return starts.reverse();
  };
  // Autocorrelated noise looks like many short trends and would be cut into pieces (a linear leak
  // with AR(1) noise came out as three segments). The likelihood is therefore scaled to the effective
  // number of blocks, B·(1−ρ)/(1+ρ). ρ comes from the first differences, whose lag-1 correlation is
  // −(1−ρ)/2 for AR(1) noise: a slope only shifts their mean and a step is a single outlier, so
  // regime changes barely move this estimate while noise structure does.
  const rho = ar1FromDifferences(values);
  const effective = rho > 0 ? Math.max(2, (b * (1 - rho)) / (1 + rho)) : b;
  const epsilon = quantizationVariance / (vScale * vScale) + 1e-12;
  let bestK = 0;
  let bestBic = Number.POSITIVE_INFINITY;
  for (let k = 0; k < maxSegments; k++) {
    const total = cost[k][b];
    if (!Number.isFinite(total)) continue;
    const bic = effective * Math.log(total / b + epsilon) + 3 * (k + 1) * Math.log(effective);
    if (bic < bestBic - 1e-9) {
      bestBic = bic;
      bestK = k;
    }
  }
  return backtrack(bestK);
}

/** AR(1) coefficient estimated from the lag-1 autocorrelation of first differences, in [0, 0.98]. */
export function ar1FromDifferences(values: number[]): number {
  if (values.length < 5) return 0;
  const differences = new Float64Array(values.length - 1);
  for (let i = 1; i < values.length; i++) differences[i - 1] = values[i] - values[i - 1];
  const r = autocorrelation(differences, 1)[1] ?? -0.5;
  return Math.min(0.98, Math.max(0, 1 + 2 * r));
}

/** Least-squares line through points from..to−1. */
export function fitLine(
  from: number,
  to: number,
  t: (i: number) => number,
  v: (i: number) => number,
): { slope: number; intercept: number } {
  const n = to - from;
  let mt = 0;
  let mv = 0;
  for (let i = from; i < to; i++) {
    mt += t(i);
    mv += v(i);
  }
  mt /= n;
  mv /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = from; i < to; i++) {
    sxx += (t(i) - mt) ** 2;
    sxy += (t(i) - mt) * (v(i) - mv);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { slope, intercept: mv - slope * mt };
}

/**
 * A change of regime must matter, not only be detectable: the previous segment's line, carried
 * into the last segment, must miss the last segment's line by at least `threshold` on average (a
 * step, or the end of a warm-up). A leak cut in two by noise continues the same line and is joined
 * again. Applied from the last break backwards.
 */
export function dropImmaterialBreaks(
  starts: number[],
  blocks: Block[],
  threshold: (level: number) => number,
): number[] {
  const out = [...starts];
  const t = (i: number) => blocks[i].tSeconds;
  const v = (i: number) => blocks[i].value;
  while (out.length > 1) {
    const lastFrom = out[out.length - 1];
    const previousFrom = out[out.length - 2];
    const last = fitLine(lastFrom, blocks.length, t, v);
    const previous = fitLine(previousFrom, lastFrom, t, v);
    let miss = 0;
    for (let i = lastFrom; i < blocks.length; i++) {
      miss += Math.abs(previous.intercept + previous.slope * t(i) - (last.intercept + last.slope * t(i)));
    }
    miss /= blocks.length - lastFrom;
    const level = medianOf(blocks.slice(lastFrom).map((x) => x.value));
    if (miss >= threshold(level)) break;
    out.pop();
  }
  return out;
}

/**
 * Start of a later regime in a short series: a one-line fit is compared with two independent line
 * segments split at every admissible point (the later segment keeps at least 40 % of the points and
 * `minPoints`); when the split halves the squared error, the behaviour changed (a warm-up that
 * levelled off, or growth that began late) and the index where the later segment starts is returned.
 * 0 when nothing changed.
 */
export function lateRegimeStart(points: TrendPoint[], minPoints: number): number {
  const n = points.length;
  const minLater = Math.max(minPoints, Math.ceil(n * 0.4));
  const minEarlier = 3;
  if (n < minLater + minEarlier) return 0;
  const whole = lineFit(points, 0, n);
  if (whole.sse <= 0) return 0;
  let best = { index: 0, sse: whole.sse };
  for (let k = minEarlier; k <= n - minLater; k++) {
    const sse = lineFit(points, 0, k).sse + lineFit(points, k, n).sse;
    if (sse < best.sse) best = { index: k, sse };
  }
  return best.sse <= whole.sse * 0.5 ? best.index : 0;
}

/** Least-squares line through points[from..to) with its squared error. */
function lineFit(points: TrendPoint[], from: number, to: number): { slope: number; sse: number } {
  const t = (i: number) => points[i].tSeconds;
  const v = (i: number) => points[i].value;
  if (to - from < 2) return { slope: 0, sse: 0 };
  const line = fitLine(from, to, t, v);
  let sse = 0;
  for (let i = from; i < to; i++) {
    const r = v(i) - (line.intercept + line.slope * t(i));
    sse += r * r;
  }
  return { slope: line.slope, sse };
}
