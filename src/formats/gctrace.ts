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
  let from = text.indexOf("gc ");
  while (from >= 0) {
    const cycle = scanGcLine(text, from, lineNumber);
    if (cycle) return cycle;
    from = text.indexOf("gc ", from + 3);
  }
  return null;
}

const EMPTY_BYTES = new Uint8Array(0);
const NO_ANNOTATIONS: string[] = Object.freeze([]) as unknown as string[];

// Scanner state, module-level so the hot helpers below are plain functions (no closure per line).
let scanText = "";
let scanAt = 0;

function scanLiteral(text: string): boolean {
  if (!scanText.startsWith(text, scanAt)) return false;
  scanAt += text.length;
  return true;
}

function scanInteger(): number {
  const s = scanText;
  const n = s.length;
  let i = scanAt;
  let value = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  if (i === scanAt) return -1;
  scanAt = i;
  return value;
}

/** Digits with an optional fraction; (whole·10^k + fraction) / 10^k rounds once, like Number(). */
function scanDecimal(): number {
  const s = scanText;
  const n = s.length;
  let i = scanAt;
  let whole = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    whole = whole * 10 + (c - 48);
    i++;
  }
  if (i === scanAt) return -1;
  if (s.charCodeAt(i) !== 46 /* . */) {
    scanAt = i;
    return whole;
  }
  i++;
  const fractionStart = i;
  let scale = 1;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    whole = whole * 10 + (c - 48);
    scale *= 10;
    i++;
  }
  if (i === fractionStart) return -1;
  scanAt = i;
  return whole / scale;
}

/** Scans a gc line starting exactly at `start` (which must point at "gc "). */
function scanGcLine(s: string, start: number, lineNumber: number, end = s.length): GcCycle | null {
  scanText = s;
  scanAt = start + 3;
  const literal = scanLiteral;
  const integer = scanInteger;
  const decimal = scanDecimal;
  if (s.charCodeAt(scanAt) === 35 /* # */) scanAt++;
  const cycleNumber = integer();
  if (cycleNumber < 0 || !literal(" @")) return null;
  const atSeconds = decimal();
  if (atSeconds < 0 || !literal("s ")) return null;
  const percent = integer();
  if (percent < 0 || !literal("%: ")) return null;
  const clockMs: number[] = [];
  for (;;) {
    const v = decimal();
    if (v < 0) return null;
    clockMs.push(v);
    if (s.charCodeAt(scanAt) !== 43 /* + */) break;
    scanAt++;
  }
  // Go 1.5 prints 5 clock phases and 7 CPU values; 1.6+ prints 3 and 5. Other counts are mangled.
  const fivePhase = clockMs.length === 5;
  if (!(clockMs.length === 3 || fivePhase) || !literal(" ms clock, ")) return null;
  const cpuMs: number[] = [];
  for (;;) {
    const v = decimal();
    if (v < 0) return null;
    cpuMs.push(v);
    const c = s.charCodeAt(scanAt);
    if (c !== 43 && c !== 47 /* + / */) break;
    scanAt++;
  }
  if (cpuMs.length !== (fivePhase ? 7 : 5) || !literal(" ms cpu, ")) return null;
  const heapStart = integer();
  if (heapStart < 0 || !literal("->")) return null;
  const heapEnd = integer();
  if (heapEnd < 0 || !literal("->")) return null;
  const live = integer();
  if (live < 0 || !literal(" MB, ")) return null;
  const goal = integer();
  if (goal < 0 || !literal(" MB goal, ")) return null;
  let stacks = -1;
  let globals = -1;
  let procs = integer();
  if (procs < 0) return null;
  if (literal(" MB stacks, ")) {
    stacks = procs;
    globals = integer();
    // Some 1.18+ builds print "N MB globals", one doc version "NMB globals".
    if (globals < 0 || !(literal(" MB globals, ") || literal("MB globals, "))) return null;
    procs = integer();
    if (procs < 0) return null;
  }
  if (!literal(" P")) return null;
  let forced = false;
  let annotations = NO_ANNOTATIONS;
  while (s.startsWith(" (", scanAt)) {
    const close = s.indexOf(")", scanAt + 2);
    if (close < 0 || close >= end) break;
    const text = s.slice(scanAt + 2, close);
    if (text === "forced") forced = true;
    else {
      if (annotations === NO_ANNOTATIONS) annotations = [];
      annotations.push(text);
    }
    scanAt = close + 1;
  }
  return buildCycle(
    cycleNumber,
    atSeconds,
    percent,
    clockMs,
    cpuMs,
    heapStart,
    heapEnd,
    live,
    goal,
    stacks,
    globals,
    procs,
    forced,
    annotations,
    lineNumber,
  );
}

// The same grammar over bytes: most of a large trace is plain gc lines, and scanning them in the
// read buffer skips decoding them to strings at all (about twice as fast on a million lines).
let byteText: Uint8Array = EMPTY_BYTES;
let byteAt = 0;
const asBytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const B_AT = asBytes(" @");
const B_S = asBytes("s ");
const B_PERCENT = asBytes("%: ");
const B_CLOCK = asBytes(" ms clock, ");
const B_CPU = asBytes(" ms cpu, ");
const B_ARROW = asBytes("->");
const B_MB = asBytes(" MB, ");
const B_GOAL = asBytes(" MB goal, ");
const B_STACKS = asBytes(" MB stacks, ");
const B_GLOBALS = asBytes(" MB globals, ");
const B_GLOBALS_NOSPACE = asBytes("MB globals, ");
const B_P = asBytes(" P");

function byteLiteral(literal: Uint8Array): boolean {
  const b = byteText;
  const at = byteAt;
  const n = literal.length;
  if (at + n > b.length) return false;
  for (let k = 0; k < n; k++) if (b[at + k] !== literal[k]) return false;
  byteAt = at + n;
  return true;
}

function byteInteger(): number {
  const b = byteText;
  const n = b.length;
  let i = byteAt;
  let value = 0;
  while (i < n) {
    const c = b[i];
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  if (i === byteAt) return -1;
  byteAt = i;
  return value;
}

function byteDecimal(): number {
  const b = byteText;
  const n = b.length;
  let i = byteAt;
  let whole = 0;
  while (i < n) {
    const c = b[i];
    if (c < 48 || c > 57) break;
    whole = whole * 10 + (c - 48);
    i++;
  }
  if (i === byteAt) return -1;
  if (b[i] !== 46 /* . */) {
    byteAt = i;
    return whole;
  }
  i++;
  const fractionStart = i;
  let scale = 1;
  while (i < n) {
    const c = b[i];
    if (c < 48 || c > 57) break;
    whole = whole * 10 + (c - 48);
    scale *= 10;
    i++;
  }
  if (i === fractionStart) return -1;
  byteAt = i;
  return whole / scale;
}

/** scanGcLine over bytes: `start` points at "gc ", the line ends before `end`. */
function scanGcLineBytes(b: Uint8Array, start: number, end: number, lineNumber: number): GcCycle | null {
  byteText = b;
  byteAt = start + 3;
  if (b[byteAt] === 35 /* # */) byteAt++;
  const cycleNumber = byteInteger();
  if (cycleNumber < 0 || !byteLiteral(B_AT)) return null;
  const atSeconds = byteDecimal();
  if (atSeconds < 0 || !byteLiteral(B_S)) return null;
  const percent = byteInteger();
  if (percent < 0 || !byteLiteral(B_PERCENT)) return null;
  const clockMs: number[] = [];
  for (;;) {
    const v = byteDecimal();
    if (v < 0) return null;
    clockMs.push(v);
    if (b[byteAt] !== 43 /* + */) break;
    byteAt++;
  }
  if (!(clockMs.length === 3 || clockMs.length === 5) || !byteLiteral(B_CLOCK)) return null;
  const cpuMs: number[] = [];
  for (;;) {
    const v = byteDecimal();
    if (v < 0) return null;
    cpuMs.push(v);
    const c = b[byteAt];
    if (c !== 43 && c !== 47 /* + / */) break;
    byteAt++;
  }
  if (cpuMs.length !== (clockMs.length === 5 ? 7 : 5) || !byteLiteral(B_CPU)) return null;
  const heapStart = byteInteger();
  if (heapStart < 0 || !byteLiteral(B_ARROW)) return null;
  const heapEnd = byteInteger();
  if (heapEnd < 0 || !byteLiteral(B_ARROW)) return null;
  const live = byteInteger();
  if (live < 0 || !byteLiteral(B_MB)) return null;
  const goal = byteInteger();
  if (goal < 0 || !byteLiteral(B_GOAL)) return null;
  let stacks = -1;
  let globals = -1;
  let procs = byteInteger();
  if (procs < 0) return null;
  if (byteLiteral(B_STACKS)) {
    stacks = procs;
    globals = byteInteger();
    if (globals < 0 || !(byteLiteral(B_GLOBALS) || byteLiteral(B_GLOBALS_NOSPACE))) return null;
    procs = byteInteger();
    if (procs < 0) return null;
  }
  if (!byteLiteral(B_P)) return null;
  let forced = false;
  let annotations = NO_ANNOTATIONS;
  while (byteAt + 1 < end && b[byteAt] === 32 && b[byteAt + 1] === 40 /* " (" */) {
    const close = b.indexOf(41 /* ) */, byteAt + 2);
    if (close < 0 || close >= end) break;
    let text = "";
    for (let k = byteAt + 2; k < close; k++) text += String.fromCharCode(b[k]);
    if (text === "forced") forced = true;
    else {
      if (annotations === NO_ANNOTATIONS) annotations = [];
      annotations.push(text);
    }
    byteAt = close + 1;
  }
  return buildCycle(
    cycleNumber,
    atSeconds,
    percent,
    clockMs,
    cpuMs,
    heapStart,
    heapEnd,
    live,
    goal,
    stacks,
    globals,
    procs,
    forced,
    annotations,
    lineNumber,
  );
}

/** The GcCycle of scanned fields (stacks/globals −1 when the line has none). */
function buildCycle(
  cycleNumber: number,
  atSeconds: number,
  percent: number,
  clockMs: number[],
  cpuMs: number[],
  heapStart: number,
  heapEnd: number,
  live: number,
  goal: number,
  stacks: number,
  globals: number,
  procs: number,
  forced: boolean,
  annotations: string[],
  lineNumber: number,
): GcCycle {
  const fivePhase = clockMs.length === 5;
  const sweepTerminationMs = clockMs[0];
  const markTerminationMs = clockMs[clockMs.length - 1];
  let concurrentMarkMs = 0;
  for (let k = 1; k < clockMs.length - 1; k++) concurrentMarkMs += clockMs[k];
  let assistCpuMs: number;
  let backgroundCpuMs: number;
  let idleCpuMs: number;
  let gcCpuMs: number;
  if (fivePhase) {
    // a(sweep term)+b(scan)+c(install WB)+d(assist)/e(background)/f(idle)+g(mark term)
    assistCpuMs = cpuMs[3];
    backgroundCpuMs = cpuMs[1] + cpuMs[2] + cpuMs[4];
    idleCpuMs = cpuMs[5];
    gcCpuMs = cpuMs[0] + cpuMs[1] + cpuMs[2] + cpuMs[3] + cpuMs[4] + cpuMs[6];
  } else {
    assistCpuMs = cpuMs[1];
    backgroundCpuMs = cpuMs[2];
    idleCpuMs = cpuMs[3];
    gcCpuMs = cpuMs[0] + cpuMs[1] + cpuMs[2] + cpuMs[4];
  }
  const cycle: GcCycle = {
    cycle: cycleNumber,
    atSeconds,
    cpuPercentCumulative: percent,
    clockMs,
    cpuMs,
    sweepTerminationMs,
    concurrentMarkMs,
    markTerminationMs,
    // Go 1.5's third phase ("synchronize Ps") is a ragged barrier, not a stop-the-world pause.
    stwPauseMs: sweepTerminationMs + markTerminationMs,
    gcCpuMs,
    assistCpuMs,
    backgroundCpuMs,
    idleCpuMs,
    heapStartBytes: heapStart * MIB,
    heapEndBytes: heapEnd * MIB,
    liveHeapBytes: live * MIB,
    goalBytes: goal * MIB,
    procs,
    forced,
    periodic: false,
    annotations,
    layout: fivePhase ? "go1.5" : stacks >= 0 ? "go1.18+" : "go1.6-1.17",
    lineNumber,
  };
  if (stacks >= 0) {
    cycle.stacksBytes = stacks * MIB;
    cycle.globalsBytes = globals * MIB;
  }
  return cycle;
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

/** Parses `2GiB`, `512MiB`, `1.5G`, `1073741824` into bytes; null when not a size. */
export function parseByteSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?)(B?)\s*$/i.exec(text);
  if (!m) return null;
  const power = { "": 0, K: 1, M: 2, G: 3, T: 4 }[m[2].toUpperCase() as "" | "K" | "M" | "G" | "T"];
  // `2GB` in GOMEMLIMIT and Kubernetes `2G` are decimal; `2GiB`, `2Gi` are binary.
  const base = m[3] !== "" ? 1024 : m[4] !== "" || m[2] !== "" ? 1000 : 1;
  const bytes = Number(m[1]) * base ** power;
  return Number.isFinite(bytes) ? Math.round(bytes) : null;
}

/** True when bytes look like binary data rather than text (NULs or many control bytes). */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  if (n === 0) return false;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32) || b === 127) control++;
  }
  return control / n > 0.05;
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
  private readonly decoder = new TextDecoder("utf-8");
  private readonly wholeDecoder = new TextDecoder("utf-8");
  private carry = "";
  private carryBytes: Uint8Array = EMPTY_BYTES;
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

  constructor(options: GcTraceParserOptions = {}) {
    this.keepRecords = options.keepRecords ?? true;
    this.maxLineLength = options.maxLineLength ?? 64 * 1024;
    this.onCycle = options.onCycle;
    this.onScavenger = options.onScavenger;
  }

  push(chunk: string | Uint8Array): void {
    if (typeof chunk === "string") {
      if (this.carryBytes.length > 0) {
        const pending = this.carryBytes;
        this.carryBytes = EMPTY_BYTES;
        this.pushText(this.decoder.decode(pending, { stream: true }));
      }
      this.pushText(chunk);
      return;
    }
    // Bytes: decode only up to the last newline (a newline never splits a UTF-8 character), so a
    // non-streaming decode of whole lines suffices; the rest waits for the next chunk.
    let bytes = chunk;
    if (this.carryBytes.length > 0) {
      bytes = new Uint8Array(this.carryBytes.length + chunk.length);
      bytes.set(this.carryBytes, 0);
      bytes.set(chunk, this.carryBytes.length);
    }
    const lastNewline = bytes.lastIndexOf(10);
    if (lastNewline < 0) {
      this.carryBytes = bytes;
      // A "line" that never ends (binary junk) goes through the text path, which cuts it.
      if (bytes.length > this.maxLineLength * 4) {
        this.carryBytes = EMPTY_BYTES;
        this.pushText(this.decoder.decode(bytes, { stream: true }));
      }
      return;
    }
    this.carryBytes = lastNewline + 1 < bytes.length ? bytes.slice(lastNewline + 1) : EMPTY_BYTES;
    if (this.carry.length > 0) {
      // Text pushed earlier left an unterminated line: keep to the text path for this chunk.
      this.pushText(this.wholeDecoder.decode(bytes.subarray(0, lastNewline + 1)));
      return;
    }
    let start = 0;
    while (start <= lastNewline) {
      const nl = bytes.indexOf(10, start);
      let end = nl;
      if (end > start && bytes[end - 1] === 13) end--;
      if (!this.plainGcLineBytes(bytes, start, end)) {
        this.physicalLine(this.wholeDecoder.decode(bytes.subarray(start, end)));
      }
      start = nl + 1;
    }
  }

  private pushText(text: string): void {
    let start = 0;
    const data = this.carry.length > 0 ? this.carry + text : text;
    this.carry = "";
    for (;;) {
      const nl = data.indexOf("\n", start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && data.charCodeAt(end - 1) === 13) end--;
      if (!this.plainGcLine(data, start, end)) this.physicalLine(data.slice(start, end));
      start = nl + 1;
    }
    const rest = start === 0 ? data : data.slice(start);
    // Keep an unterminated tail for the next chunk, cut if it grows without bound (binary junk).
    this.carry = rest.length > this.maxLineLength ? rest.slice(0, this.maxLineLength) : rest;
  }

  /** Flushes the last unterminated line and pending pieces; returns the result. */
  end(): GcTraceParse {
    const tail = this.carry + this.decoder.decode(this.carryBytes) + this.decoder.decode();
    this.carryBytes = EMPTY_BYTES;
    this.carry = "";
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

  /**
   * Fast path for the common case, a line that is just a gc line: scanned in place in the chunk,
   * without cutting a string for it. Anything else (prefixes, wrappers, a pending split line) takes
   * the general path.
   */
  private plainGcLine(data: string, start: number, end: number): boolean {
    if (this.pendingGc !== null || end - start > this.maxLineLength) return false;
    if (
      data.charCodeAt(start) !== 103 ||
      data.charCodeAt(start + 1) !== 99 ||
      data.charCodeAt(start + 2) !== 32
    ) {
      return false;
    }
    const cycle = scanGcLine(data, start, this.lineNumber + 1, end);
    if (!cycle) return false;
    this.lineNumber++;
    this.acceptCycle(cycle);
    return true;
  }

  /** plainGcLine over bytes. */
  private plainGcLineBytes(bytes: Uint8Array, start: number, end: number): boolean {
    if (this.pendingGc !== null || end - start > this.maxLineLength) return false;
    if (bytes[start] !== 103 || bytes[start + 1] !== 99 || bytes[start + 2] !== 32) return false;
    const cycle = scanGcLineBytes(bytes, start, end, this.lineNumber + 1);
    if (!cycle) return false;
    this.lineNumber++;
    this.acceptCycle(cycle);
    return true;
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
    let gcAt = text.indexOf("gc ");
    if (gcAt >= 0) {
      let cycle: GcCycle | null = null;
      while (gcAt >= 0 && !cycle) {
        cycle = scanGcLine(text, gcAt, lineNumber);
        if (!cycle) gcAt = text.indexOf("gc ", gcAt + 3);
      }
      if (cycle) {
        this.acceptCycle(cycle);
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
    // Plain split (the newline came from a logger wrapping or from a write boundary).
    let cycle = scanGcLine(pending.text + text, 0, pending.lineNumber);
    if (!cycle) {
      // Junk appended to the head: try shorter heads. Only while `text` does not hold a full line.
      if (!GC_LINE_START.test(text)) {
        const minimum = /^gc #?\d+ @/.exec(pending.text)?.[0].length ?? pending.text.length;
        for (let k = pending.text.length - 1; k >= minimum && !cycle; k--) {
          cycle = scanGcLine(pending.text.slice(0, k) + text, 0, pending.lineNumber);
        }
      }
    }
    if (cycle) {
      this.pendingGc = null;
      this.counts.repaired++;
      // The head's physical line became part of this cycle.
      this.skippedLineAccounted();
      this.acceptCycle(cycle);
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
