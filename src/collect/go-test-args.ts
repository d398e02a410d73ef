/** `go test` style arguments, sorted into packages, build flags and test-binary flags. */
import { UsageError } from "../errors.js";

// `go test` flags that belong to the test binary (as -test.<name>), and whether they take a value.
const TEST_FLAGS: Record<string, boolean> = {
  bench: true,
  benchtime: true,
  benchmem: false,
  count: true,
  cpu: true,
  failfast: false,
  fullpath: false,
  parallel: true,
  run: true,
  short: false,
  skip: true,
  timeout: true,
  v: false,
  shuffle: true,
  memprofilerate: true,
  blockprofile: true,
  blockprofilerate: true,
  mutexprofile: true,
  mutexprofilefraction: true,
  cpuprofile: true,
  memprofile: true,
  trace: true,
  outputdir: true,
};

// Build flags that go to `go list` and `go test -c`, and whether they take a value.
const BUILD_FLAGS: Record<string, boolean> = {
  tags: true,
  race: false,
  msan: false,
  asan: false,
  gcflags: true,
  ldflags: true,
  asmflags: true,
  trimpath: false,
  mod: true,
  modfile: true,
  overlay: true,
  pgo: true,
  buildvcs: true,
  a: false,
  p: true,
  toolexec: true,
  compiler: true,
  gccgoflags: true,
  installsuffix: true,
  linkshared: false,
  cover: false,
  covermode: true,
  coverpkg: true,
  work: false,
};

export interface SplitGoTestArgs {
  packages: string[];
  buildFlags: string[];
  testFlags: string[];
}

/** Sorts go test style arguments into packages, build flags and test-binary flags. */
export function splitGoTestArgs(args: readonly string[]): SplitGoTestArgs {
  const out: SplitGoTestArgs = { packages: [], buildFlags: [], testFlags: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("-") || arg === "-") {
      out.packages.push(arg);
      continue;
    }
    const match = /^--?(?:test\.)?([a-zA-Z0-9_]+)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`go test argument "${arg}" is not a flag heapscope understands`);
    const name = match[1]!;
    let value = match[2];
    if (name in TEST_FLAGS) {
      if (TEST_FLAGS[name] && value === undefined) {
        value = args[++i];
        if (value === undefined) throw new UsageError(`go test flag -${name} needs a value`);
      }
      out.testFlags.push(value === undefined ? `-test.${name}` : `-test.${name}=${value}`);
    } else if (name in BUILD_FLAGS) {
      if (BUILD_FLAGS[name] && value === undefined) {
        value = args[++i];
        if (value === undefined) throw new UsageError(`go build flag -${name} needs a value`);
      }
      out.buildFlags.push(value === undefined ? `-${name}` : `-${name}=${value}`);
    } else {
      throw new UsageError(`unknown go test flag -${name}`);
    }
  }
  if (out.packages.length === 0) out.packages.push("./...");
  return out;
}
