/**
 * From profiles to a report-ready profile, step by step as `go tool pprof` does it:
 *
 * 1. combineSources (driver/fetch.go): merge the sources, merge the bases, then subtract the bases
 *    (`--base`) or mark and subtract them (`--diff-base`, whose samples carry pprof::base=true and
 *    give the total), optionally normalizing first.
 * 2. prepareReport (driver/driver.go generateRawReport): per-report option overrides, sample value
 *    selection, the total (computed before any filter, so percentages stay relative to the whole
 *    profile), then focus/ignore/hide/show/show_from/tagfocus/tagignore/prune_from, then
 *    granularity for the reports that print profile entities.
 */
import { UsageError } from "../errors.js";
import {
  type AggregationFields,
  aggregateProfile,
  aggregationFields,
  type Granularity,
} from "./aggregate.js";
import { columnsFromProfile, type SampleColumns } from "./columns.js";
import {
  compileTagFilter,
  filterSamplesByName,
  filterSamplesByTag,
  numLabelUnits,
  pruneFrom,
  requireRegexp,
  showFrom,
} from "./filter.js";
import { compileGoRegexp } from "./go-regexp.js";
import { combineProfiles } from "./merge.js";
import type { Mapping, Profile } from "./model.js";
import { resolveSampleIndex } from "./sample-index.js";
import { diffBaseLabel, isDiffBaseSample, normalizeProfile, scaleProfile, setLabel } from "./scale.js";

export interface CombineOptions {
  /** The bases are a `--diff-base` (marked, and the total comes from them) rather than `--base`. */
  diffBase?: boolean;
  /** Scale the sources so each sample type sums to the base's total before subtracting. */
  normalize?: boolean;
}

/** pprof merges at most this many fetched profiles at a time. */
const mergeChunk = 128;

/** A profile without mappings gets one empty mapping, as pprof's locateBinaries adds. */
export function ensureMapping(profile: Profile): Profile {
  if (profile.mappings.length > 0) return profile;
  const mapping: Mapping = {
    id: 1,
    start: 0n,
    limit: 0n,
    offset: 0n,
    file: "",
    buildId: "",
    hasFunctions: false,
    hasFilenames: false,
    hasLineNumbers: false,
    hasInlineFrames: false,
  };
  const locations = new Map(profile.locations.map((l) => [l, { ...l, mapping }]));
  return {
    ...profile,
    mappings: [mapping],
    locations: profile.locations.map((l) => locations.get(l)!),
    samples: profile.samples.map((s) => ({ ...s, locations: s.locations.map((l) => locations.get(l) ?? l) })),
  };
}

function mergeInChunks(profiles: Profile[]): Profile {
  let merged: Profile | undefined;
  for (let start = 0; start < profiles.length; start += mergeChunk) {
    const chunk = combineProfiles(profiles.slice(start, start + mergeChunk));
    merged = merged ? combineProfiles([merged, chunk]) : chunk;
  }
  return merged!;
}

/** A mapping whose file is a URL (and which has no build ID) loses the file name, as in pprof. */
export function unsourceMappings(profile: Profile): Profile {
  const isUrl = (file: string) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(file);
  if (!profile.mappings.some((m) => m.buildId === "" && isUrl(m.file))) return profile;
  const replaced = new Map<Mapping, Mapping>();
  for (const m of profile.mappings)
    if (m.buildId === "" && isUrl(m.file)) replaced.set(m, { ...m, file: "" });
  const locations = new Map(
    profile.locations.map((l) => [
      l,
      l.mapping && replaced.has(l.mapping) ? { ...l, mapping: replaced.get(l.mapping) } : l,
    ]),
  );
  return {
    ...profile,
    mappings: profile.mappings.map((m) => replaced.get(m) ?? m),
    locations: profile.locations.map((l) => locations.get(l)!),
    samples: profile.samples.map((s) => ({ ...s, locations: s.locations.map((l) => locations.get(l) ?? l) })),
  };
}

/**
 * Combines source profiles and optional base profiles into one profile, as pprof's fetchProfiles
 * does before any report option is applied. `dropFrames` (the profile's drop_frames/keep_frames
 * pruning) runs on the combined profile, as pprof's RemoveUninteresting does.
 */
export function combineSources(
  sources: Profile[],
  bases: Profile[] = [],
  options: CombineOptions = {},
  dropFrames: (profile: Profile) => Profile = (p) => p,
): Profile {
  if (sources.length === 0) throw new UsageError("no profile source specified");
  let profile = mergeInChunks(sources.map(ensureMapping));
  if (bases.length > 0) {
    let base = mergeInChunks(bases.map(ensureMapping));
    if (options.diffBase) base = setLabel(base, diffBaseLabel, ["true"]);
    if (options.normalize) profile = normalizeProfile(profile, base);
    base = scaleProfile(base, -1);
    profile = combineProfiles([profile, base]);
  } else if (options.normalize) {
    throw new UsageError("must have base profile to normalize by");
  }
  return unsourceMappings(dropFrames(profile));
}

export type ReportKind = "top" | "tree" | "peek" | "traces" | "tags" | "raw" | "list" | "proto";

export interface ReportOptions {
  sampleIndex?: string;
  mean?: boolean;
  focus?: string;
  ignore?: string;
  hide?: string;
  show?: string;
  showFrom?: string;
  pruneFrom?: string;
  tagFocus?: string;
  tagIgnore?: string;
  /** undefined: the report's default (top: unlimited, tree: 80). */
  nodeCount?: number;
  nodeFraction?: number;
  edgeFraction?: number;
  /** Sort by cumulative value. */
  cum?: boolean;
  granularity?: Granularity;
  noInlines?: boolean;
  /** "minimum" (default), "auto", or a unit such as "kb", "mb". */
  unit?: string;
  dropNegative?: boolean;
  trimPath?: string;
  sourcePath?: string;
  /** The regex argument of `peek` and `list`. */
  symbol?: string;
}

export interface PreparedReport {
  kind: ReportKind;
  /** The profile after filters (and, for raw/proto/traces, granularity). */
  profile: Profile;
  /** The profile's samples as columns (graph reports only: top, tree, peek, list). */
  columns: SampleColumns | undefined;
  sampleIndex: number;
  /** Index of the `--mean` divisor (always 0 in pprof), or -1. */
  meanIndex: number;
  /** The header's type, with a "mean_" prefix under `--mean`. */
  sampleType: string;
  sampleUnit: string;
  /** Sum of |values| (of the diff base when there is one), divided under `--mean`. */
  total: number;
  outputUnit: string;
  nodeCount: number;
  nodeFraction: number;
  edgeFraction: number;
  cumSort: boolean;
  dropNegative: boolean;
  /** Granularity fields for the graph; undefined keeps addresses and inlined frames. */
  fields: AggregationFields | undefined;
  activeFilters: string[];
  numLabelUnits: Map<string, string>;
  trimPath: string;
  sourcePath: string;
  symbol?: RegExp;
  /** The symbol regex as given. */
  symbolSource?: string;
  /** What pprof would print on stderr (unmatched filters and the like). */
  warnings: string[];
}

const graphKinds = new Set<ReportKind>(["top", "tree", "peek", "list"]);

/**
 * Applies report options to a combined profile (pprof's generateRawReport). `inputColumns`, when
 * given, are the input's samples as columns (for example from decodeProfileColumns, in which case
 * `input.samples` may be empty); they are only usable when no option filters samples.
 */
export function prepareReport(
  input: Profile,
  kind: ReportKind,
  options: ReportOptions = {},
  inputColumns?: SampleColumns,
): PreparedReport {
  const warnings: string[] = [];
  const { units, ignored } = numLabelUnits(input);
  for (const [key, others] of ignored) {
    warnings.push(
      `For tag ${key} used unit ${units.get(key)}, also encountered unit(s) ${others.join(", ")}`,
    );
  }
  const limits = reportLimits(kind, options);
  const sampleIndex = resolveSampleIndex(input, options.sampleIndex);
  const meanIndex = options.mean ? 0 : -1;
  const type = input.sampleTypes[sampleIndex]!;
  const symbol = compileSymbol(kind, options.symbol);
  const total = inputColumns
    ? computeColumnsTotal(inputColumns, sampleIndex, meanIndex)
    : computeTotal(input, sampleIndex, meanIndex);
  const filters = compileFilters(options, units, warnings);
  const filtered = applyFilters(input, filters, warnings);
  const fields = aggregationFields(limits.granularity, options.noInlines ?? false);
  const { profile, columns } = reportSamples(kind, input, filtered, inputColumns, fields);
  return {
    kind,
    profile,
    columns,
    sampleIndex,
    meanIndex,
    sampleType: options.mean ? `mean_${type.type}` : type.type,
    sampleUnit: type.unit,
    total,
    outputUnit: options.unit ?? "minimum",
    nodeCount: limits.nodeCount,
    nodeFraction: limits.nodeFraction,
    edgeFraction: limits.edgeFraction,
    cumSort: options.cum ?? false,
    dropNegative: options.dropNegative ?? false,
    fields,
    activeFilters: activeFilterList(options),
    numLabelUnits: units,
    trimPath: options.trimPath ?? "",
    sourcePath: options.sourcePath ?? "",
    symbol,
    symbolSource: options.symbol,
    warnings,
  };
}

interface ReportLimits {
  granularity: Granularity | undefined;
  nodeCount: number;
  nodeFraction: number;
  edgeFraction: number;
}

/** pprof's applyCommandOverrides: the granularity and node limits each report kind implies. */
function reportLimits(kind: ReportKind, options: ReportOptions): ReportLimits {
  let trim = true;
  let granularity = options.granularity;
  let nodeCount = options.nodeCount ?? -1;
  let nodeFraction = options.nodeFraction ?? 0.005;
  let edgeFraction = options.edgeFraction ?? 0.001;
  switch (kind) {
    case "peek":
      trim = false;
      break;
    case "list":
      trim = false;
      granularity = "lines";
      break;
    case "top":
      if (nodeCount === -1) nodeCount = 0;
      break;
    default:
      if (nodeCount === -1) nodeCount = 80;
  }
  if (kind === "raw" || kind === "proto") {
    trim = false;
    granularity = "addresses";
  }
  if (!trim) {
    nodeCount = 0;
    nodeFraction = 0;
    edgeFraction = 0;
  }
  return { granularity, nodeCount, nodeFraction, edgeFraction };
}

/** The filters in effect, as `key=value` for the report header. */
function activeFilterList(options: ReportOptions): string[] {
  const activeFilters: string[] = [];
  const addFilter = (key: string, value: string | undefined) => {
    if (value) activeFilters.push(`${key}=${value}`);
  };
  addFilter("focus", options.focus);
  addFilter("ignore", options.ignore);
  addFilter("hide", options.hide);
  addFilter("show", options.show);
  addFilter("show_from", options.showFrom);
  addFilter("tagfocus", options.tagFocus);
  addFilter("tagignore", options.tagIgnore);
  return activeFilters;
}

/** The regular expression argument of `peek` and `list` (required by them, unused by the others). */
function compileSymbol(kind: ReportKind, source: string | undefined): RegExp | undefined {
  if (kind !== "peek" && kind !== "list") return undefined;
  if (source === undefined) throw new UsageError(`${kind} needs a regular expression`);
  try {
    return compileGoRegexp(source, "argument");
  } catch (error) {
    throw new UsageError(`parsing argument regexp ${source}: ${(error as Error).message}`);
  }
}

interface CompiledFilters {
  focus: RegExp | undefined;
  ignore: RegExp | undefined;
  hide: RegExp | undefined;
  show: RegExp | undefined;
  showFrom: RegExp | undefined;
  tagFocus: ReturnType<typeof compileTagFilter> | undefined;
  tagIgnore: ReturnType<typeof compileTagFilter> | undefined;
  pruneFrom: RegExp | undefined;
}

/** pprof's applyFocus, first half: everything is compiled first, so a bad expression fails before any work. */
function compileFilters(
  options: ReportOptions,
  units: Map<string, string>,
  warnings: string[],
): CompiledFilters {
  const filters: CompiledFilters = {
    focus: requireRegexp(options.focus, "focus", compileGoRegexp),
    ignore: requireRegexp(options.ignore, "ignore", compileGoRegexp),
    hide: requireRegexp(options.hide, "hide", compileGoRegexp),
    show: requireRegexp(options.show, "show", compileGoRegexp),
    showFrom: requireRegexp(options.showFrom, "show_from", compileGoRegexp),
    tagFocus: options.tagFocus
      ? compileTagFilter("tagfocus", options.tagFocus, units, compileGoRegexp)
      : undefined,
    tagIgnore: options.tagIgnore
      ? compileTagFilter("tagignore", options.tagIgnore, units, compileGoRegexp)
      : undefined,
    pruneFrom: requireRegexp(options.pruneFrom, "prune_from", compileGoRegexp),
  };
  if (filters.tagFocus?.note) warnings.push(filters.tagFocus.note);
  if (filters.tagIgnore?.note) warnings.push(filters.tagIgnore.note);
  return filters;
}

/** pprof's applyFocus, second half: the sample filters in pprof's order, warning about those that matched nothing. */
function applyFilters(input: Profile, filters: CompiledFilters, warnings: string[]): Profile {
  const { focus, ignore, hide, show, tagFocus, tagIgnore } = filters;
  let profile = input;
  if (focus || ignore || hide || show) {
    const filtered = filterSamplesByName(profile, { focus, ignore, hide, show });
    profile = filtered.profile;
    if (focus && !filtered.focusMatched) warnings.push("Focus expression matched no samples");
    if (ignore && !filtered.ignoreMatched) warnings.push("Ignore expression matched no samples");
    if (hide && !filtered.hideMatched) warnings.push("Hide expression matched no samples");
    if (show && !filtered.showMatched) warnings.push("Show expression matched no samples");
  }
  if (filters.showFrom) {
    const shown = showFrom(profile, filters.showFrom);
    profile = shown.profile;
    if (!shown.matched) warnings.push("ShowFrom expression matched no samples");
  }
  if (tagFocus || tagIgnore) {
    const tagged = filterSamplesByTag(profile, tagFocus?.predicate, tagIgnore?.predicate);
    profile = tagged.profile;
    if (tagFocus && !tagged.focusMatched) warnings.push("TagFocus expression matched no samples");
    if (tagIgnore && !tagged.ignoreMatched) warnings.push("TagIgnore expression matched no samples");
  }
  if (filters.pruneFrom) profile = pruneFrom(profile, filters.pruneFrom);
  return profile;
}

/**
 * The samples a report reads: graph reports aggregate virtually while building nodes (from
 * columns); the others print profile entities, aggregated to the granularity here.
 */
function reportSamples(
  kind: ReportKind,
  input: Profile,
  filtered: Profile,
  inputColumns: SampleColumns | undefined,
  fields: AggregationFields | undefined,
): { profile: Profile; columns: SampleColumns | undefined } {
  if (graphKinds.has(kind)) {
    if (inputColumns && filtered !== input) {
      throw new Error("prepareReport: sample filters need the samples as objects, not only columns");
    }
    return { profile: filtered, columns: inputColumns ?? columnsFromProfile(filtered) };
  }
  if (inputColumns && input.samples.length === 0 && inputColumns.count > 0) {
    throw new Error(`prepareReport: the ${kind} report needs the samples as objects`);
  }
  return { profile: aggregateProfile(filtered, fields), columns: undefined };
}

/**
 * pprof's computeTotal: the sum of |value| over all samples, or over the diff-base samples when
 * there are any; under `--mean`, divided by the sum of the divisor values.
 */
export function computeTotal(profile: Profile, sampleIndex: number, meanIndex: number): number {
  let total = 0;
  let div = 0;
  let diffTotal = 0;
  let diffDiv = 0;
  for (const s of profile.samples) {
    const v = Math.abs(s.values[sampleIndex]!);
    const d = meanIndex >= 0 ? s.values[meanIndex]! : 0;
    total += v;
    div += d;
    if (s.labels.size > 0 && isDiffBaseSample(s)) {
      diffTotal += v;
      diffDiv += d;
    }
  }
  if (diffTotal > 0) {
    total = diffTotal;
    div = diffDiv;
  }
  return div !== 0 ? Math.trunc(total / div) : total;
}

/** computeTotal over sample columns. */
export function computeColumnsTotal(columns: SampleColumns, sampleIndex: number, meanIndex: number): number {
  let total = 0;
  let div = 0;
  let diffTotal = 0;
  let diffDiv = 0;
  const { values, stride, diffBase } = columns;
  for (let i = 0; i < columns.count; i++) {
    const v = Math.abs(values[i * stride + sampleIndex]!);
    const d = meanIndex >= 0 ? values[i * stride + meanIndex]! : 0;
    total += v;
    div += d;
    if (diffBase !== undefined && diffBase[i] === 1) {
      diffTotal += v;
      diffDiv += d;
    }
  }
  if (diffTotal > 0) {
    total = diffTotal;
    div = diffDiv;
  }
  return div !== 0 ? Math.trunc(total / div) : total;
}
