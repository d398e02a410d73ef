/**
 * The two ways heapscope reaches a graph report must agree exactly: the fast path (samples decoded
 * straight into columns, used for one file without sample filters) and the regular path (sample
 * objects, needed by filters, merges and diffs). Both are run on real heap profiles written by the
 * heapsites program, for every graph report and a spread of options.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeProfile, decodeProfileColumns } from "../../../src/formats/pprof-proto-decode.js";
import { inflateGzip, parseProfileBytes } from "../../../src/formats/profile-bytes.js";
import { applyDropFrames } from "../../../src/profile/drop-frames.js";
import {
  combineSources,
  prepareReport,
  type ReportKind,
  type ReportOptions,
} from "../../../src/profile/prepare.js";
import { renderList } from "../../../src/render/pprof/list.js";
import { renderTop } from "../../../src/render/pprof/top.js";
import { renderTree } from "../../../src/render/pprof/tree.js";
import { buildProgram, freshDir, removeFreshDirs, run } from "./oracle-support.js";

let dir = "";

beforeAll(async () => {
  const sites = await buildProgram("heapsites");
  dir = freshDir("columnar");
  const result = await run(sites, ["-rate", "4096", dir]);
  expect(result.code, result.stderr).toBe(0);
}, 300_000);

afterAll(removeFreshDirs);

const noFiles = { read: () => ({ error: "not read in this test" }) };

/** The report text, or the error it ends in (both paths must fail alike too). */
function render(kind: ReportKind, prepare: () => ReturnType<typeof prepareReport>): string {
  try {
    const report = prepare();
    if (kind === "top") return renderTop(report);
    if (kind === "list") return renderList(report, noFiles);
    return renderTree(report);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

describe("columnar fast path", () => {
  const optionSets: ReportOptions[] = [
    {},
    { sampleIndex: "alloc_space" },
    { sampleIndex: "inuse_objects", cum: true },
    { granularity: "lines" },
    { granularity: "addresses", noInlines: true },
    { granularity: "files" },
    { mean: true },
    { nodeCount: 4 },
    { nodeFraction: 0, edgeFraction: 0 },
    { unit: "kb", dropNegative: true },
  ];
  for (const file of ["heap-1.pb.gz", "heap-2.pb.gz", "allocs.pb.gz", "delta.pb.gz"]) {
    it(`renders ${file} exactly as the regular path does`, () => {
      const bytes = readFileSync(path.join(dir, file));
      const fast = decodeProfileColumns(inflateGzip(bytes));
      const regular = combineSources([parseProfileBytes(bytes, file).profile], [], {}, applyDropFrames);
      expect(fast.columns.count).toBe(regular.samples.length);
      for (const options of optionSets) {
        for (const kind of ["top", "tree", "peek", "list"] as const) {
          const withSymbol =
            kind === "peek" || kind === "list" ? { ...options, symbol: "main\\.|runtime\\.m" } : options;
          const a = render(kind, () => prepareReport(fast.profile, kind, withSymbol, fast.columns));
          const b = render(kind, () => prepareReport(regular, kind, withSymbol));
          expect(a).not.toMatch(/^error: (?!no matches)/);
          expect(a, `${kind} ${JSON.stringify(withSymbol)}`).toBe(b);
        }
      }
    });
  }

  it("refuses the bytes the regular path refuses, with the same error", () => {
    const message = (decode: () => unknown) => {
      try {
        decode();
      } catch (error) {
        return (error as Error).message;
      }
      return "decoded";
    };
    for (const bad of [
      new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
      new TextEncoder().encode("heap profile: 1: 2 [3: 4] @ heap/1048576"),
    ]) {
      const columnar = message(() => decodeProfileColumns(bad));
      expect(columnar).not.toBe("decoded");
      expect(columnar).toBe(message(() => decodeProfile(bad)));
    }
  });
});
