/**
 * gctrace (`GODEBUG=gctrace=1`) decoder: stderr text in, typed GC cycles and scavenger events out.
 *
 * Accepts every line format since Go 1.5:
 *   1.5      `gc 1 @0.166s 0%: a+b+c+d+e ms clock, a+b+c+d/e/f+g ms cpu, 5->5->1 MB, 4 MB goal, 4 P`
 *   1.6–1.17 `gc 22 @96.880s 3%: a+b+c ms clock, a+b/c/d+e ms cpu, 1266->1276->656 MB, 1293 MB goal, 36 P`
 *   1.18+    adds `N MB stacks, N MB globals, ` before `N P`; any version may end with ` (forced)`.
 *
 * Pure: no I/O. Feed text with `GcTraceParser.push()` (streaming, bounded memory when records are
 * not kept) or call `parseGcTrace(text)`.
 */
export type { GcCycle, GcLineLayout, GcProcessRun, ScavengerEvent } from "../../model/gc-cycle.js";
export { parseGcTraceLine } from "./parse-gc-line.js";
export type { GcTraceParse, MemoryLimitHint, SkippedLineCounts } from "./parse-result.js";
export { selectTargetRun } from "./process-runs.js";
export { parseScavengerLine } from "./scavenger-line.js";
export { GcTraceParser, type GcTraceParserOptions, parseGcTrace } from "./stream-parser.js";
