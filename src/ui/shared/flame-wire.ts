/**
 * The binary form of a flame tree sent to the browser (one fetch, no per-node JSON):
 *
 *   "HSF2" | u32 LE header length | header JSON (UTF-8) | zero padding to 8 | arrays...
 *
 * The header lists the arrays in order with their element type and length; each array starts on an
 * 8-byte boundary so the browser views it in place (`new Float64Array(buffer, offset, length)`).
 * Nodes are in preorder with each node's children contiguous, heaviest first. Per node the wire
 * carries what the renderer's hot loops read (weight, depth, subtree end, name): the browser
 * decodes without a pass over the nodes, since decoding is on the critical path of the first paint.
 * Index arrays, and weights when they are all whole numbers below 2^32, travel in the narrowest
 * unsigned type that holds them (120k nodes: 1.7 MB rather than 2.9 MB with i32 and f64).
 * Left edges follow from preorder (a first child starts at its parent's edge, a later one where
 * its previous sibling ended) and parents from depth, so neither is sent. `total` and `self` are
 * sent only when they differ from what `weight` implies (diffs, negative values), `inlined` only
 * when some frame is inlined.
 * Frame names and source files travel as string tables (UTF-8 bytes and the offset of each
 * string, one more offset than strings), which the browser decodes one string at a time when it
 * shows it: the first paint decodes a dozen labels, not every name.
 * Shared by the server's encoder and the browser's decoder: no Node or DOM APIs here (TextEncoder
 * and TextDecoder are in both).
 */

export const FLAME_WIRE_MAGIC = "HSF2";

export type WireArrayType = "f64" | "i32" | "u32" | "u16" | "u8";

export interface FlameWireArray {
  name: FlameArrayName;
  type: WireArrayType;
  length: number;
}

export type FlameArrayName =
  | "weight"
  | "total"
  | "self"
  | "baseTotal"
  | "baseSelf"
  | "depth"
  | "subtreeEnd"
  | "nameIndex"
  | "inlined"
  | "packageIndex"
  | "fileIndex"
  | "nameBytes"
  | "nameOffsets"
  | "fileBytes"
  | "fileOffsets";

export interface FlameWireHeader {
  nodeCount: number;
  maxDepth: number;
  /** Frame names (the string table nameBytes/nameOffsets); name 0 is the root. */
  nameCount: number;
  /** Distinct source files (fileBytes/fileOffsets); `fileIndex` (per name) points there. */
  fileCount: number;
  /** Distinct package paths; `packageIndex` (per name) points here. */
  packages: string[];
  sampleType: { type: string; unit: string };
  diff: boolean;
  /** What the root stands for ("root", or the frame whose callers/callees are shown). */
  rootLabel: string;
  arrays: FlameWireArray[];
}

export const wireElementBytes: Record<WireArrayType, number> = { f64: 8, i32: 4, u32: 4, u16: 2, u8: 1 };

/** The narrowest unsigned element type that holds every value from 0 to `max`. */
export function unsignedTypeFor(max: number): WireArrayType {
  return max <= 0xff ? "u8" : max <= 0xffff ? "u16" : max <= 0xffffffff ? "u32" : "f64";
}

export function align8(n: number): number {
  return (n + 7) & ~7;
}

/** A string table's wire form: every string's UTF-8 bytes back to back, and where each starts. */
export function encodeStringTable(strings: readonly string[]): { bytes: Uint8Array; offsets: Int32Array } {
  const encoder = new TextEncoder();
  const parts = strings.map((s) => encoder.encode(s));
  const offsets = new Int32Array(strings.length + 1);
  for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
  const bytes = new Uint8Array(offsets[parts.length]!);
  for (let i = 0; i < parts.length; i++) bytes.set(parts[i]!, offsets[i]!);
  return { bytes, offsets };
}

/** Reads a string table lazily: each string is decoded the first time it is asked for. */
export class WireStringTable {
  readonly length: number;
  private readonly bytes: Uint8Array;
  private readonly offsets: ArrayLike<number>;
  private readonly decoded: Array<string | undefined>;
  private readonly decoder = new TextDecoder();

  constructor(bytes: Uint8Array, offsets: ArrayLike<number>) {
    this.bytes = bytes;
    this.offsets = offsets;
    this.length = Math.max(0, offsets.length - 1);
    this.decoded = new Array<string | undefined>(this.length);
  }

  get(i: number): string {
    let text = this.decoded[i];
    if (text === undefined) {
      if (!(i >= 0 && i < this.length)) return "";
      text = this.decoder.decode(this.bytes.subarray(this.offsets[i]!, this.offsets[i + 1]!));
      this.decoded[i] = text;
    }
    return text;
  }
}
