/**
 * The gc line grammar, for every layout since Go 1.5:
 *   gc [#]N @S.SSSs P%: C+C+C[+C+C] ms clock, X+X/X/X+X | X+X+X+X/X/X+X ms cpu,
 *   H0->H1->H2 MB, G MB goal, [N MB stacks, N MB globals, ]N P[ (forced)][ (…)]
 * scanned from UTF-8 bytes by hand rather than with a regular expression: no capture strings are
 * allocated, so a million lines leave no garbage behind. Bytes, not a string: most of a large
 * trace is plain gc lines, scanned in the read buffer without being decoded at all.
 */

/** Slots of GcLineScanner.values: the figures of the line last scanned. */
export const V_CYCLE = 0;
export const V_AT = 1;
export const V_PERCENT = 2;
export const V_HEAP_START = 3;
export const V_HEAP_END = 4;
export const V_LIVE = 5;
export const V_GOAL = 6;
export const V_STACKS = 7;
export const V_GLOBALS = 8;
export const V_PROCS = 9;
/** 5 slots: the wall-clock phases. */
export const V_CLOCK = 10;
/** 7 slots: the CPU figures. */
export const V_CPU = 15;
// Derived figures (GcCycleBuilder fills them).
export const V_CONCURRENT_MARK = 22;
export const V_MARK_TERMINATION = 23;
export const V_STW = 24;
export const V_GC_CPU = 25;
export const V_ASSIST = 26;
export const V_BACKGROUND = 27;
export const V_IDLE = 28;
const VALUE_SLOTS = 29;

const NO_ANNOTATIONS: string[] = Object.freeze([]) as unknown as string[];

// The grammar after `gc [#]` as steps: each reads a number, then what must follow it. The clock
// and CPU steps repeat while `+` (or `/`) follows; the stacks step is taken when `N MB stacks, `
// follows the goal (Go 1.18+), else that number is GOMAXPROCS and the line ends with ` P`.
// One loop over the steps rather than a helper call per field: V8 inlines only a few of ~35 calls
// per line, and the calls would cost as much as the scanning.
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

/** Stateless (no stream option), so one decoder serves every scanner. */
const annotationDecoder = new TextDecoder("utf-8");

/**
 * Scans gc lines; after a successful scan `values` and the shape fields describe the line. One
 * scanner per parse: its scratch is reused for every line, which is why a scan allocates nothing.
 */
export class GcLineScanner {
  readonly values = new Float64Array(VALUE_SLOTS);
  clockCount = 0;
  cpuCount = 0;
  hasStacks = false;
  forced = false;
  annotations: string[] = NO_ANNOTATIONS;

  /**
   * Scans a line of `length` bytes (no newline in it) for a gc line starting at any `gc `; true
   * when one parsed.
   */
  scanAnywhere(b: Uint8Array, length: number): boolean {
    for (let at = 0; at + 2 < length; at++) {
      if (
        b[at] === 103 &&
        b[at + 1] === 99 &&
        b[at + 2] === 32 /* "gc " */ &&
        this.scanAt(b, at, length) >= 0
      ) {
        return true;
      }
    }
    return false;
  }

  /**
   * Scans a gc line starting exactly at `start` (which must point at "gc "), not reading at or past
   * `end`. Returns the index just after the line's last field (or annotation), or -1 when it is
   * not a complete gc line. The parser passes the chunk's last newline as `end`, not the line's: no
   * step or annotation matches a newline, so a scan never runs into the next line.
   */
  scanAt(b: Uint8Array, start: number, end: number): number {
    const values = this.values;
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
        values[V_CLOCK + clockCount++] = value;
        if (c === 43 /* + */) {
          if (clockCount === 5) return -1;
          i++;
          continue;
        }
        // Go 1.5 prints 5 clock phases and 7 CPU values; 1.6+ prints 3 and 5. Other counts are mangled.
        if (clockCount !== 3 && clockCount !== 5) return -1;
      } else if (step === STEP_CPU) {
        values[V_CPU + cpuCount++] = value;
        if (c === 43 || c === 47 /* + / */) {
          if (cpuCount === 7) return -1;
          i++;
          continue;
        }
        if (cpuCount !== (clockCount === 5 ? 7 : 5)) return -1;
      } else if (step === STEP_PROCS_OR_STACKS) {
        values[V_PROCS] = value;
        if (i + 1 < end && b[i + 1] === 77 /* M */) {
          hasStacks = true;
          values[V_STACKS] = value;
          text = STACKS_BYTES;
        } else {
          next = STEP_DONE;
        }
      } else if (step === STEP_GLOBALS) {
        values[V_GLOBALS] = value;
        if (c !== 32) text = GLOBALS_NOSPACE_BYTES;
      } else {
        values[STEP_SLOT[step]] = value;
      }
      const n = text.length;
      if (i + n > end) return -1;
      for (let k = 0; k < n; k++) if (b[i + k] !== text[k]) return -1;
      i += n;
      step = next;
    }
    this.clockCount = clockCount;
    this.cpuCount = cpuCount;
    this.hasStacks = hasStacks;
    return this.scanSuffixes(b, i, end);
  }

  /** The ` (forced)` and other parenthesized suffixes after the last field; returns the index after them. */
  private scanSuffixes(b: Uint8Array, from: number, end: number): number {
    let i = from;
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
    this.forced = forced;
    this.annotations = annotations;
    return i;
  }
}

function matchesAt(b: Uint8Array, at: number, text: Uint8Array): boolean {
  for (let k = 0; k < text.length; k++) if (b[at + k] !== text[k]) return false;
  return true;
}
