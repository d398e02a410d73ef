import type { Command } from "commander";

/**
 * Every CLI command: one module per command under src/cli/commands/, each exporting
 * `register(program)`. Modules load lazily: a run of `heapscope top` loads only top's module (start-up
 * time is part of every command's speed), `--help` loads them all. Keep the order `--help` shows.
 */
export type CommandRegistrar = (program: Command) => void;

interface CommandModule {
  register: CommandRegistrar;
}

export const commandLoaders: ReadonlyArray<readonly [name: string, load: () => Promise<CommandModule>]> = [
  ["doctor", () => import("./doctor.js")],
  ["demo", () => import("./demo.js")],
  ["record", () => import("./record.js")],
  ["inspect", () => import("./inspect.js")],
  ["export", () => import("./export.js")],
  ["top", () => import("./top.js")],
  ["tree", () => import("./tree.js")],
  ["peek", () => import("./peek.js")],
  ["list", () => import("./list.js")],
  ["traces", () => import("./traces.js")],
  ["tags", () => import("./tags.js")],
  ["raw", () => import("./raw.js")],
  ["gctrace", () => import("./gctrace.js")],
  ["memstats", () => import("./memstats.js")],
  ["goroutines", () => import("./goroutines.js")],
  ["bench", () => import("./bench.js")],
  ["diff", () => import("./diff.js")],
  ["fleet", () => import("./fleet.js")],
  ["ui", () => import("./ui.js")],
  ["hook", () => import("./hook.js")],
  ["retainers", () => import("./retainers.js")],
];

/** The registrars needed for this command line: just the named command when there is one. */
export async function loadCommandRegistrars(args: readonly string[]): Promise<CommandRegistrar[]> {
  const first = args.find((arg) => !arg.startsWith("-"));
  const only = commandLoaders.filter(([name]) => name === first);
  const chosen = only.length > 0 ? only : commandLoaders;
  const modules = await Promise.all(chosen.map(([, load]) => load()));
  return modules.map((module) => module.register);
}
