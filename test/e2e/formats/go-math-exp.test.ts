/**
 * goExp reproduces Go's math.Exp bit for bit (on amd64, where `go tool pprof` most often runs),
 * checked against a real Go program: pprof's legacy heap unsampling depends on its last bits.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { fusedMultiplyAdd, goExp } from "../../../src/formats/go-math-exp.js";
import { buildGoProgram } from "../../support/go.js";

const execFileAsync = promisify(execFile);
const view = new DataView(new ArrayBuffer(8));
const fromBits = (hex: string) => {
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
};
const toBits = (x: number) => {
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, "0");
};

/** Go uses its FMA path on amd64 CPUs with AVX and FMA. */
function cpuHasFma(): boolean {
  try {
    const flags = readFileSync("/proc/cpuinfo", "utf8");
    return /\bfma\b/.test(flags) && /\bavx\b/.test(flags);
  } catch {
    return false;
  }
}

describe("goExp", () => {
  it.runIf(process.arch === "x64")(
    "equals Go's math.Exp bit for bit, where Math.exp often does not",
    async () => {
      const binary = await buildGoProgram(path.resolve(import.meta.dirname, "programs/goexp"));
      const { stdout } = await execFileAsync(binary, ["-n", "15000"], { maxBuffer: 64 << 20 });
      const useFma = cpuHasFma();
      let mathExpDiffers = 0;
      let checked = 0;
      for (const line of stdout.trim().split("\n")) {
        const [xBits, expected] = line.split(" ") as [string, string];
        const x = fromBits(xBits);
        const actual = toBits(goExp(x, useFma));
        if (actual !== expected && !(Number.isNaN(x) && Number.isNaN(goExp(x, useFma)))) {
          expect(`${x} → ${actual}`).toBe(`${x} → ${expected}`);
        }
        if (toBits(Math.exp(x)) !== expected) mathExpDiffers++;
        checked++;
      }
      expect(checked).toBe(30012);
      // Why this module exists: V8's exp differs in the last bit for a good share of inputs.
      expect(mathExpDiffers).toBeGreaterThan(checked / 50);
    },
  );

  it("computes a fused multiply-add with one rounding", () => {
    // (1 + 2^-52)(1 - 2^-52) - 1 = -2^-104 exactly; separate rounding gives 0.
    const a = 1 + 2 ** -52;
    const b = 1 - 2 ** -52;
    expect(a * b - 1).toBe(0);
    expect(fusedMultiplyAdd(a, b, -1)).toBe(-(2 ** -104));
    expect(fusedMultiplyAdd(3, 5, 7)).toBe(22);
    expect(fusedMultiplyAdd(0.1, 10, -1)).toBe(5.551115123125783e-17);
  });
});
