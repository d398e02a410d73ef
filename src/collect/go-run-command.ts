/**
 * Reads a `go run [build flags] [-exec xprog] package|files.go [arguments...]` command line the way
 * the go command does (cmd/go/internal/run): flags first (`-flag`, `-flag=value`, `-flag value`,
 * `--` ends them), then either every leading argument ending in `.go` (a list of files in one
 * directory) or one package, then the program's arguments. `-tags` and `-overlay` are pulled out so
 * heapscope can merge its own into them; GOFLAGS supplies them when the command line does not.
 */
import { UsageError } from "../errors.js";

export type GoRunTarget = { kind: "package"; pattern: string } | { kind: "files"; files: string[] };

export interface GoRunCommand {
  /** The go executable as written (`go`, `/usr/lib/go-1.19/bin/go`, `go1.22.3`). */
  go: string;
  /** `-C dir`: the go command's working directory, relative to the caller's. */
  chdir?: string;
  /** Build flags to pass on to `go build`/`go list`, minus -C, -exec, -tags and -overlay. */
  buildFlags: string[];
  /** Build tags in effect (from -tags, else from GOFLAGS). */
  tags: string[];
  /** The user's -overlay file (from the command line, else GOFLAGS). */
  overlay?: string;
  /** `-exec xprog`: run the binary through this command. */
  exec?: string;
  target: GoRunTarget;
  programArgs: string[];
}

/** Build flags that take a value (`go help build`, `go help run`); the others are booleans. */
const VALUE_FLAGS = new Set([
  "C",
  "p",
  "asmflags",
  "buildmode",
  "compiler",
  "covermode",
  "coverpkg",
  "debug-actiongraph",
  "debug-runtime-trace",
  "debug-trace",
  "exec",
  "gccgoflags",
  "gcflags",
  "installsuffix",
  "ldflags",
  "mod",
  "modfile",
  "overlay",
  "pgo",
  "pkgdir",
  "tags",
  "toolexec",
]);

/** True for `go`, a path ending in `/go`, or a golang.org/dl wrapper such as `go1.22.3`. */
export function isGoCommand(executable: string): boolean {
  const base = executable.split(/[\\/]/).pop() ?? "";
  return /^go(\d+(\.\d+)*(rc\d+|beta\d+)?)?(\.exe)?$/.test(base);
}

/** Parses `go run ...` (argv[0] is the go executable). Throws UsageError for what cannot be hooked. */
export function parseGoRunCommand(argv: readonly string[], env: NodeJS.ProcessEnv = {}): GoRunCommand {
  const [go, subcommand, ...rest] = argv;
  if (!go || !isGoCommand(go)) throw new UsageError(`not a go command: ${go ?? "(empty)"}`);
  if (subcommand !== "run") {
    throw new UsageError(
      `only \`go run\` can be launched with the heap-dump hook, not \`go ${subcommand ?? ""}\`; give \`go run ./cmd/x ARGS\` or a binary built with -tags heapscope`,
    );
  }
  const parsed: GoRunCommand = {
    go,
    buildFlags: [],
    tags: [],
    target: { kind: "files", files: [] },
    programArgs: [],
  };
  let tagsFlag: string | undefined;
  let i = 0;
  for (; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    const match = /^--?([^=]+)(?:=([\s\S]*))?$/.exec(arg)!;
    const name = match[1]!;
    let value = match[2];
    if (value === undefined && VALUE_FLAGS.has(name)) {
      if (i + 1 >= rest.length) throw new UsageError(`go run: flag -${name} needs a value`);
      value = rest[++i]!;
    }
    if (name === "C") parsed.chdir = value;
    else if (name === "exec") parsed.exec = value;
    else if (name === "tags") tagsFlag = value;
    else if (name === "overlay") parsed.overlay = value;
    else parsed.buildFlags.push(value === undefined ? `-${name}` : `-${name}=${value}`);
  }
  const fromGoFlags = goFlagsSettings(env.GOFLAGS);
  parsed.tags = splitTags(tagsFlag ?? fromGoFlags.tags ?? "");
  parsed.overlay ??= fromGoFlags.overlay;
  const operands = rest.slice(i);
  let files = 0;
  while (files < operands.length && operands[files]!.endsWith(".go")) files++;
  if (files > 0) {
    const list = operands.slice(0, files);
    const testFile = list.find((file) => file.endsWith("_test.go"));
    if (testFile) throw new UsageError(`go run: cannot run *_test.go files (${testFile})`);
    parsed.target = { kind: "files", files: list };
    parsed.programArgs = operands.slice(files);
    return parsed;
  }
  const pattern = operands[0];
  if (pattern === undefined || pattern.startsWith("-"))
    throw new UsageError("go run: no package or .go files given");
  if (isRemotePackageAtVersion(pattern)) {
    throw new UsageError(
      `go run ${pattern}: a package at a version is built outside any module, where the hook file cannot be added; install it (go install ${pattern}) and run the program from a checkout of its source instead`,
    );
  }
  parsed.target = { kind: "package", pattern };
  parsed.programArgs = operands.slice(1);
  return parsed;
}

/** `example.com/cmd@v1.2.3`, as cmd/go tells it apart: has an @, is not ./relative or absolute. */
function isRemotePackageAtVersion(pattern: string): boolean {
  const local = pattern === "." || pattern === ".." || /^\.\.?[\\/]/.test(pattern);
  const absolute = pattern.startsWith("/") || /^[A-Za-z]:[\\/]/.test(pattern);
  return pattern.includes("@") && !local && !absolute;
}

/** -tags accepts a comma-separated list (and, deprecated, a space-separated one). */
export function splitTags(value: string): string[] {
  return value
    .split(/[,\s]+/)
    .map((tag) => tag.trim())
    .filter((tag) => tag !== "");
}

/** `-tags=…` and `-overlay=…` from GOFLAGS (space-separated `-flag=value` settings). */
function goFlagsSettings(goflags: string | undefined): { tags?: string; overlay?: string } {
  const settings: { tags?: string; overlay?: string } = {};
  for (const word of (goflags ?? "").split(/\s+/)) {
    const match = /^--?(tags|overlay)=(.*)$/.exec(word);
    if (match) settings[match[1] as "tags" | "overlay"] = match[2]!;
  }
  return settings;
}

/**
 * The name `go build` gives a package's binary: the last element of its import path, or the one
 * before a major-version suffix (`example.com/tool/v2` → `tool`).
 */
export function defaultExecutableName(importPath: string): string {
  const elements = importPath.split("/");
  const last = elements[elements.length - 1] ?? "main";
  if (elements.length > 1 && /^v[2-9]\d*$/.test(last)) return elements[elements.length - 2]!;
  return last;
}
