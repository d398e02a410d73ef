/** Flag values, parsed in one place (src/cli/parse-options.ts): what each parser takes and refuses. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseByteSize,
  parseDurationMs,
  parseEnum,
  parseEnumList,
  parseFraction,
  parseHeader,
  parseNonNegativeInteger,
  parseNumberFlag,
  parsePort,
  parsePositiveInteger,
  parsePositiveNumber,
  parseRegExp,
  parseSizeOrNumber,
} from "../../src/cli/parse-options.js";
import { UsageError } from "../../src/errors.js";
import { parseByteSize as parseByteSizeText } from "../../src/formats/byte-size.js";

/** The UsageError message a parser throws for `text`. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("accepted");
}

describe("numbers", () => {
  it("positive numbers, with an optional s for seconds flags", () => {
    expect(parsePositiveNumber("2.5", "--top")).toBe(2.5);
    expect(parsePositiveNumber("30s", "--timeout", { seconds: true })).toBe(30);
    expect(refusal(() => parsePositiveNumber("30s", "--top"))).toBe(
      '--top must be a positive number, not "30s"',
    );
    expect(refusal(() => parsePositiveNumber("0", "--timeout", { seconds: true }))).toBe(
      '--timeout must be a positive number of seconds, not "0"',
    );
    expect(refusal(() => parsePositiveNumber("", "--top"))).toMatch(/positive number/);
  });

  it("positive and non-negative integers are digits only", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(parsePositiveInteger(String(n), "--width")).toBe(n);
        expect(parseNonNegativeInteger(String(n), "--dump-every")).toBe(n);
      }),
    );
    expect(parseNonNegativeInteger("0", "--dump-every")).toBe(0);
    for (const bad of ["0", "-1", "1.5", "1e3", "0x10", "ten", ""]) {
      expect(refusal(() => parsePositiveInteger(bad, "--width"))).toBe(
        `--width must be a positive integer, not "${bad}"`,
      );
    }
    expect(refusal(() => parseNonNegativeInteger("-1", "--dump-every"))).toMatch(/whole number ≥ 0/);
  });

  it("pprof's number flags keep pprof's leniency (negative, fractional), and absent stays absent", () => {
    expect(parseNumberFlag(undefined, "--nodecount", { integer: true })).toBeUndefined();
    expect(parseNumberFlag("-3", "--nodecount", { integer: true })).toBe(-3);
    expect(parseNumberFlag("0.005", "--nodefraction")).toBe(0.005);
    expect(refusal(() => parseNumberFlag("2.5", "--nodecount", { integer: true }))).toBe(
      '--nodecount must be an integer, not "2.5"',
    );
    expect(refusal(() => parseNumberFlag(" ", "--nodefraction"))).toMatch(/must be a number/);
  });

  it("fractions and ports", () => {
    expect(parseFraction("0.05", "--alpha")).toBe(0.05);
    for (const bad of ["0", "1", "-0.1", "x"])
      expect(refusal(() => parseFraction(bad, "--alpha"))).toMatch(/between 0 and 1/);
    expect(parsePort("0", "--port")).toBe(0);
    expect(parsePort("65535", "--port")).toBe(65535);
    for (const bad of ["65536", "-1", "80.5", ""]) {
      expect(refusal(() => parsePort(bad, "--ui-port"))).toBe(
        `--ui-port must be a number 0-65535, not "${bad}"`,
      );
    }
  });
});

describe("sizes and durations", () => {
  it("sizes go through formats/byte-size.ts and must be positive", () => {
    expect(parseByteSize("512MiB", "--limit")).toBe(512 * 1024 * 1024);
    expect(parseByteSize("2G", "--limit")).toBe(2e9);
    expect(refusal(() => parseByteSize("lots", "--limit"))).toMatch(/--limit takes a size such as 512MiB/);
  });

  it("a size or a plain number: units read as sizes, bare numbers keep fractions", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 << 20 }),
        fc.constantFrom("B", "KB", "KiB", "MB", "MiB", "k", "Gi"),
        (n, unit) => {
          expect(parseSizeOrNumber(`${n}${unit}`, "--floor")).toBe(parseByteSizeText(`${n}${unit}`));
        },
      ),
    );
    expect(parseSizeOrNumber("0.5", "--floor")).toBe(0.5);
    expect(parseSizeOrNumber("1KiB", "--floor")).toBe(1024);
    expect(parseSizeOrNumber("2MB", "--floor")).toBe(2e6);
    expect(refusal(() => parseSizeOrNumber("64 apples", "--floor"))).toBe(
      '--floor: expected a number such as 64 or 1KiB, not "64 apples"',
    );
  });

  it("durations: Go style, a bare number is seconds", () => {
    expect(parseDurationMs("1m30s", "--interval")).toBe(90_000);
    expect(parseDurationMs("2", "--interval")).toBe(2000);
    expect(refusal(() => parseDurationMs("soon", "--interval"))).toMatch(/--interval takes a duration/);
  });
});

describe("words, headers and patterns", () => {
  it("one word of a set, or a comma-separated list of them", () => {
    expect(parseEnum("always", "--gc", ["auto", "always", "never"] as const)).toBe("always");
    expect(refusal(() => parseEnum("sometimes", "--gc", ["auto", "always", "never"]))).toBe(
      '--gc must be one of auto, always, never, not "sometimes"',
    );
    const verdicts = ["leak", "inconclusive", "no-leak"] as const;
    expect(parseEnumList("leak, inconclusive,,", "--fail-on", verdicts)).toEqual(["leak", "inconclusive"]);
    expect(refusal(() => parseEnumList("leak,maybe", "--fail-on", verdicts))).toBe(
      '--fail-on takes leak, inconclusive, no-leak (comma-separated), not "maybe"',
    );
  });

  it("headers, without echoing a value that may be secret", () => {
    expect(parseHeader("Authorization: Bearer abc", "--header")).toEqual(["Authorization", "Bearer abc"]);
    expect(parseHeader("X-Empty:", "--header")).toEqual(["X-Empty", ""]);
    const message = refusal(() => parseHeader("Bearer secret-token", "--header"));
    expect(message).toBe('--header must look like "Name: value" (the value given is not shown)');
  });

  it("regular expressions", () => {
    expect(parseRegExp("net/http\\.", "--match").test("net/http.(*conn).serve")).toBe(true);
    expect(refusal(() => parseRegExp("(", "--match"))).toMatch(/^--match: invalid regular expression/);
  });
});
