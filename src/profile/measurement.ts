/**
 * Units and value labels as pprof computes them (internal/measurement): bytes scale by 1024
 * (B, kB, MB, GB, TB, PB), times by their SI factors, and "minimum"/"auto" pick the largest unit
 * in which the value is at least 1.
 */
import { formatFixed, formatG } from "./go-format.js";

interface Unit {
  canonicalName: string;
  aliases: string[];
  factor: number;
}

interface UnitType {
  defaultUnit: Unit;
  units: Unit[];
}

const unitTypes: UnitType[] = [
  {
    units: [
      { canonicalName: "B", aliases: ["b", "byte"], factor: 1 },
      { canonicalName: "kB", aliases: ["kb", "kbyte", "kilobyte"], factor: 2 ** 10 },
      { canonicalName: "MB", aliases: ["mb", "mbyte", "megabyte"], factor: 2 ** 20 },
      { canonicalName: "GB", aliases: ["gb", "gbyte", "gigabyte"], factor: 2 ** 30 },
      { canonicalName: "TB", aliases: ["tb", "tbyte", "terabyte"], factor: 2 ** 40 },
      { canonicalName: "PB", aliases: ["pb", "pbyte", "petabyte"], factor: 2 ** 50 },
    ],
    defaultUnit: { canonicalName: "B", aliases: ["b", "byte"], factor: 1 },
  },
  {
    units: [
      { canonicalName: "ns", aliases: ["ns", "nanosecond"], factor: 1 },
      { canonicalName: "us", aliases: ["μs", "us", "microsecond"], factor: 1e3 },
      { canonicalName: "ms", aliases: ["ms", "millisecond"], factor: 1e6 },
      { canonicalName: "s", aliases: ["s", "sec", "second"], factor: 1e9 },
      { canonicalName: "hrs", aliases: ["hour", "hr"], factor: 3600e9 },
    ],
    defaultUnit: { canonicalName: "s", aliases: [], factor: 1e9 },
  },
  {
    units: [
      { canonicalName: "n*GCU", aliases: ["nanogcu"], factor: 1e-9 },
      { canonicalName: "u*GCU", aliases: ["microgcu"], factor: 1e-6 },
      { canonicalName: "m*GCU", aliases: ["milligcu"], factor: 1e-3 },
      { canonicalName: "GCU", aliases: ["gcu"], factor: 1 },
      { canonicalName: "k*GCU", aliases: ["kilogcu"], factor: 1e3 },
      { canonicalName: "M*GCU", aliases: ["megagcu"], factor: 1e6 },
      { canonicalName: "G*GCU", aliases: ["gigagcu"], factor: 1e9 },
      { canonicalName: "T*GCU", aliases: ["teragcu"], factor: 1e12 },
      { canonicalName: "P*GCU", aliases: ["petagcu"], factor: 1e15 },
    ],
    defaultUnit: { canonicalName: "GCU", aliases: [], factor: 1 },
  },
];

function sniffUnit(type: UnitType, unit: string): Unit | undefined {
  let name = unit.toLowerCase();
  // Go trims a trailing "s" only from names longer than 2 bytes ("ms" stays); len counts UTF-8 bytes.
  if (Buffer.byteLength(name) > 2 && name.endsWith("s")) name = name.slice(0, -1);
  return type.units.find((u) => u.aliases.includes(name));
}

function autoScale(type: UnitType, value: number): [number, string] | undefined {
  let factor = 0;
  let unit = "";
  for (const u of type.units) {
    if (u.factor >= factor && value / u.factor >= 1.0) {
      factor = u.factor;
      unit = u.canonicalName;
    }
  }
  if (factor === 0) return undefined;
  return [value / factor, unit];
}

function convertUnit(
  type: UnitType,
  value: number,
  fromUnit: string,
  toUnit: string,
): [number, string] | undefined {
  const from = sniffUnit(type, fromUnit);
  if (!from) return undefined;
  const v = value * from.factor;
  if (toUnit === "minimum" || toUnit === "auto") {
    const scaled = autoScale(type, v);
    if (scaled) return scaled;
    return [v / type.defaultUnit.factor, type.defaultUnit.canonicalName];
  }
  const to = sniffUnit(type, toUnit);
  if (!to) return [v / type.defaultUnit.factor, type.defaultUnit.canonicalName];
  return [v / to.factor, to.canonicalName];
}

/**
 * Scales `value` (an integer in `fromUnit`) to `toUnit` ("minimum"/"auto" pick a unit). Returns the
 * scaled value and the unit to print ("" when the unit is uninteresting, like counts).
 */
export function scaleValue(value: number, fromUnit: string, toUnit: string): [number, string] {
  if (value < 0) {
    const [v, u] = scaleValue(-value, fromUnit, toUnit);
    return [-v, u];
  }
  for (const type of unitTypes) {
    const converted = convertUnit(type, value, fromUnit, toUnit);
    if (converted) return converted;
  }
  switch (toUnit) {
    case "count":
    case "sample":
    case "unit":
    case "minimum":
    case "auto":
      return [value, ""];
    default:
      return [value, toUnit];
  }
}

/** pprof's measurement.ScaledLabel: `%.2f` without a trailing ".00", plus the unit; zero is "0". */
export function scaledLabel(value: number, fromUnit: string, toUnit: string): string {
  const [v, u] = scaleValue(value, fromUnit, toUnit);
  let text = formatFixed(v, 2);
  if (text.endsWith(".00")) text = text.slice(0, -3);
  if (text === "0" || text === "-0") return "0";
  return text + u;
}

/** pprof's measurement.Label: scaled to the most readable unit. */
export function autoLabel(value: number, unit: string): string {
  return scaledLabel(value, unit, "auto");
}

/** pprof's measurement.Percentage: "%5.2f%%" from 1 %, "%5.2g%%" below, "  100%" around 100. */
export function percentage(value: number, total: number): string {
  let ratio = 0;
  if (total !== 0) ratio = Math.abs(value / total) * 100;
  if (ratio >= 99.95 && ratio <= 100.05) return "  100%";
  if (ratio >= 1.0) return `${formatFixed(ratio, 2).padStart(5)}%`;
  return `${formatG(ratio, 2).padStart(5)}%`;
}

/** True when two units can be converted into each other (same pprof unit family, or equal). */
export function compatibleUnits(a: string, b: string): boolean {
  if (a === b) return true;
  return unitTypes.some((type) => sniffUnit(type, a) !== undefined && sniffUnit(type, b) !== undefined);
}
