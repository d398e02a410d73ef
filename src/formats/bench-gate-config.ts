/**
 * The gate policy from flag values and `.heapscope.json`: percentages, floors in a unit's scale, and the
 * configuration file's shape, validated with messages that name the field.
 */
import { UsageError } from "../errors.js";
import {
  defaultGatePolicy,
  type GatePolicy,
  type MissingPolicy,
  type UnitThresholds,
} from "../model/bench-gate-policy.js";
import { parseByteSize } from "./byte-size.js";
import { tidyUnitName } from "./go-bench.js";

function checkRegex(source: string, what: string): void {
  try {
    new RegExp(source);
  } catch (error) {
    throw new UsageError(`${what}: invalid regular expression "${source}": ${(error as Error).message}`);
  }
}

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
      checkRegex(o.match, `${where}.match`);
      if (o.package !== undefined && typeof o.package !== "string") {
        throw new UsageError(`${where}.package: expected a regular expression string`);
      }
      if (typeof o.package === "string") checkRegex(o.package, `${where}.package`);
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
