/** `heapscope doctor`: what it does. Its arguments, options and help are in ../commands/doctor.ts. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { Command } from "commander";
import { AUTO_MIN_SECONDS } from "../../analysis/trend.js";
import {
  buildInfoOfCommand,
  inputFromProfiles,
  inputFromRecording,
  openRecordingForDoctor,
  type RecordingInputOptions,
} from "../../collect/doctor-input.js";
import { defaultEndpointUrls } from "../../collect/endpoint-discovery.js";
import type { RecordSessionOptions } from "../../collect/record-session.js";
import { diagnose } from "../../diagnose/diagnose.js";
import type { DiagnosisInput } from "../../diagnose/input.js";
import type { BuildInfo } from "../../diagnose/module-path.js";
import type { Diagnosis } from "../../diagnose/types.js";
import { InputError, UsageError } from "../../errors.js";
import { formatDurationMs } from "../../model/units.js";
import { renderDoctorHtml } from "../../render/doctor-html.js";
import { doctorJson } from "../../render/doctor-json.js";
import { renderDoctorMarkdown } from "../../render/doctor-markdown.js";
import { renderDoctorText } from "../../render/doctor-text.js";
import { looksLikeRecording } from "../../store/recording-reader.js";
import { DEFAULT_MAX_DURATION } from "../commands/doctor.js";
import { isInteractive, resolveFormat, writeJson, writeOut } from "../output.js";
import { parseByteSize, parseDurationMs, parseEnumList, parsePort } from "../parse-options.js";
import { AUTO_INTERVAL_MS, autoIntervalAt, VerdictLooks } from "./doctor-looks.js";

interface DoctorFlags {
  url?: string;
  /** `auto` (stop once the verdict holds) or a fixed window such as `30s`. */
  duration: string;
  /** With --duration auto: the longest observation (default 5m). */
  maxDuration?: string;
  interval?: string;
  out?: string;
  module?: string;
  gctrace?: string;
  html?: string;
  failOn?: string;
  sampleRate: string;
  verbose?: boolean;
  showOutput?: boolean;
  wait: string;
  format?: string;
  json?: boolean;
  markdown?: boolean;
  color?: boolean;
  ui?: boolean;
  uiHost?: string;
  uiPort?: string;
  hook?: boolean;
  build?: string;
  dumps?: string;
  keepDump?: boolean;
  sourcePath?: string;
}

/** Snapshots doctor wants over a fixed window: at least 10, about 24. */
const TARGET_SNAPSHOTS = 24;
const MIN_INTERVAL_MS = 500;

/** `heapscope doctor`: observe or read, diagnose, report; keep a --ui server up on a terminal. */
export async function runDoctorCommand(inputs: string[], flags: DoctorFlags, cmd: Command): Promise<void> {
  const format = resolveFormat(flags);
  const failOn =
    flags.failOn === undefined
      ? []
      : parseEnumList(flags.failOn, "--fail-on", ["leak", "inconclusive", "no-leak"] as const);
  // Operands after `--` are the program to launch; commander hands them over mixed with the others.
  const raw = (cmd.parent as (Command & { rawArgs?: string[] }) | null)?.rawArgs ?? process.argv;
  const dashIndex = raw.indexOf("--");
  const commandArgs = dashIndex >= 0 ? raw.slice(dashIndex + 1) : [];
  const positional =
    commandArgs.length > 0 ? inputs.slice(0, Math.max(0, inputs.length - commandArgs.length)) : inputs;
  // --build ./cmd/svc -- ARGS is `go run ./cmd/svc ARGS`: built with the hook, then run.
  const launchArgs = flags.build ? ["go", "run", flags.build, ...commandArgs] : commandArgs;
  const { diagnosis, extra } = await runDoctor(positional, launchArgs, flags);
  try {
    await reportDiagnosis(diagnosis, extra, flags, format, failOn);
    if (extra.ui && process.stdout.isTTY) {
      process.stderr.write(`heapscope ui: still serving ${extra.ui.url} (Ctrl-C to stop)\n`);
      await untilInterrupted();
    }
  } finally {
    await extra.release?.();
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}

async function reportDiagnosis(
  diagnosis: Diagnosis,
  extra: DoctorRun["extra"],
  flags: DoctorFlags,
  format: ReturnType<typeof resolveFormat>,
  failOn: string[],
): Promise<void> {
  {
    if (flags.html) {
      try {
        writeFileSync(flags.html, renderDoctorHtml(diagnosis, { generatedAt: new Date().toISOString() }));
      } catch (error) {
        throw new InputError(
          flags.html,
          `cannot write the HTML report (${(error as NodeJS.ErrnoException).code ?? error})`,
        );
      }
    }
    const htmlPath = flags.html ? path.resolve(flags.html) : undefined;
    if (format === "json") writeJson(doctorJson(diagnosis, { htmlPath, recordingPath: extra.recordingPath }));
    else if (format === "markdown") writeOut(renderDoctorMarkdown(diagnosis));
    else {
      const color = flags.color !== false && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
      writeOut(renderDoctorText(diagnosis, { color, verbose: flags.verbose, htmlPath }));
      if (extra.recordingPath) process.stderr.write(`heapscope: recording kept at ${extra.recordingPath}\n`);
    }
    if (failOn.includes(diagnosis.verdict)) process.exitCode = 1;
  }
}

interface UiAddress {
  host: string;
  port: number;
}

function uiAddress(flags: DoctorFlags): UiAddress | undefined {
  if (!flags.ui) return undefined;
  const port = flags.uiPort === undefined ? 0 : parsePort(flags.uiPort, "--ui-port");
  return { host: flags.uiHost ?? "127.0.0.1", port };
}

export interface DoctorRun {
  diagnosis: Diagnosis;
  extra: {
    recordingPath?: string;
    /** The --ui server, still serving. */
    ui?: { url: string };
    /** Closes the --ui server and removes a temporary recording; call once done with both. */
    release?: () => Promise<void>;
  };
}

/** Everything `doctor` does before rendering (also used by `demo`). */
export async function runDoctor(
  inputs: string[],
  commandArgs: string[],
  flags: DoctorFlags,
): Promise<DoctorRun> {
  if (flags.url || commandArgs.length > 0) {
    if (inputs.length > 0) {
      throw new UsageError(
        "give either --url/a command to record, or a recording/profiles to diagnose, not both",
      );
    }
    return recordAndDiagnose(commandArgs, flags);
  }
  if (inputs.length === 0) {
    throw new UsageError(
      "nothing to diagnose: give --url URL (and optionally -- CMD ARGS), a recording, or heap profiles",
    );
  }
  if (inputs.length === 1 && !inputs[0].includes("#") && looksLikeRecording(inputs[0])) {
    const address = uiAddress(flags);
    const reader = openRecordingForDoctor(inputs[0]);
    let diagnosis: Diagnosis;
    try {
      diagnosis = withDataDecision(
        diagnose(inputFromRecording(reader, { modulePath: flags.module })),
        "recording",
      );
    } finally {
      reader.close();
    }
    if (!address) return { diagnosis, extra: {} };
    const { startUiServer } = await import("../../ui/server/server.js");
    const server = await startUiServer({ inputs: [inputs[0]], host: address.host, port: address.port });
    server.adoptDiagnosis(diagnosis);
    process.stderr.write(`heapscope ui: ${server.url}\n`);
    return { diagnosis, extra: { ui: server, release: () => server.close() } };
  }
  if (inputs.length === 1) {
    const only = inputs[0];
    throw new InputError(
      only,
      "one heap profile cannot show growth: give a recording (.hsrec), three or more heap profiles in time order, or --url",
    );
  }
  const input = await inputFromProfiles(inputs, { gctrace: flags.gctrace, modulePath: flags.module });
  return { diagnosis: withDataDecision(diagnose(input), "profiles"), extra: {} };
}

/** Given data is judged once, at its end: the verdict took the data's whole span. */
function withDataDecision(diagnosis: Diagnosis, mode: "recording" | "profiles"): Diagnosis {
  const span = diagnosis.observation.spanSeconds;
  diagnosis.decision = { mode, timeToVerdictSeconds: span, observedSeconds: span };
  return diagnosis;
}

/** Keeps the last bytes of a launched program's output and spots the runtime's out-of-memory report. */
class OutputTail extends Writable {
  private text = "";
  constructor(private readonly passThrough: NodeJS.WritableStream | null) {
    super();
  }
  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    const piece = typeof chunk === "string" ? chunk : chunk.toString("utf8");
    this.text = (this.text + piece).slice(-65536);
    this.passThrough?.write(piece);
    callback();
  }
  outOfMemory(): string | undefined {
    const match = /fatal error: (runtime: out of memory|out of memory)[^\n]*/.exec(this.text);
    return match ? `the runtime printed "${match[0].trim()}"` : undefined;
  }
}

/** The heap-dump hook for a launched `go run` (unless --no-hook): the program is built with it. */
async function hookForLaunch(commandArgs: string[], env: NodeJS.ProcessEnv, flags: DoctorFlags) {
  const dumps = Number(flags.dumps ?? "1");
  if (!Number.isInteger(dumps) || dumps < 1 || dumps > 10)
    throw new UsageError(`--dumps: expected 1 to 10, got ${flags.dumps}`);
  if (flags.keepDump && !flags.out)
    throw new UsageError("--keep-dump needs --out: the dump goes into that recording");
  const { checkSourcePath } = await import("../../collect/go-source-files.js");
  const sourcePath = flags.sourcePath ? checkSourcePath(flags.sourcePath) : undefined;
  const { hookable, prepareDoctorHook, DoctorDumps } = await import("../../collect/doctor-heap-dumps.js");
  if (flags.hook === false || !hookable(commandArgs)) {
    if (flags.keepDump)
      throw new UsageError("--keep-dump needs a hooked launch: -- go run ... without --no-hook");
    return undefined;
  }
  const launch = await prepareDoctorHook(commandArgs, env);
  return { launch, dumps: new DoctorDumps(launch, { dumps, keep: flags.keepDump === true, sourcePath }) };
}

interface ObservationPlan {
  auto: boolean;
  /** The longest observation (auto) or the window (fixed). */
  durationMs: number;
  intervalMs: number;
  intervalAt?: (elapsedMs: number) => number;
}

function observationPlan(flags: DoctorFlags): ObservationPlan {
  const auto = flags.duration.trim().toLowerCase() === "auto";
  if (auto) {
    const durationMs = parseDurationMs(flags.maxDuration ?? DEFAULT_MAX_DURATION, "--max-duration");
    if (durationMs < AUTO_MIN_SECONDS * 1000) {
      throw new UsageError(
        `--max-duration must be at least ${AUTO_MIN_SECONDS}s, not "${flags.maxDuration}"`,
      );
    }
    if (flags.interval)
      return { auto, durationMs, intervalMs: parseDurationMs(flags.interval, "--interval") };
    return { auto, durationMs, intervalMs: AUTO_INTERVAL_MS, intervalAt: autoIntervalAt };
  }
  const durationMs = parseDurationMs(flags.duration, "--duration");
  const intervalMs = flags.interval
    ? parseDurationMs(flags.interval, "--interval")
    : Math.max(MIN_INTERVAL_MS, Math.floor(durationMs / TARGET_SNAPSHOTS));
  const snapshots = Math.floor(durationMs / intervalMs) + 1;
  if (snapshots < 10) {
    process.stderr.write(
      `heapscope: ${flags.duration} at one sample per ${formatDurationMs(intervalMs)} gives only ${snapshots} heap snapshots (10 or more are needed for a verdict)\n`,
    );
  }
  return { auto, durationMs, intervalMs };
}

/** A launched program's environment (finer heap sampling unless told otherwise) and build info. */
function launchSettings(
  commandArgs: string[],
  flags: DoctorFlags,
): { env: NodeJS.ProcessEnv; buildInfo?: BuildInfo } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (commandArgs.length === 0) return { env };
  const rate = flags.sampleRate.trim().toLowerCase();
  if (rate !== "default") {
    const bytes = parseByteSize(flags.sampleRate, "--sample-rate");
    const godebug = (env.GODEBUG ?? "").trim();
    if (!/(^|,)\s*memprofilerate=/.test(godebug)) {
      env.GODEBUG =
        godebug === "" ? `memprofilerate=${bytes}` : `${godebug.replace(/,+$/, "")},memprofilerate=${bytes}`;
    }
  }
  return { env, buildInfo: buildInfoOfCommand(commandArgs) };
}

/** What the record session of `doctor --url/-- CMD` samples, and how. */
function sessionOptions(
  flags: DoctorFlags,
  plan: ObservationPlan,
  run: {
    out: string;
    env: NodeJS.ProcessEnv;
    hook: Awaited<ReturnType<typeof hookForLaunch>>;
    output: OutputTail;
    commandArgs: string[];
  },
): RecordSessionOptions {
  const { out, env, hook, output, commandArgs } = run;
  // doctor needs the heap and goroutine profiles: name them rather than trusting a single discovery
  // pass, which can run while a launched program is still starting to listen (a missing endpoint
  // then shows as per-sample errors and an inconclusive verdict saying so).
  const endpoints = flags.url ? defaultEndpointUrls(flags.url) : undefined;
  return {
    out,
    overwrite: !flags.out,
    url: flags.url,
    endpoints: endpoints ? { heap: endpoints.heap, goroutine: endpoints.goroutine } : undefined,
    intervalMs: plan.intervalMs,
    intervalAt: plan.intervalAt,
    durationMs: plan.durationMs,
    forceGc: true,
    // A few dumps give goroutine states and wait times without the cost of one per sample.
    dumpEvery: 6,
    command: hook
      ? [hook.launch.command, ...hook.launch.args]
      : commandArgs.length > 0
        ? commandArgs
        : undefined,
    env: hook ? hook.launch.env : env,
    ...(hook ? { beforeStop: hook.dumps.beforeStop } : {}),
    stdout: output,
    stderr: output,
    waitForUrlMs: parseDurationMs(flags.wait, "--wait"),
  };
}

async function recordAndDiagnose(commandArgs: string[], flags: DoctorFlags): Promise<DoctorRun> {
  const plan = observationPlan(flags);
  const tempDir = flags.out ? null : mkdtempSync(path.join(tmpdir(), "heapscope-doctor-"));
  const out = flags.out ?? path.join(tempDir!, "doctor.hsrec");
  const { env, buildInfo } = launchSettings(commandArgs, flags);
  const hook = await hookForLaunch(commandArgs, env, flags);
  const output = new OutputTail(flags.showOutput ? process.stderr : null);
  const options = sessionOptions(flags, plan, { out, env, hook, output, commandArgs });
  const { RecordSession } = await import("../../collect/record-session.js");
  const session = new RecordSession(options);
  const address = uiAddress(flags);
  let ui: { url: string; close(): Promise<void>; adoptDiagnosis(d: Diagnosis): void } | undefined;
  let keepTempDir = false;
  // The UI's "end" event waits until the page can be given the verdict printed here.
  let handOver = () => {};
  const verdictHandedOver = new Promise<void>((resolve) => {
    handOver = resolve;
  });
  const release = async () => {
    await ui?.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
  const inputOptions = {
    modulePath: flags.module,
    buildInfo,
    launched: commandArgs.length > 0,
    requestedDurationSeconds: plan.auto ? undefined : plan.durationMs / 1000,
  };
  const looks = new VerdictLooks(out, inputOptions, plan.durationMs / 1000);
  const missingEndpoints: string[] = [];
  session.on("started", ({ probes }) => {
    for (const probe of probes) {
      if (!probe.found && (probe.name === "heap" || probe.name === "goroutine" || probe.name === "vars")) {
        missingEndpoints.push(`${probe.name} (${probe.url}: ${probe.detail})`);
      }
    }
    if (isInteractive()) {
      const how = plan.auto
        ? `until the verdict holds (at most ${formatSeconds(plan.durationMs / 1000)})`
        : `for ${flags.duration}`;
      process.stderr.write(`heapscope: observing ${flags.url ?? commandArgs.join(" ")} ${how}…\n`);
    }
  });
  // auto: every sample may be a look; the first that decides ends the observation.
  session.on("sample", ({ atMs }) => {
    if (!plan.auto) {
      looks.noteSample(atMs);
      return;
    }
    if (looks.onSample(atMs)) session.stop();
  });
  const stop = () => session.stop();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    if (address) {
      // Live like `record --ui`: the recording appears once the session has created it.
      const { startUiServer } = await import("../../ui/server/server.js");
      const { watchRecordSession } = await import("../../ui/server/live.js");
      const server = await startUiServer({ live: true, host: address.host, port: address.port, warm: false });
      watchRecordSession(server, session, { endAfter: verdictHandedOver });
      ui = server;
      process.stderr.write(`heapscope ui: ${server.url}\n`);
    }
    const result = await session.run();
    if (result.urlNeverAnswered && flags.url) {
      process.stderr.write(`heapscope: ${flags.url} never answered; diagnosing from gctrace and RSS only\n`);
    }
    const finalOptions: RecordingInputOptions = {
      ...inputOptions,
      outOfMemoryEvidence: output.outOfMemory(),
    };
    const extendInput = (input: DiagnosisInput) => {
      if (result.urlNeverAnswered && flags.url) input.notes?.push(`${flags.url} never answered.`);
      if (missingEndpoints.length > 0) input.notes?.push(`Not sampled: ${missingEndpoints.join("; ")}.`);
    };
    let diagnosis = plan.auto
      ? decideAuto(looks, finalOptions, extendInput, plan)
      : decideFixed(out, finalOptions, extendInput, looks.firstSampleAtMs, plan);
    if (hook)
      diagnosis = await (await import("../../collect/doctor-retention.js")).addRetention(
        diagnosis,
        hook.dumps,
      );
    ui?.adoptDiagnosis(diagnosis);
    handOver();
    const extra: DoctorRun["extra"] = flags.out ? { recordingPath: path.resolve(out) } : {};
    if (ui) {
      // The UI reads the (possibly temporary) recording until it is closed.
      keepTempDir = true;
      extra.ui = ui;
      extra.release = release;
    }
    return { diagnosis, extra };
  } finally {
    handOver();
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await hook?.launch.cleanup();
    if (!keepTempDir) await release();
  }
}

/** auto: the look that decided, or the last look on the whole recording. */
function decideAuto(
  looks: VerdictLooks,
  finalOptions: RecordingInputOptions,
  extendInput: (input: DiagnosisInput) => void,
  plan: ObservationPlan,
): Diagnosis {
  const decided = looks.decided ?? looks.finalLook(finalOptions, extendInput);
  const first = looks.firstSampleAtMs;
  decided.diagnosis.decision = {
    mode: "auto",
    timeToVerdictSeconds: first === null ? null : (decided.decidedAtMs - first) / 1000,
    observedSeconds: decided.diagnosis.observation.spanSeconds,
    samplingIntervalSeconds: plan.intervalMs / 1000,
    look: decided.look,
  };
  return decided.diagnosis;
}

/** A fixed window: one judgement of the whole recording. */
function decideFixed(
  recordingPath: string,
  inputOptions: RecordingInputOptions,
  extendInput: (input: DiagnosisInput) => void,
  firstSampleMs: number | null,
  plan: ObservationPlan,
): Diagnosis {
  const reader = openRecordingForDoctor(recordingPath);
  let diagnosis: Diagnosis;
  try {
    const input = inputFromRecording(reader, inputOptions);
    extendInput(input);
    diagnosis = diagnose(input);
  } finally {
    reader.close();
  }
  diagnosis.decision = {
    mode: "fixed",
    timeToVerdictSeconds: firstSampleMs === null ? null : (Date.now() - firstSampleMs) / 1000,
    observedSeconds: diagnosis.observation.spanSeconds,
    samplingIntervalSeconds: plan.intervalMs / 1000,
  };
  return diagnosis;
}

function formatSeconds(seconds: number): string {
  return seconds >= 120 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds)} s`;
}
