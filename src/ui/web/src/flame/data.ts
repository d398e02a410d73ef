/** Decodes the server's binary flame tree (layout in src/ui/shared/flame-wire.ts) without copying. */
import {
  align8,
  FLAME_WIRE_MAGIC,
  type FlameArrayName,
  type FlameWireHeader,
  wireElementBytes,
} from "../../../shared/flame-wire.js";

export interface FlameData {
  nodeCount: number;
  maxDepth: number;
  names: string[];
  files: string[];
  packages: string[];
  /** Per name: index into `packages`. */
  packageIndex: Int32Array;
  sampleType: { type: string; unit: string };
  diff: boolean;
  rootLabel: string;
  weight: Float64Array;
  total: Float64Array;
  self: Float64Array;
  baseTotal: Float64Array | null;
  baseSelf: Float64Array | null;
  parent: Int32Array;
  nameIndex: Int32Array;
  subtreeEnd: Int32Array;
  depth: Int32Array;
  inlined: Uint8Array;
  /** Left edge of each node, in weight units from the root's left edge. */
  x: Float64Array;
}

export function decodeFlame(buffer: ArrayBuffer): FlameData {
  const bytes = new Uint8Array(buffer);
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (magic !== FLAME_WIRE_MAGIC) throw new Error("not a flame tree response");
  const headerLength = new DataView(buffer).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as FlameWireHeader;
  let offset = align8(8 + headerLength);
  const arrays = new Map<FlameArrayName, Float64Array | Int32Array | Uint8Array>();
  for (const spec of header.arrays) {
    const view =
      spec.type === "f64"
        ? new Float64Array(buffer, offset, spec.length)
        : spec.type === "i32"
          ? new Int32Array(buffer, offset, spec.length)
          : new Uint8Array(buffer, offset, spec.length);
    arrays.set(spec.name, view);
    offset = align8(offset + spec.length * wireElementBytes[spec.type]);
  }
  const f64 = (name: FlameArrayName) => arrays.get(name) as Float64Array;
  const i32 = (name: FlameArrayName) => arrays.get(name) as Int32Array;
  const n = header.nodeCount;
  const parent = i32("parent");
  const weight = f64("weight");
  const depth = new Int32Array(n);
  const subtreeEnd = new Int32Array(n);
  for (let i = 1; i < n; i++) depth[i] = depth[parent[i]!]! + 1;
  for (let i = 0; i < n; i++) subtreeEnd[i] = i + 1;
  for (let i = n - 1; i > 0; i--) {
    const p = parent[i]!;
    if (subtreeEnd[i]! > subtreeEnd[p]!) subtreeEnd[p] = subtreeEnd[i]!;
  }
  let total = arrays.get("total") as Float64Array | undefined;
  let self = arrays.get("self") as Float64Array | undefined;
  if (!total || !self) {
    total = weight;
    self = weight.slice();
    for (let i = 1; i < n; i++) self[parent[i]!]! -= weight[i]!;
  }
  const data: FlameData = {
    nodeCount: header.nodeCount,
    maxDepth: header.maxDepth,
    names: header.names,
    files: header.files,
    packages: header.packages,
    packageIndex: i32("packageIndex"),
    sampleType: header.sampleType,
    diff: header.diff,
    rootLabel: header.rootLabel,
    weight,
    total,
    self,
    baseTotal: (arrays.get("baseTotal") as Float64Array | undefined) ?? null,
    baseSelf: (arrays.get("baseSelf") as Float64Array | undefined) ?? null,
    parent,
    nameIndex: i32("nameIndex"),
    subtreeEnd,
    depth,
    inlined: arrays.get("inlined") as Uint8Array,
    x: new Float64Array(header.nodeCount),
  };
  layoutX(data);
  return data;
}

/** Children follow their parent in preorder; each starts where the previous sibling ended. */
function layoutX(data: FlameData): void {
  const { x, weight, parent, nodeCount } = data;
  const cursor = new Float64Array(nodeCount);
  for (let i = 1; i < nodeCount; i++) {
    const p = parent[i]!;
    x[i] = cursor[p]! + x[p]!;
    cursor[p]! += weight[i]!;
  }
}

/** Ancestors of a node, root first, including the node. */
export function pathTo(data: FlameData, node: number): number[] {
  const path: number[] = [];
  for (let i = node; i >= 0; i = data.parent[i]!) path.push(i);
  return path.reverse();
}
