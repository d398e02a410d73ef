import { HeapscopeError, InputError } from "../../errors.js";
import { readHeapDump } from "../../formats/heapdump/read-heap-dump.js";
import type { HeapDump } from "../../model/heap-dump.js";

/** Decodes a dump, turning a decoding failure into one line naming the source. */
export function readHeapDumpChecked(bytes: Uint8Array, source: string): HeapDump {
  try {
    return readHeapDump(bytes);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof HeapscopeError || error instanceof RangeError)
      throw new InputError(source, error.message);
    throw error;
  }
}
