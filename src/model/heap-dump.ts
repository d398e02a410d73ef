/**
 * A Go heap dump (runtime/debug.WriteHeapDump), decoded into columns.
 *
 * Heap objects, stack frames and alloc samples are counted in millions, so they are typed-array
 * columns indexed by position, never one JS object each. Contents are not copied: every content
 * column holds a byte offset into the dump file (`HeapDump.bytes` when the reader was given the whole
 * file). Pointers are the non-nil pointer words only (a nil slot references nothing), each with its
 * byte offset inside its holder and its value, in CSR form (`start[i]..start[i+1]`).
 *
 * Addresses, pcs and sizes are doubles: exact below 2^53, which covers every Go heap (amd64 and
 * arm64 use at most 48-bit addresses); the reader rejects object addresses that are not.
 */

/** Pointer words held by a sequence of holders (objects, frames): holder i owns start[i]..start[i+1]. */
export interface PointerColumns {
  /** Length = holders + 1. */
  start: Uint32Array;
  /** Byte offset of the pointer word inside its holder. */
  fieldOffset: Uint32Array;
  /** The pointer's value (an address, possibly interior to an object or outside the heap). */
  value: Float64Array;
}

/** Every allocated slot of every in-use span (reachable or not: the dump does not collect). */
export interface HeapObjects {
  count: number;
  /** In dump order (span order), not address order. */
  address: Float64Array;
  /** The slot size (the size class), which is what the heap accounts, not the requested size. */
  size: Float64Array;
  /** File offset of the object's contents (`size` bytes). */
  contentOffset: Float64Array;
  pointers: PointerColumns;
}

/** Stack frames of all goroutines, innermost first within each goroutine. */
export interface StackFrames {
  count: number;
  /** Index into `HeapDump.goroutines`. */
  goroutine: Uint32Array;
  /** 0 = innermost. */
  depth: Uint32Array;
  /** Lowest address of the frame. */
  sp: Float64Array;
  entryPc: Float64Array;
  pc: Float64Array;
  continuationPc: Float64Array;
  /** Index into `HeapDump.strings`: the function name as the runtime wrote it. */
  functionName: Uint32Array;
  contentOffset: Float64Array;
  size: Float64Array;
  pointers: PointerColumns;
}

export interface Goroutine {
  /** Address of the runtime's g. */
  address: number;
  goid: number;
  /** The pc of the `go` statement that created it. */
  creatorPc: number;
  /** The runtime's g status (1 runnable, 3 syscall, 4 waiting, ...). */
  status: number;
  isSystem: boolean;
  /** Nanotime when it started waiting (0 when unknown). */
  waitSince: number;
  waitReason: string;
  /** The saved closure context register (a funcval pointer, or 0). */
  context: number;
  mAddress: number;
  deferAddress: number;
  panicAddress: number;
  sp: number;
  /** Its frames: `HeapDump.frames` indices firstFrame .. firstFrame + frameCount - 1. */
  firstFrame: number;
  frameCount: number;
}

/** The data or BSS segment of the main binary (plugins are not dumped). */
export interface Segment {
  start: number;
  size: number;
  contentOffset: number;
  fieldOffset: Uint32Array;
  value: Float64Array;
}

/** A finalizer (tag 7) or a queued finalizer waiting to run (tag 11). */
export interface Finalizer {
  object: number;
  /** The funcval the finalizer calls (a closure object or a static funcval). */
  funcval: number;
  /** Code pointer of the finalizer function. */
  functionPc: number;
  argumentType: number;
  objectType: number;
}

export interface DumpType {
  address: number;
  size: number;
  name: string;
  /** The runtime's flag: stored indirectly in interfaces, or holds pointers. */
  indirectOrPointers: boolean;
}

export interface Itab {
  address: number;
  typeAddress: number;
}

export interface OsThread {
  mAddress: number;
  id: number;
  osThreadId: number;
}

export interface Defer {
  address: number;
  goroutineAddress: number;
  sp: number;
  pc: number;
  funcval: number;
  functionPc: number;
  link: number;
}

export interface Panic {
  address: number;
  goroutineAddress: number;
  argumentType: number;
  argumentData: number;
  link: number;
}

/** A root described by the runtime itself (tag 2; no current runtime writes it). */
export interface OtherRoot {
  description: string;
  pointer: number;
}

/** runtime.MemStats as of the dump, in struct order (values above 2^53 lose their last bits). */
export interface DumpMemStats {
  alloc: number;
  totalAlloc: number;
  sys: number;
  lookups: number;
  mallocs: number;
  frees: number;
  heapAlloc: number;
  heapSys: number;
  heapIdle: number;
  heapInuse: number;
  heapReleased: number;
  heapObjects: number;
  stackInuse: number;
  stackSys: number;
  mSpanInuse: number;
  mSpanSys: number;
  mCacheInuse: number;
  mCacheSys: number;
  buckHashSys: number;
  gcSys: number;
  otherSys: number;
  nextGc: number;
  lastGc: number;
  pauseTotalNs: number;
  /** The 256-entry circular buffer of recent pauses. */
  pauseNs: Float64Array;
  numGc: number;
}

/** One frame of a memory-profile bucket: a physical frame (inlined calls are not expanded). */
export interface BucketFrame {
  function: string;
  file: string;
  line: number;
}

/** A memory-profile bucket: one allocation stack and size, with its sampled counts. */
export interface MemProfileBucket {
  /** The bucket's address, which alloc samples refer to. */
  id: number;
  /** Allocation size in bytes (requested size, as the profiler records it). */
  size: number;
  /** Innermost first. */
  frames: BucketFrame[];
  allocs: number;
  frees: number;
}

/** Sampled heap objects tied to their bucket (tag 17). */
export interface AllocSamples {
  count: number;
  /** May point past an object's start (allocation headers): match by containment. */
  address: Float64Array;
  /** A `MemProfileBucket.id`. */
  bucket: Float64Array;
}

export interface DumpParams {
  bigEndian: boolean;
  /** 4 or 8. */
  pointerSize: number;
  arenaStart: number;
  arenaEnd: number;
  goarch: string;
  /** e.g. "go1.26.8" */
  goVersion: string;
  ncpu: number;
}

export interface HeapDump {
  params: DumpParams;
  objects: HeapObjects;
  goroutines: Goroutine[];
  frames: StackFrames;
  /** Interned strings: frame function names (indexed by StackFrames.functionName), bucket names and files. */
  strings: string[];
  data: Segment | undefined;
  bss: Segment | undefined;
  finalizers: Finalizer[];
  queuedFinalizers: Finalizer[];
  defers: Defer[];
  panics: Panic[];
  otherRoots: OtherRoot[];
  types: DumpType[];
  itabs: Itab[];
  osThreads: OsThread[];
  memStats: DumpMemStats | undefined;
  buckets: MemProfileBucket[];
  allocSamples: AllocSamples;
  /** The whole file, when the reader was given it in one piece (content offsets index it). */
  bytes: Uint8Array | undefined;
  /** Size of the dump file in bytes. */
  fileSize: number;
}
