/**
 * Goroutines and their groups as every dump form describes them (tracebacks, debug=1, proto,
 * goroutineleak), and the rules for which frames a reader shows.
 */

export type GoroutineDumpFormat = "debug1" | "debug2" | "traceback" | "proto" | "goroutineleak";

export interface GoroutineFrame {
  /** Fully qualified function name as Go prints it (`main.(*Server).serve`, `main.main.func1`). */
  func: string;
  /** Argument text as printed in tracebacks (`0xc000010000, 0x5`, `{0x646620?, 0xc0000a4098?}`, `...`). */
  args?: string;
  file?: string;
  line?: number;
}

export interface GoroutineCreator {
  func: string;
  file?: string;
  line?: number;
  /** Go 1.21+: `created by X in goroutine N`. */
  goroutineId?: number;
}

export interface Goroutine {
  id: number;
  /** Status or wait reason: `chan receive`, `select (no cases)`, `running`, `IO wait`, ... */
  state: string;
  /** `N minutes` blocked (a lower bound; present only after a GC saw the goroutine blocked). */
  waitMinutes?: number;
  lockedToThread: boolean;
  /** Go 1.26 goroutine leak detection marked it `(leaked)`. */
  leaked: boolean;
  /** Leaf first. */
  frames: GoroutineFrame[];
  /** Frames the runtime did not print: a count (Go 1.21+) or "some" (older `additional frames elided`). */
  elidedFrames?: number | "some";
  createdBy?: GoroutineCreator;
  /** `goroutine running on other thread; stack unavailable`. */
  stackUnavailable?: boolean;
  /** Header parts not interpreted above (`synctest bubble 1`, `(scan)`, ...). */
  headerExtras?: string[];
}

export interface GoroutineGroup {
  count: number;
  /** null when the format has no state (debug=1, proto). */
  state: string | null;
  /** Range of `N minutes` over the group; min is 0 when some members printed none (under a minute). */
  waitMinutes: { min: number; max: number } | null;
  lockedToThread: boolean;
  /** Members marked `(leaked)` by Go 1.26 leak detection (the whole group for goroutineleak profiles). */
  leaked: number;
  /** Leaf first; the frames of the first member. */
  frames: GoroutineFrame[];
  createdBy: GoroutineCreator | null;
  /** pprof labels (debug=1 `# labels:` and proto); absent in tracebacks. */
  labels?: Record<string, string>;
  /** IDs of the first members (tracebacks only), at most MAX_IDS_PER_GROUP. */
  goroutineIds: number[];
  /** Identity used for grouping and diffs. */
  key: string;
}

export interface GoroutineSnapshot {
  format: GoroutineDumpFormat;
  total: number;
  /** Individual goroutines (tracebacks, unless streamed without keeping them). */
  goroutines?: Goroutine[];
  /** Sorted by count, largest first. */
  groups: GoroutineGroup[];
  /** Non-empty lines that were not understood. */
  skippedLines: number;
  /** `goroutine profile: total N` of debug=1 (a truncated dump holds fewer). */
  declaredTotal?: number;
  /** First line of the panic / fatal error / signal that produced a traceback. */
  reason?: string;
  /** Goroutines marked `(leaked)` (Go 1.26), or the total of a goroutineleak profile. */
  leaked: number;
  /** Number of dumps found in the input; the snapshot describes the last. */
  dumps: number;
}

export interface GroupingOptions {
  /**
   * Group traceback goroutines regardless of argument values (default true). Arguments are mostly
   * pointers and differ between otherwise identical goroutines, so they would split every group.
   */
  ignoreArgs?: boolean;
}

/**
 * Where a dump reader puts what it reads: single goroutines (tracebacks) or records the runtime
 * already grouped (debug=1, proto samples). Grouping itself is the analysis layer's job.
 */
export interface GoroutineSink {
  addGoroutine(goroutine: Goroutine): void;
  addGroup(record: Omit<GoroutineGroup, "key">): void;
  /** The groups, sorted by count, largest first. */
  result(): GoroutineGroup[];
}

/** runtime-internal frames: hidden by Go's own printers in some forms, so left out of identities. */
export function isRuntimeInternalFrame(func: string): boolean {
  return func.startsWith("runtime.") || func.startsWith("internal/runtime/");
}

/**
 * Frames as debug=1 would print them: runtime.goexit never, and leading (leaf-side) runtime frames
 * only when nothing else would remain. Applied to proto stacks so they read like the text forms.
 */
export function displayFrames(frames: GoroutineFrame[]): GoroutineFrame[] {
  const withoutGoexit = frames.filter((f) => f.func !== "runtime.goexit");
  let start = 0;
  while (start < withoutGoexit.length && isRuntimeInternalFrame(withoutGoexit[start].func)) start++;
  return start < withoutGoexit.length ? withoutGoexit.slice(start) : withoutGoexit;
}
