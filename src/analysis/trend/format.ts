/** How the trend engine writes numbers in its sentences (the callers give the value format). */

export { formatDuration } from "../../model/units.js";

/** 3 significant digits, exponent for very large or small magnitudes. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}

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
