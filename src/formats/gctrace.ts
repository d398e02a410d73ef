/**
 * gctrace (`GODEBUG=gctrace=1`) decoder: stderr text in, typed GC cycles and scavenger events out.
 *
 * Accepts every line format since Go 1.5:
 *   1.5      `gc 1 @0.166s 0%: a+b+c+d+e ms clock, a+b+c+d/e/f+g ms cpu, 5->5->1 MB, 4 MB goal, 4 P`
 *   1.6–1.17 `gc 22 @96.880s 3%: a+b+c ms clock, a+b/c/d+e ms cpu, 1266->1276->656 MB, 1293 MB goal, 36 P`
 *   1.18+    adds `N MB stacks, N MB globals, ` before `N P`; any version may end with ` (forced)`.
 *
 * Real stderr is messy, so the decoder is a tolerant line state machine (see panicparse):
 * - the gc line is searched anywhere in a line (loggers add timestamps or other prefixes);
 * - JSON log wrappers (`{"log": "...", ...}`, `{"msg": ...}`) and Kubernetes CRI lines
 *   (`<time> stderr P|F <text>`) are unwrapped, partial `P`/unterminated JSON pieces joined;
 * - a gc line split by a newline or by application output written into the middle of it (the
 *   runtime prints a gc line in many write(2) calls, so another writer can land inside it) is
 *   repaired from the following lines when possible, otherwise counted as malformed;
 * - `GC forced` notices, scavenger lines of every version, `pacer:` lines and everything else
 *   are classified and counted, never fatal;
 * - several processes in one stream (the toolchain's own gctrace under `go run`/`go test`) are
 *   separated into process runs by their cycle counters.
 *
 * Pure: no I/O. Feed text with `GcTraceParser.push()` (streaming, bounded memory when records are
 * not kept) or call `parseGcTrace(text)`.
 */

import { parseByteSize } from "./byte-size.js";

// Also exported from here for the callers that read sizes next to gctrace (the GOMEMLIMIT hint).
export { parseByteSize };

const MIB = 1024 * 1024;

/** One garbage collection cycle, as printed by the runtime at the end of mark termination. */
export interface GcCycle {
  /** `gc N`: the cycle number, counted from 1 in each process. */
  cycle: number;
  /** `@Ns`: seconds since the process started, at the start of the cycle. */
  atSeconds: number;
  /** `N%`: percentage of CPU spent in GC since the process started (cumulative, truncated). */
  cpuPercentCumulative: number;
  /** Wall-clock phases as printed: 3 (Go 1.6+) or 5 (Go 1.5). */
  clockMs: number[];
  /** CPU figures as printed, flattened: 5 values (1.6+: `a+b/c/d+e`) or 7 (1.5: `a+b+c+d/e/f+g`). */
  cpuMs: number[];
  /** Stop-the-world sweep termination, wall clock. */
  sweepTerminationMs: number;
  /** Concurrent mark (and, in 1.5, scan and the ragged barrier), wall clock. */
  concurrentMarkMs: number;
  /** Stop-the-world mark termination, wall clock. */
  markTerminationMs: number;
  /** Sum of the stop-the-world phases: the pauses this cycle imposed on the program. */
  stwPauseMs: number;
  /** GC CPU time without idle marking (what the runtime's cumulative `N%` counts). */
  gcCpuMs: number;
  /** Mark assist CPU time charged to allocating goroutines. */
  assistCpuMs: number;
  /** Dedicated and fractional background mark worker CPU time. */
  backgroundCpuMs: number;
  /** Idle mark worker CPU time (otherwise idle Ps; not counted as GC cost by the runtime). */
  idleCpuMs: number;
  /** Heap in use when marking started (≈ the trigger), floored to MiB. */
  heapStartBytes: number;
  /** Heap in use when marking ended, floored to MiB. */
  heapEndBytes: number;
  /** Live heap marked by this cycle (heap after GC), floored to MiB: the leak signal. */
  liveHeapBytes: number;
  /** Heap goal of this cycle, floored to MiB. */
  goalBytes: number;
  /** Go 1.18+: scannable stack bytes counted toward the goal. */
  stacksBytes?: number;
  /** Go 1.18+: scannable globals counted toward the goal. */
  globalsBytes?: number;
  /** `N P`: GOMAXPROCS. */
  procs: number;
  /** `(forced)`: runtime.GC() or debug.FreeOSMemory(). */
  forced: boolean;
  /** Preceded by a `GC forced` notice: sysmon forced it after 2 minutes without a GC. */
  periodic: boolean;
  /** Other parenthesized suffixes, e.g. `checking for goroutine leaks`. */
  annotations: string[];
  /** Which layout the line used. */
  layout: GcLineLayout;
  /** 1-based line number in the input (of the first physical line when repaired). */
  lineNumber: number;
}

export type GcLineLayout = "go1.5" | "go1.6-1.17" | "go1.18+";

/** A scavenger report (memory returned to the OS). All sizes in bytes. */
export interface ScavengerEvent {
  /** `scvg` (Go ≤1.13, printed with gctrace) or `scav` (Go 1.14+, `GODEBUG=scavtrace=1`). */
  kind: "scvg" | "scav";
  /** Bytes released to the OS by this report (scvg `N MB released`, scav work). */
  releasedBytes: number;
  /** scav 1.21+: background and eager parts of the work. */
  backgroundBytes?: number;
  eagerBytes?: number;
  /** scav: total released bytes now (`KiB total` ≤1.20, `KiB now` 1.21+); scvg: `released: N` MB. */
  totalReleasedBytes?: number;
  /** scav: heap in use ×100 / heap retained. */
  utilizationPercent?: number;
  /** scvg summary line figures (MB). */
  inuseBytes?: number;
  idleBytes?: number;
  sysBytes?: number;
  consumedBytes?: number;
  /** `(forced)` or `scvg-1` (debug.FreeOSMemory). */
  forced: boolean;
  /** `[controller reset]` (Go 1.14–1.19 scav). */
  controllerReset: boolean;
  /** Seconds since process start of the preceding gc cycle of the same run (scav lines carry no time). */
  afterCycleAtSeconds?: number;
  lineNumber: number;
}

/** One process's gctrace: a run of cycles with one counter. */
export interface GcProcessRun {
  /** 0-based, in order of first appearance; stable (runs dropped for memory do not renumber). */
  index: number;
  firstCycle: number;
  lastCycle: number;
  /** Cycles parsed. */
  cycleCount: number;
  /** Cycle numbers missing between first and last (lines lost or not parsed). */
  missingCycles: number;
  startSeconds: number;
  endSeconds: number;
  firstLineNumber: number;
  lastLineNumber: number;
  layout: GcLineLayout;
  /** Kept only when the parser keeps records (parseGcTrace does). */
  cycles: GcCycle[];
  scavenger: ScavengerEvent[];
  scavengerCount: number;
}

/** Why lines did not yield a cycle or a scavenger event. */
export interface SkippedLineCounts {
  blank: number;
  /** `pacer:` lines (GODEBUG=gcpacertrace=1). */
  pacer: number;
  /** `GC forced` notices (kept as a flag on the next cycle, not as data). */
  gcForcedNotices: number;
  /** `SCHED` lines (GODEBUG=schedtrace). */
  schedtrace: number;
  /** gc lines that could not be parsed or repaired (truncated, mangled). */
  malformedGcLines: number;
  /** Pre-Go 1.5 `gcN(N): …` lines: not supported. */
  preGo15Lines: number;
  /** Anything else: application output, log noise, binary junk. */
  other: number;
}

export interface GcTraceParse {
  /** Process runs in order of first appearance; `index` is each run's stable number (0-based). */
  runs: GcProcessRun[];
  /** Position in `runs` of the run to analyse (see `selectTargetRun`), -1 when there is none. */
  targetRunIndex: number;
  /** Physical input lines seen. */
  totalLines: number;
  cycleLines: number;
  scavengerLines: number;
  /** Lines that yielded neither a cycle nor a scavenger event. */
  skippedLines: number;
  skipped: SkippedLineCounts;
  /** gc lines rebuilt from pieces split by newlines or interleaved output. */
  repairedGcLines: number;
  /** Physical lines joined into a later line (CRI `P` pieces, partial JSON logs, split gc heads). */
  continuationLines: number;
  /** Process runs dropped from `runs` to bound memory (more than 1000 processes in one stream). */
  evictedRuns: number;
  /** A memory limit seen in the text (e.g. an application logging `GOMEMLIMIT=2GiB`). */
  memoryLimitHint?: { bytes: number; lineNumber: number; text: string };
  /** Text mentions `GOGC=off`. */
  gogcOffHint?: boolean;
}

export interface GcTraceParserOptions {
  /** Keep every cycle and scavenger event in the runs (default true). False = counters only. */
  keepRecords?: boolean;
  onCycle?: (cycle: GcCycle, runIndex: number) => void;
  onScavenger?: (event: ScavengerEvent, runIndex: number) => void;
  /** Lines longer than this are cut (binary junk without newlines must not grow memory). */
  maxLineLength?: number;
  /**
   * With `keepRecords: false`: `onCycle` receives the same GcCycle object (and arrays) every time,
   * overwritten by the next cycle, so a long stream allocates nothing per cycle. For consumers
   * that copy what they need and keep no reference (GcTraceAnalyzer does). Default false.
   */
  reuseCycleObjects?: boolean;
}

// Where a gc line may start (for repairs of split lines).
const GC_LINE_START = /gc #?\d+ @\d/;
const PRE_GO15_GC = /\bgc\d+\(\d+\): [\d+]+ us, \d+ -> \d+ MB/;
const SCAV_121 =
  /scav (\d+) KiB work \(bg\), (\d+) KiB work \(eager\), (\d+) KiB (?:now|total), (\d+)% util( \(forced\))?/;
const SCAV_114 =
  /scav (\d+) KiB work, (\d+) KiB (?:total|now), (\d+)% util( \(forced\))?( \[controller reset\])?/;
const SCVG_RELEASED = /scvg(-?\d*): (\d+) (MB|KB) released/;
const SCVG_SUMMARY =
  /scvg(-?\d*): inuse: (\d+), idle: (\d+), sys: (\d+), released: (\d+), consumed: (\d+) \(MB\)/;
const CRI_LINE = /^\d{4}-\d\d-\d\dT\S+ (stdout|stderr) ([PF]) ?(.*)$/;
const MEMORY_LIMIT = /GOMEMLIMIT\s*[=:]\s*"?(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?\b/i;
const GOGC_OFF = /GOGC\s*[=:]\s*"?off\b/i;

/** How many following lines may separate the two halves of a split gc line. */
const REPAIR_WINDOW_LINES = 3;
/** Most process runs kept in a parse (see evictSmallestRun). */
const MAX_RUNS = 1000;
/** A new cycle continues a run if its number is at most this far past the run's last cycle. */
const MAX_CYCLE_GAP = 16;

/**
 * Parses one gctrace line (anywhere in `text`: loggers prefix it, application output may precede it).
 * Returns null when `text` holds no complete gc line. `periodic` is filled in by the parser.
 *
 * The grammar, for every layout since Go 1.5:
 *   gc [#]N @S.SSSs P%: C+C+C[+C+C] ms clock, X+X/X/X+X | X+X+X+X/X/X+X ms cpu,
 *   H0->H1->H2 MB, G MB goal, [N MB stacks, N MB globals, ]N P[ (forced)][ (…)]
 * A hand-written scanner rather than a regular expression: it allocates no capture strings, which
 * matters at a million lines (the regular expression spent most of its time creating garbage).
 */
export function parseGcTraceLine(text: string, lineNumber = 0): GcCycle | null {
  if (!text.includes("gc ")) return null;
  const found = scanGcLineBytes(lineBytes, encodeLine(text));
  // A caller may pass a whole file: do not keep a scratch buffer of its size.
  if (lineBytes.length > LINE_BYTES_KEPT) lineBytes = new Uint8Array(1024);
  return found ? newCycle(lineNumber) : null;
}

/** Largest line scratch kept between calls of parseGcTraceLine (the parser's lines are cut). */
const LINE_BYTES_KEPT = 1 << 20;

const utf8Encoder = new TextEncoder();
const annotationDecoder = new TextDecoder("utf-8");
/** Scratch for one line's UTF-8 (a logical line after unwrapping, a repair candidate). Grows. */
let lineBytes = new Uint8Array(1024);
/** Scratch for the second line of a repair (the head stays in lineBytes). */
let repairBytes = new Uint8Array(1024);

/** Writes `text` as UTF-8 into lineBytes (grown to fit) and returns its length in bytes. */
function encodeLine(text: string): number {
  // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4 bytes).
  if (lineBytes.length < text.length * 3) lineBytes = new Uint8Array(text.length * 3);
  return utf8Encoder.encodeInto(text, lineBytes).written;
}

/**
 * Scans a line of `length` bytes (no newline in it) for a gc line starting at any `gc `; true
 * when one parsed (its figures are then in SCAN and `scanned`).
 */
function scanGcLineBytes(b: Uint8Array, length: number): boolean {
  for (let at = 0; at + 2 < length; at++) {
    if (
      b[at] === 103 &&
      b[at + 1] === 99 &&
      b[at + 2] === 32 /* "gc " */ &&
      scanGcBytes(b, at, length) >= 0
    ) {
      return true;
    }
  }
  return false;
}

const EMPTY_BYTES = new Uint8Array(0);
/** Text input is encoded and parsed this many UTF-16 code units at a time. */
const TEXT_PIECE_UNITS = 1 << 20;
const NO_ANNOTATIONS: string[] = Object.freeze([]) as unknown as string[];

// The scanners write a line's figures into one shared scratch array, not into arrays of their own:
// with a reused cycle object (reuseCycleObjects) a gc line then allocates nothing at all, and a
// million lines leave no garbage behind. Slots of SCAN:
const V_CYCLE = 0;
const V_AT = 1;
const V_PERCENT = 2;
const V_HEAP_START = 3;
const V_HEAP_END = 4;
const V_LIVE = 5;
const V_GOAL = 6;
const V_STACKS = 7;
const V_GLOBALS = 8;
const V_PROCS = 9;
/** 5 slots: the wall-clock phases. */
const V_CLOCK = 10;
/** 7 slots: the CPU figures. */
const V_CPU = 15;
// Derived figures (deriveFigures).
const V_CONCURRENT_MARK = 22;
const V_MARK_TERMINATION = 23;
const V_STW = 24;
const V_GC_CPU = 25;
const V_ASSIST = 26;
const V_BACKGROUND = 27;
const V_IDLE = 28;
const SCAN = new Float64Array(29);

/** What a successful scan found besides the figures in SCAN. */
class ScannedShape {
  clockCount = 0;
  cpuCount = 0;
  hasStacks = false;
  forced = false;
  annotations: string[] = NO_ANNOTATIONS;
}
const scanned = new ScannedShape();

// The grammar after `gc [#]` as steps: each reads a number, then what must follow it. The clock
// and CPU steps repeat while `+` (or `/`) follows; the stacks step is taken when `N MB stacks, `
// follows the goal (Go 1.18+), else that number is GOMAXPROCS and the line ends with ` P`.
// One loop over the steps rather than a helper call per field: V8 inlines only a few of ~35 calls
// per line, and the calls cost as much as the scanning.
const STEP_CYCLE = 0;
const STEP_CLOCK = 3;
const STEP_CPU = 4;
const STEP_PROCS_OR_STACKS = 9;
const STEP_GLOBALS = 10;
const STEP_DONE = 12;
/** Where each step's number goes (-1: decided in the loop). */
const STEP_SLOT = [
  V_CYCLE,
  V_AT,
  V_PERCENT,
  -1,
  -1,
  V_HEAP_START,
  V_HEAP_END,
  V_LIVE,
  V_GOAL,
  -1,
  -1,
  V_PROCS,
];
/** Steps whose number may have a fraction; elsewhere a `.` fails the line. */
const STEP_DECIMAL = [false, true, false, true, true, false, false, false, false, false, false, false];
const asBytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
/** What must follow each step's number. */
const STEP_BYTES = [
  " @",
  "s ",
  "%: ",
  " ms clock, ",
  " ms cpu, ",
  "->",
  "->",
  " MB, ",
  " MB goal, ",
  " P",
  " MB globals, ",
  " P",
].map(asBytes);
const STACKS_BYTES = asBytes(" MB stacks, ");
// Some 1.18+ builds print "N MB globals", one doc version "NMB globals".
const GLOBALS_NOSPACE_BYTES = asBytes("MB globals, ");
const FORCED_BYTES = asBytes("forced");

/**
 * Scans a gc line of UTF-8 bytes starting exactly at `start` (which must point at "gc "), not
 * reading at or past `end`, into SCAN and `scanned`. Returns the index just after the line's last
 * field (or annotation), or -1 when it is not a complete gc line. The grammar is documented at
 * parseGcTraceLine. Bytes, not a string: most of a large trace is plain gc lines, and scanning them
 * in the read buffer skips decoding them at all (about twice as fast on a million lines); text
 * input is encoded once and takes the same path. The parser passes the chunk's last newline as
 * `end`, not the line's: no step or annotation matches a newline, so a scan never runs into the
 * next line.
 */
function scanGcBytes(b: Uint8Array, start: number, end: number): number {
  let i = start + 3;
  if (i < end && b[i] === 35 /* # */) i++;
  let step = STEP_CYCLE;
  let clockCount = 0;
  let cpuCount = 0;
  let hasStacks = false;
  while (step !== STEP_DONE) {
    // Digits with an optional fraction; (whole·10^k + fraction) / 10^k rounds once, like Number().
    const from = i;
    let value = 0;
    for (; i < end; i++) {
      const digit = b[i] - 48;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (i === from) return -1;
    if (i < end && b[i] === 46 /* . */ && STEP_DECIMAL[step]) {
      i++;
      const fractionFrom = i;
      let scale = 1;
      for (; i < end; i++) {
        const digit = b[i] - 48;
        if (digit < 0 || digit > 9) break;
        value = value * 10 + digit;
        scale *= 10;
      }
      if (i === fractionFrom) return -1;
      value /= scale;
    }
    const c = i < end ? b[i] : 0;
    let text = STEP_BYTES[step];
    let next = step + 1;
    if (step === STEP_CLOCK) {
      SCAN[V_CLOCK + clockCount++] = value;
      if (c === 43 /* + */) {
        if (clockCount === 5) return -1;
        i++;
        continue;
      }
      // Go 1.5 prints 5 clock phases and 7 CPU values; 1.6+ prints 3 and 5. Other counts are mangled.
      if (clockCount !== 3 && clockCount !== 5) return -1;
    } else if (step === STEP_CPU) {
      SCAN[V_CPU + cpuCount++] = value;
      if (c === 43 || c === 47 /* + / */) {
        if (cpuCount === 7) return -1;
        i++;
        continue;
      }
      if (cpuCount !== (clockCount === 5 ? 7 : 5)) return -1;
    } else if (step === STEP_PROCS_OR_STACKS) {
      SCAN[V_PROCS] = value;
      if (i + 1 < end && b[i + 1] === 77 /* M */) {
        hasStacks = true;
        SCAN[V_STACKS] = value;
        text = STACKS_BYTES;
      } else {
        next = STEP_DONE;
      }
    } else if (step === STEP_GLOBALS) {
      SCAN[V_GLOBALS] = value;
      if (c !== 32) text = GLOBALS_NOSPACE_BYTES;
    } else {
      SCAN[STEP_SLOT[step]] = value;
    }
    const n = text.length;
    if (i + n > end) return -1;
    for (let k = 0; k < n; k++) if (b[i + k] !== text[k]) return -1;
    i += n;
    step = next;
  }
  let forced = false;
  let annotations = NO_ANNOTATIONS;
  while (i + 1 < end && b[i] === 32 && b[i + 1] === 40 /* " (" */) {
    let close = i + 2;
    while (close < end && b[close] !== 41 /* ) */ && b[close] !== 10) close++;
    if (close >= end || b[close] !== 41) break;
    if (close - i === 8 && b[i + 2] === 102 /* f */ && matchesAt(b, i + 2, FORCED_BYTES)) forced = true;
    else {
      // Decoded as UTF-8: annotations are rare, and text input reaches here encoded.
      const text = annotationDecoder.decode(b.subarray(i + 2, close));
      if (annotations === NO_ANNOTATIONS) annotations = [];
      annotations.push(text);
    }
    i = close + 1;
  }
  scanned.clockCount = clockCount;
  scanned.cpuCount = cpuCount;
  scanned.hasStacks = hasStacks;
  scanned.forced = forced;
  scanned.annotations = annotations;
  return i;
}

function matchesAt(b: Uint8Array, at: number, text: Uint8Array): boolean {
  for (let k = 0; k < text.length; k++) if (b[at + k] !== text[k]) return false;
  return true;
}

// Classes of skimLine.
const SKIM_BLANK = 0;
const SKIM_OTHER = 1;
const SKIM_PACER = 2;
/** Needs the general path: decoded and classified as text. */
const SKIM_TEXT = 3;
/** The class of the line skimLine last read. */
let skimmedKind = SKIM_TEXT;

/**
 * Returns the index of the newline ending the line at `start` (there must be one) and sets
 * `skimmedKind`. SKIM_TEXT when the line may be anything the parser recognizes or that needs
 * decoding: it contains `gc` (gc lines and their pieces, pre-1.5 lines), `GC` (GC forced), `GO`
 * (GOMEMLIMIT), `gogc` in any case, `scav`, `scvg`, `SC` (SCHED), non-ASCII bytes, or starts like a
 * log wrapper (`{`, a CRI timestamp). Otherwise the line is blank (ASCII whitespace only), a pacer
 * line (`pacer:`) or other text, which noiseLine would count the same way.
 */
function skimLine(b: Uint8Array, start: number): number {
  const first = b[start];
  if (first === 123 /* { */ || (first >= 48 && first <= 57 && b[start + 4] === 45 && b[start + 10] === 84)) {
    skimmedKind = SKIM_TEXT;
    return b.indexOf(10, start);
  }
  let kind = SKIM_BLANK;
  let i = start;
  for (; ; i++) {
    const c = b[i];
    if (c === 10) break;
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    if (c >= 128) {
      kind = SKIM_TEXT;
      break;
    }
    if (kind === SKIM_BLANK) kind = SKIM_OTHER;
    const lower = c | 32;
    if (lower === 103 /* g */) {
      const next = b[i + 1];
      if ((next | 32) === 99 /* c */ || (c === 71 && next === 79) /* GO */) {
        kind = SKIM_TEXT;
        break;
      }
      if ((next | 32) === 111 /* o */ && (b[i + 2] | 32) === 103 && (b[i + 3] | 32) === 99) {
        kind = SKIM_TEXT;
        break;
      }
    } else if (c === 115 /* s */ && b[i + 1] === 99) {
      const third = b[i + 2];
      const fourth = b[i + 3];
      if ((third === 97 && fourth === 118) /* scav */ || (third === 118 && fourth === 103) /* scvg */) {
        kind = SKIM_TEXT;
        break;
      }
    } else if (c === 83 /* S */ && b[i + 1] === 67 /* C */) {
      kind = SKIM_TEXT;
      break;
    } else if (
      c === 112 /* pacer: */ &&
      b[i + 1] === 97 &&
      b[i + 2] === 99 &&
      b[i + 3] === 101 &&
      b[i + 4] === 114 &&
      b[i + 5] === 58
    ) {
      kind = SKIM_PACER;
    }
  }
  skimmedKind = kind;
  return kind === SKIM_TEXT ? b.indexOf(10, i) : i;
}

/** Fills the derived figures (phases, pauses, CPU split) of the scanned line into SCAN. */
function deriveFigures(): void {
  const clockCount = scanned.clockCount;
  const markTerminationMs = SCAN[V_CLOCK + clockCount - 1];
  let concurrentMarkMs = SCAN[V_CLOCK + 1];
  for (let k = 2; k < clockCount - 1; k++) concurrentMarkMs += SCAN[V_CLOCK + k];
  SCAN[V_CONCURRENT_MARK] = concurrentMarkMs;
  SCAN[V_MARK_TERMINATION] = markTerminationMs;
  // Go 1.5's third phase ("synchronize Ps") is a ragged barrier, not a stop-the-world pause.
  SCAN[V_STW] = SCAN[V_CLOCK] + markTerminationMs;
  const c = V_CPU;
  if (clockCount === 5) {
    // a(sweep term)+b(scan)+c(install WB)+d(assist)/e(background)/f(idle)+g(mark term)
    SCAN[V_ASSIST] = SCAN[c + 3];
    SCAN[V_BACKGROUND] = SCAN[c + 1] + SCAN[c + 2] + SCAN[c + 4];
    SCAN[V_IDLE] = SCAN[c + 5];
    SCAN[V_GC_CPU] = SCAN[c] + SCAN[c + 1] + SCAN[c + 2] + SCAN[c + 3] + SCAN[c + 4] + SCAN[c + 6];
  } else {
    SCAN[V_ASSIST] = SCAN[c + 1];
    SCAN[V_BACKGROUND] = SCAN[c + 2];
    SCAN[V_IDLE] = SCAN[c + 3];
    SCAN[V_GC_CPU] = SCAN[c] + SCAN[c + 1] + SCAN[c + 2] + SCAN[c + 4];
  }
}

function scannedLayout(): GcLineLayout {
  return scanned.clockCount === 5 ? "go1.5" : scanned.hasStacks ? "go1.18+" : "go1.6-1.17";
}

/** A new GcCycle of the scanned line. */
function newCycle(lineNumber: number): GcCycle {
  deriveFigures();
  const fivePhase = scanned.clockCount === 5;
  const k = V_CLOCK;
  const c = V_CPU;
  const cycle: GcCycle = {
    cycle: SCAN[V_CYCLE],
    atSeconds: SCAN[V_AT],
    cpuPercentCumulative: SCAN[V_PERCENT],
    clockMs: fivePhase
      ? [SCAN[k], SCAN[k + 1], SCAN[k + 2], SCAN[k + 3], SCAN[k + 4]]
      : [SCAN[k], SCAN[k + 1], SCAN[k + 2]],
    cpuMs: fivePhase
      ? [SCAN[c], SCAN[c + 1], SCAN[c + 2], SCAN[c + 3], SCAN[c + 4], SCAN[c + 5], SCAN[c + 6]]
      : [SCAN[c], SCAN[c + 1], SCAN[c + 2], SCAN[c + 3], SCAN[c + 4]],
    sweepTerminationMs: SCAN[k],
    concurrentMarkMs: SCAN[V_CONCURRENT_MARK],
    markTerminationMs: SCAN[V_MARK_TERMINATION],
    stwPauseMs: SCAN[V_STW],
    gcCpuMs: SCAN[V_GC_CPU],
    assistCpuMs: SCAN[V_ASSIST],
    backgroundCpuMs: SCAN[V_BACKGROUND],
    idleCpuMs: SCAN[V_IDLE],
    heapStartBytes: SCAN[V_HEAP_START] * MIB,
    heapEndBytes: SCAN[V_HEAP_END] * MIB,
    liveHeapBytes: SCAN[V_LIVE] * MIB,
    goalBytes: SCAN[V_GOAL] * MIB,
    procs: SCAN[V_PROCS],
    forced: scanned.forced,
    periodic: false,
    annotations: scanned.annotations,
    layout: scannedLayout(),
    lineNumber,
  };
  if (scanned.hasStacks) {
    cycle.stacksBytes = SCAN[V_STACKS] * MIB;
    cycle.globalsBytes = SCAN[V_GLOBALS] * MIB;
  }
  return cycle;
}

/**
 * Overwrites `cycle` (made by newCycle for a line with stacks exactly when the scanned one has
 * them, so its properties stay the same) with the scanned line; its arrays are reused when their
 * length fits.
 */
function reuseCycle(cycle: GcCycle, lineNumber: number): void {
  deriveFigures();
  cycle.cycle = SCAN[V_CYCLE];
  cycle.atSeconds = SCAN[V_AT];
  cycle.cpuPercentCumulative = SCAN[V_PERCENT];
  let clockMs = cycle.clockMs;
  if (clockMs.length !== scanned.clockCount) clockMs = cycle.clockMs = new Array<number>(scanned.clockCount);
  for (let k = 0; k < clockMs.length; k++) clockMs[k] = SCAN[V_CLOCK + k];
  let cpuMs = cycle.cpuMs;
  if (cpuMs.length !== scanned.cpuCount) cpuMs = cycle.cpuMs = new Array<number>(scanned.cpuCount);
  for (let k = 0; k < cpuMs.length; k++) cpuMs[k] = SCAN[V_CPU + k];
  cycle.sweepTerminationMs = SCAN[V_CLOCK];
  cycle.concurrentMarkMs = SCAN[V_CONCURRENT_MARK];
  cycle.markTerminationMs = SCAN[V_MARK_TERMINATION];
  cycle.stwPauseMs = SCAN[V_STW];
  cycle.gcCpuMs = SCAN[V_GC_CPU];
  cycle.assistCpuMs = SCAN[V_ASSIST];
  cycle.backgroundCpuMs = SCAN[V_BACKGROUND];
  cycle.idleCpuMs = SCAN[V_IDLE];
  cycle.heapStartBytes = SCAN[V_HEAP_START] * MIB;
  cycle.heapEndBytes = SCAN[V_HEAP_END] * MIB;
  cycle.liveHeapBytes = SCAN[V_LIVE] * MIB;
  cycle.goalBytes = SCAN[V_GOAL] * MIB;
  cycle.procs = SCAN[V_PROCS];
  cycle.forced = scanned.forced;
  cycle.periodic = false;
  cycle.annotations = scanned.annotations;
  cycle.layout = scannedLayout();
  cycle.lineNumber = lineNumber;
  if (scanned.hasStacks) {
    cycle.stacksBytes = SCAN[V_STACKS] * MIB;
    cycle.globalsBytes = SCAN[V_GLOBALS] * MIB;
  }
}

/** Parses a scavenger line of any version; null when `text` is not one. */
export function parseScavengerLine(text: string, lineNumber = 0): ScavengerEvent | null {
  let m = SCAV_121.exec(text);
  if (m) {
    const bg = Number(m[1]) * 1024;
    const eager = Number(m[2]) * 1024;
    return {
      kind: "scav",
      releasedBytes: bg + eager,
      backgroundBytes: bg,
      eagerBytes: eager,
      totalReleasedBytes: Number(m[3]) * 1024,
      utilizationPercent: Number(m[4]),
      forced: m[5] !== undefined,
      controllerReset: false,
      lineNumber,
    };
  }
  m = SCAV_114.exec(text);
  if (m) {
    return {
      kind: "scav",
      releasedBytes: Number(m[1]) * 1024,
      totalReleasedBytes: Number(m[2]) * 1024,
      utilizationPercent: Number(m[3]),
      forced: m[4] !== undefined,
      controllerReset: m[5] !== undefined,
      lineNumber,
    };
  }
  m = SCVG_SUMMARY.exec(text);
  if (m) {
    return {
      kind: "scvg",
      releasedBytes: 0,
      inuseBytes: Number(m[2]) * MIB,
      idleBytes: Number(m[3]) * MIB,
      sysBytes: Number(m[4]) * MIB,
      totalReleasedBytes: Number(m[5]) * MIB,
      consumedBytes: Number(m[6]) * MIB,
      forced: m[1] === "-1",
      controllerReset: false,
      lineNumber,
    };
  }
  m = SCVG_RELEASED.exec(text);
  if (m) {
    return {
      kind: "scvg",
      releasedBytes: Number(m[2]) * (m[3] === "MB" ? MIB : 1024),
      forced: m[1] === "-1",
      controllerReset: false,
      lineNumber,
    };
  }
  return null;
}

interface MutableRun extends GcProcessRun {
  lastAtSeconds: number;
}

/**
 * Streaming gctrace decoder. `push()` text or bytes in any chunking, then `end()`.
 * With `keepRecords: false` memory stays bounded: only counters and per-run summaries are kept and
 * records go to the `onCycle`/`onScavenger` callbacks.
 */
export class GcTraceParser {
  private readonly keepRecords: boolean;
  private readonly maxLineLength: number;
  private readonly onCycle?: (cycle: GcCycle, runIndex: number) => void;
  private readonly onScavenger?: (event: ScavengerEvent, runIndex: number) => void;
  private readonly wholeDecoder = new TextDecoder("utf-8");
  /** The unterminated last line of the input so far, cut at `carryLimit` bytes. */
  private carryBytes: Uint8Array = EMPTY_BYTES;
  /**
   * Bytes kept of an unterminated line (binary junk without newlines must not grow memory): enough
   * for the `maxLineLength` UTF-16 code units a line is cut to (at most 3 bytes each).
   */
  private readonly carryLimit: number;
  /** Text input encoded to UTF-8, a piece at a time. Grows to 3 bytes per unit of a TEXT_PIECE_UNITS piece. */
  private textBytes: Uint8Array = EMPTY_BYTES;
  /** A high surrogate ending the last text pushed: its pair may start the next text. */
  private heldSurrogate = "";
  private lineNumber = 0;
  private readonly runs: MutableRun[] = [];
  private lastRun: MutableRun | null = null;
  private nextRunIndex = 0;
  private evictedRuns = 0;
  private periodicPending = false;
  /** Partial CRI (`P`) or unterminated JSON log pieces, per stream. */
  private readonly partial = new Map<string, { text: string; lineNumber: number }>();
  /** The head of a gc line that did not parse, waiting for its continuation. */
  private pendingGc: { text: string; lineNumber: number; age: number } | null = null;
  private readonly counts = {
    cycleLines: 0,
    scavengerLines: 0,
    repaired: 0,
    continuationLines: 0,
  };
  private readonly skipped: SkippedLineCounts = {
    blank: 0,
    pacer: 0,
    gcForcedNotices: 0,
    schedtrace: 0,
    malformedGcLines: 0,
    preGo15Lines: 0,
    other: 0,
  };
  private memoryLimitHint?: GcTraceParse["memoryLimitHint"];
  private gogcOffHint = false;
  private readonly reuseCycleObjects: boolean;
  /** The objects handed out with reuseCycleObjects: one for lines with stacks and one without. */
  private reusedWithStacks: GcCycle | null = null;
  private reusedWithoutStacks: GcCycle | null = null;

  constructor(options: GcTraceParserOptions = {}) {
    this.keepRecords = options.keepRecords ?? true;
    this.maxLineLength = options.maxLineLength ?? 64 * 1024;
    this.carryLimit = this.maxLineLength * 4;
    this.onCycle = options.onCycle;
    this.onScavenger = options.onScavenger;
    this.reuseCycleObjects = !this.keepRecords && (options.reuseCycleObjects ?? false);
  }

  /** The GcCycle of the line just scanned: a new object, or the reused one. */
  private scannedCycle(lineNumber: number): GcCycle {
    if (!this.reuseCycleObjects) return newCycle(lineNumber);
    const withStacks = scanned.hasStacks;
    const reused = withStacks ? this.reusedWithStacks : this.reusedWithoutStacks;
    if (reused) {
      reuseCycle(reused, lineNumber);
      return reused;
    }
    const cycle = newCycle(lineNumber);
    if (withStacks) this.reusedWithStacks = cycle;
    else this.reusedWithoutStacks = cycle;
    return cycle;
  }

  push(input: string | Uint8Array): void {
    if (typeof input === "string") {
      this.pushString(input);
      return;
    }
    this.flushHeldSurrogate();
    // A plain Uint8Array view of a Buffer: the scanner then sees one kind of array, not two.
    this.pushBytes(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
  }

  /**
   * Text is encoded to UTF-8 and takes the byte path, in pieces through one reused buffer (a whole
   * copy of a large text would double its memory).
   */
  private pushString(input: string): void {
    let text = input;
    if (this.heldSurrogate !== "") {
      text = this.heldSurrogate + text;
      this.heldSurrogate = "";
    }
    if (text.length > 0 && (text.charCodeAt(text.length - 1) & 0xfc00) === 0xd800) {
      this.heldSurrogate = text.slice(-1);
      text = text.slice(0, -1);
    }
    for (let from = 0; from < text.length; ) {
      let to = Math.min(text.length, from + TEXT_PIECE_UNITS);
      // Keep a surrogate pair in one piece (each half alone would encode as U+FFFD).
      if (to < text.length && (text.charCodeAt(to - 1) & 0xfc00) === 0xd800) to--;
      const piece = from === 0 && to === text.length ? text : text.slice(from, to);
      const need = piece.length * 3;
      if (this.textBytes.length < need) this.textBytes = new Uint8Array(need);
      const { written } = utf8Encoder.encodeInto(piece, this.textBytes);
      this.pushBytes(this.textBytes.subarray(0, written));
      from = to;
    }
  }

  /** A high surrogate whose pair never came is encoded on its own (as U+FFFD). */
  private flushHeldSurrogate(): void {
    if (this.heldSurrogate === "") return;
    const held = this.heldSurrogate;
    this.heldSurrogate = "";
    this.pushBytes(utf8Encoder.encode(held));
  }

  /**
   * Lines are scanned in the chunk itself, and only lines that need the general path are decoded,
   * each on its own (a newline never splits a UTF-8 character). An unterminated line waits for the
   * next chunk, copied: `chunk` may be reused by the caller (pushString does).
   */
  private pushBytes(chunk: Uint8Array): void {
    let from = 0;
    if (this.carryBytes.length > 0) {
      // Join the carried piece with this chunk's first line only (not the whole chunk: a copy of
      // every chunk cost more than the rest of the line splitting), up to the cut of a long line.
      const carried = this.carryBytes;
      this.carryBytes = EMPTY_BYTES;
      const firstNewline = chunk.indexOf(10);
      const lineEnd = firstNewline < 0 ? chunk.length : firstNewline;
      const take = Math.min(lineEnd, this.carryLimit - carried.length);
      const head = new Uint8Array(carried.length + take + (firstNewline < 0 ? 0 : 1));
      head.set(carried, 0);
      head.set(chunk.subarray(0, take), carried.length);
      if (firstNewline < 0) {
        this.carryBytes = head;
        return;
      }
      head[head.length - 1] = 10;
      this.pushLines(head, 0, head.length - 1);
      from = firstNewline + 1;
    }
    const lastNewline = chunk.lastIndexOf(10);
    if (lastNewline < from) {
      if (from < chunk.length) this.carryUnterminated(chunk, from);
      return;
    }
    this.pushLines(chunk, from, lastNewline);
    if (lastNewline + 1 < chunk.length) this.carryUnterminated(chunk, lastNewline + 1);
  }

  /**
   * Keeps a copy of the chunk's unterminated end for the next chunk, cut at `carryLimit` (the line
   * is cut to maxLineLength units when it is decoded, at its newline or at end()).
   */
  private carryUnterminated(chunk: Uint8Array, from: number): void {
    this.carryBytes = chunk.slice(from, Math.min(chunk.length, from + this.carryLimit));
  }

  /** The complete lines of `bytes` from `start` to the newline at `lastNewline`. */
  private pushLines(bytes: Uint8Array, start: number, lastNewline: number): void {
    while (start <= lastNewline) {
      let nl: number;
      if (this.pendingGc === null) {
        // Fast path for most of a trace, a line that is just a gc line: scanned in place.
        if (bytes[start] === 103 && bytes[start + 1] === 99 && bytes[start + 2] === 32) {
          const after = scanGcBytes(bytes, start, lastNewline);
          if (after >= 0) {
            nl = after;
            while (bytes[nl] !== 10) nl++;
            const end = nl > start && bytes[nl - 1] === 13 ? nl - 1 : nl;
            if (end - start <= this.maxLineLength) {
              this.lineNumber++;
              this.acceptCycle(this.scannedCycle(this.lineNumber));
              start = nl + 1;
              continue;
            }
          }
        }
        // Lines that can only be counted (application output, pacer lines) are counted undecoded.
        nl = skimLine(bytes, start);
        if (skimmedKind !== SKIM_TEXT && nl - start <= this.maxLineLength) {
          this.lineNumber++;
          if (skimmedKind === SKIM_OTHER) this.skipped.other++;
          else if (skimmedKind === SKIM_PACER) this.skipped.pacer++;
          else this.skipped.blank++;
          start = nl + 1;
          continue;
        }
      } else {
        nl = bytes.indexOf(10, start);
      }
      const end = nl > start && bytes[nl - 1] === 13 ? nl - 1 : nl;
      this.physicalLine(this.wholeDecoder.decode(bytes.subarray(start, end)));
      start = nl + 1;
    }
  }

  /** Flushes the last unterminated line and pending pieces; returns the result. */
  end(): GcTraceParse {
    this.flushHeldSurrogate();
    const tail = this.wholeDecoder.decode(this.carryBytes);
    this.carryBytes = EMPTY_BYTES;
    if (tail.length > 0) this.physicalLine(tail);
    for (const [, piece] of this.partial) this.logicalLine(piece.text, piece.lineNumber);
    this.partial.clear();
    this.flushPendingGc();
    return this.snapshot();
  }

  /** The result so far (for following a growing file). */
  snapshot(): GcTraceParse {
    const runs: GcProcessRun[] = this.runs.map(({ lastAtSeconds: _ignored, ...run }) => ({ ...run }));
    const skippedLines = Object.values(this.skipped).reduce((a, b) => a + b, 0);
    const result: GcTraceParse = {
      runs,
      targetRunIndex: selectTargetRun(runs),
      totalLines: this.lineNumber,
      cycleLines: this.counts.cycleLines,
      scavengerLines: this.counts.scavengerLines,
      skippedLines,
      skipped: { ...this.skipped },
      repairedGcLines: this.counts.repaired,
      continuationLines: this.counts.continuationLines,
      evictedRuns: this.evictedRuns,
    };
    if (this.memoryLimitHint) result.memoryLimitHint = { ...this.memoryLimitHint };
    if (this.gogcOffHint) result.gogcOffHint = true;
    return result;
  }

  private physicalLine(raw: string): void {
    this.lineNumber++;
    const line = raw.length > this.maxLineLength ? raw.slice(0, this.maxLineLength) : raw;
    const lineNumber = this.lineNumber;
    const first = line.charCodeAt(0);
    // Kubernetes CRI: `<RFC3339 time> <stream> <P|F> <text>`; P = partial, joined with what follows.
    if (first >= 48 && first <= 57 && line.charCodeAt(4) === 45 && line.charCodeAt(10) === 84) {
      const m = CRI_LINE.exec(line);
      if (m) {
        this.wrappedPiece(`cri:${m[1]}`, m[3], m[2] === "F", lineNumber);
        return;
      }
    }
    // JSON log wrappers (Docker json-file `{"log": "...\n"}`, structured loggers `{"msg": ...}`).
    if (first === 123 /* { */) {
      const unwrapped = unwrapJsonLog(line);
      if (unwrapped) {
        // Docker json-file ends a complete line's `log` with "\n"; a piece without one is partial.
        const complete = !unwrapped.docker || unwrapped.text.endsWith("\n");
        this.wrappedPiece(`json:${unwrapped.stream}`, unwrapped.text, complete, lineNumber);
        return;
      }
    }
    this.logicalLine(line, lineNumber);
  }

  private wrappedPiece(stream: string, text: string, complete: boolean, lineNumber: number): void {
    const previous = this.partial.get(stream);
    const joined = previous ? previous.text + text : text;
    const firstLine = previous ? previous.lineNumber : lineNumber;
    if (!complete) {
      if (previous) this.skippedLineAccounted(); // the earlier physical line is now part of this one
      this.partial.set(stream, {
        text: joined.length > this.maxLineLength ? joined.slice(0, this.maxLineLength) : joined,
        lineNumber: firstLine,
      });
      return;
    }
    this.partial.delete(stream);
    if (previous) this.skippedLineAccounted();
    const lines = joined.split("\n");
    if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
    for (const l of lines) this.logicalLine(l.endsWith("\r") ? l.slice(0, -1) : l, firstLine);
  }

  /** A physical line merged into a later one (partial log piece, head of a split gc line). */
  private skippedLineAccounted(): void {
    this.counts.continuationLines++;
  }

  private logicalLine(text: string, lineNumber: number): void {
    if (this.pendingGc) {
      if (this.tryRepair(text)) return;
    }
    if (text.includes("gc ")) {
      if (scanGcLineBytes(lineBytes, encodeLine(text))) {
        this.acceptCycle(this.scannedCycle(lineNumber));
        return;
      }
      const start = GC_LINE_START.exec(text);
      if (start) {
        this.flushPendingGc();
        this.pendingGc = { text: text.slice(start.index), lineNumber, age: 0 };
        return;
      }
    }
    this.noiseLine(text, lineNumber);
  }

  /** Joins the pending gc head with `text`, dropping junk written into the middle of it. */
  private tryRepair(text: string): boolean {
    const pending = this.pendingGc!;
    // Plain split (the newline came from a logger wrapping or from a write boundary). The head
    // (which starts with "gc ") is encoded into lineBytes and each candidate tail copied after it.
    const textLength = encodeLine(text);
    if (repairBytes.length < textLength) repairBytes = new Uint8Array(textLength * 2);
    repairBytes.set(lineBytes.subarray(0, textLength), 0);
    const tail = repairBytes.subarray(0, textLength);
    const headLength = encodeLine(pending.text);
    if (lineBytes.length < headLength + textLength) {
      const grown = new Uint8Array((headLength + textLength) * 2);
      grown.set(lineBytes.subarray(0, headLength), 0);
      lineBytes = grown;
    }
    lineBytes.set(tail, headLength);
    let repaired = scanGcBytes(lineBytes, 0, headLength + textLength) >= 0;
    // Junk appended to the head: try shorter heads, cut between characters (not inside one), the
    // longest first. Only while `text` does not hold a full line.
    if (!repaired && !GC_LINE_START.test(text)) {
      // The minimal head is ASCII, so its length in characters is its length in bytes.
      const minimum = /^gc #?\d+ @/.exec(pending.text)?.[0].length ?? pending.text.length;
      for (let k = headLength - 1; k >= minimum && !repaired; k--) {
        if ((lineBytes[k] & 0xc0) === 0x80) continue; // a UTF-8 continuation byte
        lineBytes.set(tail, k);
        repaired = scanGcBytes(lineBytes, 0, k + textLength) >= 0;
      }
    }
    if (repaired) {
      this.pendingGc = null;
      this.counts.repaired++;
      // The head's physical line became part of this cycle.
      this.skippedLineAccounted();
      this.acceptCycle(this.scannedCycle(pending.lineNumber));
      return true;
    }
    pending.age++;
    if (pending.age >= REPAIR_WINDOW_LINES || GC_LINE_START.test(text)) this.flushPendingGc();
    return false;
  }

  private flushPendingGc(): void {
    if (!this.pendingGc) return;
    this.pendingGc = null;
    this.skipped.malformedGcLines++;
  }

  /**
   * Classifies a line that is not a gc line. Keep skimLine in step: the byte path counts the lines
   * it finds plain (no trigger of any class below) without calling this.
   */
  private noiseLine(text: string, lineNumber: number): void {
    const trimmed = text.trim();
    if (trimmed === "") {
      this.skipped.blank++;
      return;
    }
    if (trimmed.includes("GC forced")) {
      this.skipped.gcForcedNotices++;
      this.periodicPending = true;
      return;
    }
    if (trimmed.includes("scav") || trimmed.includes("scvg")) {
      const event = parseScavengerLine(trimmed, lineNumber);
      if (event) {
        this.counts.scavengerLines++;
        this.acceptScavenger(event);
        return;
      }
    }
    if (trimmed.includes("pacer:")) {
      this.skipped.pacer++;
      return;
    }
    if (trimmed.startsWith("SCHED ") || trimmed.includes(" SCHED ")) {
      this.skipped.schedtrace++;
      return;
    }
    if (PRE_GO15_GC.test(trimmed)) {
      this.skipped.preGo15Lines++;
      return;
    }
    if (!this.memoryLimitHint && trimmed.includes("GOMEMLIMIT")) {
      const m = MEMORY_LIMIT.exec(trimmed);
      const bytes = m ? parseByteSize(`${m[1]}${m[2] ?? ""}`) : null;
      if (bytes && bytes > 0) this.memoryLimitHint = { bytes, lineNumber, text: trimmed.slice(0, 200) };
    }
    if (!this.gogcOffHint && GOGC_OFF.test(trimmed)) this.gogcOffHint = true;
    this.skipped.other++;
  }

  private acceptCycle(cycle: GcCycle): void {
    cycle.periodic = this.periodicPending;
    this.periodicPending = false;
    this.counts.cycleLines++;
    const run = this.runFor(cycle);
    run.lastAtSeconds = cycle.atSeconds;
    if (cycle.cycle > run.lastCycle) {
      run.missingCycles += Math.max(0, cycle.cycle - run.lastCycle - 1);
      run.lastCycle = cycle.cycle;
    }
    run.cycleCount++;
    run.endSeconds = Math.max(run.endSeconds, cycle.atSeconds);
    run.lastLineNumber = cycle.lineNumber;
    if (cycle.layout === "go1.18+" || run.layout === "go1.6-1.17") run.layout = cycle.layout;
    if (this.keepRecords) run.cycles.push(cycle);
    this.lastRun = run;
    this.onCycle?.(cycle, run.index);
  }

  /**
   * Which process a cycle belongs to. Each process counts cycles from 1, so a cycle continues the run
   * whose last cycle is just below it (and not later in time); cycle 1, a counter going back, or no
   * fitting run starts a new run. Interleaved processes (the go command's forced GC during a test)
   * thus stay apart.
   */
  private runFor(cycle: GcCycle): MutableRun {
    let best: MutableRun | undefined;
    let bestGap = Number.POSITIVE_INFINITY;
    if (cycle.cycle > 1) {
      for (let i = this.runs.length - 1; i >= 0 && i >= this.runs.length - 64; i--) {
        const run = this.runs[i];
        const gap = cycle.cycle - run.lastCycle;
        if (gap < 1 || gap > MAX_CYCLE_GAP) continue;
        if (cycle.atSeconds + 0.0015 < run.lastAtSeconds) continue;
        if (gap < bestGap || (gap === bestGap && run === this.lastRun)) {
          best = run;
          bestGap = gap;
        }
      }
    }
    if (best) return best;
    const run: MutableRun = {
      index: this.nextRunIndex++,
      firstCycle: cycle.cycle,
      lastCycle: cycle.cycle,
      cycleCount: 0,
      missingCycles: 0,
      startSeconds: cycle.atSeconds,
      endSeconds: cycle.atSeconds,
      firstLineNumber: cycle.lineNumber,
      lastLineNumber: cycle.lineNumber,
      layout: cycle.layout,
      cycles: [],
      scavenger: [],
      scavengerCount: 0,
      lastAtSeconds: cycle.atSeconds,
    };
    this.runs.push(run);
    if (this.runs.length > MAX_RUNS) this.evictSmallestRun();
    return run;
  }

  /**
   * Bounded memory for streams with endless restarts (a crash-looping service appending to one
   * log): beyond MAX_RUNS, the run with the fewest cycles among all but the most recent is dropped
   * from the report (counted in `evictedRuns`); run indexes stay stable.
   */
  private evictSmallestRun(): void {
    let victim = -1;
    for (let i = 0; i < this.runs.length - 64; i++) {
      if (victim < 0 || this.runs[i].cycleCount < this.runs[victim].cycleCount) victim = i;
    }
    if (victim < 0) return;
    if (this.runs[victim] === this.lastRun) this.lastRun = null;
    this.runs.splice(victim, 1);
    this.evictedRuns++;
  }

  private acceptScavenger(event: ScavengerEvent): void {
    // Scavenger lines carry no cycle number; they belong to the process that printed the last gc line.
    const run = this.lastRun ?? undefined;
    if (!run) {
      this.onScavenger?.(event, -1);
      return;
    }
    event.afterCycleAtSeconds = run.lastAtSeconds;
    run.scavengerCount++;
    if (this.keepRecords) run.scavenger.push(event);
    this.onScavenger?.(event, run.index);
  }
}

function unwrapJsonLog(line: string): { text: string; stream: string; docker: boolean } | null {
  if (line.length < 8 || line.charCodeAt(line.length - 1) !== 125 /* } */) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const stream = typeof record.stream === "string" ? record.stream : "";
  if (typeof record.log === "string") return { text: record.log, stream, docker: true };
  for (const key of ["msg", "message", "line", "text"]) {
    const field = record[key];
    if (typeof field === "string") return { text: field, stream, docker: false };
  }
  return null;
}

/**
 * The run to analyse when a stream holds several processes: the one with the most cycles, and of
 * equally long runs the later one. Under `go run`/`go test` the toolchain's processes (go command,
 * compiler, linker) print first and briefly; the target program runs last and longest. Runs with
 * fewer cycles are still reported so a user can pick another with `--run`.
 */
export function selectTargetRun(runs: Pick<GcProcessRun, "cycleCount">[]): number {
  let best = -1;
  for (let i = 0; i < runs.length; i++) {
    if (best < 0 || runs[i].cycleCount >= runs[best].cycleCount) best = i;
  }
  return best;
}

/** Parses a whole gctrace text, keeping every cycle and scavenger event. */
export function parseGcTrace(text: string): GcTraceParse {
  const parser = new GcTraceParser({ keepRecords: true });
  parser.push(text);
  return parser.end();
}
