/**
 * The options and pipeline shared by the pprof-style report commands (top, tree, peek, traces,
 * tags, raw, list): profile inputs → combined profile (merge, --base/--diff-base) → report options
 * applied → a PreparedReport the renderers print. Option names follow pprof; src/cli/main.ts turns
 * pprof's single-dash spellings (`-sample_index=…`, `-lines`) into these.
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import type { Granularity } from "../profile/aggregate.js";
import type { Profile } from "../profile/model.js";
import { cleanPath, dirPath, joinPath, splitPathList, trimSourcePath } from "../profile/paths.js";
import type { PreparedReport, ReportKind, ReportOptions } from "../profile/prepare.js";
import { parseEnum, parseNumberFlag } from "./parse-options.js";

const GRANULARITIES: readonly Granularity[] = ["functions", "filefunctions", "files", "lines", "addresses"];

/** Raw commander option values of a report command. */
export interface ReportFlags {
  sampleIndex?: string;
  inuseSpace?: boolean;
  inuseObjects?: boolean;
  allocSpace?: boolean;
  allocObjects?: boolean;
  mean?: boolean;
  focus?: string;
  ignore?: string;
  hide?: string;
  show?: string;
  showFrom?: string;
  pruneFrom?: string;
  tagfocus?: string;
  tagignore?: string;
  nodecount?: string;
  nodefraction?: string;
  edgefraction?: string;
  cum?: boolean;
  flat?: boolean;
  granularity?: string;
  functions?: boolean;
  filefunctions?: boolean;
  files?: boolean;
  lines?: boolean;
  addresses?: boolean;
  noinlines?: boolean;
  unit?: string;
  diffBase?: string[];
  base?: string[];
  normalize?: boolean;
  dropNegative?: boolean;
  trimPath?: string;
  sourcePath?: string;
  proto?: string;
  seconds?: string;
  timeout?: string;
  maxDecompressed?: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** Adds pprof's report options to a command. `kind` decides which apply. */
export function addReportOptions(command: Command, kind: ReportKind): Command {
  command
    .option(
      "--sample-index <type>",
      "sample value to report: a type name (inuse_space, alloc_objects, …) or index",
    )
    .option("--inuse-space", "same as --sample-index=inuse_space")
    .option("--inuse-objects", "same as --sample-index=inuse_objects")
    .option("--alloc-space", "same as --sample-index=alloc_space")
    .option("--alloc-objects", "same as --sample-index=alloc_objects")
    .option("--mean", "average value per sample (divides by sample value 0, as pprof does)")
    .option("--focus <regex>", "keep samples with a frame matching regex")
    .option("--ignore <regex>", "drop samples with a frame matching regex")
    .option("--hide <regex>", "remove frames matching regex")
    .option("--show <regex>", "keep only frames matching regex")
    .option("--show-from <regex>", "drop frames above the highest frame matching regex")
    .option("--prune-from <regex>", "drop the callees of frames matching regex")
    .option(
      "--tagfocus <[key=]value>",
      "keep samples with a label value (regex list or range like 32kb:64kb)",
    )
    .option("--tagignore <[key=]value>", "drop samples with a label value (regex list or range)")
    .option("--granularity <g>", "functions|filefunctions|files|lines|addresses")
    .option("--functions", "same as --granularity=functions")
    .option("--filefunctions", "same as --granularity=filefunctions")
    .option("--files", "same as --granularity=files")
    .option("--lines", "same as --granularity=lines")
    .option("--addresses", "same as --granularity=addresses")
    .option("--noinlines", "attribute inlined frames to their callers")
    .option("--unit <unit>", "unit for values: minimum (default), auto, b, kb, mb, gb, …")
    .option("--diff-base <profile>", "show the difference from this base profile (repeatable)", collect)
    .option("--base <profile>", "subtract this base profile (repeatable)", collect)
    .option("--normalize", "scale the profile to the base's total before subtracting")
    .option("--drop-negative", "drop nodes with negative values")
    .option("--trim-path <path>", "path prefix to remove from source file names")
    .option(
      "--source-path <dirs>",
      "colon-separated roots to read source files from (default: current directory)",
    )
    .option("--proto <file>", "also write the processed profile (gzipped profile.proto) to file")
    .option("--seconds <n>", "for URLs: collect a delta profile over n seconds")
    .option("--timeout <n>", "for URLs: give up after n seconds")
    .option("--max-decompressed <size>", "refuse gzip input that inflates past this size", "1GiB");
  // Accepted by every report, as pprof accepts them; only the graph reports use them.
  const graphReport = kind === "top" || kind === "tree" || kind === "peek";
  const note = graphReport ? "" : " (no effect on this report)";
  command
    .option("--nodecount <n>", `show at most n nodes${note}`)
    .option("--nodefraction <f>", `hide nodes below this fraction of the total (default 0.005)${note}`)
    .option("--edgefraction <f>", `hide edges below this fraction of the total (default 0.001)${note}`)
    .option("--cum", `sort by cumulative value${note}`)
    .option("--flat", `sort by flat value (default)${note}`);
  return command;
}

/** Turns command flags into report options (pprof's flag → config rules, conflicts included). */
export function reportOptionsFromFlags(flags: ReportFlags, symbol?: string): ReportOptions {
  let sampleIndex = flags.sampleIndex ?? "";
  const aliases: Array<[boolean | undefined, string]> = [
    [flags.inuseSpace, "inuse_space"],
    [flags.inuseObjects, "inuse_objects"],
    [flags.allocSpace, "alloc_space"],
    [flags.allocObjects, "alloc_objects"],
  ];
  for (const [set, name] of aliases) {
    if (!set) continue;
    if (sampleIndex === "") sampleIndex = name;
    else process.stderr.write(`Multiple value selections, ignoring -${name}\n`);
  }
  const granularityFlags = GRANULARITIES.filter((g) => flags[g]);
  if (granularityFlags.length > 1)
    throw new UsageError(`conflicting options set: [${granularityFlags.join(" ")}]`);
  let granularity = granularityFlags[0] as Granularity | undefined;
  if (flags.granularity !== undefined) {
    granularity ??= parseEnum(flags.granularity, "--granularity", GRANULARITIES);
  }
  if (flags.cum && flags.flat) throw new UsageError("conflicting options set: [cum flat]");
  return {
    sampleIndex,
    mean: flags.mean,
    focus: flags.focus,
    ignore: flags.ignore,
    hide: flags.hide,
    show: flags.show,
    showFrom: flags.showFrom,
    pruneFrom: flags.pruneFrom,
    tagFocus: flags.tagfocus,
    tagIgnore: flags.tagignore,
    nodeCount: parseNumberFlag(flags.nodecount, "--nodecount", { integer: true }),
    nodeFraction: parseNumberFlag(flags.nodefraction, "--nodefraction"),
    edgeFraction: parseNumberFlag(flags.edgefraction, "--edgefraction"),
    cum: flags.cum,
    granularity,
    noInlines: flags.noinlines,
    unit: flags.unit,
    dropNegative: flags.dropNegative,
    trimPath: flags.trimPath,
    sourcePath: flags.sourcePath,
    symbol,
  };
}

/** Reads profile inputs with at most `limit` in flight, keeping their order. */
async function readAll(specs: string[], flags: ReportFlags): Promise<Profile[]> {
  const { readProfileInput } = await import("../collect/profile-source.js");
  const seconds = parseNumberFlag(flags.seconds, "--seconds", { integer: true });
  const timeout = parseNumberFlag(flags.timeout, "--timeout");
  const { parseByteSize } = await import("./parse-options.js");
  const options = {
    seconds,
    timeoutMs: timeout !== undefined ? timeout * 1000 : undefined,
    maxDecompressedBytes: parseByteSize(flags.maxDecompressed ?? "1GiB", "--max-decompressed"),
  };
  const results: Profile[] = new Array(specs.length);
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const i = next++;
      results[i] = (await readProfileInput(specs[i]!, options)).profile;
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, specs.length) }, worker));
  return results;
}

/**
 * The whole pipeline: reads the profiles (files, `-`, URLs, `FILE#N`), combines them with any
 * bases, and applies the report options. Also writes `--proto` when asked.
 */
export async function loadReport(
  args: string[],
  flags: ReportFlags,
  kind: ReportKind,
  symbol?: string,
): Promise<PreparedReport> {
  const [{ splitProfileArgs }, { combineSources, prepareReport }, { applyDropFrames }] = await Promise.all([
    import("../collect/profile-source.js"),
    import("../profile/prepare.js"),
    import("../profile/drop-frames.js"),
  ]);
  const specs = splitProfileArgs(args);
  if (specs.length === 0) throw new UsageError("no profile source specified");
  const baseSpecs = (flags.base ?? []).filter((s) => s !== "");
  const diffBaseSpecs = (flags.diffBase ?? []).filter((s) => s !== "");
  if (baseSpecs.length > 0 && diffBaseSpecs.length > 0) {
    throw new UsageError("--base and --diff-base cannot both be specified");
  }
  const options = reportOptionsFromFlags(flags, symbol);
  const fast = await loadColumnarFast(specs, baseSpecs.length + diffBaseSpecs.length, flags, options, kind);
  if (fast) return fast;
  const [sources, bases] = await Promise.all([
    readAll(specs, flags),
    readAll([...baseSpecs, ...diffBaseSpecs], flags),
  ]);
  const combined = combineSources(
    sources,
    bases,
    { diffBase: diffBaseSpecs.length > 0, normalize: flags.normalize },
    applyDropFrames,
  );
  const report = prepareReport(combined, kind, options);
  for (const warning of report.warnings) process.stderr.write(`${warning}\n`);
  if (flags.proto) await writeProcessedProto(combined, flags, symbol);
  return report;
}

const graphKinds = new Set<ReportKind>(["top", "tree", "peek", "list"]);

/**
 * The fast path for the common case (one local file, no sample filters, no bases): a profile.proto's
 * samples are decoded straight into columns, never as objects. Other cases return undefined for the
 * regular path; so does a file that cannot be read, which the regular path then names. Bad contents
 * fail here as they would there: one ProfileDecodeError naming the file.
 */
async function loadColumnarFast(
  specs: string[],
  baseCount: number,
  flags: ReportFlags,
  options: ReportOptions,
  kind: ReportKind,
): Promise<PreparedReport | undefined> {
  if (!graphKinds.has(kind) || specs.length !== 1 || baseCount > 0 || flags.normalize || flags.proto)
    return undefined;
  if (options.focus || options.ignore || options.hide || options.show || options.showFrom) return undefined;
  if (options.pruneFrom || options.tagFocus || options.tagIgnore) return undefined;
  const spec = specs[0]!;
  if (spec === "-" || spec.includes(":")) return undefined;
  let bytes: Uint8Array;
  try {
    const stat = statSync(spec);
    if (!stat.isFile() || stat.size === 0 || stat.size > 1024 ** 3) return undefined;
    bytes = readFileSync(spec);
  } catch {
    return undefined;
  }
  const [{ parseByteSize }, { parseProfileBytes }, { samplesFromColumns }, prepare, { applyDropFrames }] =
    await Promise.all([
      import("./parse-options.js"),
      import("../formats/profile-bytes.js"),
      import("../formats/pprof-proto-decode.js"),
      import("../profile/prepare.js"),
      import("../profile/drop-frames.js"),
    ]);
  const maxDecompressedBytes = parseByteSize(flags.maxDecompressed ?? "1GiB", "--max-decompressed");
  const { profile, columns } = parseProfileBytes(bytes, spec, { maxDecompressedBytes, samplesAs: "columns" });
  let report: PreparedReport;
  if (
    columns !== undefined &&
    profile.dropFrames === "" &&
    profile.mappings.length > 0 &&
    new Set(profile.sampleTypes.map((t) => t.type)).size === profile.sampleTypes.length
  ) {
    // Nothing for combineSources to change but URL mapping files, which keep the locations' order.
    report = prepare.prepareReport(prepare.unsourceMappings(profile), kind, options, columns);
  } else {
    // Pruning, a missing mapping, repeated sample type names (pprof's compatibility step drops
    // them) or a legacy text profile: the regular path's steps, on the profile as objects.
    const whole = columns ? { ...profile, samples: samplesFromColumns(profile.locations, columns) } : profile;
    report = prepare.prepareReport(prepare.combineSources([whole], [], {}, applyDropFrames), kind, options);
  }
  for (const warning of report.warnings) process.stderr.write(`${warning}\n`);
  return report;
}

/**
 * `--proto FILE`: the profile as pprof's `-proto` would write it for the same options (filters
 * applied, addresses and inlined frames kept unless --noinlines).
 */
async function writeProcessedProto(combined: Profile, flags: ReportFlags, symbol?: string): Promise<void> {
  const [{ prepareReport }, { encodeProfileGzip }, { writeFile }] = await Promise.all([
    import("../profile/prepare.js"),
    import("../formats/pprof-proto-encode.js"),
    import("node:fs/promises"),
  ]);
  const prepared = prepareReport(combined, "proto", reportOptionsFromFlags(flags, symbol));
  try {
    await writeFile(flags.proto!, encodeProfileGzip(prepared.profile));
  } catch (error) {
    throw new UsageError(`--proto ${flags.proto}: ${(error as Error).message}`);
  }
}

/**
 * Source files for `list`, found the way pprof looks for them (trim the path, then try each
 * source root and its parents) but read only when they are `.go` files that really lie under one
 * of the roots (default: the current directory), so a profile cannot make heapscope print
 * arbitrary files such as ~/.ssh/id_rsa.
 */
export function createSourceReader(sourcePath: string | undefined, trimPath: string | undefined) {
  const searchPath = sourcePath && sourcePath !== "" ? sourcePath : process.cwd();
  const roots = splitPathList(searchPath)
    .filter((r) => r !== "")
    .flatMap((r) => {
      try {
        return [realpathSync(path.resolve(r))];
      } catch {
        return [];
      }
    });
  const allowed = (file: string): boolean => {
    if (!file.endsWith(".go")) return false;
    let real: string;
    try {
      real = realpathSync(file);
      if (!statSync(real).isFile()) return false;
    } catch {
      return false;
    }
    return roots.some((root) => real === root || real.startsWith(root.endsWith("/") ? root : `${root}/`));
  };
  const cache = new Map<string, string[] | undefined>();
  const load = (file: string): string[] | undefined => {
    if (cache.has(file)) return cache.get(file);
    let lines: string[] | undefined;
    if (allowed(file)) {
      try {
        lines = splitSourceLines(readFileSync(file, "utf8"));
      } catch {
        lines = undefined;
      }
    }
    cache.set(file, lines);
    return lines;
  };
  return {
    read(file: string): { lines: string[] } | { error: string } {
      const trimmed = trimSourcePath(file, trimPath ?? "", searchPath);
      if (trimmed.startsWith("/")) {
        const lines = load(trimmed);
        if (lines) return { lines };
        return { error: `open ${trimmed}: not read (only .go files under --source-path are listed)` };
      }
      for (let dir of splitPathList(searchPath)) {
        for (;;) {
          const candidate = joinPath(dir, trimmed);
          const lines = load(candidate.startsWith("/") ? candidate : path.resolve(candidate));
          if (lines) return { lines };
          const parent = dirPath(dir);
          if (parent === dir || cleanPath(dir) === parent) break;
          dir = parent;
        }
      }
      return { error: `could not find file ${trimmed} on path ${searchPath}` };
    },
  };
}

/** Lines as Go's bufio.Scanner yields them: split at \n, a trailing \r dropped, no empty last line. */
export function splitSourceLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}
