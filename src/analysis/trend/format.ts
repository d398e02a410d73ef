/** How the trend engine writes numbers in its sentences (the callers give the value format). */

export { formatDuration } from "../../model/units.js";

/** 3 significant digits, exponent for very large or small magnitudes. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}

/**
 * A growth rate relative to the level, per hour, when it means something; null when it does not.
 * Two conditions: the observation spans RELATIVE_RATE_MIN_SPAN_SECONDS or more (a per-hour figure
 * extrapolated more than sixfold from what was seen is not a measurement: 10 MiB/s over 16 s is not
 * "+44638 %/h"), and the base stayed a base (the rise over the span is at most the level: a heap
 * that doubled while observed has no level to be a percentage of).
 */
export function meaningfulRelativePerHour(
  slopePerSecond: number,
  level: number,
  spanSeconds: number,
): number | null {
  if (!(level > 0) || !(spanSeconds >= RELATIVE_RATE_MIN_SPAN_SECONDS)) return null;
  if (Math.abs(slopePerSecond * spanSeconds) > level) return null;
  return (slopePerSecond / level) * 3600;
}

/** Shortest observation a per-hour relative rate is given for (see meaningfulRelativePerHour). */
export const RELATIVE_RATE_MIN_SPAN_SECONDS = 600;

/** A signed percentage: `+4.5%`, `−0.12%`, `+340%`. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return fraction > 0 ? "+∞%" : "−∞%";
  const pct = fraction * 100;
  const digits = Math.abs(pct) >= 100 ? 0 : Math.abs(pct) >= 10 ? 1 : 2;
  return `${pct >= 0 ? "+" : "−"}${Math.abs(pct).toFixed(digits)}%`;
}

/** `p = 0.012`, `p = 0.0002`, `p = 3e-9`. */
export function formatP(p: number): string {
  if (p >= 1e-4) return `p = ${Number(p.toPrecision(2))}`;
  if (p <= 0) return "p < 1e-300";
  return `p = ${p.toExponential(0)}`;
}

/**
 * A rate in the unit of time that keeps its number readable: per second when at least one unit per
 * second, else per minute, else per hour (`20 MiB/s`, `3 goroutines/min`, `45 KiB/h`).
 */
export function formatRate(perSecond: number, formatValue: (v: number) => string): string {
  if (!Number.isFinite(perSecond)) return perSecond > 0 ? "+∞/s" : "−∞/s";
  const magnitude = Math.abs(perSecond);
  if (magnitude >= 1 || magnitude === 0) return `${formatValue(perSecond)}/s`;
  if (magnitude * 60 >= 1) return `${formatValue(perSecond * 60)}/min`;
  return `${formatValue(perSecond * 3600)}/h`;
}
