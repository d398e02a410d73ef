/**
 * Hypotheses about why a suspect grows and how to fix it, each with the evidence that points to it.
 * They read the suspect's stack, its object sizes and, when the source is readable, the allocating
 * line and the bodies of the program's functions on the stack. They are hints, not findings: a heap
 * profile shows where memory was allocated, not what still references it.
 */
import { formatBytes } from "../model/units.js";
import type { StackFrame } from "./heap-growth.js";
import { frameOrigin, type ModuleContext } from "./module-path.js";
import type { Hint } from "./types.js";

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

export interface HeapSuspectFacts {
  function: string;
  file: string;
  line: number;
  frames: StackFrame[];
  objectSizes: { bytes: number; objects: number }[];
  growthBytesPerSecond: number;
  growthObjectsPerSecond: number;
  withinSamplingNoise: boolean;
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

const MAX_SOURCE_BYTES = 4 << 20;

class SourceCache {
  private readonly files = new Map<string, string[] | null>();
  constructor(private readonly read?: (file: string) => string | undefined) {}

  lines(file: string): string[] | null {
    if (!this.read || file === "") return null;
    if (!this.files.has(file)) {
      let text: string | undefined;
      try {
        text = this.read(file);
      } catch {
        text = undefined;
      }
      this.files.set(file, text !== undefined && text.length <= MAX_SOURCE_BYTES ? text.split("\n") : null);
    }
    return this.files.get(file) ?? null;
  }

  line(file: string, line: number): string | null {
    const lines = this.lines(file);
    return lines && line >= 1 && line <= lines.length ? lines[line - 1] : null;
  }

  /** The body of the function containing `line`: from its `func` line to the closing brace at column 0. */
  functionBody(file: string, line: number, startLine = 0): { text: string; from: number } | null {
    const lines = this.lines(file);
    if (!lines || line < 1 || line > lines.length) return null;
    let from = startLine > 0 && startLine <= line ? startLine : line;
    if (!(startLine > 0)) while (from > 1 && !/^func\b/.test(lines[from - 1])) from--;
    let to = line;
    while (to < lines.length && lines[to - 1] !== "}") to++;
    return { text: lines.slice(from - 1, to).join("\n"), from };
  }
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

interface Found {
  hint: Hint;
  oneLiner: string;
}

function hasFrame(frames: { function?: string; func?: string }[], re: RegExp): string | undefined {
  for (const f of frames) {
    const name = f.function ?? f.func ?? "";
    if (re.test(name)) return name;
  }
  return undefined;
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

function heapHints(suspect: HeapSuspectFacts, source: SourceCache, context: HintContext): Found[] {
  const out: Found[] = [];
  const frames = suspect.frames;
  const line = source.line(suspect.file, suspect.line)?.trim() ?? null;
  const ownFrames = frames.filter((f) => frameOrigin(f.function, context.module) === "own").slice(0, 4);
  const bodies = ownFrames
    .map((f) => source.functionBody(f.file, f.line, f.startLine))
    .filter((b): b is { text: string; from: number } => b !== null);
  const bodyText = bodies.map((b) => b.text).join("\n");
  const at = `${shortFile(suspect.file)}:${suspect.line}`;
  const typical = suspect.objectSizes[0];

  const timer = hasFrame(frames, /^time\.(After|NewTimer|NewTicker|Tick|AfterFunc)$/);
  if (timer) {
    const old = context.timersPre123;
    if (old !== false) {
      out.push({
        hint: {
          title: `${timer} in a loop`,
          hypothesis:
            old === true
              ? `Each ${timer} call creates a timer the runtime keeps until it fires or is stopped (${context.timersReason ?? "Go before 1.23"}); called in a loop with a long duration, they pile up.`
              : `Each ${timer} call creates a timer that, before Go 1.23 semantics (a go.mod go line below 1.23), is kept until it fires; called in a loop with a long duration, they pile up.`,
          evidence: [`${suspect.function} at ${at} grows through ${timer}${line ? `: \`${line}\`` : ""}`],
          fix: "Create one timer outside the loop and Reset it each iteration (Stop it when done), use a context deadline, or move the module to go 1.23+ where unreferenced timers are collected.",
          suspect: suspect.function,
        },
        oneLiner: `${timer} in a loop keeps every timer until it fires: reuse one timer (Reset/Stop).`,
      });
    } else if (timer === "time.NewTicker" || timer === "time.Tick") {
      out.push({
        hint: {
          title: "Tickers never stopped",
          hypothesis: `${suspect.function} creates tickers that stay referenced and are never stopped.`,
          evidence: [`${timer} at ${at}`],
          fix: "Stop each ticker when its loop ends (defer t.Stop()).",
          suspect: suspect.function,
        },
        oneLiner: "Tickers are created and never stopped: defer ticker.Stop().",
      });
    }
  }

  const ctx = hasFrame(
    frames,
    /^context\.(WithCancel|WithTimeout|WithDeadline|WithCancelCause|WithTimeoutCause|WithDeadlineCause|\(\*cancelCtx\)\.propagateCancel|withCancel)/,
  );
  if (ctx) {
    out.push({
      hint: {
        title: "Contexts never cancelled",
        hypothesis: `Child contexts created at ${at} stay registered with their parent until cancelled; without cancel() they accumulate for the parent's lifetime.`,
        evidence: [`growing allocations through ${ctx}`],
        fix: "Call the cancel function returned by context.WithCancel/WithTimeout (defer cancel()), even when the work succeeds.",
        suspect: suspect.function,
      },
      oneLiner: "Child contexts are never cancelled: defer cancel().",
    });
  }

  const http = hasFrame(frames, /^net\/http\.\(\*(Client|Transport)\)\./);
  if (http) {
    out.push({
      hint: {
        title: "HTTP requests whose responses are kept",
        hypothesis: `Requests made in ${suspect.function} stay referenced, typically because the response body is not closed and the connection keeps the request.`,
        evidence: [`growing allocations through ${http}`],
        fix: "defer resp.Body.Close() after every successful request, and drain bodies you do not read.",
        suspect: suspect.function,
      },
      oneLiner: "Responses are not released: close every response body.",
    });
  }

  const metrics = hasFrame(frames, /prometheus.*(MetricVec|metricMap|WithLabelValues|getOrCreateMetric)/);
  if (metrics) {
    out.push({
      hint: {
        title: "Unbounded metric label values",
        hypothesis:
          "Every distinct label value creates a time series that lives forever; labels built from IDs, paths or errors grow without bound.",
        evidence: [`growing allocations through ${metrics}`],
        fix: "Use labels with a small fixed set of values (route templates, not raw paths; error classes, not messages), or Delete series you no longer need.",
        suspect: suspect.function,
      },
      oneLiner: "Metric label values are unbounded: use a fixed set of label values.",
    });
  }

  // A small slice of a large buffer keeps the whole backing array alive.
  const bigObjects = typical !== undefined && typical.bytes >= 8192;
  const allocatesBuffer =
    line !== null && /make\(\[\]byte|make\(\[\]|ReadAll|bytes\.Buffer|\.Bytes\(\)|\.Read\(/.test(line);
  const reslices = /\b\w+\[\s*[\w.()+\-* ]*:\s*[\w.()+\-* ]*\]/.test(bodyText);
  if (bigObjects && (allocatesBuffer || reslices)) {
    out.push({
      hint: {
        title: "A small sub-slice keeps a large buffer alive",
        hypothesis: `Each object allocated at ${at} is ${formatBytes(typical.bytes)}; if only part of it is kept (a header, a token, a line sliced out of it), the sub-slice still pins the whole backing array.`,
        evidence: [
          `${suspect.function} keeps ${formatBytes(typical.bytes)} objects (+${suspect.growthObjectsPerSecond.toFixed(1)}/s)`,
          ...(line ? [`allocating line: \`${line}\``] : []),
          ...(reslices ? ["the code on the stack re-slices buffers"] : []),
        ],
        fix: "Copy the part you keep out of the buffer (bytes.Clone(b[:n]), strings.Clone, or append([]byte(nil), b[:n]...)) so the large buffer can be freed.",
        suspect: suspect.function,
      },
      oneLiner: `A sub-slice of each ${formatBytes(typical.bytes)} buffer is kept, pinning the whole buffer: copy the part you keep.`,
    });
  }

  const mapInsert =
    hasFrame(frames, /^(runtime\.mapassign|internal\/runtime\/maps\.)/) !== undefined ||
    /\w+\[[^\]]+\]\s*=[^=]/.test(bodyText);
  const sliceAppend = hasFrame(frames, /^runtime\.growslice$/) !== undefined || /\bappend\(/.test(bodyText);
  if (mapInsert || sliceAppend) {
    const what = mapInsert && sliceAppend ? "a map or slice" : mapInsert ? "a map" : "a slice";
    out.push({
      hint: {
        title: `Entries added to ${what} and never removed`,
        hypothesis: `Objects allocated at ${at} are stored in ${what} that only grows: entries are added (per request, per key, per event) and nothing removes them.`,
        evidence: [
          `${suspect.function}: +${formatBytes(suspect.growthBytesPerSecond)}/s, +${suspect.growthObjectsPerSecond.toFixed(1)} objects/s`,
          ...(mapInsert ? ["the code on the stack inserts into a map"] : []),
          ...(sliceAppend ? ["the code on the stack appends to a slice"] : []),
        ],
        fix: "Bound it: evict old entries (an LRU or a TTL), delete entries when their owner goes away, or cap the size.",
        suspect: suspect.function,
      },
      oneLiner: `Entries are added to ${what} and never removed: evict or bound it.`,
    });
  }

  const shortened =
    /(\b[\w.]+)\s*=\s*\1\[\s*:\s*len\(\1\)\s*-\s*\d+\s*\]/.exec(bodyText) ??
    /(\b[\w.]+)\s*=\s*\1\[\s*1\s*:\s*\]/.exec(bodyText);
  if (shortened) {
    const modern = context.goVersion && (context.goVersion[0] > 1 || context.goVersion[1] >= 22);
    out.push({
      hint: {
        title: "A pointer slice shortened without clearing its tail",
        hypothesis: `\`${shortened[0]}\` drops elements from the slice but the backing array still holds pointers to them, so they stay alive until overwritten.`,
        evidence: [`found in the code on ${suspect.function}'s stack`],
        fix: modern
          ? "Clear the dropped elements first (clear(s[len(s)-1:]) or s[i] = nil), or use slices.Delete, which zeroes the tail since Go 1.22."
          : "Set the dropped elements to nil (or their zero value) before shortening the slice.",
        suspect: suspect.function,
      },
      oneLiner: "A slice is shortened without clearing its tail: zero the dropped elements.",
    });
  }

  const truncated = /(\b[\w.]+)\s*=\s*\1\[\s*:\s*0\s*\]/.exec(bodyText);
  if (truncated && bigObjects) {
    out.push({
      hint: {
        title: "`s = s[:0]` keeps a huge capacity",
        hypothesis: `\`${truncated[0]}\` reuses the slice but keeps its largest-ever backing array (${formatBytes(typical.bytes)} objects here).`,
        evidence: [`found in the code on ${suspect.function}'s stack`],
        fix: "Drop the slice (s = nil) or reallocate when its capacity is far above what is needed.",
        suspect: suspect.function,
      },
      oneLiner: "s = s[:0] keeps the largest backing array: reallocate when it is oversized.",
    });
  }
  return out;
}

export function shortFile(file: string): string {
  const parts = file.split("/");
  return parts.slice(-2).join("/");
}
