/**
 * Where a frame variable's words are, from its DWARF location at a pc: a whole value at one frame
 * offset, a value in pieces (some in the frame, some in registers, some without a location), a list
 * whose entry for the pc puts it elsewhere, and places outside the frame or off word boundaries,
 * which are not taken. Tables built here; the real thing runs in test/e2e/retention-typed.
 */
import { describe, expect, it } from "vitest";
import { variableWords } from "../../../src/analysis/retention/typed-stack-roots.js";
import type { GoFrameVariables, GoFunctionInfo, GoType, GoTypeTable } from "../../../src/model/go-types.js";

const CFA = 0x9c;
const FBREG = 0x91;
const PIECE = 0x93;
const REG0 = 0x50;
/** Signed LEB128 of small numbers. */
const sleb = (n: number) => (n >= -64 && n < 64 ? [n & 0x7f] : [(n & 0x7f) | 0x80, (n >> 7) & 0x7f]);
const fbreg = (n: number) => [FBREG, ...sleb(n)];
const piece = (n: number) => [PIECE, n];

function type(id: number, name: string, size: number): GoType {
  return { id, name, kind: "scalar", size, elem: -1, key: -1, count: 0, fields: [], runtimeType: 0 };
}

/** A table with one function whose variables have the given expressions (and one location list). */
function table(
  expressions: number[][],
  list?: number[],
): { table: GoTypeTable; fn: GoFunctionInfo; vars: GoFrameVariables } {
  const bytes = expressions.flat();
  const starts: number[] = [];
  let at = 0;
  for (const e of expressions) {
    starts.push(at);
    at += e.length;
  }
  const n = expressions.length + (list ? 1 : 0);
  const fn: GoFunctionInfo = {
    name: "main.worker",
    entry: 0x1000,
    end: 0x1100,
    closureVariables: [],
    unit: 0,
    variablesStart: 0,
    variablesEnd: 0,
    frameBaseIsCfa: true,
  };
  const t: GoTypeTable = {
    pointerSize: 8,
    littleEndian: true,
    dwarfVersion: 5,
    types: [type(0, "[]*main.job", 24), type(1, "int32", 4)],
    byRuntimeType: new Map(),
    globals: [],
    functions: [fn],
    variableEntries: {
      info: {
        bytes: new Uint8Array(0),
        starts: new Float64Array(0),
        ends: new Float64Array(0),
        at: new Float64Array(0),
      },
      sections: {},
      loc: undefined,
      loclists: undefined,
      units: [],
      typeOffsets: new Float64Array(0),
      typeIds: new Int32Array(0),
    },
  };
  const vars: GoFrameVariables = {
    name: Array.from({ length: n }, (_, i) => `v${i}`),
    inlinedIn: new Int32Array(n).fill(-1),
    inlinedFunctions: [],
    type: new Int32Array(n),
    parameter: new Uint8Array(n),
    locationStart: Float64Array.from([...starts, ...(list ? [0] : [])]),
    locationLength: Int32Array.from([...expressions.map((e) => e.length), ...(list ? [-1] : [])]),
    unit: new Uint32Array(n),
    expressions: Uint8Array.from(bytes),
    units: [{ version: 5, addressSize: 8, base: 0x1000, addrBase: 0 }],
    loc: undefined,
    loclists: list ? Uint8Array.from(list) : undefined,
    addresses: undefined,
  };
  return { table: t, fn, vars };
}

const FRAME = 256;

describe("variableWords", () => {
  it("a whole value at one place: its consecutive words, as offsets from the frame's sp", () => {
    const { table: t, fn, vars } = table([fbreg(-48), [CFA]]);
    expect(variableWords(t, fn, vars, 0, 0x1010, FRAME, 8)).toEqual([208, 216, 224]);
    // At the CFA itself the value would lie above the frame: not in it.
    expect(variableWords(t, fn, vars, 1, 0x1010, FRAME, 8)).toBeNull();
  });

  it("pieces: each word where its piece is; registers and pieces without a location are −1", () => {
    const {
      table: t,
      fn,
      vars,
    } = table([
      [...fbreg(-104), ...piece(8), ...piece(8), ...fbreg(-64), ...piece(8)],
      [REG0, ...piece(8), ...fbreg(-16), ...piece(8), REG0 + 1, ...piece(8)],
      [REG0, ...piece(8), ...piece(8), REG0 + 2, ...piece(8)],
    ]);
    expect(variableWords(t, fn, vars, 0, 0x1010, FRAME, 8)).toEqual([152, -1, 192]);
    expect(variableWords(t, fn, vars, 1, 0x1010, FRAME, 8)).toEqual([-1, 240, -1]);
    expect(variableWords(t, fn, vars, 2, 0x1010, FRAME, 8)).toBeNull(); // nothing in the frame
  });

  it("places off word boundaries or outside the frame are not taken", () => {
    const {
      table: t,
      fn,
      vars,
    } = table([fbreg(-44), fbreg(-300), [...fbreg(-8), ...piece(8), ...fbreg(-1000), ...piece(16)]]);
    expect(variableWords(t, fn, vars, 0, 0x1010, FRAME, 8)).toBeNull();
    expect(variableWords(t, fn, vars, 1, 0x1010, FRAME, 8)).toBeNull();
    expect(variableWords(t, fn, vars, 2, 0x1010, FRAME, 8)).toEqual([248, -1, -1]);
  });

  it("a location list: the entry for the pc; none outside its ranges; a damaged list claims nothing", () => {
    const list = [
      0x04,
      0x00,
      0x20,
      1,
      REG0, // [0x1000, 0x1020): a register
      0x04,
      0x20,
      0x70,
      2,
      ...fbreg(-32), // [0x1020, 0x1070): the frame
      0x00,
    ];
    const { table: t, fn, vars } = table([], list);
    expect(variableWords(t, fn, vars, 0, 0x1010, FRAME, 8)).toBeNull();
    expect(variableWords(t, fn, vars, 0, 0x1030, FRAME, 8)).toEqual([224, 232, 240]);
    expect(variableWords(t, fn, vars, 0, 0x1070, FRAME, 8)).toBeNull();
    const damaged = table([], list.slice(0, 7));
    expect(variableWords(damaged.table, fn, damaged.vars, 0, 0x1030, FRAME, 8)).toBeNull();
  });
});
