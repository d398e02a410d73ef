/**
 * Hypotheses about why a suspect grows and how to fix it, each with the evidence that points to it.
 * They read the suspect's stack, its object sizes and, when the source is readable, the allocating
 * line and the bodies of the program's functions on the stack. They are hints, not findings: a heap
 * profile shows where memory was allocated, not what still references it.
 */
import { formatBytes } from "../model/units.js";
import { type Found, type HeapSuspectFacts, hasFrame, heapHints } from "./heap-hints.js";
import type { ModuleContext } from "./module-path.js";
import { SourceCache } from "./source-cache.js";
import type { Hint } from "./types.js";

export type { HeapSuspectFacts } from "./heap-hints.js";

export interface HintContext {
  module: ModuleContext;
  readSource?: (file: string) => string | undefined;
  /** Timers and tickers are only collected once they fire or stop (pre-Go 1.23 semantics). */
  timersPre123: boolean | undefined;
  /** Why timersPre123 is believed (`go.mod says go 1.21`). */
  timersReason?: string;
  /** The module's go line allows `clear` and `slices.Delete` (Go 1.21/1.22+). */
  goVersion?: [number, number];
  samplingRateBytes: number | null;
}

export interface GoroutineSuspectFacts {
  function: string;
  frames: { func: string; file?: string; line?: number }[];
  state: string | null;
  waitMinutes: number | null;
  createdBy: string | null;
  growthPerSecond: number;
  /** The program's function issuing the HTTP requests, for net/http connection goroutines. */
  requester?: string;
}

export interface HintSet {
  /** One line per suspect, keyed by suspect function + line. */
  oneLiners: Map<string, string>;
  hints: Hint[];
}

export function suspectKey(fn: string, line: number): string {
  return `${fn}:${line}`;
}

export function buildHints(
  heap: HeapSuspectFacts[],
  goroutines: GoroutineSuspectFacts[],
  offHeapGrowing: boolean,
  stacksGrowing: boolean,
  context: HintContext,
): HintSet {
  const source = new SourceCache(context.readSource);
  const oneLiners = new Map<string, string>();
  const hints: Hint[] = [];
  const add = (key: string, hint: Hint, oneLiner: string): void => {
    if (!oneLiners.has(key)) oneLiners.set(key, oneLiner);
    if (!hints.some((h) => h.title === hint.title && h.suspect === hint.suspect)) hints.push(hint);
  };

  for (const suspect of goroutines.slice(0, 3)) {
    for (const found of goroutineHints(suspect))
      add(suspectKey(suspect.function, 0), found.hint, found.oneLiner);
  }
  for (const suspect of heap.slice(0, 5)) {
    const key = suspectKey(suspect.function, suspect.line);
    for (const found of heapHints(suspect, source, context)) add(key, found.hint, found.oneLiner);
    if (!oneLiners.has(key)) {
      oneLiners.set(
        key,
        "Objects allocated here stay reachable; find what keeps them (a global, a map or slice, a cache, a goroutine) and release them.",
      );
    }
  }
  if (offHeapGrowing) {
    hints.push({
      title: "Memory grows outside the Go heap",
      hypothesis:
        "Resident memory grows while the Go runtime's own memory does not, so the growth is in native allocations: cgo (C.malloc without C.free, C libraries' caches), mmap'd regions never unmapped, or memory a C library holds.",
      evidence: ["RSS minus (Sys − HeapReleased) grows; heap profiles cannot see this memory"],
      fix: "Compare /proc/PID/smaps (or pmap -x PID) over time to see which mappings grow; check every C allocation has a matching free and every syscall.Mmap a Munmap.",
    });
  }
  if (stacksGrowing && goroutines.length === 0) {
    hints.push({
      title: "Goroutine stacks grow",
      hypothesis:
        "StackInuse grows: more goroutines, or deeper ones, are alive over time. Heap profiles do not show stack memory.",
      evidence: ["MemStats StackInuse grows"],
      fix: "Take goroutine dumps (/debug/pprof/goroutine?debug=2) some minutes apart and compare the groups (heapscope goroutines A B).",
    });
  }
  const noisy = heap.find((s) => s.withinSamplingNoise);
  if (noisy) {
    const rate = context.samplingRateBytes ?? 524288;
    hints.push({
      title: "Sampling leaves this growth within noise",
      hypothesis: `The heap profile samples about one allocation per ${formatBytes(rate)}, so ${noisy.function}'s growth rests on a handful of samples; its rate and rank are rough.`,
      evidence: [
        `${noisy.function}: growth of ${formatBytes(noisy.growthBytesPerSecond)}/s at a sampling rate of ${formatBytes(rate)}`,
      ],
      fix: [
        "Get exact counts with a file compiled only under a debug build tag, e.g. memprofile_debug.go:",
        "  //go:build memprofile",
        "  package main",
        '  import "runtime"',
        "  func init() { runtime.MemProfileRate = 1 }",
        "then build with `go build -tags memprofile` (or run with GODEBUG=memprofilerate=1; heapscope doctor -- CMD sets a finer rate itself).",
      ].join("\n"),
      suspect: noisy.function,
    });
  }
  return { oneLiners, hints };
}

function goroutineHints(suspect: GoroutineSuspectFacts): Found[] {
  const out: Found[] = [];
  const frames = suspect.frames.map((f) => ({ func: f.func }));
  const state = suspect.state ?? "";
  const waited = suspect.waitMinutes ? `, some blocked for ${suspect.waitMinutes} minutes` : "";
  const transport = hasFrame(frames, /^net\/http\.\(\*persistConn\)\.(readLoop|writeLoop)$/);
  if (transport) {
    const where = suspect.requester ? ` in ${suspect.requester}` : "";
    out.push({
      hint: {
        title: "HTTP response bodies never closed",
        hypothesis: `Each HTTP client connection keeps a ${transport.replace("net/http.", "")} goroutine while its response body is open; they pile up when bodies are not closed${where}, so connections are never reused.`,
        evidence: [
          `growing goroutine group ${transport} (+${suspect.growthPerSecond.toFixed(2)}/s)${waited}`,
        ],
        fix: "Close every response body (defer resp.Body.Close() right after the error check), also when you ignore it; drain it (io.Copy(io.Discard, resp.Body)) to let the connection be reused.",
        suspect: suspect.requester ?? suspect.function,
      },
      oneLiner: `Response bodies are not closed${where}: defer resp.Body.Close() after every request.`,
    });
    return out;
  }
  const channelOp =
    /chan send|chan receive|select/.test(state) || hasFrame(frames, /^runtime\.(chansend|chanrecv|selectgo)/);
  if (channelOp) {
    const sending = state.includes("send") || hasFrame(frames, /^runtime\.chansend/) !== undefined;
    out.push({
      hint: {
        title: sending
          ? "Goroutines blocked sending on a channel nobody reads"
          : "Goroutines blocked on a channel that never delivers",
        hypothesis: sending
          ? `Goroutines in ${suspect.function} wait forever to send: the receiver gave up (a timeout or an early return) and nothing reads the channel any more.`
          : `Goroutines in ${suspect.function} wait forever to receive: the sender or the closer is gone.`,
        evidence: [
          `${suspect.function}: +${suspect.growthPerSecond.toFixed(2)} goroutines/s${state ? `, state "${state}"` : ""}${waited}`,
        ],
        fix: sending
          ? "Give the channel a buffer (make(chan T, 1)) so the sender can always finish, or select on ctx.Done() beside the send and cancel the context when the receiver leaves."
          : "Close the channel when the producer is done, or select on ctx.Done() and cancel the context.",
        suspect: suspect.function,
      },
      oneLiner: sending
        ? "Goroutines block sending on a channel nobody reads: buffer it or cancel with a context."
        : "Goroutines block receiving on a channel nobody closes: close it or cancel with a context.",
    });
  } else if (/sync\.|semacquire|Mutex|WaitGroup|Cond/.test(state)) {
    out.push({
      hint: {
        title: "Goroutines blocked on a lock or WaitGroup",
        hypothesis: `Goroutines in ${suspect.function} wait on a lock, condition or WaitGroup that is never released or completed.`,
        evidence: [`state "${state}"${waited}`],
        fix: "Find the matching Unlock/Done that an early return skips (defer it), or bound the wait with a context.",
        suspect: suspect.function,
      },
      oneLiner: "Goroutines wait on a lock or WaitGroup that is never released.",
    });
  } else if (/IO wait/.test(state)) {
    out.push({
      hint: {
        title: "Connections left open",
        hypothesis: `Goroutines in ${suspect.function} wait for network input on connections that are never closed.`,
        evidence: [`state "IO wait"${waited}`],
        fix: "Close connections when done and set read deadlines (or server timeouts: ReadTimeout, IdleTimeout).",
        suspect: suspect.function,
      },
      oneLiner: "Goroutines wait on connections that are never closed: close them or set deadlines.",
    });
  }
  if (hasFrame(frames, /^context\./) || (suspect.createdBy ?? "").startsWith("context.")) {
    out.push({
      hint: {
        title: "Contexts never cancelled",
        hypothesis: "Goroutines started for contexts stay until the context is cancelled.",
        evidence: [`${suspect.function} runs context code`],
        fix: "Call the cancel function of every context.WithCancel/WithTimeout (defer cancel()).",
        suspect: suspect.function,
      },
      oneLiner: "Contexts are never cancelled: defer cancel().",
    });
  }
  if (out.length === 0) {
    out.push({
      hint: {
        title: "Goroutines that never exit",
        hypothesis: `Goroutines in ${suspect.function} are started faster than they finish.`,
        evidence: [
          `+${suspect.growthPerSecond.toFixed(2)} goroutines/s${state ? `, state "${state}"` : ""}${waited}`,
        ],
        fix: "Give each goroutine a way to stop (a context, a closed channel) and make sure the code that starts it also stops it.",
        suspect: suspect.function,
      },
      oneLiner: "Goroutines are started faster than they exit: give each one a way to stop.",
    });
  }
  return out;
}
