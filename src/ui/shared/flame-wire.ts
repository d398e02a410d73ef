/**
 * The binary form of a flame tree sent to the browser (one fetch, no per-node JSON):
 *
 *   "HSF1" | u32 LE header length | header JSON (UTF-8) | zero padding to 8 | arrays...
 *
 * The header lists the arrays in order with their element type and length; each array starts on an
 * 8-byte boundary so the browser views it in place (`new Float64Array(buffer, offset, length)`).
 * Nodes are in preorder, so depth and subtree ends follow from `parent` and are not sent; `total`
 * and `self` are sent only when they differ from what `weight` implies (diffs, negative values).
 * Shared by the server's encoder and the browser's decoder; no Node or DOM APIs here.
 */

export const FLAME_WIRE_MAGIC = "HSF1";

export type WireArrayType = "f64" | "i32" | "u8";

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
  | "parent"
  | "nameIndex"
  | "inlined"
  | "packageIndex";

export interface FlameWireHeader {
  nodeCount: number;
  maxDepth: number;
  /** Frame names; names[0] is the root. */
  names: string[];
  /** Per name, the function's source file ("" when unknown). */
  files: string[];
  /** Distinct package paths; `packageIndex` (per name) points here. */
  packages: string[];
  sampleType: { type: string; unit: string };
  diff: boolean;
  /** What the root stands for ("root", or the frame whose callers/callees are shown). */
  rootLabel: string;
  arrays: FlameWireArray[];
}

export const wireElementBytes: Record<WireArrayType, number> = { f64: 8, i32: 4, u8: 1 };

export function align8(n: number): number {
  return (n + 7) & ~7;
}
