/**
 * The container memory limit of a process: /proc/PID/cgroup and the cgroup filesystem, v1 and v2,
 * on fake trees. A real Go program in a real cgroup is in test/e2e/collect/memory-limit.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { parseLimitValue, parseProcCgroup, readMemoryLimit } from "../../src/collect/memory-limit.js";

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
