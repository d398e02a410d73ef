/**
 * Terminal sparklines: a series in one line of block characters (▁▂▃▄▅▆▇█). Display only: the
 * resampling here chooses what a column shows, it does not analyse.
 */

const BARS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

export interface SparklineOptions {
  /** Columns (default: as many as values, at most 60). */
  width?: number;
  /** Value drawn as the lowest bar (default: the minimum). Use 0 to show levels from zero. */
  min?: number;
  /** Value drawn as the highest bar (default: the maximum). */
  max?: number;
  /**
   * How values sharing a column are combined (default "max", so peaks stay visible; "last" shows
   * where each column ended, as a level that is sampled rather than accumulated).
   */
  combine?: "max" | "min" | "mean" | "last";
}

/** One line of bars; empty string for no values. Values are assumed evenly spaced. */
export function sparkline(values: ArrayLike<number>, options: SparklineOptions = {}): string {
  const n = values.length;
  if (n === 0) return "";
  const width = Math.max(1, Math.min(options.width ?? Math.min(n, 60), n));
  const columns = resample(values, width, options.combine ?? "max");
  return bars(columns, options.min, options.max);
}

/**
 * A series with timestamps drawn over evenly spaced time columns (GC cycles are not evenly spaced:
 * they come faster when the heap is small). Empty columns repeat the previous value.
 */
export function timeSparkline(
  points: { tSeconds: number; value: number }[],
  options: SparklineOptions = {},
): string {
  if (points.length === 0) return "";
  const width = Math.max(1, options.width ?? 60);
  const start = points[0].tSeconds;
  const span = points[points.length - 1].tSeconds - start;
  if (!(span > 0))
    return sparkline(
      points.map((p) => p.value),
      options,
    );
  const combine = options.combine ?? "max";
  const sums = new Float64Array(width);
  const counts = new Int32Array(width);
  const picked = new Float64Array(width).fill(Number.NaN);
  for (const p of points) {
    const column = Math.min(width - 1, Math.floor(((p.tSeconds - start) / span) * width));
    counts[column]++;
    sums[column] += p.value;
    const current = picked[column];
    if (
      Number.isNaN(current) ||
      combine === "last" ||
      (combine === "max" ? p.value > current : p.value < current)
    )
      picked[column] = p.value;
  }
  const columns: number[] = [];
  let previous = points[0].value;
  for (let c = 0; c < width; c++) {
    if (counts[c] > 0) previous = combine === "mean" ? sums[c] / counts[c] : picked[c];
    columns.push(previous);
  }
  return bars(columns, options.min, options.max);
}

function resample(
  values: ArrayLike<number>,
  width: number,
  combine: "max" | "min" | "mean" | "last",
): number[] {
  const n = values.length;
  const out: number[] = [];
  for (let c = 0; c < width; c++) {
    const from = Math.floor((c * n) / width);
    const to = Math.max(from + 1, Math.floor(((c + 1) * n) / width));
    if (combine === "last") {
      out.push(values[to - 1]);
      continue;
    }
    let acc = combine === "max" ? Number.NEGATIVE_INFINITY : combine === "min" ? Number.POSITIVE_INFINITY : 0;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (combine === "max") acc = Math.max(acc, v);
      else if (combine === "min") acc = Math.min(acc, v);
      else acc += v;
    }
    out.push(combine === "mean" ? acc / (to - from) : acc);
  }
  return out;
}

function bars(columns: number[], minOption?: number, maxOption?: number): string {
  let min = minOption ?? Number.POSITIVE_INFINITY;
  let max = maxOption ?? Number.NEGATIVE_INFINITY;
  if (minOption === undefined) for (const v of columns) if (Number.isFinite(v)) min = Math.min(min, v);
  if (maxOption === undefined) for (const v of columns) if (Number.isFinite(v)) max = Math.max(max, v);
  const range = max - min;
  let out = "";
  for (const v of columns) {
    if (!Number.isFinite(v)) {
      out += " ";
      continue;
    }
    const level =
      range > 0 ? Math.round(((Math.min(max, Math.max(min, v)) - min) / range) * (BARS.length - 1)) : 0;
    out += BARS[level];
  }
  return out;
}
