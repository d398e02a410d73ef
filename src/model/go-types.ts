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
  /**
   * Where its parameters, local variables, lexical blocks and inlined calls are: the .debug_info
   * offsets of its first child entry and of the null entry after the last (equal when it has none),
   * in unit `unit` of `GoTypeTable.variableEntries`. Read only when a frame of it is met.
   */
  unit: number;
  variablesStart: number;
  variablesEnd: number;
  /** DW_AT_frame_base is the call frame address (DW_OP_fbreg then counts from it; always so for Go). */
  frameBaseIsCfa: boolean;
}

/** What a function's variables' location lists are read with. */
export interface GoLocationUnit {
  /** DWARF version: 5 reads `.debug_loclists`, 2 to 4 `.debug_loc`. */
  version: number;
  addressSize: number;
  /** The unit's base address (DW_AT_low_pc). */
  base: number;
  /** DW_AT_addr_base (0 when absent). */
  addrBase: number;
}

/** A compilation unit, as its entries are read when needed. */
export interface GoDwarfUnit extends GoLocationUnit {
  /** Its offset in .debug_info (what unit-relative references count from), and just past its end. */
  offset: number;
  end: number;
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF. */
  offsetSize: number;
  abbrevOffset: number;
  /** DW_AT_str_offsets_base and DW_AT_loclists_base (0 when absent). */
  strOffsetsBase: number;
  loclistsBase: number;
}

/** DWARF sections an entry's attributes are read with, decompressed, by name without the leading dot. */
export interface GoDwarfSections {
  debug_abbrev?: Uint8Array;
  debug_str?: Uint8Array;
  debug_line_str?: Uint8Array;
  debug_str_offsets?: Uint8Array;
  debug_addr?: Uint8Array;
}

/** Parts of .debug_info copied back to back. */
export interface GoInfoParts {
  bytes: Uint8Array;
  /** Part k was at [starts[k], ends[k]) in .debug_info, and starts at at[k] in `bytes`; ascending. */
  starts: Float64Array;
  ends: Float64Array;
  at: Float64Array;
}

/** A DWARF section as its binary stores it: plain bytes, or a zlib stream and the size it inflates to. */
export type GoStoredSection = { bytes: Uint8Array } | { name: string; zlib: Uint8Array; size: number };

/**
 * What functions' parameters and local variables are read from when a frame of one is met: a
 * binary has tens of thousands of functions and hundreds of thousands of variables, a heap dump's
 * stacks name a few hundred functions. The sections their entries, names and locations are in
 * (own copies), the units, and the type id of each type entry (formats/dwarf's
 * FrameVariableReader reads them).
 */
export interface GoVariableEntries {
  /**
   * The parts of .debug_info functions' variables are read from, back to back: each function's
   * children, and each abstract instance whole (an inlined function's description, which entries
   * of the functions it is inlined into refer to). Types, globals and the functions' own entries
   * are left out (about half of the section).
   */
  info: GoInfoParts;
  sections: GoDwarfSections;
  /**
   * `.debug_loc` (DWARF ≤ 4 units) and `.debug_loclists` (DWARF 5) as stored: the largest of
   * these sections, inflated only once a frame's variables are read.
   */
  loc: GoStoredSection | undefined;
  loclists: GoStoredSection | undefined;
  units: GoDwarfUnit[];
  /** Type entries' .debug_info offsets, ascending, and the type id of each. */
  typeOffsets: Float64Array;
  typeIds: Int32Array;
}

/**
 * One function's parameters and local variables (also those of its lexical blocks and of the
 * functions inlined into it), one column entry each. Their locations stay encoded as DWARF wrote
 * them: an expression's bytes, or a location list's offset in its section; they are decoded for a
 * frame's pc.
 */
export interface GoFrameVariables {
  name: string[];
  /**
   * For a variable of a function inlined into this one: index into `inlinedFunctions` (the inlined
   * function's name, `main.worker` inside `main.main.gowrap1`); −1 for the function's own.
   */
  inlinedIn: Int32Array;
  inlinedFunctions: string[];
  type: Int32Array;
  /** 1 for a DW_TAG_formal_parameter. */
  parameter: Uint8Array;
  /** Expression: start in `expressions` (length > 0); list: offset in its section (length −1); none: length 0. */
  locationStart: Float64Array;
  locationLength: Int32Array;
  /** Index into `units`, for a location list. */
  unit: Uint32Array;
  expressions: Uint8Array;
  units: GoLocationUnit[];
  /** `.debug_loc` (DWARF ≤ 4 units) and `.debug_loclists` (DWARF 5), decompressed; undefined when absent. */
  loc: Uint8Array | undefined;
  loclists: Uint8Array | undefined;
  /** `.debug_addr`, for DWARF 5's indexed list entries. */
  addresses: Uint8Array | undefined;
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
  variableEntries: GoVariableEntries;
}
