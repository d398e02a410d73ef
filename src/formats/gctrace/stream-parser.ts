/**
 * gctrace (`GODEBUG=gctrace=1`) stream parser: stderr text or bytes in, in any chunking; typed GC
 * cycles and scavenger events out. Real stderr is messy, so this is a tolerant line state machine
 * (see panicparse):
 * - the gc line is searched anywhere in a line (loggers add timestamps or other prefixes);
 * - log wrappers are unwrapped (log-unwrapper.ts) and split gc lines repaired (split-line-repair.ts);
 * - `GC forced` notices, scavenger lines of every version, `pacer:` lines and everything else
 *   are classified and counted, never fatal;
 * - several processes in one stream are separated into process runs (process-runs.ts).
 */
import type { GcCycle, ScavengerEvent } from "../../model/gc-cycle.js";
import { GcCycleBuilder } from "./gc-cycle-builder.js";
import { GcLineScanner } from "./gc-line-scanner.js";
import { LineSkimmer, SKIM_OTHER, SKIM_PACER, SKIM_TEXT } from "./line-skimmer.js";
import { LogUnwrapper } from "./log-unwrapper.js";
import type { GcTraceParse, SkippedLineCounts } from "./parse-result.js";
import { ProcessRuns, selectTargetRun } from "./process-runs.js";
import { RuntimeSettingHints } from "./runtime-setting-hints.js";
import { parseScavengerLine } from "./scavenger-line.js";
import { SplitGcLineRepair } from "./split-line-repair.js";
import { Utf8Scratch } from "./utf8-scratch.js";
import { Utf8TextPieces } from "./utf8-text-pieces.js";

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

const EMPTY_BYTES = new Uint8Array(0);
/** Pre-Go 1.5 `gcN(N): …` lines: recognised to be counted, not parsed. */
const PRE_GO15_GC = /\bgc\d+\(\d+\): [\d+]+ us, \d+ -> \d+ MB/;

/**
 * Streaming gctrace decoder. `push()` text or bytes in any chunking, then `end()`.
 * With `keepRecords: false` memory stays bounded: only counters and per-run summaries are kept and
 * records go to the `onCycle`/`onScavenger` callbacks.
 */
export class GcTraceParser {
  private readonly maxLineLength: number;
  private readonly onCycle?: (cycle: GcCycle, runIndex: number) => void;
  private readonly onScavenger?: (event: ScavengerEvent, runIndex: number) => void;
  private readonly wholeDecoder = new TextDecoder("utf-8");
  private readonly scanner = new GcLineScanner();
  private readonly cycles: GcCycleBuilder;
  private readonly skimmer = new LineSkimmer();
  /** A decoded line's UTF-8, for the scanner. */
  private readonly lineBytes = new Utf8Scratch();
  private readonly textPieces = new Utf8TextPieces((bytes) => this.pushBytes(bytes));
  private readonly unwrapper: LogUnwrapper;
  private readonly repair: SplitGcLineRepair;
  private readonly runs: ProcessRuns;
  private readonly hints = new RuntimeSettingHints();
  /** The unterminated last line of the input so far, cut at `carryLimit` bytes. */
  private carryBytes: Uint8Array = EMPTY_BYTES;
  /**
   * Bytes kept of an unterminated line (binary junk without newlines must not grow memory): enough
   * for the `maxLineLength` UTF-16 code units a line is cut to (at most 3 bytes each).
   */
  private readonly carryLimit: number;
  private lineNumber = 0;
  /** A `GC forced` notice came after the last cycle. */
  private periodicPending = false;
  private cycleLines = 0;
  private scavengerLines = 0;
  private continuationLines = 0;
  /** Counts of the lines skipped; malformedGcLines is the repair's count of dropped heads. */
  private readonly skipped: SkippedLineCounts = {
    blank: 0,
    pacer: 0,
    gcForcedNotices: 0,
    schedtrace: 0,
    malformedGcLines: 0,
    preGo15Lines: 0,
    other: 0,
  };

  constructor(options: GcTraceParserOptions = {}) {
    const keepRecords = options.keepRecords ?? true;
    this.maxLineLength = options.maxLineLength ?? 64 * 1024;
    this.carryLimit = this.maxLineLength * 4;
    this.onCycle = options.onCycle;
    this.onScavenger = options.onScavenger;
    this.cycles = new GcCycleBuilder(this.scanner, !keepRecords && (options.reuseCycleObjects ?? false));
    this.unwrapper = new LogUnwrapper(this.maxLineLength, {
      logicalLine: (text, lineNumber) => this.logicalLine(text, lineNumber),
      continuationLine: () => {
        this.continuationLines++;
      },
    });
    this.repair = new SplitGcLineRepair(this.scanner);
    this.runs = new ProcessRuns(keepRecords);
  }

  push(input: string | Uint8Array): void {
    if (typeof input === "string") {
      this.textPieces.push(input);
      return;
    }
    this.textPieces.flushHeldSurrogate();
    // A plain Uint8Array view of a Buffer: the scanner then sees one kind of array, not two.
    this.pushBytes(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
  }

  /** Flushes the last unterminated line and pending pieces; returns the result. */
  end(): GcTraceParse {
    this.textPieces.flushHeldSurrogate();
    const tail = this.wholeDecoder.decode(this.carryBytes);
    this.carryBytes = EMPTY_BYTES;
    if (tail.length > 0) this.physicalLine(tail);
    this.unwrapper.flush();
    this.repair.dropHead();
    return this.snapshot();
  }

  /** The result so far (for following a growing file). */
  snapshot(): GcTraceParse {
    const runs = this.runs.snapshot();
    const skipped: SkippedLineCounts = { ...this.skipped, malformedGcLines: this.repair.droppedHeads };
    const skippedLines = Object.values(skipped).reduce((a, b) => a + b, 0);
    const result: GcTraceParse = {
      runs,
      targetRunIndex: selectTargetRun(runs),
      totalLines: this.lineNumber,
      cycleLines: this.cycleLines,
      scavengerLines: this.scavengerLines,
      skippedLines,
      skipped,
      repairedGcLines: this.repair.repairedLines,
      continuationLines: this.continuationLines,
      evictedRuns: this.runs.evictedRuns,
    };
    if (this.hints.memoryLimit) result.memoryLimitHint = { ...this.hints.memoryLimit };
    if (this.hints.gogcOff) result.gogcOffHint = true;
    return result;
  }

  /**
   * Lines are scanned in the chunk itself, and only lines that need the general path are decoded,
   * each on its own (a newline never splits a UTF-8 character). An unterminated line waits for the
   * next chunk, copied: `chunk` may be reused by the caller (Utf8TextPieces does).
   */
  private pushBytes(chunk: Uint8Array): void {
    let from = 0;
    if (this.carryBytes.length > 0) {
      from = this.finishCarriedLine(chunk);
      if (from < 0) return;
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
   * Joins the carried piece with `chunk`'s first line only (a copy of the whole chunk would cost
   * more than the rest of the line splitting), up to the cut of a long line. Returns where the
   * chunk's next line starts, -1 when the chunk holds no newline (the piece is carried on).
   */
  private finishCarriedLine(chunk: Uint8Array): number {
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
      return -1;
    }
    head[head.length - 1] = 10;
    this.pushLines(head, 0, head.length - 1);
    return firstNewline + 1;
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
    const scanner = this.scanner;
    const skimmer = this.skimmer;
    while (start <= lastNewline) {
      let nl: number;
      if (!this.repair.waiting) {
        // Fast path for most of a trace, a line that is just a gc line: scanned in place.
        if (bytes[start] === 103 && bytes[start + 1] === 99 && bytes[start + 2] === 32) {
          const after = scanner.scanAt(bytes, start, lastNewline);
          if (after >= 0) {
            nl = after;
            while (bytes[nl] !== 10) nl++;
            const end = nl > start && bytes[nl - 1] === 13 ? nl - 1 : nl;
            if (end - start <= this.maxLineLength) {
              this.lineNumber++;
              this.acceptCycle(this.cycles.build(this.lineNumber));
              start = nl + 1;
              continue;
            }
          }
        }
        // Lines that can only be counted (application output, pacer lines) are counted undecoded.
        nl = skimmer.skim(bytes, start);
        const kind = skimmer.kind;
        if (kind !== SKIM_TEXT && nl - start <= this.maxLineLength) {
          this.lineNumber++;
          if (kind === SKIM_OTHER) this.skipped.other++;
          else if (kind === SKIM_PACER) this.skipped.pacer++;
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

  private physicalLine(raw: string): void {
    this.lineNumber++;
    const line = raw.length > this.maxLineLength ? raw.slice(0, this.maxLineLength) : raw;
    if (!this.unwrapper.unwrap(line, this.lineNumber)) this.logicalLine(line, this.lineNumber);
  }

  /** A line of the program's output (unwrapped from a log wrapper when it had one). */
  private logicalLine(text: string, lineNumber: number): void {
    if (this.repair.waiting) {
      const headLineNumber = this.repair.complete(text);
      if (headLineNumber >= 0) {
        // The head's physical line became part of this cycle.
        this.continuationLines++;
        this.acceptCycle(this.cycles.build(headLineNumber));
        return;
      }
    }
    if (text.includes("gc ")) {
      if (this.scanner.scanAnywhere(this.lineBytes.bytes, this.lineBytes.encode(text))) {
        this.acceptCycle(this.cycles.build(lineNumber));
        return;
      }
      if (this.repair.holdHead(text, lineNumber)) return;
    }
    this.noiseLine(text, lineNumber);
  }

  /**
   * Classifies a line that is not a gc line. Keep LineSkimmer in step: the byte path counts the
   * lines it finds plain (no trigger of any class below) without calling this.
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
        this.scavengerLines++;
        const runIndex = this.runs.addScavenger(event);
        this.onScavenger?.(event, runIndex);
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
    this.hints.observe(trimmed, lineNumber);
    this.skipped.other++;
  }

  private acceptCycle(cycle: GcCycle): void {
    cycle.periodic = this.periodicPending;
    this.periodicPending = false;
    this.cycleLines++;
    const runIndex = this.runs.addCycle(cycle);
    this.onCycle?.(cycle, runIndex);
  }
}

/** Parses a whole gctrace text, keeping every cycle and scavenger event. */
export function parseGcTrace(text: string): GcTraceParse {
  const parser = new GcTraceParser({ keepRecords: true });
  parser.push(text);
  return parser.end();
}
