/**
 * `heapscope bench compare|run`: arguments, options and help. What they do is ../actions/bench.ts,
 * imported when one runs.
 */
import type { Command } from "commander";
import type { benchCompareAction, benchRunAction } from "../actions/bench.js";
import { addFormatOptions } from "../output.js";

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Options shared by `bench compare` and `bench run`. */
export function addGateOptions(command: Command): Command {
  addFormatOptions(command);
  return command
    .option("--alpha <p>", "significance level of the U test (default 0.05)")
    .option(
      "--ignore-config",
      "pair benchmarks across different cpu:/goos:/… lines and -N GOMAXPROCS suffixes",
    )
    .option("--config <file>", "gate settings file (default: .heapscope.json in this or a parent directory)")
    .option("--no-config", "ignore .heapscope.json")
    .option("--allocs-warn <pct>", "warn when allocs/op grows this much (default 10)")
    .option("--allocs-fail <pct>", "fail when allocs/op grows this much (default 30)")
    .option("--allocs-floor <n>", "ignore allocs/op growth smaller than this (default 1)")
    .option("--bytes-warn <pct>", "warn when B/op grows this much (default 15)")
    .option("--bytes-fail <pct>", "fail when B/op grows this much (default 50)")
    .option("--bytes-floor <size>", "ignore B/op growth smaller than this, e.g. 64 or 1KiB (default 64)")
    .option("--time-warn <pct>", "warn when sec/op grows this much (off by default)")
    .option("--time-fail <pct>", "fail when sec/op grows this much (off by default)")
    .option("--time-floor <duration>", "ignore sec/op growth smaller than this, e.g. 5ns (default 0)")
    .option(
      "--threshold <unit=warn,fail[,floor]>",
      'thresholds for any unit, e.g. "items/op=5,20" or "B/op=off" (repeatable)',
      collect,
    )
    .option("--on-missing <policy>", "benchmarks present on one side only: ignore|warn|fail (default warn)")
    .option("--fail-on-missing", "same as --on-missing fail");
}

export function define(bench: Command): void {
  const compare = bench
    .command("compare")
    .description(
      "Compare two go test -bench outputs with benchstat's statistics and apply the CI gate (exit 1 when a row fails)",
    )
    .argument("<base>", "baseline output file, or - for stdin")
    .argument("<new>", "new output file, or - for stdin");
  addGateOptions(compare);
  compare
    .addHelpText(
      "after",
      `
Rows pair by (package, benchmark name). A row fails when the change is significant (U test,
alpha 0.05; allocs/op and B/op that are constant on both sides compare exactly) AND it grew by
at least the fail percentage AND by at least the floor. Defaults: allocs/op warn +10% fail +30%
floor 1; B/op warn +15% fail +50% floor 64 B; sec/op off. 0 -> >0 allocs/op always fails.
Exit codes: 0 pass (warnings included), 1 fail, 2 bad input or usage.
Under GitHub Actions (GITHUB_ACTIONS=true) it also prints ::error/::warning annotations and
appends a Markdown summary to $GITHUB_STEP_SUMMARY.

Example:
  $ go test -run '^$' -bench . -benchmem -count 10 ./... > new.txt
  $ heapscope bench compare base.txt new.txt
  $ heapscope bench compare --format markdown --time-fail 20 base.txt new.txt`,
    )
    .action(async (...args: Parameters<typeof benchCompareAction>) =>
      (await import("../actions/bench.js")).benchCompareAction(...args),
    );
  compare.exitOverride();

  const run = bench
    .command("run")
    .description(
      "Build the test binaries of the working tree and of a base git ref, run their benchmarks interleaved, and gate the comparison",
    )
    .argument("[goTestArgs...]", "after --: packages, build flags (-tags …) and test flags (-benchtime …)")
    .option("--base <ref>", "git ref to compare against (default: HEAD when the tree is dirty, else HEAD~1)")
    .option("--count <n>", "rounds; each round runs every benchmark once per side", "10")
    .option("--bench <regex>", "benchmarks to run", ".")
    .option("--save <dir>", "also write the raw outputs to DIR/base.txt and DIR/new.txt")
    .option("--go <path>", "go command to use", "go")
    .option(
      "--memprofile <dir>",
      "also profile each benchmark alone on both sides (-test.memprofilerate=1) into DIR and name the allocation sites behind each allocs/op or B/op row that got worse",
    )
    .option("--memprofile-benchtime <n>", "iterations per profiled benchmark", "1000");
  addGateOptions(run);
  run
    .addHelpText(
      "after",
      `
Both trees are built once with go test -c (the base in a temporary git worktree, removed
afterwards even on error or Ctrl-C); the binaries then run with -test.run='^$', alternating
base and new round by round so machine drift hits both sides alike.

Example:
  $ heapscope bench run --base origin/main --count 10 -- -benchtime=1000x ./...
  $ heapscope bench run --bench 'Encode|Decode' --time-fail 15`,
    )
    .action(async (...args: Parameters<typeof benchRunAction>) =>
      (await import("../actions/bench.js")).benchRunAction(...args),
    );
  run.exitOverride();
}
