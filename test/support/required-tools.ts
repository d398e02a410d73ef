/**
 * Guards for suites that need a program installed beyond npm packages and the pinned Go toolchains
 * (./go-toolchains.ts): Chromium for the UI, Debian's Go 1.19 for the oldest formats.
 *
 * Under CI=true nothing may skip: a guarded suite runs and its setup throws, saying what to install
 * (the closing line counts every test of a failed file as failed). Elsewhere a missing program skips
 * the guarded suites, with the reason in their titles, and the closing line names required suites
 * that skipped (test/required-suites.json).
 */
import { existsSync } from "node:fs";
import { GO119_PATH } from "./go-toolchains.js";

/** Chromium for the UI tests and the UI benchmark; HEAPSCOPE_CHROMIUM points elsewhere. */
export function chromiumPath(): string {
  return process.env.HEAPSCOPE_CHROMIUM || "/usr/bin/chromium";
}

export type Tool = "chromium" | "go1.19";

const tools: Record<Tool, { path: () => string; install: string }> = {
  chromium: {
    path: chromiumPath,
    install: "apt-get install chromium (scripts/ensure-tools.sh does it), or set HEAPSCOPE_CHROMIUM",
  },
  "go1.19": {
    path: () => GO119_PATH,
    install: "apt-get install golang-1.19-go (scripts/ensure-tools.sh does it)",
  },
};

export function inCi(): boolean {
  const value = process.env.CI;
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/** What to install for `tool`, or null when it is there. */
export function missingTool(tool: Tool): string | null {
  const { path, install } = tools[tool];
  return existsSync(path()) ? null : `${tool} is not installed at ${path()}: ${install}`;
}

export interface ToolGuard {
  /** For describe.skipIf / it.skipIf: true only outside CI with the tool missing. */
  skip: boolean;
  /** " (skipped: …)" when skipping, for the suite's title; "" otherwise. */
  note: string;
  /** Call first in the suite's setup: throws what to install when the tool is missing. */
  assert: () => void;
}

export function requireTool(tool: Tool): ToolGuard {
  const missing = missingTool(tool);
  const skip = missing !== null && !inCi();
  return {
    skip,
    note: skip ? ` (skipped: ${missing})` : "",
    assert: () => {
      if (missing !== null) throw new Error(missing);
    },
  };
}
