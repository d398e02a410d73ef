/**
 * The parser reads bytes (gc lines scanned in the read buffer, lines it can only count counted
 * undecoded, the rest decoded line by line) and encodes text input to take the same path; the
 * result must not depend on the form or the chunking of the input: one string, strings cut
 * anywhere (even inside a surrogate pair), bytes cut anywhere (even inside a UTF-8 character),
 * strings and bytes mixed, GcTraceAnalyzer's reused cycle object. Input: real traces from the
 * fixtures (gctrace, pacertrace, scavtrace of Go 1.19–1.26) mixed with every kind of line the
 * parser tells apart.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GcTraceAnalyzer, summarizeGcRun } from "../../../src/analysis/gc-stats.js";
import {
  type GcCycle,
  GcTraceParser,
  type GcTraceParserOptions,
  parseGcTrace,
} from "../../../src/formats/gctrace/index.js";

const fixtures = path.resolve(import.meta.dirname, "../../fixtures/gctrace");
const realLines = readdirSync(fixtures)
  .filter((f) => f.endsWith(".txt"))
  .flatMap((f) => readFileSync(path.join(fixtures, f), "utf8").split("\n"))
  .filter((l) => l !== "");
const realGcLines = realLines.filter((l) => l.startsWith("gc "));

/** Lines of every class the parser distinguishes, including near misses of each. */
const otherLines = [
  "",
  "   ",
  "\t",
  "GC forced",
  "2024/05/01 12:00:07 handled request id=7 in 12ms",
  "panic: runtime error: index out of range [5] with length 3",
  "goroutine 1 [running]:",
  "GOMEMLIMIT=768MiB",
  "config: GOMEMLIMIT: 2GiB",
  "GOGC=off",
  "setting gogc = OFF",
  "SCHED 1004ms: gomaxprocs=2 idleprocs=2 threads=5",
  "gc1(1): 0+0+0 ms, 0 -> 0 MB 14 -> 15 (16-1) objects",
  "scvg0: inuse: 3, idle: 0, sys: 4, released: 0, consumed: 4 (MB)",
  "scvg-1: 12 MB released",
  "scav 12 KiB work, 100 KiB total, 97% util",
  "pacer: assist ratio=+1.1e+000 (scan 0 MB in 3->4 MB) workers=0++2.5e-001",
  "a pacer without colon, a scan, a scale",
  "Gc Go gO go gopher",
  "héllo wörld",
  "∆goal 245760",
  "emoji 😀 outside the Basic Multilingual Plane",
  "é".repeat(150),
  '{"log":"hello\\n","stream":"stderr","time":"2024-05-01T12:00:00Z"}',
  '{"msg":"structured","level":"info"}',
  "2024-05-01T12:00:00.000000000Z stderr F application line",
  "2024-05-01T12:00:00.000000000Z stderr P partial ",
  "\u0000\u0001\u0002 binary",
  "x".repeat(500),
];

/** A stream of real and other lines, some real gc lines split or prefixed, CRLF or LF. */
const streams = fc
  .record({
    picks: fc.array(
      fc.oneof(
        { weight: 6, arbitrary: fc.nat().map((i) => realLines[i % realLines.length]) },
        { weight: 3, arbitrary: fc.constantFrom(...otherLines) },
        {
          weight: 1,
          arbitrary: fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...otherLines)).map(([i, cut, between]) => {
            const line = realGcLines[i % realGcLines.length];
            const k = 1 + (cut % (line.length - 1));
            return `${line.slice(0, k)}\n${between}\n${line.slice(k)}`;
          }),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(
              fc.nat(),
              fc.constantFrom("I0501 12:00:00 ", "stderr: ", "[app] ", "∆ ", "😀 ", `${"é".repeat(60)} `),
            )
            .map(([i, prefix]) => prefix + realGcLines[i % realGcLines.length]),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.nat(), fc.constantFrom(" (héllo)", " (😀 leak check)", " (a) (forced)", " (unclosed"))
            .map(([i, suffix]) => realGcLines[i % realGcLines.length] + suffix),
        },
      ),
      { minLength: 1, maxLength: 120 },
    ),
    crlf: fc.boolean(),
    finalNewline: fc.boolean(),
    cuts: fc.array(fc.nat(), { maxLength: 8 }),
  })
  .map(({ picks, crlf, finalNewline, cuts }) => {
    const eol = crlf ? "\r\n" : "\n";
    const text = picks.join("\n").split("\n").join(eol) + (finalNewline ? eol : "");
    const bytes = new TextEncoder().encode(text);
    const chunks = cutAt(bytes, cuts);
    const textChunks = cutAt(text, cuts);
    return { text, chunks, textChunks };
  });

/** `whole` cut at the positions `cuts` (modulo its length), in order. */
function cutAt<T extends string | Uint8Array>(whole: T, cuts: number[]): T[] {
  const at = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
  const pieces: T[] = [];
  let previous = 0;
  for (const c of [...at, whole.length]) {
    pieces.push((typeof whole === "string" ? whole.slice(previous, c) : whole.subarray(previous, c)) as T);
    previous = c;
  }
  return pieces;
}

function parseChunks(chunks: (string | Uint8Array)[], options: GcTraceParserOptions = {}) {
  const parser = new GcTraceParser({ keepRecords: true, ...options });
  for (const c of chunks) parser.push(c);
  return parser.end();
}

describe("text and bytes in any chunking give one result", () => {
  it("for any mix of lines: same cycles, counts, repairs and hints as parseGcTrace of the whole text", () => {
    fc.assert(
      fc.property(streams, ({ text, chunks, textChunks }) => {
        const whole = parseGcTrace(text);
        // Node's read streams hand out Buffers; some callers pass plain Uint8Arrays.
        expect(parseChunks(chunks.map((c, i) => (i % 2 ? Buffer.from(c) : c)))).toEqual(whole);
        expect(parseChunks([text])).toEqual(whole);
        expect(parseChunks([Buffer.from(text)])).toEqual(whole);
        expect(parseChunks(textChunks)).toEqual(whole);
      }),
      { numRuns: 150 },
    );
  });

  it("strings and bytes mixed in one stream, and long lines cut the same in every form", () => {
    fc.assert(
      fc.property(streams, fc.constantFrom(40, 100, 250), ({ text, chunks, textChunks }, maxLineLength) => {
        const options = { maxLineLength };
        const whole = parseChunks([text], options);
        expect(parseChunks(chunks, options)).toEqual(whole);
        expect(parseChunks(textChunks, options)).toEqual(whole);
        // Bytes in small pieces: every line longer than a piece is carried over, and cut when long.
        const bytes = Buffer.from(text);
        const pieces = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) =>
          bytes.subarray(i * 7, i * 7 + 7),
        );
        expect(parseChunks(pieces, options)).toEqual(whole);
        // Every surrogate pair split between two strings.
        expect(parseChunks(text.split(/(?<=[\uD800-\uDBFF])/), options)).toEqual(whole);
        // Alternate forms at line boundaries (a cut inside a character cannot be mixed).
        const lines = text.split(/(?<=\n)/);
        expect(
          parseChunks(
            lines.map((l, i) => (i % 2 ? Buffer.from(l) : l)),
            options,
          ),
        ).toEqual(whole);
      }),
      { numRuns: 100 },
    );
  });

  it("decodes a non-ASCII annotation as UTF-8 in every form", () => {
    const line = `${realGcLines[0]} (héllo 😀)\n`;
    for (const input of [line, Buffer.from(line)]) {
      const cycle = parseChunks([input]).runs[0].cycles[0];
      expect(cycle.annotations).toEqual(["héllo 😀"]);
    }
  });

  it("reuseCycleObjects hands each cycle over with the same figures as a new object", () => {
    fc.assert(
      fc.property(streams, ({ text, chunks }) => {
        const seen: GcCycle[] = [];
        let previous: GcCycle | undefined;
        let reused = 0;
        const parser = new GcTraceParser({
          keepRecords: false,
          reuseCycleObjects: true,
          onCycle: (cycle) => {
            if (cycle === previous) reused++;
            previous = cycle;
            seen.push(structuredClone(cycle));
          },
        });
        for (const c of chunks) parser.push(c);
        parser.end();
        const expected = parseGcTrace(text).runs.flatMap((r) => r.cycles);
        expect(seen).toHaveLength(expected.length);
        // Cycles are handed over in stream order; runs list them per process.
        const byLine = (a: GcCycle, b: GcCycle) => a.lineNumber - b.lineNumber || a.cycle - b.cycle;
        expect([...seen].sort(byLine)).toEqual([...expected].sort(byLine));
        if (expected.length > 2 && expected.every((c) => c.layout === expected[0].layout)) {
          expect(reused).toBeGreaterThan(0);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("GcTraceAnalyzer (reused objects, bytes) summarizes a run as summarizeGcRun does on kept records", () => {
    const text = readFileSync(path.join(fixtures, "go1.26-slow-leak-forced-gc.txt"), "utf8");
    const analyzer = new GcTraceAnalyzer();
    analyzer.push(Buffer.from(text));
    analyzer.end();
    const analysis = analyzer.analysis("slow-leak")!;
    const parse = parseGcTrace(text);
    const run = parse.runs.find((r) => r.index === analysis.targetRunIndex)!;
    expect(analysis.summary).toEqual(summarizeGcRun(run));
    expect(analysis.summary.cycles).toBe(run.cycleCount);
  });
});
