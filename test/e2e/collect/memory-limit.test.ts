/**
 * The container memory limit of a process: /proc/PID/cgroup and the cgroup filesystem, v1 and v2,
 * on fake trees; and, where this machine lets a test create a cgroup (root with a writable memory
 * hierarchy), on a real Go program put into one and recorded by `heapscope record`.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { parseLimitValue, parseProcCgroup, readMemoryLimit } from "../../../src/collect/memory-limit.js";
import { buildGoProgram, freePort, runCli, waitForHttp } from "../../support/go.js";

function fakeTree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "hs-cgroup-"));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe("parsing", () => {
  test("/proc/PID/cgroup: v2, v1 and hybrid (v1 memory controller wins)", () => {
    expect(parseProcCgroup("0::/kubepods.slice/pod1/cri-containerd-abc.scope\n")).toEqual({
      version: 2,
      path: "/kubepods.slice/pod1/cri-containerd-abc.scope",
    });
    expect(parseProcCgroup("12:cpu,cpuacct:/x\n4:memory:/docker/abc\n0::/\n")).toEqual({
      version: 1,
      path: "/docker/abc",
    });
    expect(parseProcCgroup("0::/\n4:memory:/a\n")).toEqual({ version: 1, path: "/a" });
    expect(parseProcCgroup("garbage\n\n")).toBeNull();
  });

  test("limit values: max and v1's page-rounded 2^63 mean no limit", () => {
    expect(parseLimitValue("max\n", 2)).toBeNull();
    expect(parseLimitValue("536870912\n", 2)).toBe(536870912);
    expect(parseLimitValue("9223372036854771712\n", 1)).toBeNull();
    expect(parseLimitValue("268435456", 1)).toBe(268435456);
    expect(parseLimitValue("-1", 2)).toBeNull();
    expect(parseLimitValue("lots", 2)).toBeNull();
  });
});

describe("readMemoryLimit on fake trees", () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  test("v2: the smallest limit over the cgroup and its ancestors", () => {
    const root = fakeTree({
      "proc/42/cgroup": "0::/kubepods/pod1/ctr\n",
      "sys/fs/cgroup/memory.max": "max\n",
      "sys/fs/cgroup/kubepods/memory.max": "8589934592\n",
      "sys/fs/cgroup/kubepods/pod1/memory.max": "1073741824\n",
      "sys/fs/cgroup/kubepods/pod1/ctr/memory.max": "max\n",
    });
    roots.push(root);
    expect(readMemoryLimit(42, { root })).toEqual({
      bytes: 1073741824,
      source: "cgroup v2 memory.max (/sys/fs/cgroup/kubepods/pod1)",
    });
  });

  test("v2 inside a container: the cgroup path is not visible, the mounted root is its own cgroup", () => {
    const root = fakeTree({
      "proc/self/cgroup": "0::/kubepods/pod1/ctr\n",
      "sys/fs/cgroup/memory.max": "536870912\n",
    });
    roots.push(root);
    expect(readMemoryLimit("self", { root })?.bytes).toBe(536870912);
  });

  test("v1 memory controller; no limit anywhere is null; a vanished process is null", () => {
    const limited = fakeTree({
      "proc/7/cgroup": "4:memory:/docker/abc\n0::/\n",
      "sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
      "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "268435456\n",
    });
    const unlimited = fakeTree({
      "proc/7/cgroup": "4:memory:/docker/abc\n",
      "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "9223372036854771712\n",
    });
    roots.push(limited, unlimited);
    expect(readMemoryLimit(7, { root: limited })?.bytes).toBe(268435456);
    expect(readMemoryLimit(7, { root: unlimited })).toBeNull();
    expect(readMemoryLimit(8, { root: limited })).toBeNull();
  });
});

/** A fresh memory cgroup with a limit, when this machine lets us make one (root, v1 or v2). */
function makeLimitedCgroup(limitBytes: number): { dir: string; procs: string; remove: () => void } | null {
  const own = parseProcCgroup(readFileSync("/proc/self/cgroup", "utf8"));
  if (!own) return null;
  const hierarchy = own.version === 2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
  const dir = path.join(hierarchy, own.path, `heapscope-test-${process.pid}`);
  try {
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, own.version === 2 ? "memory.max" : "memory.limit_in_bytes"),
      String(limitBytes),
    );
  } catch {
    try {
      rmdirSync(dir);
    } catch {}
    return null;
  }
  return {
    dir,
    procs: path.join(dir, "cgroup.procs"),
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {}
    },
  };
}

describe("a real program in a limited cgroup", () => {
  const cgroup = makeLimitedCgroup(768 * 1024 * 1024);
  test.skipIf(cgroup === null)(
    "record --url finds the limit of the program behind the URL and inspect shows it",
    async () => {
      const binary = await buildGoProgram(path.join(import.meta.dirname, "../record/programs/leaky"));
      const port = await freePort();
      // The shell joins the cgroup, then becomes the Go program (same pid).
      const child = spawn(
        "sh",
        ["-c", `echo $$ > '${cgroup!.procs}' && exec '${binary}' -addr 127.0.0.1:${port}`],
        { stdio: "ignore" },
      );
      const out = path.join(mkdtempSync(path.join(tmpdir(), "hs-limit-")), "rec.hsrec");
      try {
        await waitForHttp(`http://127.0.0.1:${port}/debug/vars`, 30_000);
        expect(readMemoryLimit(child.pid!)?.bytes).toBe(768 * 1024 * 1024);
        const recorded = await runCli(
          [
            "record",
            "--url",
            `http://127.0.0.1:${port}`,
            "--interval",
            "1s",
            "--duration",
            "3s",
            "--out",
            out,
            "--quiet",
          ],
          { timeoutMs: 60_000 },
        );
        expect(recorded.code, recorded.stderr).toBe(0);
        const inspected = await runCli(["inspect", "--json", out]);
        const report = JSON.parse(inspected.stdout) as { target: { pid: number; memoryLimit: unknown } };
        expect(report.target.pid).toBe(child.pid);
        expect(report.target.memoryLimit).toEqual({
          bytes: 768 * 1024 * 1024,
          source: expect.stringMatching(/^cgroup v[12] memory\.(max|limit_in_bytes) \(/),
        });
      } finally {
        child.kill("SIGKILL");
        await new Promise((resolve) => child.once("exit", resolve));
      }
    },
    120_000,
  );

  test.skipIf(cgroup === null)(
    "a launched program's recording projects its gctrace live heap against the container limit",
    async () => {
      const binary = await buildGoProgram(path.join(import.meta.dirname, "../record/programs/leaky"));
      const out = path.join(mkdtempSync(path.join(tmpdir(), "hs-limit-")), "rec.hsrec");
      // Without --url heapscope records gctrace and RSS; the shell joins the cgroup and becomes the program.
      const recorded = await runCli(
        [
          "record",
          "--duration",
          "6s",
          "--interval",
          "1s",
          "--out",
          out,
          "--quiet",
          "--",
          "sh",
          "-c",
          `echo $$ > '${cgroup!.procs}' && exec '${binary}' -addr 127.0.0.1:0`,
        ],
        { timeoutMs: 90_000 },
      );
      expect(recorded.code, recorded.stderr).toBe(0);
      const inspected = JSON.parse((await runCli(["inspect", "--json", out])).stdout) as {
        target: { memoryLimit: { bytes: number } | null };
        gcCycles: number;
      };
      expect(inspected.target.memoryLimit?.bytes).toBe(768 * 1024 * 1024);
      expect(inspected.gcCycles).toBeGreaterThan(0);
      const gctrace = await runCli(["gctrace", out, "--json"]);
      expect(gctrace.code, gctrace.stderr).toBe(0);
      const report = JSON.parse(gctrace.stdout) as {
        cycles: number;
        projection: { limitBytes: number; limitSource: string } | null;
      };
      expect(report.cycles).toBe(inspected.gcCycles);
      expect(report.projection?.limitBytes).toBe(768 * 1024 * 1024);
      expect(report.projection?.limitSource).toMatch(/^container limit, cgroup v[12] /);
      // --limit still wins.
      const explicit = JSON.parse((await runCli(["gctrace", out, "--json", "--limit", "1GiB"])).stdout) as {
        projection: { limitBytes: number; limitSource: string };
      };
      expect(explicit.projection.limitBytes).toBe(1024 ** 3);
      expect(explicit.projection.limitSource).toBe("--limit");
    },
    120_000,
  );

  afterAll(() => cgroup?.remove());
});
