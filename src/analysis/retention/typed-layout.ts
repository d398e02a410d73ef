/**
 * Where the pointers of a Go type are, and what each one is: a flattened "slot plan" per type, built
 * once and cached, so scanning a million-element array is a loop over typed arrays. Also the names of
 * offsets inside a type (`.items`, `.base.owner`, `[3].next`) for retaining paths, and the closure
 * types made up from DWARF's capture list.
 *
 * Slot kinds and the pointer words each occupies (what the garbage collector's bitmap marks):
 *   Pointer, Map, Chan, Func, Unsafe   one word
 *   Slice, String                      the data word (len and cap are not pointers)
 *   Eface, Iface                       the data word (the type or itab word is not a pointer to the
 *                                      collector: type descriptors and itabs never live in the heap)
 */
import type { GoField, GoType, GoTypeTable } from "../../model/go-types.js";

export const SlotKind = {
  Pointer: 1,
  Slice: 2,
  String: 3,
  Eface: 4,
  Iface: 5,
  Map: 6,
  Chan: 7,
  Func: 8,
  Unsafe: 9,
} as const;

/** Pointer slots of one value of a type, in ascending offset order. */
export interface SlotPlan {
  offsets: Uint32Array;
  kinds: Uint8Array;
  /** The slot's own type (the pointer, slice, interface, map, chan or func type). */
  types: Int32Array;
  count: number;
  /** The type was too large to flatten completely; its tail is not described. */
  truncated: boolean;
}

/** Plans longer than this describe only the first slots (a [1<<20]*T global, say). */
const MAX_PLAN_SLOTS = 1 << 16;

/** The DWARF type table plus types made up here (closures), with plans cached by id. */
export class TypeRegistry {
  readonly types: GoType[];
  readonly pointerSize: number;
  private readonly plans: (SlotPlan | undefined)[] = [];
  private readonly closureTypes = new Map<string, number>();

  constructor(readonly table: GoTypeTable) {
    this.types = table.types.slice();
    this.pointerSize = table.pointerSize;
  }

  type(id: number): GoType | undefined {
    return id >= 0 ? this.types[id] : undefined;
  }

  name(id: number): string {
    return this.type(id)?.name ?? "?";
  }

  size(id: number): number {
    return this.type(id)?.size ?? 0;
  }

  plan(id: number): SlotPlan {
    let plan = this.plans[id];
    if (!plan) {
      plan = buildPlan(this, id);
      this.plans[id] = plan;
    }
    return plan;
  }

  hasPointers(id: number): boolean {
    return this.plan(id).count > 0;
  }

  /**
   * A struct type for a closure object of function `name`: the code pointer, then the captured
   * variables at the offsets DWARF gives (so a captured slice or pointer is typed like any field).
   */
  closureType(name: string, variables: { name: string; offset: number; type: number }[]): number {
    const known = this.closureTypes.get(name);
    if (known !== undefined) return known;
    const ptr = this.pointerSize;
    const uintptr = this.types.find((t) => t.name === "uintptr" && t.kind === "scalar")?.id ?? -1;
    const fields: GoField[] = [{ name: "F", offset: 0, type: uintptr, embedded: false }];
    let size = ptr;
    for (const v of variables) {
      if (v.offset < ptr) continue;
      fields.push({ name: v.name, offset: v.offset, type: v.type, embedded: false });
      size = Math.max(size, v.offset + this.size(v.type));
    }
    const id = this.types.length;
    this.types.push({
      id,
      name: `closure ${name}`,
      kind: "struct",
      size,
      elem: -1,
      key: -1,
      count: 0,
      fields,
      runtimeType: 0,
    });
    this.closureTypes.set(name, id);
    return id;
  }

  /**
   * Whether a value of this type is stored in an interface's data word itself rather than behind a
   * pointer: pointer-shaped types (pointers, maps, chans, funcs, unsafe.Pointer) and structs or
   * arrays holding exactly one of them (the compiler's rule, types.IsDirectIface).
   */
  isDirectInterface(id: number, depth = 0): boolean {
    const t = this.type(id);
    if (!t || depth > 32) return false;
    switch (t.kind) {
      case "pointer":
      case "unsafePointer":
      case "map":
      case "chan":
      case "func":
        return true;
      case "array":
        return t.count === 1 && this.isDirectInterface(t.elem, depth + 1);
      case "struct":
        return t.fields.length === 1 && this.isDirectInterface(t.fields[0]!.type, depth + 1);
      default:
        return false;
    }
  }
}

function slotKindOf(t: GoType): number {
  switch (t.kind) {
    case "pointer":
      return SlotKind.Pointer;
    case "slice":
      return SlotKind.Slice;
    case "string":
      return SlotKind.String;
    case "interface":
      return t.interfaceLayout === "iface" ? SlotKind.Iface : SlotKind.Eface;
    case "map":
      return SlotKind.Map;
    case "chan":
      return SlotKind.Chan;
    case "func":
      return SlotKind.Func;
    case "unsafePointer":
      return SlotKind.Unsafe;
    default:
      return 0;
  }
}

function buildPlan(registry: TypeRegistry, id: number): SlotPlan {
  const offsets: number[] = [];
  const kinds: number[] = [];
  const types: number[] = [];
  let truncated = false;
  const visit = (typeId: number, base: number, depth: number): void => {
    const t = registry.type(typeId);
    if (!t || depth > 64) return;
    if (offsets.length >= MAX_PLAN_SLOTS) {
      truncated = true;
      return;
    }
    const kind = slotKindOf(t);
    if (kind !== 0) {
      offsets.push(base);
      kinds.push(kind);
      types.push(typeId);
      return;
    }
    if (t.kind === "struct") {
      for (const f of t.fields) visit(f.type, base + f.offset, depth + 1);
    } else if (t.kind === "array" && t.count > 0) {
      const elemSize = registry.size(t.elem);
      if (!registry.hasPointers(t.elem)) return;
      for (let i = 0; i < t.count && !truncated; i++) visit(t.elem, base + i * elemSize, depth + 1);
    }
  };
  // Fields are not always in offset order in DWARF; the plan is.
  visit(id, 0, 0);
  const order = offsets.map((_, i) => i).sort((a, b) => offsets[a]! - offsets[b]!);
  return {
    offsets: Uint32Array.from(order, (i) => offsets[i]!),
    kinds: Uint8Array.from(order, (i) => kinds[i]!),
    types: Int32Array.from(order, (i) => types[i]!),
    count: order.length,
    truncated,
  };
}

/** One step of a name inside a value: a field (`.items`) or an element (`[3]`). */
export type OffsetSegment = { field: string; type: number } | { index: number; type: number };

/**
 * The fields and elements leading to `offset` inside a value of type `id`, outermost first, down
 * to the slot (pointer, slice, interface, ...) or scalar holding it.
 */
export function segmentsAt(registry: TypeRegistry, id: number, offset: number): OffsetSegment[] {
  const segments: OffsetSegment[] = [];
  let t = registry.type(id);
  let rest = offset;
  for (let depth = 0; t && depth < 64; depth++) {
    if (t.kind === "struct") {
      const field = fieldContaining(registry, t, rest);
      if (!field) break;
      segments.push({ field: field.name, type: field.type });
      rest -= field.offset;
      t = registry.type(field.type);
    } else if (t.kind === "array" && t.count > 0) {
      const elemSize = registry.size(t.elem);
      if (elemSize <= 0) break;
      const index = Math.floor(rest / elemSize);
      if (index >= t.count) break;
      segments.push({ index, type: t.elem });
      rest -= index * elemSize;
      t = registry.type(t.elem);
    } else break;
  }
  return segments;
}

function fieldContaining(registry: TypeRegistry, t: GoType, offset: number): GoField | undefined {
  let best: GoField | undefined;
  for (const f of t.fields) {
    if (f.offset > offset) continue;
    const size = registry.size(f.type);
    if (offset < f.offset + Math.max(size, 1) && (!best || f.offset >= best.offset)) best = f;
  }
  return best;
}

/** `.items`, `.base.owner`, `[3].next` */
export function formatSegments(segments: OffsetSegment[]): string {
  return segments.map((s) => ("field" in s ? `.${s.field}` : `[${s.index}]`)).join("");
}

/** Whether a value of type `inner` sits at `offset` inside a value of type `outer` (a field's address). */
export function typeContainsAt(
  registry: TypeRegistry,
  outer: number,
  offset: number,
  inner: number,
): boolean {
  if (outer === inner && offset === 0) return true;
  const segments = segmentsAt(registry, outer, offset);
  let at = 0;
  let t = outer;
  for (const s of segments) {
    if ("field" in s)
      at += registry.type(t)!.fields.find((f) => f.name === s.field && f.type === s.type)?.offset ?? 0;
    else at += s.index * registry.size(s.type);
    t = s.type;
    if (t === inner && at === offset) return true;
  }
  return false;
}
