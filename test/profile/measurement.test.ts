/**
 * Units and percentages as pprof prints them (internal/measurement): edge cases where a naive
 * implementation differs — half-even ties, negative values that round to zero, the 99.95..100.05
 * "100%" band, the %g form below 1 %, count units, and the trailing-"s" unit sniffing.
 */
import { describe, expect, it } from "vitest";
import { compatibleUnits, percentage, scaledLabel, scaleValue } from "../../src/profile/measurement.js";

describe("scaledLabel", () => {
  it.each([
    [0, "bytes", "minimum", "0"],
    [1023, "bytes", "minimum", "1023B"],
    [1024, "bytes", "minimum", "1kB"],
    [1536, "bytes", "auto", "1.50kB"],
    [1152, "bytes", "kb", "1.12kB"], // 1.125 rounds to even, as Go does
    [1167, "bytes", "kb", "1.14kB"],
    [-2048, "bytes", "minimum", "-2kB"],
    [-1, "bytes", "kb", "0"], // "-0.00" → "-0" → "0"
    [3 * 2 ** 30, "bytes", "minimum", "3GB"],
    [2 ** 20 + 1, "bytes", "mb", "1MB"],
    [5, "count", "minimum", "5"],
    [5, "count", "kb", "5kb"], // no unit family: the requested unit is printed as given
    [1500, "nanoseconds", "auto", "1.50us"],
    [90e9, "nanoseconds", "auto", "90s"],
    [7200e9, "nanoseconds", "auto", "2hrs"],
    [2048, "bytes", "B", "2048B"],
    [2048, "bytes", "furlongs", "2048B"], // unknown target in a known family: the family's default unit
    [12345, "Bytes", "minimum", "12.06kB"], // units are matched case-insensitively
  ])("%d %s → %s = %s", (value, from, to, want) => {
    expect(scaledLabel(value, from, to)).toBe(want);
  });

  it("trims a trailing s only from unit names longer than two bytes", () => {
    expect(scaleValue(5, "ms", "ns")).toEqual([5e6, "ns"]);
    expect(scaleValue(1, "seconds", "ms")).toEqual([1000, "ms"]);
    expect(scaleValue(2, "bytes", "kbytes")).toEqual([2 / 1024, "kB"]);
  });
});

describe("percentage", () => {
  it.each([
    [0, 0, "    0%"],
    [0, 10, "    0%"],
    [1, 100, " 1.00%"],
    [999, 1000, "99.90%"],
    [9995, 10000, "  100%"],
    [10005, 10000, "  100%"],
    [10006, 10000, "100.06%"],
    [-5, 10, "50.00%"],
    [1, 200, "  0.5%"],
    [52, 10 ** 7, "0.00052%"],
    [5, 10 ** 7, "5e-05%"],
    [1, 3, "33.33%"],
    [9949, 1000000, " 0.99%"],
    // 0.99500…01 % is below 1 %, so it takes the %5.2g form, which rounds it up to "1".
    [9950, 1000000, "    1%"],
  ])("%d of %d = %j", (value, total, want) => {
    expect(percentage(value, total)).toBe(want);
  });
});

describe("compatibleUnits", () => {
  it("accepts units of one family and rejects the rest", () => {
    expect(compatibleUnits("bytes", "kb")).toBe(true);
    expect(compatibleUnits("nanoseconds", "seconds")).toBe(true);
    expect(compatibleUnits("count", "count")).toBe(true);
    expect(compatibleUnits("count", "bytes")).toBe(false);
    expect(compatibleUnits("bytes", "seconds")).toBe(false);
  });
});
