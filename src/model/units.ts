/**
 * heapscope's own units: how every heapscope report (doctor, gctrace, memstats, goroutines,
 * inspect, record, the alloc-site diff, the web UI) writes bytes, rates, durations and counts, so
 * one quantity reads the same wherever it appears. Pure (no Node APIs: the web UI bundles it too).
 *
 * One rule for numbers: three significant digits, trailing zeros dropped, values of 100 and more
 * as whole numbers ("1.5 KiB", "12.3 s", "512 B", "1023 KiB"); a value that rounds up to the next
 * unit is written in that unit ("1 MiB", not "1024 KiB"). Negative values carry "-", signed forms
 * "+" or "-"; a space separates number and unit.
 *
 *   bytes       B, KiB, MiB, GiB, TiB, PiB, EiB (powers of 1024)         "47 MiB", "1.25 GiB"
 *   byte rates  bytes per second                                          "+1.5 KiB/s"
 *   durations   ns, µs, ms below a second; s below 2 min; min below 2 h;  "850 ms", "90 s",
 *               h below 2 days; days                                      "12 min", "3.5 h"
 *   counts      whole numbers with thousands separators                   "120,000"
 *   count rates per second, minute or hour (the first with at least one)  "3 goroutines/min"
 *   percents    of a fraction                                             "12.5%"
 *
 * Not these units: reports that reproduce another tool's output keep that tool's formatting, so
 * they can be compared byte for byte. `go tool pprof`'s reports (render/pprof/*) use pprof's own
 * measurement rules in profile/measurement.ts ("1.50MB" meaning 1.5 × 2^20 bytes, "10ms");
 * benchmark tables (render/bench-format.ts) use benchstat's scaling ("1.250Mi", "± 2%").
 */

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

interface DurationStep {
  unit: string;
  /** Seconds in one `unit`. */
  seconds: number;
  /** Durations from this many seconds on are written in the next step. */
  below: number;
}

const DURATION_STEPS: DurationStep[] = [
  { unit: "ns", seconds: 1e-9, below: 1e-6 },
  { unit: "µs", seconds: 1e-6, below: 1e-3 },
  { unit: "ms", seconds: 1e-3, below: 1 },
  { unit: "s", seconds: 1, below: 120 },
  { unit: "min", seconds: 60, below: 7200 },
  { unit: "h", seconds: 3600, below: 172_800 },
  { unit: "days", seconds: 86_400, below: Number.POSITIVE_INFINITY },
];

/** A non-negative finite number to three significant digits, whole from 100 on, zeros trimmed. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  const abs = Math.abs(value);
  let text: string;
  if (abs >= 100) text = abs.toFixed(0);
  else if (abs >= 1) text = String(Number(abs.toFixed(abs >= 10 ? 1 : 2)));
  else text = String(Number(abs.toPrecision(3)));
  return value < 0 && text !== "0" ? `-${text}` : text;
}

/** 1536 → "1.5 KiB", 512 → "512 B", 47 × 2^20 → "47 MiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return nonFinite(bytes);
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  let text = formatNumber(value);
  if (Number(text) >= 1024 && unit < BYTE_UNITS.length - 1) {
    unit++;
    text = formatNumber(value / 1024);
  }
  return `${bytes < 0 && text !== "0" ? "-" : ""}${text} ${BYTE_UNITS[unit]}`;
}

/** A change in bytes: "+1.5 KiB", "-2 MiB", "0 B". */
export function formatSignedBytes(bytes: number): string {
  return withSign(bytes, formatBytes(bytes));
}

/** Bytes per second: "1.5 KiB/s". */
export function formatByteRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** A growth rate in bytes per second: "+1.5 KiB/s", "-200 B/s", "0 B/s". */
export function formatSignedByteRate(bytesPerSecond: number): string {
  return withSign(bytesPerSecond, formatByteRate(bytesPerSecond));
}

/** Seconds → "450 ns", "12.3 µs", "850 ms", "45 s", "12 min", "3.5 h", "2 days". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return nonFinite(seconds);
  const abs = Math.abs(seconds);
  if (abs === 0) return "0 s";
  let index = DURATION_STEPS.findIndex((step) => abs < step.below);
  let text = formatNumber(abs / DURATION_STEPS[index].seconds);
  const step = DURATION_STEPS[index];
  if (Number(text) * step.seconds >= step.below && index < DURATION_STEPS.length - 1) {
    index++;
    text = formatNumber(abs / DURATION_STEPS[index].seconds);
  }
  return `${seconds < 0 ? "-" : ""}${text} ${DURATION_STEPS[index].unit}`;
}

/** formatDuration for a duration in milliseconds. */
export function formatDurationMs(ms: number): string {
  return formatDuration(ms / 1e3);
}

/** formatDuration for a duration in nanoseconds. */
export function formatDurationNs(ns: number): string {
  return formatDuration(ns / 1e9);
}

/**
 * A count, rounded to a whole number, with thousands separators: "120,000". Not toLocaleString:
 * its first call loads locale data (tens of ms in the UI) and its output depends on the locale.
 */
export function formatCount(count: number): string {
  if (!Number.isFinite(count)) return nonFinite(count);
  const rounded = Math.round(count);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return rounded < 0 ? `-${digits}` : digits;
}

/** A change in a count: "+1,200", "-3", "0". */
export function formatSignedCount(count: number): string {
  return withSign(Math.round(count), formatCount(count));
}

/**
 * Things per unit of time, per second when at least one a second, else per minute, else per
 * hour, so small rates stay readable: 2.5 → "2.5 goroutines/s", 0.05 → "3 goroutines/min".
 * Without a noun: "3/min".
 */
export function formatCountRate(perSecond: number, noun = ""): string {
  const abs = Math.abs(perSecond);
  const [value, per] =
    abs >= 1 || abs === 0
      ? [perSecond, "s"]
      : abs * 60 >= 1
        ? [perSecond * 60, "min"]
        : [perSecond * 3600, "h"];
  return `${formatNumber(value)}${noun ? ` ${noun}` : ""}/${per}`;
}

/** A growth rate of things: "+0.5 goroutines/s", "+3/min". */
export function formatSignedCountRate(perSecond: number, noun = ""): string {
  return withSign(perSecond, formatCountRate(perSecond, noun));
}

/** A fraction as a percentage: 0.125 → "12.5%", 2.5 → "250%". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return `${nonFinite(fraction)}%`;
  return `${formatNumber(fraction * 100)}%`;
}

/** A change as a percentage: 0.125 → "+12.5%", -0.02 → "-2%". */
export function formatSignedPercent(fraction: number): string {
  return withSign(fraction, formatPercent(fraction));
}

/**
 * A value in a profile's sample unit (profile.proto names the unit of each sample type): bytes,
 * nanoseconds and seconds as above, anything else (count, objects, goroutines) as a count (with
 * three significant digits below 100, for averages and scaled values).
 */
export function formatQuantity(value: number, unit: string): string {
  switch (unit) {
    case "bytes":
      return formatBytes(value);
    case "nanoseconds":
      return formatDurationNs(value);
    case "seconds":
      return formatDuration(value);
    default:
      return Math.abs(value) >= 100 ? formatCount(value) : formatNumber(value);
  }
}

/** formatQuantity with a "+" on increases. */
export function formatSignedQuantity(value: number, unit: string): string {
  return withSign(value, formatQuantity(value, unit));
}

/** "+" before a positive value, unless it rounded to zero ("0 B", not "+0 B"). */
function withSign(value: number, text: string): string {
  const digits = /^[\d.,]*/.exec(text)?.[0] ?? "";
  const roundedToZero = digits !== "" && !/[1-9]/.test(digits);
  return value > 0 && !roundedToZero ? `+${text}` : text;
}

function nonFinite(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  return value > 0 ? "∞" : "-∞";
}
