/**
 * Number formatting shared by the benchmark renderers, following benchstat's conventions:
 * one scale per row chosen from its smallest non-zero value with at least three significant
 * digits (SI prefixes, IEC for byte units), "± x%" intervals, "+12.50%" / "~" deltas and
 * "(p=0.002 n=10)" labels.
 */

import type { BenchRow } from "../analysis/bench-compare.js";
import { unitClass } from "../formats/go-bench.js";
import { formatFixed } from "../profile/go-format.js";

export interface Scaler {
  /** Digits after the decimal point. */
  precision: number;
  factor: number;
  prefix: string;
}

interface ScaleStep {
  factor: number;
  prefix: string;
  t100: number;
  t10: number;
  t1: number;
}

const SI_STEPS: ScaleStep[] = (["T", "G", "M", "k", "", "m", "µ", "n"] as const).map((prefix, i) => {
  const exp = 12 - 3 * i;
  return {
    factor: 10 ** exp,
    prefix,
    t100: Number(`99.995e${exp}`),
    t10: Number(`9.9995e${exp}`),
    t1: Number(`.99995e${exp}`),
  };
});

const IEC_STEPS: ScaleStep[] = (["Ti", "Gi", "Mi", "Ki", ""] as const).map((prefix, i) => {
  const exp = 40 - 10 * i;
  return {
    factor: 2 ** exp,
    prefix,
    t100: 99.995 * 2 ** exp,
    t10: 9.9995 * 2 ** exp,
    t1: 0.99995 * 2 ** exp,
  };
});

const SIG_FIG_THRESHOLDS = Array.from({ length: 8 }, (_, i) => Number(`9.9995e${-1 - i}`));

/** The scale benchstat would use for a row whose values are `values`. */
export function commonScale(values: readonly number[], unit: string): Scaler {
  let min = 0;
  for (const raw of values) {
    const v = Math.abs(raw);
    if (Number.isFinite(v) && v !== 0 && (min === 0 || v < min)) min = v;
  }
  if (min === 0) return { precision: 3, factor: 1, prefix: "" };
  const steps = unitClass(unit) === "binary" ? IEC_STEPS : SI_STEPS;
  for (const step of steps) {
    if (min >= step.t100) return { precision: 1, factor: step.factor, prefix: step.prefix };
    if (min >= step.t10) return { precision: 2, factor: step.factor, prefix: step.prefix };
    if (min >= step.t1) return { precision: 3, factor: step.factor, prefix: step.prefix };
  }
  const last = steps[steps.length - 1]!;
  const scaled = min / last.factor;
  for (let i = 0; i < SIG_FIG_THRESHOLDS.length; i++) {
    if (scaled >= SIG_FIG_THRESHOLDS[i]! || i === SIG_FIG_THRESHOLDS.length - 1) {
      return { precision: i + 3, factor: last.factor, prefix: last.prefix };
    }
  }
  return { precision: 3, factor: last.factor, prefix: last.prefix };
}

export function formatScaled(value: number, scaler: Scaler): string {
  if (!Number.isFinite(value)) return String(value);
  return `${formatFixed(value / scaler.factor, scaler.precision)}${scaler.prefix}`;
}

/** A value with its own scale and the unit, e.g. "1.25µs" style "1.250µ sec/op". */
export function formatWithUnit(value: number, unit: string): string {
  if (unit === "sec/op") {
    const s = commonScale([value], unit);
    return `${formatScaled(value, s)}s`;
  }
  const s = commonScale([value], unit);
  const text = formatScaled(value, s);
  return `${trimZeros(text)} ${unit}`;
}

function trimZeros(text: string): string {
  return text.replace(/^(-?\d+)\.0+([^\d]*)$/, "$1$2").replace(/^(-?\d+\.\d*?)0+([^\d]*)$/, "$1$2");
}

/** benchstat's "± x%": ∞ when a bound is infinite, ? when a bound's sign differs from the center. */
export function percentRange(center: number, lo: number, hi: number): string {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return "∞";
  if (Math.sign(center) !== Math.sign(lo) || Math.sign(center) !== Math.sign(hi)) return "?";
  if (center === 0) return "0%";
  const spread = Math.max(hi / center - 1, 1 - lo / center);
  return `${formatFixed(100 * spread, 0)}%`;
}

/** benchstat's delta column: "~" when not significant, "0.00%", "?" for a zero base, "+x.xx%". */
export function formatDelta(row: Pick<BenchRow, "p" | "alpha" | "base" | "new">): string {
  if (row.p > row.alpha) return "~";
  if (row.base.center === row.new.center) return "0.00%";
  if (row.base.center === 0) return "?";
  const percent = (row.new.center / row.base.center - 1) * 100;
  return `${percent >= 0 ? "+" : ""}${formatFixed(percent, 2)}%`;
}

/** Delta that never hides the direction (for Markdown/annotations): "+∞%" for a zero base. */
export function formatChange(row: Pick<BenchRow, "deltaPercent">): string {
  const d = row.deltaPercent;
  if (d === Infinity) return "+∞%";
  if (d === -Infinity) return "−∞%";
  return `${d >= 0 ? "+" : ""}${formatFixed(d, 2)}%`;
}

/** "(p=0.002 n=10)" or "n=10+8"; exact comparisons show no p (it is 0 by definition). */
export function comparisonLabel(row: Pick<BenchRow, "p" | "base" | "new">): string {
  const p = row.p !== 0 ? `p=${formatFixed(row.p, 3)} ` : "";
  const n = row.base.n === row.new.n ? `n=${row.base.n}` : `n=${row.base.n}+${row.new.n}`;
  return `${p}${n}`;
}

/** benchstat labels rows without the "Benchmark" prefix. */
export function shortName(name: string): string {
  return name.startsWith("Benchmark") ? name.slice("Benchmark".length) || name : name;
}

export function superscript(n: number): string {
  const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
  return String(n)
    .split("")
    .map((d) => digits[Number(d)])
    .join("");
}
