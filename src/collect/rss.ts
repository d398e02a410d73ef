/**
 * Process memory and CPU from Linux /proc, and finding the process to read it from.
 *
 * RSS is read from /proc/PID/status (VmRSS), CPU time from /proc/PID/stat (utime + stime).
 * Elsewhere these return null and RSS comes from Prometheus' process_resident_memory_bytes, if served.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface ProcessReading {
  pid: number;
  rssBytes: number;
  /** utime + stime of the process (its threads included), in seconds. */
  cpuSeconds: number;
}

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  utimeTicks: number;
  stimeTicks: number;
}

let clockTicksPerSecond: number | undefined;

/** USER_HZ: the unit of utime/stime in /proc/PID/stat (100 on every common Linux build). */
export function clockTicks(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

/** Parses /proc/PID/stat; the command name may contain spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  if (rest.length < 13) return null;
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0]!,
    ppid: Number(rest[1]),
    utimeTicks: Number(rest[11]),
    stimeTicks: Number(rest[12]),
  };
}

export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/** RSS and CPU time of `pid`, or null when it is gone (or /proc is unavailable). */
export function readProcessReading(pid: number): ProcessReading | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  const stat = readProcStat(pid);
  // A zombie has no VmRSS line: it has exited.
  if (!rss || !stat || stat.state === "Z") return null;
  return {
    pid,
    rssBytes: Number(rss[1]) * 1024,
    cpuSeconds: (stat.utimeTicks + stat.stimeTicks) / clockTicks(),
  };
}

/** Processes that only start the real program: `go run`, shells and exec wrappers. */
const LAUNCHER_NAMES = new Set([
  "go",
  "sh",
  "bash",
  "dash",
  "zsh",
  "env",
  "timeout",
  "nice",
  "stdbuf",
  "time",
]);
/** What `go run` starts before the program itself. */
const TOOLCHAIN_NAMES = new Set([
  "go",
  "compile",
  "link",
  "asm",
  "cgo",
  "vet",
  "gcc",
  "cc",
  "cc1",
  "as",
  "ld",
  "collect2",
]);

function allProcesses(): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const result: ProcStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat) result.push(stat);
  }
  return result;
}

/**
 * The process whose memory matters for a launched command. For `go run` (or a shell wrapper) that
 * is the first descendant that is not part of the toolchain; until it exists (still compiling),
 * null. For anything else, the launched process itself.
 */
export function findProgramProcess(launchedPid: number): number | null {
  const root = readProcStat(launchedPid);
  if (!root) return null;
  if (!LAUNCHER_NAMES.has(root.comm)) return launchedPid;
  const children = new Map<number, ProcStat[]>();
  for (const process of allProcesses()) {
    const list = children.get(process.ppid) ?? [];
    list.push(process);
    children.set(process.ppid, list);
  }
  const queue = [...(children.get(launchedPid) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (next.state !== "Z" && !TOOLCHAIN_NAMES.has(next.comm) && !LAUNCHER_NAMES.has(next.comm)) {
      return next.pid;
    }
    queue.push(...(children.get(next.pid) ?? []));
  }
  return null;
}

/**
 * The pid of the process listening on TCP `port` on this machine, when it belongs to this user
 * (other users' /proc/PID/fd cannot be read). Used to read RSS of a local `--url` target.
 */
export function findListeningPid(port: number): number | null {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const localPort = Number.parseInt(fields[1]!.split(":")[1] ?? "", 16);
      // st 0A = LISTEN
      if (localPort === port && fields[3] === "0A") inodes.add(fields[9]!);
    }
  }
  if (inodes.size === 0) return null;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`/proc/${entry}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(link);
        if (match && inodes.has(match[1]!)) return Number(entry);
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return null;
}
