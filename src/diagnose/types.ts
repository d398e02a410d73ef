/** What `doctor` concludes: the verdict, ranked suspects, evidence and hints. Renderers take this. */
import type { SourceLine } from "../formats/go-source/go-assignments.js";
import type { SeriesPoint, SignalJudgement } from "./signal-trend.js";

export type Verdict = "leak" | "no-leak" | "inconclusive";

export type SuspectKind = "heap" | "goroutines" | "off-heap";

export interface Suspect {
  kind: SuspectKind;
  /** The first frame in the program's own module (or, failing that, the nearest library frame). */
  function: string;
  /** Function names, leaf first. */
  stack: string[];
  file: string;
  line: number;
  growthBytesPerSecond: number;
  growthObjectsPerSecond: number;
  /** Bytes in use now (heap suspects: at the last snapshot; goroutines: their stacks, estimated). */
  inuseBytes: number;
  /**
   * Share of the growth of its kind this suspect explains (0..1). Heap suspects: of the live heap's
   * NET growth (net-growth.ts), so the shares of all heap suspects sum to at most 1; 0 for a
   * replacement and whenever the live heap did not grow on net.
   */
  shareOfGrowth: number;
  /** One-sentence hypothesis of why it grows and what to do. */
  hint: string;
  /** `own`: named by a frame of the program; `library`: no program frame in the stack. */
  attribution: "own" | "library";
  /** Trend test of the suspect's own series. */
  pValue: number;
  /** Goroutine suspects: how many, how fast they grow, state and longest wait. */
  goroutines?: number;
  growthGoroutinesPerSecond?: number;
  state?: string | null;
  waitMinutes?: number | null;
  createdBy?: string | null;
  /** Heap suspects: object sizes (the profile's `bytes` label) and their in-use counts. */
  objectSizes?: { bytes: number; objects: number }[];
  /** Few profile samples carry this growth: the default sampling rate leaves it within noise. */
  withinSamplingNoise?: boolean;
  /**
   * Heap suspects: what the suspect is to the net growth, and the function's allocating lines.
   * (What keeps its objects reachable — holders from a heap dump — belongs in HeapSuspectDetail.)
   */
  heap?: HeapSuspectDetail;
  /** The suspect's in-use bytes (or goroutine count) over time, downsampled. */
  series: SeriesPoint[];
}

/**
 * `cause`: grows on net and explains (part of) the live heap's net growth. `replacement`: its growth
 * refills what another site held (similar object sizes, shrinking as it grows), so it is not the cause.
 */
export type HeapSuspectRole = "cause" | "replacement";

/** One allocating line of a heap suspect's function. */
export interface SuspectLine {
  file: string;
  line: number;
  growthBytesPerSecond: number;
  inuseBytes: number;
}

export interface HeapSuspectDetail {
  role: HeapSuspectRole;
  /** Growth left after what it refills is taken away, bytes/s. */
  netGrowthBytesPerSecond: number;
  /** Replacements: the functions whose memory it refills. */
  replaces: string[];
  /** Every line of the function that allocates in-use memory, most growth first. */
  lines: SuspectLine[];
  /** What keeps its sampled objects alive, from a heap dump (absent without one). */
  heldBy?: SuspectHolder[];
  /** Without a holder entry: why (no samples of it in the dump, all held by several roots together). */
  heldByNote?: string;
}

/** A site whose in-use memory moved significantly over the judged regime. */
export interface MovedSite {
  function: string;
  file: string;
  line: number;
  changeBytesPerSecond: number;
  role: HeapSuspectRole | "shrinking";
  /** For replacements: the shrinking functions refilled; for shrinking sites: who refills them. */
  related: string[];
}

/** How the live heap's net growth splits into moves of its sites. */
export interface HeapMovement {
  /** The live heap's net growth as judged, bytes/s. */
  netGrowthBytesPerSecond: number;
  /** One sentence: what grew, what shrank, what refills what. Empty when nothing moved. */
  summary: string;
  sites: MovedSite[];
}

/** One of the largest holders of the live heap at the last snapshot, by allocating function. */
export interface LiveHeapSite {
  function: string;
  file: string;
  line: number;
  /** Every allocating line of the function with in-use memory. */
  lines: number[];
  attribution: "own" | "library";
  inuseBytes: number;
  inuseObjects: number;
  /** Of the in-use bytes of the last decoded heap profile. */
  shareOfLiveHeap: number;
  /** What keeps its objects alive, from a heap dump (absent without one). */
  heldBy?: SuspectHolder[];
}

export interface Evidence {
  /** Short label: "live heap after GC", "goroutines", "RSS vs Go heap". */
  label: string;
  detail: string;
  /** How it bears on the verdict. */
  weight: "leak" | "healthy" | "neutral";
}

export interface Hint {
  title: string;
  /** Stated as a hypothesis. */
  hypothesis: string;
  /** What in the data points to it. */
  evidence: string[];
  fix: string;
  /** The suspect (function) it is about, when specific. */
  suspect?: string;
}

export interface Diagnosis {
  verdict: Verdict;
  /** One sentence. */
  summary: string;
  reasons: string[];
  suspects: Suspect[];
  evidence: Evidence[];
  hints: Hint[];
  /** What holds the live heap now: the largest in-use sites of the last heap profile. */
  liveHeapBySite: LiveHeapSite[];
  /** Which sites grew and shrank, and how that adds up to the net growth (null without heap profiles). */
  heapMovement: HeapMovement | null;
  /** Per-signal trend judgements, keyed by signal id (liveHeap, liveObjects, goroutines, offHeap, ...). */
  signals: Record<string, SignalJudgement>;
  /** For inconclusive verdicts: what would decide ("run 2 more minutes"). */
  toDecide: string | null;
  observation: {
    subject: string;
    spanSeconds: number;
    heapSnapshots: number;
    heapSnapshotsDecoded: number;
    goroutineSnapshots: number;
    memStatsSamples: number;
    gcCycles: number;
    rssSamples: number;
    samplingRateBytes: number | null;
  };
  figures: MemoryFigures;
  /** Always said: a heap profile shows where memory was allocated, not what still references it. */
  caveat: string;
  notes: string[];
  charts: {
    liveHeap: SeriesPoint[];
    goroutines: SeriesPoint[];
    rss: SeriesPoint[];
  };
  /** In-use growth per stack between the first and the last decoded snapshot (flame graph). */
  growthStacks: { stack: string[]; bytes: number }[];
  /** How the observation ended and how long the verdict took (set by whoever observed: doctor's CLI). */
  decision?: Decision;
  /** What holds the live heap, from a heap dump taken at the end of the observation (absent without one). */
  retention?: RetentionSummary;
}

/** One step of a retaining path, root first: the object's size, its allocation site when sampled, the pointer's byte offset in the step before. */
export interface RetentionPathStep {
  bytes: number;
  /** `function (file:line)` of the object's allocation, when the object carries an alloc sample. */
  site: string | null;
  offset: number;
  /**
   * With types from the binary's DWARF: how the step before (or the root) refers to this object
   * (`.series`, `value`, `[3]`) and the object's type; null where nothing is typed. Absent without DWARF.
   */
  field?: string | null;
  type?: string | null;
  /** A step inside a map's storage (buckets, Swiss directory, tables, groups): reports collapse it. */
  mapInternal?: boolean;
}

/**
 * What types from DWARF add to a holder (absent when the binary has no DWARF): the root's declared
 * type, the slices it holds that keep memory beyond len or pin arrays, and the statements that
 * reslice the holding variable or field in the module's sources.
 */
export interface TypedHolderDetail {
  type?: string | null;
  slice?: SliceRetentionJson | null;
  sourceLines?: SourceLine[];
}

export type HolderRootKind = "global" | "stack" | "closure" | "finalizer" | "runtime";

/** A root (or a group of alike roots: 96 goroutines in one function) and what it alone keeps alive. */
export interface Holder extends TypedHolderDetail {
  root: string;
  rootKind: HolderRootKind;
  /** Bytes that would become unreachable if the root let go. */
  retainedBytes: number;
  objects: number;
  /** Of the dump's reachable bytes. */
  share: number;
  /** How many roots the group stands for (goroutines of one function, finalizers of one function). */
  roots: number;
  /** Shortest path from the root to the largest object it keeps. */
  path: RetentionPathStep[];
}

/** A root that retains a heap suspect's sampled objects. */
export interface SuspectHolder extends TypedHolderDetail {
  root: string;
  rootKind: HolderRootKind;
  path: RetentionPathStep[];
  /** Estimated like pprof's inuse_space from the samples; null with too few samples. */
  retainedBytes: number | null;
  objects: number | null;
  /** Fraction of the suspect's sampled in-use bytes this root retains; null with too few samples. */
  share: number | null;
  /** Sampled objects behind the claim. */
  samples: number;
  claim: "estimate" | "too few samples";
}

/** What the heap dump says about the whole live heap. */
export interface RetentionSummary {
  /** Bytes the roots reach. */
  reachableBytes: number;
  reachableObjects: number;
  /** MemStats.HeapAlloc as of the dump. */
  heapAlloc: number | null;
  /** Garbage the dump still lists (a dump without a GC). */
  unreachableBytes: number;
  /** Bytes that several roots keep together and no single one. */
  sharedBytes: number;
  /** Root counts by kind. */
  roots: Record<HolderRootKind, number>;
  /** The program's holders, largest first. */
  holders: Holder[];
  /** Runtime roots: listed apart, never the program's holder. */
  runtimeHolders: Holder[];
  /** What the analysis cannot see. */
  limits: string[];
  goVersion: string;
  dumpBytes: number;
  /** Types from the binary's DWARF: how much of the reachable heap they cover (null: no DWARF read). */
  types?: RetentionTypes | null;
  /** Slices that keep memory beyond their len or pin their arrays (with types only). */
  sliceFindings?: SliceFinding[];
}

export interface RetentionTypes {
  dwarfVersion: number;
  typedObjects: number;
  typedBytes: number;
  /** Typings the dump's pointer bitmap contradicted (left untyped). */
  rejected: number;
  /** Interface values whose dynamic type could not be known (what they hold stays untyped). */
  unresolvedInterfaces: number;
}

/** A slice finding: beyond len (slots past len still point at objects) or pinned (a small part of a large array). */
export interface SliceFinding {
  kind: "beyond-len" | "pinned";
  /** `main.pending`, `*main.metrics → .series → value → .points`. */
  holder: string;
  rootKind: HolderRootKind;
  sliceType: string;
  /** Slices the holder stands for. */
  slices: number;
  slice: SliceRetentionJson;
  /** The statements that reslice or assign the holding variable or field. */
  sourceLines: SourceLine[];
  /** What to change, for the module's Go version. */
  hint: Hint;
}

/**
 * How a verdict was reached. `timeToVerdictSeconds` runs from the first sample to the verdict, so it
 * leaves out building and starting the program (and any heap dump taken afterwards).
 */
export interface Decision {
  /** auto: judged at fixed looks until it held; fixed: one --duration window; recording/profiles: given data. */
  mode: "auto" | "fixed" | "recording" | "profiles";
  timeToVerdictSeconds: number | null;
  /** Seconds of data the verdict rests on. */
  observedSeconds: number;
  /** Seconds between samples (auto widens it after the first minute; this is where it started). */
  samplingIntervalSeconds?: number;
  /** auto: the look that decided (1-based), of how many, at which planned time, and each look's share of α. */
  look?: { index: number; of: number; atSeconds: number; alphaShare: number };
}

export interface MemoryFigures {
  rssBytes: number | null;
  /** Sys − HeapReleased at the last sample. */
  goHeldBytes: number | null;
  /**
   * goHeldBytes − rssBytes when RSS is below it: memory the runtime holds whose pages were never
   * written (or were swapped out), so not resident. Null when RSS is at or above it, or unknown.
   */
  untouchedBytes: number | null;
  heapAllocBytes: number | null;
  heapInuseBytes: number | null;
  /** (HeapInuse − HeapAlloc) / HeapInuse: an upper bound on fragmentation in the heap's spans. */
  fragmentation: number | null;
  /** HeapIdle − HeapReleased: idle memory the runtime keeps for reuse (counts in RSS). */
  retainedIdleBytes: number | null;
  stackInuseBytes: number | null;
  nextGcBytes: number | null;
  numGc: number | null;
  gogcPercent: number | null;
  memoryLimitBytes: number | null;
}

/** The `slice` object of a holder in doctor's and retainers' JSON. */
export interface SliceRetentionJson {
  len: number;
  cap: number;
  elemBytes: number;
  arrayBytes: number;
  bytesBeyondLen: number;
  objectsBeyondLen: number;
  pinnedBytes: number;
  pinnedSlices: number;
}
