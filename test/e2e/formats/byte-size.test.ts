/**
 * The byte-size parser (src/formats/byte-size.ts) against the Go runtime's own GOMEMLIMIT parsing, in
 * a real Go program. Its spellings, the CLI flag wrapper and the gctrace hint are unit-tested in
 * test/formats/byte-size.test.ts.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { parseByteSize } from "../../../src/formats/byte-size.js";
import { buildGoProgram } from "../../support/go.js";

const execFileAsync = promisify(execFile);

/** A count small enough that count × 1024^4 stays a safe integer. */
const count = fc.integer({ min: 0, max: 8191 });

describe("agreement with the Go runtime's GOMEMLIMIT parsing", () => {
  let memlimit: string;
  beforeAll(async () => {
    memlimit = await buildGoProgram(path.resolve(import.meta.dirname, "programs/memlimit"));
  }, 240_000);

  /** The limit the Go runtime read from GOMEMLIMIT=`text`, or null when it refused to start. */
  async function goMemoryLimit(text: string): Promise<number | null> {
    try {
      const { stdout } = await execFileAsync(memlimit, [], { env: { ...process.env, GOMEMLIMIT: text } });
      return Number(stdout.trim());
    } catch (error) {
      expect(String((error as { stderr?: string }).stderr)).toMatch(/malformed GOMEMLIMIT/);
      return null;
    }
  }

  it("reads every spelling Go accepts as the same number of bytes", async () => {
    const spellings = [
      "0",
      "2048",
      "2048B",
      "007MiB",
      ...fc.sample(
        fc
          .tuple(count, fc.constantFrom("", "B", "KiB", "MiB", "GiB", "TiB"))
          .map(([n, unit]) => `${n}${unit}`),
        { numRuns: 16, seed: 7 },
      ),
    ];
    for (const text of spellings) {
      const go = await goMemoryLimit(text);
      expect(go, `Go accepts GOMEMLIMIT=${text}`).not.toBeNull();
      expect(parseByteSize(text), text).toBe(go);
    }
  }, 120_000);

  it("goes beyond Go where Go refuses: decimal units, fractions, spaces, lower case, Kubernetes Ki", async () => {
    const extensions: [string, number][] = [
      ["1GB", 1e9],
      ["512MB", 512e6],
      ["1.5GiB", 1.5 * 1024 ** 3],
      ["2 GiB", 2 * 1024 ** 3],
      ["512mib", 512 * 1024 ** 2],
      ["256Mi", 256 * 1024 ** 2],
    ];
    for (const [text, bytes] of extensions) {
      expect(await goMemoryLimit(text), `Go refuses GOMEMLIMIT=${text}`).toBeNull();
      expect(parseByteSize(text), text).toBe(bytes);
    }
  }, 120_000);
});
