/**
 * The container memory limit of a process, where this machine lets a test create a cgroup (root with
 * a writable memory hierarchy): a real Go program put into one and recorded by `heapscope record`.
 * The parsing of /proc/PID/cgroup and the cgroup filesystem is in test/collect/memory-limit.test.ts.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { parseProcCgroup, readMemoryLimit } from "../../../src/collect/memory-limit.js";
import { buildGoProgram, freePort, runCli, waitForHttp } from "../../support/go.js";

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
