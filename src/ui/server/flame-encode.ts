/** Encodes a flame tree into the binary wire form described in src/ui/shared/flame-wire.ts. */
import type { FlameTree } from "../../profile/flame-tree.js";
import {
  align8,
  FLAME_WIRE_MAGIC,
  type FlameWireArray,
  type FlameWireHeader,
  wireElementBytes,
} from "../shared/flame-wire.js";

export function encodeFlameTree(tree: FlameTree, rootLabel = "root"): Uint8Array {
  const packageList: string[] = [];
  const packageIds = new Map<string, number>();
  const packageIndex = new Int32Array(tree.names.length);
  for (let i = 0; i < tree.packages.length; i++) {
    const pkg = tree.packages[i]!;
    let id = packageIds.get(pkg);
    if (id === undefined) {
      id = packageList.length;
      packageIds.set(pkg, id);
      packageList.push(pkg);
    }
    packageIndex[i] = id;
  }
  const n = tree.nodeCount;
  const arrays: Array<{ spec: FlameWireArray; data: ArrayBufferView }> = [
    { spec: { name: "weight", type: "f64", length: n }, data: tree.weight.subarray(0, n) },
  ];
  // Without a base and without negative values, total = weight and self = weight − Σ children:
  // the browser derives them (as it derives depth and subtree ends), halving the download.
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
    { spec: { name: "parent", type: "i32", length: n }, data: tree.parent.subarray(0, n) },
    { spec: { name: "nameIndex", type: "i32", length: n }, data: tree.nameIndex.subarray(0, n) },
    {
      spec: { name: "packageIndex", type: "i32", length: packageIndex.length },
      data: packageIndex,
    },
    { spec: { name: "inlined", type: "u8", length: n }, data: tree.inlined.subarray(0, n) },
  );
  const header: FlameWireHeader = {
    nodeCount: n,
    maxDepth: tree.maxDepth,
    names: tree.names,
    files: tree.files,
    packages: packageList,
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
