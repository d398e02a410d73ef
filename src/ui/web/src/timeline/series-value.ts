/**
 * Values under the timeline cursor. Series of a recording are sampled at different instants
 * (MemStats every interval, heap profiles at snapshots, GC cycles when they happen), so on the
 * merged time axis most series have no point at a given instant: the value shown is the series'
 * latest point at or before it (what was last known then), or its first point before it started.
 */

/** Index of the last non-null value at or before `index`; -1 when there is none. */
export function lastKnownIndex(column: ArrayLike<number | null | undefined>, index: number): number {
  for (let k = Math.min(index, column.length - 1); k >= 0; k--) {
    const v = column[k];
    if (v !== null && v !== undefined) return k;
  }
  return -1;
}

/** Merges series' x values into one sorted axis and lays each series out on it (null: no point). */
export function alignSeries(series: Array<{ x: number[]; y: Array<number | null> }>): {
  xs: number[];
  columns: Array<Array<number | null>>;
} {
  const xs = Array.from(new Set(series.flatMap((s) => s.x))).sort((a, b) => a - b);
  const index = new Map(xs.map((x, k) => [x, k]));
  const columns = series.map((s) => {
    const column: Array<number | null> = new Array(xs.length).fill(null);
    s.x.forEach((x, k) => {
      column[index.get(x)!] = s.y[k] ?? null;
    });
    return column;
  });
  return { xs, columns };
}
