/**
 * The verdict: leak, no-leak or inconclusive, from the per-signal judgements of the trend engine
 * (signal-trend.ts; vocabulary growing / bounded / undecided / insufficient). The mapping:
 *
 * leak when any of:
 *   - the launched target ran out of memory (the strongest evidence: nothing else is needed);
 *   - the live heap after GC grows (live-heap-verdict.ts combines the sampled profile totals, the
 *     byte-exact HeapAlloc after forced GCs and the allocation sites that keep what they allocate;
 *     gctrace's live heap when there are neither);
 *   - live objects grow while the live heap in bytes has not been judged (no byte series);
 *   - the goroutine count grows;
 *   - memory outside the Go heap grows.
 *
 * no-leak when none of that holds, the live heap is bounded (signal-trend.ts: its growth is shown to
 * be below the relevance floor, or it returns to earlier levels), the goroutine count is bounded when
 * it was observed, and off-heap memory is not growing. Anything else is inconclusive, with what would
 * decide it.
 */
import { formatDuration } from "../model/units.js";
import type { SignalJudgement } from "./signal-trend.js";
import type { Verdict } from "./types.js";

export interface VerdictSignals {
  /** The combined live-heap judgement (live-heap-verdict.ts). */
  liveHeap?: SignalJudgement;
  liveObjects?: SignalJudgement;
  goroutines?: SignalJudgement;
  offHeap?: SignalJudgement;
  /** Resolution of the live-heap measurement (bytes): the profile sampling quantum. */
  liveHeapResolution?: number;
  outOfMemory?: string;
  /** Why there is no heap data at all ("no heap profile endpoint"). */
  missingHeapReason?: string;
}

export interface VerdictResult {
  verdict: Verdict;
  reasons: string[];
  /** Kinds of growth found: drives the suspect order and the summary. */
  leakKinds: ("heap" | "goroutines" | "off-heap" | "oom")[];
  toDecide: string | null;
}

export function decideVerdict(signals: VerdictSignals): VerdictResult {
  const reasons: string[] = [];
  const kinds = new Set<VerdictResult["leakKinds"][number]>();
  const { liveHeap, liveObjects, goroutines, offHeap } = signals;

  if (signals.outOfMemory) {
    reasons.push(signals.outOfMemory);
    kinds.add("oom");
  }
  if (liveHeap?.verdict === "growing") {
    reasons.push(sentence(liveHeap, "The " + liveHeap.name));
    kinds.add("heap");
  }
  if (
    !kinds.has("heap") &&
    liveObjects?.verdict === "growing" &&
    liveHeap?.verdict !== "bounded" &&
    liveHeap?.verdict !== "undecided"
  ) {
    reasons.push(sentence(liveObjects, `The number of ${liveObjects.name}`));
    kinds.add("heap");
  }
  if (goroutines?.verdict === "growing") {
    reasons.push(sentence(goroutines, GOROUTINES));
    kinds.add("goroutines");
  }
  if (offHeap?.verdict === "growing") {
    reasons.push(sentence(offHeap, "Memory outside the Go heap (RSS minus what the Go runtime holds)"));
    kinds.add("off-heap");
  }
  if (kinds.size > 0) return { verdict: "leak", reasons, leakKinds: [...kinds], toDecide: null };

  // No growth found: is that because it is bounded, or because the data cannot tell?
  const undecided: SignalJudgement[] = [];
  if (!liveHeap) {
    reasons.push(
      signals.missingHeapReason ??
        "There is no live-heap measurement (no heap profile, gctrace or MemStats).",
    );
    return {
      verdict: "inconclusive",
      reasons,
      leakKinds: [],
      toDecide:
        "Serve net/http/pprof (or expvar) from the program, or run it under `heapscope doctor -- CMD`.",
    };
  }
  const heapBounded = liveHeap.verdict === "bounded";
  if (heapBounded) reasons.push(sentence(liveHeap, `The ${liveHeap.name}`));
  else undecided.push(liveHeap);
  if (goroutines) {
    if (goroutines.verdict === "bounded") reasons.push(sentence(goroutines, GOROUTINES));
    else if (goroutines.verdict !== "insufficient") undecided.push(goroutines);
  }
  if (offHeap && offHeap.verdict === "bounded") reasons.push(sentence(offHeap, "Memory outside the Go heap"));

  if (undecided.length === 0 && heapBounded)
    return { verdict: "no-leak", reasons, leakKinds: [], toDecide: null };

  for (const signal of undecided)
    reasons.push(sentence(signal, signal === goroutines ? GOROUTINES : `The ${signal.name}`));
  const extra = Math.max(...undecided.map((s) => s.extraSecondsNeeded ?? 60), 60);
  const minutes = Math.max(1, Math.ceil(extra / 60));
  const coarse =
    liveHeap &&
    signals.liveHeapResolution &&
    signals.liveHeapResolution >= 65536 &&
    liveHeap.verdict !== "bounded";
  const toDecide = `Run ${minutes} more minute${minutes === 1 ? "" : "s"} (record ${formatDuration(liveHeap.spanSeconds + minutes * 60)} in all)${
    coarse
      ? ", or let heapscope launch the program (doctor -- CMD) so it can sample allocations more finely"
      : ""
  }.`;
  return { verdict: "inconclusive", reasons, leakKinds: [], toDecide };
}

const GOROUTINES = "The goroutine count";

/**
 * A judgement as a sentence: the engine's reasons are predicates ("grows 2 MiB/s …", "shows no
 * significant trend …"), the subject is the signal's.
 */
function sentence(signal: SignalJudgement, subject: string): string {
  const warmup =
    signal.verdict === "bounded" && signal.warmupSkipped && signal.regimeStartsSeconds.length <= 1
      ? ` after a warm-up that ended at ${signal.regimeStartSeconds.toFixed(0)} s`
      : "";
  return `${subject} ${signal.reason}${warmup}.`;
}
