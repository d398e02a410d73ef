/** A suspect's growth as a small inline SVG line, with a sentence for screen readers. */
import { formatDuration, formatQuantity } from "../../../../model/units.js";

const WIDTH = 160;
const HEIGHT = 36;

export function Sparkline({ points, unit }: { points: Array<[number, number]>; unit: string }) {
  if (points.length < 2) return null;
  const t0 = points[0]![0];
  const t1 = points[points.length - 1]![0];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const [, v] of points) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const spanT = t1 - t0 || 1;
  const spanV = hi - lo || 1;
  const xy = points.map(
    ([t, v]) =>
      `${(((t - t0) / spanT) * (WIDTH - 2) + 1).toFixed(1)},${(HEIGHT - 1 - ((v - lo) / spanV) * (HEIGHT - 2)).toFixed(1)}`,
  );
  const first = points[0]![1];
  const last = points[points.length - 1]![1];
  const label = `${formatQuantity(first, unit)} to ${formatQuantity(last, unit)} over ${formatDuration(t1 - t0)}`;
  return (
    <figure class="sparkline">
      <svg
        width={WIDTH}
        height={HEIGHT}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Growth: ${label}`}
      >
        <polyline points={`1,${HEIGHT - 1} ${xy.join(" ")} ${WIDTH - 1},${HEIGHT - 1}`} class="spark-area" />
        <polyline points={xy.join(" ")} class="spark-line" />
      </svg>
      <figcaption>{label}</figcaption>
    </figure>
  );
}
