/**
 * The retention surfaces from the command line, on real programs: `heapscope doctor -- go run ./`
 * (the hook added by an overlay, one dump at the end) and `heapscope retainers` on a dump file and
 * the binary that wrote it, a binary that did not, and a file that is not a dump. Uses dist/.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareHookedLaunch } from "../../../src/collect/hooked-launch.js";
import { freePort, runCli, startProgram } from "../../support/go.js";
import { goToolchains } from "../../support/go-toolchains.js";
import { dumpProgram } from "./support/dump-program.js";

const programs = path.resolve(import.meta.dirname, "programs");
const toolchain = goToolchains.find((t) => t.label === "go1.26.8")!;

interface HolderJson {
  root: string;
  rootKind: string;
  retainedBytes: number | null;
  share: number | null;
  path: { bytes: number; site: string | null; offset: number }[];
}

describe("heapscope doctor with the heap-dump hook", () => {
  it("names main.pending as what holds the truncated slice's records", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const outDir = mkdtempSync(path.join(tmpdir(), "heapscope-doctor-dump-"));
    const recording = path.join(outDir, "doctor.hsrec");
    const run = await runCli(
      [
        "doctor",
        "--duration",
        "12s",
        "--json",
        "--url",
        url,
        "--keep-dump",
        "--out",
        recording,
        "--",
        "go",
        "run",
        "./",
        "-addr",
        `127.0.0.1:${port}`,
      ],
      { cwd: path.join(programs, "global-truncated"), env: toolchain.env, timeoutMs: 120_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      verdict: string;
      holders: HolderJson[];
      suspects: { kind: string; heldBy?: HolderJson[] }[];
      liveHeapBySite: { function: string; heldBy?: HolderJson[] }[];
      retention: { reachableBytes: number; heapAlloc: number; limits: string[] };
      notes: string[];
    };
    expect(report.holders.length).toBeGreaterThan(0);
    expect(report.holders[0]).toMatchObject({ root: "main.pending", rootKind: "global" });
    expect(report.holders[0]!.retainedBytes).toBeGreaterThan(16_000_000);
    expect(report.retention.limits.join(" ")).toContain("AddCleanup");
    // The program is flat after start-up (no leak): its records show under the live heap's largest site.
    const sites = [
      ...report.suspects.filter((s) => s.kind === "heap"),
      ...report.liveHeapBySite.filter((s) => s.function === "main.ingest"),
    ];
    expect(sites.length, JSON.stringify(report.liveHeapBySite.slice(0, 3))).toBeGreaterThan(0);
    for (const site of sites) {
      expect(site.heldBy?.[0]).toMatchObject({ root: "main.pending", rootKind: "global" });
      expect(site.heldBy![0]!.share).toBeGreaterThan(0.9);
    }
    expect(report.notes.some((n) => n.startsWith("Heap dump (go1.26.8)"))).toBe(true);

    // --keep-dump put the dump and its binary into the recording; retainers reads them back.
    try {
      const stored = await runCli(["retainers", recording, "--json"]);
      expect(stored.code, stored.stderr).toBe(0);
      const fromRecording = JSON.parse(stored.stdout) as { holders: HolderJson[]; limits: string[] };
      expect(fromRecording.holders[0]).toMatchObject({ root: "main.pending", rootKind: "global" });
      expect(fromRecording.holders[0]!.retainedBytes).toBe(report.holders[0]!.retainedBytes);
      expect(fromRecording.limits.join(" ")).not.toContain("no binary symbols");
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 150_000);
});

describe("heapscope doctor on a leaking program", () => {
  it("says what holds the leaking suspect's objects: the map in main's frame", async () => {
    const port = await freePort();
    const run = await runCli(
      ["doctor", "--duration", "20s", "--json", "--url", `http://127.0.0.1:${port}`, "--"].concat([
        "go",
        "run",
        ".",
        "-addr",
        `127.0.0.1:${port}`,
      ]),
      {
        cwd: path.resolve(import.meta.dirname, "../doctor/scenarios/session-map-growth"),
        env: toolchain.env,
        timeoutMs: 150_000,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      verdict: string;
      suspects: { kind: string; function: string; heldBy?: HolderJson[] }[];
    };
    expect(report.verdict).toBe("leak");
    const suspect = report.suspects.find((s) => s.function === "main.newSession");
    expect(suspect?.heldBy?.[0], JSON.stringify(report.suspects.slice(0, 2))).toMatchObject({
      rootKind: "stack",
    });
    expect(suspect!.heldBy![0]!.root).toContain("main.main");
    expect(suspect!.heldBy![0]!.share).toBeGreaterThan(0.9);
    const last = suspect!.heldBy![0]!.path.at(-1)!;
    expect(last.site).toContain("main.newSession");
  }, 180_000);
});

describe("heapscope retainers", () => {
  let dir: string;
  let dumpFile: string;
  let binary: string;
  let otherBinary: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "heapscope-retainers-"));
    binary = path.join(dir, "header-map");
    otherBinary = path.join(dir, "stack-map");
    const dumped = await dumpProgram(toolchain, path.join(programs, "header-map"), [], {
      copyBinaryTo: binary,
    });
    dumpFile = path.join(dir, "heap.dump");
    writeFileSync(dumpFile, dumped.bytes, { mode: 0o600 });
    await dumpProgram(toolchain, path.join(programs, "stack-map"), [], { copyBinaryTo: otherBinary });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lists the holders of a dump file, named by the binary that wrote it", async () => {
    const json = await runCli(["retainers", dumpFile, "--binary", binary, "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as {
      reachableBytes: number;
      heapAlloc: number;
      roots: Record<string, number>;
      holders: HolderJson[];
      limits: string[];
    };
    expect(report.holders[0]).toMatchObject({ root: "main.frameHeaders", rootKind: "global" });
    expect(report.holders[0]!.retainedBytes).toBeGreaterThan(40_000_000);
    expect(Math.abs(report.reachableBytes - report.heapAlloc)).toBeLessThan(256 * 1024);
    expect(report.roots.global).toBeGreaterThan(0);
    const text = await runCli(["retainers", dumpFile, "--binary", binary]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/MiB\s+\d+ %\s+global\s+main\.frameHeaders/);
  });

  it("asks a running program's hook for a dump, with the token and directory from the environment", async () => {
    const launch = await prepareHookedLaunch([toolchain.go, "run", "."], {
      cwd: path.join(programs, "blocked-goroutines"),
      env: { ...process.env, ...toolchain.env },
    });
    const program = startProgram(launch.command, launch.args, launch.env);
    try {
      const endpoint = await launch.waitForHook({ timeoutMs: 60_000 });
      const env = { HEAPSCOPE_HOOK_TOKEN: launch.token, HEAPSCOPE_HOOK_DIR: launch.dumpDir };
      const run = await runCli(
        ["retainers", `http://${endpoint.addr}`, "--binary", launch.binary, "--json"],
        {
          env,
        },
      );
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as { holders: HolderJson[] };
      expect(report.holders[0]).toMatchObject({ rootKind: "stack" });
      expect(report.holders[0]!.root).toContain("main.awaitReply (96 goroutines");
      // The dump was read and deleted: only the hook's ready file is left.
      expect(readdirSync(launch.dumpDir)).toEqual(["heapscope-hook.json"]);
      const wrongToken = await runCli(["retainers", `http://${endpoint.addr}`], {
        env: { ...env, HEAPSCOPE_HOOK_TOKEN: "0".repeat(64) },
      });
      expect(wrongToken.code).toBe(2);
      expect(wrongToken.stderr).toContain("refused heapscope's token");
    } finally {
      await program.stop();
      await launch.cleanup();
    }
  }, 120_000);

  it("refuses a binary that did not write the dump, and a file that is not a dump, in one line", async () => {
    const wrong = await runCli(["retainers", dumpFile, "--binary", otherBinary]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim().split("\n")).toHaveLength(1);
    expect(wrong.stderr).toContain("did not write this heap dump");
    const notDump = await runCli(["retainers", binary]);
    expect(notDump.code).toBe(2);
    expect(notDump.stderr.trim().split("\n")).toHaveLength(1);
    expect(notDump.stderr).toContain("not a Go heap dump");
  });
});
