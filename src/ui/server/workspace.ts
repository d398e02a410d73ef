/**
 * What the UI shows: the inputs given on the command line (or published live), each a document with
 * an id ("0", "1", ...). Profiles are addressed by refs: a profile document's id, or
 * "<recording id>@<N>" for the N-th stored heap snapshot of a recording ("@last" the newest).
 */
import { InputError } from "../../errors.js";
import type { GcTraceParse } from "../../formats/gctrace/index.js";
import type { MemStatsSeries } from "../../formats/memstats.js";
import { parseProfileBytes } from "../../formats/profile-bytes.js";
import type { GoroutineSnapshot } from "../../model/goroutine.js";
import type { Profile } from "../../profile/model.js";
import type { RecordingReader } from "../../store/recording-reader.js";
import type { DocumentKind, DocumentSummary } from "../shared/api-types.js";
import { LruCache } from "./lru.js";

interface DocumentBase {
  id: string;
  kind: DocumentKind;
  name: string;
  description: string;
  live?: boolean;
}

export interface ProfileDocument extends DocumentBase {
  kind: "profile";
  profile: Profile;
}

export interface RecordingDocument extends DocumentBase {
  kind: "recording";
  recording: RecordingReader;
  /** A --binary for its kept heap dump: wins over the binary the recording kept. */
  binary?: string;
}

export interface GcTraceDocument extends DocumentBase {
  kind: "gctrace";
  trace: GcTraceParse;
}

export interface MemStatsDocument extends DocumentBase {
  kind: "memstats";
  series: MemStatsSeries;
}

export interface GoroutinesDocument extends DocumentBase {
  kind: "goroutines";
  snapshot: GoroutineSnapshot;
}

/** A Go heap dump file (`heapscope ui heap.dump [--binary BIN]`); read when the retention view asks. */
export interface HeapDumpDocument extends DocumentBase {
  kind: "heapdump";
  path: string;
  /** The binary that wrote it (--binary): names globals and closures. */
  binary?: string;
}

export type UiDocument =
  | ProfileDocument
  | RecordingDocument
  | GcTraceDocument
  | MemStatsDocument
  | GoroutinesDocument
  | HeapDumpDocument;

export type NewDocument =
  | Omit<ProfileDocument, "id">
  | Omit<RecordingDocument, "id">
  | Omit<GcTraceDocument, "id">
  | Omit<MemStatsDocument, "id">
  | Omit<GoroutinesDocument, "id">
  | Omit<HeapDumpDocument, "id">;

export interface ResolvedProfile {
  ref: string;
  name: string;
  profile: Profile;
  /** Changes when the underlying data changes (a live recording's "last"), for cache keys. */
  version: string;
}

export class Workspace {
  private readonly docs: UiDocument[] = [];
  private readonly snapshotProfiles = new LruCache<string, Profile>(6);
  /** Bumped when a live document changes, so cached views keyed by it are not reused. */
  private generation = 0;

  get documents(): readonly UiDocument[] {
    return this.docs;
  }

  add(document: NewDocument): UiDocument {
    const doc = { ...document, id: String(this.docs.length) } as UiDocument;
    this.docs.push(doc);
    this.generation++;
    return doc;
  }

  /** Marks live data as changed (new snapshots in a recording being written). */
  touch(): void {
    this.generation++;
  }

  get version(): number {
    return this.generation;
  }

  get(id: string): UiDocument {
    const doc = this.docs.find((d) => d.id === id);
    if (!doc) throw new InputError(`document ${id}`, "no such input");
    return doc;
  }

  summaries(): DocumentSummary[] {
    return this.docs.map((d) => ({
      id: d.id,
      kind: d.kind,
      name: d.name,
      description: d.description,
      live: d.live,
    }));
  }

  /** The profile a ref names; an empty ref is the first profile (or a recording's newest snapshot). */
  resolveProfile(ref: string): ResolvedProfile {
    if (ref === "") {
      const first = this.docs.find((d) => d.kind === "profile" || d.kind === "recording");
      if (!first) throw new InputError("profile", "no profile or recording was loaded");
      ref = first.id;
    }
    const at = ref.indexOf("@");
    const doc = this.get(at >= 0 ? ref.slice(0, at) : ref);
    if (doc.kind === "profile") {
      if (at >= 0) throw new InputError(ref, "a profile has no snapshots");
      return { ref, name: doc.name, profile: doc.profile, version: "0" };
    }
    if (doc.kind !== "recording") throw new InputError(ref, `a ${doc.kind} input holds no profile`);
    const selector = at >= 0 ? ref.slice(at + 1) : "last";
    const snapshot = doc.recording.resolveHeapSnapshot(selector);
    const key = `${doc.id}#${snapshot.id}`;
    let profile = this.snapshotProfiles.get(key);
    if (!profile) {
      const bytes = doc.recording.heapSnapshotBytes(String(snapshot.index ?? selector));
      profile = parseProfileBytes(bytes, `${doc.name}#${snapshot.index}`).profile;
      this.snapshotProfiles.set(key, profile);
    }
    return {
      ref: `${doc.id}@${snapshot.index}`,
      name: `${doc.name} #${snapshot.index}`,
      profile,
      version: `s${snapshot.id}`,
    };
  }
}
