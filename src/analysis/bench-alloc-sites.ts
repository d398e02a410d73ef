/**
 * Allocation sites of two heap/allocs profiles, compared: which functions allocate more in NEW
 * than in BASE, and whether that growth passes a gate threshold.
 *
 * A site is the first non-runtime frame on the leaf side of each sample (walking inlined frames
 * innermost first), so `make`, `new`, map growth and string conversions are charged to the Go
 * function that asked for the memory rather than to runtime.mallocgc or internal/runtime/maps.
 *
 * Totals scale with how many iterations ran, so values can be divided by an operation count:
 * `bench run --memprofile` records it in each profile's comments as `heapscope-ops=N`
 * (b.N plus the 1-iteration probe `testing` always runs first), which makes the diff per op.
 *
 * Pure: profiles in, rows out.
 */

import { UsageError } from "../errors.js";
import type { Profile } from "../profile/model.js";

export type SiteStatus = "ok" | "warn" | "fail";

export interface SiteDiffRow {
  /** Function that allocated (first non-runtime frame). */
  function: string;
  /** Source file and line that contributed most to the site in NEW (or BASE if absent there). */
  file: string;
  line: number;
  base: number;
  new: number;
  delta: number;
  /** +Infinity for a site that is new; -100 for one that disappeared. */
  deltaPercent: number;
  status: SiteStatus;
  reason?: string;
}

export interface SiteDiffOptions {
  /** Sample type to compare (default alloc_space when present, else the profile's default). */
  sampleType?: string;
  /** Divide BASE values by this many operations (default: the profile's heapscope-ops comment, else 1). */
  baseOps?: number;
  newOps?: number;
  warnIfGrowsPercent?: number;
  failIfGrowsPercent?: number;
  /** Smallest growth that counts, in the sample unit (per op when normalized). */
  floor?: number;
}

export interface SiteDiffReport {
  status: SiteStatus;
  sampleType: string;
  unit: string;
  /** True when both sides were divided by an operation count. */
  perOp: boolean;
  baseOps?: number;
  newOps?: number;
  baseTotal: number;
  newTotal: number;
  floor: number;
  warnIfGrowsPercent?: number;
  failIfGrowsPercent?: number;
  /** Every site whose value changed, most grown first. */
  rows: SiteDiffRow[];
  notes: string[];
}

const RUNTIME_FRAME = /^(runtime|internal\/runtime\/[^.]+|runtime\/[^.]+)\./;

/** True for frames of the Go runtime, which allocate on behalf of their callers. */
export function isRuntimeFrame(functionName: string): boolean {
  return RUNTIME_FRAME.test(functionName);
}

/** The `heapscope-ops=N` comment that `bench run --memprofile` writes, if any. */
export function opsFromComments(profile: Profile): number | undefined {
  for (const comment of profile.comments) {
    const match = /^heapscope-ops=(\d+)$/.exec(comment.trim());
    if (match) return Number(match[1]);
  }
  return undefined;
}

function sampleIndex(profile: Profile, wanted: string | undefined, which: string): number {
  const types = profile.sampleTypes.map((t) => t.type);
  if (types.length === 0) throw new UsageError(`${which} profile has no sample types`);
  if (wanted !== undefined) {
    const index = types.indexOf(wanted);
    if (index < 0) {
      throw new UsageError(`${which} profile has no sample type "${wanted}" (it has ${types.join(", ")})`);
    }
    return index;
  }
  const alloc = types.indexOf("alloc_space");
  if (alloc >= 0) return alloc;
  const def = profile.defaultSampleType ? types.indexOf(profile.defaultSampleType) : -1;
  return def >= 0 ? def : types.length - 1;
}

interface SiteTotal {
  function: string;
  value: number;
  /** "file\u0000line" → value, to name the line that matters most. */
  lines: Map<string, number>;
}

/** Value per allocation site (function), for one sample index, divided by `ops`. */
export function allocationSites(profile: Profile, index: number, ops = 1): Map<string, SiteTotal> {
  const sites = new Map<string, SiteTotal>();
  for (const sample of profile.samples) {
    const value = sample.values[index] ?? 0;
    if (value === 0) continue;
    let site: { fn: string; file: string; line: number } | undefined;
    let leaf: { fn: string; file: string; line: number } | undefined;
    for (const location of sample.locations) {
      for (const line of location.lines) {
        const fn = line.function?.name ?? "";
        const frame = {
          fn: fn || `0x${location.address.toString(16)}`,
          file: line.function?.filename ?? "",
          line: line.line,
        };
        leaf ??= frame;
        if (fn && !isRuntimeFrame(fn)) {
          site = frame;
          break;
        }
      }
      if (site) break;
      if (location.lines.length === 0) {
        // An unsymbolized frame is not known to be the runtime's: it is the site.
        site = { fn: `0x${location.address.toString(16)}`, file: "", line: 0 };
        break;
      }
    }
    const chosen = site ?? leaf ?? { fn: "(unknown)", file: "", line: 0 };
    let total = sites.get(chosen.fn);
    if (!total) {
      total = { function: chosen.fn, value: 0, lines: new Map() };
      sites.set(chosen.fn, total);
    }
    const perOp = value / ops;
    total.value += perOp;
    const lineKey = `${chosen.file}\u0000${chosen.line}`;
    total.lines.set(lineKey, (total.lines.get(lineKey) ?? 0) + perOp);
  }
  return sites;
}

/** The line that grew most within a site (or, when none grew, the largest one in NEW or BASE). */
function representativeLine(
  base: SiteTotal | undefined,
  next: SiteTotal | undefined,
): { file: string; line: number } {
  let best: string | undefined;
  let bestGrowth = 0;
  for (const [key, value] of next?.lines ?? []) {
    const growth = value - (base?.lines.get(key) ?? 0);
    if (growth > bestGrowth) {
      best = key;
      bestGrowth = growth;
    }
  }
  if (!best) {
    let largest = -Infinity;
    for (const [key, value] of (next ?? base)?.lines ?? []) {
      if (value > largest) {
        best = key;
        largest = value;
      }
    }
  }
  if (!best) return { file: "", line: 0 };
  const [file, line] = best.split("\u0000") as [string, string];
  return { file, line: Number(line) };
}

/** The sample types a gate should look at by default: objects and space of an allocs profile. */
export function defaultSiteSampleTypes(base: Profile, next: Profile): string[] {
  const both = (t: string) =>
    base.sampleTypes.some((x) => x.type === t) && next.sampleTypes.some((x) => x.type === t);
  const allocTypes = ["alloc_objects", "alloc_space"].filter(both);
  if (allocTypes.length > 0) return allocTypes;
  const types = base.sampleTypes.map((t) => t.type);
  const def =
    base.defaultSampleType && types.includes(base.defaultSampleType)
      ? base.defaultSampleType
      : types[types.length - 1];
  return def ? [def] : [];
}

function isBytes(unit: string): boolean {
  return unit === "bytes" || unit === "B";
}

/** Compares the allocation sites of two profiles and gates their growth. */
export function diffAllocationSites(
  base: Profile,
  next: Profile,
  options: SiteDiffOptions = {},
): SiteDiffReport {
  const baseIndex = sampleIndex(base, options.sampleType, "base");
  const type = base.sampleTypes[baseIndex]!;
  const newIndex = sampleIndex(next, type.type, "new");
  const baseOps = options.baseOps ?? opsFromComments(base);
  const newOps = options.newOps ?? opsFromComments(next);
  const notes: string[] = [];
  const perOp = baseOps !== undefined && newOps !== undefined;
  if ((baseOps === undefined) !== (newOps === undefined)) {
    notes.push("only one profile has an operation count; comparing raw totals");
  }
  const baseSites = allocationSites(base, baseIndex, perOp ? baseOps : 1);
  const newSites = allocationSites(next, newIndex, perOp ? newOps : 1);
  let baseTotal = 0;
  let newTotal = 0;
  for (const s of baseSites.values()) baseTotal += s.value;
  for (const s of newSites.values()) newTotal += s.value;
  // Default floor: a 64-byte or one-object change per op, or 1 % of the larger total when raw.
  const floor =
    options.floor ?? (perOp ? (isBytes(type.unit) ? 64 : 1) : Math.max(baseTotal, newTotal) * 0.01);
  if (!perOp && options.failIfGrowsPercent !== undefined) {
    notes.push(
      "raw totals depend on how many iterations ran; profiles from bench run --memprofile (or --base-ops/--new-ops) compare per op",
    );
  }

  const rows: SiteDiffRow[] = [];
  for (const fn of new Set([...baseSites.keys(), ...newSites.keys()])) {
    const b = baseSites.get(fn)?.value ?? 0;
    const n = newSites.get(fn)?.value ?? 0;
    const delta = n - b;
    if (Math.abs(delta) <= Math.max(Math.abs(b), Math.abs(n)) * 1e-12) continue;
    const deltaPercent = b === 0 ? Infinity : (delta / b) * 100;
    const where = representativeLine(baseSites.get(fn), newSites.get(fn));
    const row: SiteDiffRow = {
      function: fn,
      file: where.file,
      line: where.line,
      base: b,
      new: n,
      delta,
      deltaPercent,
      status: "ok",
    };
    if (delta > 0 && delta >= floor) {
      const pct = deltaPercent === Infinity ? "new site" : `+${deltaPercent.toFixed(1)}%`;
      if (options.failIfGrowsPercent !== undefined && deltaPercent >= options.failIfGrowsPercent) {
        row.status = "fail";
        row.reason = `grew ${pct}, past ${options.failIfGrowsPercent}%`;
      } else if (options.warnIfGrowsPercent !== undefined && deltaPercent >= options.warnIfGrowsPercent) {
        row.status = "warn";
        row.reason = `grew ${pct}, past ${options.warnIfGrowsPercent}%`;
      }
    }
    rows.push(row);
  }
  rows.sort((x, y) => y.delta - x.delta || x.function.localeCompare(y.function));
  const status: SiteStatus = rows.some((r) => r.status === "fail")
    ? "fail"
    : rows.some((r) => r.status === "warn")
      ? "warn"
      : "ok";
  return {
    status,
    sampleType: type.type,
    unit: type.unit,
    perOp,
    baseOps: perOp ? baseOps : undefined,
    newOps: perOp ? newOps : undefined,
    baseTotal,
    newTotal,
    floor,
    warnIfGrowsPercent: options.warnIfGrowsPercent,
    failIfGrowsPercent: options.failIfGrowsPercent,
    rows,
    notes,
  };
}
