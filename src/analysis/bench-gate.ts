/**
 * The CI gate over a benchmark comparison. A row fails when its change is statistically
 * significant AND it worsened by at least the fail percentage AND by at least the absolute floor;
 * it warns likewise with the warn percentage. A zero-allocation benchmark that starts allocating
 * fails outright (such paths are deliberate). Missing benchmarks and blind spots (too few samples)
 * are warnings, or failures when the policy says so.
 *
 * Pure: a comparison and a policy in, statuses out. Reading `.heapscope.json` is the CLI's job;
 * `policyFromConfig` validates what it read.
 */

import { UsageError } from "../errors.js";
import { parseByteSize } from "../formats/byte-size.js";
import { tidyUnitName } from "../formats/go-bench.js";
import { formatBytes, formatDuration, formatNumber } from "../model/units.js";
import type { BenchComparison, BenchRow, BenchUnmatched } from "./bench-compare.js";

export type GateStatus = "ok" | "warn" | "fail";

export interface UnitThresholds {
  /** Worsening (percent) at which a significant change warns; undefined = never. */
  warnPercent?: number;
  /** Worsening (percent) at which a significant change fails; undefined = never. */
  failPercent?: number;
  /** Smallest absolute worsening (in the tidied unit: seconds, bytes, allocations) that counts. */
  floor?: number;
}

export interface GateOverride {
  /** Regular expression matched (unanchored) against the full benchmark name. */
  match: string;
  /** Optional regular expression matched against the package path. */
  package?: string;
  /** Per unit: thresholds merged over the defaults, or null to switch the unit off. */
  thresholds: Record<string, UnitThresholds | null>;
}

export type MissingPolicy = "ignore" | "warn" | "fail";

export interface GatePolicy {
  /** Tidied unit → thresholds. Units not listed are reported but never gated. */
  thresholds: Record<string, UnitThresholds>;
  overrides: GateOverride[];
  onMissing: MissingPolicy;
  /** 0 → more than 0 allocs/op fails regardless of percentages (default true). */
  zeroAllocationsStayZero: boolean;
}

export function defaultGatePolicy(): GatePolicy {
  return {
    thresholds: {
      "allocs/op": { warnPercent: 10, failPercent: 30, floor: 1 },
      "B/op": { warnPercent: 15, failPercent: 50, floor: 64 },
    },
    overrides: [],
    onMissing: "warn",
    zeroAllocationsStayZero: true,
  };
}

export interface GatedRow extends BenchRow {
  status: GateStatus;
  /** Thresholds applied to this row (after overrides), when its unit is gated. */
  thresholds?: UnitThresholds;
  /** How much worse (percent, positive = worse) in the unit's "better" direction. */
  worsePercent: number;
  /** How much worse in the unit (positive = worse). */
  worseAbsolute: number;
  /** worse / better / same (not significant or unchanged). */
  change: "worse" | "better" | "same";
  /** One line saying why the row failed or warned. */
  reason?: string;
}

export interface GateNote {
  level: "fail" | "warn" | "info";
  message: string;
}

export interface GateReport {
  status: GateStatus;
  alpha: number;
  confidence: number;
  rows: GatedRow[];
  unmatched: BenchUnmatched[];
  geomeans: BenchComparison["geomeans"];
  notes: GateNote[];
  counts: { rows: number; gated: number; failed: number; warned: number; improved: number; worse: number };
  policy: GatePolicy;
}

function compileRegex(source: string, what: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new UsageError(`${what}: invalid regular expression "${source}": ${(error as Error).message}`);
  }
}

/** Thresholds for one row: the unit's defaults with every matching override applied in order. */
export function thresholdsFor(
  policy: GatePolicy,
  row: Pick<BenchRow, "name" | "package" | "unit">,
): UnitThresholds | undefined {
  let current: UnitThresholds | undefined = policy.thresholds[row.unit]
    ? { ...policy.thresholds[row.unit] }
    : undefined;
  for (const override of policy.overrides) {
    if (!compileRegex(override.match, "override match").test(row.name)) continue;
    if (
      override.package !== undefined &&
      !compileRegex(override.package, "override package").test(row.package)
    ) {
      continue;
    }
    if (!(row.unit in override.thresholds)) continue;
    const value = override.thresholds[row.unit];
    current = value === null ? undefined : { ...current, ...definedOnly(value) };
  }
  return current;
}

function definedOnly(t: UnitThresholds | undefined): UnitThresholds {
  const out: UnitThresholds = {};
  if (t?.warnPercent !== undefined) out.warnPercent = t.warnPercent;
  if (t?.failPercent !== undefined) out.failPercent = t.failPercent;
  if (t?.floor !== undefined) out.floor = t.floor;
  return out;
}

/** A benchmark value in heapscope's units: "1.23 µs/op", "1.5 KiB/op", "3 allocs/op". */
function formatValue(value: number, unit: string): string {
  if (unit === "sec/op" || unit.startsWith("sec/")) return `${formatDuration(value)}/${unit.slice(4)}`;
  if (unit.startsWith("B/")) return `${formatBytes(value)}/${unit.slice(2)}`;
  return `${formatNumber(value)} ${unit}`;
}

function formatPercent(percent: number): string {
  if (percent === Infinity) return "+∞%";
  if (percent === -Infinity) return "-∞%";
  return `${percent >= 0 ? "+" : ""}${percent.toFixed(2)}%`;
}

function gateRow(row: BenchRow, policy: GatePolicy): GatedRow {
  // Unknown direction: an increase counts as worse (most custom metrics are costs).
  const sign = row.better === 1 ? -1 : 1;
  const worsePercent = sign * row.deltaPercent;
  const worseAbsolute = sign * row.deltaAbsolute;
  const change: GatedRow["change"] =
    !row.significant || row.deltaAbsolute === 0 ? "same" : worseAbsolute > 0 ? "worse" : "better";
  const thresholds = thresholdsFor(policy, row);
  const gated: GatedRow = { ...row, status: "ok", worsePercent, worseAbsolute, change };
  if (!thresholds) return gated;
  gated.thresholds = thresholds;
  if (change !== "worse") return gated;
  const movement = `${formatValue(row.base.center, row.unit)} → ${formatValue(row.new.center, row.unit)} (${formatPercent(row.deltaPercent)})`;
  if (
    policy.zeroAllocationsStayZero &&
    row.unit === "allocs/op" &&
    row.base.center === 0 &&
    row.new.center > 0
  ) {
    gated.status = "fail";
    gated.reason = `zero-allocation benchmark now allocates: ${movement}`;
    return gated;
  }
  const floor = thresholds.floor ?? 0;
  const pastFloor = worseAbsolute >= floor;
  if (thresholds.failPercent !== undefined && worsePercent >= thresholds.failPercent && pastFloor) {
    gated.status = "fail";
    gated.reason = `${movement}, past the ${thresholds.failPercent}% fail threshold${floor > 0 ? ` and the ${formatValue(floor, row.unit)} floor` : ""}`;
  } else if (thresholds.warnPercent !== undefined && worsePercent >= thresholds.warnPercent && pastFloor) {
    gated.status = "warn";
    gated.reason = `${movement}, past the ${thresholds.warnPercent}% warn threshold${floor > 0 ? ` and the ${formatValue(floor, row.unit)} floor` : ""}`;
  }
  return gated;
}

function worst(a: GateStatus, b: GateStatus): GateStatus {
  const rank = { ok: 0, warn: 1, fail: 2 } as const;
  return rank[a] >= rank[b] ? a : b;
}

/** Applies the policy to a comparison. */
export function evaluateGate(
  comparison: BenchComparison,
  policy: GatePolicy = defaultGatePolicy(),
): GateReport {
  for (const override of policy.overrides) {
    compileRegex(override.match, "override match");
    if (override.package !== undefined) compileRegex(override.package, "override package");
  }
  const rows = comparison.rows.map((row) => gateRow(row, policy));
  const notes: GateNote[] = [];
  let status: GateStatus = "ok";
  for (const row of rows) status = worst(status, row.status);

  // Blind spots: a gated metric that could not have shown a change.
  const blind = rows.filter(
    (r) =>
      r.thresholds &&
      r.method === "u-test" &&
      !r.significant &&
      r.warnings.some((w) => w.startsWith("need >=")),
  );
  if (blind.length > 0) {
    const sizes = [...new Set(blind.map((r) => Math.max(r.base.n, r.new.n)))].sort((a, b) => a - b);
    notes.push({
      level: "warn",
      message: `${blind.length} gated comparison${blind.length === 1 ? "" : "s"} had too few samples to detect a change (n = ${sizes.join(", ")}; the U test needs n >= 4 at alpha ${comparison.alpha}); run with -count 10`,
    });
  }
  const noInterval = rows.filter((r) => r.method === "u-test" && (r.base.n < 6 || r.new.n < 6));
  if (noInterval.length > 0) {
    notes.push({
      level: "info",
      message: `${noInterval.length} comparison${noInterval.length === 1 ? "" : "s"} had fewer than 6 samples, too few for a ${comparison.confidence * 100}% confidence interval (shown as ±∞)`,
    });
  }
  if (comparison.unmatched.length > 0 && policy.onMissing !== "ignore") {
    const onlyBase = comparison.unmatched.filter((u) => u.side === "base").length;
    const onlyNew = comparison.unmatched.length - onlyBase;
    const parts: string[] = [];
    if (onlyBase > 0) parts.push(`${onlyBase} only in base (removed or renamed?)`);
    if (onlyNew > 0) parts.push(`${onlyNew} only in new`);
    notes.push({
      level: policy.onMissing === "fail" ? "fail" : "warn",
      message: `benchmarks missing on one side: ${parts.join(", ")}`,
    });
  }
  for (const warning of comparison.warnings) notes.push({ level: "warn", message: warning });
  if (rows.length === 0) {
    // A gate that compared nothing must not pass quietly (e.g. every cpu: line differs).
    notes.push({
      level: "fail",
      message: `no benchmark was present in both inputs, so nothing was compared${comparison.unmatched.some((u) => u.hint) ? " (see the hints: --ignore-config pairs across configurations)" : ""}`,
    });
  }
  for (const note of notes) if (note.level !== "info") status = worst(status, note.level);

  return {
    status,
    alpha: comparison.alpha,
    confidence: comparison.confidence,
    rows,
    unmatched: comparison.unmatched,
    geomeans: comparison.geomeans,
    notes,
    counts: {
      rows: rows.length,
      gated: rows.filter((r) => r.thresholds).length,
      failed: rows.filter((r) => r.status === "fail").length,
      warned: rows.filter((r) => r.status === "warn").length,
      improved: rows.filter((r) => r.change === "better").length,
      worse: rows.filter((r) => r.change === "worse").length,
    },
    policy,
  };
}

/** 0 pass (warnings included), 1 fail. */
export function gateExitCode(report: GateReport): number {
  return report.status === "fail" ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Policy from flags and configuration files

/** "10", "10%", "+10 %" → 10. */
export function parsePercent(text: string | number, what: string): number {
  if (typeof text === "number") {
    if (!Number.isFinite(text) || text < 0)
      throw new UsageError(`${what}: expected a percentage >= 0, not ${text}`);
    return text;
  }
  const match = /^\s*\+?(\d+(?:\.\d+)?|\.\d+)\s*%?\s*$/.exec(text);
  if (!match) throw new UsageError(`${what}: expected a percentage such as 10 or 10%, not "${text}"`);
  return Number(match[1]);
}

const TIME_SUFFIXES: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1 };

/**
 * An absolute floor in the unit's tidied scale: "64" or "1KiB" for B/op, "5ns" or "0.2µs" for
 * sec/op (a bare number is nanoseconds there, as go test prints ns/op), plain numbers elsewhere.
 */
export function parseFloor(text: string | number, unit: string, what: string): number {
  const isTime = unit === "sec/op";
  if (typeof text === "number") {
    if (!Number.isFinite(text) || text < 0)
      throw new UsageError(`${what}: expected a number >= 0, not ${text}`);
    return isTime ? text * 1e-9 : text;
  }
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Zµ]*)\s*$/.exec(text);
  if (!match) throw new UsageError(`${what}: expected a number with an optional unit, not "${text}"`);
  const value = Number(match[1]);
  const suffix = match[2]!.toLowerCase();
  if (suffix === "") return isTime ? value * 1e-9 : value;
  if (!isTime && unitIsBytes(unit)) {
    // Sizes as every size flag reads them (formats/byte-size.ts): KiB binary, KB decimal.
    const bytes = parseByteSize(`${match[1]!.startsWith(".") ? "0" : ""}${match[1]}${match[2]}`);
    if (bytes === null) throw new UsageError(`${what}: unknown unit "${match[2]}" for ${unit}`);
    return bytes;
  }
  const factor = isTime ? TIME_SUFFIXES[suffix] : undefined;
  if (factor === undefined) throw new UsageError(`${what}: unknown unit "${match[2]}" for ${unit}`);
  return value * factor;
}

function unitIsBytes(unit: string): boolean {
  return unit === "B/op" || unit.startsWith("B/");
}

/** "ns/op" → "sec/op" and the factor that converts a floor given in the original unit. */
export function canonicalUnit(unit: string): string {
  const aliases: Record<string, string> = {
    time: "sec/op",
    "time/op": "sec/op",
    allocs: "allocs/op",
    bytes: "B/op",
  };
  return tidyUnitName(aliases[unit] ?? unit)[0];
}

/** Parses one unit's thresholds from a configuration object or the string "off". */
export function parseUnitThresholds(value: unknown, unit: string, where: string): UnitThresholds | null {
  if (value === "off" || value === null || value === false) return null;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(`${where}: expected {"warn", "fail", "floor"} or "off"`);
  }
  const object = value as Record<string, unknown>;
  const out: UnitThresholds = {};
  for (const key of Object.keys(object)) {
    if (!["warn", "fail", "floor"].includes(key)) throw new UsageError(`${where}: unknown key "${key}"`);
  }
  const asInput = (v: unknown, key: string) => {
    if (typeof v !== "number" && typeof v !== "string")
      throw new UsageError(`${where}.${key}: expected a number or string`);
    return v;
  };
  if (object.warn !== undefined && object.warn !== "off")
    out.warnPercent = parsePercent(asInput(object.warn, "warn"), `${where}.warn`);
  if (object.fail !== undefined && object.fail !== "off")
    out.failPercent = parsePercent(asInput(object.fail, "fail"), `${where}.fail`);
  if (object.floor !== undefined)
    out.floor = parseFloor(asInput(object.floor, "floor"), unit, `${where}.floor`);
  return out;
}

export interface BenchConfigFile {
  alpha?: number;
  ignoreConfig?: boolean;
  onMissing?: MissingPolicy;
  policy: GatePolicy;
}

/**
 * Validates the `bench` section of a configuration file (`.heapscope.json`):
 * `{ "bench": { "alpha", "ignoreConfig", "onMissing", "zeroAllocations",
 *   "thresholds": { "<unit>": {"warn", "fail", "floor"} | "off" },
 *   "overrides": [{ "match": "<regex>", "package": "<regex>", "thresholds": {…} }] } }`.
 */
export function policyFromConfig(
  json: unknown,
  source: string,
  base: GatePolicy = defaultGatePolicy(),
): BenchConfigFile {
  const policy: GatePolicy = {
    ...base,
    thresholds: { ...base.thresholds },
    overrides: [...base.overrides],
  };
  const out: BenchConfigFile = { policy };
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new UsageError(`${source}: expected a JSON object`);
  }
  const bench = (json as Record<string, unknown>).bench;
  if (bench === undefined) return out;
  if (typeof bench !== "object" || bench === null || Array.isArray(bench)) {
    throw new UsageError(`${source}: "bench" must be an object`);
  }
  const section = bench as Record<string, unknown>;
  const known = ["alpha", "ignoreConfig", "onMissing", "zeroAllocations", "thresholds", "overrides"];
  for (const key of Object.keys(section)) {
    if (!known.includes(key))
      throw new UsageError(`${source}: bench.${key} is not a known setting (${known.join(", ")})`);
  }
  if (section.alpha !== undefined) {
    if (typeof section.alpha !== "number" || !(section.alpha > 0 && section.alpha < 1)) {
      throw new UsageError(`${source}: bench.alpha must be a number between 0 and 1`);
    }
    out.alpha = section.alpha;
  }
  if (section.ignoreConfig !== undefined) {
    if (typeof section.ignoreConfig !== "boolean")
      throw new UsageError(`${source}: bench.ignoreConfig must be true or false`);
    out.ignoreConfig = section.ignoreConfig;
  }
  if (section.onMissing !== undefined) {
    if (!["ignore", "warn", "fail"].includes(section.onMissing as string)) {
      throw new UsageError(`${source}: bench.onMissing must be "ignore", "warn" or "fail"`);
    }
    policy.onMissing = section.onMissing as MissingPolicy;
  }
  if (section.zeroAllocations !== undefined) {
    if (typeof section.zeroAllocations !== "boolean")
      throw new UsageError(`${source}: bench.zeroAllocations must be true or false`);
    policy.zeroAllocationsStayZero = section.zeroAllocations;
  }
  if (section.thresholds !== undefined) {
    if (
      typeof section.thresholds !== "object" ||
      section.thresholds === null ||
      Array.isArray(section.thresholds)
    ) {
      throw new UsageError(`${source}: bench.thresholds must be an object keyed by unit`);
    }
    for (const [rawUnit, value] of Object.entries(section.thresholds)) {
      const unit = canonicalUnit(rawUnit);
      const parsed = parseUnitThresholds(value, unit, `${source}: bench.thresholds["${rawUnit}"]`);
      if (parsed === null) delete policy.thresholds[unit];
      else policy.thresholds[unit] = { ...policy.thresholds[unit], ...parsed };
    }
  }
  if (section.overrides !== undefined) {
    if (!Array.isArray(section.overrides)) throw new UsageError(`${source}: bench.overrides must be a list`);
    section.overrides.forEach((entry, index) => {
      const where = `${source}: bench.overrides[${index}]`;
      if (typeof entry !== "object" || entry === null) throw new UsageError(`${where}: expected an object`);
      const o = entry as Record<string, unknown>;
      if (typeof o.match !== "string")
        throw new UsageError(`${where}.match: expected a regular expression string`);
      compileRegex(o.match, `${where}.match`);
      if (o.package !== undefined && typeof o.package !== "string") {
        throw new UsageError(`${where}.package: expected a regular expression string`);
      }
      if (typeof o.package === "string") compileRegex(o.package, `${where}.package`);
      if (typeof o.thresholds !== "object" || o.thresholds === null || Array.isArray(o.thresholds)) {
        throw new UsageError(`${where}.thresholds: expected an object keyed by unit`);
      }
      const thresholds: Record<string, UnitThresholds | null> = {};
      for (const [rawUnit, value] of Object.entries(o.thresholds)) {
        const unit = canonicalUnit(rawUnit);
        thresholds[unit] = parseUnitThresholds(value, unit, `${where}.thresholds["${rawUnit}"]`);
      }
      policy.overrides.push({ match: o.match, package: o.package as string | undefined, thresholds });
    });
  }
  return out;
}
