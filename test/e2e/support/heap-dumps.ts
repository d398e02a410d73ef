/**
 * Real heap dumps for the reader and retention tests: test/e2e/programs/heapdumps built with each
 * toolchain (the default `go`, Go 1.27.3 through GOTOOLCHAIN, Debian's Go 1.19) and run once per
 * scenario. Each run leaves its dumps and the program's facts (addresses, sizes) in a folder under
 * test/.work/heapdumps, reused by later runs of the same binary.
 *
 * Also a SymbolResolver built from `go tool nm` on the same binary: the names a real symbol table gives.
 */
import { execFile } from "node:child_process";
import {
  existsSync,
  existsSync as fileExists,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { GlobalSymbol, SymbolResolver } from "../../../src/model/symbols.js";
import { buildGoProgram, workDir } from "../../support/go.js";
import {
  GO_CURRENT,
  GO_DEFAULT,
  GO_OLDEST,
  GO119_PATH,
  type GoToolchain,
  goCommand,
} from "../../support/go-toolchains.js";

const go119 = GO119_PATH;
const hasGo119 = fileExists(GO119_PATH);

const execFileAsync = promisify(execFile);
export const heapDumpsProgram = path.join(import.meta.dirname, "../programs/heapdumps");

export interface Toolchain {
  /** e.g. "go1.27.3" */
  name: string;
  /** The pinned toolchain (test/support/go-toolchains.ts). */
  pinned: GoToolchain;
  go: string;
  env: NodeJS.ProcessEnv;
}

function pinned(name: string, toolchain: GoToolchain): Toolchain {
  const { command, env } = goCommand(toolchain);
  return { name, pinned: toolchain, go: command, env };
}

export const isCI = process.env.CI === "true";

export const toolchains: Toolchain[] = [
  pinned("go-default", GO_DEFAULT),
  pinned("go1.27.3", GO_CURRENT),
  pinned("go1.19", GO_OLDEST),
];

/**
 * Whether a toolchain can run here. Go 1.19 comes from Debian's golang-1.19-go; under CI=true its
 * absence is a failure (see requireToolchain), elsewhere the Go 1.19 cases are skipped.
 */
export function toolchainAvailable(toolchain: Toolchain): boolean {
  return toolchain.go !== go119 || hasGo119 || isCI;
}

export function requireToolchain(toolchain: Toolchain): void {
  if (toolchain.go === go119 && !hasGo119) {
    throw new Error(`${go119} is missing: install Debian's golang-1.19-go (apt-get install golang-1.19-go)`);
  }
}

const versions = new Map<string, Promise<string>>();

/** The toolchain's `go env GOVERSION` (what its binaries write into a dump's params). */
export function goVersion(toolchain: Toolchain): Promise<string> {
  let version = versions.get(toolchain.name);
  if (!version) {
    version = execFileAsync(toolchain.go, ["env", "GOVERSION"], {
      cwd: heapDumpsProgram,
      env: { ...process.env, ...toolchain.env },
    }).then(({ stdout }) => stdout.trim());
    versions.set(toolchain.name, version);
  }
  return version;
}

/** The 1-based line of the first line containing `text` after the line containing `after`. */
export function programLine(after: string, text: string): number {
  const lines = readFileSync(path.join(heapDumpsProgram, "main.go"), "utf8").split("\n");
  const from = lines.findIndex((line) => line.includes(after));
  const at = lines.findIndex((line, i) => i > from && line.includes(text));
  if (from < 0 || at < 0)
    throw new Error(`no line with ${JSON.stringify(text)} after ${JSON.stringify(after)}`);
  return at + 1;
}

export interface ScenarioRun {
  binary: string;
  /** The program's JSON facts line; dump paths in it point into this run's folder. */
  facts: Record<string, unknown>;
}

const runs = new Map<string, Promise<ScenarioRun>>();

/** Builds the program with `toolchain` and runs `scenario` once (cached on disk by binary and arguments). */
export function runScenario(toolchain: Toolchain, scenario: string, rate?: number): Promise<ScenarioRun> {
  const key = `${toolchain.name}/${scenario}/${rate ?? "default"}`;
  let run = runs.get(key);
  if (!run) {
    run = runScenarioOnce(toolchain, scenario, rate);
    runs.set(key, run);
  }
  return run;
}

async function runScenarioOnce(toolchain: Toolchain, scenario: string, rate?: number): Promise<ScenarioRun> {
  requireToolchain(toolchain);
  const binary = await buildGoProgram(heapDumpsProgram, { toolchain: toolchain.pinned });
  const dir = path.join(workDir, "heapdumps", `${path.basename(binary)}-${scenario}-${rate ?? "default"}`);
  const factsFile = path.join(dir, "facts.json");
  if (!existsSync(factsFile)) {
    // Parallel test files may run the same scenario: each writes a private folder, then renames it.
    const partial = `${dir}.${process.pid}.tmp`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const args = ["-scenario", scenario, "-out", partial];
    if (rate !== undefined) args.push("-rate", String(rate));
    const { stdout } = await execFileAsync(binary, args, { timeout: 120_000 });
    writeFileSync(path.join(partial, "facts.json"), stdout.trim());
    try {
      renameSync(partial, dir);
    } catch {
      rmSync(partial, { recursive: true, force: true });
    }
  }
  const raw = JSON.parse(readFileSync(factsFile, "utf8")) as Record<string, unknown>;
  // Paths in the facts name the private folder the run wrote into: point them at the final one.
  const facts: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    facts[key] =
      typeof value === "string" && value.endsWith(".dump") ? path.join(dir, path.basename(value)) : value;
  }
  return { binary, facts };
}

/** A SymbolResolver over `go tool nm -size` of a binary built with `go build` (it keeps .symtab). */
export async function nmResolver(binary: string, toolchain: Toolchain): Promise<SymbolResolver> {
  const { stdout } = await execFileAsync(toolchain.go, ["tool", "nm", "-size", "-sort", "address", binary], {
    maxBuffer: 64 << 20,
    env: { ...process.env, ...toolchain.env },
  });
  const globals: GlobalSymbol[] = [];
  const functions: GlobalSymbol[] = [];
  for (const line of stdout.split("\n")) {
    const match = /^\s*([0-9a-f]+)\s+(\d+)\s+([A-Za-z])\s+(.+)$/.exec(line);
    if (!match) continue;
    const symbol = { start: Number.parseInt(match[1]!, 16), size: Number(match[2]), name: match[4]! };
    if (symbol.size === 0) continue;
    const type = match[3]!.toUpperCase();
    if (type === "T") functions.push(symbol);
    else if (type === "D" || type === "B") globals.push(symbol);
  }
  return {
    globalAt: (address) => containing(globals, address),
    funcNameAt: (pc) => containing(functions, pc)?.name ?? null,
  };
}

function containing(sorted: GlobalSymbol[], address: number): GlobalSymbol | null {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.start <= address) lo = mid + 1;
    else hi = mid;
  }
  const symbol = sorted[lo - 1];
  return symbol && address < symbol.start + symbol.size ? symbol : null;
}
