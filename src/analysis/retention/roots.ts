/**
 * The roots of a heap dump, named, with the heap objects each one points at.
 *
 * What the garbage collector treats as roots, and how each is reported:
 *   globals        the data and BSS pointer words; one root per global variable with a SymbolResolver
 *                  (`main.cache`), else one per word (`bss+0x1a0`). runtime.* globals are "runtime".
 *   goroutines     one root per goroutine (`goroutine 18 [chan receive]: main.worker, created by
 *                  main.main`), parent of one root per frame that holds pointers (named by the
 *                  frame's function, as the dump writes it) and of its closures: the saved closure
 *                  context, deferred calls' funcvals, panic values. System goroutines and runtime.*
 *                  frames are "runtime".
 *   finalizers     a registered finalizer keeps its funcval and what its object points to, not the
 *                  object itself; a queued finalizer (about to run) keeps its funcval and the object.
 *   other roots    tag 2 records (no current runtime writes them), "runtime".
 * Roots that point at no heap object are left out.
 */

import { GrowableUint32 } from "../../formats/heapdump/growable-columns.js";
import type { Goroutine, HeapDump, Segment } from "../../model/heap-dump.js";
import type { AddressIndex, RootDescription, RootKind } from "../../model/object-graph.js";
import type { SymbolResolver } from "../../model/symbols.js";
import { findRank } from "./address-index.js";

/** Roots with their object edges in CSR form (targets are object ranks in address order). */
export interface CollectedRoots {
  roots: RootDescription[];
  edgeStart: Uint32Array;
  edgeRank: Uint32Array;
  edgeFieldOffset: Uint32Array;
  pointersOutsideHeap: number;
}

const RUNTIME_SYMBOL = /^(runtime|internal\/runtime\/[^.]+|runtime\/internal\/[^.]+)\./;

export function isRuntimeSymbol(name: string): boolean {
  return RUNTIME_SYMBOL.test(name);
}

export function collectRoots(dump: HeapDump, index: AddressIndex, resolver?: SymbolResolver): CollectedRoots {
  const out = new RootCollector(index);
  if (dump.data) addSegmentRoots(out, dump.data, "data", resolver);
  if (dump.bss) addSegmentRoots(out, dump.bss, "bss", resolver);
  addGoroutineRoots(out, dump, index, resolver);
  addFinalizerRoots(out, dump, index, resolver);
  for (const other of dump.otherRoots) {
    out.begin({ kind: "runtime", label: other.description, parentNode: 0 });
    out.pointTo(other.pointer, 0);
  }
  return out.finish();
}

class RootCollector {
  private readonly roots: RootDescription[] = [];
  private readonly start = new GrowableUint32();
  private readonly object = new GrowableUint32();
  private readonly fieldOffset = new GrowableUint32();
  private outside = 0;

  constructor(private readonly index: AddressIndex) {
    this.start.push(0);
  }

  /** Starts a root; later pointTo calls add to it. Returns its node. */
  begin(root: Omit<RootDescription, "node">): number {
    const node = this.roots.length + 1;
    this.roots.push({ ...root, node });
    this.start.push(this.object.length);
    return node;
  }

  /** Adds an edge from the current root to the object containing `address`; false if there is none. */
  pointTo(address: number, fieldOffset: number): boolean {
    const target = findRank(this.index, address);
    if (target < 0) {
      this.outside++;
      return false;
    }
    this.object.push(target);
    this.fieldOffset.push(fieldOffset);
    this.start.set(this.roots.length, this.object.length);
    return true;
  }

  /** True when `address` lies in a heap object (to decide whether a root is worth adding). */
  inHeap(address: number): boolean {
    return findRank(this.index, address) >= 0;
  }

  /** Drops the last root if it ended up with no edges and no child roots. */
  dropIfEmpty(node: number): void {
    if (node !== this.roots.length) return;
    const r = this.roots.length;
    if (this.start.get(r) === this.start.get(r - 1)) {
      this.roots.pop();
      this.start.truncate(r);
    }
  }

  finish(): CollectedRoots {
    return {
      roots: this.roots,
      edgeStart: this.start.finish(),
      edgeRank: this.object.finish(),
      edgeFieldOffset: this.fieldOffset.finish(),
      pointersOutsideHeap: this.outside,
    };
  }
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function addSegmentRoots(
  out: RootCollector,
  segment: Segment,
  name: "data" | "bss",
  resolver: SymbolResolver | undefined,
): void {
  let currentStart = -1;
  for (let k = 0; k < segment.fieldOffset.length; k++) {
    const address = segment.start + segment.fieldOffset[k]!;
    const value = segment.value[k]!;
    if (!out.inHeap(value)) {
      out.pointTo(value, 0); // counted as outside the heap
      continue;
    }
    const symbol = resolver?.globalAt(address) ?? null;
    if (symbol === null) {
      out.begin({
        kind: "global",
        label: `${name}+${hex(segment.fieldOffset[k]!)}`,
        parentNode: 0,
        address,
      });
      currentStart = -1;
      out.pointTo(value, 0);
      continue;
    }
    if (symbol.start !== currentStart) {
      currentStart = symbol.start;
      out.begin({
        kind: isRuntimeSymbol(symbol.name) ? "runtime" : "global",
        label: symbol.name,
        parentNode: 0,
        functionName: symbol.name,
        address: symbol.start,
      });
    }
    out.pointTo(value, address - symbol.start);
  }
}

function innermostUserFunction(dump: HeapDump, g: Goroutine): string | undefined {
  for (let f = g.firstFrame; f < g.firstFrame + g.frameCount; f++) {
    const name = dump.strings[dump.frames.functionName[f]!]!;
    if (!name.startsWith("runtime.")) return name;
  }
  return undefined;
}

/**
 * The function of a closure: a funcval's first word is its code pointer, read from the dump's bytes
 * (when the reader had the whole file) and named by the symbol table.
 */
function closureFunction(
  dump: HeapDump,
  index: AddressIndex,
  funcval: number,
  resolver: SymbolResolver | undefined,
): string | undefined {
  const rank = findRank(index, funcval);
  if (resolver === undefined || dump.bytes === undefined || rank < 0) return undefined;
  const object = index.order[rank]!;
  const at = dump.objects.contentOffset[object]! + (funcval - index.bounds[2 * rank]!);
  const size = dump.params.pointerSize;
  if (at + size > dump.bytes.length) return undefined;
  const view = new DataView(dump.bytes.buffer, dump.bytes.byteOffset + at, size);
  const little = !dump.params.bigEndian;
  const pc = size === 8 ? Number(view.getBigUint64(0, little)) : view.getUint32(0, little);
  return resolver.funcNameAt(pc) ?? undefined;
}

function addGoroutineRoots(
  out: RootCollector,
  dump: HeapDump,
  index: AddressIndex,
  resolver: SymbolResolver | undefined,
): void {
  const defersOf = groupBy(dump.defers, (d) => d.goroutineAddress);
  const panicsOf = groupBy(dump.panics, (p) => p.goroutineAddress);
  for (const g of dump.goroutines) {
    const creator = g.creatorPc !== 0 ? (resolver?.funcNameAt(g.creatorPc) ?? undefined) : undefined;
    const where = innermostUserFunction(dump, g);
    const state = g.waitReason !== "" ? g.waitReason : statusName(g.status);
    const createdBy = creator
      ? `, created by ${creator}`
      : g.creatorPc !== 0
        ? `, created at ${hex(g.creatorPc)}`
        : "";
    const goroutineNode = out.begin({
      kind: g.isSystem ? "runtime" : "stack",
      label: `goroutine ${g.goid} [${state}]${where ? `: ${where}` : ""}${createdBy}`,
      parentNode: 0,
      goroutineId: g.goid,
      ...(where ? { functionName: where } : {}),
      ...(creator ? { creator } : {}),
    });
    const suffix = ` (goroutine ${g.goid}${creator ? `, created by ${creator}` : ""})`;
    const base = { parentNode: goroutineNode, goroutineId: g.goid, ...(creator ? { creator } : {}) };
    addFrameRoots(out, dump, g, suffix, base);
    if (g.context !== 0 && out.inHeap(g.context)) {
      const fn = closureFunction(dump, index, g.context, resolver);
      out.begin({
        ...base,
        kind: g.isSystem ? "runtime" : "closure",
        label: `closure context${fn ? ` of ${fn}` : ""}${suffix}`,
        ...(fn ? { functionName: fn } : {}),
      });
      out.pointTo(g.context, 0);
    }
    for (const d of defersOf.get(g.address) ?? []) {
      const fn = resolver?.funcNameAt(d.functionPc) ?? undefined;
      const node = out.begin({
        ...base,
        kind: g.isSystem ? "runtime" : "closure",
        label: `deferred call${fn ? ` to ${fn}` : ""}${suffix}`,
        ...(fn ? { functionName: fn } : {}),
      });
      if (d.funcval !== 0) out.pointTo(d.funcval, 0);
      out.pointTo(d.address, 0); // heap-allocated defer records; stack ones are not in the heap
      out.dropIfEmpty(node);
    }
    for (const p of panicsOf.get(g.address) ?? []) {
      const node = out.begin({
        ...base,
        kind: g.isSystem ? "runtime" : "stack",
        label: `panic value${suffix}`,
      });
      if (p.argumentData !== 0) out.pointTo(p.argumentData, 0);
      out.dropIfEmpty(node);
    }
    out.dropIfEmpty(goroutineNode);
  }
}

function addFrameRoots(
  out: RootCollector,
  dump: HeapDump,
  g: Goroutine,
  suffix: string,
  base: Pick<RootDescription, "parentNode" | "goroutineId" | "creator">,
): void {
  const frames = dump.frames;
  const pointers = frames.pointers;
  for (let f = g.firstFrame; f < g.firstFrame + g.frameCount; f++) {
    const from = pointers.start[f]!;
    const to = pointers.start[f + 1]!;
    if (from === to) continue;
    const functionName = dump.strings[frames.functionName[f]!]!;
    const kind: RootKind = g.isSystem || functionName.startsWith("runtime.") ? "runtime" : "stack";
    const node = out.begin({
      ...base,
      kind,
      label: `${functionName}${suffix}`,
      functionName,
      address: frames.sp[f]!,
    });
    for (let k = from; k < to; k++) out.pointTo(pointers.value[k]!, pointers.fieldOffset[k]!);
    out.dropIfEmpty(node);
  }
}

function addFinalizerRoots(
  out: RootCollector,
  dump: HeapDump,
  index: AddressIndex,
  resolver: SymbolResolver | undefined,
): void {
  const pointers = dump.objects.pointers;
  for (const f of dump.finalizers) {
    const fn = resolver?.funcNameAt(f.functionPc) ?? undefined;
    const node = out.begin({
      kind: "finalizer",
      label: `finalizer of ${hex(f.object)}${fn ? ` (${fn})` : ""}`,
      parentNode: 0,
      address: f.object,
      ...(fn ? { functionName: fn } : {}),
    });
    out.pointTo(f.funcval, 0);
    // What the object points to stays alive; the object itself does not.
    const rank = findRank(index, f.object);
    if (rank >= 0) {
      const object = index.order[rank]!;
      for (let k = pointers.start[object]!; k < pointers.start[object + 1]!; k++) {
        out.pointTo(pointers.value[k]!, pointers.fieldOffset[k]!);
      }
    }
    out.dropIfEmpty(node);
  }
  for (const f of dump.queuedFinalizers) {
    const fn = resolver?.funcNameAt(f.functionPc) ?? undefined;
    const node = out.begin({
      kind: "finalizer",
      label: `queued finalizer of ${hex(f.object)}${fn ? ` (${fn})` : ""}`,
      parentNode: 0,
      address: f.object,
      ...(fn ? { functionName: fn } : {}),
    });
    out.pointTo(f.object, 0);
    out.pointTo(f.funcval, 0);
    out.dropIfEmpty(node);
  }
}

function statusName(status: number): string {
  return ["idle", "runnable", "running", "syscall", "waiting"][status] ?? `status ${status}`;
}

function groupBy<T>(items: T[], key: (item: T) => number): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
