import type { Command } from "commander";
import { commander } from "../commander.js";

/**
 * Every CLI command, in the order `--help` lists them. Start-up reads only this table: a run of
 * `heapscope top` imports top's definition (./top.ts: arguments, options, help, examples) and
 * nothing else, and a definition imports its implementation (../actions/<name>.ts) only when its
 * action runs. Without a command (`--help`, `--version`, a typo) the table alone lists them;
 * test/cli/startup.test.ts checks that `usage` says what each definition declares.
 */
export interface CommandEntry {
  name: string;
  /** The command's arguments as `--help` lists them after its name (commander's subcommand term). */
  usage: string;
  /** One line for the command list and the command's own `--help`. */
  summary: string;
  load: () => Promise<CommandDefinition>;
}

export interface CommandDefinition {
  /** Adds arguments, options, help text and a lazy action to the named, described command. */
  define(command: Command): void;
}

export const commandTable: readonly CommandEntry[] = [
  {
    name: "doctor",
    usage: "[options] [inputs...]",
    summary:
      "is my Go program leaking, and what holds the memory? A verdict with ranked suspects, evidence and hints",
    load: () => import("./doctor.js"),
  },
  {
    name: "demo",
    usage: "[options]",
    summary:
      "diagnose a bundled leaking Go service: built and run when `go` is available, otherwise a bundled recording of it is replayed",
    load: () => import("./demo.js"),
  },
  {
    name: "record",
    usage: "[options] [command...]",
    summary:
      "record a running Go program (pprof heap/goroutine, expvar MemStats, /metrics, RSS, gctrace) into one SQLite file",
    load: () => import("./record.js"),
  },
  {
    name: "inspect",
    usage: "[options] <recording>",
    summary: "show what a recording (.hsrec) holds: target, samples, snapshots, gaps, errors, thinning",
    load: () => import("./inspect.js"),
  },
  {
    name: "export",
    usage: "[options] <recording>",
    summary: "write a recording's raw profiles, goroutine dumps, gctrace log and MemStats as plain files",
    load: () => import("./export.js"),
  },
  {
    name: "top",
    usage: "[options] <profile...>",
    summary: "flat/cumulative table of a heap profile, byte-identical to `go tool pprof -top`",
    load: () => import("./top.js"),
  },
  {
    name: "tree",
    usage: "[options] <profile...>",
    summary: "each function with its callers and callees, byte-identical to `go tool pprof -tree`",
    load: () => import("./tree.js"),
  },
  {
    name: "peek",
    usage: "[options] <regex> <profile...>",
    summary: "callers and callees of functions matching a regex, byte-identical to `go tool pprof -peek`",
    load: () => import("./peek.js"),
  },
  {
    name: "list",
    usage: "[options] <regex> <profile...>",
    summary: "annotated source of functions matching a regex, byte-identical to `go tool pprof -list`",
    load: () => import("./list.js"),
  },
  {
    name: "traces",
    usage: "[options] <profile...>",
    summary: "every sample with its labels and stack, byte-identical to `go tool pprof -traces`",
    load: () => import("./traces.js"),
  },
  {
    name: "tags",
    usage: "[options] <profile...>",
    summary:
      "totals per label value (for heap profiles: allocation sizes), byte-identical to `go tool pprof -tags`",
    load: () => import("./tags.js"),
  },
  {
    name: "raw",
    usage: "[options] <profile...>",
    summary: "the profile's samples, locations and mappings as text, byte-identical to `go tool pprof -raw`",
    load: () => import("./raw.js"),
  },
  {
    name: "gctrace",
    usage: "[options] [file]",
    summary: "GC health and live-heap trend from GODEBUG=gctrace=1 output (a file, - for stdin, or --follow)",
    load: () => import("./gctrace.js"),
  },
  {
    name: "memstats",
    usage: "[options] <source>",
    summary:
      "MemStats health and trends of a Go program: /debug/vars JSON, Prometheus /metrics, query_range JSON or log lines",
    load: () => import("./memstats.js"),
  },
  {
    name: "goroutines",
    usage: "[options] <dump>",
    summary:
      "groups of goroutines with the same stack, from any goroutine dump; with --base, the groups that grew",
    load: () => import("./goroutines.js"),
  },
  {
    name: "bench",
    usage: "",
    summary:
      "Compare Go benchmarks (go test -bench -benchmem) and gate CI on allocation and time regressions",
    load: () => import("./bench.js"),
  },
  {
    name: "diff",
    usage: "[options] <base> <new>",
    summary:
      "Name the allocation sites that grew between two heap/allocs profiles; gate CI with --fail-if-grows (exit 1)",
    load: () => import("./diff.js"),
  },
  {
    name: "fleet",
    usage: "[options]",
    summary:
      "which instances in Prometheus leak memory: every Go instance judged, ranked, growth dated to a deploy, the worst doctored",
    load: () => import("./fleet.js"),
  },
  {
    name: "ui",
    usage: "[options] <input...>",
    summary: "open the web UI: flame graph, top, peek, source, call graph, diffs, recordings' timelines",
    load: () => import("./ui.js"),
  },
  {
    name: "hook",
    usage: "[options] [dir]",
    summary: "write the heap-dump hook (heapscope_hook.go) into a Go main package",
    load: () => import("./hook.js"),
  },
  {
    name: "retainers",
    usage: "[options] <source>",
    summary: "what holds a Go program's heap: roots by retained bytes, from a heap dump",
    load: () => import("./retainers.js"),
  },
];

/**
 * Adds the commands a command line needs: the named one, fully defined (`help NAME` names it too),
 * or, when none is named, every command as a name and summary for the command list.
 */
export async function addCommands(program: Command, args: readonly string[]): Promise<void> {
  const words = args.filter((arg) => !arg.startsWith("-"));
  const name = words[0] === "help" ? words[1] : words[0];
  const entry = commandTable.find((e) => e.name === name);
  if (entry) {
    const { define } = await entry.load();
    define(program.command(entry.name).description(entry.summary));
    return;
  }
  for (const e of commandTable) program.command(e.name).description(e.summary);
  const usageOf = new Map(commandTable.map((e) => [e.name, e.usage]));
  const standard = new commander.Help();
  program.configureHelp({
    subcommandTerm: (command) => {
      const usage = usageOf.get(command.name());
      if (usage === undefined) return standard.subcommandTerm(command);
      return usage === "" ? command.name() : `${command.name()} ${usage}`;
    },
  });
}
