/**
 * The hook file in a user's tree: `heapscope hook DIR` writes it, `go build -tags heapscope` builds it
 * in, and the binary is launched directly. Also what the hook does with no, partial or unsafe
 * settings, and the command lines prepareHookedLaunch refuses. Uses the CLI from dist/ (npm run build).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestHeapDump } from "../../../src/collect/heapdump-hook.js";
import { hookSourcePath } from "../../../src/collect/hook-file.js";
import { prepareHookedLaunch } from "../../../src/collect/hooked-launch.js";
import { InputError, UsageError } from "../../../src/errors.js";
import { buildGoProgram, runCli, startProgram, workDir } from "../../support/go.js";
import { summarizeHeapDump } from "./support/heapdump-segments.js";

const programDir = path.resolve(import.meta.dirname, "programs/hooktarget");
let scratch: string;
let appDir: string;

beforeAll(() => {
  mkdirSync(workDir, { recursive: true });
  scratch = mkdtempSync(path.join(workDir, "hook-prebuilt-"));
  // A copy of the program's main package with its module, as a user's checkout.
  appDir = path.join(scratch, "app");
  mkdirSync(appDir);
  cpSync(path.join(programDir, "go.mod"), path.join(appDir, "go.mod"));
  for (const name of readdirSync(path.join(programDir, "cmd/svc"))) {
    cpSync(path.join(programDir, "cmd/svc", name), path.join(appDir, name));
  }
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("heapscope hook DIR", () => {
  it("writes the hook into a main package and says how to build it", async () => {
    const first = await runCli(["hook", appDir, "--json"]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      path: path.join(appDir, "heapscope_hook.go"),
      action: "written",
      buildTag: "heapscope",
      buildCommand: `go build -tags heapscope ${appDir}`,
    });
    expect(readFileSync(path.join(appDir, "heapscope_hook.go"), "utf8")).toBe(
      readFileSync(hookSourcePath, "utf8"),
    );
    const again = await runCli(["hook", "."], { cwd: appDir });
    expect(again).toMatchObject({ code: 0, stderr: "" });
    expect(again.stdout).toBe(
      `up to date: heapscope_hook.go\nbuild it in with: go build -tags heapscope .\n`,
    );
  });

  it("refuses a directory without a main package, and a different hook file without --force", async () => {
    const library = path.join(scratch, "lib");
    mkdirSync(library);
    writeFileSync(path.join(library, "lib.go"), "// Package lib.\npackage lib\n");
    writeFileSync(path.join(library, "main_test.go"), "package main\n");
    const refused = await runCli(["hook", library]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `heapscope: ${library}: no \`package main\` .go file here: give the directory of the program's main package\n`,
    );
    expect(existsSync(path.join(library, "heapscope_hook.go"))).toBe(false);
    expect((await runCli(["hook", path.join(scratch, "missing")])).stderr).toMatch(
      /missing: no such directory\n$/,
    );

    const edited = path.join(scratch, "edited");
    mkdirSync(edited);
    writeFileSync(path.join(edited, "main.go"), "/* a\n package lib */\npackage main\n\nfunc main() {}\n");
    writeFileSync(path.join(edited, "heapscope_hook.go"), "//go:build heapscope\n\npackage main\n");
    const differs = await runCli(["hook", edited]);
    expect(differs.code).toBe(2);
    expect(differs.stderr).toMatch(/heapscope_hook\.go: exists and differs .* use --force/);
    const forced = await runCli(["hook", edited, "--force", "--json"]);
    expect(JSON.parse(forced.stdout).action).toBe("replaced");
  });
});

describe("a binary built with the hook file", () => {
  let binary: string;

  beforeAll(async () => {
    await runCli(["hook", appDir]);
    binary = await buildGoProgram(appDir, { env: { GOFLAGS: "-mod=mod -tags=heapscope" } });
  });

  it("is launched as is, with the hook's environment, and dumps", async () => {
    const launch = await prepareHookedLaunch([binary, "-mib", "1"], { tempRoot: scratch });
    expect(launch.command).toBe(binary);
    expect(launch.binary).toBe(binary);
    expect(launch.args).toEqual(["-mib", "1"]);
    const program = startProgram(launch.command, launch.args, launch.env);
    try {
      const endpoint = await launch.waitForHook({ timeoutMs: 20_000 });
      const dump = await requestHeapDump(endpoint);
      expect(summarizeHeapDump(await dump.readAndDelete()).reachedEof).toBe(true);
    } finally {
      await program.stop();
      await launch.cleanup();
    }
  });

  it("does nothing without HEAPSCOPE_HOOK_DIR: no listener, SIGUSR2 stays the program's", async () => {
    const program = startProgram(binary, ["-mib", "1"]);
    try {
      await waitForLine(() => program.stdout());
      program.child.kill("SIGUSR2");
      await waitForLine(() => program.stdout().split("\n").slice(1).join("\n"));
      expect(program.stdout().split("\n")[1]).toBe("program got SIGUSR2");
      expect(program.stderr()).toBe("");
    } finally {
      await program.stop();
    }
  });

  it("with HEAPSCOPE_HOOK_SIGNAL=1, SIGUSR2 also writes a dump and names it on stderr", async () => {
    const dir = mkdtempSync(path.join(scratch, "signal-"));
    const program = startProgram(binary, ["-mib", "1"], {
      HEAPSCOPE_HOOK_DIR: dir,
      HEAPSCOPE_HOOK_SIGNAL: "1",
    });
    try {
      await waitForLine(() => program.stdout());
      program.child.kill("SIGUSR2");
      const line = await waitForLine(() => program.stderr());
      const match = /^heapscope-hook: heap dump written to "([^"]+)" \((\d+) bytes in [\d.]+[mµn]?s\)$/.exec(
        line,
      );
      expect(match, line).not.toBeNull();
      const file = match![1]!;
      expect(path.dirname(file)).toBe(dir);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(summarizeHeapDump(readFileSync(file)).reachedEof).toBe(true);
      // The program's own handler got the signal too.
      await waitForLine(() => program.stdout().split("\n").slice(1).join("\n"));
      expect(program.stdout().split("\n")[1]).toBe("program got SIGUSR2");
      // Without HEAPSCOPE_HOOK_ADDR there is no listener and no ready file.
      expect(readdirSync(dir)).toEqual([path.basename(file)]);
    } finally {
      await program.stop();
    }
  });

  it("refuses a non-loopback address and a short token, and says so", async () => {
    for (const [env, expected] of [
      [
        { HEAPSCOPE_HOOK_ADDR: "0.0.0.0:0", HEAPSCOPE_HOOK_TOKEN: "x".repeat(32) },
        /"0\.0\.0\.0:0" is not a loopback address; not listening/,
      ],
      [
        { HEAPSCOPE_HOOK_ADDR: "example.com:80", HEAPSCOPE_HOOK_TOKEN: "x".repeat(32) },
        /not a loopback address/,
      ],
      [
        { HEAPSCOPE_HOOK_ADDR: "127.0.0.1:0", HEAPSCOPE_HOOK_TOKEN: "short" },
        /16 or more characters; not listening/,
      ],
      [{ HEAPSCOPE_HOOK_ADDR: "127.0.0.1:0" }, /16 or more characters/],
    ] as const) {
      const dir = mkdtempSync(path.join(scratch, "refuse-"));
      const program = startProgram(binary, ["-mib", "1"], { HEAPSCOPE_HOOK_DIR: dir, ...env });
      try {
        await waitForLine(() => program.stdout());
        expect(program.stderr()).toMatch(expected);
        expect(readdirSync(dir)).toEqual([]);
      } finally {
        await program.stop();
      }
    }
  });
});

describe("go run flags that change where and how the program runs", () => {
  async function dumpFrom(launch: Awaited<ReturnType<typeof prepareHookedLaunch>>): Promise<string> {
    const program = startProgram(launch.command, launch.args, launch.env);
    try {
      const endpoint = await launch.waitForHook({ timeoutMs: 30_000 });
      const dump = await requestHeapDump(endpoint);
      expect(summarizeHeapDump(await dump.readAndDelete()).reachedEof).toBe(true);
      return await waitForLine(() => program.stdout());
    } finally {
      await program.stop();
      await launch.cleanup();
    }
  }

  it("-C dir: builds in that directory", async () => {
    const relative = path.relative(scratch, programDir);
    const launch = await prepareHookedLaunch(
      ["go", "run", "-C", relative, "./cmd/svc", "-mib", "1", "c-arg"],
      {
        cwd: scratch,
      },
    );
    expect(path.basename(launch.binary)).toBe("svc");
    expect(JSON.parse(await dumpFrom(launch)).args).toEqual(["c-arg"]);
  });

  it("-exec xprog: runs the built binary through it, as go run does", async () => {
    const launch = await prepareHookedLaunch(
      ["go", "run", "-exec", "env", "./cmd/svc", "-mib", "1", "e-arg"],
      {
        cwd: programDir,
      },
    );
    expect(launch.command).toBe("env");
    expect(launch.args).toEqual([launch.binary, "-mib", "1", "e-arg"]);
    expect(JSON.parse(await dumpFrom(launch)).args).toEqual(["e-arg"]);
  });
});

describe("command lines prepareHookedLaunch refuses", () => {
  it("names a binary built without the hook", async () => {
    const plain = await buildGoProgram(path.join(programDir, "files"));
    await expect(prepareHookedLaunch([plain])).rejects.toThrow(
      new InputError(
        plain,
        "was built without the heap-dump hook: run `heapscope hook DIR` in its main package and build with -tags heapscope, or launch it as `go run ./pkg`",
      ),
    );
  });

  it("refuses go run pkg@version and go build, leaving no temporary directory", async () => {
    const root = mkdtempSync(path.join(scratch, "tmp-"));
    await expect(
      prepareHookedLaunch(["go", "run", "example.com/tool@v1.2.3"], { tempRoot: root }),
    ).rejects.toThrow(UsageError);
    await expect(prepareHookedLaunch(["go", "build", "."], { tempRoot: root })).rejects.toThrow(
      /only `go run`/,
    );
    await expect(prepareHookedLaunch(["no-such-program-x"], { tempRoot: root })).rejects.toThrow(
      "no-such-program-x: command not found",
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it("reports a failed build with the compiler's first complaint", async () => {
    const broken = path.join(scratch, "broken");
    mkdirSync(broken);
    writeFileSync(path.join(broken, "main.go"), "package main\n\nfunc main() { undefinedThing() }\n");
    const root = mkdtempSync(path.join(scratch, "tmp-"));
    const failure = prepareHookedLaunch(["go", "run", "main.go"], { cwd: broken, tempRoot: root });
    await expect(failure).rejects.toThrow(/^go build: .*main\.go:3:.*undefined: undefinedThing/);
    expect(readdirSync(root)).toEqual([]);
  });
});

/** Resolves with the first complete line of a growing output. */
async function waitForLine(read: () => string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!read().includes("\n")) {
    if (Date.now() > deadline)
      throw new Error(`no line within ${timeoutMs} ms (so far: ${JSON.stringify(read())})`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return read().split("\n", 1)[0]!;
}
