/**
 * Replays doctor --duration auto on kept recordings: each recording is judged, truncated at each
 * planned look, exactly as the looks judged it while it grew (cli/actions/doctor-looks.ts, the same
 * class, with the recording limited to what had been written by the look's sample), and the look
 * that decided, the verdict and the top suspect are printed. A cheap before/after comparison of the
 * trend engine and the look schedule, without running the Go programs again.
 *
 *   npx tsx scripts/replay-looks.ts [--json OUT.json] [--truth DIR] [--max SECONDS] [--development] PATH...
 *
 * PATH: .hsrec files or folders of them (e.g. a CI run's test/.work/doctor-recordings). The scenario
 * is the file name minus `-N.hsrec`; its truth is DIR/SCENARIO/truth.json (default: the corpus
 * scenarios). Runs 1 and 3 of the corpus are built with Go 1.27.3, run 2 with Go 1.26.8 (a truth
 * may differ per toolchain). The maximum is the recording's own (its settings), unless --max.
 *
 * A recording that ended at a look the engine of its day decided ("stopped") only holds data up to
 * then: if the replayed looks have not decided by its end, the replay says "open" (the run would
 * have gone on). A recording that reached its maximum (or whose program exited) gets the last look
 * on the whole recording, as doctor does.
 *
 * --development skips the held-out scenarios (truth.json heldOut): rules are developed without them
 * and measured on them only once they are final.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { VerdictLooks } from "../src/cli/actions/doctor-looks.js";
import type { Diagnosis } from "../src/diagnose/types.js";
import { openRecording } from "../src/store/recording-reader.js";

interface Truth {
  verdict: "leak" | "no-leak";
  kind?: string;
  function?: string;
  file?: string;
  line?: number;
  holder?: string;
  replacement?: string;
  heldOut?: boolean;
  toolchains?: Record<string, Omit<Truth, "toolchains">>;
}

export interface ReplayResult {
  file: string;
  scenario: string;
  run: number;
  heldOut: boolean;
  /** Seconds the recording spans (first to last sample start). */
  recordedSeconds: number;
  endReason: string | null;
  /** leak / no-leak / inconclusive, or "open" when the recording ended before a replayed look decided. */
  verdict: string;
  lookSeconds: number | null;
  lookIndex: number | null;
  top: string | null;
  outcome: "right" | "wrong" | "inconclusive" | "open" | "no-truth";
}

const GO_CURRENT = "go1.27.3";
const GO_DEFAULT = "go1.26.8";

interface Args {
  paths: string[];
  json?: string;
  truthDir: string;
  max?: number;
  development: boolean;
}

function parseArgs(argv: string[]): Args {
  const paths: string[] = [];
  let development = false;
  let json: string | undefined;
  let truthDir = path.join(import.meta.dirname, "..", "test", "e2e", "doctor", "scenarios");
  let max: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--json") json = argv[++i];
    else if (arg === "--truth") truthDir = argv[++i];
    else if (arg === "--max") max = Number(argv[++i]);
    else if (arg === "--development") development = true;
    else paths.push(arg);
  }
  return { paths, json, truthDir, max, development };
}

function recordingFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) if (name.endsWith(".hsrec")) out.push(path.join(p, name));
    } else out.push(p);
  }
  return out;
}

function truthOf(truthDir: string, scenario: string, run: number): Truth | null {
  const file = path.join(truthDir, scenario, "truth.json");
  if (!existsSync(file)) return null;
  const truth = JSON.parse(readFileSync(file, "utf8")) as Truth;
  // The corpus alternates toolchains: runs 1 and 3 with the current release, run 2 with the default.
  const toolchain = (run - 1) % 2 === 0 ? GO_CURRENT : GO_DEFAULT;
  const other = truth.toolchains?.[toolchain];
  return other ? { heldOut: truth.heldOut, ...other } : truth;
}

/** The corpus's rule (test/e2e/doctor/corpus.test.ts `matches`), on a Diagnosis. */
function matches(truth: Truth, d: Diagnosis): boolean {
  if (d.verdict !== truth.verdict) return false;
  if (truth.holder !== undefined && d.liveHeapBySite[0]?.function !== truth.holder) return false;
  const replacement = d.suspects.find((s) => s.function === truth.replacement);
  if (replacement && replacement.heap?.role !== "replacement") return false;
  if (truth.verdict === "no-leak") return true;
  const top = d.suspects[0];
  if (!top) return truth.function === undefined && truth.kind === undefined;
  if (truth.kind === "off-heap" && top.kind === "off-heap") return true;
  if (truth.function === undefined) return truth.kind === undefined || truth.kind === top.kind;
  if (top.function === truth.function) return true;
  return (
    truth.file !== undefined &&
    truth.line !== undefined &&
    path.basename(top.file) === truth.file &&
    Math.abs(top.line - truth.line) <= 2
  );
}

function scenarioOf(file: string): { scenario: string; run: number } {
  const base = path.basename(file, ".hsrec");
  const m = /^(.*)-(\d+)$/.exec(base);
  return m ? { scenario: m[1], run: Number(m[2]) } : { scenario: base, run: 1 };
}

function isHeldOut(truthDir: string, file: string): boolean {
  const { scenario, run } = scenarioOf(file);
  return truthOf(truthDir, scenario, run)?.heldOut === true;
}

export function replayRecording(file: string, truthDir: string, maxOverride?: number): ReplayResult {
  const { scenario, run } = scenarioOf(file);
  const reader = openRecording(file);
  const samples = reader.samples();
  const maxSeconds = maxOverride ?? (reader.settings?.durationMs ?? 300_000) / 1000;
  const endReason = reader.endReason;
  reader.close();
  const first = samples[0]?.startedMs ?? 0;
  const recordedSeconds = samples.length > 0 ? (samples[samples.length - 1].startedMs - first) / 1000 : 0;
  let nowMs = first;
  const looks = new VerdictLooks(file, {}, maxSeconds, () => nowMs);
  for (const sample of samples) {
    nowMs = sample.startedMs;
    if (looks.onSample(sample.startedMs)) break;
  }
  // The last look happens when the observation ended by itself: the maximum, or the program exited.
  const reachedEnd = endReason === "duration" || endReason === "target-exited";
  const decided = looks.decided ?? (reachedEnd ? looks.finalLook({}, () => {}) : null);
  const truth = truthOf(truthDir, scenario, run);
  const verdict = decided ? decided.diagnosis.verdict : "open";
  const top = decided?.diagnosis.suspects[0];
  let outcome: ReplayResult["outcome"];
  if (!decided) outcome = "open";
  else if (!truth) outcome = "no-truth";
  else if (verdict === "inconclusive") outcome = "inconclusive";
  else outcome = matches(truth, decided.diagnosis) ? "right" : "wrong";
  return {
    file,
    scenario,
    run,
    heldOut: truth?.heldOut === true,
    recordedSeconds,
    endReason,
    verdict,
    lookSeconds: decided ? decided.look.atSeconds : null,
    lookIndex: decided ? decided.look.index : null,
    top: top ? `${top.kind}:${top.function}` : null,
    outcome,
  };
}

function summarize(results: ReplayResult[]): string {
  const byScenario = new Map<string, ReplayResult[]>();
  for (const r of results) byScenario.set(r.scenario, [...(byScenario.get(r.scenario) ?? []), r]);
  const lines = ["scenario                              right wrong inconc open  looks that decided (s)"];
  const totals = { right: 0, wrong: 0, inconclusive: 0, open: 0 };
  for (const [scenario, rs] of [...byScenario].sort(([a], [b]) => a.localeCompare(b))) {
    const count = (o: ReplayResult["outcome"]) => rs.filter((r) => r.outcome === o).length;
    const looks = rs
      .filter((r) => r.lookSeconds !== null)
      .map((r) => r.lookSeconds)
      .sort((a, b) => a! - b!)
      .join(",");
    for (const key of ["right", "wrong", "inconclusive", "open"] as const) totals[key] += count(key);
    const name = `${scenario}${rs[0].heldOut ? " (held out)" : ""}`;
    lines.push(
      `${name.padEnd(38)}${String(count("right")).padStart(5)}${String(count("wrong")).padStart(6)}${String(count("inconclusive")).padStart(7)}${String(count("open")).padStart(5)}  ${looks}`,
    );
  }
  lines.push(
    `total: ${results.length} recordings, right ${totals.right}, wrong ${totals.wrong}, inconclusive ${totals.inconclusive}, open ${totals.open}`,
  );
  return lines.join("\n");
}

function main(): void {
  const { paths, json, truthDir, max, development } = parseArgs(process.argv.slice(2));
  if (paths.length === 0) {
    process.stderr.write(
      "usage: tsx scripts/replay-looks.ts [--json OUT] [--truth DIR] [--max S] [--development] PATH...\n",
    );
    process.exit(2);
  }
  const results: ReplayResult[] = [];
  for (const file of recordingFiles(paths)) {
    if (development && isHeldOut(truthDir, file)) continue;
    const r = replayRecording(file, truthDir, max);
    results.push(r);
    process.stderr.write(
      `${r.outcome.padEnd(12)} ${r.verdict.padEnd(12)} look ${String(r.lookSeconds ?? "-").padStart(3)} s  ${r.top ?? "-"}  ${file} (${r.recordedSeconds.toFixed(0)} s, ${r.endReason})\n`,
    );
  }
  if (json) writeFileSync(json, `${JSON.stringify(results, null, 1)}\n`);
  process.stdout.write(`${summarize(results)}\n`);
}

main();
