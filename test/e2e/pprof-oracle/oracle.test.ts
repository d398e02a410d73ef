/**
 * heapscope's pprof-style reports against live `go tool pprof` of Go 1.26.8 and of Go 1.27.3, byte
 * for byte. For each toolchain, real Go programs built with it write the profiles (fresh each run)
 * and every case of the generated matrix runs that toolchain's pprof and heapscope with the same
 * flags on the same files. A case passes when stdout (the `Time:` line excepted) is identical and
 * the exit status is the same; when both refuse, their error messages must mean the same thing.
 * The only cases allowed to differ are listed in ./exclusions.ts with their reason, and the test
 * checks that list exactly: each reason must still hold, and nothing unlisted may differ. Nothing is
 * cached between runs.
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GoToolchain, PINNED_TOOLCHAINS, repoRoot } from "../../support/go.js";
import { type Exclusion, type ExclusionReason, ORACLE_EXCLUSIONS } from "./exclusions.js";
import { buildMatrix, type Case, type Fixture } from "./matrix.js";
import {
  buildProgram,
  errorMeaning,
  firstDifferences,
  freshDir,
  mapLimit,
  orderInsensitive,
  pprofBinary,
  type RunResult,
  removeFreshDirs,
  run,
  runHeapscope,
  runHeapscopeInProcess,
  runPprof,
  withoutTimeLines,
} from "./oracle-support.js";

interface Oracle {
  toolchain: GoToolchain;
  pprof: string;
  home: string;
  fixtures: Record<Fixture, string>;
}

/** Builds the fixture programs with `toolchain`, writes the fixtures, finds that release's pprof. */
async function prepare(toolchain: GoToolchain): Promise<Oracle> {
  const [sites, stacks, labels, pprof] = await Promise.all([
    buildProgram("heapsites", toolchain),
    buildProgram("bigstacks", toolchain),
    buildProgram("cpulabels", toolchain),
    pprofBinary(toolchain),
  ]);
  const dir = freshDir(`fixtures-${toolchain}`);
  const home = freshDir(`home-${toolchain}`);
  const exact = path.join(dir, "exact");
  const sampled = path.join(dir, "sampled");
  mkdirSync(exact);
  mkdirSync(sampled);
  const results = await Promise.all([
    run(sites, [exact]),
    run(sites, ["-rate", "524288", sampled]),
    run(stacks, ["-depth", "12", path.join(dir, "stacks.pb.gz")]),
    run(labels, [dir]),
  ]);
  for (const r of results) expect(r.code, r.stderr).toBe(0);
  const fixtures: Record<Fixture, string> = {
    s1: path.join(exact, "heap-1.pb.gz"),
    s2: path.join(exact, "heap-2.pb.gz"),
    al: path.join(exact, "allocs.pb.gz"),
    dl: path.join(exact, "delta.pb.gz"),
    r1: path.join(sampled, "heap-1.pb.gz"),
    r2: path.join(sampled, "heap-2.pb.gz"),
    bs: path.join(dir, "stacks.pb.gz"),
    cp: path.join(dir, "cpu.pb.gz"),
    gr: path.join(dir, "goroutine.pb.gz"),
    cm: path.join(dir, "commented.pb.gz"),
  };
  // pprof itself writes the profile with a comment (Go programs write none).
  const commented = await runPprof(
    pprof,
    ["-proto", "-add_comment=built from release v1.2.3", "-output", fixtures.cm, fixtures.s2],
    home,
  );
  expect(commented.code, commented.stderr).toBe(0);
  return { toolchain, pprof, home, fixtures };
}

afterAll(removeFreshDirs);

function resolveFlags(oracle: Oracle, flags: string[]): string[] {
  return flags.map((flag) => {
    const base = /^-(diff_base|base)=(\w+)$/.exec(flag);
    if (base && base[2]! in oracle.fixtures) return `-${base[1]}=${oracle.fixtures[base[2] as Fixture]}`;
    return flag.replaceAll("{root}", repoRoot);
  });
}

type Outcome =
  | { id: string; status: "same"; refused?: string }
  | { id: string; status: "excluded"; reason: ExclusionReason }
  | { id: string; status: "different"; detail: string };

/** Every 25th case also runs the built binary as its own process, end to end. */
const processEvery = 25;

/** Runs pprof up to `runs` more times: does it ever print something other than `first`? */
async function pprofVaries(oracle: Oracle, args: string[], first: string, runs = 10): Promise<boolean> {
  for (let i = 0; i < runs; i++) {
    const again = await runPprof(oracle.pprof, args, oracle.home);
    if (withoutTimeLines(again.stdout) !== first) return true;
  }
  return false;
}

/** Both sides refused: the same exit status, no output, and error messages that mean the same. */
function compareRefusals(id: string, theirs: RunResult, ours: RunResult): Outcome {
  const theirMeaning = errorMeaning(theirs.stderr);
  const ourMeaning = errorMeaning(ours.stderr);
  const problems: string[] = [];
  if (theirs.code !== ours.code) problems.push(`exit status: pprof ${theirs.code}, heapscope ${ours.code}`);
  if (theirMeaning === null) problems.push("pprof's error is not in errorMeanings (oracle-support.ts)");
  else if (theirMeaning !== ourMeaning)
    problems.push(`meaning: pprof ${theirMeaning}, heapscope ${ourMeaning}`);
  if (withoutTimeLines(theirs.stdout) !== withoutTimeLines(ours.stdout)) problems.push("stdout differs");
  if (problems.length === 0) return { id, status: "same", refused: theirMeaning! };
  const detail = `both refused, but ${problems.join("; ")}\n    pprof:     ${JSON.stringify(theirs.stderr.trim().split("\n")[0])}\n    heapscope: ${JSON.stringify(ours.stderr.trim())}`;
  return { id, status: "different", detail };
}

async function compareText(oracle: Oracle, c: Case, index: number, exclusion?: Exclusion): Promise<Outcome> {
  const flags = resolveFlags(oracle, c.flags);
  const files = c.files.map((f) => oracle.fixtures[f]);
  const pprofArgs = [c.regex !== undefined ? `-${c.report}=${c.regex}` : `-${c.report}`, ...flags, ...files];
  const heapscopeArgs = [c.report, ...(c.regex !== undefined ? [c.regex] : []), ...flags, ...files];
  const runOurs = index % processEvery === 0 ? runHeapscope : runHeapscopeInProcess;
  const [theirs, ours] = await Promise.all([
    runPprof(oracle.pprof, pprofArgs, oracle.home),
    runOurs(heapscopeArgs),
  ]);
  if (theirs.code !== 0 && ours.code !== 0) return compareRefusals(c.id, theirs, ours);
  if (theirs.code !== 0 || ours.code !== 0) {
    return {
      id: c.id,
      status: "different",
      detail: `exit status: pprof ${theirs.code} (${theirs.stderr.trim().split("\n").pop()}), heapscope ${ours.code} (${ours.stderr.trim()})`,
    };
  }
  const expected = withoutTimeLines(theirs.stdout);
  const actual = withoutTimeLines(ours.stdout);
  if (exclusion) {
    // The reason must hold on this run, and heapscope must print the same lines.
    if (!(await pprofVaries(oracle, pprofArgs, expected))) {
      return {
        id: c.id,
        status: "different",
        detail: `listed in exclusions.ts (${exclusion.reason}), but 11 runs of pprof printed the same: remove the exclusion`,
      };
    }
    if (orderInsensitive(theirs.stdout) !== orderInsensitive(ours.stdout)) {
      return {
        id: c.id,
        status: "different",
        detail: `excluded as ${exclusion.reason}, but the lines differ too\n${firstDifferences(expected, actual)}`,
      };
    }
    return { id: c.id, status: "excluded", reason: exclusion.reason };
  }
  if (expected === actual) return { id: c.id, status: "same" };
  // Say whether pprof is stable on this case: that is what an exclusion would need.
  const varies = await pprofVaries(oracle, pprofArgs, expected, 2);
  const note = varies
    ? orderInsensitive(theirs.stdout) === orderInsensitive(ours.stdout)
      ? "pprof's output varies between runs and the lines are the same as a multiset: an exclusion candidate"
      : "pprof's output varies between runs and the lines differ too"
    : "pprof is stable on this case";
  return { id: c.id, status: "different", detail: `${note}\n${firstDifferences(expected, actual)}` };
}

async function compareProto(oracle: Oracle, c: Case): Promise<Outcome> {
  const flags = resolveFlags(oracle, c.flags);
  const files = c.files.map((f) => oracle.fixtures[f]);
  const dir = freshDir("proto");
  const theirsFile = path.join(dir, "theirs.pb.gz");
  const oursFile = path.join(dir, "ours.pb.gz");
  const [theirs, ours] = await Promise.all([
    runPprof(oracle.pprof, ["-proto", "-output", theirsFile, ...flags, ...files], oracle.home),
    runHeapscopeInProcess(["top", ...flags, "--proto", oursFile, ...files]),
  ]);
  if (theirs.code !== 0 && ours.code !== 0) return compareRefusals(c.id, theirs, ours);
  if (theirs.code !== 0 || ours.code !== 0) {
    return {
      id: c.id,
      status: "different",
      detail: `exit status: pprof ${theirs.code}, heapscope ${ours.code}: ${ours.stderr}`,
    };
  }
  for (const view of ["-raw", "-top"]) {
    const [a, b] = await Promise.all([
      runPprof(oracle.pprof, [view, theirsFile], oracle.home),
      runPprof(oracle.pprof, [view, oursFile], oracle.home),
    ]);
    if (b.code !== 0)
      return { id: c.id, status: "different", detail: `pprof cannot read heapscope's proto: ${b.stderr}` };
    if (withoutTimeLines(a.stdout) !== withoutTimeLines(b.stdout)) {
      return {
        id: c.id,
        status: "different",
        detail: `${view} of the written profiles\n${firstDifferences(a.stdout, b.stdout)}`,
      };
    }
  }
  return { id: c.id, status: "same" };
}

function summarize(toolchain: GoToolchain, cases: Case[], outcomes: Outcome[]): string {
  const byReport = new Map<string, number>();
  for (const c of cases) {
    const k = c.proto ? "proto" : c.report;
    byReport.set(k, (byReport.get(k) ?? 0) + 1);
  }
  const same = outcomes.filter((o) => o.status === "same");
  const refused = same.filter((o) => o.refused !== undefined);
  const excluded = outcomes.filter((o) => o.status === "excluded");
  const different = outcomes.filter((o) => o.status === "different");
  return [
    `pprof oracle, ${toolchain}: ${cases.length} cases (${[...byReport].map(([k, v]) => `${k} ${v}`).join(", ")})`,
    `  identical: ${same.length} (of which both refused, with the same exit status and meaning: ${refused.length})`,
    ...refused.map((o) => `    - ${o.id}: ${o.refused}`),
    `  excluded: ${excluded.length}`,
    ...excluded.map((o) => `    - ${o.id}: ${o.reason}`),
    `  different: ${different.length}`,
    ...different.map((o) => `    - ${o.id}\n${o.detail}`),
  ].join("\n");
}

it("error meanings tell refusals apart and know nothing else", () => {
  expect(errorMeaning("no matches found for regexp: a\n")).toBe("no match (regexp=a)");
  expect(errorMeaning("heapscope: no matches found for regexp: b")).toBe("no match (regexp=b)");
  expect(errorMeaning('invalid value "x" for flag -nodecount: parse error')).toBe(
    errorMeaning('heapscope: --nodecount must be an integer, not "x"'),
  );
  expect(errorMeaning("parsing focus regexp: error parsing regexp: missing closing )")).not.toBe(
    errorMeaning("parsing ignore regexp: Invalid regular expression: /(/: Unterminated group"),
  );
  expect(errorMeaning("open heap.pb.gz: permission denied")).toBeNull();
});

describe.each(PINNED_TOOLCHAINS)("pprof oracle, %s", (toolchain) => {
  let oracle: Oracle;

  beforeAll(async () => {
    oracle = await prepare(toolchain);
  }, 300_000);

  it("matches go tool pprof byte for byte on the generated matrix, except exactly the listed exclusions", async () => {
    const cases = buildMatrix();
    const listed = ORACLE_EXCLUSIONS[toolchain];
    const exclusions = new Map(listed.map((e) => [e.id, e]));
    const ids = new Set(cases.map((c) => c.id));
    expect(listed.filter((e) => !ids.has(e.id))).toEqual([]);
    const outcomes = await mapLimit(cases, 2, (c, i) =>
      c.proto ? compareProto(oracle, c) : compareText(oracle, c, i, exclusions.get(c.id)),
    );
    const summary = summarize(toolchain, cases, outcomes);
    console.log(summary);
    expect(outcomes.filter((o) => o.status === "different")).toEqual([]);
    const excluded = outcomes.flatMap((o) =>
      o.status === "excluded" ? [{ id: o.id, reason: o.reason }] : [],
    );
    const byId = (a: Exclusion, b: Exclusion) => a.id.localeCompare(b.id);
    expect(excluded.sort(byId)).toEqual([...listed].sort(byId));
    expect(outcomes.filter((o) => o.status === "same")).toHaveLength(cases.length - listed.length);
  }, 900_000);

  it("reads profiles over HTTP (with --seconds) exactly as pprof does", async () => {
    const { createServer } = await import("node:http");
    const body = readFileSync(oracle.fixtures.s2);
    const queries: string[] = [];
    const server = createServer((req, res) => {
      queries.push(req.url ?? "");
      res.writeHead(200, { "Content-Type": "application/octet-stream" });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      const url = `http://127.0.0.1:${port}/debug/pprof/heap`;
      for (const args of [["-top"], ["-tree", "-seconds=1"], ["-traces"]]) {
        const [theirs, ours] = await Promise.all([
          runPprof(oracle.pprof, [...args, url], oracle.home),
          runHeapscope([args[0]!.slice(1), ...args.slice(1), url]),
        ]);
        expect(ours.code, ours.stderr).toBe(0);
        expect(withoutTimeLines(ours.stdout)).toBe(withoutTimeLines(theirs.stdout));
      }
      expect(queries.filter((q) => q.includes("seconds=1"))).toHaveLength(2);
    } finally {
      server.close();
    }
  }, 120_000);

  it("refuses to list files outside --source-path, where pprof would print them", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    // Outside the repository, i.e. outside the default source root (the current directory).
    const secret = path.join(mkdtempSync(path.join(tmpdir(), "heapscope-secret-")), "secret.go");
    writeFileSync(secret, 'package main\n\nfunc main() {\n\tprintln("TOP-SECRET")\n}\n');
    const { decodeProfile } = await import("../../../src/formats/pprof-proto-decode.js");
    const { encodeProfileGzip } = await import("../../../src/formats/pprof-proto-encode.js");
    const { gunzipSync } = await import("node:zlib");
    const profile = decodeProfile(gunzipSync(readFileSync(oracle.fixtures.s2)));
    for (const f of profile.functions) {
      if (f.name === "main.main") {
        f.filename = secret;
        f.startLine = 1;
      }
    }
    const forged = path.join(path.dirname(secret), "forged.pb.gz");
    writeFileSync(forged, encodeProfileGzip(profile));
    const theirs = await runPprof(oracle.pprof, ["-list=main\\.main$", forged], oracle.home);
    expect(theirs.stdout).toContain("TOP-SECRET");
    const ours = await runHeapscope(["list", "main\\.main$", forged]);
    expect(ours.code).toBe(0);
    expect(ours.stdout).not.toContain("TOP-SECRET");
    expect(ours.stdout).toContain("ROUTINE ======================== main.main in");
    expect(ours.stdout).toContain("Error: open");
  }, 120_000);
});
