/**
 * Typed roots from goroutines' stack frames: the parameters and local variables DWARF places in a
 * frame at the frame's pc, read from the frame's contents in the dump.
 *
 *   pc        a frame that is not at its function's entry is looked up at pc − 1: a caller's pc is
 *             the return address, after the call, and the runtime reads its stack maps at pc − 1 too
 *   CFA       the call frame address DWARF locations count from is the frame's top, sp + the size
 *             of its contents (the dump writes sp .. fp). Both are sp + the pc's sp delta, plus one
 *             word on x86 for the return address the call pushed (runtime/traceback.go computes fp
 *             so; cmd/link's .debug_frame writes the CFA so); on link-register machines (arm64)
 *             neither adds the word. Checked on amd64 dumps; arm64 is assumed from those sources.
 *   pieces    a value split over places (a slice's pointer, len and cap are often apart) is read
 *             word by word; a word in a register or without a location is unknown
 *   liveness  a pointer word is used only when the runtime lists it among the frame's live
 *             pointers: a dead slot may hold a stale pointer, which the collector did not treat as
 *             a root, nor is it typed here. A word two variables claim at once is left untyped.
 *
 * Variables of functions inlined into the frame's function count as theirs (a goroutine started
 * with `go worker(...)` often runs worker inlined into `main.main.gowrap1`).
 *
 * What stays untyped: variables in registers at that pc (none are live across a call: Go's ABI
 * saves no registers for the caller), variables the compiler optimised away or left without a
 * location, variables whose address was taken (stack objects: the dump lists no pointer words for
 * them), and an inlined function's variables that have a single location rather than a list.
 */
import { FormatError } from "../../errors.js";
import { locationAt, locationPieces, PieceKind } from "../../formats/dwarf/dwarf-locations.js";
import { FrameVariableReader } from "../../formats/dwarf/go-frame-variables.js";
import type { GoFrameVariables, GoFunctionInfo, GoTypeTable } from "../../model/go-types.js";
import { RegionRole } from "./typed-heap.js";
import { SlotKind } from "./typed-layout.js";
import type { TypePropagator } from "./typed-propagation.js";

/** A variable of a typed frame: its type and, per pointer-size word, its offset in the frame. */
export interface FrameVariable {
  name: string;
  /** The function it belongs to: the frame's, or one inlined into it (`main.worker` in `main.main.gowrap1`). */
  function: string;
  type: number;
  /** Offset from the frame's sp of each word of the value; −1 where the word is not in the frame. */
  words: number[];
}

export interface TypedFrame {
  /** Index into HeapDump.frames. */
  frame: number;
  /** The function as DWARF names it (`main.worker`). */
  function: string;
  /** The variables holding at least one of the frame's live pointer words. */
  variables: FrameVariable[];
}

/** Seeds the frames of the graph's goroutine roots and records their variables by root node. */
export function seedFrameRoots(p: TypePropagator): void {
  const { dump, graph } = p;
  const frameAt = new Map<number, number>();
  for (let f = 0; f < dump.frames.count; f++) frameAt.set(dump.frames.sp[f]!, f);
  // Goroutines blocked at the same place share function, pc and frame size: their variables'
  // places are decoded once.
  const places = new Map<string, VariablePlace[]>();
  const variablesOf = frameVariablesLookup(p.registry.table);
  for (const root of graph.roots) {
    if (root.kind !== "stack" || root.parentNode === 0 || root.address === undefined) continue;
    const f = frameAt.get(root.address);
    if (f === undefined) continue;
    const typed = typedFrame(p, f, places, variablesOf);
    if (!typed) continue;
    for (const v of typed.seeds) seedVariable(p, f, v);
    if (typed.frame.variables.length > 0) p.frameRoots.set(root.node, typed.frame);
  }
}

/**
 * A function's variables, read from DWARF the first time a frame of it is met; null for a function
 * without any, or whose entries are damaged (then nothing is claimed about its frames).
 */
function frameVariablesLookup(table: GoTypeTable): (fn: GoFunctionInfo) => GoFrameVariables | null {
  const known = new Map<number, GoFrameVariables | null>();
  let reader: FrameVariableReader | undefined;
  return (fn) => {
    let variables = known.get(fn.entry);
    if (variables !== undefined) return variables;
    variables = null;
    if (fn.variablesEnd > fn.variablesStart) {
      reader ??= new FrameVariableReader(table);
      try {
        variables = reader.variablesOf(fn);
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
      }
    }
    if (variables && variables.name.length === 0) variables = null;
    known.set(fn.entry, variables);
    return variables;
  };
}

/** A variable (index into its function's variables) and its words' places in a frame. */
interface VariablePlace {
  variable: number;
  words: number[];
}

/**
 * The frame's variables that hold live pointer words: all of them seed types (`seeds`); those
 * whose live words no other variable holds also name the frame's slots (`frame`).
 */
function typedFrame(
  p: TypePropagator,
  f: number,
  places: Map<string, VariablePlace[]>,
  variablesOf: (fn: GoFunctionInfo) => GoFrameVariables | null,
): { frame: TypedFrame; seeds: FrameVariable[] } | null {
  const { frames } = p.dump;
  const table = p.registry.table;
  const fn = functionWithEntry(table, frames.entryPc[f]! - p.loadBias);
  const fv = fn && variablesOf(fn);
  if (!fn || !fv) return null;
  const pc = frames.pc[f]!;
  const lookup = (pc === frames.entryPc[f]! ? pc : pc - 1) - p.loadBias;
  const frameSize = frames.size[f]!;
  const key = `${fn.entry}:${lookup}:${frameSize}`;
  let placed = places.get(key);
  if (!placed) {
    placed = [];
    for (let i = 0; i < fv.name.length; i++) {
      const words = variableWords(table, fn, fv, i, lookup, frameSize, p.ptr);
      if (words) placed.push({ variable: i, words });
    }
    places.set(key, placed);
  }
  const live = new Set<number>();
  const pointers = frames.pointers;
  for (let k = pointers.start[f]!; k < pointers.start[f + 1]!; k++) live.add(pointers.fieldOffset[k]!);
  const variables: (FrameVariable & { live: number[]; own: boolean })[] = [];
  for (const { variable: i, words } of placed) {
    const type = fv.type[i]!;
    const livePointers = pointerWords(p, type, words).filter((o) => live.has(o));
    if (livePointers.length === 0) continue;
    const inlined = fv.inlinedIn[i]!;
    const owner = inlined >= 0 ? fv.inlinedFunctions[inlined]! : fn.name;
    variables.push({
      name: fv.name[i]!,
      function: owner,
      type,
      words,
      live: livePointers,
      own: inlined < 0,
    });
  }
  // Only live pointer words are read: a dead one is forgotten (its len and cap words stay).
  for (const v of variables) {
    const dead = pointerWords(p, v.type, v.words).filter((o) => !live.has(o));
    if (dead.length > 0) v.words = v.words.map((o) => (dead.includes(o) ? -1 : o));
  }
  // A live word two variables hold names neither (whose len would a slice finding read?), unless
  // both are one value under two names (a variable passed to a function inlined here): then the
  // frame function's own name, or the first. Both still seed types.
  const named: FrameVariable[] = variables
    .filter((v, i) =>
      variables.every((w, j) => {
        if (i === j || !v.live.some((o) => w.live.includes(o))) return true;
        const alias = v.type === w.type && v.words.every((o, k) => o === w.words[k]);
        return alias && (v.own !== w.own ? v.own : i < j);
      }),
    )
    .map(({ live: _, own: __, ...v }) => v);
  return { frame: { frame: f, function: fn.name, variables: named }, seeds: variables };
}

/**
 * Per word of the value of `fn`'s variable `i`, its offset from the frame's sp at `pc` (−1: not in
 * the frame), or null when DWARF gives it no place there.
 */
export function variableWords(
  table: GoTypeTable,
  fn: GoFunctionInfo,
  v: GoFrameVariables,
  i: number,
  pc: number,
  frameSize: number,
  ptr: number,
): number[] | null {
  const size = table.types[v.type[i]!]?.size ?? 0;
  if (size <= 0) return null;
  let pieces: ReturnType<typeof locationPieces>;
  try {
    const expr = expressionAt(v, i, pc, table.littleEndian);
    pieces = expr ? locationPieces(expr, table.littleEndian, fn.frameBaseIsCfa) : null;
  } catch (error) {
    if (error instanceof FormatError) return null; // a damaged list or expression: nothing claimed
    throw error;
  }
  if (!pieces) return null;
  const words = new Array<number>(Math.ceil(size / ptr)).fill(-1);
  let at = 0;
  let any = false;
  for (const piece of pieces) {
    const length = piece.size === 0 ? size : piece.size;
    if (piece.kind === PieceKind.Frame) {
      for (let w = Math.ceil(at / ptr); (w + 1) * ptr <= Math.min(at + length, size); w++) {
        const offset = frameSize + piece.offset + (w * ptr - at);
        if (offset < 0 || offset + ptr > frameSize || offset % ptr !== 0) continue;
        words[w] = offset;
        any = true;
      }
    }
    at += length;
  }
  return any ? words : null;
}

/** The location expression of variable `i` at `pc` (its single expression, or its list's entry). */
function expressionAt(v: GoFrameVariables, i: number, pc: number, littleEndian: boolean): Uint8Array | null {
  const length = v.locationLength[i]!;
  const start = v.locationStart[i]!;
  if (length > 0) return v.expressions.subarray(start, start + length);
  if (length === 0) return null;
  const unit = v.units[v.unit[i]!]!;
  const section = unit.version >= 5 ? v.loclists : v.loc;
  if (!section) throw new FormatError("a location list without its section");
  return locationAt(section, start, { ...unit, littleEndian, addresses: v.addresses }, pc);
}

/** Frame offsets of the words the collector reads as pointers (data words of interfaces). */
function pointerWords(p: TypePropagator, type: number, words: number[]): number[] {
  const plan = p.registry.plan(type);
  const out: number[] = [];
  for (let s = 0; s < plan.count; s++) {
    const kind = plan.kinds[s]!;
    const w = plan.offsets[s]! / p.ptr + (kind === SlotKind.Eface || kind === SlotKind.Iface ? 1 : 0);
    const o = Number.isInteger(w) ? (words[w] ?? -1) : -1;
    if (o >= 0) out.push(o);
  }
  return out;
}

/** Claims what a variable's live pointer words point at, by the variable's type. */
function seedVariable(p: TypePropagator, f: number, v: FrameVariable): void {
  const plan = p.registry.plan(v.type);
  const base = p.dump.frames.contentOffset[f]!;
  const word = (w: number) => (v.words[w] !== undefined && v.words[w]! >= 0 ? base + v.words[w]! : -1);
  for (let s = 0; s < plan.count; s++) {
    const kind = plan.kinds[s]!;
    const w = plan.offsets[s]! / p.ptr;
    if (!Number.isInteger(w) || kind === SlotKind.String || kind === SlotKind.Unsafe) continue;
    if (kind === SlotKind.Eface || kind === SlotKind.Iface) {
      const typeAt = word(w);
      const dataAt = word(w + 1);
      if (typeAt >= 0 && dataAt >= 0) p.scanInterface(kind, p.contents.word(typeAt), p.contents.word(dataAt));
      continue;
    }
    const at = word(w);
    if (at < 0) continue;
    const value = p.contents.word(at);
    if (value === 0) continue;
    if (kind === SlotKind.Slice) {
      const elem = p.elemOf(plan.types[s]!);
      const capAt = word(w + 2);
      if (elem >= 0)
        p.claimArray(value, elem, RegionRole.SliceArray, capAt >= 0 ? p.contents.word(capAt) : 0);
    } else p.scanPointerValue(kind, plan.types[s]!, value);
  }
}

/** The function whose entry is `pc`. */
export function functionWithEntry(table: GoTypeTable, pc: number): GoFunctionInfo | undefined {
  const fns = table.functions;
  let lo = 0;
  let hi = fns.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (fns[mid]!.entry < pc) lo = mid + 1;
    else hi = mid;
  }
  const fn = fns[lo];
  return fn && fn.entry === pc ? fn : undefined;
}
