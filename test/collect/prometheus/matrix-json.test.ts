/**
 * fleet's query_range reader (matrix-json.ts) against JSON.parse: the same answer, each series'
 * pairs as columns, for answers laid out as Prometheus writes them and otherwise (spaces, labels
 * with escapes or named "values", NaN/±Inf, unparseable values, string timestamps: the fallback).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  columnsOf,
  parseMatrixAnswer,
  type SampleColumns,
} from "../../../src/collect/prometheus/matrix-json.js";

const label = fc.string({
  maxLength: 12,
  unit: fc.constantFrom("a", '"', "\\", "é", "[", "]", ":", ",", " ", "values", "\n"),
});
const value = fc.oneof(
  fc.integer({ min: -(2 ** 52), max: 2 ** 52 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom("NaN", "+Inf", "-Inf", "1.5e+09", "bogus", ""),
);
const time = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 31 }),
  fc.integer({ min: 0, max: 2 ** 31 }).map((t) => t + 0.5),
  fc.constant(1796407200.123),
);
const series = fc.record({
  metric: fc.dictionary(fc.oneof(fc.constantFrom("__name__", "instance", "values"), label), label, {
    maxKeys: 4,
  }),
  values: fc.array(fc.tuple(time, value), { maxLength: 30 }),
});
const answer = fc.record({
  status: fc.constant("success"),
  data: fc.record({ resultType: fc.constant("matrix"), result: fc.array(series, { maxLength: 5 }) }),
  warnings: fc.option(fc.array(label, { maxLength: 2 }), { nil: undefined }),
});

/** What the reader must give: JSON.parse, each series' values as columns. */
function expected(text: string): unknown {
  const parsed = JSON.parse(text) as { data: { result: { values?: unknown }[] } };
  for (const s of parsed.data.result) s.values = columnsOf(s.values);
  return parsed;
}

function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v) =>
      v instanceof Float64Array ? Array.from(v, (x) => (Number.isNaN(x) ? "NaN" : x)) : v,
    ),
  );
}

describe("parseMatrixAnswer", () => {
  it("equals JSON.parse with columns, compact or indented, whatever the labels hold", () => {
    fc.assert(
      fc.property(answer, fc.constantFrom(0, 1, 2), (a, indent) => {
        const text = JSON.stringify(a, null, indent);
        expect(plain(parseMatrixAnswer(Buffer.from(text, "utf8")))).toEqual(plain(expected(text)));
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it("reads Prometheus' own layout into columns: NaN and ±Inf kept, unparseable values left out", () => {
    const text =
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"go_goroutines","instance":"a:1"},"values":[[1796407200,"41"],[1796407320.5,"NaN"],[1796407440,"+Inf"],[1796407560,"x"],[1796407680,"1.5e+09"]]}]}}';
    const parsed = parseMatrixAnswer(Buffer.from(text)) as { data: { result: { values: SampleColumns }[] } };
    const columns = parsed.data.result[0].values;
    expect(Array.from(columns.times)).toEqual([1796407200, 1796407320.5, 1796407440, 1796407680]);
    expect(Array.from(columns.values)).toEqual([41, Number.NaN, Number.POSITIVE_INFINITY, 1.5e9]);
  });

  it("falls back to JSON.parse for a layout it does not read, and throws as JSON.parse for non-JSON", () => {
    const text = '{"status":"success","data":{"result":[{"metric":{},"values":[["1796407200","41"]]}]}}';
    const parsed = parseMatrixAnswer(Buffer.from(text)) as { data: { result: { values: SampleColumns }[] } };
    expect(parsed.data.result[0].values.times.length).toBe(0);
    expect(() => parseMatrixAnswer(Buffer.from("<html>"))).toThrow(SyntaxError);
  });
});
