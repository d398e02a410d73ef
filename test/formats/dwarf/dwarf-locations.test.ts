/**
 * Location lists and expressions on bytes built here: the DW_LLE_* entries of DWARF 5 (base
 * addresses direct and indexed, offset pairs, start/length forms, the default location) and the
 * address pairs of DWARF 4 (base selection entries), the operations Go writes for a variable's place
 * in its frame (DW_OP_call_frame_cfa, DW_OP_fbreg, constants and arithmetic, registers, pieces), and
 * malformed input: a FormatError or nothing, never a hang or a read past the bytes given.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FormatError } from "../../../src/errors.js";
import {
  type LocationListContext,
  locationAt,
  locationPieces,
  PieceKind,
} from "../../../src/formats/dwarf/dwarf-locations.js";

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

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function u64(n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i++) {
    out.push(n % 256);
    n = Math.floor(n / 256);
  }
  return out;
}

const CFA = 0x9c;
const FBREG = 0x91;
const PIECE = 0x93;
const REG0 = 0x50;
const fbreg = (n: number) => [FBREG, ...sleb(n)];
const piece = (n: number) => [PIECE, ...uleb(n)];
const pieces = (bytes: number[], cfaBase = true) => locationPieces(new Uint8Array(bytes), true, cfaBase);

describe("locationPieces", () => {
  it("a whole value in the frame: the CFA, DW_OP_fbreg, CFA plus or minus a constant", () => {
    const frame = (offset: number) => [{ kind: PieceKind.Frame, offset, size: 0 }];
    expect(pieces([CFA])).toEqual(frame(0));
    expect(pieces(fbreg(-24))).toEqual(frame(-24));
    expect(pieces(fbreg(8))).toEqual(frame(8));
    expect(pieces([CFA, 0x11, ...sleb(-48), 0x22])).toEqual(frame(-48)); // consts, plus
    expect(pieces([CFA, 0x23, ...uleb(16)])).toEqual(frame(16)); // plus_uconst
    expect(pieces([CFA, 0x08, 16, 0x1c])).toEqual(frame(-16)); // const1u, minus
    expect(pieces([0x09, 0xf8, CFA, 0x22])).toEqual(frame(-8)); // const1s -8 + CFA
    expect(pieces([0x38, CFA, 0x22])).toEqual(frame(8)); // lit8 + CFA
  });

  it("a slice split three ways, as Go writes it: a frame word, no location, a register", () => {
    expect(pieces([...fbreg(-104), ...piece(8), ...piece(8), REG0 + 2, ...piece(8)])).toEqual([
      { kind: PieceKind.Frame, offset: -104, size: 8 },
      { kind: PieceKind.Unknown, offset: 0, size: 8 },
      { kind: PieceKind.Register, offset: 0, size: 8 },
    ]);
    expect(pieces([0x90, ...uleb(33)])).toEqual([{ kind: PieceKind.Register, offset: 0, size: 0 }]); // regx
  });

  it("nothing claimed for what is not a frame place: a constant address, CFA + CFA, other operations", () => {
    expect(pieces([0x11, ...sleb(4096)])).toEqual([{ kind: PieceKind.Unknown, offset: 0, size: 0 }]);
    expect(pieces([CFA, CFA, 0x22])).toBeNull();
    expect(pieces([0x08, 8, CFA, 0x1c])).toBeNull(); // 8 − CFA
    expect(pieces([CFA, 0x06])).toBeNull(); // DW_OP_deref
    expect(pieces([0x22])).toBeNull(); // plus on an empty stack
    expect(pieces([...fbreg(-8), ...piece(8), CFA])).toBeNull(); // an operation after the last piece
    expect(pieces(new Array(17).fill(0x30))).toBeNull(); // deeper than any location
    expect(pieces(fbreg(-8), false)).toBeNull(); // a frame base that is not the CFA
  });

  it("truncated operands throw FormatError", () => {
    for (const bytes of [[FBREG], [PIECE], [0x11], [0x0c, 1, 2], [0x90, 0x80]])
      expect(() => pieces(bytes)).toThrow(FormatError);
  });
});

const addresses = new Uint8Array([...u64(0), ...u64(0x401000), ...u64(0x402000), ...u64(0x403000)]);
const v5: LocationListContext = {
  version: 5,
  addressSize: 8,
  littleEndian: true,
  base: 0x400000,
  addresses,
  addrBase: 8,
};
const expr = (bytes: number[]) => [...uleb(bytes.length), ...bytes];
const at = (list: number[], pc: number, context = v5, offset = 0) =>
  locationAt(new Uint8Array(list), offset, context, pc);
const bytesOf = (e: Uint8Array | null) => (e ? [...e] : null);

describe("locationAt, DWARF 5 (.debug_loclists)", () => {
  // What Go 1.25+ writes: an indexed base address, then offset pairs.
  const goList = [
    0x01,
    ...uleb(0), // DW_LLE_base_addressx 0 → 0x401000
    0x04,
    ...uleb(0),
    ...uleb(0x10),
    ...expr([REG0]),
    0x04,
    ...uleb(0x10),
    ...uleb(0x40),
    ...expr(fbreg(-8)),
    0x00,
  ];

  it("the entry covering the pc, offsets counted from the current base", () => {
    expect(bytesOf(at(goList, 0x401000))).toEqual([REG0]);
    expect(bytesOf(at(goList, 0x40100f))).toEqual([REG0]);
    expect(bytesOf(at(goList, 0x401010))).toEqual(fbreg(-8));
    expect(at(goList, 0x401040)).toBeNull();
    expect(at(goList, 0x400fff)).toBeNull();
    // Without a base entry, offsets count from the unit's base.
    expect(bytesOf(at([0x04, ...uleb(0), ...uleb(4), ...expr([CFA]), 0x00], 0x400002))).toEqual([CFA]);
  });

  it("the other entry kinds, and the default location when nothing covers the pc", () => {
    const list = [
      0x05,
      ...expr([REG0 + 1]), // default
      0x06,
      ...u64(0x500000), // base_address
      0x04,
      ...uleb(0),
      ...uleb(8),
      ...expr([REG0 + 2]),
      0x07,
      ...u64(0x600000),
      ...u64(0x600010),
      ...expr([REG0 + 3]), // start_end
      0x08,
      ...u64(0x700000),
      ...uleb(0x20),
      ...expr([REG0 + 4]), // start_length
      0x02,
      ...uleb(0),
      ...uleb(1),
      ...expr([REG0 + 5]), // startx_endx
      0x03,
      ...uleb(2),
      ...uleb(0x10),
      ...expr([REG0 + 6]), // startx_length
      0x00,
    ];
    expect(bytesOf(at(list, 0x500004))).toEqual([REG0 + 2]);
    expect(bytesOf(at(list, 0x600008))).toEqual([REG0 + 3]);
    expect(bytesOf(at(list, 0x70001f))).toEqual([REG0 + 4]);
    expect(bytesOf(at(list, 0x401800))).toEqual([REG0 + 5]);
    expect(bytesOf(at(list, 0x40300f))).toEqual([REG0 + 6]);
    expect(bytesOf(at(list, 0x123456))).toEqual([REG0 + 1]);
  });

  it("malformed lists throw FormatError", () => {
    expect(() => at([0x09], 0)).toThrow(FormatError); // unknown entry kind
    expect(() => at([0x04, 0, 4, 1, CFA], 0x400010)).toThrow(FormatError); // no end of list
    expect(() => at([0x04, 0, 4, 9, CFA, 0x00], 0)).toThrow(FormatError); // expression past the end
    expect(() => at(goList, 0, v5, goList.length)).toThrow(FormatError); // offset outside
    expect(() => at([0x01, ...uleb(7), 0x00], 0)).toThrow(FormatError); // index past .debug_addr
    expect(() => at(goList, 0, { ...v5, addresses: undefined })).toThrow(FormatError);
  });
});

describe("locationAt, DWARF 4 (.debug_loc)", () => {
  const v4: LocationListContext = { ...v5, version: 4, addresses: undefined, addrBase: 0 };
  const entry = (begin: number, end: number, e: number[]) => [...u64(begin), ...u64(end), e.length, 0, ...e];
  const list = [
    ...entry(0x100, 0x180, [REG0]),
    ...entry(0x180, 0x400, fbreg(16)),
    ...new Array(8).fill(0xff), // base address selection
    ...u64(0x800000),
    ...entry(0, 0x10, [CFA]),
    ...u64(0),
    ...u64(0),
  ];

  it("address pairs from the unit's base, then from a base selection entry", () => {
    expect(bytesOf(at(list, 0x400100, v4))).toEqual([REG0]);
    expect(bytesOf(at(list, 0x4003ff, v4))).toEqual(fbreg(16));
    expect(bytesOf(at(list, 0x800008, v4))).toEqual([CFA]);
    expect(at(list, 0x400400, v4)).toBeNull();
  });

  it("a list without its end throws FormatError", () => {
    expect(() => at(list.slice(0, list.length - 8), 0x900000, v4)).toThrow(FormatError);
    expect(() => at(entry(0, 0x10, [CFA]).slice(0, 17), 0x400000, v4)).toThrow(FormatError);
  });
});

describe("any bytes", () => {
  it("give a result or a FormatError, in bounded time", () => {
    const onlyFormatErrors = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(0x800000), fc.boolean(), (bytes, pc, five) => {
        onlyFormatErrors(() => locationPieces(bytes, true));
        const context = five ? v5 : { ...v5, version: 4 };
        if (bytes.length > 0) onlyFormatErrors(() => locationAt(bytes, 0, context, pc));
      }),
      { numRuns: 3000 },
    );
  });
});
