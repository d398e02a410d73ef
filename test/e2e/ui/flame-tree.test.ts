/**
 * The flame tree builder against `go tool pprof` on a real Go heap profile. Its rules on synthetic
 * profiles are in test/profile/flame-tree.test.ts.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parseProfileBytes } from "../../../src/formats/profile-bytes.js";
import { buildFlameTree, type FlameTree } from "../../../src/profile/flame-tree.js";
import { buildGoProgram, runGo } from "../../support/go.js";

const execFileAsync = promisify(execFile);

function nameOf(tree: FlameTree, node: number): string {
  return tree.names[tree.nameIndex[node]!]!;
}

describe("on a real Go heap profile", () => {
  let profilePath: string;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "heapscope-flame-"));
    const binary = await buildGoProgram(path.join(import.meta.dirname, "programs/leakyheap"));
    profilePath = path.join(dir, "after.pb.gz");
    await execFileAsync(binary, ["-before", path.join(dir, "before.pb.gz"), "-after", profilePath]);
  });

  it("has pprof's functions, and each frame that occurs once carries pprof's cum", async () => {
    const { profile } = parseProfileBytes(readFileSync(profilePath), profilePath);
    for (const sampleIndex of ["alloc_space", "inuse_space"]) {
      const index = profile.sampleTypes.findIndex((t) => t.type === sampleIndex);
      const tree = buildFlameTree(profile, { sampleIndex: index });
      const { stdout } = await runGo(
        ["tool", "pprof", "-top", "-nodefraction=0", "-unit=B", `-sample_index=${sampleIndex}`, profilePath],
        { maxBuffer: 16 << 20 },
      );
      const pprofCum = new Map<string, number>();
      for (const line of stdout.split("\n")) {
        const m = /^\s*(?:0|\d+B)\s+\S+%\s+\S+%\s+(\d+)B\s+\S+%\s+(.+?)(?: \((?:partial-)?inline\))?$/.exec(
          line,
        );
        if (m) pprofCum.set(m[2]!, Number(m[1]));
      }
      expect(pprofCum.size).toBeGreaterThan(5);
      const occurrences = new Map<string, number[]>();
      for (let i = 1; i < tree.nodeCount; i++) {
        const list = occurrences.get(nameOf(tree, i)) ?? [];
        list.push(i);
        occurrences.set(nameOf(tree, i), list);
      }
      expect(new Set(occurrences.keys())).toEqual(new Set(pprofCum.keys()));
      let compared = 0;
      for (const [name, nodes] of occurrences) {
        if (nodes.length !== 1) continue;
        expect(tree.total[nodes[0]!], `${sampleIndex} ${name}`).toBe(pprofCum.get(name));
        compared++;
      }
      expect(compared).toBeGreaterThan(5);
    }
  });
});
