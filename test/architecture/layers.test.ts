import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { findViolations } from "../../scripts/check-layers.mjs";

describe("import layers", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "heapscope-layers-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("src/ has no import that runs back up a layer, and every file is in a layer", () => {
    const { violations, unplaced } = findViolations();
    expect(violations).toEqual([]);
    expect(unplaced).toEqual([]);
  });

  it("reports an import from a lower layer to a higher one", () => {
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
      writeFileSync(path.join(scratch, file), text);
    };
    write("cli/main.ts", 'import { x } from "../formats/a.js";\nexport const y = x;\n');
    write("formats/a.ts", 'import { z } from "../analysis/b.js";\nexport const x = z;\n');
    write("analysis/b.ts", "export const z = 1;\n");
    write("model/c.ts", 'import type { Y } from "../cli/main.js";\nexport type C = Y;\n');
    write("stray/d.ts", "export const d = 1;\n");
    const { violations, unplaced } = findViolations(scratch);
    expect(violations).toEqual([
      { file: "formats/a.ts", imports: "analysis/b.ts", from: "formats", to: "analysis" },
      { file: "model/c.ts", imports: "cli/main.ts", from: "model", to: "cli" },
    ]);
    expect(unplaced).toEqual(["stray/d.ts"]);
  });
});
