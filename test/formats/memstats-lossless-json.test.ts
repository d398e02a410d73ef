import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type JsonValue,
  jsonBigInt,
  parseLosslessJson,
  readJsonDocuments,
} from "../../src/formats/lossless-json.js";

/** Serializes with bigints as bare JSON numbers (what Go's encoder writes for uint64). */
function stringify(value: JsonValue): string {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(stringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${stringify(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

describe("parseLosslessJson", () => {
  it("keeps integers above 2^53 exact, where JSON.parse rounds them", () => {
    const text = '{"LastGC":1795630674154697318,"PauseEnd":[1795630674150605723,0],"NumGC":2}';
    const value = parseLosslessJson(text) as Record<string, JsonValue>;
    expect(value.LastGC).toBe(1795630674154697318n);
    expect((value.PauseEnd as JsonValue[])[0]).toBe(1795630674150605723n);
    expect(value.NumGC).toBe(2);
    // The reason for this module: JSON.parse loses the last digits.
    expect(BigInt((JSON.parse(text) as { LastGC: number }).LastGC)).not.toBe(1795630674154697318n);
  });

  it("reads numbers, strings, escapes and literals like JSON.parse", () => {
    const text =
      '{"a":-1.5e3,"b":"x\\"y\\u00e9\\n","c":[true,false,null],"d":{},"e":[],"f":0,"g":9007199254740991}';
    expect(parseLosslessJson(text)).toEqual(JSON.parse(text));
  });

  it("keeps a __proto__ key as data", () => {
    const value = parseLosslessJson('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ["", "unexpected end"],
    ["{", "expected a string key"],
    ['{"a":}', "unexpected character"],
    ["[1,]", "unexpected character"],
    ['"unterminated', "unterminated string"],
    ["01", "unexpected text after"],
    ["{} x", "unexpected text after"],
  ])("rejects %j", (text, problem) => {
    expect(() => parseLosslessJson(text)).toThrow(problem);
  });

  it("refuses nesting deep enough to overflow the stack", () => {
    expect(() => parseLosslessJson("[".repeat(100_000))).toThrow("nesting too deep");
  });

  it("round-trips any JSON value with big integers (property)", () => {
    const bigInts = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n });
    const leaf = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.string(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
      fc.integer(),
      bigInts,
    );
    const tree = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(tie("value")),
        fc.dictionary(fc.string(), tie("value")),
      ),
    })).value as fc.Arbitrary<JsonValue>;
    fc.assert(
      fc.property(tree, (value) => {
        const parsed = parseLosslessJson(stringify(value));
        // Safe integers come back as numbers, the rest of the bigints as bigints: compare as text.
        expect(stringify(parsed)).toBe(stringify(normalize(value)));
      }),
      { numRuns: 300 },
    );
  });
});

function normalize(value: JsonValue): JsonValue {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (typeof value === "number") return Number(JSON.stringify(value));
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, { value: normalize(v), enumerable: true });
    return out;
  }
  return value;
}

describe("readJsonDocuments", () => {
  it("reads JSON lines, pretty documents and the text before each", () => {
    const text = [
      '{"n":1}',
      "2024-05-01T10:00:00Z {",
      '  "n": 18446744073709551615',
      "}",
      "junk line",
      '[1,2] {"broken": ',
      '{"n":3}',
    ].join("\n");
    const skipped: string[] = [];
    const docs = [...readJsonDocuments(text, (start, end) => skipped.push(text.slice(start, end)))];
    expect(docs.map((d) => d.value)).toEqual([{ n: 1 }, { n: 18446744073709551615n }, [1, 2], { n: 3 }]);
    expect(docs[1].textBefore).toBe("2024-05-01T10:00:00Z");
    expect(docs[2].textBefore).toBe("junk line");
    expect(skipped).toEqual(['{"broken": \n']);
    expect(jsonBigInt(docs[1].value && (docs[1].value as Record<string, JsonValue>).n)).toBe(2n ** 64n - 1n);
  });
});
