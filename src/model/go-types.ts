/**
 * Go types as a binary's DWARF describes them, reduced to what a heap analysis needs: sizes, where
 * the pointers are, and what they point at. Built by formats/dwarf; read by the typed retention
 * analyses. A few thousand types per program, so one record each (never one per heap object).
 *
 * Type ids are indices into `GoTypeTable.types`. `-1` stands for "no type" (an unsafe.Pointer's
 * target, an element DWARF does not give).
 */

export type GoTypeKind =
  /** bool, numbers, uintptr: no pointers */
  | "scalar"
  | "pointer"
  | "unsafePointer"
  | "struct"
  | "array"
  /** {array *E, len, cap int} */
  | "slice"
  /** {str *byte, len int} */
  | "string"
  /** eface {_type, data} or iface {tab, data} */
  | "interface"
  /** one word: a pointer to the runtime's map header */
  | "map"
  /** one word: a pointer to the runtime's hchan */
  | "chan"
  /** one word: a pointer to a funcval (code pointer, then the closure's captured variables) */
  | "func"
  | "unknown";

export interface GoField {
  name: string;
  offset: number;
  type: number;
  embedded: boolean;
}

/** How the runtime lays out one map type's storage (both layouts, as DWARF describes them). */
export type GoMapLayout =
  | {
      /** Go ≤ 1.23: hash<K,V> header, an array of 2^B bucket<K,V> (keys [8]K, values [8]V, overflow). */
      kind: "buckets";
      header: number;
      bucket: number;
      bucketsOffset: number;
      oldBucketsOffset: number;
    }
  | {
      /**
       * Go ≥ 1.24 (Swiss tables): map<K,V> header whose dirPtr is either one group (dirLen 0, a
       * small map) or an array of dirLen *table<K,V>; a table's groups.data is an array of
       * lengthMask + 1 groups, each a control word and 8 key/elem slots.
       */
      kind: "swiss";
      header: number;
      table: number;
      group: number;
      dirPtrOffset: number;
      dirLenOffset: number;
      /** Offsets inside table<K,V> of groups.data and groups.lengthMask. */
      groupsDataOffset: number;
      lengthMaskOffset: number;
    };

export interface GoType {
  id: number;
  /** As Go writes it: `main.record`, `[]*main.record`, `map[string][]uint8`, `hash<string,[]uint8>`. */
  name: string;
  kind: GoTypeKind;
  /** Bytes; 0 when DWARF gives none. */
  size: number;
  /** Pointer target, array/slice/chan element, map value; -1 when none or unknown. */
  elem: number;
  /** Map key; -1 otherwise. */
  key: number;
  /** Array length (arrays only). */
  count: number;
  /** Struct fields, and the header fields of slices, strings and interfaces. */
  fields: GoField[];
  /** Link-time address of the runtime's type descriptor (what an interface's type word holds), or 0. */
  runtimeType: number;
  /** Interfaces: which header. */
  interfaceLayout?: "eface" | "iface";
  /** Maps: the storage layout, when DWARF describes it. */
  mapLayout?: GoMapLayout;
  /** Chans: the hchan<T> struct (qcount, dataqsiz, buf, ...), when DWARF describes it. */
  chanHeader?: number;
}

export interface GoGlobal {
  name: string;
  address: number;
  type: number;
}

/** A variable a closure captured, at its offset inside the closure object (after the code pointer). */
export interface GoClosureVariable {
  name: string;
  offset: number;
  type: number;
}

export interface GoFunctionInfo {
  name: string;
  /** Entry pc: what a funcval's first word holds. */
  entry: number;
  end: number;
  /** Captured variables DWARF states (Go ≥ 1.23 writes DW_AT_go_closure_offset); empty otherwise. */
  closureVariables: GoClosureVariable[];
}

export interface GoTypeTable {
  pointerSize: number;
  littleEndian: boolean;
  /** The highest DWARF version of the binary's units. */
  dwarfVersion: number;
  types: GoType[];
  /** Type id by runtime type descriptor address (link-time addresses; empty without a symbol table or type section). */
  byRuntimeType: Map<number, number>;
  /** Globals in address order (link-time addresses). */
  globals: GoGlobal[];
  /** Functions with code, in entry order (link-time addresses). */
  functions: GoFunctionInfo[];
}
