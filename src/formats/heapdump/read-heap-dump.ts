/**
 * Reads a Go heap dump (runtime/debug.WriteHeapDump, header "go1.7 heap dump\n") in one pass.
 *
 *   readHeapDump(bytes)             the whole file in one buffer; content offsets index `dump.bytes`
 *   new HeapDumpReader()            the file in chunks: push(chunk)... then finish(); contents are not
 *     .push(chunk) / .finish()      kept (their offsets are file offsets, to re-read from the file)
 *
 * Either way the reader keeps no JS object per heap object. Damaged input fails with HeapDumpError,
 * whose message names the byte offset and the problem; every length and count is bounded by the
 * bytes present, so a hostile dump can neither hang the reader nor make it allocate without bound.
 */
import { HeapDumpError } from "../../errors.js";
import type { DumpParams, HeapDump } from "../../model/heap-dump.js";
import { DumpBuilder } from "./dump-builder.js";
import { DumpCursor, needMoreBytes } from "./dump-cursor.js";
import {
  readFinalizer,
  readGoroutine,
  readMemProfileBucket,
  readMemStats,
  readObject,
  readParams,
  readSegment,
  readStackFrame,
  recordNames,
} from "./record-readers.js";

export const HEAP_DUMP_HEADER = "go1.7 heap dump\n";
const header = new TextEncoder().encode(HEAP_DUMP_HEADER);

/** True when `bytes` begins like a heap dump (for format sniffing). */
export function isHeapDump(bytes: Uint8Array): boolean {
  if (bytes.length < header.length) return false;
  for (let i = 0; i < header.length; i++) if (bytes[i] !== header[i]) return false;
  return true;
}

/** Decodes a whole heap dump held in memory. */
export function readHeapDump(bytes: Uint8Array): HeapDump {
  return HeapDumpReader.readWhole(bytes);
}

export class HeapDumpReader {
  /** The whole file at once, parsed in place and kept as `dump.bytes` (see readHeapDump). */
  static readWhole(bytes: Uint8Array): HeapDump {
    const reader = new HeapDumpReader();
    reader.parse(bytes, true);
    return reader.result(bytes, bytes.length);
  }

  private builder = new DumpBuilder();
  private seenHeader = false;
  private done = false;
  /** Unparsed bytes carried over from earlier chunks (a record that continued past them). */
  private carry: Uint8Array = new Uint8Array(0);
  private windowBuffer = new Uint8Array(0);
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** How many carried + pending bytes the next attempt needs. */
  private wanted = 0;
  /** File offset of carry[0]. */
  private consumed = 0;
  private fileSize = 0;
  private finished: HeapDump | undefined;

  /** Feeds the next chunk of the file. The reader keeps no reference to `chunk` after returning. */
  push(chunk: Uint8Array): void {
    this.fileSize += chunk.length;
    if (this.done) {
      if (chunk.length > 0) this.trailing(this.fileSize - chunk.length);
      return;
    }
    if (this.carry.length + this.pendingBytes + chunk.length < this.wanted) {
      // Still short of what the record in progress needs: keep a copy (the caller may reuse `chunk`).
      this.pending.push(chunk.slice());
      this.pendingBytes += chunk.length;
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.parse(this.takeWindow(), false);
  }

  /** Ends the input: returns the dump, or fails if it is incomplete. */
  finish(): HeapDump {
    if (this.finished) return this.finished;
    if (!this.done) this.parse(this.takeWindow(), true);
    this.finished = this.result(undefined, this.fileSize);
    return this.finished;
  }

  /** The carried bytes and the pending chunks as one window, in a buffer reused from push to push. */
  private takeWindow(): Uint8Array {
    const pending = this.pending;
    const total = this.carry.length + this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.carry.length === 0 && pending.length === 1) return pending[0]!;
    // Reallocate when too small, or when a huge record left it far larger than needed.
    if (this.windowBuffer.length < total || this.windowBuffer.length > Math.max(4 * total, 64 << 20)) {
      this.windowBuffer = new Uint8Array(Math.max(total, Math.min(2 * this.windowBuffer.length, 64 << 20)));
    }
    const window = this.windowBuffer.subarray(0, total);
    window.set(this.carry, 0);
    let at = this.carry.length;
    for (const part of pending) {
      window.set(part, at);
      at += part.length;
    }
    return window;
  }

  /** Parses `window` (file offset `consumed`) up to the end record or the last whole record. */
  private parse(window: Uint8Array, final: boolean): void {
    const c = new DumpCursor(window, final);
    c.base = this.consumed;
    try {
      if (!this.seenHeader) this.readHeader(c);
      while (!this.done) this.readRecord(c);
      if (c.pos < c.end) this.trailing(c.offsetOf(c.pos));
    } catch (error) {
      if (error !== needMoreBytes) throw error;
      this.builder.rollback();
      // Keep the incomplete record; wait for what it needs, and at least twice what is carried, so a
      // huge record is retried a logarithmic number of times.
      this.carry = window.slice(c.recordStart);
      this.consumed += c.recordStart;
      this.wanted = Math.max(c.wanted - c.recordStart, 2 * this.carry.length);
    }
  }

  private readHeader(c: DumpCursor): void {
    c.recordStart = 0;
    if (c.end < header.length && !c.final) {
      c.wanted = header.length;
      throw needMoreBytes;
    }
    if (!isHeapDump(c.bytes.subarray(0, c.end))) {
      const start = new TextDecoder("latin1").decode(c.bytes.subarray(0, Math.min(c.end, header.length)));
      throw new HeapDumpError(
        `not a Go heap dump: expected the header ${JSON.stringify(HEAP_DUMP_HEADER)}, found ${JSON.stringify(start)}`,
      );
    }
    c.pos = header.length;
    this.seenHeader = true;
  }

  private readRecord(c: DumpCursor): void {
    const b = this.builder;
    c.recordStart = c.pos;
    if (c.pos === c.end && c.final) {
      throw new HeapDumpError(`heap dump truncated at byte ${c.offsetOf(c.pos)}: no end record`);
    }
    c.recordName = "next";
    b.beginRecord();
    const tag = c.uvarint();
    c.recordName = recordNames[tag] ?? `tag ${tag}`;
    const params = b.params;
    if (params === undefined && tag !== 6) {
      c.fail(c.recordStart, `expected the params record first, found ${c.recordName}`);
    }
    this.readBody(c, tag, params!);
  }

  private readBody(c: DumpCursor, tag: number, params: DumpParams): void {
    const b = this.builder;
    switch (tag) {
      case 0:
        this.done = true;
        return;
      case 1:
        readObject(c, b, params);
        return;
      case 2: {
        const description = c.string("root description");
        b.otherRoots.push({ description, pointer: c.uvarint() });
        return;
      }
      case 3: {
        const address = c.uvarint();
        const size = c.uvarint();
        const name = c.string("type name");
        b.types.push({ address, size, name, indirectOrPointers: c.bool("indirect flag") });
        return;
      }
      case 4:
        readGoroutine(c, b);
        return;
      case 5:
        readStackFrame(c, b, params);
        return;
      case 6:
        if (b.params !== undefined) c.fail(c.recordStart, "a second params record");
        b.params = readParams(c);
        return;
      case 7:
        b.finalizers.push(readFinalizer(c));
        return;
      case 8:
        b.itabs.push({ address: c.uvarint(), typeAddress: c.uvarint() });
        return;
      case 9:
        b.osThreads.push({ mAddress: c.uvarint(), id: c.uvarint(), osThreadId: c.uvarint() });
        return;
      case 10:
        b.memStats = readMemStats(c);
        return;
      case 11:
        b.queuedFinalizers.push(readFinalizer(c));
        return;
      case 12:
      case 13:
        this.readSegmentRecord(c, tag, params);
        return;
      case 14:
        this.readDefer(c);
        return;
      case 15:
        this.readPanic(c);
        return;
      case 16:
        readMemProfileBucket(c, b);
        return;
      case 17:
        b.sampleAddress.push(c.uvarint());
        b.sampleBucket.push(c.uvarint());
        return;
      default:
        c.fail(c.recordStart, `unknown record tag ${tag}`);
    }
  }

  private readSegmentRecord(c: DumpCursor, tag: number, params: DumpParams): void {
    const segment = readSegment(c, this.builder, params);
    if (tag === 12) {
      if (this.builder.data !== undefined) c.fail(c.recordStart, "a second data segment");
      this.builder.data = segment;
    } else {
      if (this.builder.bss !== undefined) c.fail(c.recordStart, "a second BSS segment");
      this.builder.bss = segment;
    }
  }

  private readDefer(c: DumpCursor): void {
    this.builder.defers.push({
      address: c.uvarint(),
      goroutineAddress: c.uvarint(),
      sp: c.uvarint(),
      pc: c.uvarint(),
      funcval: c.uvarint(),
      functionPc: c.uvarint(),
      link: c.uvarint(),
    });
  }

  private readPanic(c: DumpCursor): void {
    const address = c.uvarint();
    const goroutineAddress = c.uvarint();
    const argumentType = c.uvarint();
    const argumentData = c.uvarint();
    c.uvarint(); // formerly the panic's defer, written as 0
    this.builder.panics.push({ address, goroutineAddress, argumentType, argumentData, link: c.uvarint() });
  }

  private trailing(offset: number): never {
    throw new HeapDumpError(`heap dump: byte ${offset}: data after the end record`);
  }

  private result(bytes: Uint8Array | undefined, fileSize: number): HeapDump {
    if (!this.done) {
      throw new HeapDumpError(`heap dump truncated at byte ${fileSize}: no end record`);
    }
    const dump = this.builder.finish(bytes, fileSize);
    // The builder's columns were grown with room to spare; the dump has exact copies. Let them go
    // even if the caller keeps this reader.
    this.builder = new DumpBuilder();
    this.carry = new Uint8Array(0);
    this.windowBuffer = new Uint8Array(0);
    return dump;
  }
}
