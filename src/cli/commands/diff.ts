import { appendFile } from "node:fs/promises";
import type { Command } from "commander";
import { defaultSiteSampleTypes, diffAllocationSites } from "../../analysis/bench-alloc-sites.js";
import { readProfileInput } from "../../collect/profile-source.js";
import { UsageError } from "../../errors.js";
import { parsePercent } from "../../formats/bench-gate-config.js";
import {
  renderSitesAnnotations,
  renderSitesMarkdown,
  renderSitesText,
  sitesJson,
} from "../../render/bench-sites.js";
import { addFormatOptions, resolveFormat, writeJson, writeOut } from "../output.js";
import { parsePositiveNumber, parseSizeOrNumber } from "../parse-options.js";

interface DiffOptions {
  format?: string;
  json?: boolean;
  failIfGrows?: string;
  warnIfGrows?: string;
  floor?: string;
  sampleIndex?: string;
  baseOps?: string;
  newOps?: string;
  top?: string;
}

export function register(program: Command): void {
  const diff = program
    .command("diff")
    .description(
      "Name the allocation sites that grew between two heap/allocs profiles; gate CI with --fail-if-grows (exit 1)",
    )
    .argument("<base>", "baseline profile: file, URL, - for stdin, or recording#N")
    .argument("<new>", "new profile")
    .option("--fail-if-grows <pct>", "exit 1 when a site grew by at least this percentage (and the floor)")
    .option("--warn-if-grows <pct>", "warn when a site grew by at least this percentage (and the floor)")
    .option(
      "--floor <value>",
      "smallest growth that counts (default 64 B or 1 object per op; 1% of the total for raw profiles)",
    )
    .option("--sample-index <type>", "sample type to compare (default: alloc_objects and alloc_space)")
    .option(
      "--base-ops <n>",
      "divide the base profile by this many operations (default: its heapscope-ops comment)",
    )
    .option("--new-ops <n>", "divide the new profile by this many operations")
    .option("--top <n>", "sites to show", "20");
  addFormatOptions(diff);
  diff.addHelpText(
    "after",
    `
A site is the first non-runtime function on the allocating stack (inlined frames included), so
make/new/append are charged to the code that asked for the memory. Profiles written by
\`heapscope bench run --memprofile DIR\` carry their operation count and compare per op.
Exit codes: 0 pass (warnings included), 1 a site grew past --fail-if-grows, 2 bad input or usage.

Example:
  $ heapscope diff --fail-if-grows 20 base/BenchmarkEncode.pb.gz new/BenchmarkEncode.pb.gz
  $ heapscope diff -sample_index=alloc_objects --format markdown before.pb.gz after.pb.gz`,
  );
  diff.action(async (baseSpec: string, newSpec: string, options: DiffOptions) => {
    const format = resolveFormat(options);
    if (baseSpec === "-" && newSpec === "-") throw new UsageError("only one input can be - (stdin)");
    const failIfGrowsPercent =
      options.failIfGrows !== undefined ? parsePercent(options.failIfGrows, "--fail-if-grows") : undefined;
    const warnIfGrowsPercent =
      options.warnIfGrows !== undefined ? parsePercent(options.warnIfGrows, "--warn-if-grows") : undefined;
    const top = options.top !== undefined ? parsePositiveNumber(options.top, "--top") : 20;
    const floor = options.floor !== undefined ? parseSizeOrNumber(options.floor, "--floor") : undefined;
    const baseOps =
      options.baseOps !== undefined ? parsePositiveNumber(options.baseOps, "--base-ops") : undefined;
    const newOps =
      options.newOps !== undefined ? parsePositiveNumber(options.newOps, "--new-ops") : undefined;
    const base = await readProfileInput(baseSpec);
    const next = await readProfileInput(newSpec);
    const sampleTypes = options.sampleIndex
      ? [options.sampleIndex]
      : defaultSiteSampleTypes(base.profile, next.profile);
    if (sampleTypes.length === 0) throw new UsageError(`${baseSpec}: the profile has no sample types`);
    const reports = sampleTypes.map((sampleType) =>
      diffAllocationSites(base.profile, next.profile, {
        sampleType,
        baseOps,
        newOps,
        failIfGrowsPercent,
        warnIfGrowsPercent,
        floor,
      }),
    );
    const status = reports.some((r) => r.status === "fail")
      ? "fail"
      : reports.some((r) => r.status === "warn")
        ? "warn"
        : "ok";
    if (format === "json") {
      writeJson({ status, base: base.source, new: next.source, reports: reports.map(sitesJson) });
    } else if (format === "markdown") {
      writeOut(reports.map((r) => renderSitesMarkdown(r, { top })).join("\n"));
    } else {
      writeOut(reports.map((r) => renderSitesText(r, { top })).join("\n"));
    }
    if (process.env.GITHUB_ACTIONS === "true") {
      const stream = format === "json" ? process.stderr : process.stdout;
      for (const report of reports) {
        for (const line of renderSitesAnnotations(report, process.cwd())) stream.write(`${line}\n`);
      }
      const summary = process.env.GITHUB_STEP_SUMMARY;
      if (summary) {
        try {
          await appendFile(summary, `${reports.map((r) => renderSitesMarkdown(r, { top })).join("\n")}\n`);
        } catch (error) {
          process.stderr.write(
            `heapscope: cannot write the job summary to ${summary}: ${(error as Error).message}\n`,
          );
        }
      }
    }
    process.exitCode = status === "fail" ? 1 : 0;
  });
  diff.exitOverride();
}
