/** Encodes a flame tree into the binary wire form described in src/ui/shared/flame-wire.ts. */
import type { FlameTree } from "../../profile/flame-tree.js";
import {
  align8,
  encodeStringTable,
  FLAME_WIRE_MAGIC,
  type FlameArrayName,
  type FlameWireArray,
  type FlameWireHeader,
  unsignedTypeFor,
  type WireArrayType,
  wireElementBytes,
} from "../shared/flame-wire.js";

const arrayOfType: Record<WireArrayType, (values: ArrayLike<number>) => ArrayBufferView> = {
  f64: (values) => Float64Array.from(values),
  i32: (values) => Int32Array.from(values),
  u32: (values) => Uint32Array.from(values),
  u16: (values) => Uint16Array.from(values),
  u8: (values) => Uint8Array.from(values),
};

/** An array of non-negative integers below `bound`, in the narrowest type that holds them. */
function indexArray(name: FlameArrayName, values: Int32Array, bound: number): WireEntry {
  const type = unsignedTypeFor(Math.max(0, bound - 1));
  return { spec: { name, type, length: values.length }, data: arrayOfType[type](values) };
}

interface WireEntry {
  spec: FlameWireArray;
  data: ArrayBufferView;
}

/** Distinct strings in first-seen order, and each input string's index among them. */
function stringTable(values: readonly string[]): { table: string[]; index: Int32Array } {
  const table: string[] = [];
  const ids = new Map<string, number>();
  const index = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    let id = ids.get(value);
    if (id === undefined) {
      id = table.length;
      ids.set(value, id);
      table.push(value);
    }
    index[i] = id;
  }
  return { table, index };
}

export function encodeFlameTree(tree: FlameTree, rootLabel = "root"): Uint8Array {
  const packages = stringTable(tree.packages);
  const files = stringTable(tree.files);
  const n = tree.nodeCount;
  const weight = tree.weight.subarray(0, n);
  // Weights are Σ|value| ≥ 0, whole numbers for bytes and counts; the root's is the largest.
  let whole = n === 0 || weight[0]! <= 0xffffffff;
  for (let i = 0; i < n && whole; i++) whole = Number.isInteger(weight[i]!);
  const arrays: WireEntry[] = [
    whole
      ? { spec: { name: "weight", type: "u32", length: n }, data: Uint32Array.from(weight) }
      : { spec: { name: "weight", type: "f64", length: n }, data: weight },
  ];
  // Without a base and without negative values, total = weight and self = weight − Σ children:
  // the browser derives them, halving the download.
  let signed = false;
  for (let i = 0; i < n && !signed; i++) signed = tree.total[i]! !== tree.weight[i]!;
  if (signed || tree.baseTotal) {
    arrays.push(
      { spec: { name: "total", type: "f64", length: n }, data: tree.total.subarray(0, n) },
      { spec: { name: "self", type: "f64", length: n }, data: tree.self.subarray(0, n) },
    );
  }
  if (tree.baseTotal && tree.baseSelf) {
    arrays.push({ spec: { name: "baseTotal", type: "f64", length: n }, data: tree.baseTotal.subarray(0, n) });
    arrays.push({ spec: { name: "baseSelf", type: "f64", length: n }, data: tree.baseSelf.subarray(0, n) });
  }
  arrays.push(
    indexArray("depth", tree.depth.subarray(0, n), tree.maxDepth + 1),
    indexArray("subtreeEnd", tree.subtreeEnd.subarray(0, n), n + 1),
    indexArray("nameIndex", tree.nameIndex.subarray(0, n), tree.names.length),
    indexArray("packageIndex", packages.index, packages.table.length),
    indexArray("fileIndex", files.index, files.table.length),
  );
  // Most trees have no inlined frame at all: then the browser assumes none.
  if (tree.inlined.subarray(0, n).some((flag) => flag !== 0)) {
    arrays.push({ spec: { name: "inlined", type: "u8", length: n }, data: tree.inlined.subarray(0, n) });
  }
  for (const [prefix, strings] of [
    ["name", tree.names],
    ["file", files.table],
  ] as const) {
    const table = encodeStringTable(strings);
    arrays.push(indexArray(`${prefix}Offsets`, table.offsets, table.bytes.length + 1), {
      spec: { name: `${prefix}Bytes`, type: "u8", length: table.bytes.length },
      data: table.bytes,
    });
  }
  const header: FlameWireHeader = {
    nodeCount: n,
    maxDepth: tree.maxDepth,
    nameCount: tree.names.length,
    fileCount: files.table.length,
    packages: packages.table,
    sampleType: tree.sampleType,
    diff: tree.baseTotal !== undefined,
    rootLabel,
    arrays: arrays.map((a) => a.spec),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  let size = align8(8 + headerBytes.length);
  for (const { spec } of arrays) size = align8(size + spec.length * wireElementBytes[spec.type]);
  const out = new Uint8Array(size);
  for (let i = 0; i < 4; i++) out[i] = FLAME_WIRE_MAGIC.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  let offset = align8(8 + headerBytes.length);
  for (const { spec, data } of arrays) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, spec.length * wireElementBytes[spec.type]);
    out.set(bytes, offset);
    offset = align8(offset + bytes.length);
  }
  return out;
}
