/**
 * The reader's chunked columns against a plain array model, with pushes, truncations (undoing an
 * incomplete record) and writes across chunk boundaries (64 Ki values per chunk).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GrowableFloat64, GrowableUint32 } from "../../../src/formats/heapdump/growable-columns.js";

const operation = fc.oneof(
  fc.record({ push: fc.integer({ min: 1, max: 150_000 }) }),
  fc.record({ truncateBy: fc.integer({ min: 0, max: 200_000 }) }),
  fc.record({ setAt: fc.nat(), value: fc.nat({ max: 2 ** 32 - 1 }) }),
);

describe("chunked growable columns", () => {
  it("behave like an array under pushes, truncations and writes", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 12 }), (operations) => {
        const column = new GrowableUint32();
        const model: number[] = [];
        let next = 1;
        for (const op of operations) {
          if ("push" in op) {
            for (let i = 0; i < op.push; i++, next++) {
              column.push(next >>> 0);
              model.push(next >>> 0);
            }
          } else if ("truncateBy" in op) {
            const length = Math.max(0, model.length - op.truncateBy);
            column.truncate(length);
            model.length = length;
          } else if (model.length > 0) {
            const at = op.setAt % model.length;
            column.set(at, op.value);
            model[at] = op.value;
          }
          expect(column.length).toBe(model.length);
          if (model.length > 0) expect(column.get(model.length - 1)).toBe(model[model.length - 1]);
        }
        const from = Math.floor(model.length / 3);
        expect(Array.from(column.slice(from, model.length))).toEqual(model.slice(from));
        expect(Array.from(column.finish())).toEqual(model);
      }),
      { numRuns: 40 },
    );
  });

  it("keeps doubles exact", () => {
    const column = new GrowableFloat64();
    const values = [0, 1.5, 2 ** 53 - 1, 0xc000000000, 2 ** 64];
    for (let i = 0; i < 70_000; i++) column.push(values[i % values.length]!);
    const out = column.finish();
    expect(out.length).toBe(70_000);
    expect(out[69_999]).toBe(values[69_999 % values.length]);
    expect(out[65_538]).toBe(values[65_538 % values.length]);
  });
});
