/**
 * The one byte-size parser (src/formats/byte-size.ts): its spellings as properties, the CLI flag
 * wrapper, and the GOMEMLIMIT hint the gctrace parser takes from application logs. Its agreement
 * with the Go runtime's own parsing is in test/e2e/formats/byte-size.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseByteSize as parseSizeFlag } from "../../src/cli/parse-options.js";
import { UsageError } from "../../src/errors.js";
import { parseByteSize } from "../../src/formats/byte-size.js";
import { parseGcTrace } from "../../src/formats/gctrace/index.js";

const BINARY_UNITS = [
  ["KiB", 1],
  ["MiB", 2],
  ["GiB", 3],
  ["TiB", 4],
] as const;

const SI_UNITS = [
  ["kB", 1],
  ["MB", 2],
  ["GB", 3],
  ["TB", 4],
] as const;

/** A count small enough that count × 1024^4 stays a safe integer. */
const count = fc.integer({ min: 0, max: 8191 });

const randomCase = (text: string, flips: boolean[]) =>
  [...text].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase())).join("");

describe("parseByteSize spellings", () => {
  it("reads a bare number and B as bytes", () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(parseByteSize(String(n))).toBe(n);
        expect(parseByteSize(`${n}B`)).toBe(n);
      }),
    );
  });

  it("reads KiB…TiB and Kubernetes Ki…Ti as powers of 1024", () => {
    fc.assert(
      fc.property(count, fc.constantFrom(...BINARY_UNITS), (n, [unit, power]) => {
        expect(parseByteSize(`${n}${unit}`)).toBe(n * 1024 ** power);
        expect(parseByteSize(`${n}${unit.slice(0, 2)}`)).toBe(n * 1024 ** power);
      }),
    );
  });

  it("reads kB…TB and k…T as powers of 1000 (SI): 100MB is 10^8 bytes, not 100 MiB", () => {
    fc.assert(
      fc.property(count, fc.constantFrom(...SI_UNITS), (n, [unit, power]) => {
        expect(parseByteSize(`${n}${unit}`)).toBe(n * 1000 ** power);
        expect(parseByteSize(`${n}${unit[0]}`)).toBe(n * 1000 ** power);
      }),
    );
    expect(parseByteSize("100MB")).toBe(100_000_000);
    expect(parseByteSize("1.5G")).toBe(1_500_000_000);
    expect(parseByteSize("100k")).toBe(100_000);
  });

  it("ignores the case of units and spaces around and before the unit", () => {
    const unit = fc.constantFrom("", "B", ...BINARY_UNITS.map((u) => u[0]), ...SI_UNITS.map((u) => u[0]));
    fc.assert(
      fc.property(count, unit, fc.array(fc.boolean(), { minLength: 1 }), (n, u, flips) => {
        const expected = parseByteSize(`${n}${u}`);
        expect(expected).not.toBeNull();
        expect(parseByteSize(`${n}${randomCase(u, flips)}`)).toBe(expected);
        expect(parseByteSize(`  ${n} ${u}\t`)).toBe(expected);
      }),
    );
  });

  it("reads fractions, rounded to whole bytes", () => {
    fc.assert(
      fc.property(
        count,
        fc.integer({ min: 0, max: 999 }),
        fc.constantFrom(...BINARY_UNITS),
        (n, f, [u, p]) => {
          const amount = `${n}.${String(f).padStart(3, "0")}`;
          expect(parseByteSize(`${amount}${u}`)).toBe(Math.round(Number(amount) * 1024 ** p));
        },
      ),
    );
    expect(parseByteSize("1.5GiB")).toBe(1.5 * 1024 ** 3);
    expect(parseByteSize("0.5KiB")).toBe(512);
  });

  it("refuses anything else", () => {
    for (const text of [
      "",
      " ",
      "GiB",
      "lots",
      "-1",
      "-1GiB",
      "+5",
      "1.",
      ".5GiB",
      "1e9",
      "2PiB",
      "2 G i B",
      "2GiBs",
      "2iB",
      "2BiB",
      "0x10",
      "1,024",
      "1_024",
      "∞",
      "2GiB extra",
      "off",
    ]) {
      expect(parseByteSize(text), JSON.stringify(text)).toBeNull();
    }
    // A valid spelling with one foreign character put anywhere is not a size.
    fc.assert(
      fc.property(
        count,
        fc.constantFrom("", "B", "KiB", "MB", "Gi", "T"),
        fc.constantFrom("x", "-", "/", ",", "#", "é", "%", "_"),
        fc.nat(),
        (n, unit, junk, at) => {
          const valid = `${n}${unit}`;
          const k = at % (valid.length + 1);
          expect(parseByteSize(valid.slice(0, k) + junk + valid.slice(k))).toBeNull();
        },
      ),
    );
  });

  it("refuses sizes past Number.MAX_SAFE_INTEGER instead of returning inexact bytes", () => {
    expect(parseByteSize("8191TiB")).toBe(8191 * 1024 ** 4);
    expect(parseByteSize("8192TiB")).toBeNull();
    expect(parseByteSize(`${Number.MAX_SAFE_INTEGER}`)).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseByteSize("99999999999999999999")).toBeNull();
  });

  // Quadratic backtracking would not finish within the (generous) timeout on these.
  it("refuses long hostile input without backtracking", () => {
    expect(parseByteSize(`1${" ".repeat(200_000)}x`)).toBeNull();
    expect(parseByteSize(`${"1".repeat(200_000)}x`)).toBeNull();
    expect(parseByteSize(`${" ".repeat(200_000)}1${" ".repeat(200_000)}`)).toBe(1);
  }, 60_000);
});

describe("CLI size flags", () => {
  it("use the same parser, positive sizes only, and name the flag when the value is not a size", () => {
    fc.assert(
      fc.property(
        count.filter((n) => n > 0),
        fc.constantFrom("", "B", "KiB", "GiB", "MB", "k"),
        (n, unit) => {
          expect(parseSizeFlag(`${n}${unit}`, "--max-size")).toBe(parseByteSize(`${n}${unit}`));
        },
      ),
    );
    expect(() => parseSizeFlag("lots", "--max-size")).toThrow(UsageError);
    expect(() => parseSizeFlag("lots", "--max-size")).toThrow(/--max-size takes a size such as 512MiB/);
    expect(() => parseSizeFlag("0", "--limit")).toThrow(/--limit must be positive/);
    expect(() => parseSizeFlag("0GiB", "--limit")).toThrow(UsageError);
  });
});

describe("the GOMEMLIMIT hint in a gctrace log", () => {
  const gcLine =
    "gc 1 @0.010s 2%: 0.011+0.22+0.003 ms clock, 0.045+0.10/0.20/0.05+0.012 ms cpu, 3->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 4 P";
  const hint = (line: string) => parseGcTrace(`${line}\n${gcLine}\n`).memoryLimitHint?.bytes;

  it("reads the spellings of the one parser", () => {
    expect(hint("starting with GOMEMLIMIT=2GiB")).toBe(2 * 1024 ** 3);
    expect(hint('env GOMEMLIMIT="512MiB"')).toBe(512 * 1024 ** 2);
    expect(hint("GOMEMLIMIT: 768 MiB")).toBe(768 * 1024 ** 2);
    expect(hint("GOMEMLIMIT=1073741824")).toBe(1073741824);
    expect(hint("GOMEMLIMIT=2GB")).toBe(2e9);
    expect(hint("GOMEMLIMIT=off")).toBeUndefined();
  });
});
