/**
 * heapscope's pprof-style reports against live `go tool pprof` (Go 1.26 here), byte for byte.
 *
 * Real Go programs write the profiles (fresh each run); every case of the generated matrix runs
 * pprof and heapscope with the same flags on the same files and compares stdout (the `Time:` line
 * excepted) and the exit status. When they differ, pprof is run twice more: if pprof's own output
 * varies between runs (it sorts some ties in map order), the case is compared order-insensitively
 * and listed as an exclusion with that reason. Nothing is cached between runs.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/go.js";
import { buildMatrix, type Case, type Fixture } from "./matrix.js";
import {
  buildProgram,
  firstDifferences,
  freshDir,
  mapLimit,
  orderInsensitive,
  pprofBinary,
  removeFreshDirs,
  run,
  runHeapscope,
  runHeapscopeInProcess,
  runPprof,
  withoutTimeLines,
} from "./oracle-support.js";

let pprof = "";
let home = "";
const fixtures = {} as Record<Fixture, string>;

beforeAll(async () => {
  const [sites, stacks, labels, binary] = await Promise.all([
    buildProgram("heapsites"),
    buildProgram("bigstacks"),
    buildProgram("cpulabels"),
    pprofBinary(),
  ]);
  pprof = binary;
  const dir = freshDir("fixtures");
  home = freshDir("home");
  const exact = path.join(dir, "exact");
  const sampled = path.join(dir, "sampled");
  await Promise.all([run("mkdir", ["-p", exact, sampled])]);
  const results = await Promise.all([
    run(sites, [exact]),
    run(sites, ["-rate", "524288", sampled]),
    run(stacks, ["-depth", "12", path.join(dir, "stacks.pb.gz")]),
    run(labels, [dir]),
  ]);
  for (const r of results) expect(r.code, r.stderr).toBe(0);
  Object.assign(fixtures, {
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
  });
  // pprof itself writes the profile with a comment (Go programs write none).
  const commented = await runPprof(
    pprof,
    ["-proto", "-add_comment=built from release v1.2.3", "-output", fixtures.cm, fixtures.s2],
    home,
  );
  expect(commented.code, commented.stderr).toBe(0);
}, 300_000);

afterAll(removeFreshDirs);

function resolveFlags(flags: string[]): string[] {
  return flags.map((flag) => {
    const base = /^-(diff_base|base)=(\w+)$/.exec(flag);
    if (base && base[2]! in fixtures) return `-${base[1]}=${fixtures[base[2] as Fixture]}`;
    return flag.replaceAll("{root}", repoRoot);
  });
}

interface Outcome {
  id: string;
  status: "same" | "pprof-nondeterministic" | "different";
  detail?: string;
}

/** Every 25th case also runs the built binary as its own process, end to end. */
const processEvery = 25;

async function compareText(c: Case, index: number): Promise<Outcome> {
  const flags = resolveFlags(c.flags);
  const files = c.files.map((f) => fixtures[f]);
  const pprofArgs = [c.regex !== undefined ? `-${c.report}=${c.regex}` : `-${c.report}`, ...flags, ...files];
  const heapscopeArgs = [c.report, ...(c.regex !== undefined ? [c.regex] : []), ...flags, ...files];
  const runOurs = index % processEvery === 0 ? runHeapscope : runHeapscopeInProcess;
  const [theirs, ours] = await Promise.all([runPprof(pprof, pprofArgs, home), runOurs(heapscopeArgs)]);
  const expected = withoutTimeLines(theirs.stdout);
  const actual = withoutTimeLines(ours.stdout);
  const sameStatus = (theirs.code === 0) === (ours.code === 0);
  if (expected === actual && sameStatus) return { id: c.id, status: "same" };
  if (!sameStatus) {
    return {
      id: c.id,
      status: "different",
      detail: `exit status: pprof ${theirs.code} (${theirs.stderr.trim().split("\n").pop()}), heapscope ${ours.code} (${ours.stderr.trim()})`,
    };
  }
  // Is pprof itself stable on this case?
  const again = await Promise.all([runPprof(pprof, pprofArgs, home), runPprof(pprof, pprofArgs, home)]);
  const variants = new Set([expected, ...again.map((r) => withoutTimeLines(r.stdout))]);
  if (variants.size > 1) {
    const sameLines = orderInsensitive(theirs.stdout) === orderInsensitive(ours.stdout);
    return sameLines
      ? { id: c.id, status: "pprof-nondeterministic" }
      : {
          id: c.id,
          status: "different",
          detail: `pprof varies between runs and the lines differ too\n${firstDifferences(expected, actual)}`,
        };
  }
  return { id: c.id, status: "different", detail: firstDifferences(expected, actual) };
}

async function compareProto(c: Case): Promise<Outcome> {
  const flags = resolveFlags(c.flags);
  const files = c.files.map((f) => fixtures[f]);
  const dir = freshDir("proto");
  const theirsFile = path.join(dir, "theirs.pb.gz");
  const oursFile = path.join(dir, "ours.pb.gz");
  const [theirs, ours] = await Promise.all([
    runPprof(pprof, ["-proto", "-output", theirsFile, ...flags, ...files], home),
    runHeapscopeInProcess(["top", ...flags, "--proto", oursFile, ...files]),
  ]);
  if (theirs.code !== 0 || ours.code !== 0) {
    return {
      id: c.id,
      status: "different",
      detail: `exit status: pprof ${theirs.code}, heapscope ${ours.code}: ${ours.stderr}`,
    };
  }
  for (const view of ["-raw", "-top"]) {
    const [a, b] = await Promise.all([
      runPprof(pprof, [view, theirsFile], home),
      runPprof(pprof, [view, oursFile], home),
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

describe("pprof oracle", () => {
  it("matches go tool pprof byte for byte on the generated matrix", async () => {
    const cases = buildMatrix();
    const outcomes = await mapLimit(cases, 2, (c, i) => (c.proto ? compareProto(c) : compareText(c, i)));
    const same = outcomes.filter((o) => o.status === "same");
    const varying = outcomes.filter((o) => o.status === "pprof-nondeterministic");
    const different = outcomes.filter((o) => o.status === "different");
    const byReport = new Map<string, number>();
    for (const c of cases) {
      const k = c.proto ? "proto" : c.report;
      byReport.set(k, (byReport.get(k) ?? 0) + 1);
    }
    const summary = [
      `pprof oracle: ${cases.length} cases (${[...byReport].map(([k, v]) => `${k} ${v}`).join(", ")})`,
      `  byte-identical: ${same.length}`,
      `  excluded (pprof's own output varies between runs: ties between distinct nodes that print the same name, sorted in map order; compared as line multisets with sum% masked): ${varying.length}`,
      ...varying.map((o) => `    - ${o.id}`),
      `  different: ${different.length}`,
      ...different.map((o) => `    - ${o.id}\n${o.detail}`),
    ].join("\n");
    console.log(summary);
    expect(different, summary).toEqual([]);
    expect(same.length).toBeGreaterThan(cases.length * 0.95);
  }, 900_000);

  it("reads profiles over HTTP (with --seconds) exactly as pprof does", async () => {
    const { createServer } = await import("node:http");
    const body = readFileSync(fixtures.s2);
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
          runPprof(pprof, [...args, url], home),
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
    const { decodeProfile } = await import("../../src/formats/pprof-proto-decode.js");
    const { encodeProfileGzip } = await import("../../src/formats/pprof-proto-encode.js");
    const { gunzipSync } = await import("node:zlib");
    const profile = decodeProfile(gunzipSync(readFileSync(fixtures.s2)));
    for (const f of profile.functions) {
      if (f.name === "main.main") {
        f.filename = secret;
        f.startLine = 1;
      }
    }
    const forged = path.join(path.dirname(secret), "forged.pb.gz");
    writeFileSync(forged, encodeProfileGzip(profile));
    const theirs = await runPprof(pprof, ["-list=main\\.main$", forged], home);
    expect(theirs.stdout).toContain("TOP-SECRET");
    const ours = await runHeapscope(["list", "main\\.main$", forged]);
    expect(ours.code).toBe(0);
    expect(ours.stdout).not.toContain("TOP-SECRET");
    expect(ours.stdout).toContain("ROUTINE ======================== main.main in");
    expect(ours.stdout).toContain("Error: open");
  }, 120_000);
});
