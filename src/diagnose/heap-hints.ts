/**
 * Hypotheses about why a heap suspect grows. Each rule looks for one pattern — a timer in a loop, a
 * context never cancelled, a map insert, a slice append, a channel send, a formatted key or label, a
 * sub-slice of a big buffer, a slice shortened without clearing — in the suspect's whole stack: the
 * runtime and library frames it calls (runtime.mapassign, runtime.growslice, fmt.Sprintf) and the code
 * of every frame of the program's own module on it, not only the allocating function. The insert that
 * keeps an object often sits a frame or two above the function that allocated it.
 */
import { formatBytes } from "../model/units.js";
import type { StackFrame } from "./heap-growth.js";
import { frameOrigin, type ModuleContext } from "./module-path.js";
import type { SourceCache } from "./source-cache.js";
import type { Hint } from "./types.js";

/** What the rules see of a heap suspect. */
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

export interface HeapHintContext {
  /** Timers and tickers are only collected once they fire or stop (pre-Go 1.23 semantics). */
  timersPre123: boolean | undefined;
  /** Why timersPre123 is believed (`go.mod says go 1.21`). */
  timersReason?: string;
  /** The module's go line allows `clear` and `slices.Delete` (Go 1.21/1.22+). */
  goVersion?: [number, number];
}

export interface Found {
  hint: Hint;
  oneLiner: string;
}

/** A suspect with its stack read: the allocating line and the code of its module's frames. */
interface Facts {
  suspect: HeapSuspectFacts;
  context: HeapHintContext;
  /** The allocating line, trimmed, when the source is readable. */
  line: string | null;
  /** Bodies of the program's own functions on the stack. */
  code: string;
  /** `code` plus the bodies of same-file functions they call (a helper that re-slices, say). */
  codeWithCallees: string;
  /** `file:line` of the allocation. */
  at: string;
  /** The most common object size at the last snapshot. */
  typical: { bytes: number; objects: number } | undefined;
}

/** Frames of the program's module whose code is read, leaf first. */
const MAX_OWN_FRAMES = 6;
const BIG_OBJECT_BYTES = 8192;

export function heapHints(
  suspect: HeapSuspectFacts,
  source: SourceCache,
  context: HeapHintContext & { module: ModuleContext },
): Found[] {
  const ownFrames = suspect.frames
    .filter((f) => frameOrigin(f.function, context.module) === "own")
    .slice(0, MAX_OWN_FRAMES);
  const bodies = ownFrames
    .map((f) => source.functionBody(f.file, f.line, f.startLine))
    .filter((b): b is { text: string; from: number } => b !== null);
  const code = bodies.map((b) => b.text).join("\n");
  const callees = ownFrames.flatMap((f, i) => (bodies[i] ? source.calleeBodies(f.file, bodies[i].text) : []));
  const facts: Facts = {
    suspect,
    context,
    line: source.line(suspect.file, suspect.line)?.trim() ?? null,
    code,
    codeWithCallees: [code, ...callees].join("\n"),
    at: `${shortFile(suspect.file)}:${suspect.line}`,
    typical: suspect.objectSizes[0],
  };
  return HEAP_HINT_RULES.map((rule) => rule(facts)).filter((found): found is Found => found !== null);
}

/** In order of specificity: the first rule that fires gives the suspect's one-line hint. */
const HEAP_HINT_RULES: ((facts: Facts) => Found | null)[] = [
  goroutineDescriptorHint,
  timerHint,
  contextHint,
  httpResponseHint,
  metricLabelHint,
  subSliceHint,
  collectionHint,
  channelHint,
  formattedStringHint,
  shortenedSliceHint,
  truncatedSliceHint,
];

export function hasFrame(frames: { function?: string; func?: string }[], re: RegExp): string | undefined {
  for (const f of frames) {
    const name = f.function ?? f.func ?? "";
    if (re.test(name)) return name;
  }
  return undefined;
}

/** Goroutine descriptors (g structs) are heap objects: they pile up when goroutines never exit. */
function goroutineDescriptorHint({ suspect }: Facts): Found | null {
  const creation = hasFrame(suspect.frames, /^runtime\.(malg|newproc1)$/);
  if (!creation) return null;
  return {
    hint: {
      title: "Goroutines started and never finished",
      hypothesis: `The runtime allocates a descriptor for every goroutine it starts (${creation}) and frees it only when the goroutine exits; these grow because goroutines are started faster than they finish.`,
      evidence: [`growing allocations through ${creation}`],
      fix: "Find the growing goroutine group (the goroutine suspects, or heapscope goroutines on two dumps) and give those goroutines a way to finish: a buffered reply channel, a context they select on, a closed channel.",
      suspect: suspect.function,
    },
    oneLiner:
      "Goroutines are started faster than they finish (each keeps its descriptor and stack): find the growing goroutine group.",
  };
}

function timerHint({ suspect, context, line, at }: Facts): Found | null {
  const timer = hasFrame(suspect.frames, /^time\.(After|NewTimer|NewTicker|Tick|AfterFunc)$/);
  if (!timer) return null;
  const old = context.timersPre123;
  if (old !== false) {
    return {
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
    };
  }
  if (timer !== "time.NewTicker" && timer !== "time.Tick") return null;
  return {
    hint: {
      title: "Tickers never stopped",
      hypothesis: `${suspect.function} creates tickers that stay referenced and are never stopped.`,
      evidence: [`${timer} at ${at}`],
      fix: "Stop each ticker when its loop ends (defer t.Stop()).",
      suspect: suspect.function,
    },
    oneLiner: "Tickers are created and never stopped: defer ticker.Stop().",
  };
}

function contextHint({ suspect, at }: Facts): Found | null {
  const ctx = hasFrame(
    suspect.frames,
    /^context\.(WithCancel|WithTimeout|WithDeadline|WithCancelCause|WithTimeoutCause|WithDeadlineCause|\(\*cancelCtx\)\.propagateCancel|withCancel)/,
  );
  if (!ctx) return null;
  return {
    hint: {
      title: "Contexts never cancelled",
      hypothesis: `Child contexts created at ${at} stay registered with their parent until cancelled; without cancel() they accumulate for the parent's lifetime.`,
      evidence: [`growing allocations through ${ctx}`],
      fix: "Call the cancel function returned by context.WithCancel/WithTimeout (defer cancel()), even when the work succeeds.",
      suspect: suspect.function,
    },
    oneLiner: "Child contexts are never cancelled: defer cancel().",
  };
}

function httpResponseHint({ suspect }: Facts): Found | null {
  const http = hasFrame(suspect.frames, /^net\/http\.\(\*(Client|Transport)\)\./);
  if (!http) return null;
  return {
    hint: {
      title: "HTTP requests whose responses are kept",
      hypothesis: `Requests made in ${suspect.function} stay referenced, typically because the response body is not closed and the connection keeps the request.`,
      evidence: [`growing allocations through ${http}`],
      fix: "defer resp.Body.Close() after every successful request, and drain bodies you do not read.",
      suspect: suspect.function,
    },
    oneLiner: "Responses are not released: close every response body.",
  };
}

function metricLabelHint({ suspect }: Facts): Found | null {
  const metrics = hasFrame(
    suspect.frames,
    /prometheus.*(MetricVec|metricMap|WithLabelValues|getOrCreateMetric)/,
  );
  if (!metrics) return null;
  return {
    hint: {
      title: "Unbounded metric label values",
      hypothesis:
        "Every distinct label value creates a time series that lives forever; labels built from IDs, paths or errors grow without bound.",
      evidence: [`growing allocations through ${metrics}`],
      fix: "Use labels with a small fixed set of values (route templates, not raw paths; error classes, not messages), or Delete series you no longer need.",
      suspect: suspect.function,
    },
    oneLiner: "Metric label values are unbounded: use a fixed set of label values.",
  };
}

/** A sub-slice expression `x[a:b]` that is not the whole of `x` (`x[:]`). */
const RESLICE = /\b\w+\[\s*[\w.()+\-* ]*:\s*[\w.()+\-* ]*\]/;

/**
 * A small slice of a large buffer keeps the whole backing array alive. It needs big objects and a
 * re-slice in the code on the stack or in a helper it calls: a buffer kept whole is not this.
 */
function subSliceHint({ suspect, typical, line, at, codeWithCallees }: Facts): Found | null {
  if (typical === undefined || typical.bytes < BIG_OBJECT_BYTES) return null;
  const reslice = RESLICE.exec(codeWithCallees.replace(/\b\w+\[\s*:\s*\]/g, ""));
  if (!reslice) return null;
  return {
    hint: {
      title: "A small sub-slice keeps a large buffer alive",
      hypothesis: `Each object allocated at ${at} is ${formatBytes(typical.bytes)}; if only part of it is kept (a header, a token, a line sliced out of it), the sub-slice still pins the whole backing array.`,
      evidence: [
        `${suspect.function} keeps ${formatBytes(typical.bytes)} objects (+${suspect.growthObjectsPerSecond.toFixed(1)}/s)`,
        ...(line ? [`allocating line: \`${line}\``] : []),
        `the code on the stack (or a helper it calls) re-slices buffers: \`${reslice[0]}\``,
      ],
      fix: "Copy the part you keep out of the buffer (bytes.Clone(b[:n]), strings.Clone, or append([]byte(nil), b[:n]...)) so the large buffer can be freed.",
      suspect: suspect.function,
    },
    oneLiner: `A sub-slice of each ${formatBytes(typical.bytes)} buffer may be kept, pinning the whole buffer: copy the part you keep.`,
  };
}

const MAP_INSERT_FRAME = /^(runtime\.mapassign\w*|internal\/runtime\/maps\.\S+)$/;
const MAP_INSERT_CODE = /\w+\[[^\]]+\]\s*=[^=]/;
const SLICE_APPEND_FRAME = /^runtime\.growslice$/;
const SLICE_APPEND_CODE = /\bappend\(/;

function collectionHint({ suspect, code, at }: Facts): Found | null {
  const mapFrame = hasFrame(suspect.frames, MAP_INSERT_FRAME);
  const sliceFrame = hasFrame(suspect.frames, SLICE_APPEND_FRAME);
  const mapInsert = mapFrame !== undefined || MAP_INSERT_CODE.test(code);
  const sliceAppend = sliceFrame !== undefined || SLICE_APPEND_CODE.test(code);
  if (!mapInsert && !sliceAppend) return null;
  const what = mapInsert && sliceAppend ? "a map or slice" : mapInsert ? "a map" : "a slice";
  return {
    hint: {
      title: `Entries added to ${what} and never removed`,
      hypothesis: `Objects allocated at ${at} are stored in ${what} that only grows: entries are added (per request, per key, per event) and nothing removes them.`,
      evidence: [
        `${suspect.function}: +${formatBytes(suspect.growthBytesPerSecond)}/s, +${suspect.growthObjectsPerSecond.toFixed(1)} objects/s`,
        ...(mapFrame ? [`the stack inserts into a map (${mapFrame})`] : []),
        ...(mapInsert && !mapFrame ? ["the code on the stack inserts into a map"] : []),
        ...(sliceFrame ? [`the stack appends to a slice (${sliceFrame})`] : []),
        ...(sliceAppend && !sliceFrame ? ["the code on the stack appends to a slice"] : []),
      ],
      fix: "Bound it: evict old entries (an LRU or a TTL), delete entries when their owner goes away, or cap the size.",
      suspect: suspect.function,
    },
    oneLiner: `Entries are added to ${what} and never removed: evict or bound it.`,
  };
}

const CHANNEL_FRAME = /^runtime\.(chansend\d*|makechan\w*|chanrecv\d*|selectgo)$/;
const CHANNEL_SEND_CODE = /\b[\w.\]]+\s*<-\s*[\w&*(]/;
const CHANNEL_MAKE_CODE = /\bmake\(\s*chan\b/;

function channelHint({ suspect, code }: Facts): Found | null {
  const frame = hasFrame(suspect.frames, CHANNEL_FRAME);
  const sends = CHANNEL_SEND_CODE.test(code);
  const makes = frame?.startsWith("runtime.makechan") || CHANNEL_MAKE_CODE.test(code);
  if (!frame && !sends && !makes) return null;
  const evidence = [
    ...(frame ? [`the stack goes through ${frame}`] : []),
    ...(sends ? ["the code on the stack sends on a channel"] : []),
    ...(makes && !frame ? ["the code on the stack makes channels"] : []),
  ];
  return {
    hint: {
      title: makes ? "Channels made and kept" : "Values queued on a channel nobody drains",
      hypothesis: makes
        ? `${suspect.function} makes channels (one per request or subscriber) that stay referenced — registered in a map or slice, or held by goroutines blocked on them — so they and their buffers are never freed.`
        : `Values sent at ${suspect.function} sit in a buffered channel (or with blocked senders) that is not drained fast enough, so everything queued stays alive.`,
      evidence,
      fix: makes
        ? "Unregister a channel when its consumer leaves (delete it from the map, close it) and make sure blocked goroutines can exit (select on ctx.Done())."
        : "Drain the channel (or stop sending when the consumer is gone); bound the queue and drop or block when it is full.",
      suspect: suspect.function,
    },
    oneLiner: makes
      ? "Channels are made and kept: unregister and close them when their consumer leaves."
      : "Values are queued on a channel that is not drained: drain it or bound the queue.",
  };
}

const FORMAT_FRAME =
  /^(fmt\.(Sprintf|Sprint|Sprintln|Errorf|Appendf)|strconv\.(Itoa|FormatInt|FormatUint|Quote\w*|Append\w*)|strings\.(\(\*Builder\)\.\w+|Join|Repeat))$/;
const FORMAT_CODE = /\bfmt\.(Sprintf|Sprint|Sprintln|Errorf)\(|\bstrconv\.(Itoa|FormatInt|FormatUint)\(/;

function formattedStringHint({ suspect, code }: Facts): Found | null {
  const frame = hasFrame(suspect.frames, FORMAT_FRAME);
  // Formatting in the code counts only where the code also stores something (an insert or append):
  // a Sprintf for a log line that is printed and dropped keeps nothing.
  const stores = MAP_INSERT_CODE.test(code) || SLICE_APPEND_CODE.test(code);
  const formats = stores ? FORMAT_CODE.exec(code) : null;
  if (!frame && !formats) return null;
  const how = frame ?? `${formats![0].replace(/\($/, "")}`;
  return {
    hint: {
      title: "Formatted keys, labels or messages kept",
      hypothesis: `Strings built with ${how} on ${suspect.function}'s stack are kept: every distinct value (an ID, a path, a timestamp in a key, a label or a log line) is a new string that stays as long as whatever stores it, and such values never repeat.`,
      evidence: [
        frame ? `the stack formats strings (${frame})` : `the code on the stack formats strings (${how})`,
      ],
      fix: "Keep keys and labels to a bounded set of values (a route template, an error class), or bound the store that keeps them (evict, cap, rotate).",
      suspect: suspect.function,
    },
    oneLiner:
      "Strings formatted per event (keys, labels, messages) are kept: bound their values or the store.",
  };
}

function shortenedSliceHint({ suspect, code, context }: Facts): Found | null {
  const shortened =
    /(\b[\w.]+)\s*=\s*\1\[\s*:\s*len\(\1\)\s*-\s*\d+\s*\]/.exec(code) ??
    /(\b[\w.]+)\s*=\s*\1\[\s*1\s*:\s*\]/.exec(code);
  if (!shortened) return null;
  const modern = context.goVersion && (context.goVersion[0] > 1 || context.goVersion[1] >= 22);
  return {
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
  };
}

function truncatedSliceHint({ suspect, code, typical }: Facts): Found | null {
  const truncated = /(\b[\w.]+)\s*=\s*\1\[\s*:\s*0\s*\]/.exec(code);
  if (!truncated || typical === undefined || typical.bytes < BIG_OBJECT_BYTES) return null;
  return {
    hint: {
      title: "`s = s[:0]` keeps a huge capacity",
      hypothesis: `\`${truncated[0]}\` reuses the slice but keeps its largest-ever backing array (${formatBytes(typical.bytes)} objects here).`,
      evidence: [`found in the code on ${suspect.function}'s stack`],
      fix: "Drop the slice (s = nil) or reallocate when its capacity is far above what is needed.",
      suspect: suspect.function,
    },
    oneLiner: "s = s[:0] keeps the largest backing array: reallocate when it is oversized.",
  };
}

export function shortFile(file: string): string {
  const parts = file.split("/");
  return parts.slice(-2).join("/");
}
