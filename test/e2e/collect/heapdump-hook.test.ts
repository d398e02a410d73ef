/**
 * The heap-dump hook end to end, with real Go programs under Go 1.19, the default Go and the newest:
 * test/e2e/collect/programs/hooktarget is launched from `go run` command lines through
 * prepareHookedLaunch (its source is never edited), its hook is asked for dumps, and the dumps and
 * the built binary are checked.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOOK_DUMP_PATH, type HookEndpoint, requestHeapDump } from "../../../src/collect/heapdump-hook.js";
import { type HookedLaunch, prepareHookedLaunch } from "../../../src/collect/hooked-launch.js";
import { compareDumpSegments, readGoBinarySymbols } from "../../../src/formats/elf/go-binary-symbols.js";
import { type RunningProgram, startProgram } from "../../support/go.js";
import { goToolchains, goVersionOf, type ToolchainCommand } from "../../support/go-toolchains.js";
import { summarizeHeapDump } from "./support/heapdump-segments.js";

const programDir = path.resolve(import.meta.dirname, "programs/hooktarget");

interface Launched {
  launch: HookedLaunch;
  program: RunningProgram;
  endpoint: HookEndpoint;
  /** The first line the program printed, parsed. */
  report: Record<string, unknown>;
}

/** prepareHookedLaunch + start + wait for the hook and the program's first stdout line. */
async function launchHooked(
  toolchain: ToolchainCommand,
  argv: string[],
  cwd = programDir,
): Promise<Launched> {
  const launch = await prepareHookedLaunch([toolchain.go, ...argv], {
    cwd,
    env: { ...process.env, ...toolchain.env },
  });
  const program = startProgram(launch.command, launch.args, launch.env);
  let exited = false;
  void program.exited.then(() => (exited = true));
  try {
    const endpoint = await launch.waitForHook({ timeoutMs: 30_000, isRunning: () => !exited });
    const deadline = Date.now() + 30_000;
    while (!program.stdout().includes("\n") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const first = program.stdout().split("\n", 1)[0]!;
    const report = first.startsWith("{") ? JSON.parse(first) : { line: first };
    return { launch, program, endpoint, report };
  } catch (error) {
    await program.stop();
    await launch.cleanup();
    throw new Error(`${String(error)}; stderr: ${program.stderr()}`);
  }
}

async function stop(launched: Launched | undefined): Promise<void> {
  if (!launched) return;
  await launched.program.stop();
  await launched.launch.cleanup();
  expect(existsSync(launched.launch.dumpDir)).toBe(false);
}

function post(endpoint: HookEndpoint, authorization: string | undefined, method = "POST") {
  return fetch(`http://${endpoint.addr}${HOOK_DUMP_PATH}`, {
    method,
    headers: authorization === undefined ? {} : { authorization },
    signal: AbortSignal.timeout(30_000),
  });
}

describe.each(goToolchains)("the hook in a program built by $label", (toolchain) => {
  let svc: Launched;

  beforeAll(async () => {
    svc = await launchHooked(toolchain, ["run", "./cmd/svc", "-mib", "8", "extra-arg"]);
  });
  afterAll(() => stop(svc));

  it("listens on loopback in the program itself, which runs with its own arguments", () => {
    expect(svc.endpoint.pid).toBe(svc.program.child.pid);
    expect(svc.endpoint.addr).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(svc.endpoint.goVersion).toBe(goVersionOf(toolchain));
    expect(svc.program.stderr()).toContain(`heapscope-hook: listening on ${svc.endpoint.addr}\n`);
    expect(svc.report).toMatchObject({ args: ["extra-arg"], message: "from the tree", extraTag: false });
    // The hook removed its variables: a child process of the program would not start a second hook.
    expect(svc.report.tokenVisible).toBe(false);
  });

  it("answers only requests that carry the token, and only to POST", async () => {
    const { endpoint } = svc;
    const unauthorized = [
      undefined,
      `Bearer ${"0".repeat(endpoint.token.length)}`,
      `Bearer ${endpoint.token}x`,
      endpoint.token,
    ];
    for (const authorization of unauthorized) {
      const response = await post(endpoint, authorization);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: "missing or wrong token" });
    }
    expect((await post(endpoint, `Bearer ${endpoint.token}`, "GET")).status).toBe(405);
    expect(readdirSync(svc.launch.dumpDir)).toEqual(["heapscope-hook.json"]);
  });

  it("writes a complete dump to a new 0600 file, which is gone once read", async () => {
    const dump = await requestHeapDump(svc.endpoint);
    const stat = statSync(dump.path);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(stat.size).toBe(dump.bytes);
    expect(path.dirname(dump.path)).toBe(svc.launch.dumpDir);
    expect(dump.pid).toBe(svc.program.child.pid);
    const bytes = await dump.readAndDelete();
    expect(existsSync(dump.path)).toBe(false);
    expect(Buffer.from(bytes.subarray(0, 16)).toString("latin1")).toBe("go1.7 heap dump\n");
    expect(bytes.length).toBe(dump.bytes);
    const summary = summarizeHeapDump(bytes);
    expect(summary.reachedEof).toBe(true);
    expect(summary.goVersion).toBe(svc.endpoint.goVersion);
    // 8 MiB of 64 KiB chunks and 10,000 list nodes are live, so the dump holds them.
    expect(dump.bytes).toBeGreaterThan(8 << 20);
    expect(summary.objects).toBeGreaterThan(10_000);
    expect(dump.dumpMs).toBeGreaterThan(0);
    expect(dump.gcMs).toBeGreaterThan(0);
    await expect(dump.readAndDelete()).rejects.toThrow(/already read/);
  });

  it("builds a binary whose globals name the dump's roots (go run would have stripped them)", async () => {
    const symbols = readGoBinarySymbols(new Uint8Array(readFileSync(svc.launch.binary)), svc.launch.binary);
    expect(symbols.hasGlobals).toBe(true);
    const chunksAddr = svc.report.chunksAddr as number;
    expect(symbols.globalAt(chunksAddr)).toEqual({
      name: "main.chunks",
      start: chunksAddr,
      size: svc.report.chunksSize,
    });
    const dump = await requestHeapDump(svc.endpoint, { gc: false });
    expect(dump.gcMs).toBe(0);
    const summary = summarizeHeapDump(await dump.readAndDelete());
    const segment = (s: { start: number; size: number }) => ({ start: s.start, end: s.start + s.size });
    expect(
      compareDumpSegments(symbols, { data: segment(summary.data!), bss: segment(summary.bss!) }),
    ).toEqual([]);
    // The BSS pointer map lists the slice's data pointer; the binary names the variable holding it.
    const rootNames = summary.bss!.pointerOffsets.map(
      (offset) => symbols.globalAt(summary.bss!.start + offset)?.name,
    );
    expect(rootNames).toContain("main.chunks");
    expect(rootNames).toContain("main.head");
  });

  it("builds `go run a.go b.go` with the hook file added to the list", async () => {
    let files: Launched | undefined;
    try {
      files = await launchHooked(toolchain, ["run", "a.go", "b.go"], path.join(programDir, "files"));
      expect(files.report).toEqual({ line: "files ready" });
      const dump = await requestHeapDump(files.endpoint);
      expect(summarizeHeapDump(await dump.readAndDelete()).reachedEof).toBe(true);
    } finally {
      await stop(files);
    }
  });

  it("merges the user's -overlay and -tags with its own", async () => {
    let merged: Launched | undefined;
    try {
      const overlay = path.join(programDir, "overlay", "overlay.json");
      merged = await launchHooked(toolchain, [
        "run",
        "-tags",
        "extra",
        `-overlay=${overlay}`,
        "./cmd/svc",
        "-mib",
        "1",
      ]);
      expect(merged.report).toMatchObject({ message: "from the overlay", extraTag: true });
      const dump = await requestHeapDump(merged.endpoint);
      expect(summarizeHeapDump(await dump.readAndDelete()).reachedEof).toBe(true);
    } finally {
      await stop(merged);
    }
  });
});
