/**
 * Pairs the benchmarks of two runs (base and new) and compares every metric as benchstat v2 does:
 * medians with order-statistic intervals and the Mann–Whitney U test, or — for allocs/op and B/op
 * when each side is constant, and for units declared `assume=exact` — an exact comparison in which
 * every difference counts (benchstat with `Unit allocs/op assume=exact`).
 *
 * Rows are keyed by (package, full name) within one configuration (goos, goarch, cpu, …).
 * With `ignoreConfig`, the configuration and the -N GOMAXPROCS suffix are left out of the key, so
 * runs from different machines or -cpu settings pair up.
 *
 * Pure: parsed files in, comparison out.
 */

import {
  betterDirection,
  declaredAssumption,
  type GoBenchFile,
  splitGomaxprocs,
  type UnitMetadata,
} from "../formats/go-bench.js";
import {
  type Assumption,
  compareExact,
  compareMedians,
  DEFAULT_ALPHA,
  DEFAULT_CONFIDENCE,
  geomean,
  isSignificant,
  type SampleComparison,
  type SampleSummary,
  summarizeExact,
  summarizeMedian,
} from "./benchmath.js";

export interface BenchCompareOptions {
  alpha?: number;
  confidence?: number;
  /** Pair benchmarks across differing configuration (cpu, goos, …) and GOMAXPROCS suffixes. */
  ignoreConfig?: boolean;
  /** Units compared exactly when each side is constant (default allocs/op and B/op). */
  exactWhenConstant?: readonly string[];
}

export interface BenchSideSummary {
  /** Median (U-test rows) or the constant value (exact rows). */
  center: number;
  n: number;
  lo: number;
  hi: number;
  /** Actual confidence of [lo, hi]. */
  confidence: number;
  values: number[];
  warnings: string[];
}

export interface BenchRow {
  package: string;
  /** Full benchmark name, e.g. "BenchmarkEncode/size=8-8" (no -N suffix with ignoreConfig). */
  name: string;
  unit: string;
  /** Configuration shown for the row's table (excluding pkg), e.g. "goos=linux goarch=amd64 cpu=…". */
  config: Record<string, string>;
  /** -1 lower is better, +1 higher is better, 0 unknown. */
  better: -1 | 0 | 1;
  method: "exact" | "u-test";
  base: BenchSideSummary;
  new: BenchSideSummary;
  p: number;
  alpha: number;
  significant: boolean;
  /** (new / base − 1) · 100; +Infinity when base is 0 and new is not; 0 when equal. */
  deltaPercent: number;
  /** new − base, in the unit. */
  deltaAbsolute: number;
  /** Comparison warnings (too few samples, all equal, values vary in …). */
  warnings: string[];
}

export interface BenchKey {
  package: string;
  name: string;
  config: Record<string, string>;
}

export interface BenchUnmatched extends BenchKey {
  side: "base" | "new";
  /** Why it did not pair, when a near match exists on the other side. */
  hint?: string;
}

export interface BenchGeomean {
  package: string;
  config: Record<string, string>;
  unit: string;
  rows: number;
  base?: number;
  new?: number;
  /** Geomean of new/base ratios over paired rows (0/0 counts as 1). */
  ratio?: number;
  warnings: string[];
}

export interface BenchComparison {
  alpha: number;
  confidence: number;
  ignoreConfig: boolean;
  rows: BenchRow[];
  geomeans: BenchGeomean[];
  unmatched: BenchUnmatched[];
  /** Whole-run notes: configuration differences, parse issues. */
  warnings: string[];
}

interface Group {
  key: string;
  package: string;
  name: string;
  config: Record<string, string>;
  /** unit → values, in first-seen unit order. */
  values: Map<string, number[]>;
  /** Distinct configurations merged into this group (several only with ignoreConfig), by signature. */
  variants: Map<string, Record<string, string>>;
  procs: Set<string>;
  order: number;
}

const DEFAULT_EXACT_UNITS = ["allocs/op", "B/op"];

function configWithoutPkg(config: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (k !== "pkg") out[k] = v;
  return out;
}

function configSignature(config: Record<string, string>): string {
  return Object.entries(config)
    .map(([k, v]) => `${k}=${v}`)
    .join("\u0001");
}

function groupResults(file: GoBenchFile, ignoreConfig: boolean): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const result of file.results) {
    const pkg = result.config.pkg ?? "";
    const config = configWithoutPkg(result.config);
    const [stripped, procs] = splitGomaxprocs(result.name);
    const name = ignoreConfig ? stripped : result.name;
    const key = ignoreConfig ? `${pkg}\u0000${name}` : `${pkg}\u0000${configSignature(config)}\u0000${name}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        key,
        package: pkg,
        name,
        config,
        values: new Map(),
        variants: new Map(),
        procs: new Set(),
        order: groups.size,
      };
      groups.set(key, group);
    }
    group.variants.set(configSignature(config), config);
    group.procs.add(procs === undefined ? "" : String(procs));
    for (const m of result.measurements) {
      let list = group.values.get(m.unit);
      if (!list) {
        list = [];
        group.values.set(m.unit, list);
      }
      list.push(m.value);
    }
  }
  return groups;
}

function isConstant(values: readonly number[]): boolean {
  return values.every((v) => v === values[0]);
}

function side(values: number[], summary: SampleSummary): BenchSideSummary {
  return {
    center: summary.center,
    n: values.length,
    lo: summary.lo,
    hi: summary.hi,
    confidence: summary.confidence,
    values: [...values],
    warnings: summary.warnings,
  };
}

function mergedUnits(base: GoBenchFile, next: GoBenchFile): Map<string, UnitMetadata> {
  const units = new Map(base.units);
  for (const [k, v] of next.units) if (!units.has(k)) units.set(k, v);
  return units;
}

/** Compares one metric of one benchmark. */
export function compareSamples(
  baseValues: number[],
  newValues: number[],
  options: { alpha?: number; confidence?: number; assumption?: Assumption; exactWhenConstant?: boolean } = {},
): Pick<
  BenchRow,
  "method" | "base" | "new" | "p" | "alpha" | "significant" | "deltaPercent" | "deltaAbsolute" | "warnings"
> {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  const exact =
    options.assumption === "exact" ||
    (options.exactWhenConstant === true && isConstant(baseValues) && isConstant(newValues));
  let baseSummary: SampleSummary;
  let newSummary: SampleSummary;
  let comparison: SampleComparison;
  if (exact) {
    baseSummary = summarizeExact(baseValues);
    newSummary = summarizeExact(newValues);
    comparison = compareExact(baseValues, newValues);
  } else {
    baseSummary = summarizeMedian(baseValues, confidence);
    newSummary = summarizeMedian(newValues, confidence);
    comparison = compareMedians(baseValues, newValues, alpha);
  }
  const b = baseSummary.center;
  const n = newSummary.center;
  const deltaPercent = b === n ? 0 : b === 0 ? (n > 0 ? Infinity : -Infinity) : (n / b - 1) * 100;
  return {
    method: exact ? "exact" : "u-test",
    base: side(baseValues, baseSummary),
    new: side(newValues, newSummary),
    p: comparison.p,
    alpha: comparison.alpha,
    // An exact comparison makes every difference real; an unchanged value is no change.
    significant: exact ? b !== n : isSignificant(comparison),
    deltaPercent,
    deltaAbsolute: n - b,
    warnings: comparison.warnings,
  };
}

function describeConfig(config: Record<string, string>): string {
  return Object.entries(config)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
}

function diffConfig(a: Record<string, string>, b: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const key of keys) {
    if (a[key] !== b[key]) out.push(`${key}: "${a[key] ?? ""}" vs "${b[key] ?? ""}"`);
  }
  return out;
}

/** Compares two parsed runs. */
export function compareBenchmarks(
  base: GoBenchFile,
  next: GoBenchFile,
  options: BenchCompareOptions = {},
): BenchComparison {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  const ignoreConfig = options.ignoreConfig ?? false;
  const baseGroups = groupResults(base, ignoreConfig);
  const newGroups = groupResults(next, ignoreConfig);
  const rows = comparePairs(baseGroups, newGroups, {
    alpha,
    confidence,
    ignoreConfig,
    exactUnits: new Set(options.exactWhenConstant ?? DEFAULT_EXACT_UNITS),
    units: mergedUnits(base, next),
  });
  const warnings: string[] = [];
  const unmatched = unpairedBenchmarks(baseGroups, newGroups, warnings);
  if (ignoreConfig) {
    const warning = crossConfigurationWarning(baseGroups, newGroups);
    if (warning) warnings.push(warning);
  }
  warnings.push(...malformedLineWarnings(base, next));
  return {
    alpha,
    confidence,
    ignoreConfig,
    rows,
    geomeans: computeGeomeans(rows, baseGroups, newGroups),
    unmatched,
    warnings,
  };
}

interface PairSettings {
  alpha: number;
  confidence: number;
  ignoreConfig: boolean;
  /** Units compared exactly when both sides are constant. */
  exactUnits: Set<string>;
  units: Map<string, UnitMetadata>;
}

/** One row per metric of each benchmark present on both sides. */
function comparePairs(
  baseGroups: Map<string, Group>,
  newGroups: Map<string, Group>,
  settings: PairSettings,
): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const [key, b] of baseGroups) {
    const n = newGroups.get(key);
    if (!n) continue;
    const varying: string[] = [];
    if (settings.ignoreConfig) {
      const variants = new Set([...b.variants.keys(), ...n.variants.keys()]);
      if (variants.size > 1) varying.push("configuration");
      const procs = new Set([...b.procs, ...n.procs]);
      if (procs.size > 1) varying.push("GOMAXPROCS");
    }
    const unitOrder = [...b.values.keys(), ...[...n.values.keys()].filter((u) => !b.values.has(u))];
    for (const unit of unitOrder) {
      const baseValues = b.values.get(unit);
      const newValues = n.values.get(unit);
      if (!baseValues || !newValues) continue;
      const compared = compareSamples(baseValues, newValues, {
        alpha: settings.alpha,
        confidence: settings.confidence,
        assumption: declaredAssumption(unit, settings.units),
        exactWhenConstant: settings.exactUnits.has(unit),
      });
      if (varying.length > 0) compared.warnings.push(`benchmarks vary in ${varying.join(", ")}`);
      rows.push({
        package: b.package,
        name: b.name,
        unit,
        config: b.config,
        better: betterDirection(unit, settings.units),
        ...compared,
      });
    }
  }
  return rows;
}

/**
 * Benchmarks on one side only, with the reason when the other side has a near match (a different
 * GOMAXPROCS suffix or configuration); each distinct reason also becomes a warning.
 */
function unpairedBenchmarks(
  baseGroups: Map<string, Group>,
  newGroups: Map<string, Group>,
  warnings: string[],
): BenchUnmatched[] {
  const unmatched: BenchUnmatched[] = [];
  const stripKey = (g: Group) => `${g.package}\u0000${splitGomaxprocs(g.name)[0]}`;
  const nearBase = new Map<string, Group[]>();
  const nearNew = new Map<string, Group[]>();
  for (const g of baseGroups.values()) nearBase.set(stripKey(g), [...(nearBase.get(stripKey(g)) ?? []), g]);
  for (const g of newGroups.values()) nearNew.set(stripKey(g), [...(nearNew.get(stripKey(g)) ?? []), g]);
  const configNotes = new Set<string>();
  const explain = (g: Group, other: Group[] | undefined): string | undefined => {
    const candidate = other?.[0];
    if (!candidate) return undefined;
    const reasons: string[] = [];
    if (candidate.name !== g.name) reasons.push(`GOMAXPROCS differs (${g.name} vs ${candidate.name})`);
    const configDiff = diffConfig(g.config, candidate.config);
    if (configDiff.length > 0) reasons.push(`configuration differs (${configDiff.join(", ")})`);
    if (reasons.length === 0) return undefined;
    configNotes.add(reasons.join("; "));
    return `${reasons.join("; ")}; --ignore-config pairs them`;
  };
  for (const [key, g] of baseGroups) {
    if (newGroups.has(key)) continue;
    unmatched.push({
      side: "base",
      package: g.package,
      name: g.name,
      config: g.config,
      hint: explain(g, nearNew.get(stripKey(g))),
    });
  }
  for (const [key, g] of newGroups) {
    if (baseGroups.has(key)) continue;
    unmatched.push({
      side: "new",
      package: g.package,
      name: g.name,
      config: g.config,
      hint: explain(g, nearBase.get(stripKey(g))),
    });
  }
  for (const note of configNotes) warnings.push(`benchmarks did not pair: ${note}; use --ignore-config`);
  return unmatched;
}

/** With --ignore-config: what was paired across, so a cross-machine comparison is never silent. */
function crossConfigurationWarning(
  baseGroups: Map<string, Group>,
  newGroups: Map<string, Group>,
): string | undefined {
  const configsOf = (groups: Map<string, Group>) => {
    const all = new Map<string, Record<string, string>>();
    for (const g of groups.values()) for (const [signature, config] of g.variants) all.set(signature, config);
    return all;
  };
  const baseConfigs = configsOf(baseGroups);
  const newConfigs = configsOf(newGroups);
  const same =
    baseConfigs.size === newConfigs.size && [...baseConfigs.keys()].every((c) => newConfigs.has(c));
  if (same) return undefined;
  const first = (configs: Map<string, Record<string, string>>) =>
    describeConfig([...configs.values()][0] ?? {});
  return `comparing across configurations: base ${first(baseConfigs)}; new ${first(newConfigs)}`;
}

/** The first malformed lines of each input, and how many more there were. */
function malformedLineWarnings(base: GoBenchFile, next: GoBenchFile): string[] {
  const warnings: string[] = [];
  for (const [label, file] of [
    ["base", base],
    ["new", next],
  ] as const) {
    for (const issue of file.issues.slice(0, 5)) warnings.push(`${label}:${issue.line}: ${issue.message}`);
    if (file.issues.length > 5) warnings.push(`${label}: ${file.issues.length - 5} more malformed lines`);
  }
  return warnings;
}

/** Geomean per (package, configuration, unit) table, as benchstat's summary row. */
function computeGeomeans(
  rows: BenchRow[],
  baseGroups: Map<string, Group>,
  newGroups: Map<string, Group>,
): BenchGeomean[] {
  const tables = new Map<
    string,
    BenchGeomean & {
      baseCenters: number[];
      newCenters: number[];
      ratios: number[];
      badRatios: number;
      nBase: number;
    }
  >();
  const tableKey = (pkg: string, config: Record<string, string>, unit: string) =>
    `${pkg}\u0000${configSignature(config)}\u0000${unit}`;
  const ensure = (pkg: string, config: Record<string, string>, unit: string) => {
    const key = tableKey(pkg, config, unit);
    let table = tables.get(key);
    if (!table) {
      table = {
        package: pkg,
        config,
        unit,
        rows: 0,
        warnings: [],
        baseCenters: [],
        newCenters: [],
        ratios: [],
        badRatios: 0,
        nBase: 0,
      };
      tables.set(key, table);
    }
    return table;
  };
  const pairedKeys = new Set<string>();
  for (const row of rows) {
    const table = ensure(row.package, row.config, row.unit);
    table.rows++;
    table.nBase++;
    table.baseCenters.push(row.base.center);
    table.newCenters.push(row.new.center);
    pairedKeys.add(`${row.package}\u0000${row.name}\u0000${row.unit}`);
    if (row.base.center === row.new.center) table.ratios.push(1);
    else if (row.base.center === 0) table.badRatios++;
    else table.ratios.push(row.new.center / row.base.center);
  }
  // Unpaired benchmarks still count in their column's geomean (benchstat does the same).
  for (const [groups, isBase] of [
    [baseGroups, true],
    [newGroups, false],
  ] as const) {
    for (const g of groups.values()) {
      for (const [unit, values] of g.values) {
        if (pairedKeys.has(`${g.package}\u0000${g.name}\u0000${unit}`)) continue;
        const key = tableKey(g.package, g.config, unit);
        const table = tables.get(key);
        if (!table) continue;
        table.rows++;
        const center = summarizeMedian(values).center;
        if (isBase) {
          table.baseCenters.push(center);
          table.nBase++;
        } else {
          table.newCenters.push(center);
        }
      }
    }
  }
  const out: BenchGeomean[] = [];
  for (const table of tables.values()) {
    if (table.rows < 2) continue;
    const result: BenchGeomean = {
      package: table.package,
      config: table.config,
      unit: table.unit,
      rows: table.rows,
      warnings: [],
    };
    const baseGm = geomean(table.baseCenters);
    const newGm = geomean(table.newCenters);
    if (Number.isNaN(baseGm) || Number.isNaN(newGm))
      result.warnings.push("summaries must be >0 to compute geomean");
    if (!Number.isNaN(baseGm)) result.base = baseGm;
    if (!Number.isNaN(newGm)) result.new = newGm;
    if (table.nBase !== table.ratios.length + table.badRatios) {
      result.warnings.push("benchmark set differs from baseline; geomeans may not be comparable");
    }
    if (table.badRatios === 0) {
      const ratio = geomean(table.ratios);
      if (Number.isNaN(ratio)) result.warnings.push("ratios must be >0 to compute geomean");
      else result.ratio = ratio;
    }
    out.push(result);
  }
  return out;
}
