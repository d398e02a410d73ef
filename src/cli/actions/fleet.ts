/** `heapscope fleet`: what it does. Its arguments, options and help are in ../commands/fleet.ts. */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InputError, UsageError } from "../../errors.js";
import { FAIL_ON } from "../commands/fleet.js";
import { resolveFormat, writeJson, writeOut } from "../output.js";
import { parseByteSize, parseDurationMs } from "../parse-options.js";

interface FleetFlags {
  prometheus?: string;
  selector?: string;
  range: string;
  end?: string;
  step: string;
  header: string[];
  cacert?: string;
  timeout: string;
  maxResponse: string;
  concurrency: string;
  versionLabel?: string;
  doctor: string;
  pprofUrl?: string;
  doctorDuration: string;
  doctorConcurrency: string;
  html?: string;
  ui?: boolean;
  uiHost?: string;
  uiPort?: string;
  failOn?: string;
  goroutines: boolean;
  verbose?: boolean;
  format?: string;
  json?: boolean;
  markdown?: boolean;
}

export async function runFleet(flags: FleetFlags): Promise<void> {
  const format = resolveFormat(flags);
  const failOn = parseFailOn(flags.failOn);
  const options = collectOptions(flags);
  const doctorCount = positiveInteger(flags.doctor, "--doctor", true);
  if (doctorCount > 0 && !flags.pprofUrl)
    throw new UsageError("--doctor needs --pprof-url, such as 'http://{instance}/debug/pprof'");
  const drill = await import("./fleet-drill-down.js");
  if (flags.pprofUrl) drill.templateLabels(flags.pprofUrl);
  const [{ collectFleet }, { FleetJudge }] = await Promise.all([
    import("../../collect/prometheus/fleet-input.js"),
    import("../../diagnose/fleet/fleet.js"),
  ]);
  let judge: InstanceType<typeof FleetJudge> | undefined;
  const { query, notes } = await collectFleet(options, ({ startSeconds, stepSeconds }) => {
    judge = new FleetJudge({ rangeStartSeconds: startSeconds, stepSeconds, goroutines: flags.goroutines });
    return judge;
  });
  if (!judge) throw new Error("fleet: the collector ended without a step");
  const report = judge.report(query, notes);
  if (doctorCount > 0) {
    report.drillDown = await drill.drillDown(report, {
      count: doctorCount,
      template: flags.pprofUrl!,
      concurrency: positiveInteger(flags.doctorConcurrency, "--doctor-concurrency"),
      maxDuration: flags.doctorDuration,
    });
  }
  await writeReports(report, flags, format);
  if (flags.ui) await serveReport(report, flags);
  const tripped =
    report.instances.some((i) => failOn.includes(i.verdict)) ||
    (failOn.includes("unjudged") && report.unjudged.length > 0);
  if (tripped) process.exitCode = 1;
}

async function writeReports(
  report: import("../../diagnose/fleet/types.js").FleetReport,
  flags: FleetFlags,
  format: ReturnType<typeof resolveFormat>,
): Promise<void> {
  if (flags.html) {
    const { renderFleetHtml } = await import("../../render/fleet-html.js");
    try {
      writeFileSync(flags.html, renderFleetHtml(report, { generatedAt: new Date().toISOString() }));
    } catch (error) {
      throw new InputError(
        flags.html,
        `cannot write the HTML report (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
    }
  }
  if (format === "json") {
    const { fleetJson } = await import("../../render/fleet-json.js");
    writeJson({ ...fleetJson(report), ...(flags.html ? { htmlPath: path.resolve(flags.html) } : {}) });
  } else if (format === "markdown") {
    const { renderFleetMarkdown } = await import("../../render/fleet-markdown.js");
    writeOut(renderFleetMarkdown(report));
  } else {
    const { renderFleetText } = await import("../../render/fleet-text.js");
    writeOut(renderFleetText(report, { verbose: flags.verbose }));
  }
}

/** fleet --ui: the report in the web UI; on a terminal until Ctrl-C, otherwise closed with the command. */
async function serveReport(
  report: import("../../diagnose/fleet/types.js").FleetReport,
  flags: FleetFlags,
): Promise<void> {
  const port = Number(flags.uiPort ?? "0");
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--ui-port must be 0-65535, not "${flags.uiPort}"`);
  const [{ startUiServer }, { fleetJson }, { renderFleetHtml }] = await Promise.all([
    import("../../ui/server/server.js"),
    import("../../render/fleet-json.js"),
    import("../../render/fleet-html.js"),
  ]);
  const generatedAt = new Date().toISOString();
  const server = await startUiServer({
    host: flags.uiHost,
    port,
    warm: false,
    fleet: { json: () => fleetJson(report), html: () => renderFleetHtml(report, { generatedAt }) },
  });
  const url = new URL(server.url);
  url.pathname = "/fleet";
  process.stderr.write(`heapscope ui: ${url.href}\n`);
  if (!process.stdout.isTTY) {
    await server.close();
    return;
  }
  process.stderr.write("heapscope ui: serving the fleet report (Ctrl-C to stop)\n");
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await server.close();
}

function collectOptions(flags: FleetFlags) {
  if (!flags.prometheus)
    throw new UsageError(
      "--prometheus URL is required (the server's base URL, such as http://127.0.0.1:9090)",
    );
  const rangeSeconds = parseDurationMs(flags.range, "--range") / 1000;
  const endSeconds = parseEnd(flags.end ?? "now");
  const step = flags.step.trim().toLowerCase();
  const stepSeconds =
    step === "auto" ? undefined : Math.max(1, Math.round(parseDurationMs(flags.step, "--step") / 1000));
  if (stepSeconds !== undefined && rangeSeconds / stepSeconds < 2)
    throw new UsageError(`--step ${flags.step} leaves fewer than two steps in --range ${flags.range}`);
  return {
    prometheus: flags.prometheus,
    selector: flags.selector,
    rangeSeconds,
    endSeconds,
    stepSeconds,
    headers: parseHeaders(flags.header),
    ca: readCa(flags.cacert),
    timeoutMs: parseDurationMs(flags.timeout, "--timeout"),
    maxResponseBytes: parseByteSize(flags.maxResponse, "--max-response"),
    concurrency: positiveInteger(flags.concurrency, "--concurrency"),
    versionLabel: flags.versionLabel,
  };
}

/** RFC 3339, Unix seconds, or now. */
export function parseEnd(text: string): number {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.toLowerCase() === "now") return Math.floor(Date.now() / 1000);
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const ms = Date.parse(trimmed);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed) || Number.isNaN(ms))
    throw new UsageError(
      `--end takes an RFC 3339 time (2024-05-01T12:00:00Z), Unix seconds or now, not "${text}"`,
    );
  return ms / 1000;
}

function parseHeaders(list: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const header of list) {
    const match = /^([^:\s]+)\s*:\s*(.*)$/.exec(header);
    if (!match) throw new UsageError(`--header must look like "Name: value", not "${header.split(":")[0]}…"`);
    headers[match[1]] = match[2];
  }
  return headers;
}

function readCa(file: string | undefined): Buffer | undefined {
  if (!file) return undefined;
  let ca: Buffer;
  try {
    ca = readFileSync(file);
  } catch (error) {
    throw new InputError(
      file,
      `cannot read the CA certificate (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  if (!ca.toString("latin1").includes("-----BEGIN CERTIFICATE-----"))
    throw new InputError(file, "not a PEM certificate (expected -----BEGIN CERTIFICATE-----)");
  return ca;
}

function positiveInteger(text: string, flag: string, zeroAllowed = false): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < (zeroAllowed ? 0 : 1))
    throw new UsageError(`${flag} takes a whole number${zeroAllowed ? "" : " ≥ 1"}, not "${text}"`);
  return n;
}

function parseFailOn(value: string | undefined): string[] {
  if (value === undefined) return [];
  const verdicts = value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
  for (const v of verdicts)
    if (!FAIL_ON.includes(v))
      throw new UsageError(`--fail-on takes ${FAIL_ON.join(", ")} (comma-separated), not "${v}"`);
  return verdicts;
}
