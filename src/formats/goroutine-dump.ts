/**
 * Goroutine dumps in every form Go writes them:
 * - `/debug/pprof/goroutine?debug=1` (and Go 1.26's `goroutineleak?debug=1`): stacks grouped by the
 *   runtime, `N @ 0x...` records with `#\t0xPC\tfunc+0xOFF\tfile:line` frames and `# labels: {...}`;
 * - `?debug=2`, panics, fatal errors, SIGQUIT and GOTRACEBACK=all output (Go 1.5 to 1.26): one
 *   `goroutine N [state, M minutes, locked to thread]:` block per goroutine, with register-ABI argument
 *   forms, `created by X in goroutine N`, `gp=... m=...` headers, elided frames and `(leaked)` marks;
 * - the default proto form, via `goroutineSnapshotFromProfile` on a decoded profile.
 *
 * The text reader is a tolerant line state machine (after panicparse): it accepts junk before, inside
 * and after the dump, counts the lines it did not understand, and keeps only one goroutine in flight,
 * so a dump of any size streams through in bounded memory (grouped as it goes).
 * When the input holds several dumps (two SIGQUITs in one log), the last one is the snapshot.
 */
import {
  displayFrames,
  type Goroutine,
  type GoroutineDumpFormat,
  type GoroutineFrame,
  type GoroutineSink,
  type GoroutineSnapshot,
} from "../model/goroutine.js";
import type { Profile } from "../profile/model.js";

export interface GoroutineDumpReadOptions {
  /** A new, empty place for the goroutines of one dump (a second dump in the input starts afresh). */
  newSink: () => GoroutineSink;
  /** Keep every parsed goroutine in `snapshot.goroutines` (default true; false for bounded memory). */
  keepGoroutines?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Text forms

const DEBUG1_HEADER = /^\s*(goroutine|goroutineleak) profile: total (\d+)\s*$/;
const DEBUG1_RECORD = /^\s*(\d+) @(?: 0x[0-9a-fA-F]+)*\s*$/;
const DEBUG1_LABELS = /^\s*# labels: (\{.*\})\s*$/;
const DEBUG1_FRAME = /^\s*#\s+0x([0-9a-fA-F]+)\s+(\S+?)(?:\+0x[0-9a-fA-F]+)?\s+(\S.*?):(\d+)\s*$/;
const DEBUG1_FRAME_UNSYMBOLIZED = /^\s*#\s+0x([0-9a-fA-F]+)(?:\s+(\S+?)(?:\+0x[0-9a-fA-F]+)?)?\s*$/;
const TRACEBACK_HEADER =
  /^\s*goroutine (\d+)(?: gp=0x[0-9a-fA-F]+ m=\S+(?: mp=0x[0-9a-fA-F]+)?)? \[(.*)\]:\s*$/;
const CREATED_BY = /^\s*created by (\S+?)(?: in goroutine (\d+))?\s*$/;
const ELIDED_SOME = /^\s*\.\.\.additional frames elided\.\.\.\s*$/;
const ELIDED_COUNT = /^\s*\.\.\.(\d+) frames elided\.\.\.\s*$/;
const STACK_UNAVAILABLE = /^\s*goroutine running on other thread; stack unavailable\s*$/;
/** Lines that start a crash report: a new dump begins if goroutines were already read. */
const DUMP_START = /^(?:panic: |fatal error: |SIG[A-Z]+: |unexpected fault address)/;
/** Lines of crash reports that carry no goroutine information and are not junk. */
const CRASH_CONTEXT =
  /^(?:\s+panic: |runtime: |\[signal |PC=0x|\s*\[originating from goroutine \d+\]:|r(?:[a-z0-9]{1,3})\s+0x[0-9a-f]+$|(?:rip|rflags|cs|fs|gs|lr|pc|sp|fault|trap|err|oldmask|addr)\s+0x[0-9a-f]+$|exit status \d+$|\s*\[recovered\]|-----)/;

type Mode = "idle" | "debug1" | "goroutine" | "runtime-stack";

interface PendingDebug1Record {
  count: number;
  frames: GoroutineFrame[];
  labels?: Record<string, string>;
}

/**
 * Line-by-line reader of goroutine dump text. Feed lines with `pushLine`, then call `finish`.
 * Memory: one goroutine in flight plus one entry per distinct stack (and the goroutines themselves
 * only when `keepGoroutines`).
 */
export class GoroutineDumpParser {
  private readonly options: GoroutineDumpReadOptions;
  private mode: Mode = "idle";
  private accumulator: GoroutineSink;
  private goroutines: Goroutine[] = [];
  private current: Goroutine | undefined;
  /** A function line waiting for its file line. */
  private pendingFrame: GoroutineFrame | undefined;
  private pendingCreator = false;
  private record: PendingDebug1Record | undefined;
  private format: GoroutineDumpFormat | undefined;
  private total = 0;
  private leaked = 0;
  private declaredTotal: number | undefined;
  private reason: string | undefined;
  private skipped = 0;
  private dumps = 0;
  private contentInDump = false;
  private sawLeakWriter = false;

  constructor(options: GoroutineDumpReadOptions) {
    this.options = options;
    this.accumulator = options.newSink();
  }

  pushLine(rawLine: string): void {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    // Dispatch on the first visible character: most lines are frames, tested by hand, not regex.
    let indent = 0;
    while (indent < line.length && (line.charCodeAt(indent) === 0x20 || line.charCodeAt(indent) === 0x09))
      indent++;
    if (indent === line.length) {
      this.endBlock();
      return;
    }
    const first = line.charCodeAt(indent);
    if (this.mode === "goroutine" && first !== 0x67 /* g */ && this.readTracebackLine(line, indent)) return;
    const startsWithG = first === 0x67;

    const debug1Header = startsWithG && line.includes(" profile: total ") ? DEBUG1_HEADER.exec(line) : null;
    if (debug1Header) {
      this.endBlock();
      if (this.contentInDump || this.format !== undefined) this.startDump();
      this.format = debug1Header[1] === "goroutineleak" ? "goroutineleak" : "debug1";
      this.declaredTotal = Number(debug1Header[2]);
      return;
    }

    const header = startsWithG ? TRACEBACK_HEADER.exec(line) : null;
    if (header) {
      this.endBlock();
      if (this.isDebug1Like()) this.startDump();
      this.beginContent();
      this.startGoroutine(Number(header[1]), header[2]);
      return;
    }

    const record =
      first >= 0x30 && first <= 0x39 && this.mode !== "goroutine" ? DEBUG1_RECORD.exec(line) : null;
    if (record) {
      this.endBlock();
      if (!this.isDebug1Like()) {
        if (this.contentInDump) this.startDump();
        this.format = "debug1";
      }
      this.beginContent();
      this.record = { count: Number(record[1]), frames: [] };
      this.mode = "debug1";
      return;
    }

    switch (this.mode) {
      case "debug1":
        if (this.readDebug1Line(line)) return;
        break;
      case "goroutine":
        if (startsWithG && this.readTracebackLine(line, indent)) return;
        break;
      case "runtime-stack":
        // Frames of the system stack in a fatal error; they belong to no goroutine.
        if (!line.startsWith("goroutine ")) return;
        break;
    }

    if (DUMP_START.test(line)) {
      this.endBlock();
      if (this.contentInDump) this.startDump();
      this.reason ??= line.trim();
      this.format ??= "traceback";
      return;
    }
    if (/^runtime stack:\s*$/.test(line)) {
      this.endBlock();
      this.mode = "runtime-stack";
      return;
    }
    if (CRASH_CONTEXT.test(line)) return;
    this.skipped++;
  }

  finish(): GoroutineSnapshot {
    this.endBlock();
    const groups = this.accumulator.result();
    const format = this.resolvedFormat();
    const snapshot: GoroutineSnapshot = {
      format,
      total: this.total,
      groups,
      skippedLines: this.skipped,
      leaked: this.leaked,
      dumps: this.dumps,
    };
    if (this.options.keepGoroutines !== false && !this.isDebug1Like()) snapshot.goroutines = this.goroutines;
    if (this.declaredTotal !== undefined) snapshot.declaredTotal = this.declaredTotal;
    if (this.reason !== undefined) snapshot.reason = this.reason;
    return snapshot;
  }

  private isDebug1Like(): boolean {
    return this.format === "debug1" || this.format === "goroutineleak";
  }

  private resolvedFormat(): GoroutineDumpFormat {
    if (this.format === "debug1" || this.format === "goroutineleak") return this.format;
    if (this.sawLeakWriter) return "goroutineleak";
    if (this.format === "traceback" || this.reason !== undefined) return "traceback";
    return "debug2";
  }

  /** The first goroutine or record of a dump. */
  private beginContent(): void {
    if (!this.contentInDump) this.dumps++;
    this.contentInDump = true;
  }

  /** Starts a new dump: the previous one is discarded (the last dump in the input wins). */
  private startDump(): void {
    this.endBlock();
    this.accumulator = this.options.newSink();
    this.goroutines = [];
    this.total = 0;
    this.leaked = 0;
    this.declaredTotal = undefined;
    this.reason = undefined;
    this.format = undefined;
    this.sawLeakWriter = false;
    this.contentInDump = false;
  }

  private startGoroutine(id: number, bracket: string): void {
    const parts = bracket.split(", ");
    let state = parts[0] ?? "";
    const extras: string[] = [];
    let leaked = false;
    // Marks the runtime appends to the status: " (scan)" while the GC scans it, " (leaked)" (1.26).
    while (state.endsWith(")")) {
      const mark = / \((scan|leaked)\)$/.exec(state);
      if (!mark) break;
      if (mark[1] === "leaked") leaked = true;
      else extras.push("scan");
      state = state.slice(0, mark.index);
    }
    const goroutine: Goroutine = { id, state, lockedToThread: false, leaked, frames: [] };
    for (const part of parts.slice(1)) {
      const minutes = /^(\d+) minutes?$/.exec(part);
      if (minutes) goroutine.waitMinutes = Number(minutes[1]);
      else if (part === "locked to thread") goroutine.lockedToThread = true;
      else extras.push(part);
    }
    if (extras.length > 0) goroutine.headerExtras = extras;
    this.current = goroutine;
    this.mode = "goroutine";
  }

  /** Returns false when the line is not part of a traceback goroutine block. */
  private readTracebackLine(line: string, indent: number): boolean {
    const goroutine = this.current!;
    if (indent > 0) {
      const file = parseFileLine(line, indent);
      if (file) {
        const target = this.pendingCreator ? goroutine.createdBy : this.pendingFrame;
        if (!target) return false;
        target.file = file.file;
        target.line = file.line;
        if (!this.pendingCreator) this.flushPendingFrame();
        this.pendingCreator = false;
        return true;
      }
    }
    const created = line.startsWith("created by ", indent) ? CREATED_BY.exec(line) : null;
    if (created) {
      this.flushPendingFrame();
      goroutine.createdBy = { func: created[1] };
      if (created[2] !== undefined) goroutine.createdBy.goroutineId = Number(created[2]);
      this.pendingCreator = true;
      return true;
    }
    const dots = line.startsWith("...", indent);
    const elidedCount = dots ? ELIDED_COUNT.exec(line) : null;
    if (elidedCount || (dots && ELIDED_SOME.test(line))) {
      this.flushPendingFrame();
      const n = elidedCount ? Number(elidedCount[1]) : "some";
      goroutine.elidedFrames =
        typeof n === "number" && typeof goroutine.elidedFrames === "number" ? goroutine.elidedFrames + n : n;
      return true;
    }
    if (indent > 0 && STACK_UNAVAILABLE.test(line)) {
      goroutine.stackUnavailable = true;
      return true;
    }
    if (line.charCodeAt(indent) === 0x5b /* [ */ && /^\s*\[originating from goroutine \d+\]:\s*$/.test(line))
      return true;
    if (indent > 0) return false;
    const call = parseCallLine(line);
    if (call) {
      this.flushPendingFrame();
      this.pendingCreator = false;
      this.pendingFrame = call;
      if (call.func === "runtime/pprof.writeGoroutineLeak") this.sawLeakWriter = true;
      return true;
    }
    return false;
  }

  private flushPendingFrame(): void {
    if (this.pendingFrame && this.current) this.current.frames.push(this.pendingFrame);
    this.pendingFrame = undefined;
  }

  private readDebug1Line(line: string): boolean {
    const record = this.record!;
    const labels = DEBUG1_LABELS.exec(line);
    if (labels) {
      record.labels = parseLabelSet(labels[1]);
      return true;
    }
    const frame = DEBUG1_FRAME.exec(line);
    if (frame) {
      record.frames.push({ func: frame[2], file: frame[3], line: Number(frame[4]) });
      return true;
    }
    const bare = DEBUG1_FRAME_UNSYMBOLIZED.exec(line);
    if (bare) {
      record.frames.push({ func: bare[2] ?? `0x${bare[1]}` });
      return true;
    }
    return false;
  }

  /** Ends the goroutine block or debug=1 record in progress. */
  private endBlock(): void {
    if (this.mode === "goroutine" && this.current) {
      this.flushPendingFrame();
      const goroutine = this.current;
      this.total++;
      if (goroutine.leaked) this.leaked++;
      this.accumulator.addGoroutine(goroutine);
      if (this.options.keepGoroutines !== false) this.goroutines.push(goroutine);
      this.current = undefined;
      this.pendingCreator = false;
    } else if (this.mode === "debug1" && this.record) {
      const record = this.record;
      this.total += record.count;
      const isLeakProfile = this.format === "goroutineleak";
      if (isLeakProfile) this.leaked += record.count;
      this.accumulator.addGroup({
        count: record.count,
        state: null,
        waitMinutes: null,
        lockedToThread: false,
        leaked: isLeakProfile ? record.count : 0,
        frames: record.frames,
        createdBy: null,
        ...(record.labels ? { labels: record.labels } : {}),
        goroutineIds: [],
      });
      this.record = undefined;
    }
    this.mode = "idle";
  }
}

/**
 * `pkg.func(args)` → frame. The argument list is the last balanced parenthesis group; the name may
 * itself contain parentheses (`main.(*T).m`) and brackets (`main.F[...]`), never spaces.
 */
export function parseCallLine(line: string): GoroutineFrame | undefined {
  const text = line.trim();
  if (!text.endsWith(")") || line.startsWith("\t") || line.startsWith("  ")) return undefined;
  let depth = 0;
  let open = -1;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text[i];
    if (c === ")") depth++;
    else if (c === "(") {
      depth--;
      if (depth === 0) {
        open = i;
        break;
      }
    }
  }
  if (open <= 0) return undefined;
  const func = text.slice(0, open);
  if (func.startsWith("(") || /\s/.test(func)) return undefined;
  return { func, args: text.slice(open + 1, -1) };
}

/**
 * `\t/path/file.go:123 +0x1f fp=0x... sp=0x... pc=0x...` (the offset and the frame pointers are
 * optional) → file and line. Parsed by hand: it is the most frequent line of a traceback.
 */
function parseFileLine(line: string, indent: number): { file: string; line: number } | undefined {
  let end = line.length;
  while (end > indent && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--;
  const framePointers = line.lastIndexOf(" fp=0x", end);
  if (framePointers > indent) end = framePointers;
  const offset = line.lastIndexOf(" +0x", end);
  if (offset > indent) end = offset;
  const colon = line.lastIndexOf(":", end);
  if (colon <= indent || colon === end - 1) return undefined;
  let lineNumber = 0;
  for (let i = colon + 1; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    lineNumber = lineNumber * 10 + (c - 0x30);
  }
  return { file: line.slice(indent, colon), line: lineNumber };
}

/** `{"handler":"upload", "k":"v"}` as written by runtime/pprof (Go-quoted strings, JSON-compatible). */
function parseLabelSet(text: string): Record<string, string> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(value)) out[k] = String(v);
      return out;
    }
  } catch {
    // Go's %q can produce escapes JSON does not know (\x00); fall back to a plain pair scan.
  }
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/"((?:[^"\\]|\\.)*)":"((?:[^"\\]|\\.)*)"/g)) out[m[1]] = m[2];
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Parses a whole dump held in memory. */
export function parseGoroutineDump(text: string, options: GoroutineDumpReadOptions): GoroutineSnapshot {
  const parser = new GoroutineDumpParser(options);
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf("\n", start);
    if (end < 0) {
      if (start < text.length) parser.pushLine(text.slice(start));
      break;
    }
    parser.pushLine(text.slice(start, end));
    start = end + 1;
  }
  return parser.finish();
}

/**
 * Parses a dump arriving as lines (a file stream, stdin, an HTTP body), grouping as it goes.
 * Goroutines are not kept unless asked, so memory stays bounded by the number of distinct stacks.
 */
export async function parseGoroutineDumpStream(
  lines: AsyncIterable<string> | Iterable<string>,
  options: GoroutineDumpReadOptions,
): Promise<GoroutineSnapshot> {
  const parser = new GoroutineDumpParser(options);
  for await (const line of lines) parser.pushLine(line);
  return parser.finish();
}

// ---------------------------------------------------------------------------------------------
// Proto form

/** A decoded `/debug/pprof/goroutine` (or goroutineleak) profile → snapshot. */
export function goroutineSnapshotFromProfile(profile: Profile, sink: GoroutineSink): GoroutineSnapshot {
  const valueIndex = Math.max(
    0,
    profile.sampleTypes.findIndex((t) => t.type === "goroutine" || t.type === "goroutineleak"),
  );
  const isLeak =
    profile.sampleTypes[valueIndex]?.type === "goroutineleak" || profile.periodType?.type === "goroutineleak";
  const accumulator = sink;
  let total = 0;
  for (const sample of profile.samples) {
    const count = sample.values[valueIndex] ?? 0;
    if (count <= 0) continue;
    total += count;
    const frames: GoroutineFrame[] = [];
    for (const location of sample.locations) {
      if (location.lines.length === 0) {
        frames.push({ func: `0x${location.address.toString(16)}` });
        continue;
      }
      for (const line of location.lines) {
        const frame: GoroutineFrame = { func: line.function?.name || "?" };
        if (line.function?.filename) frame.file = line.function.filename;
        if (line.line) frame.line = line.line;
        frames.push(frame);
      }
    }
    const labels: Record<string, string> = {};
    for (const [key, values] of sample.labels) labels[key] = values.join(",");
    accumulator.addGroup({
      count,
      state: null,
      waitMinutes: null,
      lockedToThread: false,
      leaked: isLeak ? count : 0,
      frames: displayFrames(frames),
      createdBy: null,
      ...(sample.labels.size > 0 ? { labels } : {}),
      goroutineIds: [],
    });
  }
  return {
    format: isLeak ? "goroutineleak" : "proto",
    total,
    groups: accumulator.result(),
    skippedLines: 0,
    leaked: isLeak ? total : 0,
    dumps: 1,
  };
}
