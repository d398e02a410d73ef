/**
 * Names for addresses of a Go binary, from its symbol table (`.symtab`: globals) and its pc-line
 * table (`.gopclntab`: functions). The heap-dump analyses take one optionally: without it, globals
 * are named by segment offset (`bss+0x1a0`) and closures by code address.
 */

/** A global variable: `start` ≤ address < `start + size`. */
export interface GlobalSymbol {
  name: string;
  start: number;
  size: number;
}

export interface SymbolResolver {
  /** The global variable holding `address` (in the data or BSS segment), or null. */
  globalAt(address: number): GlobalSymbol | null;
  /** The function whose code holds `pc`, or null. */
  funcNameAt(pc: number): string | null;
}
