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
  const reader = new HeapDumpReader();
  reader.parse(bytes, true);
  return reader.result(bytes, bytes.length);
}

export class HeapDumpReader {
  private readonly builder = new DumpBuilder();
  private seenHeader = false;
  private done = false;
  /** Unparsed bytes carried over from earlier chunks (a record that continued past them). */
  private carry: Uint8Array = new Uint8Array(0);
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** How many carried + pending bytes the next attempt needs. */
  private wanted = 0;
  /** File offset of carry[0]. */
  private consumed = 0;
  private fileSize = 0;

  /** Feeds the next chunk of the file. */
  push(chunk: Uint8Array): void {
    this.fileSize += chunk.length;
    if (this.done) {
      if (chunk.length > 0) this.trailing(this.fileSize - chunk.length);
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.carry.length + this.pendingBytes < this.wanted) return;
    this.parse(this.takeWindow(), false);
  }

  /** Ends the input: returns the dump, or fails if it is incomplete. */
  finish(): HeapDump {
    if (!this.done) this.parse(this.takeWindow(), true);
    return this.result(undefined, this.fileSize);
  }

  private takeWindow(): Uint8Array {
    const parts = [this.carry, ...this.pending];
    this.pending = [];
    this.pendingBytes = 0;
    if (parts.length === 2 && parts[0]!.length === 0) return parts[1]!;
    const window = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      window.set(part, at);
      at += part.length;
    }
    return window;
  }

  /** Parses `window` (file offset `consumed`) up to the end record or the last whole record. */
  parse(window: Uint8Array, final: boolean): void {
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
      this.carry = window.subarray(c.recordStart);
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

  result(bytes: Uint8Array | undefined, fileSize: number): HeapDump {
    if (!this.done) {
      throw new HeapDumpError(`heap dump truncated at byte ${fileSize}: no end record`);
    }
    return this.builder.finish(bytes, fileSize);
  }
}
