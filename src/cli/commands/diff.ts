/** `heapscope diff`: arguments, options and help. What it does is ../actions/diff.ts, imported when it runs. */
import type { Command } from "commander";
import type { diffAction } from "../actions/diff.js";
import { addFormatOptions } from "../output.js";

export function define(command: Command): void {
  const diff = command
    .argument("<base>", "baseline profile: file, URL, - for stdin, or recording#N")
    .argument("<new>", "new profile")
    .option("--fail-if-grows <pct>", "exit 1 when a site grew by at least this percentage (and the floor)")
    .option("--warn-if-grows <pct>", "warn when a site grew by at least this percentage (and the floor)")
    .option(
      "--floor <value>",
      "smallest growth that counts (default 64 B or 1 object per op; 1% of the total for raw profiles)",
    )
    .option("--sample-index <type>", "sample type to compare (default: alloc_objects and alloc_space)")
    .option(
      "--base-ops <n>",
      "divide the base profile by this many operations (default: its heapscope-ops comment)",
    )
    .option("--new-ops <n>", "divide the new profile by this many operations")
    .option("--top <n>", "sites to show", "20");
  addFormatOptions(diff);
  diff.addHelpText(
    "after",
    `
A site is the first non-runtime function on the allocating stack (inlined frames included), so
make/new/append are charged to the code that asked for the memory. Profiles written by
\`heapscope bench run --memprofile DIR\` carry their operation count and compare per op.
Exit codes: 0 pass (warnings included), 1 a site grew past --fail-if-grows, 2 bad input or usage.

Example:
  $ heapscope diff --fail-if-grows 20 base/BenchmarkEncode.pb.gz new/BenchmarkEncode.pb.gz
  $ heapscope diff -sample_index=alloc_objects --format markdown before.pb.gz after.pb.gz`,
  );
  diff.action(async (...args: Parameters<typeof diffAction>) =>
    (await import("../actions/diff.js")).diffAction(...args),
  );
  diff.exitOverride();
}
