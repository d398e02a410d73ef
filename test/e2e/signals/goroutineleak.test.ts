/**
 * The goroutine leak profile: experimental in Go 1.26 (GOEXPERIMENT=goroutineleakprofile), built in
 * from Go 1.27 (runtime/pprof registers it, net/http/pprof serves /debug/pprof/goroutineleak). A
 * real program with a known number of goroutines blocked on unreachable channels, read in its three
 * forms, built with each.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildGoProgram,
  freePort,
  GO_CURRENT,
  GO_DEFAULT,
  type GoToolchain,
  type RunningProgram,
  runCli,
  startProgram,
  waitForHttp,
} from "../../support/go.js";

const programDir = path.resolve(import.meta.dirname, "programs/goroutineleak-experiment");
const RECEIVERS = 5; // the first one carries the pprof label leak=labelled
const SENDERS = 2;

const builds: { label: string; toolchain: GoToolchain; env: NodeJS.ProcessEnv }[] = [
  {
    label: `${GO_DEFAULT}, GOEXPERIMENT=goroutineleakprofile`,
    toolchain: GO_DEFAULT,
    env: { GOEXPERIMENT: "goroutineleakprofile" },
  },
  { label: `${GO_CURRENT}, built in`, toolchain: GO_CURRENT, env: {} },
];

describe.each(builds)("goroutineleak profile ($label)", ({ toolchain, env }) => {
  let program: RunningProgram;
  let base: string;

  beforeAll(async () => {
    const binary = await buildGoProgram(programDir, { toolchain, env });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    program = startProgram(binary, [
      "-addr",
      `127.0.0.1:${port}`,
      "-recv",
      String(RECEIVERS),
      "-send",
      String(SENDERS),
    ]);
    await waitForHttp(`${base}/gc`, 60_000);
  }, 300_000);

  afterAll(async () => {
    await program?.stop();
  });

  it("is listed on the /debug/pprof/ index", async () => {
    const index = await (await fetch(`${base}/debug/pprof/`, { signal: AbortSignal.timeout(10_000) })).text();
    expect(index).toMatch(/href=['"]?goroutineleak\?debug=1/);
  });

  it("?debug=1: exactly the goroutines blocked on unreachable channels, labels kept", async () => {
    const result = await runCli(["goroutines", `${base}/debug/pprof/goroutineleak?debug=1`, "--json"]);
    expect(result.stderr).toBe("");
    const report = JSON.parse(result.stdout);
    expect(report.format).toBe("goroutineleak");
    expect(report.total).toBe(RECEIVERS + SENDERS);
    expect(report.leaked).toBe(RECEIVERS + SENDERS);
    const byLeaf = (leaf: string) => report.groups.filter((g: { stack: string[] }) => g.stack[0] === leaf);
    expect(
      byLeaf("main.leakRecv").map((g: { count: number; labels: unknown }) => [g.count, g.labels]),
    ).toEqual([
      [RECEIVERS - 1, null],
      [1, { leak: "labelled" }],
    ]);
    expect(byLeaf("main.leakSend")[0].count).toBe(SENDERS);
    // The goroutine blocked on a global channel is not provably leaked.
    expect(byLeaf("main.blockedOnGlobal")).toEqual([]);
  });

  it("?debug=2: every goroutine, the leaked ones marked, states without the mark", async () => {
    const result = await runCli(["goroutines", `${base}/debug/pprof/goroutineleak?debug=2`, "--json"]);
    const report = JSON.parse(result.stdout);
    expect(report.format).toBe("goroutineleak");
    expect(report.leaked).toBe(RECEIVERS + SENDERS);
    type Group = { stack: string[]; count: number; leaked: number; state: string; createdBy: string };
    const groups = (leaf: string): Group[] => report.groups.filter((g: Group) => g.stack[0] === leaf);
    const summary = (leaf: string) => {
      const gs = groups(leaf);
      return {
        count: gs.reduce((n, g) => n + g.count, 0),
        leaked: gs.reduce((n, g) => n + g.leaked, 0),
        states: [...new Set(gs.map((g) => g.state))],
      };
    };
    expect(summary("main.leakRecv")).toEqual({
      count: RECEIVERS,
      leaked: RECEIVERS,
      states: ["chan receive"],
    });
    expect(summary("main.leakSend")).toEqual({ count: SENDERS, leaked: SENDERS, states: ["chan send"] });
    expect(summary("main.blockedOnGlobal")).toEqual({ count: 1, leaked: 0, states: ["chan receive"] });
    // The labelled receiver was started inside pprof.Do: another creator, so its own group.
    expect(
      groups("main.leakRecv")
        .map((g) => g.createdBy)
        .sort(),
    ).toEqual(["main.main", "main.main.func1"]);
  });

  it("proto (the URL without query) matches debug=1", async () => {
    const result = await runCli([
      "goroutines",
      `${base}/debug/pprof/goroutineleak`,
      "--base",
      `${base}/debug/pprof/goroutineleak?debug=1`,
      "--json",
    ]);
    const report = JSON.parse(result.stdout);
    expect(report.format).toBe("goroutineleak");
    expect(report.total).toBe(RECEIVERS + SENDERS);
    expect(report.diff.comparedBy).toEqual(["stack", "labels"]);
    expect(report.diff.grown).toEqual([]);
    expect(report.diff.shrunk).toEqual([]);
  });
});
