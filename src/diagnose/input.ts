/**
 * What `doctor` diagnoses: time series of a Go program's memory, from whichever sources were
 * available (a recording, profiles given on the command line, a gctrace log). Every time is in
 * seconds on the axis of its own source; signals are judged one by one, so sources need not share a
 * clock, except heap snapshots and goroutine snapshots, which are compared with each other.
 *
 * The core never does I/O: profiles are loaded through `loadProfile` (so a 24-hour recording is
 * never held in memory at once) and source lines through `readSource`.
 */
import type { GcCycle } from "../formats/gctrace/index.js";
import type { GoroutineSnapshot } from "../model/goroutine.js";
import type { MemStatsSample } from "../model/memstats.js";
import type { Profile } from "../profile/model.js";
import type { BuildInfo } from "./module-path.js";
import type { SignalLook } from "./signal-trend.js";

export interface HeapSnapshotInput {
  tSeconds: number;
  /** Fetched with gc=1: the profile describes the heap right after a full GC. */
  gcForced: boolean;
  /** Totals when known without decoding (a recording keeps them); otherwise taken from the profile. */
  inuseBytes?: number | null;
  inuseObjects?: number | null;
  /** The profile; absent when it was thinned away (the totals may remain). */
  loadProfile?: () => Profile | null;
}

export interface GoroutineSnapshotInput {
  tSeconds: number;
  snapshot: GoroutineSnapshot;
}

export interface MemStatsInput {
  tSeconds: number;
  sample: MemStatsSample;
}

export interface RssInput {
  tSeconds: number;
  rssBytes: number;
}

export interface GcCycleInput {
  /** Seconds on the gctrace clock (since the process started). */
  tSeconds: number;
  cycle:
    | GcCycle
    | {
        liveHeapBytes: number;
        goalBytes: number;
        forced: boolean;
        heapStartBytes?: number;
        heapEndBytes?: number;
      };
}

export interface TargetExitInput {
  tSeconds: number;
  code: number | null;
  signal: string | null;
  /** The runtime printed `fatal error: runtime: out of memory` or the kernel's OOM killer struck. */
  outOfMemory: boolean;
  /** One line saying how the out-of-memory condition was recognised. */
  outOfMemoryEvidence?: string;
}

export interface DiagnosisInput {
  /** What was diagnosed, for the report (`http://127.0.0.1:6060`, a recording path, profile names). */
  subject: string;
  /** Seconds of observation the user asked for (reports say when the data fell short of it). */
  requestedDurationSeconds?: number;
  heapSnapshots: HeapSnapshotInput[];
  goroutineSnapshots: GoroutineSnapshotInput[];
  memStats: MemStatsInput[];
  rss: RssInput[];
  gcCycles: GcCycleInput[];
  targetExit?: TargetExitInput | null;
  /** The container (cgroup) memory limit of the target, when known. GOMEMLIMIT comes from MemStats. */
  memoryLimit?: { bytes: number; source: string } | null;
  /** The main module's path (from build info or --module). */
  modulePath?: string;
  buildInfo?: BuildInfo;
  /** `go` line of the module's go.mod, e.g. [1, 21], when found. */
  goModVersion?: [number, number];
  /** Reads a source file named in a profile (absolute path as recorded); undefined when unreadable. */
  readSource?: (file: string) => string | undefined;
  /** Sources that could not be read, for the report (`/debug/vars: 404`). */
  notes?: string[];
  /** Whether heapscope launched the target itself (it can then change its sampling rate). */
  launched?: boolean;
  /** One of several looks at a growing observation (doctor --duration auto): judged with a share of α. */
  look?: SignalLook;
}
