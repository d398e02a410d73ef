/**
 * A real Go program (programs/runtime-signals, stdlib only) built with Go 1.26.8, 1.27.3 and 1.19,
 * run with GODEBUG=gctrace=1. Its /debug/vars, goroutine dumps (debug=1, debug=2, proto), panic and SIGQUIT
 * output are parsed and checked against the program's own view of the same moment:
 * - /snapshot encodes ONE runtime.ReadMemStats both as expvar does and as exact decimal strings;
 * - /dump writes runtime.NumGoroutine() and the goroutine profile from the same handler;
 * - after /quiesce and /gcoff the program neither allocates in the background nor collects, so
 *   NumGC and LastGC stand still and readings taken one after another must agree exactly.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  diffGoroutineGroups,
  readGoroutineDump,
  readGoroutineProfile,
} from "../../../src/analysis/goroutine-groups.js";
import { parseExpvarMemStats } from "../../../src/formats/memstats.js";
import { decodeProfile } from "../../../src/formats/pprof-proto-decode.js";
import type { GoroutineSnapshot } from "../../../src/model/goroutine.js";
import {
  buildGoProgram,
  freePort,
  GO_CURRENT,
  GO_DEFAULT,
  GO_OLDEST,
  type GoToolchain,
  type RunningProgram,
  runCli,
  startProgram,
  waitForHttp,
  workDir,
} from "../../support/go.js";
import { requireTool } from "../../support/required-tools.js";

const programDir = path.resolve(import.meta.dirname, "programs/runtime-signals");
const LEAKS_AT_START = 6; // half of them carry the pprof label worker=leaky

const go119 = requireTool("go1.19");
/** Go ≥ 1.21 dumps name the creating goroutine, and elide the middle of very deep stacks. */
const toolchains: { toolchain: GoToolchain; modern: boolean; skip: boolean; note: string }[] = [
  { toolchain: GO_DEFAULT, modern: true, skip: false, note: "" },
  { toolchain: GO_CURRENT, modern: true, skip: false, note: "" },
  { toolchain: GO_OLDEST, modern: false, skip: go119.skip, note: go119.note },
];

async function get(url: string): Promise<Response> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

/** A goroutine dump and runtime.NumGoroutine() taken by the same handler. */
async function dump(
  base: string,
  debug: 0 | 1 | 2,
): Promise<{ snapshot: GoroutineSnapshot; numGoroutine: number; raw: Buffer }> {
  const response = await get(`${base}/dump?debug=${debug}`);
  const numGoroutine = Number(response.headers.get("x-num-goroutine"));
  const raw = Buffer.from(await response.arrayBuffer());
  const snapshot =
    debug === 0
      ? readGoroutineProfile(decodeProfile(gunzipSync(raw)))
      : readGoroutineDump(raw.toString("utf8"));
  return { snapshot, numGoroutine, raw };
}

const leafCount = (s: GoroutineSnapshot, leaf: string, labels?: Record<string, string>) =>
  s.groups
    .filter(
      (g) =>
        g.frames[0]?.func === leaf &&
        (labels === undefined || JSON.stringify(g.labels) === JSON.stringify(labels)),
    )
    .reduce((n, g) => n + g.count, 0);

for (const toolchain of toolchains) {
  const title = `runtime-signals built with ${toolchain.toolchain}${toolchain.note}`;
  describe.skipIf(toolchain.skip)(title, () => {
    let program: RunningProgram;
    let base: string;
    let binary: string;
    const scratch = path.join(workDir, `runtime-signals-${toolchain.toolchain}`);

    beforeAll(async () => {
      mkdirSync(scratch, { recursive: true });
      binary = await buildGoProgram(programDir, { toolchain: toolchain.toolchain });
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      program = startProgram(
        binary,
        ["-addr", `127.0.0.1:${port}`, "-mode", "leak", "-leaks", String(LEAKS_AT_START), "-deep", "150"],
        { GODEBUG: "gctrace=1" },
      );
      await waitForHttp(`${base}/debug/vars`, 60_000);
      // Let it allocate (and collect) for a moment, force one GC, then make it quiet.
      await new Promise((r) => setTimeout(r, 1500));
      await get(`${base}/gc`);
      await get(`${base}/quiesce`);
      await get(`${base}/gcoff`);
      await new Promise((r) => setTimeout(r, 500));
    }, 300_000);

    afterAll(async () => {
      await program?.stop();
    });

    it("expvar encoding of one ReadMemStats parses to the exact values, LastGC and PauseEnd included", async () => {
      const text = await (await get(`${base}/snapshot`)).text();
      const sample = parseExpvarMemStats(text);
      const reference = JSON.parse(text).reference as Record<string, string>;
      for (const [field, value] of Object.entries(reference)) {
        if (field.startsWith("Latest") || field === "LastGC") continue;
        expect(sample.fields[field as keyof typeof sample.fields], field).toBe(Number(value));
      }
      expect(BigInt(reference.LastGC)).toBeGreaterThan(2n ** 53n);
      expect(sample.exact?.lastGcNs).toBe(BigInt(reference.LastGC));
      expect(sample.exact?.pauseEndNs?.at(-1)).toBe(BigInt(reference.LatestPauseEnd));
      expect(sample.pauseNs?.at(-1)).toBe(Number(reference.LatestPauseNs));
      expect(sample.exact?.pauseEndNs).toHaveLength(Math.min(256, Number(reference.NumGC)));
    });

    it("/debug/vars agrees with the program's view and with gctrace while GC is off", async () => {
      const before = parseExpvarMemStats(await (await get(`${base}/snapshot`)).text());
      const vars = parseExpvarMemStats(await (await get(`${base}/debug/vars`)).text());
      const after = parseExpvarMemStats(await (await get(`${base}/snapshot`)).text());
      // No GC can run: the GC counters and times are identical.
      for (const field of ["NumGC", "NumForcedGC", "PauseTotalNs"] as const) {
        expect(vars.fields[field], field).toBe(before.fields[field]);
        expect(after.fields[field], field).toBe(before.fields[field]);
      }
      expect(vars.exact?.lastGcNs).toBe(before.exact?.lastGcNs);
      // Without GC nothing is freed: what only grows is bracketed by the readings around it.
      for (const field of ["HeapAlloc", "TotalAlloc", "Mallocs", "HeapObjects", "Sys"] as const) {
        expect(vars.fields[field]!, field).toBeGreaterThanOrEqual(before.fields[field]!);
        expect(vars.fields[field]!, field).toBeLessThanOrEqual(after.fields[field]!);
      }
      // Frees moves without GC too: MemStats counts every tiny allocation as a malloc and a free.
      expect(vars.fields.Frees!).toBeGreaterThanOrEqual(before.fields.Frees!);
      expect(vars.fields.Frees!).toBeLessThanOrEqual(after.fields.Frees!);
      // gctrace printed one line per completed cycle: its last cycle number is NumGC.
      const cycles = [...program.stderr().matchAll(/^gc (\d+) @/gm)].map((m) => Number(m[1]));
      expect(cycles.length).toBeGreaterThan(0);
      expect(Math.max(...cycles)).toBe(vars.fields.NumGC);
      expect(program.stderr()).toMatch(/\(forced\)/);
      // The published goroutine count, up to HTTP connection goroutines (two per connection, and the
      // test's fetches keep at most two connections).
      const { numGoroutine } = await dump(base, 1);
      expect(Math.abs(vars.goroutines! - numGoroutine)).toBeLessThanOrEqual(4);
    });

    it("every goroutine dump form agrees with runtime.NumGoroutine() and with each other", async () => {
      const one = await dump(base, 1);
      const two = await dump(base, 2);
      const proto = await dump(base, 0);
      expect(one.snapshot.format).toBe("debug1");
      expect(two.snapshot.format).toBe("debug2");
      expect(proto.snapshot.format).toBe("proto");
      for (const { snapshot, numGoroutine } of [one, two, proto]) {
        expect(snapshot.total).toBe(numGoroutine);
        expect(snapshot.skippedLines).toBe(0);
      }
      expect(one.snapshot.declaredTotal).toBe(one.numGoroutine);
      expect(two.snapshot.goroutines).toHaveLength(two.numGoroutine);
      // Leaked workers: those spawned at start (3 labelled) plus one per 100 ms of leak mode.
      const leaked = leafCount(one.snapshot, "main.leakyWorker");
      expect(leaked).toBeGreaterThan(LEAKS_AT_START);
      expect(leafCount(two.snapshot, "main.leakyWorker")).toBe(leaked);
      expect(leafCount(proto.snapshot, "main.leakyWorker")).toBe(leaked);
      expect(leafCount(one.snapshot, "main.leakyWorker", { worker: "leaky" })).toBe(LEAKS_AT_START / 2);
      expect(leafCount(proto.snapshot, "main.leakyWorker", { worker: "leaky" })).toBe(LEAKS_AT_START / 2);
      // debug=2 has what the others do not: states, creators.
      const workers = two.snapshot.goroutines!.filter((g) => g.frames[0]?.func === "main.leakyWorker");
      expect(new Set(workers.map((g) => g.state))).toEqual(new Set(["chan receive"]));
      expect(new Set(workers.map((g) => g.createdBy?.func))).toEqual(
        new Set(["main.spawnLeaks", "main.spawnLeaks.func1", "main.allocationLoop"]),
      );
      if (toolchain.modern) expect(workers.every((g) => g.createdBy?.goroutineId !== undefined)).toBe(true);
      else expect(workers.every((g) => g.createdBy?.goroutineId === undefined)).toBe(true);
      // The deep goroutine: Go ≥ 1.21 elides the middle of its 150 frames; debug=1 keeps a prefix.
      const deep = two.snapshot.goroutines!.find((g) => g.frames.some((f) => f.func === "main.recurse"))!;
      if (toolchain.modern) expect(deep.elidedFrames).toBeGreaterThan(0);
      // Same moment, three forms: only goroutines of the HTTP exchange itself differ (the one writing
      // the dump runs different code per form; connection readers may be caught in a syscall).
      const serving = (frames: { func: string }[]) =>
        frames.length === 0 ||
        frames.some((f) => /^(runtime\/pprof|net\/http|internal\/poll|net)\./.test(f.func));
      for (const [a, b] of [
        [one.snapshot, proto.snapshot],
        [proto.snapshot, two.snapshot],
        [one.snapshot, two.snapshot],
      ]) {
        const diff = diffGoroutineGroups(a, b);
        expect(diff.grown.every((c) => serving(c.group.frames))).toBe(true);
        expect(diff.shrunk.every((c) => serving(c.group.frames))).toBe(true);
      }
    });

    it("heapscope goroutines --base: the leaked group grew by exactly what was spawned", async () => {
      const before = await dump(base, 1);
      const baseFile = path.join(scratch, "before-debug1.txt");
      writeFileSync(baseFile, before.raw);
      await get(`${base}/spawn?n=10`);
      const result = await runCli(["goroutines", `${base}/dump?debug=2`, "--base", baseFile, "--json"]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.format).toBe("debug2");
      expect(report.diff.comparedBy).toEqual(["stack"]);
      const top = report.diff.grown[0];
      expect(top.stack[0]).toBe("main.leakyWorker");
      expect(top.delta).toBe(10);
      expect(top.count - top.baseCount).toBe(10);
      expect(report.diff.delta).toBeGreaterThanOrEqual(10);

      // proto vs proto keeps labels apart: 5 more labelled, 5 more unlabelled.
      const protoBefore = path.join(scratch, "before.pb.gz");
      writeFileSync(protoBefore, (await dump(base, 0)).raw);
      await get(`${base}/spawn?n=10`);
      const protoNow = path.join(scratch, "now.pb.gz");
      writeFileSync(protoNow, (await dump(base, 0)).raw);
      const labelled = await runCli(["goroutines", protoNow, "--base", protoBefore, "--json"]);
      expect(labelled.code).toBe(0);
      const diff = JSON.parse(labelled.stdout).diff;
      expect(diff.comparedBy).toEqual(["stack", "labels"]);
      const workerChanges = diff.grown.filter((c: { stack: string[] }) => c.stack[0] === "main.leakyWorker");
      expect(
        workerChanges.map((c: { delta: number; labels: unknown }) => [c.delta, c.labels]).sort(),
      ).toEqual([
        [5, null],
        [5, { worker: "leaky" }],
      ]);
    });

    it("heapscope goroutines reads the URL without query (proto) and filters by state and function", async () => {
      const debug1 = (await dump(base, 1)).snapshot;
      const proto = await runCli(["goroutines", `${base}/debug/pprof/goroutine`, "--json"]);
      expect(proto.code).toBe(0);
      const report = JSON.parse(proto.stdout);
      expect(report.format).toBe("proto");
      const workers = report.groups.filter((g: { stack: string[] }) => g.stack[0] === "main.leakyWorker");
      expect(
        workers.every(
          (g: { state: unknown; createdBy: unknown }) => g.state === null && g.createdBy === null,
        ),
      ).toBe(true);
      expect(workers.reduce((n: number, g: { count: number }) => n + g.count, 0)).toBe(
        leafCount(debug1, "main.leakyWorker"),
      );

      const filtered = await runCli([
        "goroutines",
        `${base}/debug/pprof/goroutine?debug=2`,
        "--state",
        "chan receive",
        "--match",
        "^main\\.(leaky|waitsOn)",
        "--json",
      ]);
      expect(filtered.code).toBe(0);
      const groups = JSON.parse(filtered.stdout).groups as {
        state: string;
        stack: string[];
        count: number;
      }[];
      expect(new Set(groups.map((g) => g.stack[0]))).toEqual(
        new Set(["main.leakyWorker", "main.waitsOnGlobal"]),
      );
      expect(groups.every((g) => g.state === "chan receive")).toBe(true);

      const text = await runCli(["goroutines", `${base}/debug/pprof/goroutine?debug=2`, "--limit", "3"]);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/goroutines in \d+ groups \(debug=2 dump\)/);
      expect(text.stdout).toMatch(/\[chan receive\]/);
      expect(text.stdout).toMatch(/more groups with \d+ goroutines/);

      const badState = await runCli([
        "goroutines",
        `${base}/debug/pprof/goroutine?debug=1`,
        "--state",
        "select",
      ]);
      expect(badState.code).toBe(2);
      expect(badState.stderr.trim().split("\n")).toHaveLength(1);
      expect(badState.stderr).toMatch(/--state needs goroutine states/);
    });

    it("heapscope memstats reads the live /debug/vars (and a bare host URL) with the capture time", async () => {
      const viaVars = await runCli(["memstats", `${base}/debug/vars`, "--json"]);
      expect(viaVars.stderr).toBe("");
      expect(viaVars.code).toBe(0);
      const report = JSON.parse(viaVars.stdout);
      expect(report.format).toBe("expvar");
      expect(report.timeSource).toBe("capture");
      const snapshot = parseExpvarMemStats(await (await get(`${base}/snapshot`)).text());
      expect(report.latest.fields.NumGC).toBe(snapshot.fields.NumGC);
      expect(report.latest.lastGcNs).toBe(snapshot.exact!.lastGcNs!.toString());
      expect(report.health.goHeldBytes).toBeGreaterThan(0);
      expect(report.health.gc.secondsSinceLastGc).toBeGreaterThan(0);
      const bare = await runCli(["memstats", base]);
      expect(bare.code).toBe(0);
      expect(bare.stdout).toMatch(/expvar \/debug\/vars, 1 reading, time of capture/);
      expect(bare.stdout).toMatch(/Read from .*\/debug\/vars/);
    });

    it("SIGQUIT dump with gctrace lines mixed in: parsed, the gctrace lines skipped", async () => {
      const port = await freePort();
      const quitting = startProgram(binary, ["-addr", `127.0.0.1:${port}`, "-leaks", "4"], {
        GODEBUG: "gctrace=1",
        GOTRACEBACK: "all",
      });
      try {
        await waitForHttp(`http://127.0.0.1:${port}/debug/vars`, 60_000);
        await get(`http://127.0.0.1:${port}/gc`);
        quitting.child.kill("SIGQUIT");
        await quitting.exited;
      } finally {
        await quitting.stop();
      }
      const stderr = quitting.stderr();
      writeFileSync(path.join(scratch, "sigquit.txt"), stderr);
      const gcLines = stderr.split("\n").filter((l) => /^gc \d+ @/.test(l)).length;
      expect(gcLines).toBeGreaterThan(0);
      const result = await runCli(["goroutines", "-", "--json"], { input: stderr });
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.format).toBe("traceback");
      expect(report.reason).toBe("SIGQUIT: quit");
      expect(report.skippedLines).toBe(gcLines);
      const leaked = report.groups.filter((g: { stack: string[] }) => g.stack[0] === "main.leakyWorker");
      expect(leaked.reduce((n: number, g: { count: number }) => n + g.count, 0)).toBe(4);
      expect(report.total).toBe(stderr.split("\n").filter((l) => /^goroutine \d+ /.test(l)).length);
    });

    it("panic with GOTRACEBACK=all: the traceback names the leaked goroutines", async () => {
      const crashing = startProgram(binary, ["-mode", "panic", "-leaks", "4"], { GOTRACEBACK: "all" });
      const { code } = await crashing.exited;
      expect(code).toBe(2);
      const snapshot = readGoroutineDump(crashing.stderr());
      expect(snapshot.format).toBe("traceback");
      expect(snapshot.reason).toBe("panic: assignment to entry in nil map");
      expect(leafCount(snapshot, "main.leakyWorker")).toBe(4);
      expect(leafCount(snapshot, "main.waitsOnGlobal")).toBe(1);
      const main = snapshot.goroutines!.find((g) => g.id === 1)!;
      expect(main.state).toBe("running");
      expect(main.frames.at(-1)?.func).toBe("main.main");
    });
  });
}
