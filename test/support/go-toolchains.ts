/**
 * The Go toolchains the tests build with, each named exactly — never "whatever go is on the PATH".
 *
 * go1.26.8 (the default) and go1.27.3 run through any installed go ≥ 1.21 with GOTOOLCHAIN set to
 * the version: the go command fetches that release from the module proxy once and runs it from
 * then on (scripts/ensure-tools.sh pre-fetches both). go1.19, for the oldest runtime formats, is
 * Debian's golang-1.19-go at a fixed path (it predates GOTOOLCHAIN).
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export const GO_DEFAULT = "go1.26.8";
export const GO_CURRENT = "go1.27.3";
export const GO_OLDEST = "go1.19";
export type GoToolchain = typeof GO_DEFAULT | typeof GO_CURRENT | typeof GO_OLDEST;

/** The toolchains fetched through GOTOOLCHAIN; suites that compare releases run under both. */
export const PINNED_TOOLCHAINS = [GO_DEFAULT, GO_CURRENT] as const;

/** Debian's golang-1.19-go. */
export const GO119_PATH = "/usr/lib/go-1.19/bin/go";

export const INSTALL_GO =
  "install Go ≥ 1.21 from https://go.dev/dl/ and put its go on the PATH (Debian bookworm's golang-go is 1.19, too old to fetch toolchains)";

/** The command and the environment entries that run `toolchain`'s go command. */
export function goCommand(toolchain: GoToolchain = GO_DEFAULT): {
  command: string;
  env: Record<string, string>;
} {
  if (toolchain === GO_OLDEST) return { command: GO119_PATH, env: { GOTOOLCHAIN: "local" } };
  return { command: "go", env: { GOTOOLCHAIN: toolchain } };
}

/** "go1.27.3" → [1, 27, 3]; anything else → null. */
function parseGoVersion(text: string): number[] | null {
  const match = /^go(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : null;
}

function lastLine(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr?.trim();
  const text = stderr || (error instanceof Error ? error.message : String(error));
  return text.split("\n").at(-1) ?? text;
}

async function goVersion(command: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await execFileAsync(command, ["env", "GOVERSION"], {
    cwd: tmpdir(),
    env: { ...process.env, ...env },
    timeout: 300_000,
  });
  return stdout.trim();
}

async function checkToolchain(toolchain: GoToolchain): Promise<void> {
  if (toolchain === GO_OLDEST) {
    if (!existsSync(GO119_PATH)) {
      throw new Error(
        `Go 1.19 is not installed at ${GO119_PATH}: apt-get install golang-1.19-go (scripts/ensure-tools.sh does it)`,
      );
    }
    const version = await goVersion(GO119_PATH, goCommand(toolchain).env);
    if (!version.startsWith("go1.19")) throw new Error(`${GO119_PATH} reports ${version}, not go1.19`);
    return;
  }
  let local: string;
  try {
    local = await goVersion("go", { GOTOOLCHAIN: "local" });
  } catch (error) {
    throw new Error(`no usable go command on the PATH (${lastLine(error)}): ${INSTALL_GO}`);
  }
  const parsed = parseGoVersion(local);
  if (!parsed || parsed[0]! < 1 || (parsed[0] === 1 && parsed[1]! < 21)) {
    throw new Error(`the go on the PATH is ${local}, which cannot fetch ${toolchain}: ${INSTALL_GO}`);
  }
  let selected: string;
  try {
    selected = await goVersion("go", goCommand(toolchain).env);
  } catch (error) {
    throw new Error(
      `GOTOOLCHAIN=${toolchain} go could not fetch ${toolchain} (${lastLine(error)}): it needs the module ` +
        `proxy (GOPROXY) once; run scripts/ensure-tools.sh while online, or install ${toolchain} from https://go.dev/dl/`,
    );
  }
  if (selected !== toolchain) {
    throw new Error(
      `GOTOOLCHAIN=${toolchain} go reports ${selected}: something overrides the toolchain choice`,
    );
  }
}

const checked = new Map<GoToolchain, Promise<void>>();

/**
 * Resolves once `toolchain` is known to run as the exact release it names (checked once per test
 * process); rejects saying what to install when it cannot.
 */
export function ensureGoToolchain(toolchain: GoToolchain = GO_DEFAULT): Promise<void> {
  let check = checked.get(toolchain);
  if (!check) {
    check = checkToolchain(toolchain);
    checked.set(toolchain, check);
  }
  return check;
}

/** The environment for a child that runs `toolchain`'s go (process.env plus the choice). */
export function goEnv(toolchain: GoToolchain = GO_DEFAULT, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, GOFLAGS: "-mod=mod", ...goCommand(toolchain).env, ...extra };
}

/** Runs `toolchain`'s go command with `args` (after checking the toolchain) and returns its output. */
export async function runGo(
  args: string[],
  options: {
    toolchain?: GoToolchain;
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    timeout?: number;
    maxBuffer?: number;
  } = {},
): Promise<{ stdout: string; stderr: string }> {
  const toolchain = options.toolchain ?? GO_DEFAULT;
  await ensureGoToolchain(toolchain);
  return execFileAsync(goCommand(toolchain).command, args, {
    cwd: options.cwd,
    env: goEnv(toolchain, options.env),
    timeout: options.timeout ?? 300_000,
    maxBuffer: options.maxBuffer ?? 64 << 20,
  });
}

/** A toolchain as the go command to run and the environment that selects it. */
export interface ToolchainCommand {
  label: GoToolchain;
  go: string;
  env: NodeJS.ProcessEnv;
}

/** The oldest, default and current toolchains, for suites that build one program under each. */
export const goToolchains: ToolchainCommand[] = ([GO_OLDEST, GO_DEFAULT, GO_CURRENT] as GoToolchain[]).map(
  (label) => {
    const { command, env } = goCommand(label);
    return { label, go: command, env };
  },
);

/** What runtime.Version() reports in programs this toolchain builds (`go env GOVERSION`). */
export function goVersionOf(toolchain: ToolchainCommand): string {
  return execFileSync(toolchain.go, ["env", "GOVERSION"], {
    env: { ...process.env, ...toolchain.env },
    encoding: "utf8",
  }).trim();
}
