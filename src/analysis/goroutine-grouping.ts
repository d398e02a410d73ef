/**
 * Grouping goroutines: the identity of a stack, and the accumulator that folds goroutines (or records
 * the runtime already grouped) into groups, one entry per distinct identity, so memory grows with the
 * number of distinct stacks, not goroutines.
 */
import {
  displayFrames,
  type Goroutine,
  type GoroutineCreator,
  type GoroutineFrame,
  type GoroutineGroup,
  type GoroutineSink,
  type GroupingOptions,
  isRuntimeInternalFrame,
} from "../model/goroutine.js";

export const MAX_IDS_PER_GROUP = 20;
/**
 * Frames (leaf first) that make a stack's identity; see stackIdentity. A 32-frame profile stack
 * spends a few frames on runtime.gopark and friends, so 24 user frames always survive in every form.
 */
export const IDENTITY_MAX_FRAMES = 24;

/**
 * The identity of a stack for grouping and for comparing dumps of different forms: function and
 * line of every frame that is not runtime-internal (debug=2 hides runtime.main and runtime.gopark,
 * debug=1 and proto keep some of them), or of all frames but runtime.goexit when all are runtime.
 * Only the innermost IDENTITY_MAX_FRAMES count: each form truncates deep stacks at its own depth
 * (profiles at 32 frames before Go 1.23 and 128 after, runtime frames included; tracebacks at 100),
 * and the leaf side is what tells stacks apart.
 */
export function stackIdentity(frames: GoroutineFrame[], options: GroupingOptions = {}): string {
  let kept = frames.filter((f) => !isRuntimeInternalFrame(f.func));
  if (kept.length === 0) kept = frames.filter((f) => f.func !== "runtime.goexit");
  if (kept.length > IDENTITY_MAX_FRAMES) kept = kept.slice(0, IDENTITY_MAX_FRAMES);
  const withArgs = options.ignoreArgs === false;
  return kept
    .map((f) => `${f.func}${withArgs && f.args !== undefined ? `(${f.args})` : ""}:${f.line ?? "?"}`)
    .join("|");
}

export interface GroupKeyParts {
  frames: GoroutineFrame[];
  state?: string | null;
  createdBy?: GoroutineCreator | null;
  labels?: Record<string, string>;
}

export function goroutineGroupKey(parts: GroupKeyParts, options: GroupingOptions = {}): string {
  const labels = parts.labels
    ? Object.keys(parts.labels)
        .sort()
        .map((k) => `${k}=${parts.labels![k]}`)
        .join(",")
    : "";
  const creator = parts.createdBy ? `${parts.createdBy.func}:${parts.createdBy.line ?? "?"}` : "";
  return `${parts.state ?? ""}\u0000${creator}\u0000${labels}\u0000${stackIdentity(parts.frames, options)}`;
}

/**
 * Accumulates goroutines (or pre-grouped records) into groups, keeping one entry per distinct key:
 * memory grows with the number of distinct stacks, not goroutines.
 */
export class GoroutineGroupAccumulator implements GoroutineSink {
  private readonly groups = new Map<string, GoroutineGroup>();
  /** Members of each group that printed no `N minutes` (waited under a minute, or never seen by a GC). */
  private readonly withoutMinutes = new Map<string, number>();

  constructor(private readonly options: GroupingOptions = {}) {}

  addGoroutine(goroutine: Goroutine): void {
    const key = goroutineGroupKey(goroutine, this.options);
    let group = this.groups.get(key);
    if (!group) {
      group = {
        count: 0,
        state: goroutine.state,
        waitMinutes: null,
        lockedToThread: false,
        leaked: 0,
        frames: displayFrames(goroutine.frames),
        createdBy: goroutine.createdBy ?? null,
        goroutineIds: [],
        key,
      };
      this.groups.set(key, group);
    }
    group.count++;
    if (goroutine.leaked) group.leaked++;
    if (goroutine.lockedToThread) group.lockedToThread = true;
    if (group.goroutineIds.length < MAX_IDS_PER_GROUP) group.goroutineIds.push(goroutine.id);
    if (goroutine.waitMinutes === undefined) {
      this.withoutMinutes.set(key, (this.withoutMinutes.get(key) ?? 0) + 1);
      if (group.waitMinutes) group.waitMinutes.min = 0;
    } else {
      const hadUnder = (this.withoutMinutes.get(key) ?? 0) > 0;
      const m = goroutine.waitMinutes;
      group.waitMinutes = group.waitMinutes
        ? { min: Math.min(group.waitMinutes.min, m), max: Math.max(group.waitMinutes.max, m) }
        : { min: hadUnder ? 0 : m, max: m };
    }
  }

  /** Adds an already grouped record (debug=1, proto sample), merging with an equal key. */
  addGroup(record: Omit<GoroutineGroup, "key">): void {
    const key = goroutineGroupKey(record, this.options);
    const existing = this.groups.get(key);
    if (!existing) {
      this.groups.set(key, { ...record, goroutineIds: [...record.goroutineIds], key });
      return;
    }
    mergeGroupInto(existing, record);
  }

  result(): GoroutineGroup[] {
    return sortGroups([...this.groups.values()]);
  }
}

/** Adds `other` into `target` (counts, wait range, ids, flags). */
export function mergeGroupInto(target: GoroutineGroup, other: Omit<GoroutineGroup, "key">): void {
  target.count += other.count;
  target.leaked += other.leaked;
  target.lockedToThread ||= other.lockedToThread;
  if (other.waitMinutes) {
    target.waitMinutes = target.waitMinutes
      ? {
          min: Math.min(target.waitMinutes.min, other.waitMinutes.min),
          max: Math.max(target.waitMinutes.max, other.waitMinutes.max),
        }
      : { ...other.waitMinutes };
  }
  for (const id of other.goroutineIds) {
    if (target.goroutineIds.length >= MAX_IDS_PER_GROUP) break;
    target.goroutineIds.push(id);
  }
}

export function sortGroups(groups: GoroutineGroup[]): GoroutineGroup[] {
  return groups.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
