/**
 * Granularity (pprof's Profile.Aggregate and driver.aggregate): blanks the location and function
 * fields a report should not distinguish, so frames that differ only in those fields fall together.
 */
import { UsageError } from "../errors.js";
import type { Location, Mapping, Profile, ProfileFunction } from "./model.js";

export type Granularity = "functions" | "filefunctions" | "files" | "lines" | "addresses";

export const granularities: Granularity[] = ["functions", "filefunctions", "files", "lines", "addresses"];

/** Which fields survive aggregation. */
export interface AggregationFields {
  inlineFrames: boolean;
  functionNames: boolean;
  fileNames: boolean;
  lineNumbers: boolean;
  columnNumbers: boolean;
  addresses: boolean;
}

/**
 * The fields a granularity keeps (undefined granularity = pprof's default, functions), or
 * undefined when nothing is aggregated (addresses with inlined frames kept).
 */
export function aggregationFields(
  granularity: Granularity | undefined,
  noInlines: boolean,
): AggregationFields | undefined {
  const inlineFrames = !noInlines;
  const fields: AggregationFields = {
    inlineFrames,
    functionNames: false,
    fileNames: false,
    lineNumbers: false,
    columnNumbers: false,
    addresses: false,
  };
  switch (granularity) {
    case undefined:
    case "functions":
      fields.functionNames = true;
      break;
    case "addresses":
      if (inlineFrames) return undefined;
      fields.functionNames = true;
      fields.fileNames = true;
      fields.lineNumbers = true;
      fields.addresses = true;
      break;
    case "lines":
      fields.functionNames = true;
      fields.fileNames = true;
      fields.lineNumbers = true;
      break;
    case "files":
      fields.fileNames = true;
      break;
    case "filefunctions":
      fields.functionNames = true;
      fields.fileNames = true;
      break;
    default:
      throw new UsageError(`unexpected granularity "${granularity as string}"`);
  }
  return fields;
}

/** Returns a new profile with the fields not in `fields` blanked (pprof's Profile.Aggregate). */
export function aggregateProfile(profile: Profile, fields: AggregationFields | undefined): Profile {
  if (!fields) return profile;
  const mappings = new Map<Mapping, Mapping>();
  for (const m of profile.mappings) {
    mappings.set(m, {
      ...m,
      hasInlineFrames: m.hasInlineFrames && fields.inlineFrames,
      hasFunctions: m.hasFunctions && fields.functionNames,
      hasFilenames: m.hasFilenames && fields.fileNames,
      hasLineNumbers: m.hasLineNumbers && fields.lineNumbers,
    });
  }
  const functions = new Map<ProfileFunction, ProfileFunction>();
  for (const f of profile.functions) {
    if (fields.functionNames && fields.fileNames) {
      functions.set(f, f);
      continue;
    }
    functions.set(f, {
      ...f,
      name: fields.functionNames ? f.name : "",
      systemName: fields.functionNames ? f.systemName : "",
      filename: fields.fileNames ? f.filename : "",
    });
  }
  const mapFunction = (f: ProfileFunction | undefined) => (f ? (functions.get(f) ?? f) : undefined);
  const mapMapping = (m: Mapping | undefined) => (m ? (mappings.get(m) ?? m) : undefined);
  const locations = new Map<Location, Location>();
  for (const l of profile.locations) {
    let lines = l.lines;
    if (!fields.inlineFrames && lines.length > 1) lines = lines.slice(lines.length - 1);
    locations.set(l, {
      ...l,
      mapping: mapMapping(l.mapping),
      address: fields.addresses ? l.address : 0n,
      lines: lines.map((line) => ({
        function: mapFunction(line.function),
        line: fields.lineNumbers ? line.line : 0,
        column: fields.lineNumbers && fields.columnNumbers ? line.column : 0,
      })),
    });
  }
  return {
    ...profile,
    mappings: profile.mappings.map((m) => mappings.get(m)!),
    functions: profile.functions.map((f) => functions.get(f)!),
    locations: profile.locations.map((l) => locations.get(l)!),
    samples: profile.samples.map((s) => ({ ...s, locations: s.locations.map((l) => locations.get(l) ?? l) })),
  };
}
