/**
 * The typed starting points of type propagation: globals (DWARF gives each its address and type;
 * its words are read from the dump's data or BSS segment), closures held by goroutines, deferred
 * calls and finalizers, and finalized objects (a finalizer record names its object's pointer type).
 * The program's own globals go first, then the runtime's, so an object both reach is typed from the
 * program's side. Stack frames are seeded once all of this has propagated (typed-stack-roots.ts).
 */

import type { GoGlobal } from "../../model/go-types.js";
import type { Segment } from "../../model/heap-dump.js";
import { isRuntimeSymbol } from "./roots.js";
import type { TypePropagator } from "./typed-propagation.js";

export function seedTypedRoots(p: TypePropagator): void {
  const { dump, registry, loadBias } = p;
  const globals = registry.table.globals;
  const ordered = [
    ...globals.filter((g) => !isRuntimeSymbol(g.name)),
    ...globals.filter((g) => isRuntimeSymbol(g.name)),
  ];
  for (const g of ordered) {
    const plan = registry.plan(g.type);
    if (plan.count === 0) continue;
    const address = g.address + loadBias;
    const segment =
      segmentHolding(dump.data, address, registry.size(g.type)) ??
      segmentHolding(dump.bss, address, registry.size(g.type));
    if (!segment) continue;
    const fileBase = segment.contentOffset + (address - segment.start);
    p.seedingGlobal = g.name;
    for (let s = 0; s < plan.count; s++)
      p.scanSlot(plan.kinds[s]!, plan.types[s]!, fileBase + plan.offsets[s]!);
    p.seedingGlobal = undefined;
  }
  for (const g of dump.goroutines) if (g.context !== 0) p.claimClosure(g.context);
  for (const d of dump.defers) if (d.funcval !== 0) p.claimClosure(d.funcval);
  for (const f of [...dump.finalizers, ...dump.queuedFinalizers]) {
    if (f.funcval !== 0) p.claimClosure(f.funcval);
    const pointerType = registry.table.byRuntimeType.get(f.objectType - loadBias);
    const target = pointerType === undefined ? undefined : registry.type(pointerType);
    if (target?.kind === "pointer" && target.elem >= 0) p.claimValue(f.object, target.elem);
  }
}

function segmentHolding(segment: Segment | undefined, address: number, size: number): Segment | undefined {
  return segment && address >= segment.start && address + size <= segment.start + segment.size
    ? segment
    : undefined;
}

/**
 * The typed memory behind each global root of the graph (a symbol's root, or one word's): a DWARF
 * global, or a static value a typed pointer led to (named after the root, e.g. `main..stmp_0`).
 */
export function nameGlobalRoots(p: TypePropagator): void {
  const globals = p.registry.table.globals;
  const statics = p.staticValues.map((v) => ({
    name: "",
    address: v.address - p.loadBias,
    type: v.count === 1 ? v.type : -1,
    via: v.via,
  }));
  statics.sort((a, b) => a.address - b.address);
  for (const root of p.graph.roots) {
    if ((root.kind !== "global" && root.kind !== "runtime") || root.address === undefined) continue;
    const address = root.address - p.loadBias;
    const global = globalContaining(p, globals, address);
    if (global && global.type >= 0) {
      p.rootGlobals.set(root.node, global);
      continue;
    }
    const value = globalContaining(p, statics, address);
    if (!value || value.type < 0) continue;
    p.rootGlobals.set(root.node, { name: "", address: value.address, type: value.type });
    if (value.via) p.rootAliases.set(root.node, `*${value.via}`);
  }
}

function globalContaining<G extends GoGlobal>(
  p: TypePropagator,
  globals: G[],
  address: number,
): G | undefined {
  let lo = 0;
  let hi = globals.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (globals[mid]!.address <= address) lo = mid + 1;
    else hi = mid;
  }
  const g = globals[lo - 1];
  return g && address < g.address + Math.max(1, p.registry.size(g.type)) ? g : undefined;
}
