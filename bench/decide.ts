/**
 * Deciding a benchmark target from repeated measurements. A target is "met" or "missed" only when
 * the whole uncertainty band of the estimate lies on one side of it; otherwise it is "unresolved":
 * this run cannot tell (typically a busy machine widening the band).
 *
 * The band is, by default, the distribution-free 95 % confidence interval of a quantile read from
 * the order statistics of the repeats (no assumption about the shape of the noise; for the median
 * of 5 repeats it is their min..max, for the p95 of 300 redraws the ranks around the 95th
 * percentile). A bench that measures its noise another way (record-overhead: the spread of its
 * unrecorded control) gives the estimate ± that noise.
 */

export type Decision = "met" | "missed" | "unresolved";

export interface Band {
  estimate: number;
  low: number;
  high: number;
}

export interface TargetResult extends Band {
  /** What is promised, e.g. "decode to columns ≥ 5× pprof-format". */
  target: string;
  /** Whether smaller or larger values are better. */
  better: "lower" | "higher";
  threshold: number;
  unit: string;
  decision: Decision;
  /** For a goal decided by counting runs (doctor's auto mode), what was counted; printed instead of the band. */
  detail?: string;
}

/**
 * The q-quantile of `samples` with its distribution-free 95 % confidence band: ranks
 * nq ± 1.96·√(nq(1−q)) of the sorted samples (normal approximation of the binomial), clamped to the
 * smallest and largest sample.
 */
export function quantileBand(samples: number[], q = 0.5): Band {
  if (samples.length === 0) throw new Error("no measurements to decide from");
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const at = (rank: number) => sorted[Math.min(n, Math.max(1, rank)) - 1]!;
  const half = 1.96 * Math.sqrt(n * q * (1 - q));
  const position = q * (n - 1);
  const below = sorted[Math.floor(position)]!;
  const above = sorted[Math.ceil(position)]!;
  return {
    estimate: below + (above - below) * (position - Math.floor(position)),
    low: at(Math.round(n * q - half)),
    high: at(Math.round(n * q + half) + 1),
  };
}

/** An estimate with a noise figure measured by the bench itself: estimate ± noise. */
export function bandAround(estimate: number, noise: number): Band {
  return { estimate, low: estimate - Math.abs(noise), high: estimate + Math.abs(noise) };
}

export function decide(
  target: string,
  band: Band,
  options: { threshold: number; better: "lower" | "higher"; unit?: string },
): TargetResult {
  const { threshold, better } = options;
  const decision: Decision =
    better === "lower"
      ? band.high < threshold
        ? "met"
        : band.low > threshold
          ? "missed"
          : "unresolved"
      : band.low > threshold
        ? "met"
        : band.high < threshold
          ? "missed"
          : "unresolved";
  return { target, better, threshold, unit: options.unit ?? "", ...band, decision };
}

function figure(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit}`;
}

/** "decode to columns ≥ 5× pprof-format: 7.10× (6.30×…8.00×): met" */
export function formatTarget(result: TargetResult): string {
  const { unit } = result;
  if (result.detail !== undefined) return `${result.target}: ${result.detail}: ${result.decision}`;
  return `${result.target}: ${figure(result.estimate, unit)} (${figure(result.low, unit)}…${figure(result.high, unit)}): ${result.decision}`;
}

/** A goal decided by counting runs (each run right or wrong), as a target of the summary. */
export function countedTarget(goal: string, decision: Decision, detail: string): TargetResult {
  return {
    target: goal,
    better: "higher",
    threshold: 1,
    unit: "",
    estimate: 0,
    low: 0,
    high: 0,
    decision,
    detail,
  };
}

/**
 * The closing summary of `npm run bench`: one line per target, and the exit status — with
 * `check`, 1 when a target was missed or a bench failed; without, 1 only when a bench failed.
 */
export function summarizeTargets(
  results: { bench: string; targets: TargetResult[]; error?: string }[],
  check: boolean,
): { lines: string[]; exitCode: number } {
  const lines = ["", "== targets =="];
  let missed = 0;
  let failed = 0;
  for (const { bench, targets, error } of results) {
    if (error !== undefined) {
      failed++;
      lines.push(`  ${bench}: failed: ${error}`);
      continue;
    }
    if (targets.length === 0) lines.push(`  ${bench}: no target decided`);
    for (const t of targets) {
      if (t.decision === "missed") missed++;
      lines.push(`  ${bench}: ${formatTarget(t)}`);
    }
  }
  const all = results.flatMap((r) => r.targets);
  const count = (d: Decision) => all.filter((t) => t.decision === d).length;
  lines.push(
    `${count("met")} met, ${missed} missed, ${count("unresolved")} unresolved${failed ? `, ${failed} bench(es) failed` : ""}`,
  );
  const exitCode = failed > 0 || (check && missed > 0) ? 1 : 0;
  return { lines, exitCode };
}
