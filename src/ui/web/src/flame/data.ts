/**
 * Decodes the server's binary flame tree (layout in src/ui/shared/flame-wire.ts). The arrays are
 * viewed in place and nothing is computed per node: decoding is on the critical path of the first
 * paint. Left edges and ancestors, which the wire leaves out, are computed where they are needed
 * (the renderer's preorder walk carries left edges along; the functions below walk one path).
 */
import {
  align8,
  FLAME_WIRE_MAGIC,
  type FlameArrayName,
  type FlameWireHeader,
  type WireArrayType,
  WireStringTable,
  wireElementBytes,
} from "../../../shared/flame-wire.js";

/** Non-negative integers, in whichever width the server chose (see flame-wire.ts). */
export type IndexArray = Uint8Array | Uint16Array | Uint32Array | Int32Array;
/** Node weights: whole numbers below 2^32 travel as Uint32Array. */
export type WeightArray = Float64Array | Uint32Array;
type WireView = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

export interface FlameData {
  nodeCount: number;
  maxDepth: number;
  /** Frame names, decoded when first asked for; see nameOf. */
  names: WireStringTable;
  /** Distinct source files; see fileOf. */
  files: WireStringTable;
  /** Per name: index into `files`. */
  fileIndex: IndexArray;
  packages: string[];
  /** Per name: index into `packages`. */
  packageIndex: IndexArray;
  sampleType: { type: string; unit: string };
  diff: boolean;
  rootLabel: string;
  /** Width: Σ|value| through the node (never negative). */
  weight: WeightArray;
  /** The signed total (the weight itself when no value is negative and there is no base). */
  total: WeightArray;
  /** Sent only when it differs from weight − Σ children's weight (diffs); else see selfValue. */
  self: Float64Array | null;
  baseTotal: Float64Array | null;
  baseSelf: Float64Array | null;
  depth: IndexArray;
  /** Exclusive end of the node's subtree: its descendants are the nodes in (i, subtreeEnd[i]). */
  subtreeEnd: IndexArray;
  nameIndex: IndexArray;
  /** 1 for a frame inlined into its caller. */
  inlined: Uint8Array;
}

export function decodeFlame(buffer: ArrayBuffer): FlameData {
  const bytes = new Uint8Array(buffer);
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (magic !== FLAME_WIRE_MAGIC) throw new Error("not a flame tree response");
  const headerLength = new DataView(buffer).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as FlameWireHeader;
  let offset = align8(8 + headerLength);
  const arrays = new Map<FlameArrayName, WireView>();
  for (const spec of header.arrays) {
    const end = offset + spec.length * wireElementBytes[spec.type];
    if (end > buffer.byteLength) throw new Error("truncated flame tree response");
    arrays.set(spec.name, viewArray(buffer, offset, spec.type, spec.length));
    offset = align8(end);
  }
  const n = header.nodeCount;
  const required: FlameArrayName[] = ["weight", "depth", "subtreeEnd", "nameIndex"];
  for (const name of required) {
    if (arrays.get(name)?.length !== n) throw new Error(`flame tree response without ${name}`);
  }
  const table = (prefix: "name" | "file", count: number) => {
    const offsets = arrays.get(`${prefix}Offsets`) as IndexArray | undefined;
    const bytes = arrays.get(`${prefix}Bytes`) as Uint8Array | undefined;
    if (!offsets || !bytes || offsets.length !== count + 1) {
      throw new Error(`flame tree response without ${prefix}s`);
    }
    return new WireStringTable(bytes, offsets);
  };
  for (const name of ["packageIndex", "fileIndex"] as const) {
    if (arrays.get(name)?.length !== header.nameCount) throw new Error(`flame tree response without ${name}`);
  }
  const weight = arrays.get("weight") as WeightArray;
  return {
    nodeCount: n,
    maxDepth: header.maxDepth,
    names: table("name", header.nameCount),
    files: table("file", header.fileCount),
    fileIndex: arrays.get("fileIndex") as IndexArray,
    packages: header.packages,
    packageIndex: arrays.get("packageIndex") as IndexArray,
    sampleType: header.sampleType,
    diff: header.diff,
    rootLabel: header.rootLabel,
    weight,
    total: (arrays.get("total") as Float64Array | undefined) ?? weight,
    self: (arrays.get("self") as Float64Array | undefined) ?? null,
    baseTotal: (arrays.get("baseTotal") as Float64Array | undefined) ?? null,
    baseSelf: (arrays.get("baseSelf") as Float64Array | undefined) ?? null,
    depth: arrays.get("depth") as IndexArray,
    subtreeEnd: arrays.get("subtreeEnd") as IndexArray,
    nameIndex: arrays.get("nameIndex") as IndexArray,
    // Absent when no frame is inlined.
    inlined: (arrays.get("inlined") as Uint8Array | undefined) ?? new Uint8Array(n),
  };
}

function viewArray(buffer: ArrayBuffer, offset: number, type: WireArrayType, length: number): WireView {
  switch (type) {
    case "f64":
      return new Float64Array(buffer, offset, length);
    case "i32":
      return new Int32Array(buffer, offset, length);
    case "u32":
      return new Uint32Array(buffer, offset, length);
    case "u16":
      return new Uint16Array(buffer, offset, length);
    default:
      return new Uint8Array(buffer, offset, length);
  }
}

/** A node's self value: weight minus its children's, unless the server sent it (diff trees). */
export function selfValue(data: FlameData, node: number): number {
  if (data.self) return data.self[node]!;
  let children = 0;
  for (let c = node + 1; c < data.subtreeEnd[node]!; c = data.subtreeEnd[c]!) children += data.weight[c]!;
  return data.weight[node]! - children;
}

/** The node's frame name (the root's label for the root). */
export function nameOf(data: FlameData, node: number): string {
  return node === 0 ? data.rootLabel : data.names.get(data.nameIndex[node]!);
}

/** The node's source file, "" when unknown. */
export function fileOf(data: FlameData, node: number): string {
  return node === 0 ? "" : data.files.get(data.fileIndex[data.nameIndex[node]!]!);
}

/**
 * The nodes from the root down to `node` (both included) and each one's left edge in weight units,
 * found by walking down: at each level, across the children to the one whose subtree holds `node`.
 */
export function ancestry(data: FlameData, node: number): { path: number[]; left: number[] } {
  const path = [0];
  const left = [0];
  if (node <= 0 || node >= data.nodeCount) return { path, left };
  const { subtreeEnd, weight } = data;
  let current = 0;
  let edge = 0;
  while (current !== node) {
    let child = current + 1;
    while (subtreeEnd[child]! <= node) {
      edge += weight[child]!;
      child = subtreeEnd[child]!;
    }
    current = child;
    path.push(current);
    left.push(edge);
  }
  return { path, left };
}

/** Ancestors of a node, root first, including the node. */
export function pathTo(data: FlameData, node: number): number[] {
  return ancestry(data, node).path;
}
