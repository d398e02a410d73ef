/**
 * The memory limit a process runs under: its container's cgroup limit (what the kernel's OOM killer
 * enforces), read from /proc/PID/cgroup and the cgroup filesystem.
 *
 * - cgroup v2: `/proc/PID/cgroup` has `0::/path`; the limit is `memory.max` of that cgroup or of any
 *   ancestor (the smallest one applies); `max` means none.
 * - cgroup v1: the line whose controllers include `memory` (`N:memory:/path`) names the cgroup under
 *   `/sys/fs/cgroup/memory`; `memory.limit_in_bytes` near 2^63 (rounded to the page size) means none.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

export interface MemoryLimit {
  bytes: number;
  /** Where the limit was read: `cgroup v2 memory.max (/sys/fs/cgroup/kubepods/…)`. */
  source: string;
}

/** v1 reports "no limit" as a huge page-rounded value; anything at or above this is no limit. */
const V1_UNLIMITED = 2 ** 60;

export interface CgroupMembership {
  version: 1 | 2;
  /** The cgroup's path inside its hierarchy (`/kubepods/burstable/pod…/…`). */
  path: string;
}

/** Parses /proc/PID/cgroup: the memory controller's cgroup (v1) or the unified one (v2). */
export function parseProcCgroup(text: string): CgroupMembership | null {
  let unified: CgroupMembership | null = null;
  for (const line of text.split("\n")) {
    const first = line.indexOf(":");
    const second = line.indexOf(":", first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const cgroupPath = line.slice(second + 1).trim();
    if (!cgroupPath.startsWith("/")) continue;
    if (controllers.split(",").includes("memory")) return { version: 1, path: cgroupPath };
    if (line.slice(0, first) === "0" && controllers === "") unified = { version: 2, path: cgroupPath };
  }
  return unified;
}

/** A limit file's value in bytes; null when it says "no limit" or cannot be read as a number. */
export function parseLimitValue(text: string, version: 1 | 2): number | null {
  const value = text.trim();
  if (value === "max" || value === "") return null;
  if (!/^\d+$/.test(value)) return null;
  const bytes = Number(value);
  if (!Number.isFinite(bytes) || bytes <= 0) return null;
  if (version === 1 && bytes >= V1_UNLIMITED) return null;
  return bytes;
}

type ReadText = (file: string) => string | undefined;

const readText: ReadText = (file) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
};

/**
 * The smallest memory limit over the process's cgroup and its ancestors; null when there is none or
 * it cannot be read (not Linux, no permission, the process is gone). `root` is where the cgroup
 * filesystem and /proc are found (tests point it at a fake tree).
 */
export function readMemoryLimit(
  pid: number | "self",
  options: { root?: string; read?: ReadText } = {},
): MemoryLimit | null {
  const root = options.root ?? "/";
  const read = options.read ?? readText;
  const membership = parseProcCgroup(read(path.join(root, "proc", String(pid), "cgroup")) ?? "");
  if (!membership) return null;
  const hierarchy =
    membership.version === 2 ? path.join(root, "sys/fs/cgroup") : path.join(root, "sys/fs/cgroup/memory");
  const file = membership.version === 2 ? "memory.max" : "memory.limit_in_bytes";
  let best: MemoryLimit | null = null;
  const consider = (dir: string) => {
    const text = read(path.join(dir, file));
    if (text === undefined) return;
    const bytes = parseLimitValue(text, membership.version);
    if (bytes !== null && (best === null || bytes < best.bytes)) {
      best = {
        bytes,
        source: `cgroup v${membership.version} ${file} (${path.join("/", path.relative(root, dir))})`,
      };
    }
  };
  // From the process's own cgroup up to the hierarchy's root (inside a container whose cgroup path
  // is not visible, the root is the container's own cgroup).
  for (let relative = path.posix.normalize(membership.path); ; relative = path.posix.dirname(relative)) {
    consider(path.join(hierarchy, relative));
    if (relative === "/") break;
  }
  return best;
}
