/**
 * One reader per heap-dump record kind (the fields after the tag, in the runtime's order; see
 * src/runtime/heapdump.go). Each reads through a DumpCursor and commits to a DumpBuilder only
 * once the record is whole.
 */
import type { DumpMemStats, DumpParams, Finalizer, Segment } from "../../model/heap-dump.js";
import type { DumpBuilder, PointerColumnsBuilder } from "./dump-builder.js";
import type { DumpCursor } from "./dump-cursor.js";

export const recordNames = [
  "end",
  "object",
  "other root",
  "type",
  "goroutine",
  "stack frame",
  "params",
  "finalizer",
  "itab",
  "OS thread",
  "MemStats",
  "queued finalizer",
  "data segment",
  "BSS segment",
  "defer",
  "panic",
  "memory-profile bucket",
  "alloc sample",
];

const FIELD_END = 0;
const FIELD_POINTER = 1;
const FIELD_EFACE = 3;

/**
 * A field list (kind, offset pairs ending with kind 0) over contents at `contentStart` of `size`
 * bytes: pushes each non-nil pointer word with its offset. Interface kinds (unused by current
 * runtimes) point at their data word, the second of the pair.
 */
export function readPointerFields(
  c: DumpCursor,
  out: PointerColumnsBuilder,
  contentStart: number,
  size: number,
  params: DumpParams,
): void {
  const pointerSize = params.pointerSize;
  const bigEndian = params.bigEndian;
  for (;;) {
    const at = c.pos;
    const kind = c.uvarint();
    if (kind === FIELD_END) return;
    let offset = c.uvarint();
    if (kind !== FIELD_POINTER) {
      if (kind > FIELD_EFACE) c.fail(at, `unknown field kind ${kind}`);
      offset += pointerSize;
    }
    if (offset + pointerSize > size) {
      c.fail(at, `pointer field at offset ${offset} lies outside the ${size} bytes it describes`);
    }
    if (offset > 0xffffffff) c.fail(at, `pointer field offset ${offset} is beyond 4 GiB (not supported)`);
    const value = c.word(contentStart + offset, pointerSize, bigEndian);
    if (value !== 0) out.push(offset, value);
  }
}

export function readParams(c: DumpCursor): DumpParams {
  const bigEndian = c.bool("big-endian flag");
  const at = c.pos;
  const pointerSize = c.uvarint();
  if (pointerSize !== 8 && pointerSize !== 4) c.fail(at, `pointer size ${pointerSize} (expected 4 or 8)`);
  return {
    bigEndian,
    pointerSize,
    arenaStart: c.uvarint(),
    arenaEnd: c.uvarint(),
    goarch: c.string("GOARCH"),
    goVersion: c.string("Go version"),
    ncpu: c.uvarint(),
  };
}

export function readObject(c: DumpCursor, b: DumpBuilder, params: DumpParams): void {
  const at = c.pos;
  const address = c.uvarint();
  if (address > Number.MAX_SAFE_INTEGER) c.fail(at, "object address beyond 2^53 (not supported)");
  const contentStart = c.range("object contents");
  const size = c.pos - contentStart;
  readPointerFields(c, b.objectPointers, contentStart, size, params);
  b.addObject(address, size, c.offsetOf(contentStart));
}

export function readGoroutine(c: DumpCursor, b: DumpBuilder): void {
  const address = c.uvarint();
  const sp = c.uvarint();
  const goid = c.uvarint();
  const creatorPc = c.uvarint();
  const status = c.uvarint();
  const isSystem = c.bool("is-system flag");
  c.bool("is-background flag");
  const waitSince = c.uvarint();
  const waitReason = c.string("wait reason");
  const context = c.uvarint();
  const mAddress = c.uvarint();
  const deferAddress = c.uvarint();
  const panicAddress = c.uvarint();
  b.addGoroutine({
    address,
    goid,
    creatorPc,
    status,
    isSystem,
    waitSince,
    waitReason,
    context,
    mAddress,
    deferAddress,
    panicAddress,
    sp,
  });
}

export function readStackFrame(c: DumpCursor, b: DumpBuilder, params: DumpParams): void {
  if (b.goroutines.length === 0) c.fail(c.recordStart, "stack frame before any goroutine record");
  const sp = c.uvarint();
  const depth = c.uvarint();
  c.uvarint(); // the child frame's sp: frames arrive innermost first, so depth says the same
  const contentStart = c.range("frame contents");
  const size = c.pos - contentStart;
  const entryPc = c.uvarint();
  const pc = c.uvarint();
  const continuationPc = c.uvarint();
  const functionName = c.string("function name");
  readPointerFields(c, b.framePointers, contentStart, size, params);
  b.addFrame({
    depth: Math.min(depth, 0xffffffff),
    sp,
    entryPc,
    pc,
    continuationPc,
    functionName,
    contentOffset: c.offsetOf(contentStart),
    size,
  });
}

export function readSegment(c: DumpCursor, b: DumpBuilder, params: DumpParams): Segment {
  const start = c.uvarint();
  const contentStart = c.range("segment contents");
  const size = c.pos - contentStart;
  const scratch = b.objectPointers;
  const fieldsFrom = scratch.count;
  // The segment's pointers go through the object columns' scratch space, then are cut out.
  readPointerFields(c, scratch, contentStart, size, params);
  const fieldOffset = scratch.fieldOffset.slice(fieldsFrom, scratch.count);
  const value = scratch.value.slice(fieldsFrom, scratch.count);
  b.objectPointers.truncate(fieldsFrom);
  return { start, size, contentOffset: c.offsetOf(contentStart), fieldOffset, value };
}

export function readFinalizer(c: DumpCursor): Finalizer {
  return {
    object: c.uvarint(),
    funcval: c.uvarint(),
    functionPc: c.uvarint(),
    argumentType: c.uvarint(),
    objectType: c.uvarint(),
  };
}

export function readMemStats(c: DumpCursor): DumpMemStats {
  const head = [];
  for (let i = 0; i < 24; i++) head.push(c.uvarint());
  const pauseNs = new Float64Array(256);
  for (let i = 0; i < 256; i++) pauseNs[i] = c.uvarint();
  const numGc = c.uvarint();
  const [alloc, totalAlloc, sys, lookups, mallocs, frees, heapAlloc, heapSys, heapIdle, heapInuse] = head;
  const [heapReleased, heapObjects, stackInuse, stackSys, mSpanInuse, mSpanSys, mCacheInuse] = head.slice(10);
  const [mCacheSys, buckHashSys, gcSys, otherSys, nextGc, lastGc, pauseTotalNs] = head.slice(17);
  return {
    alloc: alloc!,
    totalAlloc: totalAlloc!,
    sys: sys!,
    lookups: lookups!,
    mallocs: mallocs!,
    frees: frees!,
    heapAlloc: heapAlloc!,
    heapSys: heapSys!,
    heapIdle: heapIdle!,
    heapInuse: heapInuse!,
    heapReleased: heapReleased!,
    heapObjects: heapObjects!,
    stackInuse: stackInuse!,
    stackSys: stackSys!,
    mSpanInuse: mSpanInuse!,
    mSpanSys: mSpanSys!,
    mCacheInuse: mCacheInuse!,
    mCacheSys: mCacheSys!,
    buckHashSys: buckHashSys!,
    gcSys: gcSys!,
    otherSys: otherSys!,
    nextGc: nextGc!,
    lastGc: lastGc!,
    pauseTotalNs: pauseTotalNs!,
    pauseNs,
    numGc,
  };
}

export function readMemProfileBucket(c: DumpCursor, b: DumpBuilder): void {
  const id = c.uvarint();
  const size = c.uvarint();
  const frameCount = c.uvarint();
  const frames = [];
  // Each frame takes at least three bytes, so a hostile count runs out of bytes, not memory.
  for (let i = 0; i < frameCount; i++) {
    const name = c.string("bucket frame function");
    const file = c.string("bucket frame file");
    const line = c.uvarint();
    frames.push({ function: b.strings[b.intern(name)]!, file: b.strings[b.intern(file)]!, line });
  }
  const allocs = c.uvarint();
  const frees = c.uvarint();
  b.buckets.push({ id, size, frames, allocs, frees });
}
