/**
 * Go types from DWARF entries (see cmd/link's dwarf.go for what Go's linker writes): every type
 * carries DW_AT_go_kind; slices and strings are structures of their header fields, interfaces are
 * typedefs of runtime.eface / runtime.iface, maps and chans are typedefs of a pointer to a
 * synthesized header (`hash<K,V>` before Go 1.24, `map<K,V>` with Swiss tables from 1.24;
 * `hchan<T>`), named types are a typedef in front of the real entry. Types the linker synthesizes
 * for its own use (buckets, groups, tables, `*T` of slice data) have no go_kind and are read by tag.
 */
import type { GoField, GoMapLayout, GoType, GoTypeKind } from "../../model/go-types.js";
import { Tag } from "./dwarf-constants.js";
import type { Die } from "./dwarf-info.js";

/** reflect.Kind values Go writes as DW_AT_go_kind. */
const GoKind = {
  Array: 17,
  Chan: 18,
  Func: 19,
  Interface: 20,
  Map: 21,
  Pointer: 22,
  Slice: 23,
  String: 24,
  Struct: 25,
  UnsafePointer: 26,
} as const;

const MAX_TYPE_DEPTH = 2000;

/** Builds GoType records on demand from entry offsets; cycles (a struct pointing to itself) are fine. */
export class GoTypeBuilder {
  readonly types: GoType[] = [];
  private readonly byOffset = new Map<number, number>();
  /** Nesting of typeOf calls: a chain deeper than any real type is damaged input, left unknown. */
  private depth = 0;

  constructor(
    private readonly dies: Map<number, Die>,
    private readonly pointerSize: number,
  ) {}

  /** The type id of the entry at `offset`, or -1 when it is not a type. */
  typeOf(offset: number | undefined): number {
    if (offset === undefined) return -1;
    const known = this.byOffset.get(offset);
    if (known !== undefined) return known;
    let die = this.dies.get(offset);
    // A plain typedef (a named type) stands for its target; so does a chain of them.
    for (let hops = 0; die && die.tag === Tag.Typedef && die.goKind === undefined && hops < 16; hops++) {
      const target = die.type === undefined ? undefined : this.dies.get(die.type);
      if (!target) break;
      die = target;
    }
    if (!die || !isTypeTag(die.tag)) {
      this.byOffset.set(offset, -1);
      return -1;
    }
    const existing = this.byOffset.get(die.offset);
    if (existing !== undefined) {
      this.byOffset.set(offset, existing);
      return existing;
    }
    const type: GoType = {
      id: this.types.length,
      name: die.name ?? "",
      kind: "unknown",
      size: die.byteSize ?? 0,
      elem: -1,
      key: -1,
      count: 0,
      fields: [],
      runtimeType: die.goRuntimeType ?? 0,
    };
    this.types.push(type);
    this.byOffset.set(offset, type.id);
    this.byOffset.set(die.offset, type.id);
    if (this.depth >= MAX_TYPE_DEPTH) return type.id;
    this.depth++;
    try {
      this.fill(type, die);
    } finally {
      this.depth--;
    }
    return type.id;
  }

  /** The entries met that are types (a named type's typedef too): offsets ascending, with their ids. */
  typeEntries(): { offsets: Float64Array; ids: Int32Array } {
    const found: number[] = [];
    for (const [offset, id] of this.byOffset) if (id >= 0) found.push(offset);
    const offsets = Float64Array.from(found).sort();
    const ids = Int32Array.from(offsets, (offset) => this.byOffset.get(offset)!);
    return { offsets, ids };
  }

  private fill(type: GoType, die: Die): void {
    const ptr = this.pointerSize;
    switch (die.tag) {
      case Tag.BaseType:
        type.kind = "scalar";
        return;
      case Tag.PointerType:
        type.kind = die.type === undefined ? "unsafePointer" : "pointer";
        type.size = ptr;
        type.elem = this.typeOf(die.type);
        return;
      case Tag.SubroutineType:
        type.kind = "func";
        type.size = ptr;
        return;
      case Tag.ArrayType:
        type.kind = "array";
        type.elem = this.typeOf(die.type);
        type.count = die.children?.find((c) => c.tag === Tag.SubrangeType)?.count ?? 0;
        if (type.size === 0 && type.elem >= 0) type.size = type.count * this.types[type.elem]!.size;
        return;
      case Tag.StructureType:
        this.fillStruct(type, die);
        return;
      case Tag.Typedef:
        this.fillKindTypedef(type, die);
        return;
      default:
        type.kind = "unknown";
    }
  }

  private fillStruct(type: GoType, die: Die): void {
    type.fields = this.fieldsOf(die);
    type.kind = die.goKind === GoKind.Slice ? "slice" : die.goKind === GoKind.String ? "string" : "struct";
    if (type.kind === "slice") {
      type.elem = this.typeOf(die.goElem);
      if (type.elem < 0) {
        const array = type.fields.find((f) => f.name === "array");
        if (array && array.type >= 0) type.elem = this.types[array.type]!.elem;
      }
    }
  }

  private fieldsOf(die: Die): GoField[] {
    const fields: GoField[] = [];
    for (const child of die.children ?? []) {
      if (child.tag !== Tag.Member || child.memberOffset === undefined) continue;
      fields.push({
        name: child.name ?? "",
        offset: child.memberOffset,
        type: this.typeOf(child.type),
        embedded: child.goEmbedded === true,
      });
    }
    return fields;
  }

  /** Typedefs that carry a go_kind: interfaces, maps, chans (each a header in front of the value). */
  private fillKindTypedef(type: GoType, die: Die): void {
    const ptr = this.pointerSize;
    const target = this.typeOf(die.type);
    const kinds: Record<number, GoTypeKind> = {
      [GoKind.Interface]: "interface",
      [GoKind.Map]: "map",
      [GoKind.Chan]: "chan",
      [GoKind.Func]: "func",
      [GoKind.Pointer]: "pointer",
      [GoKind.UnsafePointer]: "unsafePointer",
    };
    type.kind = kinds[die.goKind ?? -1] ?? "unknown";
    if (type.kind === "interface") {
      const header = target >= 0 ? this.types[target]! : undefined;
      type.fields = header?.fields ?? [];
      type.size = header?.size || 2 * ptr;
      type.interfaceLayout = type.fields[0]?.name === "tab" ? "iface" : "eface";
      return;
    }
    type.size = ptr;
    if (type.kind === "map") {
      type.key = this.typeOf(die.goKey);
      type.elem = this.typeOf(die.goElem);
      const layout = this.mapLayout(target);
      if (layout) type.mapLayout = layout;
    } else if (type.kind === "chan") {
      type.elem = this.typeOf(die.goElem);
      const header = target >= 0 ? this.types[target]!.elem : -1;
      if (header >= 0) type.chanHeader = header;
    } else if (type.kind === "pointer") {
      type.elem = target;
    }
  }

  /** Reads the layout of a map's storage from its header type (a pointer to hash<K,V> or map<K,V>). */
  private mapLayout(headerPointer: number): GoMapLayout | undefined {
    if (headerPointer < 0) return undefined;
    const header = this.types[this.types[headerPointer]!.elem];
    if (!header) return undefined;
    const field = (type: GoType | undefined, name: string) => type?.fields.find((f) => f.name === name);
    const buckets = field(header, "buckets");
    const dirPtr = field(header, "dirPtr");
    if (buckets) {
      const bucket = buckets.type >= 0 ? this.types[buckets.type]!.elem : -1;
      if (bucket < 0) return undefined;
      return {
        kind: "buckets",
        header: header.id,
        bucket,
        bucketsOffset: buckets.offset,
        oldBucketsOffset: field(header, "oldbuckets")?.offset ?? -1,
      };
    }
    const dirLen = field(header, "dirLen");
    if (!dirPtr || !dirLen) return undefined;
    // dirPtr is **table<K,V>; table.groups is groupReference<K,V>{data *group, lengthMask}.
    const tablePointer = this.types[dirPtr.type]?.elem ?? -1;
    const table = this.types[this.types[tablePointer]?.elem ?? -1];
    const groups = field(table, "groups");
    const groupsType = groups ? this.types[groups.type] : undefined;
    const data = field(groupsType, "data");
    const lengthMask = field(groupsType, "lengthMask");
    const group = data ? (this.types[data.type]?.elem ?? -1) : -1;
    if (!table || !groups || !data || !lengthMask || group < 0) return undefined;
    return {
      kind: "swiss",
      header: header.id,
      table: table.id,
      group,
      dirPtrOffset: dirPtr.offset,
      dirLenOffset: dirLen.offset,
      groupsDataOffset: groups.offset + data.offset,
      lengthMaskOffset: groups.offset + lengthMask.offset,
    };
  }
}

function isTypeTag(tag: number): boolean {
  return (
    tag === Tag.BaseType ||
    tag === Tag.PointerType ||
    tag === Tag.StructureType ||
    tag === Tag.ArrayType ||
    tag === Tag.Typedef ||
    tag === Tag.SubroutineType ||
    tag === Tag.UnspecifiedType
  );
}
