/** JSON shapes exchanged between the UI server and the browser. No Node or DOM APIs here. */

import type {
  Decision,
  Diagnosis,
  Hint,
  Holder,
  SuspectHolder,
  SuspectKind,
  Verdict,
} from "../../diagnose/types.js";

export type { Holder, SuspectHolder };

export type DocumentKind = "profile" | "recording" | "gctrace" | "memstats" | "goroutines" | "heapdump";

export interface DocumentSummary {
  id: string;
  kind: DocumentKind;
  /** File name (or URL) as given on the command line. */
  name: string;
  /** One line for the picker, e.g. "heap profile, 4 sample types, 1234 samples". */
  description: string;
  /** True while a live recording is still growing. */
  live?: boolean;
}

export interface WorkspaceInfo {
  documents: DocumentSummary[];
  /** Whether the server streams live updates on /api/events. */
  live: boolean;
  /** Whether `--source-path` roots were given (the source view can read files). */
  sourceAvailable: boolean;
  version: string;
}

/** A profile the views can show: a profile document, or one heap snapshot of a recording. */
export interface ProfileMeta {
  ref: string;
  name: string;
  sampleTypes: Array<{ type: string; unit: string }>;
  defaultSampleIndex: number;
  sampleCount: number;
  /** Sum of each sample type over all samples, unfiltered. */
  totals: number[];
  timeNanos: number | null;
  durationNanos: number | null;
  comments: string[];
}

export interface TopRow {
  name: string;
  file: string;
  flat: number;
  cum: number;
  /** Diff only: the base profile's values. */
  baseFlat?: number;
  baseCum?: number;
}

export interface TopReport {
  sampleType: { type: string; unit: string };
  /** Σ of the shown sample type after filters (pprof's total, used for percentages). */
  total: number;
  baseTotal?: number;
  diff: boolean;
  rows: TopRow[];
  /** How many rows exist before the row limit. */
  rowCount: number;
}

export interface PeekEdge {
  name: string;
  value: number;
  baseValue?: number;
}

export interface PeekEntry {
  name: string;
  file: string;
  flat: number;
  cum: number;
  callers: PeekEdge[];
  callees: PeekEdge[];
}

export interface PeekReport {
  sampleType: { type: string; unit: string };
  total: number;
  entries: PeekEntry[];
  /** Set when the regex matched more functions than are returned. */
  truncated: boolean;
}

export interface SourceLine {
  line: number;
  text: string;
  flat: number;
  cum: number;
}

export interface SourceFile {
  /** The path as the profile names it. */
  path: string;
  function: string;
  flat: number;
  cum: number;
  /** Why the file could not be shown (outside --source-path, not .go, missing), else undefined. */
  unavailable?: string;
  lines: SourceLine[];
}

export interface SourceReport {
  sampleType: { type: string; unit: string };
  total: number;
  files: SourceFile[];
  truncated: boolean;
}

export interface CallGraph {
  /** Graphviz DOT source; every label is quoted and escaped on the server. */
  dot: string;
  nodeCount: number;
  edgeCount: number;
  /** Nodes left out by the node cap. */
  droppedNodes: number;
}

/** One series of a timeline: x in seconds since the recording started. */
export interface TimelineSeries {
  key: string;
  label: string;
  unit: "bytes" | "count" | "nanoseconds" | "seconds";
  x: number[];
  y: Array<number | null>;
  /** The trend engine's judgement of this series (the same the CLI gives), when it is one judged. */
  trend?: TimelineTrend;
}

export interface TimelineTrend {
  /** growing, bounded, undecided or insufficient. */
  verdict: string;
  reason: string;
  /** The engine's policy (gctrace, doctor-heap, ...). */
  policy: string;
  slopePerSecond: number;
}

export interface SnapshotInfo {
  /** Profile ref usable as `src`/`base` (e.g. "0@12"). */
  ref: string;
  atSeconds: number;
  inuseBytes: number | null;
  gcForced: boolean;
}

export interface TimelineReport {
  name: string;
  startedAtMs: number | null;
  series: TimelineSeries[];
  snapshots: SnapshotInfo[];
}

export interface GoroutineGroupView {
  count: number;
  state: string;
  /** Function frames, leaf first. */
  frames: Array<{ function: string; file: string; line: number }>;
  createdBy: string;
  /** Wait reason / minutes, when the dump has them. */
  waitMinutes: number | null;
}

export interface GoroutineReport {
  name: string;
  total: number;
  groups: GoroutineGroupView[];
  states: Record<string, number>;
}

/** Lines of a source file around a suspect's line (only under --source-path). */
export interface SourceExcerpt {
  file: string;
  /** 1-based number of lines[0]. */
  firstLine: number;
  lines: string[];
  /** The suspect's line, and the function's other allocating lines in the excerpt. */
  focus: number;
  marked: number[];
}

/** A suspect as its card lays it out. */
export interface SuspectCard {
  kind: SuspectKind;
  function: string;
  file: string;
  line: number;
  growthBytesPerSecond: number;
  inuseBytes: number;
  shareOfGrowth: number;
  /** Heap suspects: cause or replacement (null for other kinds). */
  role: "cause" | "replacement" | null;
  /** Goroutine suspects. */
  goroutines: number | null;
  growthGoroutinesPerSecond: number | null;
  state: string | null;
  hint: string;
  /** Function names, leaf first. */
  stack: string[];
  /** In-use bytes (goroutines: count) over time: [seconds, value]. */
  series: Array<[number, number]>;
  /** What keeps its objects reachable, from a heap dump taken by the hook (empty without one). */
  heldBy: SuspectHolder[];
  heldByNote: string | null;
  source: SourceExcerpt | null;
}

/** The doctor page's data: the verdict header, the suspect cards, the holders. */
export interface DoctorReport {
  verdict: Verdict;
  summary: string;
  reasons: string[];
  toDecide: string | null;
  decision: Decision | null;
  observation: Diagnosis["observation"];
  suspects: SuspectCard[];
  /** The program's largest holders of the live heap, from the hook's heap dump (empty without one). */
  holders: Holder[];
  hints: Hint[];
  caveat: string;
  /** Whether --source-path was given (the cards say how to get source lines otherwise). */
  sourceAvailable: boolean;
}

/** The doctor's findings as the UI shows them (a projection of the Diagnosis). */
export type DiagnosisView = DoctorReport;

/** Server-sent event payloads on /api/events. */
export interface LiveEvent {
  type: "snapshot" | "sample" | "gc" | "diagnosis" | "workspace" | "end";
  documentId?: string;
  atMs?: number;
}
