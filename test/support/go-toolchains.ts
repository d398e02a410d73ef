/**
 * The Go toolchains heapscope's Go code must build with: the oldest supported (Debian's Go 1.19),
 * the machine's default, and the newest (fetched by the go command through GOTOOLCHAIN).
 * Each entry is the go executable plus the environment that selects the toolchain.
 */
import { execFileSync } from "node:child_process";
import { go119, goBinary } from "./go.js";

export interface GoToolchain {
  label: string;
  go: string;
  env: NodeJS.ProcessEnv;
}

export const NEWEST_GO = "go1.27.3";

export const goToolchains: GoToolchain[] = [
  { label: "go1.19", go: go119, env: { GOTOOLCHAIN: "local" } },
  { label: "default go", go: goBinary(), env: { GOTOOLCHAIN: "local" } },
  { label: NEWEST_GO, go: goBinary(), env: { GOTOOLCHAIN: NEWEST_GO } },
];

/** What runtime.Version() reports in programs this toolchain builds (`go env GOVERSION`). */
export function goVersionOf(toolchain: GoToolchain): string {
  return execFileSync(toolchain.go, ["env", "GOVERSION"], {
    env: { ...process.env, ...toolchain.env },
    encoding: "utf8",
  }).trim();
}
