/**
 * Reading words of a heap dump's contents (objects, data and BSS) by file offset, in the dump's byte
 * order and pointer size. The typed analyses read slice lengths and capacities, map sizes and
 * interface type words, which the pointer columns do not carry.
 */
import { HeapDumpError } from "../../errors.js";
import type { HeapDump } from "../../model/heap-dump.js";

/** Random access to the dump file's bytes (file offsets, as the dump's content columns give them). */
export interface DumpContents {
  /** The unsigned word at `fileOffset` (values above 2^53 lose their low bits). */
  word(fileOffset: number): number;
  /** The byte at `fileOffset`. */
  byte(fileOffset: number): number;
}

/** Contents over the whole dump file held in memory (`readHeapDump(bytes)` keeps it as `dump.bytes`). */
export function contentsOf(dump: HeapDump): DumpContents {
  if (!dump.bytes) {
    throw new HeapDumpError(
      "typed retention needs the heap dump's bytes in memory (read it whole with readHeapDump, not in chunks)",
    );
  }
  return bytesContents(dump.bytes, dump.params.pointerSize, dump.params.bigEndian);
}

export function bytesContents(bytes: Uint8Array, pointerSize: number, bigEndian: boolean): DumpContents {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = !bigEndian;
  const end = bytes.byteLength;
  if (pointerSize === 4) {
    return {
      word: (at) => (at >= 0 && at + 4 <= end ? view.getUint32(at, little) : 0),
      byte: (at) => (at >= 0 && at < end ? bytes[at]! : 0),
    };
  }
  return {
    word(at: number): number {
      if (at < 0 || at + 8 > end) return 0;
      const lo = view.getUint32(little ? at : at + 4, little);
      const hi = view.getUint32(little ? at + 4 : at, little);
      return hi * 0x1_0000_0000 + lo;
    },
    byte: (at) => (at >= 0 && at < end ? bytes[at]! : 0),
  };
}
