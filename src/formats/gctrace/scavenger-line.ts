import type { ScavengerEvent } from "../../model/gc-cycle.js";

const MIB = 1024 * 1024;

const SCAV_121 =
  /scav (\d+) KiB work \(bg\), (\d+) KiB work \(eager\), (\d+) KiB (?:now|total), (\d+)% util( \(forced\))?/;
const SCAV_114 =
  /scav (\d+) KiB work, (\d+) KiB (?:total|now), (\d+)% util( \(forced\))?( \[controller reset\])?/;
const SCVG_RELEASED = /scvg(-?\d*): (\d+) (MB|KB) released/;
const SCVG_SUMMARY =
  /scvg(-?\d*): inuse: (\d+), idle: (\d+), sys: (\d+), released: (\d+), consumed: (\d+) \(MB\)/;

/** Parses a scavenger line of any version; null when `text` is not one. */
export function parseScavengerLine(text: string, lineNumber = 0): ScavengerEvent | null {
  let m = SCAV_121.exec(text);
  if (m) {
    const bg = Number(m[1]) * 1024;
    const eager = Number(m[2]) * 1024;
    return {
      kind: "scav",
      releasedBytes: bg + eager,
      backgroundBytes: bg,
      eagerBytes: eager,
      totalReleasedBytes: Number(m[3]) * 1024,
      utilizationPercent: Number(m[4]),
      forced: m[5] !== undefined,
      controllerReset: false,
      lineNumber,
    };
  }
  m = SCAV_114.exec(text);
  if (m) {
    return {
      kind: "scav",
      releasedBytes: Number(m[1]) * 1024,
      totalReleasedBytes: Number(m[2]) * 1024,
      utilizationPercent: Number(m[3]),
      forced: m[4] !== undefined,
      controllerReset: m[5] !== undefined,
      lineNumber,
    };
  }
  m = SCVG_SUMMARY.exec(text);
  if (m) {
    return {
      kind: "scvg",
      releasedBytes: 0,
      inuseBytes: Number(m[2]) * MIB,
      idleBytes: Number(m[3]) * MIB,
      sysBytes: Number(m[4]) * MIB,
      totalReleasedBytes: Number(m[5]) * MIB,
      consumedBytes: Number(m[6]) * MIB,
      forced: m[1] === "-1",
      controllerReset: false,
      lineNumber,
    };
  }
  m = SCVG_RELEASED.exec(text);
  if (m) {
    return {
      kind: "scvg",
      releasedBytes: Number(m[2]) * (m[3] === "MB" ? MIB : 1024),
      forced: m[1] === "-1",
      controllerReset: false,
      lineNumber,
    };
  }
  return null;
}
