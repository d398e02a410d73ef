/**
 * Start-up cost: a command line loads only what it uses. The built CLI runs in a child process that
 * records every module it resolves (test/support/trace-loads.mjs); `--version`, `--help` and `top`
 * on a real Go heap profile must not load SQLite, the web UI, benchmark code, doctor or any other
 * command's code. How fast start-up is belongs to the bench (bench/startup.ts); this pins what loads.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Command, Help } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandTable } from "../../../src/cli/commands/index.js";
import { buildGoProgram, repoRoot } from "../../support/go.js";
import { runTracingLoads } from "../../support/loaded-modules.js";

/** Code that a report on a profile file has no use for. */
const heavy = [
  /^node_modules\/better-sqlite3\//,
  /^node_modules\/bindings\//,
  /^node_modules\/(hono|@hono)\//,
  /^node_modules\/(vite|preact|@preact|preact-render-to-string)\//,
  /^dist\/ui\//,
  /^dist\/store\//,
  /^dist\/diagnose\//,
  /^dist\/(analysis|render|collect)\/bench-/,
  /^dist\/collect\/(record-session|target-launcher|doctor-input|doctor-heap-dumps)\.js$/,
];

function heavyModules(modules: string[]): string[] {
  return modules.filter((m) => heavy.some((pattern) => pattern.test(m)));
}

/** Command definitions and implementations (the table, commands/index.js, is always loaded). */
function commandModules(modules: string[]): string[] {
  return modules.filter(
    (m) => /^dist\/cli\/(commands|actions)\//.test(m) && m !== "dist/cli/commands/index.js",
  );
}

let dir: string;
let profile: string;

beforeAll(async () => {
  const binary = await buildGoProgram(path.join(repoRoot, "bench/programs/broadheap"));
  dir = mkdtempSync(path.join(tmpdir(), "heapscope-startup-"));
  profile = path.join(dir, "broad.pb.gz");
  // A small broad profile: every allocation sampled, 2,000 distinct 8-deep stacks.
  await promisify(execFile)(binary, ["-n", "2000", "-depth", "8", profile]);
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("what a command line loads", () => {
  it("--version loads commander and the command table, no command", async () => {
    const traced = await runTracingLoads(["--version"]);
    expect(traced.code).toBe(0);
    expect(traced.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(traced.modules).toContain("dist/cli/main.js");
    expect(traced.modules).toContain("dist/cli/commands/index.js");
    expect(traced.modules.some((m) => m.startsWith("node_modules/commander/"))).toBe(true);
    expect(commandModules(traced.modules)).toEqual([]);
    expect(heavyModules(traced.modules)).toEqual([]);
  });

  it("--help lists every command from the table alone", async () => {
    const traced = await runTracingLoads(["--help"]);
    expect(traced.code).toBe(0);
    for (const entry of commandTable) expect(traced.stdout).toMatch(new RegExp(`^  ${entry.name}\\b`, "m"));
    expect(commandModules(traced.modules)).toEqual([]);
    expect(heavyModules(traced.modules)).toEqual([]);
  });

  it("top on a Go heap profile loads the decoder and the report, nothing heavy", async () => {
    const traced = await runTracingLoads(["top", profile]);
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stdout).toMatch(/flat {2}flat% {3}sum% {8}cum {3}cum%/);
    expect(traced.stdout).toContain("main.next");
    expect(traced.modules).toContain("dist/render/pprof/top.js");
    expect(traced.modules.some((m) => m.startsWith("dist/formats/pprof-proto"))).toBe(true);
    expect(commandModules(traced.modules)).toEqual(["dist/cli/actions/top.js", "dist/cli/commands/top.js"]);
    expect(heavyModules(traced.modules)).toEqual([]);
  });

  it("doctor --help shows every option without loading doctor's implementation", async () => {
    const traced = await runTracingLoads(["doctor", "--help"]);
    expect(traced.code).toBe(0);
    expect(traced.stdout).toContain("--fail-on <verdicts>");
    expect(traced.stdout).toContain("$ heapscope doctor");
    expect(commandModules(traced.modules)).toEqual(["dist/cli/commands/doctor.js"]);
    expect(heavyModules(traced.modules)).toEqual([]);
  });

  it("help NAME shows the named command's own help", async () => {
    const traced = await runTracingLoads(["help", "record"]);
    expect(traced.code).toBe(0);
    expect(traced.stdout).toContain("Usage: heapscope record [options] [command...]");
    expect(traced.stdout).toContain("--max-size <size>");
    expect(heavyModules(traced.modules)).toEqual([]);
  });

  it("sees heavy code when a command does load it (else the checks above could not fail)", async () => {
    // inspect's action reads recordings with better-sqlite3; a heap profile is not one.
    const traced = await runTracingLoads(["inspect", profile]);
    expect(traced.code).toBe(2);
    expect(traced.modules).toContain("dist/cli/actions/inspect.js");
    expect(heavyModules(traced.modules)).toContain("dist/store/recording-reader.js");
    expect(heavyModules(traced.modules)).toContain("node_modules/better-sqlite3/lib/index.js");
  });
});

describe("the command table", () => {
  it("says what each definition declares, and each definition has an example", async () => {
    const help = new Help();
    for (const entry of commandTable) {
      const program = new Command("heapscope");
      const command = program.command(entry.name).description(entry.summary);
      (await entry.load()).define(command);
      const term = entry.usage === "" ? entry.name : `${entry.name} ${entry.usage}`;
      expect(help.subcommandTerm(command), entry.name).toBe(term);
      // A command with subcommands (bench) carries its examples on them.
      const leaves = command.commands.length > 0 ? command.commands : [command];
      for (const leaf of leaves) {
        let text = "";
        leaf.configureOutput({ writeOut: (s) => (text += s) });
        leaf.outputHelp();
        expect(text, `${entry.name} ${leaf.name()}`).toMatch(/^Examples?:$/m);
        expect(text, `${entry.name} ${leaf.name()}`).toMatch(/^ {2}\$ .*\bheapscope /m);
      }
    }
  });
});
