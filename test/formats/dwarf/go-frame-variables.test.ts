/**
 * A function's variables read from its DWARF entries only when asked (FrameVariableReader), on a
 * DWARF 4 unit built here: the walk keeps where a function's children lie and its closure captures,
 * and the reader then finds its own variables, those of its lexical blocks and those of a function
 * inlined into it (named and typed through DW_AT_abstract_origin), leaves out what a frame cannot
 * use (no location, a dotted compiler slot, an inlined variable with a single expression, entries
 * under a variable), and treats a reference that leads nowhere as absent. Real binaries of several
 * Go versions run through the same reader in test/e2e/retention-typed.
 */
import { describe, expect, it } from "vitest";
import { variableWords } from "../../../src/analysis/retention/typed-stack-roots.js";
import { FormatError } from "../../../src/errors.js";
import { Attr, Form, Tag } from "../../../src/formats/dwarf/dwarf-constants.js";
import { goDwarfOfSections } from "../../../src/formats/dwarf/go-dwarf.js";
import { FrameVariableReader } from "../../../src/formats/dwarf/go-frame-variables.js";
import type { GoFrameVariables, GoTypeTable } from "../../../src/model/go-types.js";

const FBREG = 0x91;
const CFA = 0x9c;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}
const sleb = (n: number) => (n >= -64 && n < 64 ? [n & 0x7f] : [(n & 0x7f) | 0x80, (n >> 7) & 0x7f]);
const le = (n: number, size: number) =>
  Array.from({ length: size }, (_, i) => Math.floor(n / 256 ** i) % 256);

/** Abbreviation codes of the unit built here. */
const A = {
  unit: 1,
  base: 2,
  function: 3,
  variable: 4,
  listParameter: 5,
  block: 6,
  inlined: 7,
  abstractFunction: 8,
  abstractParameter: 9,
  inlinedParameter: 10,
  capture: 11,
  variableWithChildren: 12,
  inlinedVariable: 13,
} as const;

function abbrevSection(): Uint8Array {
  const entry = (code: number, tag: number, children: boolean, attrs: [number, number][]) => [
    ...uleb(code),
    ...uleb(tag),
    children ? 1 : 0,
    ...attrs.flatMap(([a, f]) => [...uleb(a), ...uleb(f)]),
    0,
    0,
  ];
  const named: [number, number] = [Attr.Name, Form.String];
  const typed: [number, number] = [Attr.Type, Form.Ref4];
  return Uint8Array.from([
    ...entry(A.unit, Tag.CompileUnit, true, [named, [Attr.LowPc, Form.Addr]]),
    ...entry(A.base, Tag.BaseType, false, [named, [Attr.ByteSize, Form.Data1]]),
    ...entry(A.function, Tag.Subprogram, true, [
      named,
      [Attr.LowPc, Form.Addr],
      [Attr.HighPc, Form.Addr],
      [Attr.FrameBase, Form.Exprloc],
    ]),
    ...entry(A.variable, Tag.Variable, false, [named, typed, [Attr.Location, Form.Exprloc]]),
    ...entry(A.listParameter, Tag.FormalParameter, false, [named, typed, [Attr.Location, Form.SecOffset]]),
    ...entry(A.block, Tag.LexicalBlock, true, []),
    ...entry(A.inlined, Tag.InlinedSubroutine, true, [[Attr.AbstractOrigin, Form.Ref4]]),
    ...entry(A.abstractFunction, Tag.Subprogram, true, [named]),
    ...entry(A.abstractParameter, Tag.FormalParameter, false, [named, typed]),
    ...entry(A.inlinedParameter, Tag.FormalParameter, false, [
      [Attr.AbstractOrigin, Form.Ref4],
      [Attr.Location, Form.SecOffset],
    ]),
    ...entry(A.capture, Tag.Variable, false, [named, typed, [Attr.GoClosureOffset, Form.Udata]]),
    ...entry(A.variableWithChildren, Tag.Variable, true, [named, typed, [Attr.Location, Form.Exprloc]]),
    ...entry(A.inlinedVariable, Tag.Variable, false, [
      [Attr.AbstractOrigin, Form.Ref4],
      [Attr.Location, Form.Exprloc],
    ]),
    0,
  ]);
}

/** One unit's entries, with references to labels patched in at the end. */
class UnitBytes {
  readonly bytes: number[] = [...le(0, 4), ...le(4, 2), ...le(0, 4), 8];
  private readonly labels = new Map<string, number>();
  private readonly refs: { at: number; label: string }[] = [];

  entry(code: number, label?: string): this {
    if (label) this.labels.set(label, this.bytes.length);
    this.bytes.push(...uleb(code));
    return this;
  }
  str(s: string): this {
    this.bytes.push(...Buffer.from(s, "utf8"), 0);
    return this;
  }
  raw(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  addr(n: number): this {
    return this.raw(...le(n, 8));
  }
  expr(e: number[]): this {
    return this.raw(...uleb(e.length), ...e);
  }
  ref(label: string): this {
    this.refs.push({ at: this.bytes.length, label });
    return this.raw(0, 0, 0, 0);
  }
  end(): this {
    return this.raw(0);
  }
  finish(): Uint8Array {
    const out = Uint8Array.from(this.bytes);
    const view = new DataView(out.buffer);
    view.setUint32(0, out.length - 4, true);
    for (const { at, label } of this.refs) view.setUint32(at, this.labels.get(label) ?? 0x7fffffff, true);
    return out;
  }
}

/** DWARF 4 .debug_loc: one list at offset 0, [0x10, 0x40) from the unit's base 0x1000: fbreg −24. */
const LOC = Uint8Array.from([...le(0x10, 8), ...le(0x40, 8), ...le(2, 2), FBREG, ...sleb(-24), ...le(0, 16)]);

/** main.f, with main.g inlined into it, and what a frame of it cannot use. */
function unitBytes(originOfInlined = "g"): Uint8Array {
  const u = new UnitBytes();
  u.entry(A.unit).str("main").addr(0x1000);
  u.entry(A.base, "int").str("int").raw(8);
  u.entry(A.base, "ptr").str("*main.job").raw(8);
  u.entry(A.abstractFunction, "g").str("main.g");
  u.entry(A.abstractParameter, "g.q").str("q").ref("ptr").end();
  u.entry(A.function).str("main.f").addr(0x1000).addr(0x1100).expr([CFA]);
  u.entry(A.capture)
    .str("captured")
    .ref("int")
    .raw(...uleb(8));
  u.entry(A.variable)
    .str("a")
    .ref("int")
    .expr([FBREG, ...sleb(-16)]);
  u.entry(A.listParameter)
    .str("p")
    .ref("ptr")
    .raw(...le(0, 4));
  u.entry(A.variable)
    .str("p.len")
    .ref("int")
    .expr([FBREG, ...sleb(-40)]);
  u.entry(A.capture)
    .str("nowhere")
    .ref("int")
    .raw(...uleb(16)); // no location: not a frame variable
  u.entry(A.variableWithChildren)
    .str("outer")
    .ref("int")
    .expr([FBREG, ...sleb(-48)]);
  u.entry(A.variable)
    .str("under a variable")
    .ref("int")
    .expr([FBREG, ...sleb(-56)]);
  u.end();
  u.entry(A.block);
  u.entry(A.variable)
    .str("b")
    .ref("ptr")
    .expr([FBREG, ...sleb(-32)]);
  u.end();
  u.entry(A.inlined).ref(originOfInlined);
  u.entry(A.inlinedParameter)
    .ref("g.q")
    .raw(...le(0, 4));
  u.entry(A.inlinedVariable)
    .ref("g.q")
    .expr([FBREG, ...sleb(-64)]); // one expression: not read
  u.end();
  u.end();
  u.entry(A.function).str("main.empty").addr(0x1100).addr(0x1110).expr([CFA]);
  u.end();
  u.end();
  return u.finish();
}

function tableOf(info: Uint8Array): GoTypeTable {
  return goDwarfOfSections(
    { debug_info: info, debug_abbrev: abbrevSection(), debug_loc: LOC },
    { littleEndian: true, is64: true, typesBase: undefined },
  );
}

/** A variable as name, type name, inlined owner and location (expression bytes, or list offset). */
function described(table: GoTypeTable, v: GoFrameVariables): string[] {
  return v.name.map((name, i) => {
    const start = v.locationStart[i]!;
    const length = v.locationLength[i]!;
    const place =
      length > 0 ? `expr ${[...v.expressions.subarray(start, start + length)].join(",")}` : `list ${start}`;
    const owner = v.inlinedIn[i]! >= 0 ? ` in ${v.inlinedFunctions[v.inlinedIn[i]!]}` : "";
    const parameter = v.parameter[i] ? " (parameter)" : "";
    return `${name}${parameter}${owner}: ${table.types[v.type[i]!]?.name ?? "?"}, ${place}`;
  });
}

describe("FrameVariableReader", () => {
  it("reads a function's variables from its entries only when asked, and its closure captures at once", () => {
    const table = tableOf(unitBytes());
    const f = table.functions.find((fn) => fn.name === "main.f")!;
    expect(f.closureVariables.map((c) => [c.name, c.offset])).toEqual([
      ["captured", 8],
      ["nowhere", 16],
    ]);
    expect(f.variablesEnd).toBeGreaterThan(f.variablesStart);
    const variables = new FrameVariableReader(table).variablesOf(f);
    expect(described(table, variables)).toEqual([
      `a: int, expr ${FBREG},${sleb(-16)}`,
      "p (parameter): *main.job, list 0",
      `outer: int, expr ${FBREG},${sleb(-48)}`,
      `b: *main.job, expr ${FBREG},${sleb(-32)}`,
      "q (parameter) in main.g: *main.job, list 0",
    ]);
    // The list places p (and q) at CFA − 24 inside [0x1010, 0x1040) only.
    const p = variables.name.indexOf("p");
    expect(variableWords(table, f, variables, p, 0x1020, 64, 8)).toEqual([40]);
    expect(variableWords(table, f, variables, p, 0x1050, 64, 8)).toBeNull();
    // Kept: main.g whole (entry and parameter) and main.f's children; not the types, nor main.f's entry.
    const { info } = table.variableEntries;
    expect(info.bytes.length).toBeLessThan(unitBytes().length);
    expect(info.starts.length).toBe(2);
    const empty = table.functions.find((fn) => fn.name === "main.empty")!;
    expect(empty.variablesEnd).toBe(empty.variablesStart);
    expect(new FrameVariableReader(table).variablesOf(empty).name).toEqual([]);
  });

  it("reads the same after a structured clone (the table crosses from a worker so)", () => {
    const table = tableOf(unitBytes());
    const clone = structuredClone(table);
    const f = (t: GoTypeTable) => t.functions.find((fn) => fn.name === "main.f")!;
    expect(described(clone, new FrameVariableReader(clone).variablesOf(f(clone)))).toEqual(
      described(table, new FrameVariableReader(table).variablesOf(f(table))),
    );
  });

  it("an inlined call whose origin leads nowhere contributes nothing; a damaged entry throws FormatError", () => {
    const table = tableOf(unitBytes("nowhere"));
    const f = table.functions.find((fn) => fn.name === "main.f")!;
    expect(new FrameVariableReader(table).variablesOf(f).name).toEqual(["a", "p", "outer", "b"]);
    // An unknown abbreviation code among the children: the walk over the section skips no entry,
    // so it refuses the section; a reader handed the damaged range throws FormatError.
    const damaged = unitBytes();
    damaged[f.variablesStart] = 0x7e;
    expect(() => tableOf(damaged)).toThrow(FormatError);
    // The reader reads the kept parts of the section: the function's children are one of them.
    const { info } = table.variableEntries;
    const part = info.starts.indexOf(f.variablesStart);
    expect(part).toBeGreaterThanOrEqual(0);
    const bytes = info.bytes.slice();
    bytes[info.at[part]!] = 0x7e;
    const lying = { ...table, variableEntries: { ...table.variableEntries, info: { ...info, bytes } } };
    expect(() => new FrameVariableReader(lying).variablesOf(f)).toThrow(FormatError);
  });
});
