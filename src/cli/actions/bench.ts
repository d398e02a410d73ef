/** `heapscope bench`: what it does. Its arguments, options and help are in ../commands/bench.ts. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { appendFile, readFile } from "node:fs/promises";
import path from "node:path";
import { diffAllocationSites } from "../../analysis/bench-alloc-sites.js";
import { type BenchComparison, compareBenchmarks } from "../../analysis/bench-compare.js";
import { evaluateGate, type GateReport, gateExitCode } from "../../analysis/bench-gate.js";
import { type BenchProfile, runBenchComparison } from "../../collect/bench-runner.js";
import { readProfileInput } from "../../collect/profile-source.js";
import { InputError, UsageError } from "../../errors.js";
import {
  canonicalUnit,
  parseFloor,
  parsePercent,
  policyFromConfig,
} from "../../formats/bench-gate-config.js";
import { type GoBenchFile, parseGoBench, splitGomaxprocs } from "../../formats/go-bench.js";
import { describeInputKind, isGzip, looksBinary, SNIFF_BYTES, sniffInput } from "../../formats/sniff.js";
import {
  defaultGatePolicy,
  type GatePolicy,
  type MissingPolicy,
  type UnitThresholds,
} from "../../model/bench-gate-policy.js";
import { renderGithubAnnotations } from "../../render/bench-github.js";
import { benchReportJson } from "../../render/bench-json.js";
import { renderBenchMarkdown } from "../../render/bench-markdown.js";
import { renderSitesMarkdown, renderSitesText, sitesJson } from "../../render/bench-sites.js";
import { type BenchLabels, renderBenchText } from "../../render/bench-text.js";
import { isInteractive, type OutputFormat, resolveFormat, writeJson, writeOut } from "../output.js";
import { parseEnum, parseFraction, parsePositiveInteger } from "../parse-options.js";

export interface GateCliOptions {
  format?: string;
  json?: boolean;
  alpha?: string;
  ignoreConfig?: boolean;
  config?: string | false;
  allocsWarn?: string;
  allocsFail?: string;
  allocsFloor?: string;
  bytesWarn?: string;
  bytesFail?: string;
  bytesFloor?: string;
  timeWarn?: string;
  timeFail?: string;
  timeFloor?: string;
  threshold?: string[];
  onMissing?: string;
  failOnMissing?: boolean;
}

function findConfigFile(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    for (const name of [".heapscope.json", "heapscope.json"]) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
    if (existsSync(path.join(dir, ".git"))) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function setThreshold(policy: GatePolicy, unit: string, patch: UnitThresholds): void {
  policy.thresholds[unit] = { ...policy.thresholds[unit], ...patch };
}

/** Builds the gate policy: defaults, then the configuration file, then flags. */
export function resolveGateSettings(
  options: GateCliOptions,
  cwd: string = process.cwd(),
): { policy: GatePolicy; alpha: number; ignoreConfig: boolean; configFile?: string } {
  let policy = defaultGatePolicy();
  let alpha = 0.05;
  let ignoreConfig = false;
  let configFile: string | undefined;
  if (options.config !== false) {
    configFile = typeof options.config === "string" ? path.resolve(cwd, options.config) : findConfigFile(cwd);
    if (configFile) {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(configFile, "utf8"));
      } catch (error) {
        const problem =
          (error as NodeJS.ErrnoException).code === "ENOENT"
            ? "no such file"
            : `not valid JSON (${(error as Error).message})`;
        throw new InputError(configFile, problem);
      }
      const parsed = policyFromConfig(json, configFile, policy);
      policy = parsed.policy;
      if (parsed.alpha !== undefined) alpha = parsed.alpha;
      if (parsed.ignoreConfig !== undefined) ignoreConfig = parsed.ignoreConfig;
    }
  }
  if (options.alpha !== undefined) alpha = parseFraction(options.alpha, "--alpha");
  if (options.ignoreConfig) ignoreConfig = true;
  const flagPairs: [keyof GateCliOptions, string, keyof UnitThresholds][] = [
    ["allocsWarn", "allocs/op", "warnPercent"],
    ["allocsFail", "allocs/op", "failPercent"],
    ["allocsFloor", "allocs/op", "floor"],
    ["bytesWarn", "B/op", "warnPercent"],
    ["bytesFail", "B/op", "failPercent"],
    ["bytesFloor", "B/op", "floor"],
    ["timeWarn", "sec/op", "warnPercent"],
    ["timeFail", "sec/op", "failPercent"],
    ["timeFloor", "sec/op", "floor"],
  ];
  for (const [option, unit, field] of flagPairs) {
    const raw = options[option];
    if (typeof raw !== "string") continue;
    const flag = `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (raw === "off") {
      setThreshold(policy, unit, { [field]: undefined });
      continue;
    }
    const value = field === "floor" ? parseFloor(raw, unit, flag) : parsePercent(raw, flag);
    setThreshold(policy, unit, { [field]: value });
  }
  for (const spec of options.threshold ?? []) {
    const match = /^([^=]+)=(.*)$/.exec(spec);
    if (!match)
      throw new UsageError(`--threshold: expected UNIT=WARN,FAIL[,FLOOR] or UNIT=off, not "${spec}"`);
    const unit = canonicalUnit(match[1]!.trim());
    const rest = match[2]!.trim();
    if (rest === "off") {
      delete policy.thresholds[unit];
      continue;
    }
    const [warn, fail, floor, ...extra] = rest.split(",").map((s) => s.trim());
    if (extra.length > 0 || warn === undefined) {
      throw new UsageError(`--threshold: expected UNIT=WARN,FAIL[,FLOOR], not "${spec}"`);
    }
    policy.thresholds[unit] = {
      warnPercent: warn === "" || warn === "-" ? undefined : parsePercent(warn, `--threshold ${unit} warn`),
      failPercent:
        fail === undefined || fail === "" || fail === "-"
          ? undefined
          : parsePercent(fail, `--threshold ${unit} fail`),
      floor:
        floor === undefined || floor === ""
          ? undefined
          : parseFloor(floor, unit, `--threshold ${unit} floor`),
    };
  }
  let onMissing: MissingPolicy | undefined;
  if (options.onMissing !== undefined) {
    onMissing = parseEnum(options.onMissing, "--on-missing", ["ignore", "warn", "fail"] as const);
  }
  if (options.failOnMissing) onMissing = "fail";
  if (onMissing) policy.onMissing = onMissing;
  return { policy, alpha, ignoreConfig, configFile };
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Reads and parses one benchmark input (a file or `-` for stdin); bad input is an InputError. */
export async function readBenchInput(spec: string): Promise<GoBenchFile> {
  const name = spec === "-" ? "stdin" : spec;
  let bytes: Buffer;
  try {
    bytes = spec === "-" ? await readStdin() : await readFile(spec);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory, not a file of go test -bench output"
          : code === "EACCES"
            ? "permission denied"
            : (error as Error).message;
    throw new InputError(name, problem);
  }
  return parseBenchBytes(bytes, name);
}

/** Validates and parses benchmark output bytes. */
export function parseBenchBytes(bytes: Buffer, name: string): GoBenchFile {
  if (bytes.length === 0) throw new InputError(name, "empty input; expected go test -bench output");
  if (isGzip(bytes)) {
    throw new InputError(
      name,
      "gzip data (a pprof profile?), not go test -bench output; profiles go to `heapscope diff`",
    );
  }
  const kind = sniffInput(bytes.subarray(0, SNIFF_BYTES));
  if (looksBinary(bytes)) throw new InputError(name, `${describeInputKind(kind)}, not go test -bench output`);
  const file = parseGoBench(bytes.toString("utf8"));
  if (file.results.length === 0) {
    const why = file.issues[0]
      ? ` (line ${file.issues[0].line}: ${file.issues[0].message})`
      : kind !== "text" && kind !== "go-bench"
        ? ` (this is ${describeInputKind(kind)})`
        : "";
    throw new InputError(name, `no benchmark results found; expected go test -bench -benchmem output${why}`);
  }
  return file;
}

/** An extra part of the report (the allocation sites behind a row, from `bench run --memprofile`). */
export interface GateSection {
  text: string;
  markdown: string;
  json: unknown;
  annotations: string[];
}

/**
 * For every allocs/op or B/op row that got worse, the allocation sites that grew between the
 * two per-benchmark profiles (alloc_objects for allocs/op, alloc_space for B/op).
 */
async function allocationSiteSections(
  report: GateReport,
  profiles: BenchProfile[],
  top: number,
): Promise<GateSection[]> {
  const sections: GateSection[] = [];
  const find = (side: "base" | "new", pkg: string, name: string) =>
    profiles.find((p) => p.side === side && p.package === pkg && p.name === name);
  for (const row of report.rows) {
    if (row.change !== "worse" || (row.unit !== "allocs/op" && row.unit !== "B/op")) continue;
    const name = splitGomaxprocs(row.name)[0];
    const base = find("base", row.package, name);
    const next = find("new", row.package, name);
    if (!base || !next) continue;
    const [baseProfile, newProfile] = await Promise.all([
      readProfileInput(base.file),
      readProfileInput(next.file),
    ]);
    const sites = diffAllocationSites(baseProfile.profile, newProfile.profile, {
      sampleType: row.unit === "allocs/op" ? "alloc_objects" : "alloc_space",
    });
    // Only the sites that carry the change: growth of at least a tenth of the largest one.
    const largest = Math.max(0, ...sites.rows.map((r) => r.delta));
    sites.rows = sites.rows.filter((r) => r.delta > 0 && r.delta >= largest * 0.1);
    const title = `Allocation sites behind ${row.name} ${row.unit} (${row.package}):`;
    sections.push({
      text: renderSitesText({ ...sites, rows: sites.rows.slice(0, top) }, { title, top }),
      markdown: renderSitesMarkdown(sites, { title: `Allocation sites behind ${row.name} ${row.unit}`, top }),
      json: {
        ...sitesJson(sites),
        benchmark: row.name,
        package: row.package,
        benchmarkUnit: row.unit,
        baseProfile: base.file,
        newProfile: next.file,
      },
      annotations: [],
    });
  }
  return sections;
}

/** Compares, gates, renders and sets the exit code; shared by `compare` and `run`. */
export async function reportGate(
  base: GoBenchFile,
  next: GoBenchFile,
  labels: BenchLabels,
  options: GateCliOptions,
  infoNotes: string[] = [],
  sections: (report: GateReport) => Promise<GateSection[]> = async () => [],
): Promise<GateReport> {
  const format: OutputFormat = resolveFormat(options);
  const settings = resolveGateSettings(options);
  const comparison: BenchComparison = compareBenchmarks(base, next, {
    alpha: settings.alpha,
    ignoreConfig: settings.ignoreConfig,
  });
  const report = evaluateGate(comparison, settings.policy);
  report.notes.unshift(...infoNotes.map((message) => ({ level: "info" as const, message })));
  const extra = await sections(report);
  const github = process.env.GITHUB_ACTIONS === "true";
  const markdown = () =>
    [renderBenchMarkdown(report, labels), ...extra.map((section) => section.markdown)].join("\n");
  if (format === "json") {
    const json: Record<string, unknown> = benchReportJson(report, labels);
    if (extra.length > 0) json.allocationSites = extra.map((section) => section.json);
    writeJson(json);
  } else if (format === "markdown") {
    writeOut(markdown());
  } else {
    writeOut([renderBenchText(report, labels), ...extra.map((section) => section.text)].join("\n"));
  }
  if (github) {
    const annotations = [
      ...renderGithubAnnotations(report),
      ...extra.flatMap((section) => section.annotations),
    ];
    // Workflow commands are read from the job log; keep them off stdout when it carries JSON.
    const stream = format === "json" ? process.stderr : process.stdout;
    for (const line of annotations) stream.write(`${line}\n`);
    const summaryFile = process.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) {
      try {
        await appendFile(summaryFile, `${markdown()}\n`);
      } catch (error) {
        process.stderr.write(
          `heapscope: cannot write the job summary to ${summaryFile}: ${(error as Error).message}\n`,
        );
      }
    }
  }
  process.exitCode = gateExitCode(report);
  return report;
}

export interface RunCliOptions {
  base?: string;
  count: string;
  bench: string;
  save?: string;
  go: string;
  memprofile?: string;
  memprofileBenchtime: string;
}

/** `heapscope bench compare`. */
export async function benchCompareAction(
  baseSpec: string,
  newSpec: string,
  options: GateCliOptions,
): Promise<void> {
  resolveFormat(options);
  if (baseSpec === "-" && newSpec === "-") throw new UsageError("only one input can be - (stdin)");
  const base = await readBenchInput(baseSpec);
  const next = await readBenchInput(newSpec);
  await reportGate(
    base,
    next,
    { base: baseSpec === "-" ? "stdin" : baseSpec, new: newSpec === "-" ? "stdin" : newSpec },
    options,
  );
}

/** `heapscope bench run`. */
export async function benchRunAction(
  goTestArgs: string[],
  options: GateCliOptions & RunCliOptions,
): Promise<void> {
  resolveFormat(options);
  resolveGateSettings(options);
  const count = parsePositiveInteger(options.count, "--count");
  const profileIterations = parsePositiveInteger(options.memprofileBenchtime, "--memprofile-benchtime");
  const interactive = isInteractive();
  const result = await runBenchComparison({
    dir: process.cwd(),
    baseRef: options.base,
    count,
    bench: options.bench,
    goTestArgs,
    go: options.go,
    saveDir: options.save,
    memprofile: options.memprofile ? { dir: options.memprofile, iterations: profileIterations } : undefined,
    onProgress: interactive ? (message) => process.stderr.write(`\r\x1b[2K${message}`) : undefined,
  });
  if (interactive) process.stderr.write("\r\x1b[2K");
  const base = parseBenchBytes(Buffer.from(result.baseText), `base (${result.baseRef})`);
  const next = parseBenchBytes(Buffer.from(result.newText), "new (working tree)");
  await reportGate(
    base,
    next,
    { base: result.baseLabel, new: result.newLabel },
    options,
    result.notes,
    (report) => allocationSiteSections(report, result.profiles, 10),
  );
}
