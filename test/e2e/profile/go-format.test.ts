/**
 * heapscope's reimplementation of Go formatting, checked against Go itself (the goref program):
 * %.2f / %5.2g / %.2g / %.0f on exact ties (where JavaScript and Go round differently), random and
 * boundary values; time.Duration strings and their %.4v cut; time.Time strings; text/tabwriter;
 * and regexp matching through the RE2 → JavaScript translation.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  formatFixed,
  formatG,
  formatGoDuration,
  formatGoTimeString,
  formatReportTime,
  truncateRunes,
} from "../../../src/profile/go-format.js";
import { compileGoRegexp } from "../../../src/profile/go-regexp.js";
import { tabwriterFormat } from "../../../src/render/pprof/tabwriter.js";
import { buildGoProgram } from "../../support/go.js";

let goref = "";

beforeAll(async () => {
  goref = await buildGoProgram(path.join(import.meta.dirname, "programs/goref"));
}, 300_000);

interface Answer {
  floats: Array<{ f2: string; g52: string; g2: string; f0: string }>;
  durations: string[];
  durations4: string[];
  times: string[];
  layouts: string[];
  tabs: string[];
  regexps: Array<{ valid: boolean; match: boolean }>;
}

async function ask(request: object): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const child = execFile(goref, [], { maxBuffer: 64 << 20 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(JSON.parse(stdout) as Answer);
    });
    child.stdin!.end(JSON.stringify(request));
  });
}

function bitsOf(v: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  return view.getBigUint64(0).toString(16);
}

function floatCases(): number[] {
  const values: number[] = [
    0, -0, 1, -1, 0.5, 1.5, 2.5, 99.95, 99.949999, 100.05, 1e21, 1e22, 123456789.125, 5e-324,
  ];
  // Exact ties at the second decimal (odd multiples of 1/8) and at two significant digits.
  for (let n = 1; n < 400; n += 2) values.push(n / 8, -n / 8, n / 16, n / 64, n / 1024);
  for (let e = -12; e <= 12; e++)
    for (const m of [1.25, 2.5, 4.5, 6.25, 9.5, 9.95, 9.99, 1.05]) values.push(m * 2 ** e, m * 10 ** e);
  // Byte counts in kB and MB, and report percentages, as pprof computes them.
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < 400; i++) {
    const bytes = Math.floor(random() * 2 ** (8 + (i % 30)));
    values.push(bytes / 1024, bytes / 2 ** 20, Math.abs(bytes / (bytes * 3 + 7)) * 100);
    values.push(random() * 10 ** ((i % 16) - 8));
  }
  return values;
}

describe("Go number formatting", () => {
  it("matches fmt's %.2f, %5.2g, %.2g and %.0f, ties included", async () => {
    const values = floatCases();
    const answer = await ask({ floats: values.map(bitsOf) });
    const mismatches: string[] = [];
    values.forEach((v, i) => {
      const want = answer.floats[i]!;
      const got = {
        f2: formatFixed(v, 2),
        g52: formatG(v, 2).padStart(5),
        g2: formatG(v, 2),
        f0: formatFixed(v, 0),
      };
      for (const k of ["f2", "g52", "g2", "f0"] as const) {
        if (got[k] !== want[k])
          mismatches.push(`${v} ${k}: go ${JSON.stringify(want[k])} ours ${JSON.stringify(got[k])}`);
      }
    });
    expect(mismatches).toEqual([]);
    // The cases include values where JavaScript's own rounding disagrees with Go's.
    expect((1.125).toFixed(2)).not.toBe(answer.floats[values.indexOf(1.125)]!.f2);
  }, 60_000);

  it("matches fmt on arbitrary doubles (property)", async () => {
    const values = fc.sample(
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
      3000,
    );
    const answer = await ask({ floats: values.map(bitsOf) });
    values.forEach((v, i) => {
      expect(formatFixed(v, 2), `${v}`).toBe(answer.floats[i]!.f2);
      expect(formatG(v, 2), `${v}`).toBe(answer.floats[i]!.g2);
    });
  }, 60_000);
});

describe("Go time formatting", () => {
  it("matches time.Duration.String and pprof's %.4v cut", async () => {
    const durations = [
      0n,
      1n,
      999n,
      1000n,
      1500n,
      999_999n,
      1_000_000n,
      1_500_000n,
      123_456_789n,
      1_000_000_000n,
      1_500_000_000n,
      10_001_234_567n,
      61_000_000_000n,
      3_601_000_000_000n,
      3_661_500_000_000n,
      -1_500_000_000n,
      -999n,
      2n ** 62n,
      86_400_000_000_000n,
    ];
    const answer = await ask({ durations: durations.map(String) });
    durations.forEach((d, i) => {
      expect(formatGoDuration(d)).toBe(answer.durations[i]);
      expect(truncateRunes(formatGoDuration(d), 4)).toBe(answer.durations4[i]);
    });
  });

  it("matches time.Time's String and pprof's header layout (in this machine's zone)", async () => {
    const times = [1n, 1_795_636_135_430_123_456n, 1_700_000_000_000_000_000n, 1_700_000_000_500_000_000n];
    const answer = await ask({ times: times.map(String) });
    const utc = new Date(0).getTimezoneOffset() === 0 && (process.env.TZ ?? "") === "";
    times.forEach((t, i) => {
      if (utc) {
        expect(formatGoTimeString(t)).toBe(answer.times[i]);
        expect(formatReportTime(t)).toBe(answer.layouts[i]);
      } else {
        // Zone abbreviations come from different databases; the rest must agree.
        expect(formatReportTime(t).slice(0, 19)).toBe(answer.layouts[i]!.slice(0, 19));
      }
    });
  });
});

describe("text/tabwriter", () => {
  it("lays out right-aligned columns as Go does", async () => {
    const texts = [
      "bytes:\t Total 9.57MB of 9.57MB (  100%)\n \t3MB (31.35%):\t 3MB\n \t1MB (10.45%):\t 1MB\n \t0.50kB (0.0051%):\t 512B\n\n",
      "a\tbb\tccc\n\nxxxxxx\ty\n\tz\tlast\n",
      "one\n\ttwo\n\t\tthree\nfour\tfive\n",
      "ünïcode\tx\nab\tyy\n\n",
      "no tabs at all\n",
      "",
    ];
    const answer = await ask({ tabs: texts });
    texts.forEach((t, i) => {
      expect(tabwriterFormat(t, { alignRight: true })).toBe(answer.tabs[i]);
    });
  });
});

describe("Go regular expressions", () => {
  it("match like Go's regexp after translation", async () => {
    const pairs: Array<[string, string]> = [
      ["main\\.", "main.foo"],
      ["main\\.", "mainxfoo"],
      ["(?i)MAIN", "main.foo"],
      ["(?P<pkg>main)\\.(load|save)", "main.save"],
      ["[[:alpha:]]+[[:digit:]]", "abc1"],
      ["^[[:upper:]]", "lower"],
      ["\\Amain", "xmain"],
      ["foo\\z", "foo"],
      ["foo\\z", "foo\n"],
      ["a.b", "a\nb"],
      ["a.b", "a\rb"],
      ["(?s)a.b", "a\nb"],
      ["x\\sy", "x\u00a0y"],
      ["x\\sy", "x y"],
      ["\\Q.*+\\E$", "a.*+"],
      ["\\Q.*+\\E$", "aaaa"],
      ["[]a]", "]"],
      ["[^]a]", "b"],
      ["Cache\\)\\.Put", "main.(*Cache).Put"],
      ["\\(\\*Cache\\)", "main.(*Cache).Put"],
      ["runtime|fmt", "fmt.Sprintf"],
      ["^$", ""],
      ["é+", "café"],
    ];
    const answer = await ask({ regexps: pairs });
    pairs.forEach(([pattern, input], i) => {
      const want = answer.regexps[i]!;
      expect(want.valid, pattern).toBe(true);
      expect(compileGoRegexp(pattern, "test").test(input), `${pattern} on ${JSON.stringify(input)}`).toBe(
        want.match,
      );
    });
  });
});
