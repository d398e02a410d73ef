/** `heapscope diff`: what it does. Its arguments, options and help are in ../commands/diff.ts. */
import { appendFile } from "node:fs/promises";
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
import { resolveFormat, writeJson, writeOut } from "../output.js";
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

/** `heapscope diff`. */
export async function diffAction(baseSpec: string, newSpec: string, options: DiffOptions): Promise<void> {
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
  const newOps = options.newOps !== undefined ? parsePositiveNumber(options.newOps, "--new-ops") : undefined;
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
}
